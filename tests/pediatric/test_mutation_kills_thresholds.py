"""Golden values and both sides of every boundary of the pediatric thresholds.

Each limit of :mod:`bisphos.pediatric.thresholds` is asserted with the value the rule catalogue
gives (module constants are not reached by mutation testing, so they are pinned here), and each
comparison is tested at the limit, one resolution step above and one below.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import cast

import pytest

from bisphos import quantities as q
from bisphos.errors import DimensionError, InvalidValueError, MissingUnitError
from bisphos.findings import Evidence
from bisphos.model import Fracture, FractureSite, Trauma
from bisphos.pediatric import thresholds as t
from bisphos.units import Quantity, ureg


def _q(magnitude: float, unit: str) -> Quantity:
    return ureg.Quantity(magnitude, unit)


# --- golden values of the catalogue's limits -------------------------------------------------


def test_limits_are_the_catalogue_values() -> None:
    """P-CI-FEVER 38.5 °C, P-CI-HYPOCA 2.2 mmol/l, P-GFR 90, P-PRE-VITD 50 nmol/l, P-BMD -2.0."""
    assert _q(38.5, "degC") == t.FEVER_TEMPERATURE
    assert _q(2.2, "mmol/L") == t.HYPOCALCAEMIA_CALCIUM
    assert _q(90.0, "mL_min_1_73m2") == t.ZOLEDRONIC_ACID_MIN_GFR
    assert _q(50.0, "nmol/L") == t.VITAMIN_D_MINIMUM
    assert t.REDUCED_BMD_Z_SCORE == -2.0


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        (
            t.FEVER,
            (
                "temperature",
                _q(38.5, "degC"),
                t.Comparison.ABOVE,
                t.TEMPERATURE_RESOLUTION,
                ("P-CI-FEVER", "P-MON-CALL"),
            ),
        ),
        (
            t.HYPOCALCAEMIA,
            (
                "total calcium",
                _q(2.2, "mmol/L"),
                t.Comparison.BELOW,
                t.CALCIUM_RESOLUTION,
                ("P-CI-HYPOCA", "P-PRE-CA"),
            ),
        ),
        (
            t.ZOLEDRONIC_ACID_GFR,
            ("GFR", _q(90.0, "mL_min_1_73m2"), t.Comparison.ABOVE, t.GFR_RESOLUTION, ("P-GFR",)),
        ),
        (
            t.VITAMIN_D_DEFICIENCY,
            (
                "25-OH vitamin D",
                _q(50.0, "nmol/L"),
                t.Comparison.BELOW,
                t.VITAMIN_D_RESOLUTION,
                ("P-PRE-VITD",),
            ),
        ),
        (
            t.REDUCED_BMD,
            ("DXA Z-score", -2.0, t.Comparison.AT_MOST, t.Z_SCORE_RESOLUTION, ("P-BMD",)),
        ),
    ],
)
def test_threshold_objects(threshold: t.Threshold, expected: tuple[object, ...]) -> None:
    """P-CI-FEVER, P-CI-HYPOCA, P-GFR, P-PRE-VITD, P-BMD: name, limit, comparison, rules."""
    assert (
        threshold.name,
        threshold.limit,
        threshold.comparison,
        threshold.resolution,
        threshold.rule_ids,
    ) == expected
    assert threshold in t.THRESHOLDS


def test_thresholds_tuple_lists_all_seven() -> None:
    """The documented thresholds: P-CI-FEVER, P-CI-HYPOCA, P-GFR, P-PAM-RENAL (two), P-PRE-VITD,
    P-BMD."""
    assert t.THRESHOLDS == (
        t.FEVER,
        t.HYPOCALCAEMIA,
        t.ZOLEDRONIC_ACID_GFR,
        t.PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT,
        t.PAMIDRONATE_RENAL_IMPAIRMENT,
        t.VITAMIN_D_DEFICIENCY,
        t.REDUCED_BMD,
    )


def test_comparison_symbols() -> None:
    """Equality is decided by each rule's wording: >, <, <= and >=."""
    assert [c.value for c in t.Comparison] == [">", "<", "<=", ">="]


@pytest.mark.parametrize(
    ("resolution", "kind", "label"),
    [
        (t.TEMPERATURE_RESOLUTION, q.TEMPERATURE, "0.001 °C"),
        (t.CALCIUM_RESOLUTION, q.CALCIUM, "0.001 mmol/l"),
        (t.GFR_RESOLUTION, q.GFR, "0.001 ml/min/1.73 m²"),
        (t.VITAMIN_D_RESOLUTION, q.VITAMIN_D_25OH, "0.001 nmol/l"),
        (t.PTH_RESOLUTION, q.PTH, "0.001 pmol/l"),
        (t.HEART_RATE_RESOLUTION, q.HEART_RATE, "0.001 /min"),
        (t.BLOOD_PRESSURE_RESOLUTION, q.BLOOD_PRESSURE, "0.001 mmHg"),
        (t.Z_SCORE_RESOLUTION, None, "0.001 SDS"),
        (t.AGE_RESOLUTION, q.AGE, "0.001 year"),
    ],
)
def test_resolutions_are_a_thousandth(
    resolution: t.Resolution, kind: q.QuantityKind | None, label: str
) -> None:
    """Every threshold compares at 0.001 of the canonical unit (thresholds table)."""
    assert resolution.kind is kind
    assert resolution.step == 0.001
    assert resolution.label == label


def test_other_guideline_numbers() -> None:
    """P-SCOPE-1 19, P-FX-a/b/c counts and ages, P-MON-CALL 20 %, P-SUPP-VITD 400/800 IU,
    P-SUPP-CA 2-3 portions, P-CI-PREG 12 months from age 10, Payne 0.02 and 40 g/l."""
    assert t.SCOPE_AGE_YEARS == 19
    assert (t.FX_A_MIN_COUNT, t.FX_B_MIN_COUNT, t.FX_C_MIN_COUNT) == (1, 2, 3)
    assert (t.FX_B_AGE_YEARS, t.FX_C_AGE_YEARS) == (10, 19)
    assert _q(20.0, "percent") == t.VITAL_SIGN_CHANGE
    assert _q(400.0, "IU") == t.VITAMIN_D_DAILY
    assert _q(800.0, "IU") == t.VITAMIN_D_DAILY_RAISED
    assert t.DAIRY_PORTIONS_PER_DAY == (2, 3)
    assert t.PREGNANCY_AVOIDANCE_MONTHS == 12
    assert t.PREGNANCY_COUNSELLING_AGE_YEARS == 10
    assert t.PAYNE_CALCIUM_PER_ALBUMIN == 0.02
    assert _q(40.0, "g/L") == t.PAYNE_ALBUMIN_REFERENCE


# --- steps and the four comparisons ------------------------------------------------------------


def test_steps_of_the_fever_limit_in_celsius_and_fahrenheit() -> None:
    """P-CI-FEVER: 38.5 °C and 101.3 °F are both 38 500 steps of 0.001 °C."""
    assert t.steps(_q(38.5, "degC"), t.TEMPERATURE_RESOLUTION) == 38500
    assert t.steps(_q(101.3, "degF"), t.TEMPERATURE_RESOLUTION) == 38500
    assert t.TEMPERATURE_RESOLUTION.steps(_q(38.5004, "degC")) == 38500
    assert t.TEMPERATURE_RESOLUTION.steps(_q(38.5006, "degC")) == 38501


def test_steps_of_a_unitless_z_score() -> None:
    """P-BMD: a Z-score of -2.0 is -2000 steps of 0.001 SDS; an int is a number too."""
    assert t.Z_SCORE_RESOLUTION.steps(-2.0) == -2000
    assert t.Z_SCORE_RESOLUTION.steps(-3) == -3000
    assert t.Z_SCORE_RESOLUTION.steps(-2.0004) == -2000


@pytest.mark.parametrize("value", [_q(-2.0, "dimensionless"), True, False])
def test_z_score_refuses_quantities_and_flags(value: object) -> None:
    """P-BMD: a Z-score has no unit, and a flag is not a score."""
    with pytest.raises(InvalidValueError) as caught:
        t.Z_SCORE_RESOLUTION.steps(cast("float", value))
    error = caught.value
    assert error.message == "a score without unit was expected"
    assert error.value == str(value)
    assert error.expected == "a number"


def test_kind_resolution_names_its_kind_in_errors() -> None:
    """P-CI-FEVER: a temperature in kg or without a unit is refused, naming the temperature."""
    with pytest.raises(DimensionError) as wrong:
        t.TEMPERATURE_RESOLUTION.steps(_q(38.0, "kg"))
    assert wrong.value.field == "temperature"
    with pytest.raises(MissingUnitError) as bare:
        t.TEMPERATURE_RESOLUTION.steps(38.0)
    assert bare.value.field == "temperature"


@pytest.mark.parametrize(
    ("value", "exceeds", "below", "at_most", "at_least"),
    [
        (38.499, False, True, True, False),
        (38.5, False, False, True, True),
        (38.501, True, False, False, True),
    ],
)
def test_comparisons_at_one_step_either_side(
    value: float, exceeds: bool, below: bool, at_most: bool, at_least: bool
) -> None:
    """P-CI-FEVER boundary: equal is neither above nor below; one step (0.001 °C) decides."""
    limit = _q(38.5, "degC")
    given = _q(value, "degC")
    resolution = t.TEMPERATURE_RESOLUTION
    assert t.exceeds(given, limit, resolution) is exceeds
    assert t.below(given, limit, resolution) is below
    assert t.at_most(given, limit, resolution) is at_most
    assert t.at_least(given, limit, resolution) is at_least


@pytest.mark.parametrize(
    ("threshold", "value", "met"),
    [
        (t.FEVER, _q(38.5, "degC"), False),
        (t.FEVER, _q(38.501, "degC"), True),
        (t.FEVER, _q(101.3, "degF"), False),
        (t.FEVER, _q(101.4, "degF"), True),
        (t.HYPOCALCAEMIA, _q(2.2, "mmol/L"), False),
        (t.HYPOCALCAEMIA, _q(2.199, "mmol/L"), True),
        (t.ZOLEDRONIC_ACID_GFR, _q(90.0, "mL_min_1_73m2"), False),
        (t.ZOLEDRONIC_ACID_GFR, _q(90.001, "mL_min_1_73m2"), True),
        (t.VITAMIN_D_DEFICIENCY, _q(50.0, "nmol/L"), False),
        (t.VITAMIN_D_DEFICIENCY, _q(49.999, "nmol/L"), True),
        (t.REDUCED_BMD, -2.0, True),
        (t.REDUCED_BMD, -1.999, False),
        (t.REDUCED_BMD, -2.001, True),
    ],
)
def test_threshold_met_on_both_sides(
    threshold: t.Threshold, value: Quantity | float, met: bool
) -> None:
    """P-CI-FEVER (> 38.5), P-CI-HYPOCA (< 2.2), P-GFR (> 90), P-PRE-VITD (< 50), P-BMD (<= -2)."""
    assert threshold.met(value) is met


@pytest.mark.parametrize(
    ("comparison", "below", "at", "above"),
    [
        (t.Comparison.ABOVE, False, False, True),
        (t.Comparison.BELOW, True, False, False),
        (t.Comparison.AT_MOST, True, True, False),
        (t.Comparison.AT_LEAST, False, True, True),
    ],
)
def test_a_threshold_made_now_counts_its_limit_in_steps(
    comparison: t.Comparison, below: bool, at: bool, above: bool
) -> None:
    """P-CI-HYPOCA's limit (2.2 mmol/l) in a threshold built here, not at import: the limit's
    steps are counted when the threshold is made and each comparison holds one step either side
    (calcium in mg/dl is converted first: 8.8 mg/dl is 2.1956 mmol/l, below the limit)."""
    threshold = t.Threshold(
        "total calcium", _q(2.2, "mmol/L"), comparison, t.CALCIUM_RESOLUTION, ("P-CI-HYPOCA",)
    )
    assert threshold.met(_q(2.199, "mmol/L")) is below
    assert threshold.met(_q(2.2, "mmol/L")) is at
    assert threshold.met(_q(2.201, "mmol/L")) is above
    assert threshold.met(q.CALCIUM.conform("8.8 mg/dL", field="calcium")) is below


def test_threshold_evidence_carries_value_and_limit() -> None:
    """P-CI-FEVER: evidence names the value and the limit it was compared with."""
    value = _q(38.9, "degC")
    assert t.FEVER.evidence(value) == Evidence("temperature", value, _q(38.5, "degC"))
    assert t.FEVER.evidence(value, "vitals.temperature") == Evidence(
        "vitals.temperature", value, _q(38.5, "degC")
    )


# --- vital-sign bands (P-MON-CALL) -------------------------------------------------------------


def test_vital_sign_band_is_twenty_percent_either_side() -> None:
    """P-MON-CALL: a heart rate of 100/min has the band 80 to 120/min."""
    low, high = t.vital_sign_band(_q(100.0, "1/min"), q.HEART_RATE)
    assert low == _q(80.0, "1/min")
    assert high == _q(120.0, "1/min")
    assert low.units == q.HEART_RATE.canonical


def test_vital_sign_band_rounds_to_the_resolution() -> None:
    """P-MON-CALL: the band ends are rounded to 0.001 (88.888 -> 71.110 and 106.666)."""
    low, high = t.vital_sign_band(_q(88.888, "mmHg"), q.BLOOD_PRESSURE)
    assert low.magnitude == 71.11
    assert high.magnitude == 106.666


def test_vital_sign_band_converts_the_baseline() -> None:
    """P-MON-CALL: a baseline of 2 beats per second is 120/min: band 96 to 144/min."""
    low, high = t.vital_sign_band(_q(2.0, "1/s"), q.HEART_RATE)
    assert (low.magnitude, high.magnitude) == (96.0, 144.0)


def test_vital_sign_band_refuses_a_wrong_unit_naming_the_sign() -> None:
    """P-MON-CALL: a blood pressure baseline in kg is refused, naming the blood pressure."""
    with pytest.raises(DimensionError) as caught:
        t.vital_sign_band(_q(100.0, "kg"), q.BLOOD_PRESSURE)
    assert caught.value.field == "blood pressure"


# --- age at a fracture (P-FX-b, P-FX-c) --------------------------------------------------------

_BORN = dt.date(2010, 5, 10)


@pytest.mark.parametrize(
    ("date", "years", "before"),
    [
        (dt.date(2020, 5, 9), 10, True),
        (dt.date(2020, 5, 10), 10, False),
        (dt.date(2029, 5, 9), 19, True),
        (dt.date(2029, 5, 10), 19, False),
    ],
)
def test_fracture_with_a_date_counts_by_calendar_birthday(
    date: dt.date, years: int, before: bool
) -> None:
    """P-FX-b, P-FX-c: a fracture on the 10th (19th) birthday is not before that age."""
    fracture = Fracture(FractureSite.LONG_BONE, Trauma.LOW, date=date)
    assert t.fracture_before_age(fracture, _BORN, years) is before


@pytest.mark.parametrize(
    ("age", "years", "before"),
    [
        (9.999, 10, True),
        (10.0, 10, False),
        (9.9996, 10, False),
        (18.999, 19, True),
        (19.0, 19, False),
    ],
)
def test_fracture_with_an_age_counts_at_a_thousandth_of_a_year(
    age: float, years: int, before: bool
) -> None:
    """P-FX-b, P-FX-c: without a date the age is compared at 0.001 year; 10.0 is not < 10."""
    fracture = Fracture(FractureSite.LONG_BONE, Trauma.LOW, age_at_fracture=_q(age, "year"))
    assert t.fracture_before_age(fracture, _BORN, years) is before


def test_fracture_age_in_months_counts_too() -> None:
    """P-FX-b: 119 months is before 10 years, 120 months is not."""
    early = Fracture(FractureSite.LONG_BONE, Trauma.LOW, age_at_fracture=_q(119, "month"))
    at_ten = Fracture(FractureSite.LONG_BONE, Trauma.LOW, age_at_fracture=_q(120, "month"))
    assert t.fracture_before_age(early, _BORN, 10)
    assert not t.fracture_before_age(at_ten, _BORN, 10)


def test_fracture_without_date_or_age_is_refused() -> None:
    """P-FX-b: a fracture that is neither dated nor aged cannot be counted."""
    neither = cast("Fracture", SimpleNamespace(date=None, age_at_fracture=None))
    with pytest.raises(InvalidValueError) as caught:
        t.fracture_before_age(neither, _BORN, 10)
    assert caught.value.message == "a fracture needs a date or an age"
    assert caught.value.field == "fracture"
