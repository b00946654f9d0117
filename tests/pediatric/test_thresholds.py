"""Each threshold of the pediatric decisions just below, at and just above its limit.

The limits are the catalogue's: P-CI-FEVER > 38.5 °C, P-CI-HYPOCA < 2.2 mmol/l, P-GFR > 90,
P-PRE-VITD < 50 nmol/l, P-BMD <= -2.0, P-FX-b < 10 years, P-FX-c < 19 years, P-SCOPE-1 < 19 years,
P-MON-CALL more than 20 % from baseline. Values arrive in every unit a clinician may use, and
float noise of a unit conversion never flips a decision.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bisphos import quantities as q
from bisphos.errors import DimensionError, InvalidValueError, MissingUnitError
from bisphos.model import Fracture
from bisphos.pediatric import thresholds as t
from bisphos.units import Quantity, quantity, ureg


@pytest.mark.parametrize(
    ("temperature", "fever"),
    [
        (quantity(38.4, "degC"), False),
        (quantity(38.499, "degC"), False),
        (quantity(38.5, "degC"), False),
        (quantity(38.501, "degC"), True),
        (quantity(38.6, "degC"), True),
        (quantity(101.3, "degF"), False),  # 38.50000000000006 °C: float noise, not a fever
        (quantity(101.2, "degF"), False),
        (quantity(101.4, "degF"), True),  # 38.556 °C
    ],
)
def test_p_ci_fever_temperature_above_38_5(temperature: Quantity, fever: bool) -> None:
    """P-CI-FEVER: a temperature above 38.5 °C; exactly 38.5 °C, in any unit, is not."""
    assert t.FEVER.met(temperature) is fever


def test_p_ci_fever_101_3_f_is_float_noise_above_the_limit() -> None:
    """P-CI-FEVER: 101.3 °F is 38.50000000000006 °C in floats, 38 500 steps of 0.001 °C."""
    celsius = quantity(101.3, "degF").to("degC").magnitude
    assert celsius > 38.5  # the naive comparison would call it a fever
    assert t.steps(quantity(101.3, "degF"), t.TEMPERATURE_RESOLUTION) == 38_500
    assert not t.exceeds(quantity(101.3, "degF"), t.FEVER_TEMPERATURE, t.TEMPERATURE_RESOLUTION)


@pytest.mark.parametrize(
    ("calcium", "low"),
    [
        (quantity(2.19, "mmol/L"), True),
        (quantity(2.199, "mmol/L"), True),
        (quantity(2.2, "mmol/L"), False),
        (quantity(2.201, "mmol/L"), False),
        (quantity(2.21, "mmol/L"), False),
        (quantity(8.8, "mg/dL"), True),  # 2.1956 mmol/l
        (quantity(8.82, "mg/dL"), False),  # 2.20059 mmol/l
        (quantity(8.817635270541079, "mg/dL"), False),  # 2.1999999999999993: float noise
        (quantity(2200.0, "umol/L"), False),
        (quantity(2199.0, "umol/L"), True),
    ],
)
def test_p_ci_hypoca_total_calcium_below_2_2(calcium: Quantity, low: bool) -> None:
    """P-CI-HYPOCA: total calcium below 2.2 mmol/l; 8.8 mg/dl = 2.1956 mmol/l is low."""
    assert t.HYPOCALCAEMIA.met(calcium) is low


def test_p_ci_hypoca_8_8_mg_dl_is_2_1956_mmol_l() -> None:
    """P-CI-HYPOCA: the calcium conversion is mg/dl x 0.2495."""
    value = q.CALCIUM.conform(quantity(8.8, "mg/dL"), field="calcium")
    assert value.magnitude == pytest.approx(2.1956)
    assert t.steps(value, t.CALCIUM_RESOLUTION) == 2196


@pytest.mark.parametrize(
    ("gfr", "allowed"),
    [
        (89.0, False),
        (89.999, False),
        (90.0, False),
        (90.0000000000001, False),  # float noise above 90 is still 90
        (90.001, True),
        (91.0, True),
    ],
)
def test_p_gfr_zoledronic_acid_needs_gfr_above_90(gfr: float, allowed: bool) -> None:
    """P-GFR: zoledronic acid only with a GFR above 90 ml/min/1.73 m²; exactly 90 is not."""
    assert t.ZOLEDRONIC_ACID_GFR.met(quantity(gfr, "mL_min_1_73m2")) is allowed


@pytest.mark.parametrize(
    ("vitamin_d", "deficient"),
    [
        (quantity(49.0, "nmol/L"), True),
        (quantity(49.999, "nmol/L"), True),
        (quantity(50.0, "nmol/L"), False),
        (quantity(50.001, "nmol/L"), False),
        (quantity(20.0, "ng/mL"), True),  # 49.92 nmol/l
        (quantity(20.04, "ng/mL"), False),  # 50.02 nmol/l
        (quantity(20.0, "ug/L"), True),
        (quantity(20.032051282051277, "ng/mL"), False),  # 49.999999999999986: float noise
    ],
)
def test_p_pre_vitd_25oh_vitamin_d_below_50(vitamin_d: Quantity, deficient: bool) -> None:
    """P-PRE-VITD: 25-OH vitamin D below 50 nmol/l is a deficiency; 20 ng/ml = 49.92 nmol/l."""
    assert t.VITAMIN_D_DEFICIENCY.met(vitamin_d) is deficient


@pytest.mark.parametrize(
    ("z_score", "reduced"),
    [(-2.1, True), (-2.001, True), (-2.0, True), (-1.999, False), (-1.9, False), (0.0, False)],
)
def test_p_bmd_z_score_at_most_minus_2(z_score: float, reduced: bool) -> None:
    """P-BMD: a Z-score of -2.0 SDS or lower is reduced; exactly -2.0 is reduced."""
    assert t.REDUCED_BMD.met(z_score) is reduced


BIRTH = dt.date(2014, 6, 15)


@pytest.mark.parametrize(
    ("fracture_date", "counts"),
    [
        (dt.date(2024, 6, 13), True),
        (dt.date(2024, 6, 14), True),  # the day before the 10th birthday
        (dt.date(2024, 6, 15), False),  # on the 10th birthday
        (dt.date(2024, 6, 16), False),
    ],
)
def test_p_fx_b_fracture_before_the_10th_birthday(fracture_date: dt.date, counts: bool) -> None:
    """P-FX-b: a fracture counts when the child was younger than 10, by calendar birthday."""
    fracture = Fracture(site="long_bone", trauma="minimal", date=fracture_date)
    assert t.fracture_before_age(fracture, BIRTH, t.FX_B_AGE_YEARS) is counts


@pytest.mark.parametrize(
    ("age", "counts"),
    [
        (quantity(9.99, "year"), True),
        (quantity(9.999, "year"), True),
        (quantity(10.0, "year"), False),
        (quantity(119.0, "month"), True),
        (quantity(120.0, "month"), False),  # 10.000000000000002 years in floats
        (quantity(10.01, "year"), False),
    ],
)
def test_p_fx_b_age_at_fracture_below_10_years(age: Quantity, counts: bool) -> None:
    """P-FX-b: without a date, the age at the fracture must be below 10.0 years."""
    fracture = Fracture(site="long_bone", trauma="low", age_at_fracture=age)
    assert t.fracture_before_age(fracture, BIRTH, t.FX_B_AGE_YEARS) is counts


@pytest.mark.parametrize(
    ("fracture", "counts"),
    [
        (Fracture(site="long_bone", trauma="low", date=dt.date(2033, 6, 14)), True),
        (Fracture(site="long_bone", trauma="low", date=dt.date(2033, 6, 15)), False),
        (Fracture(site="long_bone", trauma="low", age_at_fracture=quantity(18.99, "year")), True),
        (Fracture(site="long_bone", trauma="low", age_at_fracture=quantity(19.0, "year")), False),
    ],
)
def test_p_fx_c_fracture_before_age_19(fracture: Fracture, counts: bool) -> None:
    """P-FX-c: a fracture counts when the patient was younger than 19.0 years."""
    assert t.fracture_before_age(fracture, BIRTH, t.FX_C_AGE_YEARS) is counts


def test_p_fx_b_and_c_ages_and_counts_are_the_catalogues() -> None:
    """P-FX-a, P-FX-b, P-FX-c: 1 vertebral; 2 long-bone before 10; 3 long-bone before 19."""
    assert (t.FX_A_MIN_COUNT, t.FX_B_MIN_COUNT, t.FX_C_MIN_COUNT) == (1, 2, 3)
    assert (t.FX_B_AGE_YEARS, t.FX_C_AGE_YEARS, t.SCOPE_AGE_YEARS) == (10, 19, 19)


@pytest.mark.parametrize(
    ("baseline", "value", "inside"),
    [
        (quantity(100.0, "1/min"), quantity(120.0, "1/min"), True),  # exactly +20 %
        (quantity(100.0, "1/min"), quantity(120.1, "1/min"), False),
        (quantity(100.0, "1/min"), quantity(80.0, "1/min"), True),  # exactly -20 %
        (quantity(100.0, "1/min"), quantity(79.9, "1/min"), False),
        (quantity(92.0, "1/min"), quantity(110.4, "1/min"), True),  # 92 x 1.2 in floats
        (quantity(92.0, "1/min"), quantity(73.6, "1/min"), True),
        (quantity(100.0, "mmHg"), quantity(120.0, "mmHg").to("kPa"), True),  # 15.9987 kPa
        (quantity(100.0, "mmHg"), quantity(16.0, "kPa"), False),  # 120.0099 mmHg
        (quantity(13.3322, "kPa"), quantity(80.0, "mmHg"), True),  # baseline 99.99997 mmHg
    ],
)
def test_p_mon_call_band_of_20_percent_around_baseline(
    baseline: Quantity, value: Quantity, inside: bool
) -> None:
    """P-MON-CALL: heart rate or blood pressure more than 20 % from baseline; 20 % is not."""
    kind = q.HEART_RATE if baseline.check("1/[time]") else q.BLOOD_PRESSURE
    resolution = t.HEART_RATE_RESOLUTION if kind is q.HEART_RATE else t.BLOOD_PRESSURE_RESOLUTION
    low, high = t.vital_sign_band(baseline, kind)
    outside = t.exceeds(value, high, resolution) or t.below(value, low, resolution)
    assert outside is not inside


def test_p_mon_call_band_ends_are_rounded_to_the_resolution() -> None:
    """P-MON-CALL: 92/min +-20 % is 73.6 to 110.4/min, without float noise in the shown limits."""
    low, high = t.vital_sign_band(quantity(92.0, "1/min"), q.HEART_RATE)
    assert (low.magnitude, high.magnitude) == (73.6, 110.4)
    assert t.VITAL_SIGN_CHANGE.m_as("percent") == 20.0


def test_p_supp_vitd_and_p_supp_ca_amounts() -> None:
    """P-SUPP-VITD: 400 IU (10 µg) or 800 IU per day; P-SUPP-CA: 2 to 3 dairy portions."""
    assert quantity(400.0, "IU") == t.VITAMIN_D_DAILY
    assert q.VITAMIN_D_DOSE.magnitude(quantity(10.0, "ug"), field="d") == 400.0
    assert quantity(800.0, "IU") == t.VITAMIN_D_DAILY_RAISED
    assert t.DAIRY_PORTIONS_PER_DAY == (2, 3)


def test_p_ci_preg_constants() -> None:
    """P-CI-PREG: 12 months after the last dose; counselling from age 10 when not recorded."""
    assert t.PREGNANCY_AVOIDANCE_MONTHS == 12
    assert t.PREGNANCY_COUNSELLING_AGE_YEARS == 10


def test_every_threshold_names_its_rules_and_compares_at_0_001() -> None:
    """Each threshold carries P-… rule ids and a resolution of 0.001 of its canonical unit."""
    for threshold in t.THRESHOLDS:
        assert threshold.rule_ids
        assert all(rule_id.startswith("P-") for rule_id in threshold.rule_ids)
        assert threshold.resolution.step == 0.001


def test_comparisons_decide_equality_by_the_wording() -> None:
    """exceeds and below are strict, at_most and at_least are not (P-CI-FEVER, P-BMD)."""
    res = t.CALCIUM_RESOLUTION
    two = quantity(2.2, "mmol/L")
    assert not t.exceeds(two, two, res)
    assert not t.below(two, two, res)
    assert t.at_most(two, two, res)
    assert t.at_least(two, two, res)
    assert t.Comparison.AT_LEAST.value == ">="


def test_resolution_refuses_values_of_the_wrong_kind() -> None:
    """A Z-score takes no unit, a calcium needs one of its own dimension (P-BMD, P-CI-HYPOCA)."""
    with pytest.raises(InvalidValueError):
        t.Z_SCORE_RESOLUTION.steps(quantity(-2.0, "mmol/L"))
    with pytest.raises(MissingUnitError):
        t.CALCIUM_RESOLUTION.steps(2.2)
    with pytest.raises(DimensionError):
        t.CALCIUM_RESOLUTION.steps(quantity(2.2, "kg"))


def test_threshold_evidence_carries_the_limit() -> None:
    """P-CI-FEVER: the evidence of a threshold names the value and the limit."""
    evidence = t.FEVER.evidence(quantity(38.9, "degC"), "vitals.temperature")
    assert evidence.name == "vitals.temperature"
    assert evidence.threshold == ureg.Quantity(38.5, "degC")
    assert str(evidence) == "vitals.temperature = 38.9 degC (limit 38.5 degC)"
