"""Cheap Hypothesis strategies of pediatric patients on the thresholds of the decisions.

:func:`compact_patients` draws few choices (about 40, a few ms per example) but every one that
matters to the decisions: age around the 19th birthday (P-SCOPE-1), fractures around the 10th
birthday (P-FX-b), Z-scores around -2.0 (P-BMD), heights and creatinines whose Schwartz GFR is
exactly 90 (P-GFR), and missing values. :func:`on_the_thresholds` moves the temperature, calcium
and 25-OH vitamin D of any patient onto their limits in several units (38.5 °C, 101.3 °F, 2.2
mmol/l, 8.8 mg/dl, 50 nmol/l, 20 ng/ml) and draws the risk flags. The public
:func:`bisphos.testing.strategies.patients` draws broader patients at 20 to 40 ms each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

import attrs
from hypothesis import strategies as st

from bisphos.dates import add_years
from bisphos.model import (
    BmdMeasurement,
    BmdSite,
    Diagnosis,
    Drug,
    Fracture,
    FractureSite,
    InfusionRecord,
    LabResult,
    Labs,
    Patient,
    RiskFlags,
    Sex,
    Trauma,
    VitalSigns,
)
from bisphos.units import Quantity, Unit, ureg

TODAY = dt.date(2026, 3, 2)


@lru_cache(maxsize=64)
def _unit(name: str) -> Unit:
    return ureg.Unit(name)


def quantity(magnitude: float, unit: str) -> Quantity:
    """Return ``magnitude`` in ``unit``, parsing each unit once (parsing dominates the cost)."""
    return ureg.Quantity(magnitude, _unit(unit))


# Threshold values as (magnitude, unit), each in a unit a clinician may use.
TEMPERATURES = ((38.4, "degC"), (38.5, "degC"), (38.6, "degC"), (101.3, "degF"), (101.4, "degF"))
# 8.817635270541079 mg/dl is 2.1999999999999993 mmol/l and 20.032051282051277 ng/ml is
# 49.999999999999986 nmol/l in floats: float noise just below the limit.
CALCIUMS = (
    (2.19, "mmol/L"),
    (2.2, "mmol/L"),
    (2.21, "mmol/L"),
    (8.8, "mg/dL"),
    (8.82, "mg/dL"),
    (8.817635270541079, "mg/dL"),
)
VITAMIN_D = (
    (49.9, "nmol/L"),
    (50.0, "nmol/L"),
    (50.1, "nmol/L"),
    (20.0, "ng/mL"),
    (20.04, "ng/mL"),
    (20.032051282051277, "ng/mL"),
)

_MOSTLY_FALSE = st.sampled_from((*(False,) * 9, True))
_MOSTLY_TRUE = st.sampled_from((True, True, True, False))
_GENES = st.sampled_from(
    ((), (), (), (), ("COL1A1",), ("COL1A1",), ("PLS3",), ("SGMS2",), ("WNT1",), ("LRP5",))
)
_Z_SCORES = st.one_of(
    st.sampled_from((-2.1, -2.0, -1.9)), st.integers(-40, 20).map(lambda tenths: tenths / 10)
)
_SEXES = st.sampled_from(Sex)
_DIAGNOSES = st.sampled_from(Diagnosis)
_NORMAL_LABS = {
    "phosphate": (1.4, "mmol/L"),
    "alkaline_phosphatase": (250.0, "U/L"),
    "urea": (4.0, "mmol/L"),
    "albumin": (42.0, "g/L"),
    "pth": (4.0, "pmol/L"),
}


def _maybe(draw: st.DrawFn, value: Quantity) -> Quantity | None:
    """Return ``value``, or (one time in eight) ``None`` for a missing value."""
    return None if draw(st.integers(0, 7)) == 0 else value


_LAB_NAMES = ("phosphate", "alkaline_phosphatase", "urea", "albumin", "pth", "calcium")
# At most one of these labs is missing, one time in four.
_MISSING_LAB = st.sampled_from((*(None,) * 18, *_LAB_NAMES))


_SITES = st.sampled_from(FractureSite)
_TRAUMAS = st.sampled_from((Trauma.MINIMAL, Trauma.LOW, Trauma.LOW, Trauma.HIGH))
_BMD_SITES = st.sampled_from(BmdSite)
_BMD_DATES = st.sampled_from((None, dt.date(2026, 1, 20)))
_GFR_STEPS = st.sampled_from((-0.01, 0.0, 0.01))


def _birth_date(draw: st.DrawFn) -> dt.date:
    """Mostly children; one time in six a date around the 19th birthday (P-SCOPE-1)."""
    if draw(st.integers(0, 5)) == 0:
        return add_years(TODAY, -19) + dt.timedelta(days=draw(st.integers(-2, 2)))
    return TODAY - dt.timedelta(days=draw(st.integers(0, 19 * 365)))


def _fracture(draw: st.DrawFn, birth: dt.date) -> Fracture:
    site, trauma = draw(_SITES), draw(_TRAUMAS)
    tenth = add_years(birth, 10)
    if tenth <= TODAY and draw(st.booleans()):  # around the 10th birthday (P-FX-b)
        date = tenth + dt.timedelta(days=draw(st.integers(-1, 1)))
    else:
        date = birth + dt.timedelta(days=draw(st.integers(0, 7000)))
    date = min(max(date, birth), TODAY)
    if draw(st.booleans()):
        return Fracture(site=site, trauma=trauma, date=date)
    age = ((date - birth).days * 100 // 36525) / 100  # rounded down to 0.01 year
    return Fracture(site=site, trauma=trauma, age_at_fracture=quantity(age, "year"))


def _bmd(draw: st.DrawFn, birth: dt.date) -> BmdMeasurement:
    date = draw(_BMD_DATES)
    return BmdMeasurement(
        site=draw(_BMD_SITES),
        z_score=draw(_Z_SCORES),
        size_corrected=draw(st.booleans()),
        date=None if date is None else max(birth, date),
    )


def _height_and_creatinine(draw: st.DrawFn) -> tuple[Quantity | None, Quantity | None]:
    """Mostly 0.9 k cm and 0.4 k µmol/l (Schwartz GFR exactly 90) or one step off (P-GFR)."""
    k = draw(st.integers(60, 200))
    height = round(0.9 * k, 1)
    creatinine = round(0.4 * k + draw(_GFR_STEPS), 2)
    if draw(st.booleans()):
        creatinine = float(draw(st.integers(15, 80)))
    value = (
        quantity(creatinine, "umol/L")
        if draw(st.booleans())
        else quantity(creatinine / 88.4, "mg/dL")
    )
    return _maybe(draw, quantity(height, "cm")), _maybe(draw, value)


@st.composite
def compact_patients(draw: st.DrawFn) -> Patient:
    """Valid patients around every threshold of the decisions, drawn cheaply.

    Every strategy drawn from is built once, at import: building strategies inside a draw is
    what makes Hypothesis slow.
    """
    birth = _birth_date(draw)
    height, creatinine = _height_and_creatinine(draw)
    missing = draw(_MISSING_LAB)
    labs: dict[str, Quantity | None] = {
        name: quantity(magnitude, unit) for name, (magnitude, unit) in _NORMAL_LABS.items()
    }
    labs["calcium"] = quantity(2.4, "mmol/L")
    labs["vitamin_d_25oh"] = quantity(70.0, "nmol/L")
    labs["creatinine"] = creatinine
    if missing is not None:
        labs[missing] = None
    infusions: tuple[InfusionRecord, ...] = ()
    if draw(st.booleans()):
        date = max(birth, TODAY - dt.timedelta(days=draw(st.integers(1, 400))))
        infusions = (InfusionRecord(drug=Drug.PAMIDRONATE, date=date, dose=quantity(20.0, "mg")),)
    fractures = tuple(_fracture(draw, birth) for _ in range(draw(st.integers(0, 4))))
    bmd = tuple(_bmd(draw, birth) for _ in range(draw(st.integers(0, 3))))
    return Patient(
        birth_date=birth,
        assessment_date=TODAY,
        sex=draw(_SEXES),
        weight=quantity(25.0, "kg"),
        height=height,
        diagnosis=draw(_DIAGNOSES),
        gene_variants=draw(_GENES),
        fractures=fractures,
        bmd=bmd,
        labs=Labs(
            **{
                name: LabResult(value=v, date=max(birth, TODAY - dt.timedelta(days=7)))
                for name, v in labs.items()
                if v is not None
            }
        ),
        vitals=VitalSigns(
            temperature=quantity(36.8, "degC"),
            heart_rate=quantity(90.0, "1/min"),
            systolic_bp=quantity(100.0, "mmHg"),
            diastolic_bp=quantity(60.0, "mmHg"),
        ),
        infusions=infusions,
    )


_TEMPERATURE_VALUES = st.sampled_from(TEMPERATURES)
_CALCIUM_VALUES = st.sampled_from(CALCIUMS)
_VITAMIN_D_VALUES = st.sampled_from(VITAMIN_D)
_CHOICE = st.sampled_from(("keep", "keep", "keep", "threshold", "threshold", "threshold", "none"))


def _either(
    draw: st.DrawFn, keep: Quantity | None, choices: st.SearchStrategy[tuple[float, str]]
) -> Quantity | None:
    """Keep the value, drop it, or put a threshold value of ``choices`` in its place."""
    choice = draw(_CHOICE)
    if choice == "keep":
        return keep
    if choice == "none":
        return None
    magnitude, unit = draw(choices)
    return quantity(magnitude, unit)


def _value(result: LabResult | None) -> Quantity | None:
    return None if result is None else result.value


def _lab(result: LabResult | None, value: Quantity | None) -> LabResult | None:
    if value is None:
        return None
    return LabResult(value=value, date=None if result is None else result.date)


@st.composite
def on_the_thresholds(draw: st.DrawFn, base: st.SearchStrategy[Patient]) -> Patient:
    """Draw from ``base``, then move temperature, calcium and vitamin D onto their limits, add
    a vertebral fracture three times in four (so that many patients are indicated), and draw the
    risk flags of P-CI-ALLERGY, P-CI-PREG and P-IND-RECOVERY (each true one time in ten)."""
    patient = draw(base)
    labs = patient.labs
    calcium = _either(draw, _value(labs.calcium), _CALCIUM_VALUES)
    vitamin_d = _either(draw, _value(labs.vitamin_d_25oh), _VITAMIN_D_VALUES)
    fractures = patient.fractures
    if draw(_MOSTLY_TRUE):
        vertebral = Fracture(
            site="vertebral_compression", trauma="minimal", date=patient.birth_date
        )
        fractures = (*fractures, vertebral)
    risks = RiskFlags(
        pregnant=draw(_MOSTLY_FALSE),
        bisphosphonate_hypersensitivity=draw(_MOSTLY_FALSE),
        expected_spontaneous_recovery=draw(_MOSTLY_FALSE),
        dark_skin=draw(st.booleans()),
        could_become_pregnant=patient.risks.could_become_pregnant,
    )
    evolve: Callable[..., Patient] = attrs.evolve
    return evolve(
        patient,
        fractures=fractures,
        risks=risks,
        vitals=attrs.evolve(
            patient.vitals,
            temperature=_either(draw, patient.vitals.temperature, _TEMPERATURE_VALUES),
        ),
        labs=attrs.evolve(
            labs,
            calcium=_lab(labs.calcium, calcium),
            vitamin_d_25oh=_lab(labs.vitamin_d_25oh, vitamin_d),
        ),
    )
