"""``bisphos serve`` as a user runs it: a subprocess on 127.0.0.1, stopped at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bisphos.cli import main
from tests.service._server import Keys, write_config

ROOT = Path(__file__).parent.parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_bisphos_serve_answers_discovery_and_stops_on_sigterm(tmp_path: Path, keys: Keys) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    write_config(tmp_path, keys, url, port=port, host="127.0.0.1")
    server = subprocess.Popen(
        [sys.executable, "-m", "bisphos", "serve", "--config", str(tmp_path / "service.toml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(
                    url + "/cds-services",
                    headers={"Authorization": f"Bearer {keys.token(url + '/cds-services')}"},
                    timeout=5,
                )
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status_code == 200
        assert len(response.json()["services"]) == 3
        assert httpx.get(url + "/cds-services", timeout=5).status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0
    log = err.decode("utf-8")
    assert "Traceback" not in log
    assert "discovery: 401 (no bearer token)" in log
    assert (tmp_path / "cds.sqlite3").exists()


def test_a_bad_configuration_is_an_input_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "service.toml"
    config.write_text('[service]\nbase_url = "ftp://x"\n', encoding="utf-8")
    assert main(["serve", "--config", str(config)]) == 2
    assert "service.base_url: not a URL" in capsys.readouterr().err
    assert main(["serve", "--config", str(tmp_path / "none.toml")]) == 2
    assert "cannot read the configuration" in capsys.readouterr().err
    config.write_text('[service]\nbase_url = "http://x"\n', encoding="utf-8")
    assert main(["serve", "--config", str(config)]) == 2
    assert "service.issuers: no issuer is trusted" in capsys.readouterr().err


def test_the_example_configuration_loads_with_its_test_only_key_pair() -> None:
    """The shipped example: its JWK Set verifies what its private key signs."""
    import jwt

    from bisphos.service import load_config

    folder = ROOT / "examples" / "service"
    config = load_config(folder / "service.toml")
    assert config.base_url == "http://127.0.0.1:8321"
    assert config.cors_origins == ()
    private = (folder / "TEST-ONLY-ehr-private-key.pem").read_text(encoding="utf-8")
    token = jwt.encode({"a": 1}, private, algorithm="ES384", headers={"kid": "test-only-ehr-key-1"})
    key = jwt.PyJWK(config.issuers[0].jwks["keys"][0])
    assert jwt.decode(token, key, algorithms=["ES384"]) == {"a": 1}
