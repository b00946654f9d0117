"""Reading and writing patients: JSON, TOML or a plain dict.

:func:`load_patient` reads a file; :func:`patient_from_dict` reads the parsed content. Every
problem in the input is collected with its path (``labs.creatinine.value``,
``fractures[2].date``) and raised together as one :class:`~bisphos.errors.PatientInputError`, so a
file can be corrected in one pass. Whatever JSON value is given, the result is a
:class:`~bisphos.model.Patient` or a :class:`~bisphos.errors.BisphosError`.

:func:`patient_to_dict` writes a patient back; loading what it writes gives an equal patient.
The file format is described by :func:`bisphos.schema.patient_schema`.

Before any value is read, the input meets the limits of :mod:`bisphos.validation`: a file is a
regular file of at most :data:`~bisphos.validation.MAX_INPUT_BYTES` bytes (or the
``BISPHOS_MAX_INPUT_BYTES`` environment variable, or ``max_bytes``), nested at most
:data:`PATIENT_LIMITS` deep, every text printable, every integer within 64 bits, and each list of
the patient at most as long as :data:`bisphos.model.MAX_ITEMS` allows. Dates are ISO calendar
dates ``YYYY-MM-DD`` only. ``null`` is "not recorded": for a quantity or an optional value it is
the same as leaving the key out; ``"pregnant": null`` is kept as not recorded (and reported by
P-CI-PREG); for any other true/false value it is refused, since no rule reads "not recorded" as
false.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs

from bisphos import model
from bisphos.errors import (
    BisphosError,
    InputError,
    InputLimitError,
    InvalidValueError,
    MissingValueError,
    PatientInputError,
)
from bisphos.model import MAX_ITEMS, PATIENT_ID_MAX_LENGTH, PLAUSIBLE_RANGES, Patient
from bisphos.schema import OBJECT_KEYS
from bisphos.units import Quantity, format_quantity, is_quantity
from bisphos.validation import (
    StructureLimits,
    check_json_depth,
    check_structure,
    check_text,
    input_byte_limit,
    parse_iso_date,
    picture,
    printable,
    read_bounded,
)

__all__ = [
    "MAX_NUMBER_DIGITS",
    "PATIENT_LIMITS",
    "load_patient",
    "parse_json",
    "patient_from_dict",
    "patient_from_text",
    "patient_to_dict",
    "read_text_file",
]

#: The structure limits of a patient input (nesting, items per list, text length).
PATIENT_LIMITS: Final = StructureLimits(
    max_depth=8, max_items=max(MAX_ITEMS.values()), max_text=256, max_nodes=100_000
)

_E = TypeVar("_E", bound=enum.StrEnum)
_T = TypeVar("_T")
_D = TypeVar("_D")


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
        try:
            return parse_iso_date(value, field=path)
        except InputError as error:
            self.problems.append(error)
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

    def text(self, value: object, path: str, max_length: int = 256) -> str | None:
        try:
            return check_text(value, field=path, max_length=max_length)
        except InputError as error:
            self.problems.append(error)
            return None

    def count(self, value: object, path: str, name: str) -> None:
        """Refuse a list longer than :data:`bisphos.model.MAX_ITEMS` allows for ``name``."""
        if isinstance(value, (list, tuple)) and len(value) > MAX_ITEMS[name]:
            self.problems.append(
                InputLimitError(
                    f"more than {MAX_ITEMS[name]} {name.replace('_', ' ')} in one patient",
                    field=path,
                    value=f"{len(value)} items",
                    limit=f"{name} per patient",
                    expected=f"at most {MAX_ITEMS[name]}",
                )
            )

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
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"a {type(value).__name__}"
    if isinstance(value, str) and len(text) <= 80 and value.isprintable():
        return value
    return printable(text if len(text) <= 80 else text[:77] + "...")


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
    # The range is checked on the number as given, before any conversion to float.
    if z_score is not None and not (ok and _finite_in(z_score, -10, 10)):
        reader.problem(
            f"{path}.z_score", "not a number from -10 to 10", z_score, "a Z-score like -2.3"
        )
        ok = False
    corrected = _flag(reader, data, "size_corrected", path)
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


def _finite_in(number: object, low: float, high: float) -> bool:
    """Whether ``number`` (an int of any size or a float) is finite and within [low, high]."""
    if isinstance(number, int):
        return number.bit_length() <= 64 and low <= number <= high
    return isinstance(number, float) and math.isfinite(number) and low <= number <= high


def _flag(reader: _Reader, data: Mapping[str, object], key: str, path: str) -> bool | None:
    """A true/false value whose absence means false; ``null`` is refused (never read as false)."""
    if key in data and data[key] is None:
        reader.problem(
            _join(path, key),
            "not recorded (null) is not accepted here",
            None,
            "true or false (leave the key out for false)",
        )
        return None
    return _optional(reader, data, key, path, reader.boolean)


def _latest(
    reader: _Reader, items: list[tuple[str, _D]], path: str, date_of: Callable[[_D], dt.date | None]
) -> _D | None:
    """The latest of several dated values of one measurement (P-FRESH: the latest is used).

    Two values on one date, or more than one value with an undated one among them, cannot be
    ordered: a problem under ``path``.
    """
    if not items:
        return None
    if len(items) == 1:
        return items[0][1]
    dates = [date_of(item) for _, item in items]
    undated = [where for (where, _), date in zip(items, dates, strict=True) if date is None]
    if undated:
        reader.problem(undated[0], "an undated value among several", None, "a date on every value")
        return None
    known = [date for date in dates if date is not None]
    latest = max(known)
    if known.count(latest) > 1:
        reader.problem(path, "two values on one date", latest.isoformat(), "one value per date")
        return None
    return items[dates.index(latest)][1]


def _lab(reader: _Reader, name: str, value: object, path: str) -> model.LabResult | None:
    if isinstance(value, list):
        results = []
        for item_path, item in reader.items(value, path):
            result = _lab(reader, name, item, item_path)
            if result is not None:
                results.append((item_path, result))
        return _latest(reader, results, path, lambda result: result.date)
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
    values: dict[str, object] = {
        key: reader.quantity(data[key], f"{path}.{key}", key)
        for key in OBJECT_KEYS["vitals"]
        if key != "date" and data.get(key) is not None
    }
    if data.get("date") is not None:
        values["date"] = reader.date(data["date"], f"{path}.date")
    return reader.build(path, model.VitalSigns, **values)


def _weight(reader: _Reader, value: object, path: str) -> tuple[Quantity, dt.date | None] | None:
    """The weight, with its date: a quantity, ``{"value", "date"}``, or a list of those."""
    if isinstance(value, list):
        items = []
        for item_path, item in reader.items(value, path):
            weight = _weight(reader, item, item_path)
            if weight is not None:
                items.append((item_path, weight))
        return _latest(reader, items, path, lambda weight: weight[1])
    if isinstance(value, str) or is_quantity(value):
        quantity = reader.quantity(value, path, "weight")
        return None if quantity is None else (quantity, None)
    data = reader.mapping(value, path, "weight")
    if data is None:
        return None
    raw = reader.required(data, "value", path)
    quantity = None if raw is None else reader.quantity(raw, f"{path}.value", "weight")
    date = _optional(reader, data, "date", path, reader.date)
    return None if quantity is None else (quantity, date)


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
    flags: dict[str, bool | None] = {}
    for key in OBJECT_KEYS["risks"]:
        if key in _NOT_RECORDED_FLAGS and key in data and data[key] is None:
            flags[key] = None  # kept as not recorded: a rule reports it
        elif key in data:
            flags[key] = _flag(reader, data, key, path)
    if any(value is None and key not in _NOT_RECORDED_FLAGS for key, value in flags.items()):
        return None
    return reader.build(path, model.RiskFlags, **flags)


#: The risk flags whose ``null`` means "not recorded", a state the rules report.
_NOT_RECORDED_FLAGS: Final = frozenset({"pregnant", "could_become_pregnant"})


def _genes(reader: _Reader, value: object, path: str) -> tuple[str, ...]:
    genes = []
    reader.count(value, path, "gene_variants")
    for item_path, item in reader.items(value, path):
        gene = reader.text(item, item_path, max_length=32)
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
    try:
        check_structure(data, PATIENT_LIMITS)
    except InputError as error:
        raise PatientInputError([error], source=source) from None
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
    weighed = None if raw_weight is None else _weight(reader, raw_weight, "weight")
    fields["weight"] = None if weighed is None else weighed[0]
    if weighed is not None and weighed[1] is not None:
        fields["weight_date"] = weighed[1]
    fields["diagnosis"] = reader.enum(
        model.Diagnosis, reader.required(top, "diagnosis", ""), "diagnosis"
    )
    required = tuple(fields)
    readers: dict[str, Callable[[object, str], object]] = {
        "height": lambda v, p: reader.quantity(v, p, "height"),
        "patient_id": lambda v, p: reader.text(v, p, PATIENT_ID_MAX_LENGTH),
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
    for key in ("fractures", "bmd", "infusions"):
        reader.count(top.get(key), key, key)
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


#: The most digits of a number in JSON text, checked before the number is converted.
MAX_NUMBER_DIGITS: Final = 20


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise InputLimitError(
            f"an integer of more than {MAX_NUMBER_DIGITS} digits",
            value=f"{len(text)} digits",
            limit="digits per number",
            expected=f"at most {MAX_NUMBER_DIGITS} digits",
        )
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > 40:
        raise InputLimitError(
            "a number written with more than 40 characters",
            value=f"{len(text)} characters",
            limit="digits per number",
            expected="at most 40 characters",
        )
    number = float(text)
    if not math.isfinite(number):
        _refuse_constant(text)
    return number


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidValueError(
                "a key appears twice in one object",
                field=printable(key),
                value=printable(key),
                expected="unique keys",
            )
        result[key] = value
    return result


def parse_json(text: str, *, max_depth: int, field: str = "") -> object:
    """Parse JSON text strictly, its nesting depth checked before it is parsed.

    No duplicate keys, no NaN or infinity, integers of at most :data:`MAX_NUMBER_DIGITS` digits.

    Raises:
        InputError: the text is nested too deep, has a duplicate key or an unbounded number, or
            is not JSON.
    """
    check_json_depth(text, max_depth=max_depth, field=field)
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
            object_pairs_hook=_no_duplicates,
        )
    except InputError as error:
        raise (error.at(field) if field and not error.field else error) from None
    except (ValueError, RecursionError) as error:
        raise InvalidValueError(f"not valid JSON: {printable(str(error))}", field=field) from None


def load_patient(path: str | Path, *, max_bytes: int | None = None) -> Patient:
    """Read a patient from a ``.json`` or ``.toml`` file.

    The file must be a regular file of at most ``max_bytes`` bytes (default: the
    ``BISPHOS_MAX_INPUT_BYTES`` environment variable, else
    :data:`bisphos.validation.MAX_INPUT_BYTES`), in UTF-8.

    Raises:
        PatientInputError: the file cannot be read (not a regular file, too large, not UTF-8) or
            parsed, or holds invalid values; every problem is listed with its path.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise PatientInputError(
            [InvalidValueError("not a file name", value=picture(path), expected="a path")]
        )
    file = Path(path)
    source = printable(str(file))
    text = read_text_file(file, max_bytes=max_bytes)
    suffix = file.suffix.lower()
    if suffix not in {".json", ".toml"}:
        raise PatientInputError(
            [
                InvalidValueError(
                    "unknown file type", value=printable(file.suffix), expected=".json or .toml"
                )
            ],
            source=source,
        )
    return patient_from_text(text, file_format=suffix[1:], source=source)


def read_text_file(path: str | Path, *, max_bytes: int | None = None) -> str:
    """Return the UTF-8 text of a regular file of at most ``max_bytes`` bytes.

    See :func:`bisphos.validation.read_bounded` (the default limit, regular files only).

    Raises:
        PatientInputError: the file cannot be read, is not a regular file, is too large or is
            not UTF-8.
    """
    source = printable(str(path))
    try:
        return read_bounded(path, limit=max_bytes, field="").decode("utf-8")
    except InputError as error:
        raise PatientInputError([error], source=source) from None
    except UnicodeDecodeError as error:
        raise PatientInputError(
            [InvalidValueError(f"not UTF-8 text: {error.reason} at byte {error.start}")],
            source=source,
        ) from None


def patient_from_text(text: str, *, file_format: str, source: str = "") -> Patient:
    """Read a patient from JSON or TOML text (``file_format`` is ``"json"`` or ``"toml"``).

    Raises:
        PatientInputError: as :func:`patient_from_dict`, or when the text does not parse.
    """
    try:
        if not isinstance(text, str):
            raise InvalidValueError("not text", value=picture(text), expected="a str")
        limit = input_byte_limit()
        if len(text) > limit:
            raise InputLimitError(
                "the text is larger than the input limit",
                value=f"{len(text)} characters",
                limit="input size",
                expected=f"at most {limit} characters",
            )
        if file_format == "json":
            data: object = parse_json(text, max_depth=PATIENT_LIMITS.max_depth)
        elif file_format == "toml":
            data = tomllib.loads(text)
        else:
            raise InvalidValueError(
                "unknown format", value=printable(file_format[:20]), expected="json or toml"
            )
    except BisphosError as error:
        problem = error if isinstance(error, InputError) else InvalidValueError(str(error))
        raise PatientInputError([problem], source=source) from None
    except (ValueError, RecursionError) as error:
        raise PatientInputError(
            [InvalidValueError(f"not valid {file_format.upper()}: {printable(str(error))}")],
            source=source,
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


_FACTORY: Final[type] = type(attrs.Factory(tuple))


def _at_default(item: object, default: object) -> bool:
    """Whether ``item`` is left out: ``None``, an empty tuple, or equal to a plain default.

    A default that is no value (none, ``None``, a factory) is never compared: comparing a Pint
    quantity with it costs a conversion and is false anyway.
    """
    if item is None or (isinstance(item, tuple) and not item):
        return True
    if default is attrs.NOTHING or default is None or isinstance(default, _FACTORY):
        return False
    return bool(item == default)


def _attrs_out(value: object) -> dict[str, object]:
    out: dict[str, object] = {}
    for attribute in type(value).__attrs_attrs__:  # type: ignore[attr-defined]
        item = getattr(value, attribute.name)
        if _at_default(item, attribute.default):
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
    if patient.weight_date is not None:
        out["weight"] = {"value": out["weight"], "date": patient.weight_date.isoformat()}
    order = OBJECT_KEYS["patient"]
    return {"schema_version": 1} | {key: out[key] for key in order if key in out}
