"""The writes off the request path: decisions answered before they are stored, none of them lost.

The writer (:mod:`bisphos.service.writer`) stores decisions after their cards are answered. A stop
of the service stores everything queued; a full queue refuses hook calls and feedback with 503
(explicit, with ``Retry-After``), so no card is answered whose decision is not queued, and no
feedback is acknowledged that is not committed.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bisphos.errors import InvalidValueError
from bisphos.model import Drug
from bisphos.service.errors import OverloadedError
from bisphos.service.store import Decision, Store
from bisphos.service.writer import Writer
from tests.service._fhir import Example, hook_request, medication_request
from tests.service._server import Keys, Running
from tests.service.conftest import serve_in

SIGN = "/cds-services/bisphos-order-sign"
FEEDBACK = SIGN + "/feedback"


def _sign(server: Running) -> Any:
    girl = Example.of("oi-girl-20kg")
    order = medication_request(Drug.ZOLEDRONIC_ACID, 0.25, patient=girl.patient_id, date=girl.date)
    return server.call(
        SIGN, hook_request("order-sign", girl.patient_id, girl.prefetch, orders=(order,))
    )


def _accept(card_uuid: str) -> dict[str, Any]:
    entry = {"card": card_uuid, "outcome": "accepted", "outcomeTimestamp": "2026-11-23T10:00:00Z"}
    return {"feedback": [entry]}


def _hold(server: Running) -> threading.Event:
    """Keep the writer's thread busy until the event is set (as a slow disk would)."""
    gate = threading.Event()
    server.app.state.service.writer.submit(lambda store: gate.wait(20))
    return gate


def test_decisions_queued_at_a_stop_are_stored_and_known_after_a_restart(
    tmp_path: Path, keys: Keys
) -> None:
    with serve_in(tmp_path, keys) as server:
        gate = _hold(server)
        answers = [_sign(server) for _ in range(5)]
        assert [a.status_code for a in answers] == [200] * 5
        store: Store = server.app.state.service.store
        assert store.count("decisions") == 0  # answered before stored
        # The writer is still held when the stop begins; the stop waits for it.
        threading.Timer(0.3, gate.set).start()
    cards = [a.json()["cards"][0]["uuid"] for a in answers]
    with serve_in(tmp_path, keys) as server:
        store = server.app.state.service.store
        assert store.count("decisions") == 5
        assert store.count("cards") == 5
        for card in cards:
            response = server.call(FEEDBACK, _accept(card))
            assert response.status_code == 200, response.text
            assert response.json() == {"stored": 1}
        assert [row["card_uuid"] for row in store.feedback()] == cards


def test_a_full_write_queue_is_explicit_503s_and_loses_nothing_answered(
    tmp_path: Path, keys: Keys
) -> None:
    with serve_in(tmp_path, keys, max_pending_writes=3) as server:
        gate = _hold(server)
        answers = [_sign(server) for _ in range(6)]
        statuses = [a.status_code for a in answers]
        assert statuses == [200, 200, 200, 503, 503, 503]
        refused = answers[-1]
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["error"] == "too many decisions waiting to be stored; try again"
        card = answers[0].json()["cards"][0]["uuid"]
        assert server.call(FEEDBACK, _accept(card)).status_code == 503  # not acknowledged
        assert server.call("/cds-services").status_code == 200  # the service is up
        gate.set()
        server.app.state.service.writer.flush(10)
        store: Store = server.app.state.service.store
        assert store.count("decisions") == statuses.count(200)
        for answer in answers[:3]:
            uuid = answer.json()["cards"][0]["uuid"]
            assert server.call(FEEDBACK, _accept(uuid)).status_code == 200
        assert store.count("feedback") == 3


def _decision(number: int) -> Decision:
    card = {"uuid": f"card-{number}", "indicator": "info", "summary": "s"}
    return Decision.of(
        decision_id=f"decision-{number}",
        service_id="bisphos-order-sign",
        hook_instance="h",
        client=("iss", None),
        user_id=None,
        record={"format": "test"},
        cards=[card],
    )


def test_a_decision_that_cannot_be_stored_does_not_take_its_batch_with_it(tmp_path: Path) -> None:
    """A duplicate decision id fails its insert; the others of its transaction are stored."""
    store = Store(tmp_path / "db.sqlite3")
    store.save_decisions([_decision(1)])
    writer = Writer(store)
    gate = threading.Event()
    writer.submit(lambda s: gate.wait(10))
    for decision in (_decision(2), _decision(1), _decision(3)):
        writer.save_decision(decision)
    gate.set()
    writer.close(10)
    assert (writer.stored, writer.lost) == (2, 1)
    assert store.count("decisions") == 3
    with pytest.raises(OverloadedError):  # closed: nothing more is queued
        writer.save_decision(_decision(4))
    store.close()


def test_a_record_json_cannot_hold_is_refused_before_it_is_queued() -> None:
    with pytest.raises(InvalidValueError, match="not JSON data"):
        Decision.of(
            decision_id="d",
            service_id="s",
            hook_instance="h",
            client=("iss", None),
            user_id=None,
            record={"z_score": float("nan")},
            cards=[],
        )
