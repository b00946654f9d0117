"""Property tests of the oncology protocol's invariants (Hypothesis, ci profile: 500 examples)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from bisphos.model import Sex
from bisphos.oncology.radium import radium_activity
from bisphos.oncology.renal import cockcroft_gault, zoledronic_acid_4mg_dose
from bisphos.units import Quantity, quantity

_EDGES = (30.0, 35.0, 40.0, 50.0, 60.0)
# Clearances anywhere, and clusters within float noise and a hair of each band edge.
clearances = st.one_of(
    st.floats(min_value=0.0, max_value=250.0, allow_nan=False),
    st.builds(
        lambda edge, delta: max(0.0, edge + delta),
        st.sampled_from(_EDGES),
        st.floats(min_value=-1e-3, max_value=1e-3, allow_nan=False),
    ),
)
weights = st.floats(min_value=0.4, max_value=300.0, allow_nan=False)


def _mg(dose: Quantity | None) -> float:
    # "Not recommended" gives no drug at all.
    return 0.0 if dose is None else float(dose.m_as("mg"))


@given(high=clearances, low=clearances)
def test_zoledronic_acid_dose_never_increases_as_clearance_falls_and_never_exceeds_4_mg(
    high: float, low: float
) -> None:
    """O-RENAL: for clearances a >= b, dose(b) <= dose(a) <= 4 mg (no renal-adjusted zoledronic
    acid dose rises when renal function falls, and none exceeds the 4 mg of the label)."""
    high, low = max(high, low), min(high, low)
    dose_high = _mg(zoledronic_acid_4mg_dose(quantity(high, "mL/min")))
    dose_low = _mg(zoledronic_acid_4mg_dose(quantity(low, "mL/min")))
    assert dose_low <= dose_high <= 4.0


@given(
    age=st.integers(min_value=18, max_value=120),
    weight=st.floats(min_value=25.0, max_value=300.0),
    creatinine=st.floats(min_value=5.0, max_value=2999.0),
    factor=st.floats(min_value=1.0, max_value=3.0),
    sex=st.sampled_from(Sex),
)
def test_dose_never_increases_as_creatinine_rises(
    age: int, weight: float, creatinine: float, factor: float, sex: Sex
) -> None:
    """O-RENAL: through Cockcroft-Gault, a higher creatinine never gives more zoledronic acid,
    and creatinine in mg/dl gives the same dose as the same value in µmol/l."""
    higher = min(creatinine * factor, 3000.0)

    def dose(value: Quantity) -> float:
        clearance = cockcroft_gault(
            age=quantity(float(age), "year"),
            weight=quantity(weight, "kg"),
            creatinine=value,
            sex=sex,
        )
        return _mg(zoledronic_acid_4mg_dose(clearance))

    base = dose(quantity(creatinine, "umol/L"))
    assert dose(quantity(higher, "umol/L")) <= base <= 4.0
    assert dose(quantity(creatinine / 88.4, "mg/dL")) == base


@given(weight=weights, factor=st.floats(min_value=0.25, max_value=4.0))
def test_radium_activity_is_proportional_to_weight(weight: float, factor: float) -> None:
    """O-RA223: activity = 55 kBq/kg x weight (2015 NIST standard), its deck equivalent 50 kBq/kg
    x weight (pre-2015), so activity(k x w) = k x activity(w)."""
    activity = radium_activity(quantity(weight, "kg"))
    kbq = float(activity.activity.activity.m_as("kBq"))
    assert math.isclose(kbq, 55.0 * weight, rel_tol=1e-12)
    assert math.isclose(
        float(activity.deck_equivalent.activity.m_as("kBq")), 50.0 * weight, rel_tol=1e-12
    )
    scaled_weight = weight * factor
    if 0.4 <= scaled_weight <= 300.0:
        scaled = radium_activity(quantity(scaled_weight, "kg"))
        assert math.isclose(
            float(scaled.activity.activity.m_as("kBq")), factor * kbq, rel_tol=1e-12
        )
