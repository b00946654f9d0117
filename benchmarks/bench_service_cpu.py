"""The CPU one order-sign request costs the service, in one process, without sockets.

Run: ``python benchmarks/bench_service_cpu.py [REQUESTS]`` (default 300). Needs the ``bench``
extra.

It builds the service's ASGI app (``bisphos.service.create_app``, the default engine, FHIR reader
and order check) and calls it as an ASGI server would, with the request of
``bench_service.py`` (the example girl's prefetch, her protocol dose, a fresh ES384 token each
time): the token check, the body, the FHIR reader, the order check with its plan, the cards, the
decision record, the SQLite write and the JSON answer, all on one thread (the decision runs in
the calling thread and the decision is stored before the answer), so that the process's CPU time
per request is the whole cost of one. The load average is printed beside it.

CPU time changes with what else runs on the machine; instruction counts do not. To count them,
run the script under callgrind, counting only the measured requests, which run inside
``functools.reduce``::

    valgrind --tool=callgrind --collect-atstart=no '--toggle-collect=*functools_reduce*' \\
        python benchmarks/bench_service_cpu.py 40

and divide the ``Collected`` figure it prints by the number of requests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from bisphos.service import create_app
from bisphos.service.config import Issuer, ServiceConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_service import ISSUER, KID, SIGN, sign_body

URL = "http://127.0.0.1:9"


async def _inline(function: Callable[..., Any], *args: Any, **_: Any) -> Any:
    """The decision in the calling thread: every instruction of a request on one thread."""
    return function(*args)


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": KID, "alg": "ES384"})
    folder = Path(tempfile.mkdtemp(prefix="bisphos-cpu-"))
    config = ServiceConfig(
        base_url=URL,
        issuers=(Issuer(ISSUER, {"keys": [public]}),),
        database=folder / "cpu.sqlite3",
        assessment_date=dt.date(2026, 11, 23),
        access_log=False,
        request_timeout_seconds=600.0,  # under callgrind a request takes a while
    )
    app = create_app(config)
    state = app.state.service
    if hasattr(state, "writer"):  # stored before the answer, on this thread
        state.writer.save_decision = lambda decision: state.store.save_decisions([decision])
    body = sign_body()

    def token() -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": "bench", "aud": URL + SIGN, "iat": now, "exp": now + 280}
        claims["jti"] = str(uuid.uuid4())
        return jwt.encode(claims, key, algorithm="ES384", headers={"kid": KID})

    async def call(bearer: str) -> int:
        headers = [
            (b"host", b"127.0.0.1:9"),
            (b"authorization", f"Bearer {bearer}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": SIGN,
            "raw_path": SIGN.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 9),
            "state": {},
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status: list[int] = []

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.sleep(60)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        return status[0]

    loop = asyncio.new_event_loop()
    tokens = [token() for _ in range(requests + 20)]
    for bearer in tokens[:20]:  # warm-up
        if loop.run_until_complete(call(bearer)) != 200:
            raise SystemExit("warm-up failed")
    began = time.process_time()
    answered = functools.reduce(
        lambda done, bearer: done + (loop.run_until_complete(call(bearer)) == 200),
        tokens[20:],
        0,
    )
    seconds = time.process_time() - began
    loop.close()
    print(
        json.dumps(
            {
                "requests": requests,
                "answered_200": answered,
                "cpu_ms_per_request": round(seconds * 1000 / requests, 3),
                "load_average": os.getloadavg(),
            }
        )
    )


if __name__ == "__main__":
    main()
