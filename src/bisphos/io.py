"""Reading and writing patients: JSON, TOML or a plain dict.

:func:`load_patient` reads a file; :func:`patient_from_dict` reads the parsed content. Every
problem in the input is collected with its path (``labs.creatinine.value``,
``fractures[2].date``) and raised together as one :class:`~bisphos.errors.PatientInputError`, so a
file can be corrected in one pass. Whatever JSON value is given, the result is a
:class:`~bisphos.model.Patient` or a :class:`~bisphos.errors.BisphosError`.

:func:`patient_to_dict` writes a patient back; loading what it writes gives an equal patient.
The file format is described by :func:`bisphos.schema.patient_schema`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from bisphos import model
from bisphos.errors import (
    BisphosError,
    InputError,
    InvalidValueError,
    MissingValueError,
    PatientInputError,
)
from bisphos.model import PLAUSIBLE_RANGES, Patient
from bisphos.schema import OBJECT_KEYS
from bisphos.units import Quantity, format_quantity, is_quantity

__all__ = ["load_patient", "patient_from_dict", "patient_from_text", "patient_to_dict"]

_E = TypeVar("_E", bound=enum.StrEnum)
_T = TypeVar("_T")


class _Reader:
    """Walks one input, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[InputError] = []

    def fail(self, path: str, error: InputError) -> None:
        self.problems.append(error.at(path) if not error.field else _with_field(error, path))

    def problem(self, path: str, message: str, value: object, expected: str) -> None:
        self.problems.append(
            InvalidValueError(message, field=path, value=_show(value), expected=expected)
        )

    def mapping(self, value: object, path: str, keys: str) -> Mapping[str, object] | None:
        if not isinstance(value, Mapping):
            self.problem(path, "must be an object", value, f"an object with keys {keys!r}")
            return None
        known = OBJECT_KEYS[keys]
        for key in value:
            if key not in known:
                self.problem(
                    _join(path, str(key)), "unknown key", key, f"one of {', '.join(known)}"
                )
        return value

    def required(self, data: Mapping[str, object], key: str, path: str) -> object:
        if key not in data or data[key] is None:
            self.problems.append(
                MissingValueError("is required", field=_join(path, key), expected="a value")
            )
        return data.get(key)

    def date(self, value: object, path: str) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date()
            except ValueError:
                pass
        self.problem(path, "not a date", value, "an ISO date such as 2024-05-31")
        return None

    def enum(self, cls: type[_E], value: object, path: str) -> _E | None:
        if value is None:
            return None  # a missing required value is reported by required()
        try:
            return cls(value) if isinstance(value, str) else _bad_enum()
        except ValueError:
            choices = ", ".join(member.value for member in cls)
            self.problem(path, "not an accepted value", value, f"one of {choices}")
            return None

    def boolean(self, value: object, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem(path, "not a boolean", value, "true or false")
        return None

    def text(self, value: object, path: str) -> str | None:
        if isinstance(value, str):
            return value
        self.problem(path, "not text", value, "a string")
        return None

    def quantity(self, value: object, path: str, range_name: str) -> Quantity | None:
        if not isinstance(value, str) and not is_quantity(value):
            self.problem(path, "not a quantity", value, "text with a unit, such as '20 kg'")
            return None
        try:
            return PLAUSIBLE_RANGES[range_name].check(value, field=path)  # type: ignore[arg-type]
        except InputError as error:
            self.fail(path, error)
            return None

    def items(self, value: object, path: str) -> list[tuple[str, object]]:
        if not isinstance(value, (list, tuple)):
            self.problem(path, "must be a list", value, "a list")
            return []
        return [(f"{path}[{index}]", item) for index, item in enumerate(value)]

    def build(self, path: str, factory: Callable[..., _T], **kwargs: object) -> _T | None:
        """Construct a model value; cross-field problems are reported under ``path``."""
        try:
            return factory(**kwargs)
        except InputError as error:
            self.fail(path, error)
        except (TypeError, ValueError) as error:  # defensive: model rejects a combination
            self.problem(path, str(error), None, "a consistent object")
        return None


def _bad_date() -> dt.date:
    raise ValueError


def _bad_enum() -> Any:
    raise ValueError


def _with_field(error: InputError, path: str) -> InputError:
    # Quantity checks already name the full path; model errors name a field under ``path``.
    if error.field == path or error.field.startswith((f"{path}.", f"{path}[")):
        return error
    return error.at(path) if path else error


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(value: object) -> object:
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."


def _optional(
    reader: _Reader,
    data: Mapping[str, object],
    key: str,
    path: str,
    read: Callable[[object, str], _T | None],
) -> _T | None:
    value = data.get(key)
    return None if value is None else read(value, _join(path, key))


def _fracture(reader: _Reader, value: object, path: str) -> model.Fracture | None:
    data = reader.mapping(value, path, "fracture")
    if data is None:
        return None
    site = reader.enum(model.FractureSite, reader.required(data, "site", path), f"{path}.site")
    trauma = reader.enum(model.Trauma, reader.required(data, "trauma", path), f"{path}.trauma")
    date = _optional(reader, data, "date", path, reader.date)
    age = _optional(
        reader,
        data,
        "age_at_fracture",
        path,
        lambda v, p: reader.quantity(v, p, "age_at_fracture"),
    )
    if site is None or trauma is None or (date is None and "date" in data):
        return None
    return reader.build(
        path, model.Fracture, site=site, trauma=trauma, date=date, age_at_fracture=age
    )


def _bmd(reader: _Reader, value: object, path: str) -> model.BmdMeasurement | None:
    data = reader.mapping(value, path, "bmd")
    if data is None:
        return None
    site = reader.enum(model.BmdSite, reader.required(data, "site", path), f"{path}.site")
    z_score = reader.required(data, "z_score", path)
    ok = isinstance(z_score, (int, float)) and not isinstance(z_score, bool)
    if z_score is not None and not (ok and math.isfinite(float(z_score))):  # type: ignore[arg-type]
        reader.problem(f"{path}.z_score", "not a finite number", z_score, "a number like -2.3")
        ok = False
    corrected = _optional(reader, data, "size_corrected", path, reader.boolean)
    date = _optional(reader, data, "date", path, reader.date)
    if site is None or not ok:
        return None
    return reader.build(
        path,
        model.BmdMeasurement,
        site=site,
        z_score=float(z_score),  # type: ignore[arg-type]
        size_corrected=bool(corrected),
        date=date,
    )


def _lab(reader: _Reader, name: str, value: object, path: str) -> model.LabResult | None:
    if isinstance(value, str) or is_quantity(value):
        quantity = reader.quantity(value, path, name)
        return None if quantity is None else model.LabResult(value=quantity)
    data = reader.mapping(value, path, "lab")
    if data is None:
        return None
    raw = reader.required(data, "value", path)
    quantity = None if raw is None else reader.quantity(raw, f"{path}.value", name)
    date = _optional(reader, data, "date", path, reader.date)
    limit = _optional(reader, data, "upper_limit", path, lambda v, p: reader.quantity(v, p, name))
    if quantity is None:
        return None
    return model.LabResult(value=quantity, date=date, upper_limit=limit)


def _labs(reader: _Reader, value: object, path: str) -> model.Labs | None:
    data = reader.mapping(value, path, "labs")
    if data is None:
        return None
    results = {
        name: _lab(reader, name, data[name], f"{path}.{name}")
        for name in model.LAB_KINDS
        if data.get(name) is not None
    }
    return reader.build(path, model.Labs, **results)


def _vitals(reader: _Reader, value: object, path: str) -> model.VitalSigns | None:
    data = reader.mapping(value, path, "vitals")
    if data is None:
        return None
    values = {
        key: reader.quantity(data[key], f"{path}.{key}", key)
        for key in OBJECT_KEYS["vitals"]
        if data.get(key) is not None
    }
    return reader.build(path, model.VitalSigns, **values)


def _infusion(reader: _Reader, value: object, path: str) -> model.InfusionRecord | None:
    data = reader.mapping(value, path, "infusion")
    if data is None:
        return None
    drug = reader.enum(model.Drug, reader.required(data, "drug", path), f"{path}.drug")
    raw_date = reader.required(data, "date", path)
    date = None if raw_date is None else reader.date(raw_date, f"{path}.date")
    raw_dose = reader.required(data, "dose", path)
    dose = None if raw_dose is None else reader.quantity(raw_dose, f"{path}.dose", "dose")
    grade = model.ComplicationGrade.NONE
    if data.get("complication") is not None:
        grade = (
            reader.enum(model.ComplicationGrade, data["complication"], f"{path}.complication")
            or grade
        )
    if drug is None or date is None or dose is None:
        return None
    return reader.build(
        path, model.InfusionRecord, drug=drug, date=date, dose=dose, complication=grade
    )


def _risks(reader: _Reader, value: object, path: str) -> model.RiskFlags | None:
    data = reader.mapping(value, path, "risks")
    if data is None:
        return None
    flags = {
        key: reader.boolean(data[key], f"{path}.{key}")
        for key in OBJECT_KEYS["risks"]
        if data.get(key) is not None
    }
    return reader.build(path, model.RiskFlags, **flags)


def _genes(reader: _Reader, value: object, path: str) -> tuple[str, ...]:
    genes = []
    for item_path, item in reader.items(value, path):
        gene = reader.text(item, item_path)
        if gene is not None:
            genes.append(gene)
    return tuple(genes)


def patient_from_dict(data: object, *, source: str = "") -> Patient:
    """Build a patient from parsed JSON or TOML content (or an equivalent Python dict).

    Quantities are strings with their unit (or quantities of :data:`bisphos.units.ureg`); dates
    are ISO strings (or :class:`datetime.date`); enumerations are their lower-case names.

    Args:
        data: The parsed content.
        source: Where it came from (a file name), named in the error.

    Raises:
        PatientInputError: listing every problem found, each with its path.
    """
    reader = _Reader()
    top = reader.mapping(data, "", "patient")
    if top is None:
        raise PatientInputError(reader.problems, source=source)
    version = top.get("schema_version", 1)
    if version != 1 or isinstance(version, bool):
        reader.problem("schema_version", "unsupported schema version", version, "1")
    fields: dict[str, Any] = {}
    for key in ("birth_date", "assessment_date"):
        raw = reader.required(top, key, "")
        fields[key] = None if raw is None else reader.date(raw, key)
    fields["sex"] = reader.enum(model.Sex, reader.required(top, "sex", ""), "sex")
    raw_weight = reader.required(top, "weight", "")
    fields["weight"] = (
        None if raw_weight is None else reader.quantity(raw_weight, "weight", "weight")
    )
    fields["diagnosis"] = reader.enum(
        model.Diagnosis, reader.required(top, "diagnosis", ""), "diagnosis"
    )
    required = tuple(fields)
    readers: dict[str, Callable[[object, str], object]] = {
        "height": lambda v, p: reader.quantity(v, p, "height"),
        "patient_id": reader.text,
        "oi_severity": lambda v, p: reader.enum(model.OISeverity, v, p),
        "gene_variants": lambda v, p: _genes(reader, v, p),
        "fractures": lambda v, p: _each(reader, v, p, _fracture),
        "bmd": lambda v, p: _each(reader, v, p, _bmd),
        "labs": lambda v, p: _labs(reader, v, p),
        "vitals": lambda v, p: _vitals(reader, v, p),
        "baseline_vitals": lambda v, p: _vitals(reader, v, p),
        "infusions": lambda v, p: _each(reader, v, p, _infusion),
        "risks": lambda v, p: _risks(reader, v, p),
        "still_growing": reader.boolean,
    }
    for key, read in readers.items():
        if top.get(key) is not None:
            fields[key] = read(top[key], key)
    if reader.problems or any(fields[key] is None for key in required):
        raise PatientInputError(reader.problems, source=source)
    patient = reader.build("", Patient, **{k: v for k, v in fields.items() if v is not None})
    if patient is None:
        raise PatientInputError(reader.problems, source=source)
    return patient


def _each(
    reader: _Reader,
    value: object,
    path: str,
    read: Callable[[_Reader, object, str], _T | None],
) -> tuple[_T, ...]:
    items = [read(reader, item, item_path) for item_path, item in reader.items(value, path)]
    return tuple(item for item in items if item is not None)


def _refuse_constant(name: str) -> object:
    raise InvalidValueError(
        "JSON numbers must be finite", value=name, expected="a finite number or a quantity string"
    )


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidValueError(
                "a key appears twice in one object", field=key, value=key, expected="unique keys"
            )
        result[key] = value
    return result


def load_patient(path: str | Path) -> Patient:
    """Read a patient from a ``.json`` or ``.toml`` file.

    Raises:
        PatientInputError: the file cannot be read or parsed, or holds invalid values; every
            problem is listed with its path.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PatientInputError(
            [InvalidValueError(f"cannot read the file: {error}", value=str(file))],
            source=str(file),
        ) from None
    suffix = file.suffix.lower()
    if suffix not in {".json", ".toml"}:
        raise PatientInputError(
            [InvalidValueError("unknown file type", value=file.suffix, expected=".json or .toml")],
            source=str(file),
        )
    return patient_from_text(text, file_format=suffix[1:], source=str(file))


def patient_from_text(text: str, *, file_format: str, source: str = "") -> Patient:
    """Read a patient from JSON or TOML text (``file_format`` is ``"json"`` or ``"toml"``).

    Raises:
        PatientInputError: as :func:`patient_from_dict`, or when the text does not parse.
    """
    try:
        if file_format == "json":
            data: object = json.loads(
                text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates
            )
        elif file_format == "toml":
            data = tomllib.loads(text)
        else:
            raise InvalidValueError("unknown format", value=file_format, expected="json or toml")
    except BisphosError as error:
        problem = error if isinstance(error, InputError) else InvalidValueError(str(error))
        raise PatientInputError([problem], source=source) from None
    except (ValueError, RecursionError) as error:
        raise PatientInputError(
            [InvalidValueError(f"not valid {file_format.upper()}: {error}")], source=source
        ) from None
    return patient_from_dict(data, source=source)


def _quantity_out(value: Quantity) -> str:
    return format_quantity(value)


def _lab_out(result: model.LabResult) -> str | dict[str, str]:
    if result.date is None and result.upper_limit is None:
        return _quantity_out(result.value)
    out = {"value": _quantity_out(result.value)}
    if result.date is not None:
        out["date"] = result.date.isoformat()
    if result.upper_limit is not None:
        out["upper_limit"] = _quantity_out(result.upper_limit)
    return out


def _plain(value: object) -> object:
    """Convert one model value into JSON-compatible data (None is dropped by the caller)."""
    if is_quantity(value):
        return _quantity_out(value)  # type: ignore[arg-type]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, model.LabResult):
        return _lab_out(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if hasattr(type(value), "__attrs_attrs__"):
        return _attrs_out(value)
    return value


def _attrs_out(value: object) -> dict[str, object]:
    out: dict[str, object] = {}
    for attribute in type(value).__attrs_attrs__:  # type: ignore[attr-defined]
        item = getattr(value, attribute.name)
        if item is None or item in (attribute.default, ()):
            continue
        plain = _plain(item)
        # An empty object equal to a factory default is left out; one replacing None is kept.
        if plain != {} or attribute.default is None:
            out[attribute.name] = plain
    return out


def patient_to_dict(patient: Patient) -> dict[str, object]:
    """Write ``patient`` as JSON-compatible data in the input format, keys in schema order.

    Values at their defaults are left out; :func:`patient_from_dict` reads the result back into an
    equal patient.
    """
    out = _attrs_out(patient)
    for key in ("birth_date", "assessment_date", "sex", "weight", "diagnosis"):
        out.setdefault(key, _plain(getattr(patient, key)))
    order = OBJECT_KEYS["patient"]
    return {"schema_version": 1} | {key: out[key] for key in order if key in out}
