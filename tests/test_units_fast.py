"""The unit registry's fast paths give exactly what Pint's general paths give.

A quantity of a float and a unit is made without Pint's checks of other inputs, and the parser of
unit spellings multiplies the atoms' unit containers instead of units; both are judged here
against Pint's own construction and Pint's own unit arithmetic, which the tests compute.
"""

from __future__ import annotations

import math
from typing import Any

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos import units
from bisphos.errors import UnknownUnitError
from bisphos.units import parse_unit, ureg

ATOMS = sorted(units._ATOMS)
UNITS = [ureg.Unit(name) for name in sorted(set(units._ATOMS.values()))] + [
    ureg.Unit("milligram / kilogram"),
    ureg.Unit("milliliter / hour"),
    ureg.Unit("degree_Celsius"),
    ureg.Unit("mL_min_1_73m2"),
    ureg.dimensionless,
]


def _reference(value: object, unit: object) -> pint.Quantity[float]:
    """Pint's own construction, past the fast path."""
    cls = ureg.Quantity
    made: pint.Quantity[float] = super(units.FrozenQuantity, cls).__new__(cls, value, unit)  # type: ignore[misc]
    return made


def _same(a: object, b: object) -> bool:
    magnitude_a, magnitude_b = vars(a)["_magnitude"], vars(b)["_magnitude"]
    same_magnitude = repr(magnitude_a) == repr(magnitude_b) or (
        math.isnan(magnitude_a) and math.isnan(magnitude_b)
    )
    return (
        type(a) is type(b)
        and set(vars(a)) == set(vars(b))
        and same_magnitude
        and type(magnitude_a) is type(magnitude_b)
        and vars(a)["_units"] == vars(b)["_units"]
        and type(vars(a)["_units"]) is type(vars(b)["_units"])
    )


@given(st.floats(), st.sampled_from(UNITS), st.booleans())
def test_a_float_quantity_is_made_as_pint_makes_it(
    value: float, unit: Any, container: bool
) -> None:
    """Invariant: ureg.Quantity(float, unit) is Pint's quantity, attribute for attribute."""
    given_unit = unit._units if container else unit
    assert _same(ureg.Quantity(value, given_unit), _reference(value, given_unit))


@pytest.mark.parametrize(
    ("value", "unit"), [(1, "mg"), ("2 mg", None), (0.5, "mg/kg"), (3, None), (0.5, None)]
)
def test_other_inputs_take_pints_own_path(value: Any, unit: Any) -> None:
    assert _same(ureg.Quantity(value, unit), _reference(value, unit))


def test_a_true_magnitude_is_refused_as_pint_refuses_it() -> None:
    with pytest.raises(TypeError, match="Invalid magnitude"):
        ureg.Quantity(True, "mg")  # noqa: FBT003 - the value under test


def test_a_made_quantity_is_frozen_and_computes() -> None:
    dose = ureg.Quantity(0.05, ureg.Unit("milligram / kilogram")) * ureg.Quantity(20.0, "kg")
    assert dose.m_as("mg") == pytest.approx(1.0)
    with pytest.raises(AttributeError, match="cannot be changed"):
        dose._magnitude = 2.0


_SEPARATORS = ("*", " ", ".", "·")


@st.composite
def _spellings(draw: st.DrawFn) -> tuple[str, pint.Unit]:
    """A product of accepted atoms with powers, over a product of atoms; its unit by Pint."""
    expected = ureg.dimensionless
    parts = []
    for side in (1, -1) if draw(st.booleans()) else (1,):
        factors = []
        for _ in range(draw(st.integers(1, 3))):
            atom = draw(st.sampled_from(ATOMS))
            power = draw(st.sampled_from([1, 1, 2, 3, -1]))
            factors.append(atom if power == 1 else f"{atom}^{power}")
            expected = expected * ureg.Unit(units._ATOMS[atom]) ** (power * side)
        parts.append(draw(st.sampled_from(_SEPARATORS)).join(factors))
    return draw(st.sampled_from(["/", " / "])).join(parts), expected


@given(_spellings())
def test_a_spelling_is_the_product_of_its_atoms(spelling: tuple[str, pint.Unit]) -> None:
    """Invariant: parse_unit gives the unit Pint's unit arithmetic makes of the atoms."""
    text, expected = spelling
    parsed = parse_unit(text)
    assert parsed._units == expected._units
    assert type(parsed) is type(expected)


@pytest.mark.parametrize("text", ["MG", "kg/ML", "cc", "mg^x", "10^8/L", "kg//m"])
def test_a_spelling_outside_the_list_is_refused(text: str) -> None:
    with pytest.raises(UnknownUnitError):
        parse_unit(text)
