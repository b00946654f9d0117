"""Bounded requests: more than ``max_in_flight`` at once get 503 at once, a slow one 503 in time."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from bisphos.fhir import patient_from_bundle
from bisphos.model import Patient
from tests.service._fhir import Example, hook_request
from tests.service._server import Keys, running

VIEW = "/cds-services/bisphos-patient-view"


def _slow(seconds: float, started: threading.Event | None = None) -> Any:
    def reader(bundle: Mapping[str, Any], on: dt.date) -> Patient:
        if started is not None:
            started.set()
        time.sleep(seconds)
        return patient_from_bundle(bundle, assessment_date=on)

    return reader


def _body() -> dict[str, Any]:
    girl = Example.of("oi-girl-20kg")
    return hook_request("patient-view", girl.patient_id, girl.prefetch)


def test_requests_past_the_concurrency_limit_get_503_at_once(tmp_path: Path, keys: Keys) -> None:
    started = threading.Event()
    with running(tmp_path, keys, reader=_slow(1.0, started), max_in_flight=1) as server:
        results: list[int] = []

        def first() -> None:
            token = keys.token(server.url + VIEW)
            with httpx.Client(base_url=server.url, timeout=10) as http:
                results.append(
                    http.post(
                        VIEW, json=_body(), headers={"Authorization": f"Bearer {token}"}
                    ).status_code
                )

        thread = threading.Thread(target=first)
        thread.start()
        assert started.wait(5)
        begun = time.monotonic()
        shed = server.call(VIEW, _body())
        waited = time.monotonic() - begun
        thread.join()
        assert shed.status_code == 503
        assert shed.headers["retry-after"] == "1"
        assert waited < 0.5
        assert results == [200]
        assert server.call(VIEW, _body()).status_code == 200


def test_a_request_past_the_time_limit_gets_503(tmp_path: Path, keys: Keys) -> None:
    with running(tmp_path, keys, reader=_slow(1.5), request_timeout_seconds=0.3) as server:
        begun = time.monotonic()
        response = server.call(VIEW, _body())
        assert response.status_code == 503
        assert time.monotonic() - begun < 1.2
        assert response.json()["error"] == "the request took too long; try again"


def test_a_defect_is_a_500_that_names_nothing(tmp_path: Path, keys: Keys) -> None:
    """An unexpected error inside the decision: 500 with a JSON body, no traceback, no data."""

    def broken(bundle: Mapping[str, Any], on: dt.date) -> Patient:
        raise IndexError(bundle["entry"][0]["resource"]["id"])

    with running(tmp_path, keys, reader=broken) as server:
        response = server.call(VIEW, _body())
        assert response.status_code == 500
        assert response.json() == {"error": "internal error"}
