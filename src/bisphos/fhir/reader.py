r"""A patient from a FHIR R4 ``Bundle``: the resources a hospital's record holds, read by code.

:func:`read_bundle` walks the entries of a Bundle (parsed JSON) and reads, by the codes of
:mod:`bisphos.fhir.codes`:

- the ``Patient`` (birth date, sex, the caller's id);
- ``Observation``\\ s by LOINC code with UCUM units: weight, height, vital signs (the blood
  pressure panel or its two components), the laboratory values of P-PRE-LABS with the upper
  reference limit, DXA Z-scores by site, pregnancy status, genetic variants, and the facts of
  bisphos's own code system (risk flags, growth, severity of osteogenesis imperfecta);
- ``Condition``\\ s: the diagnosis (SNOMED CT, ICD-10) and fractures with their date or age and
  the energy of the trauma;
- ``AllergyIntolerance``: hypersensitivity to a bisphosphonate (ATC M05BA, M05BB);
- ``MedicationAdministration`` and ``MedicationStatement``: the infusions given of zoledronic
  acid and pamidronate (ATC), with their dates and doses.

Of each measurement the latest value is taken, with its date; an undated value counts only
where no dated one exists. The values become the patient file's content and are read by
:func:`bisphos.io.patient_from_dict`, so a Bundle passes the same unit lists, plausibility
ranges and date checks as a file. Every problem names the resource (``Observation/w1``, or
``entry[3]`` without an id) and the element path (``valueQuantity.code``), and all of them are
raised together as one :class:`~bisphos.errors.FhirInputError`. A code in no table is reported
in :attr:`BundleReading.ignored`, never guessed; where a resource the protocol must see (a
bisphosphonate given or not tolerated) cannot be read, that is an error, not an omission.

The reader needs no FHIR package and is bounded: at most :data:`MAX_ENTRIES` entries and
:data:`MAX_TEXT_BYTES` of text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Final

import attrs

from bisphos.errors import (
    BisphosError,
    FhirInputError,
    InputError,
    InvalidValueError,
    MissingValueError,
    PatientInputError,
    UnitError,
    UnknownCodeError,
)
from bisphos.fhir import codes as c
from bisphos.io import _no_duplicates, _refuse_constant, patient_from_dict
from bisphos.model import LAB_KINDS, PLAUSIBLE_RANGES, BmdSite, FractureSite, Patient
from bisphos.quantities import INFUSION_RATE, QuantityKind
from bisphos.units import Quantity, parse_unit, ureg
from bisphos.validation import read_bounded

__all__ = [
    "MAX_ENTRIES",
    "MAX_TEXT_BYTES",
    "BundleReading",
    "HistoryReading",
    "Ignored",
    "bundle_from_text",
    "is_bundle",
    "load_bundle",
    "patient_from_bundle",
    "read_bundle",
    "read_history_bundle",
]

#: The most entries one Bundle may hold; a larger one is refused before it is read.
MAX_ENTRIES: Final = 5000
#: The most characters of Bundle text read (a file or a request body).
MAX_TEXT_BYTES: Final = 20_000_000

_FINAL: Final = frozenset({"final", "amended", "corrected"})
_SKIPPED: Final = frozenset({"entered-in-error", "cancelled"})
_VITALS: Final = ("temperature", "heart_rate", "systolic_bp", "diastolic_bp")
_LABS: Final = tuple(LAB_KINDS)
# FHIR's date and dateTime: YYYY, YYYY-MM, YYYY-MM-DD, or a date with a time and zone.
_DATE_TIME: Final = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(?:Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
# Names of bisphosphonates and their brands (Dutch and English): a resource that names one without
# an ATC code is an error, never dropped (it would shorten P-HIST-INTERVAL or miss P-CI-ALLERGY).
_BISPHOSPHONATE_WORDS: Final = re.compile(
    r"dron[aiu]|bis(?:f|ph)osfon|bisphosphon|zometa|aclasta|aredia", re.I
)
_GENETIC_VARIANT: Final = (c.LOINC_SYSTEM, "69548-6")
_VARIANT_PRESENT: Final = (c.LOINC_SYSTEM, "LA9633-4")
_VARIANT_ABSENT: Final = (c.LOINC_SYSTEM, "LA9634-2")


@attrs.frozen
class Ignored:
    """A resource or code the reader did not use, and why.

    Attributes:
        where: The resource (``Observation/obs-7``) and element, as in error paths.
        reason: Why it was not used (``unknown code http://loinc.org|718-7`` ...).
    """

    where: str
    reason: str


@attrs.frozen
class BundleReading:
    """What :func:`read_bundle` read from a Bundle.

    Attributes:
        patient: The patient, as :func:`bisphos.io.patient_from_dict` builds it.
        sources: For each field of the patient file read (``weight``, ``labs.calcium``,
            ``fractures[0]``), the resource it came from.
        dates: The date of each measured value taken (``weight``, ``vitals.temperature``,
            ``labs.creatinine`` ...), ``None`` when the resource gives none.
        ignored: The resources and codes not used, in Bundle order.
    """

    patient: Patient
    sources: Mapping[str, str]
    dates: Mapping[str, dt.date | None]
    ignored: tuple[Ignored, ...]


@attrs.frozen
class _Value:
    """One candidate value of a field, with what decides which one is the latest."""

    value: object
    date: dt.date | None
    time: str
    where: str
    same: object  # what two values must share to be duplicates rather than a conflict


class _Reader:
    """Walks one Bundle, collecting problems and values instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[InputError] = []
        self.ignored: list[Ignored] = []
        self.values: dict[str, list[_Value]] = {}
        self.lists: dict[str, list[tuple[object, str]]] = {}
        self.patient_refs: set[str] = set()
        self.by_reference: dict[str, Mapping[str, object]] = {}
        self.seen: set[str] = set()  # the facts some resource codes, readable or not

    # ---- problems ----------------------------------------------------------------------------

    def problem(self, path: str, message: str, value: object, expected: str) -> None:
        self.problems.append(
            InvalidValueError(message, field=path, value=_show(value), expected=expected)
        )

    def missing(self, path: str, expected: str) -> None:
        self.problems.append(MissingValueError("is required", field=path, expected=expected))

    def unknown(self, path: str, message: str, value: object, expected: str) -> None:
        self.problems.append(
            UnknownCodeError(message, field=path, value=_show(value), expected=expected)
        )

    def ignore(self, where: str, reason: str) -> None:
        self.ignored.append(Ignored(where, reason))

    # ---- elements ----------------------------------------------------------------------------

    def mapping(self, value: object, path: str) -> Mapping[str, object] | None:
        if type(value) is dict or isinstance(value, Mapping):  # JSON's objects are dicts
            return value
        self.problem(path, "must be an object", value, "a JSON object")
        return None

    def items(self, value: object, path: str) -> Iterator[tuple[str, object]]:
        if value is None:
            return
        if not isinstance(value, list):
            self.problem(path, "must be a list", value, "a JSON array")
            return
        for index, item in enumerate(value):
            yield f"{path}[{index}]", item

    def text(self, value: object, path: str) -> str | None:
        if isinstance(value, str):
            return value
        self.problem(path, "not text", value, "a string")
        return None

    def codings(self, concept: object, path: str) -> list[tuple[str, str, str]]:
        """The ``(system, code, path)`` of each coding of a CodeableConcept."""
        data = self.mapping(concept, path)
        if data is None:
            return []
        found = []
        for item_path, item in self.items(data.get("coding"), f"{path}.coding"):
            coding = self.mapping(item, item_path)
            if coding is None:
                continue
            system, code = coding.get("system"), coding.get("code")
            if isinstance(system, str) and isinstance(code, str):
                found.append((system, code, item_path))
            elif code is not None or system is not None:
                self.problem(item_path, "a coding needs a system and a code", coding, "both")
        return found

    def extension_code(
        self, resource: Mapping[str, object], where: str, url: str, codes: frozenset[str]
    ) -> tuple[bool, str | None]:
        """The ``valueCode`` of the extension ``url``: (readable, the code or ``None``)."""
        for path, item in self.items(resource.get("extension"), f"{where}.extension"):
            data = self.mapping(item, path)
            if data is None or data.get("url") != url:
                continue
            code = data.get("valueCode")
            if isinstance(code, str) and code in codes:
                return True, code
            self.problem(
                f"{path}.valueCode", "not a code of the extension", code, ", ".join(sorted(codes))
            )
            return False, None
        return True, None

    def concept_text(self, concept: object) -> str:
        """Every text and display of a CodeableConcept, for the bisphosphonate safety net."""
        if not isinstance(concept, Mapping):
            return ""
        codings = concept.get("coding")
        words = [concept.get("text")]
        if isinstance(codings, list):
            words += [item.get("display") for item in codings if isinstance(item, Mapping)]
        return " ".join(word for word in words if isinstance(word, str))

    def date(self, value: object, path: str) -> tuple[dt.date, str] | None:
        """A FHIR date or dateTime to the day, and its time of day (``""`` without one)."""
        text = value if isinstance(value, str) else None
        match = None if text is None or len(text) > 40 else _DATE_TIME.match(text)
        if match is None:
            self.problem(path, "not a FHIR date", value, "a date such as 2026-11-23")
            return None
        if match["d"] is None:
            self.problem(path, "a date to the day is needed", value, "YYYY-MM-DD")
            return None
        try:
            day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            self.problem(path, "not a calendar date", value, "a date such as 2026-11-23")
            return None
        return day, match["time"] or ""

    def effective(self, resource: Mapping[str, object], where: str) -> tuple[dt.date, str] | None:
        """The date of an event resource (``effective[x]`` or ``onset[x]``), if any."""
        for key in ("effectiveDateTime", "effectiveInstant", "onsetDateTime"):
            if resource.get(key) is not None:
                return self.date(resource[key], f"{where}.{key}")
        for key in ("effectivePeriod", "onsetPeriod"):
            period = resource.get(key)
            if period is not None:
                data = self.mapping(period, f"{where}.{key}")
                if data is not None and data.get("start") is not None:
                    return self.date(data["start"], f"{where}.{key}.start")
                self.missing(f"{where}.{key}.start", "the start of the period")
                return None
        return None

    def quantity(
        self, value: object, path: str, field: str, kind: QuantityKind | None = None
    ) -> Quantity | None:
        """A FHIR Quantity as a quantity of the field's kind (its unit list and plausibility).

        ``field`` names a plausibility range of the patient model; ``kind``, when given, is used
        instead (a volume or a rate, which the patient model has no range for).
        """
        data = self.mapping(value, path)
        if data is None:
            return None
        magnitude = data.get("value")
        if data.get("comparator") is not None:
            self.problem(
                f"{path}.comparator",
                "a value given as a bound cannot be used",
                data["comparator"],
                "an exact value",
            )
            return None
        if isinstance(magnitude, bool) or not isinstance(magnitude, (int, float)):
            self.problem(f"{path}.value", "not a number", magnitude, "a number")
            return None
        if not math.isfinite(magnitude) or abs(magnitude) > 1e12:
            self.problem(f"{path}.value", "not a finite number", magnitude, "a number")
            return None
        unit = self.unit_text(data, path)
        if unit is None:
            return None
        try:
            parsed = ureg.Quantity(float(magnitude), parse_unit(unit, field=f"{path}.code"))
            if kind is not None:
                return kind.conform(parsed, field=f"{path}.value")
            return PLAUSIBLE_RANGES[field].check(parsed, field=f"{path}.value")
        except InputError as error:
            self.problems.append(error if error.field else error.at(path))
        except (ValueError, TypeError, ArithmeticError) as error:  # defensive: Pint's own errors
            self.problem(path, f"cannot convert: {error}", unit, "a unit of the field")
        return None

    def unit_text(self, data: Mapping[str, object], path: str) -> str | None:
        """The unit of a Quantity as bisphos spells it: its UCUM code, else its unit text."""
        system, code, unit = data.get("system"), data.get("code"), data.get("unit")
        if code is not None:
            if system != c.UCUM_SYSTEM:
                self.problems.append(
                    UnitError(
                        "a coded unit must be UCUM",
                        field=f"{path}.system",
                        value=_show(system),
                        expected=c.UCUM_SYSTEM,
                    )
                )
                return None
            if not isinstance(code, str) or not code or len(code) > 40:
                self.problem(f"{path}.code", "not a UCUM code", code, "a UCUM code such as kg")
                return None
            return c.ucum_to_text(code)
        if isinstance(unit, str) and unit and len(unit) <= 40:
            return unit
        self.problems.append(
            UnitError(
                "the quantity has no unit",
                field=f"{path}.code",
                value=_show(data.get("value")),
                expected="a UCUM code such as kg or mmol/L",
            )
        )
        return None

    # ---- values ------------------------------------------------------------------------------

    def offer(
        self,
        field: str,
        value: object,
        when: tuple[dt.date, str] | None,
        where: str,
        same: object = None,
    ) -> None:
        day, time = (None, "") if when is None else when
        entry = _Value(value, day, time, where, value if same is None else same)
        self.values.setdefault(field, []).append(entry)

    def add(self, field: str, value: object, where: str) -> None:
        self.lists.setdefault(field, []).append((value, where))

    def latest(self, field: str) -> _Value | None:
        """The latest value of ``field``; two different values at the latest time conflict."""
        candidates = self.values.get(field, [])
        if not candidates:
            return None
        dated = [value for value in candidates if value.date is not None]
        pool = dated or candidates
        best = max(_order(value) for value in pool)
        top = [value for value in pool if _order(value) == best]
        for other in top[1:]:
            if other.same != top[0].same:
                when = "undated" if best[0] == dt.date.min else best[0].isoformat()
                self.problem(
                    other.where,
                    f"two different values of {field} at the same time ({when}); the other is "
                    f"{top[0].where}",
                    _show_value(other.value),
                    "one value per time, or the correction marked as amended",
                )
        for value in candidates:
            if value not in top:
                self.ignore(value.where, f"an earlier or undated value of {field}")
        return top[0]


def _order(value: _Value) -> tuple[dt.date, str]:
    """The order of candidate values: by date, then time of day; undated first."""
    return (value.date or dt.date.min, value.time)


def _hashable(value: object) -> object:
    """``value`` when it can be looked up in a set (JSON text, number, boolean), else its repr."""
    return value if value is None or isinstance(value, (str, int, float)) else repr(value)


def _show(value: object) -> object:
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."


def _show_value(value: object) -> str:
    if isinstance(value, Mapping):
        value = value.get("value")
    return str(value)


def _where(resource: Mapping[str, object], index: int) -> str:
    kind, rid = resource.get("resourceType"), resource.get("id")
    if (
        isinstance(kind, str)
        and isinstance(rid, str)
        and re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", rid)
    ):
        return f"{kind}/{rid}"
    return f"entry[{index}].resource"


# ---- the code look-ups -----------------------------------------------------------------------

_Target = tuple[str, str]  # (kind of fact, its field or site)


def _observation_targets() -> dict[tuple[str, str], _Target]:
    table: dict[tuple[str, str], _Target] = {}
    for field, codes in c.MEASUREMENT_CODES.items():
        for system, code, _ in codes:
            table[(system, code)] = ("measure", field)
    for site, codes in c.BMD_CODES.items():
        for system, code, _ in codes:
            table[(system, code)] = ("bmd", site.value)
    for path, (system, code, _) in c.FLAG_CODES.items():
        table[(system, code)] = ("flag", path)
    table[c.BLOOD_PRESSURE_PANEL[:2]] = ("panel", "")
    table[c.PREGNANCY_STATUS[:2]] = ("pregnancy", "")
    table[c.OI_SEVERITY[:2]] = ("oi_severity", "")
    table[_GENETIC_VARIANT] = ("variant", "")
    return table


_OBSERVATIONS: Final = _observation_targets()
_DIAGNOSES: Final = {
    (system, code): diagnosis
    for diagnosis, codes in c.CONDITION_CODES.items()
    for system, code, _ in codes
}
_DRUGS: Final = {
    (system, code): drug for drug, codes in c.DRUG_CODES.items() for system, code, _ in codes
}


def _fracture_site(system: str, code: str) -> FractureSite | None:
    for site, codes in c.FRACTURE_CODES.items():
        for known_system, known, _ in codes:
            if system != known_system:
                continue
            if code == known or (system == c.ICD10_SYSTEM and code.startswith(known)):
                return site
    return None


def _is_bisphosphonate(system: str, code: str) -> bool:
    return system == c.ATC_SYSTEM and code.startswith(c.BISPHOSPHONATE_ATC)


# ---- resources -------------------------------------------------------------------------------


def _read_patient(reader: _Reader, resource: Mapping[str, object], where: str) -> dict[str, object]:
    fields: dict[str, object] = {}
    birth = resource.get("birthDate")
    if birth is None:
        reader.missing(f"{where}.birthDate", "the birth date")
    else:
        when = reader.date(birth, f"{where}.birthDate")
        if when is not None:
            fields["birth_date"] = when[0]
    gender = _hashable(resource.get("gender"))
    if gender in {"female", "male", "other"}:
        fields["sex"] = gender
    elif gender is None:
        reader.missing(f"{where}.gender", "female, male or other")
    else:
        reader.problem(
            f"{where}.gender", "not a sex the protocol reads", gender, "female, male or other"
        )
    # The caller's id: bisphos's identifier, else the first identifier (a record number); the
    # resource id is the server's, not the caller's.
    ids: list[tuple[bool, str]] = []
    for path, item in reader.items(resource.get("identifier"), f"{where}.identifier"):
        data = reader.mapping(item, path)
        if data is not None and data.get("value") is not None:
            value = reader.text(data.get("value"), f"{path}.value")
            if value is not None:
                ids.append((data.get("system") != c.PATIENT_ID_SYSTEM, value))
    fields["patient_id"] = min(ids, key=lambda pair: pair[0])[1] if ids else ""
    return fields


def _status(reader: _Reader, resource: Mapping[str, object], where: str) -> bool:
    """Whether an Observation is one to read; a skipped one is reported."""
    status = _hashable(resource.get("status"))
    if status in _FINAL:
        return True
    reason = "entered in error or cancelled" if status in _SKIPPED else f"status {status!r}"
    reader.ignore(where, f"not a final result ({reason})")
    return False


def _read_observation(reader: _Reader, resource: Mapping[str, object], where: str) -> None:
    if not _status(reader, resource, where):
        return
    codings = reader.codings(resource.get("code"), f"{where}.code")
    targets = {_OBSERVATIONS[(s, k)] for s, k, _ in codings if (s, k) in _OBSERVATIONS}
    if len(targets) > 1:
        reader.problem(f"{where}.code", "the codes name different facts", sorted(targets), "one")
        return
    if not targets:
        for system, code, path in codings:
            reason = c.NOT_READ.get((system, code))
            if reason is not None:
                reader.unknown(path, reason, f"{system}|{code}", "a code of the mapping table")
                return
        shown = ", ".join(f"{s}|{k}" for s, k, _ in codings) or "no coding"
        reader.ignore(f"{where}.code", f"unknown code ({shown})")
        return
    kind, name = targets.pop()
    reader.seen.add(name or kind)
    when = reader.effective(resource, where)
    if kind == "measure":
        _read_measure(reader, resource, where, name, when)
    elif kind == "panel":
        _read_panel(reader, resource, where, when)
    elif kind == "bmd":
        _read_bmd(reader, resource, where, BmdSite(name), when)
    elif kind == "flag":
        flag = resource.get("valueBoolean")
        if isinstance(flag, bool):
            reader.offer(name, flag, when, where)
        else:
            reader.problem(f"{where}.valueBoolean", "not a boolean", flag, "true or false")
    elif kind == "pregnancy":
        _read_pregnancy(reader, resource, where, when)
    elif kind == "oi_severity":
        values = reader.codings(
            resource.get("valueCodeableConcept"), f"{where}.valueCodeableConcept"
        )
        grades = [k for s, k, _ in values if s == c.BISPHOS_SYSTEM]
        if len(grades) == 1:
            reader.offer("oi_severity", grades[0], when, where)
        else:
            reader.problem(
                f"{where}.valueCodeableConcept", "no severity", values, "mild, moderate or severe"
            )
    else:
        _read_variant(reader, resource, where)


def _category(reader: _Reader, resource: Mapping[str, object], where: str) -> bool:
    """Whether the Observation is marked as a baseline vital sign."""
    for path, concept in reader.items(resource.get("category"), f"{where}.category"):
        for system, code, _ in reader.codings(concept, path):
            if (system, code) == c.BASELINE[:2]:
                return True
    return False


def _read_measure(
    reader: _Reader,
    resource: Mapping[str, object],
    where: str,
    field: str,
    when: tuple[dt.date, str] | None,
) -> None:
    if resource.get("valueQuantity") is None:
        reader.missing(f"{where}.valueQuantity", "the value with its UCUM unit")
        return
    value = reader.quantity(resource["valueQuantity"], f"{where}.valueQuantity", field)
    if value is None:
        return
    if field in _VITALS:
        group = "baseline_vitals" if _category(reader, resource, where) else "vitals"
        reader.offer(f"{group}.{field}", value, when, where)
        return
    if field not in _LABS:
        reader.offer(field, value, when, where)
        return
    lab: dict[str, object] = {"value": value}
    for path, item in reader.items(resource.get("referenceRange"), f"{where}.referenceRange"):
        data = reader.mapping(item, path)
        if data is not None and data.get("high") is not None:
            limit = reader.quantity(data["high"], f"{path}.high", field)
            if limit is not None:
                lab["upper_limit"] = limit
            break
    reader.offer(f"labs.{field}", lab, when, where, same=(value, lab.get("upper_limit")))


def _read_panel(
    reader: _Reader, resource: Mapping[str, object], where: str, when: tuple[dt.date, str] | None
) -> None:
    group = "baseline_vitals" if _category(reader, resource, where) else "vitals"
    for path, item in reader.items(resource.get("component"), f"{where}.component"):
        data = reader.mapping(item, path)
        if data is None:
            continue
        codes = {(s, k) for s, k, _ in reader.codings(data.get("code"), f"{path}.code")}
        for field in ("systolic_bp", "diastolic_bp"):
            if codes & {(s, k) for s, k, _ in c.MEASUREMENT_CODES[field]}:
                if data.get("valueQuantity") is None:
                    reader.missing(f"{path}.valueQuantity", "the pressure with its UCUM unit")
                    continue
                value = reader.quantity(data["valueQuantity"], f"{path}.valueQuantity", field)
                if value is not None:
                    reader.offer(f"{group}.{field}", value, when, path)


def _read_bmd(
    reader: _Reader,
    resource: Mapping[str, object],
    where: str,
    site: BmdSite,
    when: tuple[dt.date, str] | None,
) -> None:
    data = reader.mapping(resource.get("valueQuantity"), f"{where}.valueQuantity")
    if data is None:
        return
    score = data.get("value")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
        reader.problem(f"{where}.valueQuantity.value", "not a finite number", score, "a Z-score")
        return
    code = _hashable(data.get("code"))
    if code is not None and code not in c.Z_SCORE_UNITS:
        reader.problems.append(
            UnitError(
                "a Z-score has no unit",
                field=f"{where}.valueQuantity.code",
                value=_show(code),
                expected=" or ".join(sorted(c.Z_SCORE_UNITS)),
            )
        )
        return
    methods = (
        reader.codings(resource.get("method"), f"{where}.method") if resource.get("method") else []
    )
    corrected = any((s, k) == c.SIZE_CORRECTED[:2] for s, k, _ in methods)
    bmd: dict[str, object] = {"site": site.value, "z_score": float(score)}
    if corrected:
        bmd["size_corrected"] = True
    if when is not None:
        bmd["date"] = when[0]
    reader.add("bmd", bmd, where)


def _read_pregnancy(
    reader: _Reader, resource: Mapping[str, object], where: str, when: tuple[dt.date, str] | None
) -> None:
    path = f"{where}.valueCodeableConcept"
    answers = [
        c.PREGNANCY_VALUES[(s, k)]
        for s, k, _ in reader.codings(resource.get("valueCodeableConcept"), path)
        if (s, k) in c.PREGNANCY_VALUES
    ]
    if not answers:
        reader.unknown(
            path,
            "no pregnancy status of the table",
            resource.get("valueCodeableConcept"),
            "SNOMED CT 77386006 (pregnant), 60001007 (not pregnant), 261665006 (unknown)",
        )
    elif answers[0] is None:
        reader.ignore(where, "pregnancy status unknown")
    else:
        reader.offer("risks.pregnant", answers[0], when, where)


def _read_variant(reader: _Reader, resource: Mapping[str, object], where: str) -> None:
    path = f"{where}.valueCodeableConcept"
    answers = {(s, k) for s, k, _ in reader.codings(resource.get("valueCodeableConcept"), path)}
    if _VARIANT_ABSENT in answers:
        reader.ignore(where, "no variant found")
        return
    if _VARIANT_PRESENT not in answers:
        reader.unknown(
            path,
            "not a variant assessment answer",
            resource.get("valueCodeableConcept"),
            "LOINC LA9633-4 (present) or LA9634-2 (absent)",
        )
        return
    for item_path, item in reader.items(resource.get("component"), f"{where}.component"):
        data = reader.mapping(item, item_path)
        if data is None:
            continue
        codes = {(s, k) for s, k, _ in reader.codings(data.get("code"), f"{item_path}.code")}
        if c.GENE_STUDIED[:2] not in codes:
            continue
        gene = data.get("valueCodeableConcept")
        symbol = gene.get("text") if isinstance(gene, Mapping) else None
        if not isinstance(symbol, str) and isinstance(gene, Mapping):
            displays = [
                g.get("display") for g in gene.get("coding") or [] if isinstance(g, Mapping)
            ]
            symbol = next((d for d in displays if isinstance(d, str)), None)
        if isinstance(symbol, str):
            reader.add("gene_variants", symbol, item_path)
        else:
            reader.missing(f"{item_path}.valueCodeableConcept", "the gene symbol (text or display)")
        return
    reader.missing(f"{where}.component", "a component 48018-6 naming the gene")


def _verified(reader: _Reader, resource: Mapping[str, object], where: str) -> bool:
    for key in ("verificationStatus", "clinicalStatus"):
        concept = resource.get(key)
        if concept is None:
            continue
        for _, code, _ in reader.codings(concept, f"{where}.{key}"):
            if code in {"refuted", "entered-in-error", "inactive", "resolved", "remission"}:
                reader.ignore(where, f"{key} {code}")
                return False
    return True


def _read_condition(reader: _Reader, resource: Mapping[str, object], where: str) -> None:
    codings = reader.codings(resource.get("code"), f"{where}.code")
    sites = {_fracture_site(s, k) for s, k, _ in codings} - {None}
    if sites:
        if len(sites) > 1:
            reader.problem(
                f"{where}.code",
                "the codes name different fracture sites",
                sorted(map(str, sites)),
                "one",
            )
            return
        _read_fracture(reader, resource, where, sites.pop())  # type: ignore[arg-type]
        return
    diagnoses = {_DIAGNOSES[(s, k)] for s, k, _ in codings if (s, k) in _DIAGNOSES}
    if not diagnoses:
        shown = ", ".join(f"{s}|{k}" for s, k, _ in codings) or "no coding"
        reader.ignore(f"{where}.code", f"unknown code ({shown})")
        return
    if not _verified(reader, resource, where):
        return
    if len(diagnoses) > 1:
        reader.problem(
            f"{where}.code", "the codes name different diagnoses", sorted(diagnoses), "one"
        )
        return
    reader.seen.add("diagnosis")
    reader.add("diagnosis", diagnoses.pop().value, where)


def _read_fracture(
    reader: _Reader, resource: Mapping[str, object], where: str, site: FractureSite
) -> None:
    if not _verified(reader, resource, where):
        return
    fracture: dict[str, object] = {"site": site.value}
    found, trauma = reader.extension_code(resource, where, c.TRAUMA_EXTENSION, c.TRAUMA_CODES)
    if not found:
        return
    if trauma is None:
        reader.missing(
            f"{where}.extension", f"the trauma ({c.TRAUMA_EXTENSION}: minimal, low or high)"
        )
        return
    fracture["trauma"] = trauma
    if resource.get("onsetAge") is not None:
        age = reader.quantity(resource["onsetAge"], f"{where}.onsetAge", "age_at_fracture")
        if age is None:
            return
        fracture["age_at_fracture"] = age
    else:
        when = reader.effective(resource, where)
        if when is None:
            reader.missing(f"{where}.onsetDateTime", "the date of the fracture or onsetAge")
            return
        fracture["date"] = when[0]
    reader.add("fractures", fracture, where)


def _read_allergy(reader: _Reader, resource: Mapping[str, object], where: str) -> None:
    codings = reader.codings(resource.get("code"), f"{where}.code")
    if not any(_is_bisphosphonate(s, k) for s, k, _ in codings):
        if _BISPHOSPHONATE_WORDS.search(reader.concept_text(resource.get("code"))):
            reader.unknown(
                f"{where}.code",
                "names a bisphosphonate without its ATC code",
                reader.concept_text(resource.get("code")),
                "ATC M05BA or M05BB",
            )
        else:
            reader.ignore(where, "not a bisphosphonate")
        return
    if _verified(reader, resource, where):
        reader.offer("risks.bisphosphonate_hypersensitivity", value=True, when=None, where=where)


_GIVEN: Final = {
    "MedicationAdministration": (
        frozenset({"completed"}),
        frozenset({"not-done", "entered-in-error"}),
    ),
    "MedicationStatement": (
        frozenset({"completed"}),
        frozenset({"entered-in-error", "not-taken", "intended"}),
    ),
}


def _medication(
    reader: _Reader, resource: Mapping[str, object], where: str
) -> tuple[object, str] | None:
    """The medication concept of an administration and its path, resolving a reference."""
    if resource.get("medicationCodeableConcept") is not None:
        return resource["medicationCodeableConcept"], f"{where}.medicationCodeableConcept"
    ref = resource.get("medicationReference")
    data = reader.mapping(ref, f"{where}.medicationReference") if ref is not None else None
    if data is None:
        if ref is None:
            reader.missing(f"{where}.medicationCodeableConcept", "the drug by its ATC code")
        return None
    target = reader.by_reference.get(str(data.get("reference")))
    if target is None or target.get("resourceType") != "Medication":
        reader.problem(
            f"{where}.medicationReference.reference",
            "no Medication in the Bundle",
            data.get("reference"),
            "the reference of a Medication entry",
        )
        return None
    return target.get("code"), f"{where}.medicationReference→code"


def _read_given(reader: _Reader, resource: Mapping[str, object], where: str, kind: str) -> None:
    found = _medication(reader, resource, where)
    if found is None:
        return
    concept, path = found
    codings = reader.codings(concept, path)
    drugs = {_DRUGS[(s, k)] for s, k, _ in codings if (s, k) in _DRUGS}
    if not drugs:
        other = [f"{s}|{k}" for s, k, _ in codings if _is_bisphosphonate(s, k)]
        if other or _BISPHOSPHONATE_WORDS.search(reader.concept_text(concept)):
            reader.unknown(
                path,
                "a bisphosphonate the protocol cannot count",
                other or reader.concept_text(concept),
                "zoledronic acid (ATC M05BA08) or pamidronate (ATC M05BA03)",
            )
        else:
            reader.ignore(where, "not a drug of the protocol")
        return
    if len(drugs) > 1:
        reader.problem(path, "the codes name different drugs", sorted(drugs), "one drug")
        return
    given, skipped = _GIVEN[kind]
    status = _hashable(resource.get("status"))
    if status in skipped:
        reader.ignore(where, f"status {status}")
        return
    if status not in given:
        reader.problem(
            f"{where}.status",
            "cannot tell what was given",
            status,
            "completed (or not-done / entered-in-error to leave it out)",
        )
        return
    when = reader.effective(resource, where)
    if when is None:
        reader.missing(f"{where}.effectiveDateTime", "the date of the infusion")
        return
    dose_path, dose = _dose_element(resource, where, kind)
    if dose is None:
        reader.missing(dose_path, "the dose given, in mg")
        return
    value = reader.quantity(dose, dose_path, "dose")
    if value is None:
        return
    record: dict[str, object] = {"drug": drugs.pop().value, "date": when[0], "dose": value}
    readable, grade = reader.extension_code(
        resource, where, c.COMPLICATION_EXTENSION, c.COMPLICATION_CODES
    )
    if not readable:
        return
    if grade is not None:
        record["complication"] = grade
    reader.add("infusions", record, where)


def _dose_element(resource: Mapping[str, object], where: str, kind: str) -> tuple[str, object]:
    if kind == "MedicationAdministration":
        dosage = resource.get("dosage")
        dose = dosage.get("dose") if isinstance(dosage, Mapping) else None
        return f"{where}.dosage.dose", dose
    dosages = resource.get("dosage")
    if isinstance(dosages, list) and dosages and isinstance(dosages[0], Mapping):
        rates = dosages[0].get("doseAndRate")
        if isinstance(rates, list) and rates and isinstance(rates[0], Mapping):
            return f"{where}.dosage[0].doseAndRate[0].doseQuantity", rates[0].get("doseQuantity")
    return f"{where}.dosage[0].doseAndRate[0].doseQuantity", None


_SUBJECT: Final = {
    "Observation": "subject",
    "Condition": "subject",
    "AllergyIntolerance": "patient",
    "MedicationAdministration": "subject",
    "MedicationStatement": "subject",
}
_READERS: Final[dict[str, Callable[[_Reader, Mapping[str, object], str], None]]] = {
    "Observation": _read_observation,
    "Condition": _read_condition,
    "AllergyIntolerance": _read_allergy,
    "MedicationAdministration": lambda r, res, w: _read_given(
        r, res, w, "MedicationAdministration"
    ),
    "MedicationStatement": lambda r, res, w: _read_given(r, res, w, "MedicationStatement"),
}


def _about_patient(reader: _Reader, resource: Mapping[str, object], where: str, kind: str) -> bool:
    subject = resource.get(_SUBJECT[kind])
    if subject is None:
        return True
    data = reader.mapping(subject, f"{where}.{_SUBJECT[kind]}")
    if data is None:
        return False
    reference = _hashable(data.get("reference"))
    if reference is None or reference in reader.patient_refs:
        return True
    reader.problem(
        f"{where}.{_SUBJECT[kind]}.reference",
        "is not the Bundle's Patient",
        reference,
        " or ".join(sorted(reader.patient_refs)) or "the Patient of the Bundle",
    )
    return False


# ---- the Bundle ------------------------------------------------------------------------------


def is_bundle(data: object) -> bool:
    """Whether parsed JSON ``data`` is a FHIR Bundle (``resourceType`` ``Bundle``)."""
    return isinstance(data, Mapping) and data.get("resourceType") == "Bundle"


def _entries(reader: _Reader, bundle: object) -> list[tuple[str, Mapping[str, object]]]:
    top = reader.mapping(bundle, "Bundle")
    if top is None:
        return []
    if top.get("resourceType") != "Bundle":
        reader.problem("Bundle.resourceType", "not a Bundle", top.get("resourceType"), "Bundle")
        return []
    raw = top.get("entry")
    if not isinstance(raw, list):
        reader.problem("Bundle.entry", "must be a list", raw, "the entries of the Bundle")
        return []
    if len(raw) > MAX_ENTRIES:
        reader.problem(
            "Bundle.entry",
            f"more than {MAX_ENTRIES} entries",
            len(raw),
            f"at most {MAX_ENTRIES} entries (one patient's record for this decision)",
        )
        return []
    entries = []
    seen: dict[str, str] = {}
    for index, item in enumerate(raw):
        entry = reader.mapping(item, f"Bundle.entry[{index}]")
        if entry is None:
            continue
        resource = reader.mapping(entry.get("resource"), f"Bundle.entry[{index}].resource")
        if resource is None:
            continue
        where = _where(resource, index)
        if where in seen:
            reader.problem(
                where, "two entries with the same resource type and id", where, "unique ids"
            )
            continue
        seen[where] = where
        full_url = entry.get("fullUrl")
        for alias in (full_url, where):
            if isinstance(alias, str):
                reader.by_reference[alias] = resource
        entries.append((where, resource))
    return entries


def _the_patient(
    reader: _Reader, entries: list[tuple[str, Mapping[str, object]]], source: str
) -> tuple[str, Mapping[str, object]]:
    """The Bundle's one Patient, and the references that name it.

    Raises:
        FhirInputError: the Bundle holds no Patient or more than one.
    """
    patients = [(w, r) for w, r in entries if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        if entries or not reader.problems:
            reader.problem(
                "Bundle.entry",
                "a Bundle must hold exactly one Patient",
                len(patients),
                "one Patient resource",
            )
        raise FhirInputError(reader.problems, source=source)
    where, patient = patients[0]
    reader.patient_refs = {where} | {k for k, v in reader.by_reference.items() if v is patient}
    return where, patient


def read_bundle(
    bundle: object, *, assessment_date: dt.date | None = None, source: str = ""
) -> BundleReading:
    """Read a patient from a FHIR R4 Bundle (parsed JSON), with where each value came from.

    Args:
        bundle: The Bundle as parsed JSON (a dict).
        assessment_date: The date the decision is made for; by default the date of the Bundle's
            ``timestamp``. Values dated after it are errors.
        source: Where the Bundle came from (a file name), named in the error.

    Raises:
        FhirInputError: listing every problem, each with the resource and element path.
    """
    reader = _Reader()
    entries = _entries(reader, bundle)
    fields: dict[str, object] = {"schema_version": 1}
    where, patient = _the_patient(reader, entries, source)
    fields.update(_read_patient(reader, patient, where))
    today = assessment_date or _timestamp(reader, bundle)
    if today is not None:
        fields["assessment_date"] = today
    sources: dict[str, str] = {"birth_date": where, "sex": where}
    for where, resource in entries:
        kind = str(resource.get("resourceType"))
        read = _READERS.get(kind)
        if read is None:
            if kind not in {"Patient", "Medication"}:
                reader.ignore(where, f"a {kind} is not read")
            continue
        if _about_patient(reader, resource, where, kind):
            read(reader, resource, where)
    dates = _gather(reader, fields, sources)
    if today is not None:
        _no_future(reader, today, dates, sources)
    if reader.problems:
        raise FhirInputError(reader.problems, source=source)
    try:
        built = patient_from_dict(fields, source=source)
    except PatientInputError as error:
        raise FhirInputError([_locate(p, sources) for p in error.problems], source=source) from None
    return BundleReading(built, sources, dates, tuple(reader.ignored))


@attrs.frozen
class HistoryReading:
    """One patient's history read from a Bundle by :func:`read_history_bundle`.

    Attributes:
        patient_id: The caller's id of the patient (its identifier), else the Patient's id.
        birth_date: The birth date.
        sex: ``female``, ``male`` or ``other``.
        diagnosis: The condition of P-IND-A (a :class:`~bisphos.model.Diagnosis` value).
        administrations: Each infusion given: drug, day, dose (mg), volume (ml), infusion time
            (minutes), and the resource it came from.
        measurements: Each dated value: the field (``weight``, ``height``, ``temperature``, a
            lab of :data:`bisphos.model.LAB_KINDS`), the day, the value in its kind's unit, and
            the resource it came from.
    """

    patient_id: str
    birth_date: dt.date
    sex: str
    diagnosis: str
    administrations: tuple[tuple[str, dt.date, float, float, float, str], ...]
    measurements: tuple[tuple[str, dt.date, float, str], ...]


def _timing(
    reader: _Reader, resource: Mapping[str, object], where: str
) -> tuple[float, float] | None:
    """An administration's volume (ml) and time (min): its period and its rate (volume/time)."""
    period = reader.mapping(resource.get("effectivePeriod"), f"{where}.effectivePeriod")
    if period is None:
        return None
    times = []
    for end in ("start", "end"):
        text = period.get(end)
        try:
            times.append(dt.datetime.fromisoformat(str(text)))
        except ValueError:
            reader.problem(
                f"{where}.effectivePeriod.{end}",
                "not a date and time",
                text,
                "a dateTime with its time of day, such as 2026-11-23T09:00:00+01:00",
            )
    if len(times) < 2:
        return None
    try:
        minutes = (times[1] - times[0]).total_seconds() / 60
    except TypeError:
        reader.problem(
            f"{where}.effectivePeriod",
            "a start and an end with and without a time zone",
            None,
            "both with a time zone, or both without",
        )
        return None
    if not minutes > 0:
        reader.problem(f"{where}.effectivePeriod", "ends before it starts", minutes, "> 0 minutes")
        return None
    dosage = reader.mapping(resource.get("dosage"), f"{where}.dosage")
    rate = None if dosage is None else dosage.get("rateQuantity")
    if rate is None:
        reader.missing(f"{where}.dosage.rateQuantity", "the pump rate, a volume per time")
        return None
    value = reader.quantity(rate, f"{where}.dosage.rateQuantity", "", INFUSION_RATE)
    if value is None:
        return None
    return float(value.m_as("milliliter / hour")) * minutes / 60, minutes


_HISTORY_FIELDS: Final = ("weight", "height", "vitals.temperature", *(f"labs.{n}" for n in _LABS))


def read_history_bundle(bundle: object, *, source: str = "") -> HistoryReading:
    """Read one patient's whole history from a FHIR R4 Bundle (parsed JSON) for an audit.

    The Patient (birth date, gender, identifier), the Condition coding the diagnosis, every
    completed MedicationAdministration of zoledronic acid or pamidronate (its dose, its
    ``effectivePeriod`` and its ``dosage.rateQuantity``: the infusion time and, rate times time,
    the volume) and every final Observation of a weight, height, temperature or lab the audit
    reads, each with its date, read with the codes and units of :func:`read_bundle`. Unlike
    :func:`read_bundle` every value is kept, not the latest.

    Raises:
        FhirInputError: listing every problem, each with the resource and element path.
    """
    reader = _Reader()
    entries = _entries(reader, bundle)
    where, patient = _the_patient(reader, entries, source)
    fields = _read_patient(reader, patient, where)
    by_where = dict(entries)
    for where, resource in entries:
        kind = str(resource.get("resourceType"))
        read = _READERS.get(kind) if kind != "MedicationStatement" else None
        if read is not None and _about_patient(reader, resource, where, kind):
            read(reader, resource, where)
    given = []
    for record, where in reader.lists.get("infusions", []):
        data = dict(record)  # type: ignore[call-overload]
        timing = _timing(reader, by_where[where], where)
        if timing is not None:
            day = data["date"]
            dose = float(data["dose"].m_as("milligram"))
            given.append((str(data["drug"]), day, dose, timing[0], timing[1], where))
    measured = []
    for field in _HISTORY_FIELDS:
        for value in reader.values.get(field, []):
            if value.date is None:
                reader.problem(
                    value.where,
                    "a value without a date cannot be placed in a history",
                    None,
                    "effectiveDateTime",
                )
                continue
            raw = value.value["value"] if isinstance(value.value, dict) else value.value
            if isinstance(raw, ureg.Quantity):  # in its kind's canonical unit, as read
                measured.append(
                    (field.rpartition(".")[2], value.date, float(raw.magnitude), value.where)
                )
    diagnoses = reader.lists.get("diagnosis", [])
    if not diagnoses:
        reader.missing("Condition.code", "a Condition coding the diagnosis (see the mapping table)")
    if reader.problems:
        raise FhirInputError(reader.problems, source=source)
    return HistoryReading(
        patient_id=str(fields.get("patient_id") or patient.get("id") or ""),
        birth_date=fields["birth_date"],  # type: ignore[arg-type]
        sex=str(fields["sex"]),
        diagnosis=str(diagnoses[0][0]),
        administrations=tuple(given),
        measurements=tuple(measured),
    )


def _timestamp(reader: _Reader, bundle: object) -> dt.date | None:
    stamp = bundle.get("timestamp") if isinstance(bundle, Mapping) else None
    if stamp is None:
        reader.missing("Bundle.timestamp", "the assessment date (or pass assessment_date)")
        return None
    when = reader.date(stamp, "Bundle.timestamp")
    return None if when is None else when[0]


def _gather(
    reader: _Reader, fields: dict[str, object], sources: dict[str, str]
) -> dict[str, dt.date | None]:
    """Put the latest value of each field, and every item of each list, into ``fields``."""
    dates: dict[str, dt.date | None] = {}
    vital_dates: dict[str, dt.date] = {}
    for path in sorted(reader.values):
        best = reader.latest(path)
        if best is None:
            continue
        value = best.value
        if path.startswith("labs.") and best.date is not None:
            value = {**value, "date": best.date}  # type: ignore[dict-item]
        if path == "weight" and best.date is not None:
            value = {"value": value, "date": best.date}  # P-FRESH: the weight's date
        _put(fields, path, value)
        group = path.partition(".")[0]
        if group in {"vitals", "baseline_vitals"} and best.date is not None:
            # P-FRESH: vital signs are of one day; of several days, the oldest counts.
            taken = vital_dates.get(group)
            vital_dates[group] = best.date if taken is None else min(taken, best.date)
        sources[path] = best.where
        dates[path] = best.date
    for group, taken in vital_dates.items():
        _put(fields, f"{group}.date", taken)
    for path, items in reader.lists.items():
        if path == "diagnosis":
            distinct = {value for value, _ in items}
            if len(distinct) > 1:
                for value, where in items[1:]:
                    reader.problem(
                        f"{where}.code",
                        "a second diagnosis of the protocol",
                        value,
                        f"one diagnosis; {items[0][1]} gives {items[0][0]}",
                    )
            fields["diagnosis"] = items[0][0]
            sources["diagnosis"] = items[0][1]
            continue
        fields[path] = [value for value, _ in items]
        for index, (_, where) in enumerate(items):
            sources[f"{path}[{index}]"] = where
    if "diagnosis" not in reader.seen:
        reader.missing("Condition.code", "a Condition coding the diagnosis (see the mapping table)")
    if "weight" not in reader.seen:
        reader.missing("Observation.code", "a body weight Observation (LOINC 29463-7)")
    return dates


def _put(fields: dict[str, object], path: str, value: object) -> None:
    head, _, tail = path.partition(".")
    if not tail:
        fields[head] = value
        return
    group = fields.setdefault(head, {})
    assert isinstance(group, dict)
    group[tail] = value


def _no_future(
    reader: _Reader, today: dt.date, dates: Mapping[str, dt.date | None], sources: Mapping[str, str]
) -> None:
    for path, day in dates.items():
        if day is not None and day > today:
            reader.problem(
                sources[path],
                "dated after the assessment date",
                day.isoformat(),
                f"a date on or before {today.isoformat()}",
            )


def _locate(problem: InputError, sources: Mapping[str, str]) -> InputError:
    """Name the resource of a problem the patient model found (``fractures[1].date``)."""
    field = problem.field
    best = max(
        (key for key in sources if field == key or field.startswith((f"{key}.", f"{key}["))),
        key=len,
        default=None,
    )
    if best is None:
        return problem
    rest = field[len(best) :].lstrip(".")
    clone = type(problem).__new__(type(problem))
    clone.__dict__.update(problem.__dict__)
    clone.field = f"{sources[best]} ({field})" if rest else f"{sources[best]} ({best})"
    Exception.__init__(clone, clone._render())
    return clone


def patient_from_bundle(
    bundle: object, *, assessment_date: dt.date | None = None, source: str = ""
) -> Patient:
    """Return the patient of a FHIR R4 Bundle (parsed JSON); see :func:`read_bundle`.

    Raises:
        FhirInputError: listing every problem, each with the resource and element path.
    """
    return read_bundle(bundle, assessment_date=assessment_date, source=source).patient


def bundle_from_text(text: str, *, source: str = "") -> object:
    """Parse FHIR JSON text (at most :data:`MAX_TEXT_BYTES` characters).

    Raises:
        FhirInputError: the text is too long or not JSON (duplicate keys and NaN refused).
    """
    if len(text) > MAX_TEXT_BYTES:
        raise FhirInputError(
            [
                InvalidValueError(
                    "the Bundle is too large",
                    value=len(text),
                    expected=f"at most {MAX_TEXT_BYTES} characters",
                )
            ],
            source=source,
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except BisphosError as error:
        problem = error if isinstance(error, InputError) else InvalidValueError(str(error))
        raise FhirInputError([problem], source=source) from None
    except (ValueError, RecursionError) as error:
        raise FhirInputError(
            [InvalidValueError(f"not valid JSON: {error}")], source=source
        ) from None


def load_bundle(path: str | Path, *, assessment_date: dt.date | None = None) -> Patient:
    """Read the patient of a FHIR Bundle file (JSON); see :func:`read_bundle`.

    Raises:
        FhirInputError: the file cannot be read, or holds problems (each named with its path).
    """
    file = Path(path)
    try:  # a regular file only, opened without blocking, at most MAX_TEXT_BYTES read
        text = read_bounded(file, limit=MAX_TEXT_BYTES, field="").decode("utf-8")
    except (InputError, UnicodeDecodeError) as error:
        raise FhirInputError(
            [InvalidValueError(f"cannot read the file: {error}", value=str(file))], source=str(file)
        ) from None
    data = bundle_from_text(text, source=str(file))
    return patient_from_bundle(data, assessment_date=assessment_date, source=str(file))
