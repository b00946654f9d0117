"""Fuzzing of every public entry: whatever comes in, only a BisphosError goes out.

Bad input must become a typed, explained error (the design's "bad input gets a clear, typed
error"), never a ``KeyError``, ``TypeError``, ``DimensionalityError`` or a traceback from deep
inside; valid input must give an answer. Each property runs at the active profile's default
number of examples.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import random
import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import attrs
import pint
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bisphos import cli
from bisphos import quantities as q
from bisphos.engine import Engine
from bisphos.errors import BisphosError
from bisphos.io import load_patient, patient_from_dict, patient_from_text
from bisphos.model import (
    BmdMeasurement,
    BmdSite,
    ComplicationGrade,
    Diagnosis,
    Drug,
    Fracture,
    FractureSite,
    InfusionRecord,
    LabResult,
    Labs,
    OISeverity,
    Patient,
    RiskFlags,
    Sex,
    Trauma,
    VitalSigns,
)
from bisphos.oncology import AdultPatient, MenopausalStatus, Setting, Tumour, recommend
from bisphos.pediatric.assessment import Assessment, assess
from bisphos.pediatric.dosing import Dose, DosingOptions, MaintenanceBand, dose_for
from bisphos.pediatric.infusion import PreparationOptions
from bisphos.pediatric.limits import daily_cap
from bisphos.pediatric.schedule import Course, Horizon, plan_course
from bisphos.records import ReplayReport, record_json, replay
from bisphos.units import Quantity, parse_quantity, parse_unit, ureg
from bisphos.validation import printable
from tests._profiles import examples

_T = TypeVar("_T")

EXAMPLE = Path(__file__).parent.parent / "examples" / "patients" / "oi-girl-20kg.json"


def _answer_or_bisphos_error(call: Callable[[], _T]) -> _T | None:
    """Return the call's answer, or ``None`` when it raised a BisphosError.

    Any other exception propagates and fails the test: it is an escape from the typed errors.
    """
    try:
        return call()
    except BisphosError as error:
        if not str(error):  # an error always explains itself
            raise AssertionError(f"{type(error).__name__} without a message") from error
        return None


# --- arbitrary JSON, text and bytes ------------------------------------------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)


@cache
def _example() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return loaded


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path into ``value`` (keys and list indexes), the value itself first."""
    found: list[tuple[str | int, ...]] = [prefix]
    children: list[tuple[str | int, object]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for key, child in children:
        found += _paths(child, (*prefix, key))
    return found


_EXAMPLE_PATHS = tuple(path for path in _paths(_example()) if path)


def _replaced(data: object, path: tuple[str | int, ...], value: object) -> object:
    """A deep copy of ``data`` with the item at ``path`` replaced by ``value``."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {
            key: _replaced(item, rest, value) if key == head else item for key, item in data.items()
        }
    assert isinstance(data, list)
    return [
        _replaced(item, rest, value) if index == head else item for index, item in enumerate(data)
    ]


def test_example_offers_deep_paths() -> None:
    """The fuzzed example reaches nested fields such as labs.pth.upper_limit."""
    assert ("labs", "pth", "upper_limit") in _EXAMPLE_PATHS
    assert ("fractures", 2, "date") in _EXAMPLE_PATHS


_VALUES = _SCALARS | st.lists(_SCALARS, max_size=2) | st.dictionaries(st.text(max_size=8), _SCALARS)


@given(path=st.sampled_from(_EXAMPLE_PATHS), value=_VALUES)
def test_patient_from_dict_any_value_at_any_depth(
    path: tuple[str | int, ...], value: object
) -> None:
    """A valid patient with any one field, at any depth, replaced by any JSON value: a Patient
    or a BisphosError, never another exception."""
    data = _replaced(_example(), path, value)
    result = _answer_or_bisphos_error(lambda: patient_from_dict(data))
    assert result is None or isinstance(result, Patient)


_TOML_TEXT = st.lists(
    st.builds(
        "{} = {}".format,
        st.sampled_from(sorted(_example())),
        st.sampled_from(['"20 kg"', '"2020-01-01"', "1", "true", "[]", "{}", '"female"', "nan"]),
    ),
    max_size=8,
).map("\n".join)
_TEXTS = st.text(max_size=200) | _TOML_TEXT | st.builds(json.dumps, _VALUES)


@given(text=_TEXTS, file_format=st.sampled_from(["json", "toml"]) | st.text(max_size=6))
def test_patient_from_text_any_text(text: str, file_format: str) -> None:
    """Any text, read as JSON, TOML or an unknown format: a Patient or a BisphosError."""
    result = _answer_or_bisphos_error(lambda: patient_from_text(text, file_format=file_format))
    assert result is None or isinstance(result, Patient)


_EXAMPLE_BYTES = EXAMPLE.read_bytes()


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.binary(max_size=300)
    | st.builds(lambda text: text.encode(), _TEXTS)
    | st.integers(0, len(_EXAMPLE_BYTES)).map(lambda end: _EXAMPLE_BYTES[:end]),
    suffix=st.sampled_from([".json", ".toml", ".JSON", ".txt", ""]),
)
def test_load_patient_any_bytes(fuzz_dir: Path, content: bytes, suffix: str) -> None:
    """Any bytes in a .json, .toml or other file: a Patient or a BisphosError."""
    path = fuzz_dir / f"patient{suffix}"
    path.write_bytes(content)
    result = _answer_or_bisphos_error(lambda: load_patient(path))
    assert result is None or isinstance(result, Patient)


def test_load_patient_missing_file_is_a_bisphos_error(fuzz_dir: Path) -> None:
    """A file that does not exist is reported as a BisphosError, naming the file."""
    with pytest.raises(BisphosError, match="cannot read the file"):
        load_patient(fuzz_dir / "absent.json")


# --- units and quantities ---------------------------------------------------------------------

_UNIT_ATOMS = [
    *("kg", "g", "mg", "ug", "mcg", "µg", "μg", "lb", "oz", "cm", "m", "mm", "in"),
    *("L", "l", "dL", "ml", "mL", "uL", "mmol", "umol", "µmol", "nmol", "pmol"),
    *("s", "min", "h", "d", "week", "mo", "year", "Bq", "kBq", "MBq", "U", "IU"),
    *("mmHg", "kPa", "%", "degC", "°C", "°F", "degF", "bpm", "/min", "10^9", "x10^9"),
    *("mL/min/1.73m2", "1.73m²", "KG", "MG", "cc", "gr", "**", "^", "*", "·", "/", "-"),
    *("2", "³", "²", "1"),
]
_UNIT_TEXT = st.lists(st.sampled_from(_UNIT_ATOMS), max_size=4).map(" ".join) | st.lists(
    st.sampled_from(_UNIT_ATOMS), max_size=4
).map("/".join)
_NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers().map(str),
    st.sampled_from(["1,000", "2,2", ".5", "-3", "1e400", "−2", "+4.", ",5", "1e-400", "0x10"]),
)


@given(text=st.text(max_size=40) | _UNIT_TEXT)
def test_parse_unit_any_text(text: str) -> None:
    """parse_unit: any text is a unit of the registry or a BisphosError."""
    unit = _answer_or_bisphos_error(lambda: parse_unit(text, field="unit"))
    assert unit is None or isinstance(unit, ureg.Unit)


@given(
    value=st.text(max_size=40)
    | st.builds("{}{}{}".format, _NUMBER_TEXT, st.sampled_from(["", " ", "  "]), _UNIT_TEXT)
    | st.from_type(type).flatmap(st.from_type)
    | st.binary(max_size=8)
)
def test_parse_quantity_any_text_or_object(value: object) -> None:
    """parse_quantity: any text is a finite quantity of the registry or a BisphosError; any
    other object is a BisphosError."""
    result = _answer_or_bisphos_error(lambda: parse_quantity(value, field="value"))  # type: ignore[arg-type]
    if result is not None:
        assert isinstance(value, str)
        assert isinstance(result, ureg.Quantity)
        assert math.isfinite(result.magnitude)


_KINDS = tuple(kind for name in q.__all__ if isinstance(kind := getattr(q, name), q.QuantityKind))
_REGISTRY_UNITS = [
    *("kilogram", "milligram", "microgram", "pound", "centimeter", "inch", "liter"),
    *("milliliter", "deciliter", "millimole", "micromole", "nanomole", "picomole", "second"),
    *("minute", "hour", "day", "week", "month", "year", "becquerel", "kilobecquerel"),
    *("enzyme_unit", "international_unit", "millimeter_Hg", "kilopascal", "percent"),
    *("degree_Celsius", "degree_Fahrenheit", "mL_min_1_73m2", "ten_to_the_9", "dimensionless"),
]
_UNITS = st.sampled_from(_REGISTRY_UNITS) | st.builds(
    "{} / {}".format, st.sampled_from(_REGISTRY_UNITS), st.sampled_from(_REGISTRY_UNITS)
)
_MAGNITUDES = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**30), 10**30)


@cache
def _other_registry() -> pint.UnitRegistry[float]:
    return pint.UnitRegistry(cache_folder=None)


_OBJECTS: st.SearchStrategy[object] = st.one_of(
    _SCALARS,
    st.binary(max_size=8),
    st.decimals(),
    st.complex_numbers(),
    st.lists(st.integers(), max_size=3),
    st.builds(ureg.Quantity, _MAGNITUDES, _UNITS),
    st.builds(ureg.Quantity, st.complex_numbers() | st.decimals() | st.fractions(), _UNITS),
    st.builds(lambda m: _other_registry().Quantity(m, "kilogram"), _MAGNITUDES),
    st.builds("{} {}".format, _NUMBER_TEXT, _UNIT_TEXT),
)


@given(kind=st.sampled_from(_KINDS), value=_OBJECTS)
def test_every_quantity_kind_conform_any_object(kind: q.QuantityKind, value: object) -> None:
    """QuantityKind.conform: any object is a finite quantity in the canonical unit or an error."""
    result = _answer_or_bisphos_error(lambda: kind.conform(value, field="value"))
    if result is not None:
        assert result.units == kind.canonical
        assert math.isfinite(result.magnitude)


def test_there_are_kinds_to_fuzz() -> None:
    """The fuzzed kinds include the weight, creatinine, GFR, dose, volume and rate."""
    for kind in (q.WEIGHT, q.CREATININE, q.GFR, q.DOSE, q.VOLUME, q.INFUSION_RATE):
        assert kind in _KINDS


# --- the pediatric decisions ------------------------------------------------------------------

_TODAY = dt.date(2026, 1, 15)


def _qs(unit: str, *magnitudes: float) -> tuple[Quantity, ...]:
    return tuple(ureg.Quantity(m, unit) for m in magnitudes)


# Values at and around every threshold of the catalogue, in several units. The details of a
# patient are drawn from these with a seeded random generator (one Hypothesis choice), so that
# an example costs about a millisecond; the age, weight and diagnosis are Hypothesis choices.
_LAB_VALUES: dict[str, tuple[Quantity, ...]] = {
    "calcium": (*_qs("mmol/L", 2.2, 2.199, 1.9, 2.4), *_qs("mg/dL", 8.8, 9.6)),
    "phosphate": _qs("mmol/L", 1.4, 0.2),
    "alkaline_phosphatase": _qs("U/L", 250.0, 9000.0),
    "urea": _qs("mmol/L", 4.0),
    "creatinine": (*_qs("umol/L", 40.0, 39.999, 5.0, 2900.0), *_qs("mg/dL", 0.45)),
    "albumin": _qs("g/L", 40.0, 20.0, 55.0),
    "vitamin_d_25oh": (*_qs("nmol/L", 50.0, 49.999, 80.0), *_qs("ng/mL", 20.0)),
}
_PTH = (*_qs("pmol/L", 7.0, 7.001, 3.0), *_qs("pg/mL", 66.0))
_PTH_LIMIT = _qs("pmol/L", 7.0, 6.9)
_TEMPERATURES = (*_qs("degC", 38.5, 38.501, 36.8, 41.0), *_qs("degF", 101.3, 101.4))
_HEART_RATES = _qs("1/min", 80.0, 96.0, 96.001, 64.0, 63.999, 200.0)
_PRESSURES = (*_qs("mmHg", 100.0, 120.0, 120.001, 80.0, 79.999, 60.0), *_qs("kPa", 13.3))
_HEIGHTS = (*_qs("cm", 90.0, 45.0, 112.0, 180.0), *_qs("m", 1.2), *_qs("inch", 40.0))
_WEIGHTS = (
    st.sampled_from(_qs("kg", 0.4, 3.5, 20.0, 45.0, 80.0, 150.0, 250.0))
    | st.builds(ureg.Quantity, st.floats(min_value=0.4, max_value=250.0), st.just("kg"))
    | st.builds(ureg.Quantity, st.floats(min_value=0.9, max_value=551.0), st.just("lb"))
)
_Z_SCORES = (-2.0, -1.999, -2.001, -3.5, 0.0, 0.001, 1.2)
_GENES = ("WNT1", "LRP5", "COL1A1", "PLS3")


def _maybe(rng: random.Random, values: Sequence[_T]) -> _T | None:
    return None if rng.random() < 0.25 else rng.choice(values)


def _flag(rng: random.Random) -> bool:
    return rng.random() < 0.3


def _vitals(rng: random.Random) -> VitalSigns:
    return VitalSigns(
        temperature=_maybe(rng, _TEMPERATURES),
        heart_rate=_maybe(rng, _HEART_RATES),
        systolic_bp=_maybe(rng, _PRESSURES),
        diastolic_bp=_maybe(rng, _PRESSURES[-3:]),
    )


def _history(rng: random.Random, on: Callable[[float], dt.date]) -> list[InfusionRecord]:
    return [
        InfusionRecord(
            drug=rng.choice(tuple(Drug)),
            date=on(rng.random()),
            dose=ureg.Quantity(1.0, "mg"),
            complication=rng.choice(tuple(ComplicationGrade)),
        )
        for _ in range(rng.randint(0, 3))
    ]


@st.composite
def _children(draw: st.DrawFn) -> Patient:
    """Valid patients of 0 to 25 years (some out of scope), with values at every threshold."""
    born = _TODAY - dt.timedelta(days=draw(st.integers(0, 25 * 366)))
    weight = draw(_WEIGHTS)
    diagnosis = draw(st.sampled_from(Diagnosis))
    rng = draw(st.randoms(use_true_random=True))
    life = (_TODAY - born).days

    def on(fraction: float) -> dt.date:
        return born + dt.timedelta(days=int(life * fraction))

    fractures = []
    for _ in range(rng.randint(0, 4)):
        site, trauma = rng.choice(tuple(FractureSite)), rng.choice(tuple(Trauma))
        if _flag(rng):
            age = math.floor(life / 365.25 * rng.random() * 100) / 100
            fractures.append(Fracture(site, trauma, age_at_fracture=ureg.Quantity(age, "year")))
        else:
            fractures.append(Fracture(site, trauma, date=on(rng.random())))
    bmd = [
        BmdMeasurement(
            rng.choice(tuple(BmdSite)),
            rng.choice(_Z_SCORES),
            _flag(rng),
            None if _flag(rng) else on(rng.random()),
        )
        for _ in range(rng.randint(0, 3))
    ]
    pth = _maybe(rng, _PTH)
    labs = Labs(
        **{name: _maybe(rng, values) for name, values in _LAB_VALUES.items()},
        pth=None if pth is None else LabResult(pth, upper_limit=_maybe(rng, _PTH_LIMIT)),
    )
    oi = diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA
    return Patient(
        birth_date=born,
        assessment_date=_TODAY,
        sex=rng.choice(tuple(Sex)),
        weight=weight,
        height=_maybe(rng, _HEIGHTS),
        diagnosis=diagnosis,
        oi_severity=_maybe(rng, tuple(OISeverity)) if oi else None,
        gene_variants=rng.sample(_GENES, rng.randint(0, 2)),
        fractures=fractures,
        bmd=bmd,
        labs=labs,
        vitals=_vitals(rng),
        baseline_vitals=_vitals(rng) if _flag(rng) else None,
        infusions=_history(rng, on),
        risks=RiskFlags(
            prolonged_immobilisation=_flag(rng),
            low_bone_turnover=_flag(rng),
            dark_skin=_flag(rng),
            little_time_outdoors=_flag(rng),
            pregnant=_flag(rng),
            could_become_pregnant=_maybe(rng, (True, False)),
            expected_spontaneous_recovery=_flag(rng),
            bisphosphonate_hypersensitivity=_flag(rng),
        ),
        still_growing=_maybe(rng, (True, False)),
    )


# Option values: the guideline's own, their neighbours, other units and odd objects.
_ODD_VALUES = (None, "", "abc", "0.0125 mg/kg", 0.0125, 2, True, math.nan, math.inf)
_PER_KG = st.sampled_from(
    (
        *_qs("mg/kg", 0.0125, 0.025, 0.0125000000001, 0.0124, 0.02, 0.0251, -0.0125, 0.0),
        *_qs("ug/kg", 12.5, 25.0, 20.0),
        *_qs("mg/kg", math.nan, math.inf),
        *_qs("kg", 0.0125),
        *_ODD_VALUES,
    )
)
_STEPS = st.sampled_from(
    (
        *_qs("mg", 0.001, 0.01, 0.1, 1.0, 5.0, 0.0, -0.1, math.nan, math.inf),
        *_qs("ug", 1.0, 250.0),
        *_qs("g", 0.001),
        *_qs("mL", 0.1),
        *_ODD_VALUES,
    )
)
_HUNGRY = st.sampled_from((-1, 0, 1, 2, 3, 12, 13, *_ODD_VALUES))
_OPTIONS = st.builds(
    DosingOptions,
    zoledronic_first_per_kg=_PER_KG,
    zoledronic_high_band_per_kg=_PER_KG,
    hungry_bones_infusions=_HUNGRY,
    zoledronic_precision=_STEPS,
    pamidronate_precision=_STEPS,
)
_HORIZONS = st.builds(
    Horizon,
    infusions=st.sampled_from((None, -1, 0, 1, 2, 3, 101, True, 2.0)),
    until=st.none() | st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2028, 12, 31)),
)
_VOLUMES = st.sampled_from(
    (
        *_qs("mL", 50.0, 100.0, 49.999, 100.001, 75.0, math.nan),
        *_qs("L", 0.05),
        *_qs("mg", 50.0),
        *_ODD_VALUES,
    )
)


def _refused_as_none(draw: st.DrawFn, strategy: st.SearchStrategy[_T]) -> _T | None:
    """Draw from ``strategy``; ``None`` when the drawn values are refused with a BisphosError."""
    try:
        return draw(strategy)
    except BisphosError:
        return None


@attrs.frozen
class _DosingCase:
    """The arguments of one call of dose_for and plan_course."""

    drug: Drug
    number: object
    on: dt.date | None
    start: dt.date | None
    band: MaintenanceBand | None
    options: DosingOptions | None
    horizon: Horizon | None
    preparation: PreparationOptions | None


_DATES = st.none() | st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 12, 31))
_BANDS = st.none() | st.sampled_from(MaintenanceBand)


@st.composite
def _dosing_cases(draw: st.DrawFn) -> _DosingCase:
    volume = draw(_VOLUMES)
    try:
        preparation: PreparationOptions | None = PreparationOptions(zoledronic_volume=volume)
    except BisphosError:
        preparation = None
    return _DosingCase(
        drug=draw(st.sampled_from(Drug)),
        number=draw(st.sampled_from((None, -1, 0, 1, 2, 3, 7, 120, True, 2.0))),
        on=draw(_DATES),
        start=draw(_DATES),
        band=draw(_BANDS),
        options=_refused_as_none(draw, _OPTIONS),
        horizon=_refused_as_none(draw, _HORIZONS),
        preparation=preparation,
    )


@given(patient=_children(), case=_dosing_cases())
def test_pediatric_entries_on_any_valid_patient(patient: Patient, case: _DosingCase) -> None:
    """assess(), dose_for() and plan_course() on any valid patient, in or out of scope: the
    assessment always answers, each finding naming its rule ids (invariant 9); with any options,
    infusion number, dates, band and horizon, every dose is within the daily cap (P-ZOL-CAP,
    P-PAM-CAP, invariant 1) or a BisphosError explains why there is none."""
    assessment = assess(patient)
    assert isinstance(assessment, Assessment)
    assert assessment.findings
    assert all(finding.rule_ids for finding in assessment.findings)
    options = DosingOptions() if case.options is None else case.options
    cap = daily_cap(case.drug).dose
    dose = _answer_or_bisphos_error(
        lambda: dose_for(
            patient,
            case.drug,
            infusion_number=case.number,  # type: ignore[arg-type]
            on=case.on,
            band=case.band,
            options=options,
        )
    )
    if dose is not None:
        assert isinstance(dose, Dose)
        assert 0 < dose.value.magnitude <= cap.magnitude
    course = _answer_or_bisphos_error(
        lambda: plan_course(
            patient,
            case.drug,
            start=case.start,
            horizon=case.horizon,
            band=case.band,
            dosing=options,
            preparation=PreparationOptions() if case.preparation is None else case.preparation,
        )
    )
    if course is not None:
        assert isinstance(course, Course)
        assert all(0 < planned.dose.value <= cap for planned in course.infusions)


# --- the oncology recommendation ----------------------------------------------------------------

_ADULT_TODAY = dt.date(2024, 5, 1)
_CREATININES = (*_qs("umol/L", 5.0, 80.0, 200.0, 3000.0), *_qs("mg/dL", 0.9, 3.5))
_LIFE = (*_qs("month", 2.0, 3.0, 3.1, 24.0), *_qs("year", 10.0))
_COUNTS = _qs("ten_to_the_9 / liter", 0.0, 0.99, 1.0, 1.5, 49.0, 50.0, 100.0, 400.0)
_HAEMOGLOBIN = (*_qs("g/dL", 9.9, 10.0, 14.0), *_qs("mmol/L", 6.2, 8.0))
_ADULT_CALCIUM = _qs("mmol/L", 1.9, 2.2, 2.5)
_ADULT_VITAMIN_D = _qs("nmol/L", 20.0, 50.0, 90.0)


@st.composite
def _adults(draw: st.DrawFn) -> AdultPatient:
    """Adult patients (some under 18) in every setting; the details drawn from threshold tables.

    Raises BisphosError when the drawn values are refused (e.g. myeloma outside its setting).
    """
    age_days = draw(st.integers(10 * 365, 110 * 365))
    setting = draw(st.sampled_from(Setting))
    tumour = draw(st.sampled_from(Tumour))
    weight = draw(st.floats(min_value=0.4, max_value=300.0))
    rng = draw(st.randoms(use_true_random=True))
    born = _ADULT_TODAY - dt.timedelta(days=age_days)
    start = born + dt.timedelta(days=int(age_days * rng.random()))
    return AdultPatient(
        birth_date=born,
        assessment_date=_ADULT_TODAY,
        sex=rng.choice(tuple(Sex)),
        weight=ureg.Quantity(weight, "kg"),
        setting=setting,
        tumour=tumour,
        serum_creatinine=_maybe(rng, _CREATININES),
        life_expectancy=_maybe(rng, _LIFE),
        high_sre_risk=_maybe(rng, (True, False)),
        menopausal_status=rng.choice(tuple(MenopausalStatus)),
        osteopenia=_flag(rng),
        osteoporosis=_flag(rng),
        active_bone_disease=_flag(rng),
        relapse_or_new_sre=_flag(rng),
        performance_status_declined=_flag(rng),
        stable_disease=_flag(rng),
        treatment_start_date=None if _flag(rng) else start,
        on_denosumab=_flag(rng),
        denosumab_stop_planned=_flag(rng),
        neutrophils=_maybe(rng, _COUNTS),
        platelets=_maybe(rng, _COUNTS),
        haemoglobin=_maybe(rng, _HAEMOGLOBIN),
        radium_injection_number=_maybe(rng, (1, 2, 5, 6)),
        calcium=_maybe(rng, _ADULT_CALCIUM),
        vitamin_d_25oh=_maybe(rng, _ADULT_VITAMIN_D),
        dental_evaluation_done=_flag(rng),
        jaw_surgery_planned=_flag(rng),
        giant_cell_tumour_of_bone=_flag(rng),
        skeletally_mature=_maybe(rng, (True, False)),
    )


@st.composite
def _adult_or_refusal(draw: st.DrawFn) -> AdultPatient | None:
    """An adult patient, or ``None`` when its values were refused with a BisphosError."""
    return _refused_as_none(draw, _adults())


@given(patient=_adult_or_refusal())
def test_oncology_recommend_any_adult(patient: AdultPatient | None) -> None:
    """recommend(): any adult patient (some under 18, O-DMAB-AGE) gets a recommendation whose
    findings all name their rule ids; refused patients are BisphosErrors."""
    if patient is None:
        return
    recommendation = recommend(patient)
    assert recommendation.findings
    assert all(finding.rule_ids for finding in recommendation.findings)


# --- the command line and replay ----------------------------------------------------------------

_CLI_ENGINE = Engine.create(entry_points=False)
#: Option words: valid values, their neighbours, hostile text and numbers past every limit.
_OPTION_WORDS = (
    *("--drug", "zoledronic_acid", "pamidronate", "--start", "2026-11-23", "2019-W11-4"),
    *("9999-06-01", "2199-12-31", "1899-12-31", "--infusions", "6", "0", "101", "٣"),
    *("9" * 5000, "-1", "--maintenance", "--format", "text", "json", "record", "fhir", "ics"),
    *("--lang", "en", "nl", "xx", "--protocol", "nl-pediatric-iv-bp-2024", "\x1b[2J"),
    *("--sign-key", "/dev/null", "--verify-key", "/dev/zero", "\ud800", "", "-", "--"),
    *("--override", "P-WEIGHT-PLAUSIBLE=value-confirmed", "P-GFR=value-confirmed"),
    *("--clinician", "Dr A", "recommend", "--protocol", "nl-oncology-bone-2016"),
    *("--override-time", "2026-11-23T09:30", "9999-12-31T23:59", "--override-note", "a\nb"),
    *("--output", "/dev/full", "out.json", "--help", "--version"),
)
_CONTENT = (
    st.binary(max_size=300)
    | st.builds(lambda text: text.encode("utf-8", "surrogatepass"), _TEXTS)
    | st.integers(0, len(_EXAMPLE_BYTES)).map(lambda end: _EXAMPLE_BYTES[:end])
    | st.builds(
        lambda path, value: json.dumps(_replaced(_example(), path, value)).encode(),
        st.sampled_from(_EXAMPLE_PATHS),
        _VALUES,
    )
)


# Each example plans a patient and writes an output (about 15 ms): half the profile's examples.
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
    max_examples=examples(0.5),
)
@given(
    content=_CONTENT,
    suffix=st.sampled_from([".json", ".toml", ""]),
    arguments=st.tuples(
        st.sampled_from(["plan", "check", "show", "replay"]),
        st.lists(st.sampled_from(_OPTION_WORDS) | st.text(max_size=12), max_size=6),
    ),
)
def test_command_line_any_file_any_options(
    fuzz_dir: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    suffix: str,
    arguments: tuple[str, list[str]],
) -> None:
    """The command line with any bytes as the file and any option values: exit 0, 1 or 2; on
    exit 2 every line is a printable "path: problem" (or argparse's usage); never a traceback,
    never a control character on either stream."""
    command, options = arguments
    path = fuzz_dir / f"cli{suffix}"
    path.write_bytes(content)
    with contextlib.chdir(fuzz_dir):  # an --output file lands there
        code = cli.main([command, str(path), *options], engine=_CLI_ENGINE)
    out, err = capsys.readouterr()
    assert code in (cli.EXIT_OK, cli.EXIT_NOT_CLEARED, cli.EXIT_INPUT_ERROR)
    assert "Traceback" not in err
    assert all(printable(line) == line for line in err.splitlines())
    if code == cli.EXIT_INPUT_ERROR and not err.startswith("usage:"):
        assert err.strip()
        assert all(_PROBLEM.match(line) for line in err.splitlines()), err
    if "--format" not in options:  # the text report: no control sequence reaches a terminal
        assert all(printable(line) == line for line in out.splitlines())


_PROBLEM = re.compile(r"^[^\s:][^:]*: \S.*$")


@cache
def _record_text() -> str:
    return record_json(_CLI_ENGINE.plan(load_patient(EXAMPLE)))


@cache
def _record_paths() -> tuple[tuple[str | int, ...], ...]:
    return tuple(path for path in _paths(json.loads(_record_text())) if path)


@st.composite
def _records(draw: st.DrawFn) -> str:
    """A valid record with one value anywhere replaced by any JSON value, or any text."""
    if draw(st.booleans()):
        return draw(_TEXTS)
    path = draw(st.sampled_from(_record_paths()))
    data = _replaced(json.loads(_record_text()), path, draw(_VALUES))
    return json.dumps(data, indent=2, ensure_ascii=draw(st.booleans())) + "\n"


@settings(deadline=None, max_examples=examples(0.5))  # each example replans (about 15 ms)
@given(text=_records())
def test_replay_any_record(text: str) -> None:
    """replay(): any record (one value anywhere replaced by any JSON value, or any text) gives a
    report or a BisphosError; a report of a changed record is never "byte for byte"."""
    report = _answer_or_bisphos_error(lambda: replay(text, engine=_CLI_ENGINE))
    if report is not None:
        assert isinstance(report, ReplayReport)
        assert report.identical == (text == _record_text())
        assert report.signature.status == "unsigned"
