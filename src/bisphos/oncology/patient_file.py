"""The adult oncology patient file: JSON or TOML, read into an :class:`AdultPatient`.

A file says what it is with ``"kind": "adult-oncology"`` (a pediatric file has no ``kind``).
Quantities are strings with their unit (``"72 kg"``, ``"1.1 mg/dL"``, ``"6 months"``), dates ISO
dates, enumerations their lower-case names, flags true or false. Every problem is collected with
its path (``weight``, ``overrides[0].reason_code``) and raised together as one
:class:`~bisphos.errors.PatientInputError`, as the pediatric reader does; whatever the content,
the result is an :class:`AdultPatient` or a :class:`~bisphos.errors.BisphosError`.

:data:`FIELDS` is the one table of the format: the reader, the writer
(:func:`adult_patient_to_dict`) and the JSON Schema (:mod:`bisphos.oncology.schema`) are built from
it, and a test keeps it equal to the fields of :class:`AdultPatient`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

import attrs

from bisphos.errors import (
    InputError,
    InvalidValueError,
    MissingValueError,
    PatientInputError,
)
from bisphos.io import PATIENT_LIMITS
from bisphos.model import PATIENT_ID_MAX_LENGTH, Sex
from bisphos.oncology.file_kind import (
    ADULT_KIND,
    is_adult_file,
    parse_patient_text,
    read_patient_file,
)
from bisphos.oncology.patient import (
    ADULT_PLAUSIBLE_RANGES,
    AdultPatient,
    ClinicianOverride,
    MenopausalStatus,
    OverrideTarget,
    Setting,
    Tumour,
)
from bisphos.units import format_quantity, is_quantity
from bisphos.validation import check_structure, check_text

__all__ = [
    "ADULT_KIND",
    "FIELDS",
    "OVERRIDE_FIELDS",
    "SCHEMA_VERSION",
    "Field",
    "FieldType",
    "adult_patient_from_dict",
    "adult_patient_from_text",
    "adult_patient_to_dict",
    "is_adult_file",
    "load_adult_patient",
    "parse_patient_text",
    "read_patient_file",
]

#: The version of the file format.
SCHEMA_VERSION: Final = 1


class FieldType(enum.StrEnum):
    """What a field of the file holds."""

    DATE = "date"
    DATETIME = "datetime"
    QUANTITY = "quantity"
    FLAG = "flag"
    OPTIONAL_FLAG = "optional_flag"
    INTEGER = "integer"
    TEXT = "text"
    CHOICE = "choice"
    OVERRIDES = "overrides"


@attrs.frozen
class Field:
    """One field of the adult patient file.

    Attributes:
        name: The key, the same as the :class:`AdultPatient` attribute.
        kind: What it holds.
        description: What it means (shown in the schema).
        required: Whether a file must have it.
        choices: The enumeration of a choice field.
        minimum: The lowest whole number an integer field takes.
        maximum: The highest whole number an integer field takes.
    """

    name: str
    kind: FieldType
    description: str
    required: bool = False
    choices: type[enum.StrEnum] | None = None
    minimum: int = 0
    maximum: int = 0


def _f(name: str, kind: FieldType, description: str, **options: object) -> Field:
    return Field(name, kind, description, **options)  # type: ignore[arg-type]


Q, FLAG, MAYBE = FieldType.QUANTITY, FieldType.FLAG, FieldType.OPTIONAL_FLAG

#: Every field of the file, in the order the writer and the schema give them.
FIELDS: Final[tuple[Field, ...]] = (
    _f("patient_id", FieldType.TEXT, "An identifier chosen by the caller; never interpreted."),
    _f("birth_date", FieldType.DATE, "Date of birth.", required=True),
    _f("assessment_date", FieldType.DATE, "The date of the recommendation.", required=True),
    _f("sex", FieldType.CHOICE, "Sex as recorded (Cockcroft-Gault).", required=True, choices=Sex),
    _f("weight", Q, "Actual body weight.", required=True),
    _f("setting", FieldType.CHOICE, "What the treatment is for.", required=True, choices=Setting),
    _f("tumour", FieldType.CHOICE, "The primary tumour.", required=True, choices=Tumour),
    _f("serum_creatinine", Q, "Serum creatinine before today's dose (O-RENAL, O-LABEL)."),
    _f("baseline_creatinine", Q, "Serum creatinine before treatment (O-LABEL withhold rule)."),
    _f("egfr", Q, "The laboratory's eGFR per 1.73 m² (denosumab 60 mg, O-LABEL)."),
    _f("dialysis", FLAG, "On dialysis (denosumab 60 mg, O-LABEL)."),
    _f("life_expectancy", Q, "Expected survival, e.g. '6 months' (O-SRE-OTHER)."),
    _f("high_sre_risk", MAYBE, "High risk of skeletal-related events (O-SRE-OTHER)."),
    _f(
        "menopausal_status",
        FieldType.CHOICE,
        "Menopausal status (O-PREV-BREAST).",
        choices=MenopausalStatus,
    ),
    _f("osteopenia", FLAG, "Osteopenia (O-SRE-MM)."),
    _f("osteoporosis", FLAG, "Osteoporosis (O-SRE-MM)."),
    _f("active_bone_disease", FLAG, "Active myeloma bone disease (O-SRE-MM)."),
    _f("relapse_or_new_sre", FLAG, "Myeloma relapse or a new SRE (O-SRE-MM)."),
    _f("performance_status_declined", FLAG, "The performance status declined (O-SRE-BREAST)."),
    _f("stable_disease", FLAG, "Stable disease (O-SRE-BREAST)."),
    _f("treatment_start_date", FieldType.DATE, "Start of the running bone-targeted treatment."),
    _f("on_denosumab", FLAG, "On denosumab now (O-DMAB-AGE)."),
    _f("denosumab_stop_planned", FLAG, "The plan stops or pauses denosumab (O-DMAB-AGE)."),
    _f("neutrophils", Q, "Neutrophil count before radium-223 (O-RA223)."),
    _f("platelets", Q, "Platelet count before radium-223 (O-RA223)."),
    _f("haemoglobin", Q, "Haemoglobin before the first radium-223 injection (O-RA223)."),
    _f(
        "radium_injection_number",
        FieldType.INTEGER,
        "The radium-223 injection due today, 1 to 6 (O-RA223).",
        minimum=1,
        maximum=6,
    ),
    _f("castration_resistant", MAYBE, "Castration-resistant prostate cancer (O-LABEL)."),
    _f("symptomatic_bone_metastases", MAYBE, "The bone metastases give symptoms (O-LABEL)."),
    _f("visceral_metastases", MAYBE, "Known visceral metastases (O-LABEL)."),
    _f(
        "prior_systemic_therapies",
        FieldType.INTEGER,
        "Prior systemic therapies for metastatic prostate cancer (O-LABEL).",
        minimum=0,
        maximum=30,
    ),
    _f("no_suitable_systemic_therapy", FLAG, "No systemic therapy is suitable (O-LABEL)."),
    _f("abiraterone_prednisone", FLAG, "On abiraterone with prednisone/prednisolone (O-LABEL)."),
    _f("calcium", Q, "Total serum calcium (O-CAT)."),
    _f("vitamin_d_25oh", Q, "Serum 25-OH vitamin D (O-CAT)."),
    _f("dental_evaluation_done", FLAG, "A dentist has evaluated the patient (O-ONJ)."),
    _f("jaw_surgery_planned", FLAG, "Extractions or jaw surgery are planned (O-ONJ)."),
    _f("giant_cell_tumour_of_bone", FLAG, "Giant cell tumour of bone (O-DMAB-AGE)."),
    _f("skeletally_mature", MAYBE, "The skeleton is mature (O-DMAB-AGE)."),
    _f("overrides", FieldType.OVERRIDES, "Clinician overrides of soft limits (O-LABEL)."),
)

#: The fields of one clinician override.
OVERRIDE_FIELDS: Final[tuple[Field, ...]] = (
    _f(
        "target",
        FieldType.CHOICE,
        "The soft limit overridden.",
        required=True,
        choices=OverrideTarget,
    ),
    _f("reason_code", FieldType.TEXT, "The coded reason, e.g. 'no-alternative'.", required=True),
    _f("reason", FieldType.TEXT, "The reason in words.", required=True),
    _f("clinician", FieldType.TEXT, "Who decided.", required=True),
    _f("time", FieldType.DATETIME, "When, as an ISO date-time.", required=True),
)

_TOP: Final = ("kind", "schema_version", *(item.name for item in FIELDS))


class _Reader:
    """Walks one input, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[InputError] = []

    def problem(self, path: str, message: str, value: object, expected: str) -> None:
        shown = value if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        self.problems.append(InvalidValueError(message, field=path, value=shown, expected=expected))

    def fail(self, path: str, error: InputError) -> None:
        if error.field == path or error.field.startswith((f"{path}.", f"{path}[")):
            self.problems.append(error)
        else:
            self.problems.append(error.at(path) if not error.field else _under(error, path))

    def keys(self, data: Mapping[str, object], known: tuple[str, ...], prefix: str) -> None:
        for key in data:
            if key not in known:
                self.problem(_join(prefix, str(key)), "unknown key", key, ", ".join(known))

    def value(self, field: Field, raw: object, path: str) -> object:
        reader = _READERS[field.kind]
        return reader(self, field, raw, path)


def _under(error: InputError, path: str) -> InputError:
    # A model error names the attribute; under an override it is ``overrides[i].attribute``.
    name = error.field.rsplit(".", 1)[-1]
    clone = error.at(path)
    clone.field = f"{path}.{name}" if name != path else path
    return clone


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _date(reader: _Reader, field: Field, raw: object, path: str) -> object:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str) and len(raw) == len("YYYY-MM-DD"):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    reader.problem(path, "not a date", raw, "an ISO date such as 2024-05-01")
    return None


def _datetime(reader: _Reader, field: Field, raw: object, path: str) -> object:
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str) and "T" in raw:
        try:
            return dt.datetime.fromisoformat(raw)
        except ValueError:
            pass
    reader.problem(path, "not a date-time", raw, "an ISO date-time such as 2024-05-01T09:30")
    return None


def _quantity(reader: _Reader, field: Field, raw: object, path: str) -> object:
    if not isinstance(raw, str) and not is_quantity(raw):
        reader.problem(path, "not a quantity", raw, "text with a unit, such as '72 kg'")
        return None
    try:
        return ADULT_PLAUSIBLE_RANGES[field.name].check(raw, field=path)  # type: ignore[arg-type]
    except InputError as error:
        reader.fail(path, error)
        return None


def _flag(reader: _Reader, field: Field, raw: object, path: str) -> object:
    if isinstance(raw, bool):
        return raw
    reader.problem(path, "not a boolean", raw, "true or false")
    return None


def _integer(reader: _Reader, field: Field, raw: object, path: str) -> object:
    if isinstance(raw, int) and not isinstance(raw, bool) and field.minimum <= raw <= field.maximum:
        return raw
    expected = f"a whole number from {field.minimum} to {field.maximum}"
    reader.problem(path, "not an accepted whole number", raw, expected)
    return None


def _text(reader: _Reader, field: Field, raw: object, path: str) -> object:
    if isinstance(raw, str):
        try:  # printable, so that no output can show more than the value
            return check_text(raw, field=path, max_length=PATIENT_ID_MAX_LENGTH)
        except InputError as error:
            reader.problems.append(error)
            return None
    reader.problem(path, "not text", raw, "a string")
    return None


def _choice(reader: _Reader, field: Field, raw: object, path: str) -> object:
    choices = field.choices
    if choices is not None and isinstance(raw, str):
        for member in choices:
            if member.value == raw:
                return member
    names = "" if choices is None else ", ".join(member.value for member in choices)
    reader.problem(path, "not an accepted value", raw, f"one of {names}")
    return None


def _overrides(reader: _Reader, field: Field, raw: object, path: str) -> object:
    if not isinstance(raw, list | tuple):
        reader.problem(path, "must be a list", raw, "a list of overrides")
        return None
    found: list[ClinicianOverride] = []
    for index, item in enumerate(raw):
        item_path = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            reader.problem(item_path, "must be an object", item, "an override object")
            continue
        values = _object(reader, item, OVERRIDE_FIELDS, item_path)
        if values is None:
            continue
        try:
            found.append(ClinicianOverride(**values))  # type: ignore[arg-type]
        except InputError as error:
            reader.fail(item_path, error)
    return tuple(found)


_READERS: Final[dict[FieldType, Callable[[_Reader, Field, object, str], object]]] = {
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.QUANTITY: _quantity,
    FieldType.FLAG: _flag,
    FieldType.OPTIONAL_FLAG: _flag,
    FieldType.INTEGER: _integer,
    FieldType.TEXT: _text,
    FieldType.CHOICE: _choice,
    FieldType.OVERRIDES: _overrides,
}


def _object(
    reader: _Reader,
    data: Mapping[str, object],
    fields: tuple[Field, ...],
    prefix: str,
    *,
    known: tuple[str, ...] | None = None,
) -> dict[str, object] | None:
    reader.keys(data, known or tuple(item.name for item in fields), prefix)
    values: dict[str, object] = {}
    complete = True
    for item in fields:
        path = _join(prefix, item.name)
        raw = data.get(item.name)
        if raw is None:
            if item.required:
                reader.problems.append(
                    MissingValueError("is required", field=path, expected="a value")
                )
                complete = False
            continue
        value = reader.value(item, raw, path)
        if value is None:
            complete = False
        else:
            values[item.name] = value
    return values if complete else None


def adult_patient_from_dict(data: object, *, source: str = "") -> AdultPatient:
    """Build an adult patient from parsed JSON or TOML content (or an equivalent dict).

    Args:
        data: The parsed content, with ``"kind": "adult-oncology"``.
        source: Where it came from (a file name), named in the error.

    Raises:
        PatientInputError: listing every problem found, each with its path.
    """
    reader = _Reader()
    try:  # the limits of every patient input, before any value is read
        check_structure(data, PATIENT_LIMITS)
    except InputError as error:
        raise PatientInputError([error], source=source) from None
    if not isinstance(data, Mapping):
        reader.problem("", "must be an object", data, "an adult oncology patient object")
        raise PatientInputError(reader.problems, source=source)
    if data.get("kind") != ADULT_KIND:
        reader.problem("kind", "not an adult oncology patient file", data.get("kind"), ADULT_KIND)
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION or isinstance(version, bool):
        reader.problem("schema_version", "unsupported schema version", version, "1")
    values = _object(reader, data, FIELDS, "", known=_TOP)
    if reader.problems or values is None:
        raise PatientInputError(reader.problems, source=source)
    try:
        return AdultPatient(**values)  # type: ignore[arg-type]
    except InputError as error:
        raise PatientInputError([error], source=source) from None
    except (TypeError, ValueError) as error:  # defensive: a combination the model refuses
        problem = InvalidValueError(str(error), expected="a consistent patient")
        raise PatientInputError([problem], source=source) from None


def adult_patient_from_text(text: str, *, file_format: str, source: str = "") -> AdultPatient:
    """Read an adult patient from JSON or TOML text (``file_format``: ``"json"`` or ``"toml"``).

    Raises:
        PatientInputError: the text does not parse, or as :func:`adult_patient_from_dict`.
    """
    data = parse_patient_text(text, file_format=file_format, source=source)
    return adult_patient_from_dict(data, source=source)


def load_adult_patient(path: str | Path) -> AdultPatient:
    """Read an adult oncology patient from a ``.json`` or ``.toml`` file.

    Raises:
        PatientInputError: the file cannot be read or parsed, or holds invalid values; every
            problem is listed with its path.
    """
    data, source = read_patient_file(path)
    return adult_patient_from_dict(data, source=source)


def _plain(value: object) -> object:
    if is_quantity(value):
        return format_quantity(value)  # type: ignore[arg-type]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, ClinicianOverride):
        return {item.name: _plain(getattr(value, item.name)) for item in OVERRIDE_FIELDS}
    return value


def adult_patient_to_dict(patient: AdultPatient) -> dict[str, object]:
    """Write ``patient`` as JSON-compatible data in the file format, keys in :data:`FIELDS` order.

    Values at their defaults are left out (required fields always written);
    :func:`adult_patient_from_dict` reads the result back into an equal patient.
    """
    defaults = {item.name: item.default for item in attrs.fields(AdultPatient)}
    out: dict[str, object] = {"kind": ADULT_KIND, "schema_version": SCHEMA_VERSION}
    for item in FIELDS:
        value = getattr(patient, item.name)
        if not item.required and (value is None or value == defaults[item.name] or value == ()):
            continue
        out[item.name] = _plain(value)
    return out
