"""Every way of reading a canonical magnitude gives Pint's own conversion (invariant 7).

``QuantityKind.conform``, ``QuantityKind.magnitude`` and the limits' ``canonical_magnitude`` all
give the value Pint's conversion gives, for every quantity kind and every accepted unit (P-GFR,
P-ZOL-DOSE and every rule that compares a measured value depend on it).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos import quantities as q
from bisphos.pediatric.limits import canonical_magnitude
from bisphos.quantities import QuantityKind
from bisphos.testing.strategies import ALTERNATIVE_UNITS, quantities
from bisphos.units import Quantity, format_quantity, format_unit, magnitude_in, quantity, ureg

KINDS = sorted(
    (getattr(q, name) for name in q.__all__ if isinstance(getattr(q, name), QuantityKind)),
    key=lambda kind: kind.name,
)


def _values(kind: QuantityKind) -> st.SearchStrategy[Quantity]:
    """Values of ``kind`` in its alternative units, or in its canonical unit when it has none."""
    if kind in ALTERNATIVE_UNITS:
        return quantities(kind)
    magnitudes = st.floats(min_value=1e-3, max_value=1e6)
    return magnitudes.map(lambda magnitude: ureg.Quantity(magnitude, kind.canonical))


def _general(kind: QuantityKind, value: Quantity) -> float:
    """The canonical magnitude through Pint's own conversion, or the analyte's factor."""
    if value.dimensionality == kind.canonical.dimensionality:
        return float(value.to(kind.canonical).magnitude)
    conversion = next(
        c for c in kind.conversions if value.dimensionality == c.from_unit.dimensionality
    )
    return float(value.to(conversion.from_unit).magnitude) * conversion.factor


@given(data=st.data())
def test_every_conversion_agrees_with_pint_for_every_kind_and_unit(data: st.DataObject) -> None:
    """Invariant 7: for every kind and unit, conform, magnitude and the limits'
    canonical_magnitude give Pint's value (within 1e-12, the last digits of a factor multiplied
    in another order), whether the value is already canonical or not."""
    kind = data.draw(st.sampled_from(KINDS))
    value = data.draw(_values(kind))
    expected = _general(kind, value)
    conformed = kind.conform(value, field=kind.name)
    assert conformed.units == kind.canonical
    assert math.isclose(conformed.magnitude, expected, rel_tol=1e-12, abs_tol=1e-12)
    assert kind.magnitude(value, field=kind.name) == conformed.magnitude
    assert canonical_magnitude(kind, value, field=kind.name) == conformed.magnitude
    # A canonical value, the library's own, is read as it is by every path.
    assert kind.magnitude(conformed, field=kind.name) == conformed.magnitude
    assert canonical_magnitude(kind, conformed, field=kind.name) == conformed.magnitude


@given(
    magnitude=st.floats(min_value=1e-6, max_value=1e6),
    unit=st.sampled_from(["mg", "kg", "mL", "mL/h", "mg/kg", "umol/L", "degC", "mL/min"]),
    target=st.sampled_from(["mg", "g", "kg", "mL", "L", "mL/h", "mg/kg", "mmol/L", "degC"]),
)
def test_quantity_andmagnitude_in_agree_with_pint(magnitude: float, unit: str, target: str) -> None:
    """quantity() builds what Pint's constructor builds, magnitude_in() converts as
    Quantity.m_as() does, and format_quantity() writes the magnitude's repr and the unit's
    spelling."""
    made = quantity(magnitude, unit)
    assert made == ureg.Quantity(magnitude, unit)
    assert made.units == ureg.Unit(unit)
    if made.dimensionality == ureg.Unit(target).dimensionality:
        assert magnitude_in(made, target) == pytest.approx(made.m_as(target), rel=1e-12)
    text = format_quantity(made)
    assert text == f"{float(magnitude)!r} {format_unit(made.units)}"


def test_every_kind_is_drawn() -> None:
    """The property above draws from every kind of bisphos.quantities, the GFR (P-GFR) and the
    dose (P-ZOL-DOSE) among them, and each kind's values can be drawn."""
    assert q.GFR in KINDS
    assert q.DOSE in KINDS
    assert len(KINDS) == len({kind.name for kind in KINDS}) >= 25
    for kind in KINDS:
        assert _values(kind) is not None
