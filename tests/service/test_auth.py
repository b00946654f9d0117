"""The EHR's bearer token: every bad token is refused with 401 and nothing else.

CDS Hooks 2.0, "Trusting CDS Clients": the JWT is signed by the EHR (ES384 or RS384), carries
``iss``, ``aud`` (the service endpoint), ``exp``, ``iat`` and ``jti``; the service verifies the
signature against the EHR's keys and refuses a ``jti`` it has seen.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from tests.service._server import Keys, Running

DISCOVERY = "/cds-services"


def _unsigned(claims: dict[str, object], alg: str = "none") -> str:
    def part(data: dict[str, object]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': alg, 'typ': 'JWT', 'kid': 'ehr-key-1'})}.{part(claims)}."


def _claims(service: Running, **changes: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": "https://ehr.test.invalid",
        "aud": service.url + DISCOVERY,
        "iat": now,
        "exp": now + 60,
        "jti": f"jti-{time.monotonic_ns()}",
    }
    claims.update(changes)
    return claims


def _refused(service: Running, token: str | None) -> None:
    response = service.call(DISCOVERY, token=token)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized"}
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_valid_token_opens_discovery(service: Running) -> None:
    response = service.call(DISCOVERY)
    assert response.status_code == 200
    assert {s["hook"] for s in response.json()["services"]} == {
        "order-sign",
        "order-select",
        "patient-view",
    }


def test_the_base_url_is_an_accepted_audience(service: Running) -> None:
    token = service.keys.token(service.url)
    assert service.call(DISCOVERY, token=token).status_code == 200


def test_no_token_is_refused(service: Running) -> None:
    _refused(service, None)


def test_a_token_that_is_not_a_jwt_is_refused(service: Running) -> None:
    _refused(service, "not-a-token")


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_refused(service: Running, alg: str) -> None:
    _refused(service, _unsigned(_claims(service), alg))


def test_a_token_with_its_signature_cut_off_is_refused(service: Running) -> None:
    token = service.keys.token(service.url + DISCOVERY)
    _refused(service, token.rsplit(".", 1)[0] + ".")


def test_a_token_signed_with_another_key_is_refused(service: Running) -> None:
    _refused(service, service.keys.token(service.url + DISCOVERY, key=service.keys.stranger))


def test_a_shared_secret_token_is_refused(service: Running) -> None:
    """HS256 with the public key as the secret: the classic algorithm confusion."""
    secret = json.dumps(service.keys.jwks["keys"][0]).encode()
    head, body, _ = _unsigned(_claims(service), "HS256").split(".")
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    _refused(service, f"{head}.{body}.{signature}")


def test_an_expired_token_is_refused(service: Running) -> None:
    now = int(time.time())
    _refused(service, service.keys.token(service.url + DISCOVERY, iat=now - 400, exp=now - 100))


def test_a_token_living_longer_than_allowed_is_refused(service: Running) -> None:
    now = int(time.time())
    _refused(service, service.keys.token(service.url + DISCOVERY, exp=now + 3600))


def test_a_token_issued_in_the_future_is_refused(service: Running) -> None:
    now = int(time.time())
    _refused(service, service.keys.token(service.url + DISCOVERY, iat=now + 200, exp=now + 250))


def test_a_token_for_another_audience_is_refused(service: Running) -> None:
    _refused(service, service.keys.token("https://other-service.invalid/cds-services"))


def test_a_token_for_another_endpoint_of_this_service_is_refused(service: Running) -> None:
    _refused(service, service.keys.token(service.url + "/cds-services/bisphos-order-sign"))


def test_a_token_of_an_untrusted_issuer_is_refused(service: Running) -> None:
    _refused(service, service.keys.token(service.url + DISCOVERY, iss="https://evil.invalid"))


@pytest.mark.parametrize("claim", ["iss", "aud", "exp", "iat", "jti"])
def test_a_token_without_a_required_claim_is_refused(service: Running, claim: str) -> None:
    claims: dict[str, object] = {"aud": service.url + DISCOVERY, claim: None}
    _refused(service, service.keys.token(**claims))  # type: ignore[arg-type]


def test_a_token_with_an_unknown_kid_is_refused(service: Running) -> None:
    _refused(service, service.keys.token(service.url + DISCOVERY, headers={"kid": "other"}))


def test_a_replayed_jti_is_refused(service: Running) -> None:
    token = service.keys.token(service.url + DISCOVERY)
    assert service.call(DISCOVERY, token=token).status_code == 200
    _refused(service, token)
    again = service.keys.token(
        service.url + DISCOVERY, jti=jwt.decode(token, options={"verify_signature": False})["jti"]
    )
    _refused(service, again)


def test_a_jku_header_is_not_followed(service: Running, keys: Keys) -> None:
    """A token signed by a stranger pointing at its own key set is still a stranger's."""
    token = keys.token(
        service.url + DISCOVERY, key=keys.stranger, headers={"jku": "http://127.0.0.1:9/k"}
    )
    _refused(service, token)


def test_refusals_look_alike(service: Running) -> None:
    """No refusal tells a caller more than another: the same status, body and headers."""
    now = int(time.time())
    tokens = [
        None,
        "garbage",
        service.keys.token(service.url + DISCOVERY, iat=now - 400, exp=now - 100),
        service.keys.token("https://other.invalid"),
        service.keys.token(service.url + DISCOVERY, key=service.keys.stranger),
    ]
    bodies = {service.call(DISCOVERY, token=t).content for t in tokens}
    assert bodies == {b'{"error":"unauthorized"}'}
