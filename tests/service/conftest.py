"""Fixtures of the service tests: the EHR's keys (one set per session) and a running service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service._server import Keys, Running, running


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys.make()


@pytest.fixture
def service(tmp_path: Path, keys: Keys) -> Iterator[Running]:
    """The service with the default reader and order check."""
    with running(tmp_path, keys) as server:
        yield server
