"""The hard limits in detail: what a limited dose records, and every refusal with its details.

P-ZOL-CAP and P-PAM-CAP (invariant 1), the per-kg maxima (invariant 2), the rounding down and
the typed errors that name the offending field, value and what was expected.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from bisphos import quantities as q
from bisphos.errors import DimensionError, HardLimitError, MissingUnitError, UnitError
from bisphos.model import Drug
from bisphos.pediatric.limits import (
    DAILY_CAPS,
    DEFAULT_PRECISION,
    WEIGHT_RESOLUTION_KG,
    Phase,
    canonical_magnitude,
    check_final,
    daily_cap,
    dosing_weight_kg,
    enforce,
    exact,
    final_mg,
    max_per_kg,
)
from bisphos.units import Quantity, ureg
from tests.pediatric._dosing_helpers import kg, mg

ZOL = Drug.ZOLEDRONIC_ACID
PAM = Drug.PAMIDRONATE


def test_default_rounding_steps_and_weight_resolution() -> None:
    """P-ZOL-CAP, P-PAM-CAP: zoledronic acid rounds down to 0.001 mg, pamidronate to 0.1 mg;
    weights are taken to 1 mg (0.000001 kg)."""
    assert DEFAULT_PRECISION[ZOL] == mg(0.001)
    assert DEFAULT_PRECISION[PAM] == mg(0.1)
    assert Decimal("0.000001") == WEIGHT_RESOLUTION_KG


def test_limited_dose_records_every_limit() -> None:
    """P-ZOL-DOSE, P-ZOL-CAP: 0.05 mg/kg x 20 kg = 1 mg, with the phase's maximum and the cap."""
    limited = enforce(ZOL, mg(1.0), weight=kg(20), phase=Phase.REGULAR)
    assert limited.drug is ZOL
    assert limited.phase is Phase.REGULAR
    assert limited.proposed == mg(1.0)
    assert limited.dose == mg(1.0)
    assert limited.daily_cap.dose == mg(4.0)
    assert limited.per_kg_maximum == max_per_kg(ZOL, Phase.REGULAR)
    assert limited.per_kg_limit == mg(1.0)
    assert limited.ceiling == mg(1.0)
    assert limited.ceiling_rule_ids == ("P-ZOL-DOSE",)
    assert limited.capped is False
    assert limited.precision == mg(0.001)
    assert limited.rule_ids == ("P-ZOL-CAP", "P-ZOL-DOSE")


def test_rule_ids_gather_cap_phase_and_ceiling() -> None:
    """P-PAM-FIRST, P-PAM-CAP: the first pamidronate dose names the cap, the phase and the
    caller's half-cap ceiling, each once."""
    limited = enforce(
        PAM,
        mg(60),
        weight=kg(60),
        phase=Phase.FIRST,
        ceiling=mg(45),
        ceiling_rule_ids=("P-PAM-FIRST", "P-HUNGRY"),
    )
    assert limited.dose == mg(45)
    assert limited.ceiling_rule_ids == ("P-PAM-FIRST", "P-HUNGRY")
    assert limited.rule_ids == ("P-PAM-CAP", "P-PAM-FIRST", "P-HUNGRY")
    assert limited.per_kg_limit == mg(60)
    assert limited.capped is True


def test_a_ceiling_equal_to_the_cap_names_the_cap() -> None:
    """P-ZOL-CAP: when limits tie, the first in order (cap, per-kg, ceiling) is named."""
    limited = enforce(
        ZOL,
        mg(5),
        weight=kg(100),
        phase=Phase.REGULAR,
        ceiling=mg(4),
        ceiling_rule_ids=("P-HUNGRY",),
    )
    assert limited.dose == mg(4)
    assert limited.ceiling_rule_ids == ("P-ZOL-CAP",)


def test_per_kg_limit_equal_to_the_cap_names_the_cap() -> None:
    """P-PAM-CAP: 2 mg/kg x 45 kg is 90 mg, the cap; the cap is named."""
    limited = enforce(PAM, mg(100), weight=kg(45), phase=Phase.REGULAR)
    assert limited.dose == mg(90)
    assert limited.ceiling_rule_ids == ("P-PAM-CAP",)


# --- refusals, each naming field, value and expectation ----------------------------------------


def test_nan_dose_is_refused_naming_the_dose() -> None:
    """Invariant 1: a NaN dose cannot be limited and is refused."""
    with pytest.raises(HardLimitError) as caught:
        enforce(ZOL, mg(math.nan), weight=kg(20), phase=Phase.REGULAR)
    error = caught.value
    assert error.message == "a dose must be a finite number of mg"
    assert error.field == "dose"
    assert error.value == str(mg(math.nan))
    assert error.expected == "a finite, positive mass"


@pytest.mark.parametrize("value", [0.0, -1.0])
def test_non_positive_dose_is_refused_naming_the_dose(value: float) -> None:
    """Invariant 1: a zero or negative dose is refused."""
    with pytest.raises(HardLimitError) as caught:
        enforce(ZOL, mg(value), weight=kg(20), phase=Phase.REGULAR)
    error = caught.value
    assert error.message == "a dose must be positive"
    assert error.field == "dose"
    assert error.value == str(mg(value))
    assert error.expected == "a finite, positive mass"


def test_dose_in_a_wrong_unit_names_the_dose() -> None:
    """Invariant 1: a dose in ml is not a mass."""
    with pytest.raises(DimensionError) as caught:
        enforce(ZOL, ureg.Quantity(1.0, "milliliter"), weight=kg(20), phase=Phase.REGULAR)
    assert caught.value.field == "dose"


def test_zero_precision_is_refused_naming_the_precision() -> None:
    """P-ZOL-CAP: the rounding step must be a positive mass."""
    with pytest.raises(HardLimitError) as caught:
        enforce(ZOL, mg(1), weight=kg(20), phase=Phase.REGULAR, precision=mg(0))
    assert caught.value.field == "precision"


def test_negative_ceiling_is_refused_naming_the_ceiling() -> None:
    """P-PAM-FIRST: a caller's ceiling must be a positive mass."""
    with pytest.raises(HardLimitError) as caught:
        enforce(PAM, mg(10), weight=kg(20), phase=Phase.FIRST, ceiling=mg(-45))
    assert caught.value.field == "ceiling"


def test_dose_below_the_rounding_step_is_refused() -> None:
    """P-ZOL-CAP: 0.0004 mg rounds down to nothing at 0.001 mg and is refused, not given."""
    with pytest.raises(HardLimitError) as caught:
        enforce(ZOL, mg(0.0004), weight=kg(20), phase=Phase.REGULAR)
    error = caught.value
    assert error.message == "the dose rounds down to zero"
    assert error.field == "dose"
    assert error.value == "0.0004 mg"
    assert error.expected == "a dose of at least the rounding step 0.001 mg"


def test_nan_weight_is_refused_naming_the_weight() -> None:
    """Invariant 6: no dose for a weight that is not a number."""
    with pytest.raises(HardLimitError) as caught:
        dosing_weight_kg(kg(math.nan))
    error = caught.value
    assert error.message == "the body weight must be finite"
    assert error.field == "weight"
    assert error.value == str(kg(math.nan))


@pytest.mark.parametrize("weight", [kg(0.0000004), kg(0.0), kg(-2.0)])
def test_weight_not_positive_at_a_milligram_is_refused(weight: Quantity) -> None:
    """Invariant 6: a weight that is zero at 1 mg resolution (0.4 mg) is refused."""
    with pytest.raises(HardLimitError) as caught:
        dosing_weight_kg(weight)
    error = caught.value
    assert error.message == "the body weight must be positive"
    assert error.field == "weight"
    assert error.value == str(weight)


def test_weight_of_half_a_milligram_rounds_to_one() -> None:
    """Invariant 7: weights are taken to the nearest milligram (0.0000006 kg is 1 mg)."""
    assert dosing_weight_kg(kg(0.0000006)) == 0.000001
    assert dosing_weight_kg(ureg.Quantity(20000.0004, "gram")) == 20.0


@pytest.mark.parametrize(
    ("weight", "error_type"),
    [(ureg.Quantity(20.0, "centimeter"), DimensionError), (20.0, MissingUnitError)],
)
def test_weight_in_a_wrong_unit_names_the_weight(
    weight: object, error_type: type[UnitError]
) -> None:
    """Invariant 7: a weight in cm, or without a unit, is refused naming the weight."""
    with pytest.raises(error_type) as caught:
        dosing_weight_kg(weight)
    assert caught.value.field == "weight"


def test_canonical_magnitude_reads_other_units_through_the_kind() -> None:
    """Invariant 7: 4000 µg is read as 4 mg; a length is refused naming the field."""
    assert canonical_magnitude(q.DOSE, ureg.Quantity(4000.0, "microgram"), field="dose") == 4.0
    assert canonical_magnitude(q.DOSE, "4 mg", field="dose") == 4.0
    with pytest.raises(DimensionError) as caught:
        canonical_magnitude(q.DOSE, ureg.Quantity(4.0, "meter"), field="proposal")
    assert caught.value.field == "proposal"


def test_check_final_refuses_a_dose_above_the_cap_with_details() -> None:
    """P-ZOL-CAP: 4.001 mg of zoledronic acid cannot be prepared."""
    with pytest.raises(HardLimitError) as caught:
        check_final(ZOL, mg(4.001))
    error = caught.value
    assert error.message == "the dose is above the daily cap (P-ZOL-CAP)"
    assert error.field == "dose"
    assert error.value == "4.001 mg"
    assert error.expected == "at most 4.0 mg"


def test_check_final_refuses_pamidronate_above_90_mg() -> None:
    """P-PAM-CAP: 90.1 mg of pamidronate cannot be prepared; 90 mg can."""
    with pytest.raises(HardLimitError, match=r"P-PAM-CAP"):
        check_final(PAM, mg(90.1))
    assert check_final(PAM, mg(90)) == mg(90)


def test_check_final_refuses_nan_naming_the_dose() -> None:
    """P-ZOL-CAP: a NaN dose cannot be prepared."""
    with pytest.raises(HardLimitError) as caught:
        check_final(ZOL, mg(math.nan))
    assert caught.value.field == "dose"


def test_per_kg_limit_uses_the_weight_to_the_nearest_milligram() -> None:
    """Invariants 2 and 7 (P-ZOL-FIRST): 1.9999999999999716 kg (binary noise of 2 kg) doses as
    2 kg: 0.025 mg/kg gives 0.05 mg, not 0.049 mg. Against the raw float weight the dose is
    7e-16 mg above 0.025 mg/kg; against the dosing weight it is exactly at the maximum."""
    limited = enforce(ZOL, mg(1.0), weight=kg(1.9999999999999716), phase=Phase.FIRST)
    assert limited.per_kg_limit == mg(0.05)
    assert limited.dose == mg(0.05)


def test_caps_and_maxima_are_found_by_their_text_values() -> None:
    """P-ZOL-CAP, P-PAM-CAP, P-PAM-FIRST: the drug and phase may be given as their text values
    (as in a JSON request); the caps are 4 mg and 90 mg, pamidronate's first dose 1 mg/kg."""
    assert daily_cap("zoledronic_acid") is DAILY_CAPS[ZOL]
    assert daily_cap("pamidronate").dose == mg(90.0)
    first = max_per_kg("pamidronate", "first")
    assert first is max_per_kg(PAM, Phase.FIRST)
    assert first.per_kg == ureg.Quantity(1.0, "mg/kg")
    assert max_per_kg("zoledronic_acid", "regular").per_kg == ureg.Quantity(0.05, "mg/kg")


def test_exact_keeps_the_sign_of_zero() -> None:
    """The decimal of 0.0 and of -0.0 differ in sign, whichever was asked for first (the cache
    of decimals cannot tell them apart); other floats are their shortest decimal."""
    assert str(exact(0.0)) == "0.0"
    assert str(exact(-0.0)) == "-0.0"
    assert str(exact(0.0)) == "0.0"
    assert exact(0.1) == Decimal("0.1")
    assert exact(0.035) == Decimal("0.035")


def test_final_mg_returns_the_checked_dose_and_names_the_field() -> None:
    """P-ZOL-CAP: the last check returns the dose in mg (1.5 mg stays 1.5) and refuses 4.001 mg,
    naming the field it was given."""
    assert final_mg(ZOL, mg(1.5)) == 1.5
    assert final_mg(PAM, ureg.Quantity(0.09, "g")) == pytest.approx(90.0)
    with pytest.raises(HardLimitError) as raised:
        final_mg(ZOL, mg(4.001), field="infusions[2].dose")
    assert raised.value.field == "infusions[2].dose"
    assert raised.value.expected == "at most 4.0 mg"


def test_enforce_takes_the_text_values_of_drug_and_phase() -> None:
    """P-PAM-FIRST, P-PAM-CAP: "pamidronate" in its "first" phase for 70 kg is held to 45 mg
    (half the 90 mg cap, the 1 mg/kg maximum is 70 mg), as with the enumerations."""
    limited = enforce("pamidronate", mg(70.0), weight=kg(70), phase="first", ceiling=mg(45.0))
    assert limited.dose == mg(45.0)
    assert limited.drug is PAM
    assert limited.phase is Phase.FIRST
    assert limited == enforce(PAM, mg(70.0), weight=kg(70), phase=Phase.FIRST, ceiling=mg(45.0))
