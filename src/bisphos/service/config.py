"""The service's configuration: a TOML file, read once at start-up.

Example (``examples/service/service.toml``)::

    [service]
    base_url = "http://127.0.0.1:8321"   # the URL the EHR calls: the tokens' audience
    host = "127.0.0.1"
    port = 8321
    database = "feedback.sqlite3"        # relative to this file
    max_body_bytes = 1_000_000
    request_timeout_seconds = 2.0
    max_in_flight = 16
    max_pending_writes = 1024            # decisions waiting to be stored; more get 503
    cors_origins = []                    # CORS is off unless origins are listed

    [[service.issuers]]                  # every EHR trusted, with its public keys
    iss = "https://ehr.example.org"
    jwks = "test-only-jwks.json"         # a JWK Set file; never fetched from the network

Paths are relative to the configuration file. Every problem is an
:class:`~bisphos.errors.InvalidValueError` naming the key.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from bisphos.errors import InvalidValueError, MissingValueError

__all__ = ["DEFAULT_ALGORITHMS", "Issuer", "ServiceConfig", "load_config"]

#: The signing algorithms CDS Hooks requires a service to accept (ES384, RS384).
DEFAULT_ALGORITHMS: Final = ("ES384", "RS384")
#: Algorithms a configuration may add: asymmetric only (a shared secret is no EHR identity).
_ALLOWED_ALGORITHMS: Final = frozenset({"ES256", "ES384", "ES512", "RS256", "RS384", "RS512"})


@attrs.frozen
class Issuer:
    """An EHR the service trusts.

    Attributes:
        iss: The ``iss`` its tokens carry.
        jwks: Its public keys, a JSON Web Key Set.
    """

    iss: str
    jwks: Mapping[str, Any] = attrs.field(eq=False, repr=False)


@attrs.frozen
class ServiceConfig:
    """How the service runs.

    Attributes:
        base_url: The service's base URL as the EHR calls it (no trailing slash); a token's
            ``aud`` must be this URL or the URL of the endpoint called.
        issuers: The EHRs trusted, with their keys.
        database: The SQLite file of cards, decision records and feedback.
        host: The interface ``bisphos serve`` listens on.
        port: Its port.
        algorithms: The JWT signing algorithms accepted.
        max_body_bytes: Larger request bodies get 413.
        request_timeout_seconds: A request not answered in this time gets 503.
        max_in_flight: Requests handled at once; more get 503 at once (load shedding).
        max_pending_writes: Decisions and feedback requests waiting to be stored at most
            (:mod:`bisphos.service.writer`); a hook call or feedback past it gets 503.
        token_max_lifetime_seconds: A token whose ``exp`` lies further ahead is refused.
        leeway_seconds: Clock skew allowed for ``exp`` and ``iat``.
        cors_origins: Origins allowed by CORS; empty (the default): CORS off.
        assessment_date: A fixed date to plan on, for demonstrations and tests; ``None`` (the
            default): today in UTC.
        access_log: Whether uvicorn logs each request line (method, path, status: no patient
            data is in a path of this service).
    """

    base_url: str
    issuers: tuple[Issuer, ...]
    database: Path
    host: str = "127.0.0.1"
    port: int = 8321
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    max_body_bytes: int = 1_000_000
    request_timeout_seconds: float = 2.0
    max_in_flight: int = 16
    max_pending_writes: int = 1024
    token_max_lifetime_seconds: int = 300
    leeway_seconds: int = 30
    cors_origins: tuple[str, ...] = ()
    assessment_date: dt.date | None = None
    access_log: bool = True


def _read_jwks(path: Path, field: str) -> dict[str, Any]:
    try:
        data: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InvalidValueError(
            f"cannot read the JWK Set: {error}", field=field, value=str(path)
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list) or not data["keys"]:
        raise InvalidValueError(
            "not a JWK Set", field=field, value=str(path), expected='{"keys": [...]} with a key'
        )
    return data


def _get(
    table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any = None
) -> Any:
    value = table.get(key, default)
    if value is default:
        return value
    if isinstance(value, bool) and kind is not bool:
        value = str(value)
    if not isinstance(value, kind):
        raise InvalidValueError(
            "wrong type", field=f"service.{key}", value=value, expected=_kind_name(kind)
        )
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _positive(value: float, key: str) -> None:
    if value <= 0:
        raise InvalidValueError(
            "must be positive", field=f"service.{key}", value=value, expected="a number above 0"
        )


def load_config(path: str | Path, **overrides: Any) -> ServiceConfig:
    """Read the service configuration from a TOML file; ``overrides`` replace its values.

    Raises:
        InvalidValueError: the file cannot be read, or a key has a wrong value.
        MissingValueError: a required key is absent.
    """
    source = Path(path)
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InvalidValueError(
            f"cannot read the configuration: {error}", field="config", value=str(source)
        ) from None
    table = document.get("service")
    if not isinstance(table, dict):
        raise MissingValueError("no [service] table", field="service")
    folder = source.parent
    base_url = _get(table, "base_url", str, None)
    if base_url is None:
        raise MissingValueError("required", field="service.base_url", expected="a URL")
    if not base_url.startswith(("http://", "https://")):
        raise InvalidValueError(
            "not a URL", field="service.base_url", value=base_url, expected="http(s)://..."
        )
    issuers = []
    entries = table.get("issuers", [])
    if not isinstance(entries, list) or not entries:
        raise MissingValueError(
            "no issuer is trusted", field="service.issuers", expected="[[service.issuers]] tables"
        )
    for index, entry in enumerate(entries):
        field = f"service.issuers[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("iss"), str):
            raise InvalidValueError("needs iss", field=f"{field}.iss", expected="a string")
        if not isinstance(entry.get("jwks"), str):
            raise InvalidValueError("needs jwks", field=f"{field}.jwks", expected="a file path")
        jwks = _read_jwks(folder / entry["jwks"], f"{field}.jwks")
        issuers.append(Issuer(entry["iss"], jwks))
    algorithms = tuple(_get(table, "algorithms", list, list(DEFAULT_ALGORITHMS)))
    for algorithm in algorithms:
        if algorithm not in _ALLOWED_ALGORITHMS:
            raise InvalidValueError(
                "not an accepted signing algorithm",
                field="service.algorithms",
                value=algorithm,
                expected=", ".join(sorted(_ALLOWED_ALGORITHMS)),
            )
    date_text = _get(table, "assessment_date", (str, dt.date), None)
    assessment_date = None
    if isinstance(date_text, dt.date):
        assessment_date = date_text
    elif date_text is not None:
        try:
            assessment_date = dt.date.fromisoformat(date_text)
        except ValueError:
            raise InvalidValueError(
                "not a date", field="service.assessment_date", value=date_text
            ) from None
    values: dict[str, Any] = {
        "base_url": base_url.rstrip("/"),
        "issuers": tuple(issuers),
        "database": folder / _get(table, "database", str, "bisphos-cds.sqlite3"),
        "host": _get(table, "host", str, "127.0.0.1"),
        "port": _get(table, "port", int, 8321),
        "algorithms": algorithms,
        "max_body_bytes": _get(table, "max_body_bytes", int, 1_000_000),
        "request_timeout_seconds": float(_get(table, "request_timeout_seconds", (int, float), 2.0)),
        "max_in_flight": _get(table, "max_in_flight", int, 16),
        "max_pending_writes": _get(table, "max_pending_writes", int, 1024),
        "token_max_lifetime_seconds": _get(table, "token_max_lifetime_seconds", int, 300),
        "leeway_seconds": _get(table, "leeway_seconds", int, 30),
        "cors_origins": tuple(_get(table, "cors_origins", list, [])),
        "assessment_date": assessment_date,
        "access_log": _get(table, "access_log", bool, default=True),
    }
    values.update(overrides)
    for key in ("max_body_bytes", "request_timeout_seconds", "max_in_flight", "max_pending_writes"):
        _positive(values[key], key)
    return ServiceConfig(**values)
