"""The ``bisphos serve`` command: serve, or print a stored card's decision record."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bisphos.engine import Engine
from bisphos.service.config import load_config
from bisphos.service.store import Store

__all__ = ["run"]


def run(arguments: argparse.Namespace, engine: Engine, out: Callable[[str], None]) -> int:
    """Run ``bisphos serve`` with its parsed ``arguments``; return the exit code."""
    overrides: dict[str, Any] = {}
    if arguments.host is not None:
        overrides["host"] = arguments.host
    if arguments.port is not None:
        overrides["port"] = arguments.port
    config = load_config(arguments.config, **overrides)
    if arguments.print_record is not None:
        store = Store(config.database)
        try:
            out(store.record_of_card(arguments.print_record))
        finally:
            store.close()
        return 0
    from bisphos.service.server import serve  # noqa: PLC0415 - uvicorn only to serve

    serve(config, engine=engine)
    return 0
