"""Feedback: accepted and overridden cards stored in SQLite with the decision record, kept.

CDS Hooks 2.0, "Feedback": ``POST {baseUrl}/cds-services/{id}/feedback`` with ``{"feedback":
[{"card", "outcome", "acceptedSuggestions", "overrideReason", "outcomeTimestamp"}]}``.
The reading of December 2026 on overrides: a soft limit is overridden with a coded reason, a name
and a time.
"""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from bisphos.cli import main
from bisphos.errors import InvalidValueError
from bisphos.model import Drug
from bisphos.service import SCHEMA_VERSION, Store
from bisphos.service.store import MIGRATIONS
from tests.service._fhir import Example, hook_request, medication_request
from tests.service._server import Keys, Running
from tests.service.conftest import serve_in

SIGN = "/cds-services/bisphos-order-sign"
FEEDBACK = SIGN + "/feedback"
WHEN = "2026-11-23T10:15:00+01:00"


def _cards(server: Running, dose_mg: float, hours: float = 1.0) -> list[dict[str, Any]]:
    girl = Example.of("oi-girl-20kg")
    order = medication_request(
        Drug.ZOLEDRONIC_ACID, dose_mg, patient=girl.patient_id, date=girl.date, hours=hours
    )
    body = hook_request("order-sign", girl.patient_id, girl.prefetch, orders=(order,))
    response = server.call(SIGN, body)
    assert response.status_code == 200
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def _serve(folder: Path, keys: Keys) -> Any:
    return serve_in(folder, keys)


def _override(card: dict[str, Any]) -> dict[str, Any]:
    return {
        "card": card["uuid"],
        "outcome": "overridden",
        "overrideReason": {
            "reason": card["overrideReasons"][0],
            "userComment": "dose agreed with the metabolic bone team",
        },
        "outcomeTimestamp": WHEN,
    }


def _accept(card: dict[str, Any]) -> dict[str, Any]:
    return {
        "card": card["uuid"],
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}],
        "outcomeTimestamp": WHEN,
    }


def test_feedback_is_stored_and_survives_a_restart(tmp_path: Path, keys: Keys) -> None:
    with _serve(tmp_path, keys) as server:
        soft = _cards(server, 0.25, hours=0.5)[0]
        hard = _cards(server, 5.0)[0]
        response = server.call(FEEDBACK, {"feedback": [_override(soft), _accept(hard)]})
        assert response.status_code == 200, response.text
        assert response.json() == {"stored": 2}
    with _serve(tmp_path, keys) as server:
        store: Store = server.app.state.service.store
        rows = store.feedback()
        assert [(r["card_uuid"], r["outcome"]) for r in rows] == [
            (soft["uuid"], "overridden"),
            (hard["uuid"], "accepted"),
        ]
        override = rows[0]
        assert override["override_code"] == soft["overrideReasons"][0]["code"]
        assert override["user_comment"] == "dose agreed with the metabolic bone team"
        assert override["user_id"] == "Practitioner/prescriber-7"
        assert override["client_sub"] == "ehr-client"
        assert override["outcome_timestamp"] == WHEN
        assert override["reason_offered"] == 1
        assert json.loads(rows[1]["accepted_suggestions"]) == [hard["suggestions"][0]["uuid"]]
        # A card issued before the restart is still known to the restarted service.
        again = server.call(FEEDBACK, {"feedback": [{**_override(soft), "outcomeTimestamp": WHEN}]})
        assert again.status_code == 200
        assert store.count("feedback") == 3


def test_an_override_reason_the_card_did_not_offer_is_recorded_as_such(
    tmp_path: Path, keys: Keys
) -> None:
    """A hard-limit card offers no reason; an EHR that overrides it anyway is on record."""
    with _serve(tmp_path, keys) as server:
        hard = _cards(server, 5.0)[0]
        entry = {
            "card": hard["uuid"],
            "outcome": "overridden",
            "overrideReason": {"reason": {"system": "urn:x", "code": "OTHER"}},
            "outcomeTimestamp": WHEN,
        }
        assert server.call(FEEDBACK, {"feedback": [entry]}).status_code == 200
        (row,) = server.app.state.service.store.feedback()
        assert row["reason_offered"] == 0
        assert row["override_code"] == "OTHER"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"card": "no-such-card"}, "feedback[0].card"),
        ({"outcome": "ignored"}, "feedback[0].outcome"),
        ({"outcomeTimestamp": "yesterday"}, "feedback[0].outcomeTimestamp"),
        ({"outcomeTimestamp": None}, "feedback[0].outcomeTimestamp"),
        ({"acceptedSuggestions": [{"id": "not-offered"}]}, "feedback[0].acceptedSuggestions"),
        ({"acceptedSuggestions": ["x"]}, "feedback[0].acceptedSuggestions[0]"),
    ],
)
def test_bad_feedback_is_a_typed_400_and_nothing_is_stored(
    tmp_path: Path, keys: Keys, change: dict[str, Any], field: str
) -> None:
    with _serve(tmp_path, keys) as server:
        card = _cards(server, 0.25, hours=0.5)[0]
        good = _accept(card)
        bad = {k: v for k, v in {**good, **change}.items() if v is not None}
        response = server.call(FEEDBACK, {"feedback": [good, bad]})
        assert response.status_code == 400, response.text
        assert response.json()["field"] == field.replace("feedback[0]", "feedback[1]")
        assert server.app.state.service.store.count("feedback") == 0


def test_feedback_on_a_card_of_another_service_is_refused(tmp_path: Path, keys: Keys) -> None:
    with _serve(tmp_path, keys) as server:
        card = _cards(server, 0.25, hours=0.5)[0]
        path = "/cds-services/bisphos-patient-view/feedback"
        response = server.call(path, {"feedback": [_accept(card)]})
        assert response.status_code == 400
        assert response.json()["field"] == "feedback[0].card"


@pytest.mark.parametrize("body", [{}, {"feedback": []}, {"feedback": {}}, {"feedback": [3]}])
def test_a_feedback_body_without_entries_is_refused(
    tmp_path: Path, keys: Keys, body: dict[str, Any]
) -> None:
    with _serve(tmp_path, keys) as server:
        assert server.call(FEEDBACK, body).status_code == 400


def test_every_cards_decision_record_replays(tmp_path: Path, keys: Keys) -> None:
    """``bisphos serve --print-record`` prints a card's decision record (the plan the order was
    judged against), and ``bisphos replay`` reproduces it byte for byte."""
    with _serve(tmp_path, keys) as server:
        card = _cards(server, 0.25, hours=0.5)[0]
    config = str(tmp_path / "service.toml")
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["serve", "--config", config, "--print-record", card["uuid"]])
    assert code == 0
    stored = out.getvalue()
    record = json.loads(stored)
    assert record["input"]["request"]["drug"] == "zoledronic_acid"
    assert record["result"]["status"] == "ready"
    assert record["result"]["infusions"][0]["dose"] == "0.25 mg"
    path = tmp_path / "record.json"
    path.write_text(stored, encoding="utf-8")
    replayed = io.StringIO()
    with redirect_stdout(replayed):
        code = main(["replay", str(path)])
    assert code == 0, replayed.getvalue()
    assert replayed.getvalue().startswith("Reproduced byte for byte.\n")


def test_print_record_of_an_unknown_card_is_an_input_error(
    tmp_path: Path, keys: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    with _serve(tmp_path, keys):
        pass
    argv = ["serve", "--config", str(tmp_path / "service.toml"), "--print-record", "nope"]
    assert main(argv) == 2
    assert "card: no card with this uuid" in capsys.readouterr().err


def test_a_version_1_database_is_migrated_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);"
        + MIGRATIONS[0]
        + "INSERT INTO schema_version VALUES (1, '2026-01-01');"
        "INSERT INTO decisions VALUES ('d1', 's', 'h', 't', 'iss', NULL, 'u', '{}');"
        "INSERT INTO cards VALUES ('c1', 'd1', 'info', 'x', '{}');"
        "INSERT INTO feedback (card_uuid, outcome, accepted_suggestions, outcome_timestamp,"
        " received_at, client_iss) VALUES ('c1', 'accepted', '[]', 't', 't', 'iss');"
    )
    db.commit()
    db.close()
    store = Store(path)
    try:
        assert store.schema_version() == SCHEMA_VERSION == 2
        (row,) = store.feedback()
        assert row["card_uuid"] == "c1"
        assert row["user_id"] is None
        versions = store._db.execute("SELECT version FROM schema_version").fetchall()
        assert versions == [(1,), (2,)]
    finally:
        store.close()


def test_a_database_of_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version VALUES (99, 'future')")
    db.commit()
    db.close()
    with pytest.raises(InvalidValueError, match="newer bisphos"):
        Store(path)


def test_a_file_that_is_no_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "text.sqlite3"
    path.write_text("not a database at all, just text " * 100, encoding="utf-8")
    with pytest.raises(InvalidValueError, match="not a usable database"):
        Store(path)


def test_the_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.sqlite3"
    Store(path).close()
    assert path.stat().st_mode & 0o077 == 0
