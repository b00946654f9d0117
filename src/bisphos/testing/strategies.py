"""Public Hypothesis strategies for bisphos values.

Requires the ``hypothesis`` package (the ``tests`` extra). Hospitals testing their own plugins use
these to draw valid patients and quantities in every accepted unit, the same way bisphos tests
itself. All bounds are keyword-only and checked eagerly.

- :func:`quantities` draws a value of one :class:`~bisphos.quantities.QuantityKind` written in any
  of the units clinicians use for it (``lb`` for a weight, ``mg/dL`` for a creatinine).
- :func:`patients` draws valid pediatric patients; it shrinks toward a one-year-old of the lowest
  weight with no history, no labs and no flags.
- :func:`reexpressed` draws the same patient with every quantity written in another accepted unit,
  for checking that decisions do not depend on units (invariant 7).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from functools import cache
from typing import Final

import attrs
from hypothesis import strategies as st

from bisphos import quantities as q
from bisphos.dates import add_months, add_years
from bisphos.model import (
    LAB_KINDS,
    PLAUSIBLE_RANGES,
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
from bisphos.quantities import QuantityKind
from bisphos.units import Quantity, parse_unit, ureg

__all__ = ["ALTERNATIVE_UNITS", "patients", "quantities", "reexpressed"]

#: For each kind, the unit spellings a clinician may use; the first is the canonical one.
ALTERNATIVE_UNITS: Final[dict[QuantityKind, tuple[str, ...]]] = {
    q.WEIGHT: ("kg", "g", "lb"),
    q.HEIGHT: ("cm", "m", "mm", "in"),
    q.AGE: ("year", "month", "week", "d"),
    q.TEMPERATURE: ("degC", "°C", "degF", "°F"),
    q.HEART_RATE: ("/min", "bpm", "beats/min", "1/s"),
    q.BLOOD_PRESSURE: ("mmHg", "kPa"),
    q.CALCIUM: ("mmol/L", "mmol/l", "umol/L", "mg/dL", "mg/dl"),
    q.PHOSPHATE: ("mmol/L", "mg/dL"),
    q.ALKALINE_PHOSPHATASE: ("U/L", "IU/L", "U/ml"),
    q.UREA: ("mmol/L", "umol/L"),
    q.CREATININE: ("umol/L", "µmol/l", "μmol/L", "mcmol/L", "mmol/L", "mg/dL", "mg/dl"),
    q.ALBUMIN: ("g/L", "g/dL", "mg/mL"),
    q.VITAMIN_D_25OH: ("nmol/L", "nmol/l", "ng/mL", "ug/L"),
    q.PTH: ("pmol/L", "pg/mL", "ng/L"),
    q.DOSE: ("mg", "ug", "g"),
}


def _check_bounds(kind: QuantityKind, min_value: float | None, max_value: float | None) -> None:
    if kind not in ALTERNATIVE_UNITS:
        msg = f"kind={kind.name!r} has no alternative units listed in ALTERNATIVE_UNITS"
        raise ValueError(msg)
    if min_value is not None and max_value is not None and min_value > max_value:
        msg = f"min_value={min_value} must be <= max_value={max_value}"
        raise ValueError(msg)


def _to_unit(kind: QuantityKind, canonical: float, unit: str) -> Quantity:
    """Write a canonical magnitude in ``unit``, using the analyte conversion when needed."""
    target = parse_unit(unit)
    value = ureg.Quantity(canonical, kind.canonical)
    if target.dimensionality == kind.canonical.dimensionality:
        return value.to(target)
    for conversion in kind.conversions:
        if target.dimensionality == conversion.from_unit.dimensionality:
            in_from = ureg.Quantity(canonical / conversion.factor, conversion.from_unit)
            return in_from.to(target)
    msg = f"unit={unit!r} does not fit kind={kind.name!r}"
    raise ValueError(msg)


def quantities(
    kind: QuantityKind,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    units: Sequence[str] | None = None,
) -> st.SearchStrategy[Quantity]:
    """Draw quantities of ``kind`` between bounds given in the kind's canonical unit.

    Args:
        kind: The kind of value, e.g. :data:`bisphos.quantities.CREATININE`.
        min_value: Lowest magnitude in the canonical unit; defaults to the plausible range's low
            end where the model has one.
        max_value: Highest magnitude in the canonical unit; likewise.
        units: Unit spellings to draw from; defaults to :data:`ALTERNATIVE_UNITS` for the kind.

    Shrinks toward ``min_value`` in the canonical unit.
    """
    _check_bounds(kind, min_value, max_value)
    plausible = next((r for r in PLAUSIBLE_RANGES.values() if r.kind is kind), None)
    low = min_value if min_value is not None else (plausible.low if plausible else 0.0)
    high = max_value if max_value is not None else (plausible.high if plausible else 1e6)
    spellings = tuple(units) if units is not None else ALTERNATIVE_UNITS[kind]
    for spelling in spellings:
        _to_unit(kind, low, spelling)  # fail eagerly on a unit that does not fit
    magnitudes = st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    return st.builds(lambda m, u: _to_unit(kind, m, u), magnitudes, st.sampled_from(spellings))


@cache
def _canonical(
    kind: QuantityKind, low: float, high: float, *, places: int = 2
) -> st.SearchStrategy[Quantity]:
    """Draw canonical-unit values rounded as a laboratory would report them.

    Cached: a strategy built once is not validated again on every draw.
    """
    values = st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    return values.map(lambda m: ureg.Quantity(round(m, places), kind.canonical))


_FRACTION: Final = st.floats(min_value=0.0, max_value=1.0)
# Hypothesis makes a new sampled_from strategy per call and checks it when first drawn from:
# built once here, the draws are the same and cost less.
_FRACTURE_SITES: Final = st.sampled_from(FractureSite)
_TRAUMAS: Final = st.sampled_from(Trauma)
_BMD_SITES: Final = st.sampled_from(BmdSite)
_DRUGS: Final = st.sampled_from(Drug)
_COMPLICATIONS: Final = st.sampled_from(ComplicationGrade)
_SEXES: Final = st.sampled_from(Sex)


@cache
def _sampled(values: tuple[Diagnosis, ...]) -> st.SearchStrategy[Diagnosis]:
    return st.sampled_from(values)


def _date_between(draw: st.DrawFn, start: dt.date, end: dt.date) -> dt.date:
    """Draw a date from ``start`` to ``end``; shrinks toward ``start``."""
    return start + dt.timedelta(days=round(draw(_FRACTION) * (end - start).days))


@st.composite
def _fracture(draw: st.DrawFn, birth: dt.date, today: dt.date) -> Fracture:
    site = draw(_FRACTURE_SITES)
    trauma = draw(_TRAUMAS)
    if draw(st.booleans()):
        return Fracture(site=site, trauma=trauma, date=_date_between(draw, birth, today))
    age_now = (today - birth).days / 365.25
    age = math.floor(draw(_FRACTION) * age_now * 100) / 100
    return Fracture(site=site, trauma=trauma, age_at_fracture=ureg.Quantity(age, "year"))


_Z_SCORES: Final = st.floats(min_value=-6.0, max_value=3.0).map(lambda z: round(z, 1))


@st.composite
def _bmd(draw: st.DrawFn, birth: dt.date, today: dt.date) -> BmdMeasurement:
    return BmdMeasurement(
        site=draw(_BMD_SITES),
        z_score=draw(_Z_SCORES),
        size_corrected=draw(st.booleans()),
        date=_date_between(draw, birth, today) if draw(st.booleans()) else None,
    )


#: Lab value ranges drawn by patients(): wide enough to cross every threshold of the protocol.
_LAB_RANGES: Final[dict[str, tuple[float, float]]] = {
    "calcium": (1.6, 3.0),
    "phosphate": (0.5, 2.5),
    "alkaline_phosphatase": (50.0, 1200.0),
    "urea": (1.0, 20.0),
    "creatinine": (10.0, 200.0),
    "albumin": (20.0, 55.0),
    "vitamin_d_25oh": (10.0, 150.0),
    "pth": (1.0, 20.0),
}


@st.composite
def _labs(draw: st.DrawFn, birth: dt.date, today: dt.date, complete: bool | None) -> Labs:
    values: dict[str, LabResult] = {}
    # P-FRESH: most patients have labs of the last 90 days; the others any age up to a year, or
    # no date, so that stale and undated values are drawn too.
    fresh = draw(st.integers(0, 3)) > 0
    for name, kind in LAB_KINDS.items():
        present = True if complete else draw(st.booleans()) if complete is None else False
        if present:
            low, high = _LAB_RANGES[name]
            value = draw(_canonical(kind, low, high))
            if fresh:
                date: dt.date | None = _date_between(
                    draw, max(birth, today - dt.timedelta(days=90)), today
                )
            else:
                start = max(birth, add_months(today, -12))
                date = _date_between(draw, start, today) if draw(st.booleans()) else None
            values[name] = LabResult(value=value, date=date)
    return Labs(**values)


@st.composite
def _vitals(draw: st.DrawFn) -> VitalSigns:
    def maybe(name: str, low: float, high: float, places: int) -> Quantity | None:
        kind = PLAUSIBLE_RANGES[name].kind
        return draw(_canonical(kind, low, high, places=places)) if draw(st.booleans()) else None

    return VitalSigns(
        temperature=maybe("temperature", 35.5, 40.5, 1),
        heart_rate=maybe("heart_rate", 50.0, 180.0, 0),
        systolic_bp=maybe("systolic_bp", 70.0, 150.0, 0),
        diastolic_bp=maybe("diastolic_bp", 35.0, 95.0, 0),
    )


# Strategies that do not depend on the patient are built once: Hypothesis validates a strategy
# object the first time it is drawn from, and building them per example costs more than drawing.
_VITALS: Final = _vitals()
_BASELINE_VITALS: Final = st.none() | _VITALS
_OI_SEVERITY: Final = st.none() | st.sampled_from(OISeverity)
_GENES: Final = st.lists(
    st.sampled_from(("COL1A1", "COL1A2", "PLS3", "SGMS2", "WNT1", "LRP5")), max_size=6
)
_MAYBE_BOOLEAN: Final = st.none() | st.booleans()
_RISKS: Final = st.builds(RiskFlags, could_become_pregnant=_MAYBE_BOOLEAN)

_ZOL_DOSES: Final = st.floats(min_value=0.1, max_value=4.0)
_PAM_DOSES: Final = st.floats(min_value=0.1, max_value=90.0)


@st.composite
def _infusions(
    draw: st.DrawFn, birth: dt.date, today: dt.date, max_count: int
) -> tuple[InfusionRecord, ...]:
    count = draw(st.integers(min_value=0, max_value=max_count))
    drug = draw(_DRUGS)
    records = []
    for _ in range(count):
        dose = 0.05 if drug is Drug.ZOLEDRONIC_ACID else 2.0
        weight_based = draw(_ZOL_DOSES if dose < 1 else _PAM_DOSES)
        records.append(
            InfusionRecord(
                drug=drug,
                date=_date_between(draw, birth, today),
                dose=ureg.Quantity(round(weight_based, 2), "milligram"),
                complication=draw(_COMPLICATIONS),
            )
        )
    return tuple(records)


@st.composite
def _patient(
    draw: st.DrawFn,
    *,
    min_age_years: int,
    max_age_years: int,
    min_weight_kg: float,
    max_weight_kg: float,
    diagnoses: tuple[Diagnosis, ...],
    complete_labs: bool | None,
    max_infusions: int,
    today: dt.date,
) -> Patient:
    age_years = draw(st.integers(min_value=min_age_years, max_value=max_age_years))
    extra_days = draw(st.integers(min_value=0, max_value=364))
    birth = add_years(today, -age_years) - dt.timedelta(days=extra_days)
    birth = max(birth, add_years(today, -(max_age_years + 1)) + dt.timedelta(days=1))
    sex = draw(_SEXES)
    diagnosis = draw(_sampled(diagnoses))
    weight = draw(_canonical(q.WEIGHT, min_weight_kg, max_weight_kg, places=1))
    height = draw(_canonical(q.HEIGHT, 45.0, 200.0, places=1)) if draw(st.booleans()) else None
    return Patient(
        birth_date=birth,
        assessment_date=today,
        sex=sex,
        weight=weight,
        height=height,
        diagnosis=diagnosis,
        oi_severity=(
            draw(_OI_SEVERITY) if diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA else None
        ),
        gene_variants=tuple(draw(_GENES)),
        fractures=tuple(draw(st.lists(_fracture(birth, today), max_size=6))),
        bmd=tuple(draw(st.lists(_bmd(birth, today), max_size=3))),
        labs=draw(_labs(birth, today, complete_labs)),
        vitals=draw(_VITALS),
        baseline_vitals=draw(_BASELINE_VITALS),
        infusions=draw(_infusions(birth, today, max_infusions)),
        risks=draw(_RISKS),
        still_growing=draw(_MAYBE_BOOLEAN),
    )


def patients(
    *,
    min_age_years: int = 0,
    max_age_years: int = 18,
    min_weight_kg: float = 0.5,
    max_weight_kg: float = 150.0,
    diagnoses: Sequence[Diagnosis] | None = None,
    complete_labs: bool | None = None,
    max_infusions: int = 4,
    assessment_date: dt.date = dt.date(2026, 1, 15),
) -> st.SearchStrategy[Patient]:
    """Draw valid pediatric patients.

    Args:
        min_age_years: Youngest age in completed years on the assessment date.
        max_age_years: Oldest age in completed years (18 stays within P-SCOPE-1).
        min_weight_kg: Lowest body weight.
        max_weight_kg: Highest body weight.
        diagnoses: Diagnoses to draw from; all by default.
        complete_labs: ``True``: every P-PRE-LABS value present; ``False``: none; ``None``: any.
        max_infusions: Most infusions in the history.
        assessment_date: The assessment date of every patient drawn (fixed, so runs are
            reproducible; no clock is read).

    Shrinks toward the youngest, lightest patient with no history, labs or flags.
    """
    if not 0 <= min_age_years <= max_age_years <= 119:
        msg = f"need 0 <= min_age_years={min_age_years} <= max_age_years={max_age_years} <= 119"
        raise ValueError(msg)
    weight = PLAUSIBLE_RANGES["weight"]
    if not weight.low <= min_weight_kg <= max_weight_kg <= weight.high:
        msg = (
            f"need {weight.low} <= min_weight_kg={min_weight_kg} <= "
            f"max_weight_kg={max_weight_kg} <= {weight.high}"
        )
        raise ValueError(msg)
    if max_infusions < 0:
        msg = f"max_infusions={max_infusions} must be >= 0"
        raise ValueError(msg)
    chosen = tuple(diagnoses) if diagnoses is not None else tuple(Diagnosis)
    if not chosen:
        msg = "diagnoses must not be empty"
        raise ValueError(msg)
    return _patient(
        min_age_years=min_age_years,
        max_age_years=max_age_years,
        min_weight_kg=min_weight_kg,
        max_weight_kg=max_weight_kg,
        diagnoses=chosen,
        complete_labs=complete_labs,
        max_infusions=max_infusions,
        today=assessment_date,
    )


def _reexpress(draw: st.DrawFn, kind: QuantityKind, value: Quantity | None) -> Quantity | None:
    if value is None:
        return None
    unit = draw(st.sampled_from(ALTERNATIVE_UNITS[kind]))
    return _to_unit(kind, float(value.m_as(kind.canonical)), unit)


@st.composite
def _reexpressed(draw: st.DrawFn, patient: Patient) -> Patient:
    def vitals(signs: VitalSigns | None) -> VitalSigns | None:
        if signs is None:
            return None
        return VitalSigns(
            temperature=_reexpress(draw, q.TEMPERATURE, signs.temperature),
            heart_rate=_reexpress(draw, q.HEART_RATE, signs.heart_rate),
            systolic_bp=_reexpress(draw, q.BLOOD_PRESSURE, signs.systolic_bp),
            diastolic_bp=_reexpress(draw, q.BLOOD_PRESSURE, signs.diastolic_bp),
        )

    labs: dict[str, LabResult | None] = {}
    for name, kind in LAB_KINDS.items():
        result: LabResult | None = getattr(patient.labs, name)
        if result is not None:
            value = _to_unit(
                kind,
                float(result.value.m_as(kind.canonical)),
                draw(st.sampled_from(ALTERNATIVE_UNITS[kind])),
            )
            labs[name] = attrs.evolve(result, value=value)
    evolve: Callable[..., Patient] = attrs.evolve
    return evolve(
        patient,
        weight=_reexpress(draw, q.WEIGHT, patient.weight),
        height=_reexpress(draw, q.HEIGHT, patient.height),
        labs=Labs(**labs),
        vitals=vitals(patient.vitals),
        baseline_vitals=vitals(patient.baseline_vitals),
    )


def reexpressed(patient: Patient) -> st.SearchStrategy[Patient]:
    """Draw ``patient`` with each quantity written in another accepted unit.

    The values are converted exactly (up to float rounding) from the canonical ones, so every
    decision about the result must equal the decision about ``patient`` (invariant 7).
    """
    return _reexpressed(patient)
