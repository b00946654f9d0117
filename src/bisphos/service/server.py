"""``bisphos serve``: the service under uvicorn, one worker, on the configured host and port."""

from __future__ import annotations

import gc
import logging
import signal
import socket
import threading

import uvicorn

from bisphos.engine import Engine
from bisphos.service.app import create_app
from bisphos.service.config import ServiceConfig
from bisphos.service.sources import OrderChecker

__all__ = ["serve"]


def serve(
    config: ServiceConfig,
    *,
    engine: Engine | None = None,
    checker: OrderChecker | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve the app until interrupted (SIGINT/SIGTERM end it cleanly).

    Args:
        config: The configuration.
        engine: The engine (default: the one with the installed plugins).
        checker: The order check (default: :func:`bisphos.check_order`).
        sock: A bound socket to serve on instead of ``config.host``/``config.port``.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(config, engine=engine, checker=checker)
    # What start-up built (the engine, the unit registry, the tables) lives as long as the
    # process: frozen, it is never scanned again by a full collection in the middle of a request.
    gc.collect()
    gc.freeze()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=config.host,
            port=config.port,
            workers=1,
            access_log=config.access_log,
            log_level="info",
            # The app bounds each request's body and time; uvicorn bounds idle connections.
            timeout_keep_alive=5,
            timeout_graceful_shutdown=5,
            server_header=False,
        )
    )
    # uvicorn shuts down on SIGINT/SIGTERM and then raises the signal again for the handler that
    # was there before it: a handler that does nothing lets the command end with its exit code.
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, _stopped)
    server.run(sockets=None if sock is None else [sock])


def _stopped(number: int, frame: object) -> None:
    """The signal stopped the server; nothing more to do."""
