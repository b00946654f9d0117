"""The real service for tests: uvicorn on 127.0.0.1, an ephemeral port, in a thread.

Keys are made per test session (EC P-384, as CDS Hooks requires ES384 to be accepted); tokens are
signed with them as an EHR would sign them. Every server started is stopped at the end of its
``with`` block.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import httpx
import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec

from bisphos.engine import Engine
from bisphos.service import ServiceConfig, create_app, load_config
from bisphos.service.sources import OrderChecker, PatientReader

ISSUER = "https://ehr.test.invalid"
KID = "ehr-key-1"


@attrs.frozen
class Keys:
    """The EHR's signing key and its JWK Set, and a key the service does not know."""

    private: ec.EllipticCurvePrivateKey
    jwks: dict[str, Any]
    stranger: ec.EllipticCurvePrivateKey

    @classmethod
    def make(cls) -> Keys:
        private = ec.generate_private_key(ec.SECP384R1())
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
        public.update({"kid": KID, "alg": "ES384", "use": "sig"})
        return cls(private, {"keys": [public]}, ec.generate_private_key(ec.SECP384R1()))

    def token(
        self,
        aud: str,
        *,
        key: ec.EllipticCurvePrivateKey | None = None,
        algorithm: str = "ES384",
        headers: Mapping[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "sub": "ehr-client",
            "aud": aud,
            "iat": now,
            "exp": now + 120,
            "jti": str(uuid.uuid4()),
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(
            payload,
            key or self.private,
            algorithm=algorithm,
            headers={"kid": KID, **(headers or {})},
        )


def write_config(folder: Path, keys: Keys, base_url: str, **settings: Any) -> ServiceConfig:
    """A configuration file in ``folder`` trusting ``keys``' issuer; ``settings`` added to it."""
    (folder / "jwks.json").write_text(json.dumps(keys.jwks), encoding="utf-8")
    lines = ["[service]", f'base_url = "{base_url}"', 'database = "cds.sqlite3"']
    for key, value in settings.items():
        lines.append(f"{key} = {json.dumps(value)}")
    lines += ["", "[[service.issuers]]", f'iss = "{ISSUER}"', 'jwks = "jwks.json"']
    path = folder / "service.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_config(path)


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@attrs.frozen
class Running:
    """A running server: its URL, an HTTP client, and the keys that sign its tokens."""

    url: str
    http: httpx.Client
    keys: Keys
    app: Any

    def call(
        self, path: str, body: object = None, *, token: str | None = "", **kwargs: Any
    ) -> httpx.Response:
        """POST ``body`` (GET when it is ``None``) to ``path`` with a fresh valid token."""
        headers = dict(kwargs.pop("headers", {}))
        if token == "":
            token = self.keys.token(self.url + path)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if body is None and "content" not in kwargs:
            return self.http.get(path, headers=headers)
        if "content" in kwargs:
            return self.http.post(path, headers=headers, **kwargs)
        return self.http.post(path, json=body, headers=headers)


@contextmanager
def running(
    config_folder: Path,
    keys: Keys,
    *,
    reader: PatientReader | None = None,
    checker: OrderChecker | None = None,
    engine: Engine | None = None,
    **settings: Any,
) -> Iterator[Running]:
    """Start the service on an ephemeral port of 127.0.0.1; stop it when the block ends."""
    sock = bound_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = write_config(config_folder, keys, url, **settings)
    app = create_app(config, reader=reader, checker=checker, engine=engine)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            msg = "the service did not start"
            raise RuntimeError(msg)
        time.sleep(0.01)
    try:
        with httpx.Client(base_url=url, timeout=20) as http:
            yield Running(url, http, keys, app)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
