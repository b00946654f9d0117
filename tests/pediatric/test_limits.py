"""Hard limits applied last: P-ZOL-CAP, P-PAM-CAP and the per-kg maxima (invariants 1 and 2)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, target
from hypothesis import strategies as st

from bisphos.errors import DimensionError, HardLimitError, MissingUnitError, UnknownUnitError
from bisphos.model import Drug
from bisphos.pediatric.limits import (
    DAILY_CAPS,
    Phase,
    check_final,
    daily_cap,
    dosing_weight_kg,
    enforce,
    exact,
    max_per_kg,
)
from bisphos.units import Quantity, ureg
from tests.pediatric._dosing_helpers import kg, mg

ZOL = Drug.ZOLEDRONIC_ACID
PAM = Drug.PAMIDRONATE


def test_daily_caps() -> None:
    """P-ZOL-CAP 4 mg/day and P-PAM-CAP 90 mg/day."""
    assert daily_cap(ZOL).dose == mg(4)
    assert daily_cap(ZOL).rule_id == "P-ZOL-CAP"
    assert daily_cap(PAM).dose == mg(90)
    assert daily_cap(PAM).rule_id == "P-PAM-CAP"


@pytest.mark.parametrize(
    ("drug", "phase", "expected", "rule"),
    [
        (ZOL, Phase.FIRST, 0.025, "P-ZOL-FIRST"),
        (ZOL, Phase.SECOND, 0.025, "P-ZOL-FIRST"),
        (ZOL, Phase.REGULAR, 0.05, "P-ZOL-DOSE"),
        (ZOL, Phase.MAINTENANCE, 0.025, "P-MAINT-HIGH"),
        (PAM, Phase.FIRST, 1.0, "P-PAM-FIRST"),
        (PAM, Phase.SECOND, 2.0, "P-PAM-DOSE"),
        (PAM, Phase.REGULAR, 2.0, "P-PAM-DOSE"),
        (PAM, Phase.MAINTENANCE, 2.0, "P-MAINT-MID"),
    ],
)
def test_per_kg_maxima(drug: Drug, phase: Phase, expected: float, rule: str) -> None:
    """Invariant 2: the per-kg maximum of each drug and phase, with its rule."""
    maximum = max_per_kg(drug, phase)
    assert maximum.per_kg == ureg.Quantity(expected, "milligram / kilogram")
    assert rule in maximum.rule_ids


def test_ten_fold_dose_is_brought_to_the_per_kg_limit() -> None:
    """P-ZOL-CAP, P-ZOL-DOSE: a 10x zoledronic dose (10 mg, 20 kg) becomes 1.0 mg, not 4 mg."""
    limited = enforce(ZOL, mg(10), weight=kg(20), phase=Phase.REGULAR)
    assert limited.dose == mg(1.0)
    assert limited.capped
    assert limited.ceiling_rule_ids == ("P-ZOL-DOSE",)
    assert limited.proposed == mg(10)


def test_heavy_patient_is_capped_at_daily_cap() -> None:
    """P-ZOL-CAP: 150 kg, 7.5 mg proposed: 4 mg."""
    limited = enforce(ZOL, mg(7.5), weight=kg(150), phase=Phase.REGULAR)
    assert limited.dose == mg(4)
    assert limited.ceiling_rule_ids == ("P-ZOL-CAP",)


def test_pamidronate_capped_at_90() -> None:
    """P-PAM-CAP: 500 mg proposed for 100 kg becomes 90 mg."""
    assert enforce(PAM, mg(500), weight=kg(100), phase=Phase.REGULAR).dose == mg(90)


def test_ceiling_can_tighten_not_loosen() -> None:
    """P-PAM-CAP: a ceiling of 200 mg changes nothing; one of 45 mg (P-PAM-FIRST) applies."""
    loose = enforce(PAM, mg(140), weight=kg(70), phase=Phase.REGULAR, ceiling=mg(200))
    assert loose.dose == mg(90)
    tight = enforce(
        PAM,
        mg(70),
        weight=kg(70),
        phase=Phase.FIRST,
        ceiling=mg(45),
        ceiling_rule_ids=("P-PAM-FIRST",),
    )
    assert tight.dose == mg(45)
    assert tight.ceiling_rule_ids == ("P-PAM-FIRST",)


def test_dose_in_grams_and_micrograms() -> None:
    """P-ZOL-CAP: 0.001 g is 1 mg; 250 µg is 0.25 mg."""
    assert enforce(
        ZOL, ureg.Quantity(0.001, "gram"), weight=kg(20), phase=Phase.REGULAR
    ).dose == mg(1)
    assert enforce(
        ZOL, ureg.Quantity(250, "microgram"), weight=kg(20), phase=Phase.FIRST
    ).dose == mg(0.25)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_dose_never_passes(value: float) -> None:
    """P-ZOL-CAP, P-PAM-CAP: NaN or infinity raises HardLimitError."""
    for drug in Drug:
        with pytest.raises(HardLimitError):
            enforce(drug, mg(value), weight=kg(20), phase=Phase.REGULAR)


@pytest.mark.parametrize("value", [0.0, -0.0, -1.0, -1e9])
def test_zero_or_negative_dose_refused(value: float) -> None:
    """P-ZOL-CAP: a zero or negative dose is refused."""
    with pytest.raises(HardLimitError, match="positive"):
        enforce(ZOL, mg(value), weight=kg(20), phase=Phase.REGULAR)


def test_dose_rounding_to_zero_refused() -> None:
    """P-ZOL-CAP: 0.0004 mg rounds down to nothing and is refused."""
    with pytest.raises(HardLimitError, match="rounds down to zero"):
        enforce(ZOL, mg(0.0004), weight=kg(20), phase=Phase.REGULAR)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (ureg.Quantity(1, "milliliter"), DimensionError),
        (ureg.Quantity(0.05, "milligram / kilogram"), DimensionError),
        (ureg.Quantity(1, "hour"), DimensionError),
        ("4 mg/h", DimensionError),
        ("4 MG", UnknownUnitError),
        (4.0, MissingUnitError),
    ],
)
def test_wrong_unit_refused_with_typed_error(value: object, error: type[Exception]) -> None:
    """P-ZOL-CAP: a dose that is not a mass raises a typed unit error."""
    with pytest.raises(error):
        enforce(ZOL, value, weight=kg(20), phase=Phase.REGULAR)


@pytest.mark.parametrize("weight", [kg(math.nan), kg(0), kg(-3)])
def test_bad_weight_refused(weight: Quantity) -> None:
    """P-ZOL-DOSE: a NaN, zero or negative weight gives no per-kg limit: refused."""
    with pytest.raises(HardLimitError):
        enforce(ZOL, mg(1), weight=weight, phase=Phase.REGULAR)


def test_nan_ceiling_refused() -> None:
    """P-PAM-CAP: a NaN ceiling cannot be applied: refused."""
    with pytest.raises(HardLimitError):
        enforce(PAM, mg(10), weight=kg(20), phase=Phase.REGULAR, ceiling=mg(math.nan))


def test_rounding_down_exact_decimal() -> None:
    """P-ZOL-CAP: 0.0125 x 20 = 0.25 exactly (no 0.249 from binary floating point)."""
    assert enforce(ZOL, mg(0.0125 * 20), weight=kg(20), phase=Phase.FIRST).dose == mg(0.25)
    assert enforce(ZOL, mg(0.1 + 0.2), weight=kg(20), phase=Phase.FIRST).dose == mg(0.3)
    assert enforce(PAM, mg(45.39), weight=kg(70), phase=Phase.FIRST).dose == mg(45.3)


def test_check_final() -> None:
    """P-ZOL-CAP, P-PAM-CAP: check_final passes a dose within the cap, refuses one above."""
    assert check_final(ZOL, mg(4)) == mg(4)
    with pytest.raises(HardLimitError, match="P-ZOL-CAP"):
        check_final(ZOL, mg(4.000001))
    with pytest.raises(HardLimitError, match="P-PAM-CAP"):
        check_final(PAM, mg(90.1))
    with pytest.raises(HardLimitError):
        check_final(PAM, mg(math.nan))


@st.composite
def proposals(draw: st.DrawFn) -> tuple[Drug, float, str, float, Phase]:
    drug = draw(st.sampled_from(Drug))
    unit = draw(st.sampled_from(["milligram", "microgram", "gram"]))
    magnitude = draw(st.floats(allow_nan=True, allow_infinity=True, width=64))
    weight = draw(st.floats(min_value=0.5, max_value=150.0))
    phase = draw(st.sampled_from(Phase))
    return drug, magnitude, unit, weight, phase


@given(proposals())
def test_invariant_1_2_any_proposed_dose_is_capped_or_refused(
    proposal: tuple[Drug, float, str, float, Phase],
) -> None:
    """Invariants 1 and 2 (P-ZOL-CAP, P-PAM-CAP): any proposed dose — 10x, NaN, infinite,
    negative, in mg, µg or g — comes back within the daily cap and the phase's per-kg maximum
    times the weight, rounded down, or raises HardLimitError. The weight is the dosing weight:
    the body weight taken to the milligram (WEIGHT_RESOLUTION_KG), as every dose computes with."""
    drug, magnitude, unit, weight_kg, phase = proposal
    try:
        limited = enforce(drug, ureg.Quantity(magnitude, unit), weight=kg(weight_kg), phase=phase)
    except HardLimitError:
        proposed_mg = ureg.Quantity(magnitude, unit).m_as("milligram")
        assert not (math.isfinite(proposed_mg) and proposed_mg >= 1.0)
        return
    cap = DAILY_CAPS[drug].dose.m_as("milligram")
    dose_mg = limited.dose.m_as("milligram")
    target(dose_mg / cap, label="dose as a fraction of the cap")
    assert 0 < dose_mg <= cap
    per_kg = max_per_kg(drug, phase).per_kg.m_as("milligram / kilogram")
    # The limits dose on the weight to the nearest milligram (dosing_weight_kg, invariant 7):
    # 1.9999999999999716 kg is 2 kg, and 0.025 mg/kg gives 0.05 mg.
    weight = dosing_weight_kg(kg(weight_kg))
    assert exact(dose_mg) <= exact(per_kg) * exact(weight)
    step = exact(limited.precision.m_as("milligram"))
    assert exact(dose_mg) % step == Decimal(0)
    assert exact(dose_mg) <= exact(limited.proposed.m_as("milligram"))
