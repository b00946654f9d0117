"""The EHR's bearer token, verified as CDS Hooks requires (JWT signed by a trusted EHR).

Every request carries ``Authorization: Bearer <JWT>``. The token is accepted only when:

- its header names an accepted asymmetric algorithm (never ``none``, never a shared secret) and the
  ``kid`` of a key in the JWK Set configured for its issuer (keys are read from a file at start-up;
  nothing is fetched, a ``jku`` header is ignored);
- its signature verifies with that key;
- ``iss`` is a configured issuer, ``aud`` is the service's base URL or the URL of the endpoint
  called, ``exp`` has not passed and lies at most the configured lifetime ahead, ``iat`` is not in
  the future (both with the configured leeway), and ``jti`` was not seen before: each ``jti`` is
  kept until its token expires, so a token cannot be replayed.

Anything else is an :class:`~bisphos.service.errors.AuthenticationError`, whose reason stays in
the service: the client gets 401 and ``{"error": "unauthorized"}``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import jwt

from bisphos.service.config import ServiceConfig
from bisphos.service.errors import AuthenticationError

__all__ = ["Client", "ReplayGuard", "TokenVerifier"]

#: Claims every token must carry.
REQUIRED_CLAIMS: Final = ("iss", "aud", "exp", "iat", "jti")
#: More distinct unexpired tokens than this at once are refused (the guard's memory is bounded).
MAX_REMEMBERED: Final = 1_000_000


@attrs.frozen
class Client:
    """The EHR a verified token comes from.

    Attributes:
        iss: The issuer.
        sub: The client id (``sub``), if the token names one.
        jti: The token's id.
        tenant: The healthcare organisation (``tenant``), if named.
    """

    iss: str
    sub: str | None
    jti: str
    tenant: str | None = None


class ReplayGuard:
    """The ``jti`` of every accepted token, kept until the token expires.

    Args:
        clock: Seconds since the epoch (default :func:`time.time`).
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_purge = 0.0

    def admit(self, key: str, expires: float) -> bool:
        """Remember ``key`` until ``expires``; ``False`` if it is already remembered."""
        now = self._clock()
        with self._lock:
            if now >= self._next_purge or len(self._expiry) >= MAX_REMEMBERED:
                self._expiry = {k: e for k, e in self._expiry.items() if e > now}
                self._next_purge = now + 10.0
            if len(self._expiry) >= MAX_REMEMBERED:
                return False
            seen = self._expiry.get(key)
            if seen is not None and seen > now:
                return False
            self._expiry[key] = expires
            return True

    def __len__(self) -> int:
        return len(self._expiry)


def _keys(jwks: Mapping[str, Any], iss: str) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for index, data in enumerate(jwks.get("keys", [])):
        try:
            key = jwt.PyJWK(dict(data))
        except jwt.PyJWTError as error:
            from bisphos.errors import InvalidValueError  # noqa: PLC0415 - config errors only

            raise InvalidValueError(
                f"not a usable public key: {error}", field=f"issuer {iss}: keys[{index}]"
            ) from None
        keys[str(data.get("kid", ""))] = key
    return keys


class TokenVerifier:
    """Verifies the bearer tokens of the configured issuers.

    Args:
        config: The service configuration (issuers, algorithms, lifetime, leeway).
        clock: Seconds since the epoch (default :func:`time.time`).
    """

    def __init__(self, config: ServiceConfig, clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._clock = clock
        self._keys = {issuer.iss: _keys(issuer.jwks, issuer.iss) for issuer in config.issuers}
        # Each kid's keys, with their issuers: a token whose kid only one issuer has is parsed
        # once, verified with that key, and must name that issuer.
        self._by_kid: dict[str, list[tuple[str, jwt.PyJWK]]] = {}
        for iss, keys in self._keys.items():
            for kid, key in keys.items():
                self._by_kid.setdefault(kid, []).append((iss, key))
        self._algorithms = list(config.algorithms)
        self.replays = ReplayGuard(clock)

    def _key(self, token: str, kid: str) -> tuple[str, jwt.PyJWK]:
        """The issuer and key a token is verified with: by its kid, and its iss if kids clash."""
        candidates = self._by_kid.get(kid, [])
        if len(candidates) == 1:
            return candidates[0]
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthenticationError("not a JWT") from None
        iss = str(unverified.get("iss"))
        keys = self._keys.get(iss)
        if keys is None:
            raise AuthenticationError("issuer not trusted")
        key = keys.get(kid)
        if key is None:
            raise AuthenticationError("no key with this kid")
        return iss, key

    def verify(self, authorization: str | None, audiences: tuple[str, ...]) -> Client:
        """Return the client of a valid ``Authorization`` header value.

        Args:
            authorization: The header's value, ``"Bearer <JWT>"``.
            audiences: The ``aud`` values accepted for the endpoint called.

        Raises:
            AuthenticationError: no valid token; the message says why (for the service's log).
        """
        if not authorization or not authorization.startswith("Bearer "):
            raise AuthenticationError("no bearer token")
        token = authorization[len("Bearer ") :].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationError("not a JWT") from None
        algorithm = header.get("alg")
        if algorithm not in self._algorithms:
            raise AuthenticationError("signing algorithm not accepted")
        iss, key = self._key(token, str(header.get("kid", "")))
        config = self._config
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=list(audiences),
                issuer=iss,
                leeway=config.leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS), "verify_iat": True},
            )
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"token refused: {type(error).__name__}") from None
        now = self._clock()
        exp, iat, jti = claims["exp"], claims["iat"], claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise AuthenticationError("jti is not a string")
        if iat > now + config.leeway_seconds:
            raise AuthenticationError("issued in the future")
        if exp - now > config.token_max_lifetime_seconds + config.leeway_seconds:
            raise AuthenticationError("lifetime too long")
        if not self.replays.admit(f"{claims['iss']}\x00{jti}", exp + config.leeway_seconds):
            raise AuthenticationError("jti replayed")
        sub, tenant = claims.get("sub"), claims.get("tenant")
        return Client(
            iss=claims["iss"],
            sub=sub if isinstance(sub, str) else None,
            jti=jti,
            tenant=tenant if isinstance(tenant, str) else None,
        )
