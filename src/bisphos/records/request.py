"""The plan request in a record: written by :func:`bisphos.provenance.normalise`, read back here.

Every field is written, defaults included, so that a record states the whole request and does not
change meaning when a default does. Quantities are exact text (``"0.0125 mg/kg"``) and are read
back through the options' own converters, which check them as when the request was first made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from bisphos.errors import BisphosError, InvalidValueError
from bisphos.model import Drug
from bisphos.pediatric.dosing import DosingOptions
from bisphos.pediatric.infusion import PreparationOptions
from bisphos.pediatric.overrides import Override
from bisphos.pediatric.plan import PlanRequest
from bisphos.pediatric.schedule import Horizon
from bisphos.provenance import normalise
from bisphos.validation import parse_iso_date, parse_iso_datetime, picture

__all__ = ["request_from_dict", "request_to_dict"]


def request_to_dict(request: PlanRequest) -> dict[str, object]:
    """Return ``request`` as JSON-compatible data, every field in declaration order."""
    data = normalise(request)
    if not isinstance(data, dict):  # an attrs value always normalises to an object
        raise InvalidValueError("a request did not normalise to an object", field="request")
    return data


def _keys(cls: type[Any]) -> tuple[str, ...]:
    return tuple(attribute.name for attribute in attrs.fields(cls))


def _mapping(value: object, field: str, cls: type[Any]) -> dict[str, Any]:
    keys = _keys(cls)
    if not isinstance(value, Mapping):
        raise InvalidValueError(
            "must be an object",
            field=field,
            value=repr(value)[:80],
            expected=f"an object with keys {', '.join(keys)}",
        )
    unknown = sorted(str(key) for key in value if key not in keys)
    if unknown:
        raise InvalidValueError(
            "unknown keys",
            field=field,
            value=", ".join(unknown),
            expected=f"keys among {', '.join(keys)}",
        )
    return dict(value)


def _date(value: object, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_iso_date(value, field=field)
    except InvalidValueError as error:
        raise InvalidValueError(
            error.message, field=field, value=error.value, expected="YYYY-MM-DD or null"
        ) from None


def _whole(value: object, field: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value.bit_length() > 32:
        raise InvalidValueError(
            "not a whole number",
            field=field,
            value=picture(value),
            expected="a whole number (at most 32 bits)",
        )
    return value


def _drug(value: object, field: str) -> Drug | None:
    if value is None:
        return None
    for drug in Drug:
        if value == drug.value:
            return drug
    raise InvalidValueError(
        "not a drug of the pediatric protocol",
        field=field,
        value=repr(value)[:80],
        expected=" or ".join(drug.value for drug in Drug) + " or null",
    )


def _datetime(value: object, field: str) -> dt.datetime:
    try:
        return parse_iso_datetime(value, field=field)
    except InvalidValueError as error:
        raise InvalidValueError(
            error.message,
            field=field,
            value=error.value,
            expected="YYYY-MM-DDTHH:MM, optionally with seconds and a UTC offset",
        ) from None


def _overrides(value: object, field: str) -> tuple[Override, ...]:
    if not isinstance(value, list):
        raise InvalidValueError(
            "must be a list", field=field, value=repr(value)[:80], expected="a list of overrides"
        )
    overrides = []
    for index, item in enumerate(value):
        path = f"{field}[{index}]"
        data = _mapping(item, path, Override)
        if "at" in data:
            data["at"] = _datetime(data["at"], f"{path}.at")
        try:
            overrides.append(Override(**data))
        except BisphosError as error:
            raise error.at(path) from None
        except TypeError:
            raise InvalidValueError(
                "an override needs limit, reason, clinician and at",
                field=path,
                value=", ".join(sorted(data)),
                expected="keys limit, reason, clinician, at and optionally note",
            ) from None
    return tuple(overrides)


def request_from_dict(data: object, *, field: str = "request") -> PlanRequest:
    """Read a request written by :func:`request_to_dict`; an absent key takes its default.

    Raises:
        InvalidValueError: a key is unknown or a value of the wrong type.
        BisphosError: an option is outside what the guideline allows (the options' own checks).
    """
    mapping = _mapping(data, field, PlanRequest)
    horizon = _mapping(mapping.get("horizon", {}), f"{field}.horizon", Horizon)
    dosing = _mapping(mapping.get("dosing", {}), f"{field}.dosing", DosingOptions)
    if "hungry_bones_infusions" in dosing:
        dosing["hungry_bones_infusions"] = _whole(
            dosing["hungry_bones_infusions"], f"{field}.dosing.hungry_bones_infusions"
        )
    preparation = _mapping(
        mapping.get("preparation", {}), f"{field}.preparation", PreparationOptions
    )
    maintenance = mapping.get("maintenance", False)
    if not isinstance(maintenance, bool):
        raise InvalidValueError(
            "not true or false",
            field=f"{field}.maintenance",
            value=repr(maintenance)[:80],
            expected="true or false",
        )
    return PlanRequest(
        drug=_drug(mapping.get("drug"), f"{field}.drug"),
        start=_date(mapping.get("start"), f"{field}.start"),
        horizon=Horizon(
            infusions=_whole(
                horizon.get("infusions", 6), f"{field}.horizon.infusions", optional=True
            ),
            until=_date(horizon.get("until"), f"{field}.horizon.until"),
        ),
        maintenance=maintenance,
        dosing=DosingOptions(**dosing),
        preparation=PreparationOptions(**preparation),
        overrides=_overrides(mapping.get("overrides", []), f"{field}.overrides"),
    )
