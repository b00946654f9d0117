"""Vial rounding (UMC-VIAL-1): worked values and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bisphos.model import Drug
from hypothesis import given
from hypothesis import strategies as st

from umc_bisphos.vials import MAX_REDUCTION, PRESENTATIONS, round_down

ZOL = Drug.ZOLEDRONIC_ACID
PAM = Drug.PAMIDRONATE


@pytest.mark.parametrize(
    ("drug", "dose", "rounded", "volume"),
    [
        (ZOL, "0.26", "0.25", "6.25"),  # 1.25 ml steps: 5 steps of 0.05 mg
        (ZOL, "1.04", "1", "25"),
        (ZOL, "0.19", None, None),  # 0.05 mg steps take 21 %, 0.01 mg steps: already on it
        (ZOL, "0.0875", None, None),  # 7 kg x 0.0125 mg/kg: every step takes more than 5 %
        (ZOL, "0.123", "0.12", "3"),  # 0.01 mg steps (0.25 ml) take 2.4 %
        (PAM, "20", "19.5", "6.5"),  # 0.5 ml steps of 3 mg/ml
        (PAM, "10", "9.9", "3.3"),  # 1.5 mg steps take 10 %, 0.3 mg steps 1 %
        (PAM, "45", None, None),  # on the step
        (PAM, "0.7", None, None),  # 0.6 mg would take 14 %
    ],
)
def test_worked_roundings(drug: Drug, dose: str, rounded: str | None, volume: str | None) -> None:
    """UMC-VIAL-1: the coarsest step within 5 %, down; else the dose is kept."""
    result = round_down(drug, Decimal(dose))
    if rounded is None:
        assert result is None
        return
    assert result is not None
    assert volume is not None
    assert result.dose_mg == Decimal(rounded)
    assert result.volume_ml == Decimal(volume)


@given(
    st.sampled_from([ZOL, PAM]),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(90), places=3),
)
def test_rounding_is_down_within_5_percent_on_a_step(drug: Drug, dose: Decimal) -> None:
    """UMC-VIAL-1, P-ZOL-CAP, P-PAM-CAP: a rounded dose is lower, at most 5 % lower, positive,
    and a whole number of one of the drug's volume steps."""
    result = round_down(drug, dose)
    if result is None:
        return
    assert Decimal(0) < result.dose_mg < dose
    assert dose - result.dose_mg <= MAX_REDUCTION * dose
    assert result.step_ml in PRESENTATIONS[drug].steps_ml
    assert (result.volume_ml / result.step_ml) % 1 == 0


@given(
    st.sampled_from([ZOL, PAM]),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(90), places=3),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(90), places=3),
)
def test_rounding_keeps_doses_in_order(drug: Drug, a: Decimal, b: Decimal) -> None:
    """Invariant 6 (P-ZOL-DOSE, P-PAM-DOSE) under UMC-VIAL-1: a larger dose never rounds to less
    than a smaller one."""
    low, high = sorted([a, b])
    low_result, high_result = round_down(drug, low), round_down(drug, high)
    low_final = low if low_result is None else low_result.dose_mg
    high_final = high if high_result is None else high_result.dose_mg
    assert low_final <= high_final
