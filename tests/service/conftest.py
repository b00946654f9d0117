"""Fixtures of the service tests: the EHR's keys (one set per session) and running services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.service._server import Keys, Running, running


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys.make()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Iterator[Running]:
    """The service with the default reader and order check, one for the module."""
    with running(tmp_path_factory.mktemp("service"), keys) as server:
        yield server


ServiceOn = Callable[[dt.date], Running]


@pytest.fixture(scope="module")
def service_on(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Iterator[ServiceOn]:
    """A service planning on a given date (the example patients' dates), started once per date."""
    started: dict[dt.date, Running] = {}
    with ExitStack() as stack:

        def on(date: dt.date) -> Running:
            if date not in started:
                folder = tmp_path_factory.mktemp(f"service-{date.isoformat()}")
                started[date] = stack.enter_context(
                    running(folder, keys, assessment_date=date.isoformat())
                )
            return started[date]

        yield on


def serve_in(folder: Path, keys: Keys, **settings: Any) -> AbstractContextManager[Running]:
    """A service in ``folder`` on the example patients' later date, for tests that restart it."""
    return running(folder, keys, assessment_date="2026-11-23", **settings)
