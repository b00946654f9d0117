"""Units and quantity kinds as the pediatric rules receive them, parsed afresh.

The unit parser keeps no answers: every spelling is parsed afresh by every test. The accepted
spellings are the table of ``tests/test_units.py`` (P-GFR creatinine in mg/dl, weights in lb,
38.5 °C as 101.3 °F ...). Every refusal is checked with its message, field, value and
expectation, as the design asks of every typed error, and every quantity kind is pinned to its
canonical unit and its analyte conversions (module-level tables that mutation testing does not
reach).
"""

from __future__ import annotations

import math
from decimal import Decimal

import pint
import pytest

from bisphos import quantities as q
from bisphos.errors import (
    DimensionError,
    ImplausibleValueError,
    InvalidValueError,
    MissingUnitError,
    UnknownUnitError,
)
from bisphos.quantities import QuantityKind
from bisphos.units import format_unit, parse_quantity, parse_unit, ureg
from tests.test_units import ACCEPTED

EXPECTED_UNITS = "a unit such as kg, lb, cm, umol/L, mg/dL, mmol/L, degC, mmHg, mL/min/1.73m2"


@pytest.mark.parametrize(("text", "kind", "expected"), ACCEPTED)
def test_accepted_spelling_parses_afresh(text: str, kind: QuantityKind, expected: float) -> None:
    """P-GFR, P-CI-FEVER, invariant 7: every accepted spelling gives the canonical value."""
    assert kind.magnitude(text, field="f") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("µmol/L", "micromole / liter"),
        ("μmol/L", "micromole / liter"),
        ("mg / dL", "milligram / deciliter"),
        ("kg·m^−2", "kilogram / meter ** 2"),
        ("m ^ 2", "meter ** 2"),
        ("m²", "meter ** 2"),
        ("m^3", "meter ** 3"),
        ("kg   m", "kilogram * meter"),
        ("° C", "degree_Celsius"),
        ("°  F", "degree_Fahrenheit"),
        ("10^9/L", "ten_to_the_9 / liter"),
        ("10^12/L", "ten_to_the_12 / liter"),
        ("×10⁹/L", "ten_to_the_9 / liter"),
        ("1/min", "1 / minute"),
        ("/d", "1 / day"),
        ("kg", "kilogram"),
    ],
)
def test_unit_spellings(text: str, unit: str) -> None:
    """Invariant 7: micro signs, minus signs, spaces, powers and superscripts are normalised."""
    assert parse_unit(text) == ureg.Unit(unit)


def test_case_hint_names_every_right_spelling() -> None:
    """Units are case-sensitive: 'ML' is refused, suggesting 'mL' or 'ml'."""
    with pytest.raises(UnknownUnitError) as caught:
        parse_unit("ML")
    error = caught.value
    assert error.message == (
        "unit 'ML' is not accepted (units are case-sensitive: did you mean 'mL' or 'ml'?)"
    )
    assert error.value == "ML"
    assert error.expected == EXPECTED_UNITS
    assert error.field == ""


def test_case_hint_looks_at_the_unit_not_its_power() -> None:
    """'KG^2' is refused with the hint for 'KG', whatever the power."""
    with pytest.raises(UnknownUnitError) as caught:
        parse_unit("KG^2")
    assert caught.value.message == (
        "unit 'KG^2' is not accepted (units are case-sensitive: did you mean 'kg'?)"
    )


def test_unknown_unit_without_a_case_hint() -> None:
    """'cc' has no spelling in another case: refused without a hint."""
    with pytest.raises(UnknownUnitError) as caught:
        parse_unit("cc", field="volume")
    assert caught.value.message == "unit 'cc' is not accepted"
    assert caught.value.field == "volume"


def test_a_spelling_that_is_no_atom_names_the_factor() -> None:
    """A factor that is not even a unit atom ('10^7') is refused naming it."""
    with pytest.raises(UnknownUnitError) as caught:
        parse_unit("10^7/L")
    assert caught.value.message == "unit '10^7' is not accepted"


def test_empty_unit_is_missing() -> None:
    """A unit is required."""
    with pytest.raises(MissingUnitError) as caught:
        parse_unit("  ", field="dose")
    assert caught.value.field == "dose"
    assert caught.value.expected == "e.g. 'kg', 'umol/L'"


@pytest.mark.parametrize(
    ("value", "message", "expected"),
    [
        ("", "a quantity must start with a number", "text such as '20 kg' or '35 umol/L'"),
        ("kg", "a quantity must start with a number", "text such as '20 kg' or '35 umol/L'"),
        (
            "1,000 mg",
            "a comma followed by three digits is ambiguous (decimal or thousands separator)",
            "a decimal point, e.g. '1.000' or '1000'",
        ),
        ("1e999 kg", "the number must be finite", ""),
    ],
)
def test_text_quantity_refusals(value: str, message: str, expected: str) -> None:
    """Invariant 7: text that is not '<finite number> <unit>' is refused with its details."""
    with pytest.raises(InvalidValueError) as caught:
        parse_quantity(value, field="weight")
    error = caught.value
    assert error.message == message
    assert error.field == "weight"
    assert error.value == value
    assert error.expected == expected


def test_minus_sign_is_a_minus() -> None:
    """A typographic minus (U+2212) reads as '-': −2 °C is -2 °C."""
    assert parse_quantity("−2 degC") == ureg.Quantity(-2.0, "degC")


def test_bare_number_is_missing_its_unit() -> None:
    """Invariant 7: '20' could be kg or lb: refused with its details."""
    with pytest.raises(MissingUnitError) as caught:
        parse_quantity("20", field="weight")
    error = caught.value
    assert error.message == "a bare number has no unit"
    assert (error.field, error.value) == ("weight", "20")
    assert error.expected == "the number followed by its unit, e.g. '20 kg'"


def test_quantity_with_an_unknown_unit_names_the_whole_text() -> None:
    """An unknown unit in a quantity names the field, the whole text and the expectation."""
    with pytest.raises(UnknownUnitError) as caught:
        parse_quantity("20 KG", field="weight")
    error = caught.value
    assert error.field == "weight"
    assert error.value == "20 KG"
    assert error.expected == EXPECTED_UNITS
    assert "did you mean 'kg'" in error.message


def test_quantity_must_be_text() -> None:
    """A number handed to the text parser is refused with its details."""
    with pytest.raises(InvalidValueError) as caught:
        parse_quantity(20.0, field="weight")  # type: ignore[arg-type]
    error = caught.value
    assert error.message == "a quantity must be text with its unit"
    assert (error.field, error.value) == ("weight", 20.0)
    assert error.expected == "text such as '20 kg'"


def test_default_field_is_empty() -> None:
    """Without a field, errors name none."""
    with pytest.raises(UnknownUnitError) as caught:
        parse_quantity("5 cc")
    assert caught.value.field == ""


@pytest.mark.parametrize(
    ("unit", "text"),
    [
        ("kilogram / meter ** 2", "kg/m^2"),
        ("kilogram * meter", "kg*m"),
        ("milliliter_per_minute_per_1_73_m2", "mL/min/1.73m2"),
        ("dimensionless", ""),
        ("1 / minute", "/min"),
    ],
)
def test_format_unit(unit: str, text: str) -> None:
    """Units are written in spellings the parser reads back."""
    assert format_unit(ureg.Unit(unit)) == text
    if text:
        assert parse_unit(text) == ureg.Unit(unit)


def test_format_unit_refuses_a_unit_without_spelling() -> None:
    """Kelvin is in the registry for the temperature scales, but has no clinical spelling."""
    with pytest.raises(InvalidValueError) as caught:
        format_unit(ureg.Unit("kelvin"))
    assert caught.value.message == "unit has no accepted spelling"
    assert caught.value.value == "kelvin"


# --- quantity kinds ----------------------------------------------------------------------------

_KINDS: list[tuple[QuantityKind, str, str]] = [
    (q.WEIGHT, "body weight", "kilogram"),
    (q.HEIGHT, "body height", "centimeter"),
    (q.AGE, "age", "year"),
    (q.DURATION, "duration", "hour"),
    (q.TEMPERATURE, "temperature", "degree_Celsius"),
    (q.HEART_RATE, "heart rate", "1 / minute"),
    (q.BLOOD_PRESSURE, "blood pressure", "millimeter_Hg"),
    (q.GFR, "GFR normalised to 1.73 m²", "milliliter_per_minute_per_1_73_m2"),
    (q.CLEARANCE, "creatinine clearance", "milliliter / minute"),
    (q.DOSE, "dose", "milligram"),
    (q.DOSE_PER_KG, "dose per kg", "milligram / kilogram"),
    (q.VOLUME, "volume", "milliliter"),
    (q.INFUSION_RATE, "infusion rate", "milliliter / hour"),
    (q.CONCENTRATION, "concentration", "milligram / milliliter"),
    (q.RADIOACTIVITY, "radioactivity", "kilobecquerel"),
    (q.RADIOACTIVITY_PER_KG, "radioactivity per kg", "kilobecquerel / kilogram"),
    (q.VITAMIN_D_DOSE, "vitamin D dose", "international_unit"),
    (q.CALCIUM_DOSE, "calcium dose", "milligram"),
    (q.CALCIUM, "total calcium", "millimole / liter"),
    (q.PHOSPHATE, "phosphate", "millimole / liter"),
    (q.ALKALINE_PHOSPHATASE, "alkaline phosphatase", "enzyme_unit / liter"),
    (q.UREA, "urea", "millimole / liter"),
    (q.CREATININE, "creatinine", "micromole / liter"),
    (q.ALBUMIN, "albumin", "gram / liter"),
    (q.VITAMIN_D_25OH, "25-OH vitamin D", "nanomole / liter"),
    (q.PTH, "PTH", "picomole / liter"),
    (q.HAEMOGLOBIN, "haemoglobin", "gram / deciliter"),
    (q.NEUTROPHILS, "neutrophil count", "ten_to_the_9 / liter"),
    (q.PLATELETS, "platelet count", "ten_to_the_9 / liter"),
]


def test_every_kind_is_pinned() -> None:
    """Every kind of the module is in the table below, once."""
    declared = {
        getattr(q, name) for name in q.__all__ if isinstance(getattr(q, name), QuantityKind)
    }
    assert declared == {kind for kind, _, _ in _KINDS}


@pytest.mark.parametrize(("kind", "name", "canonical"), _KINDS)
def test_kind_name_and_canonical_unit(kind: QuantityKind, name: str, canonical: str) -> None:
    """Invariant 7: each kind stores its values in one canonical unit."""
    assert kind.name == name
    assert kind.canonical == ureg.Unit(canonical)


@pytest.mark.parametrize(
    ("kind", "from_unit", "factor"),
    [
        (q.CREATININE, "milligram / deciliter", 88.4),
        (q.CALCIUM, "milligram / deciliter", 0.2495),
        (q.PHOSPHATE, "milligram / deciliter", 0.3229),
        (q.VITAMIN_D_25OH, "nanogram / milliliter", 2.496),
        (q.PTH, "picogram / milliliter", 0.106),
        (q.HAEMOGLOBIN, "millimole / liter", 1.6114),
        (q.ALKALINE_PHOSPHATASE, "international_unit / liter", 1.0),
        (q.VITAMIN_D_DOSE, "microgram", 40.0),
    ],
)
def test_analyte_conversions(kind: QuantityKind, from_unit: str, factor: float) -> None:
    """P-GFR (creatinine x 88.4) and every other analyte factor, with its source named."""
    (conversion,) = kind.conversions
    assert conversion.from_unit == ureg.Unit(from_unit)
    assert conversion.factor == factor
    assert conversion.source
    assert kind.magnitude(ureg.Quantity(1.0, from_unit), field="f") == pytest.approx(factor)


def test_kinds_without_analyte_conversions() -> None:
    """Urea refuses mass units: mg/dl may be urea or urea nitrogen."""
    assert q.UREA.conversions == ()
    assert q.WEIGHT.conversions == ()
    assert "milligram" not in q.UREA.units


def test_wrong_dimension_is_refused_with_details() -> None:
    """Invariant 7: a height in kg is refused naming the unit, the field and the expectation."""
    with pytest.raises(DimensionError) as caught:
        q.HEIGHT.conform(ureg.Quantity(110.0, "kilogram"), field="height")
    error = caught.value
    assert error.message == "unit 'kg' does not fit a body height"
    assert error.field == "height"
    assert error.value == "110.0 kilogram"
    assert error.expected == "a body height in cm (units accepted: cm, in, m, mm)"


def test_text_with_an_unknown_unit_names_the_field() -> None:
    """A creatinine typed as '35 UMOL/L' is refused, naming the field."""
    with pytest.raises(UnknownUnitError) as caught:
        q.CREATININE.conform("35 UMOL/L", field="labs.creatinine")
    assert caught.value.field == "labs.creatinine"


@pytest.mark.parametrize("value", [True, None, [20.0], b"20 kg"])
def test_objects_that_are_no_quantity(value: object) -> None:
    """A flag, None, a list or bytes is not a quantity."""
    with pytest.raises(InvalidValueError) as caught:
        q.WEIGHT.conform(value, field="weight")
    error = caught.value
    assert type(error) is InvalidValueError
    assert error.message == "not a quantity"
    assert (error.field, error.value) == ("weight", value)
    assert error.expected == "a body weight in kg (units accepted: g, kg, lb)"


def test_bare_number_for_a_kind() -> None:
    """Invariant 7: 20 could be kg or lb."""
    with pytest.raises(MissingUnitError) as caught:
        q.WEIGHT.conform(20, field="weight")
    error = caught.value
    assert error.message == "a bare number has no unit"
    assert (error.field, error.value) == ("weight", 20)
    assert error.expected == "a body weight in kg (units accepted: g, kg, lb)"


def test_quantity_of_another_registry_with_details() -> None:
    """Pint cannot compare quantities of two registries: refused with details."""
    other: pint.UnitRegistry[float] = pint.UnitRegistry(cache_folder=None)
    value = other.Quantity(20.0, "kilogram")
    with pytest.raises(InvalidValueError) as caught:
        q.WEIGHT.conform(value, field="weight")
    error = caught.value
    assert error.message == "a quantity of another Pint registry cannot be compared"
    assert (error.field, error.value) == ("weight", str(value))
    assert error.expected == "a quantity of bisphos.units.ureg"


@pytest.mark.parametrize("magnitude", [Decimal("20"), complex(20, 0)])
def test_magnitude_must_be_a_real_float(magnitude: Decimal | complex) -> None:
    """A Decimal or complex magnitude is refused: every rule compares floats."""
    value = ureg.Quantity(magnitude, "kilogram")
    with pytest.raises(InvalidValueError) as caught:
        q.WEIGHT.conform(value, field="weight")
    error = caught.value
    assert error.message == "the magnitude must be a real number"
    assert (error.field, error.value) == ("weight", str(value))
    assert error.expected == "a body weight in kg (units accepted: g, kg, lb)"


def test_infinite_magnitude_with_details() -> None:
    """No limit can be applied to an infinite value."""
    with pytest.raises(ImplausibleValueError) as caught:
        q.DOSE.conform(ureg.Quantity(math.inf, "milligram"), field="dose")
    error = caught.value
    assert error.message == "the value must be finite"
    assert (error.field, error.value) == ("dose", "inf milligram")
    assert error.expected == "a dose in mg (units accepted: g, mg, ug)"


def test_a_kind_that_does_not_accept_its_own_unit_refuses_it() -> None:
    """A value in the canonical unit is read directly only when that unit is accepted: a kind
    whose accepted units leave out its canonical one refuses a value in it."""
    odd = QuantityKind(name="odd dose", canonical=ureg.Unit("milligram"), units=frozenset({"gram"}))
    with pytest.raises(DimensionError, match="does not fit a odd dose"):
        odd.magnitude(ureg.Quantity(4.0, "milligram"), field="dose")
    with pytest.raises(DimensionError):
        odd.conform(ureg.Quantity(4.0, "milligram"), field="dose")
    assert odd.magnitude(ureg.Quantity(0.004, "gram"), field="dose") == 4.0


def test_conform_gives_a_float_quantity_of_the_registry_itself() -> None:
    """A canonical quantity of the registry with a float magnitude is returned as it is (it
    cannot be changed); an int magnitude becomes a float, and a subclass of the registry's
    quantity class (which could lie about its value) becomes a plain quantity of the registry."""
    weight = ureg.Quantity(20.0, "kilogram")
    assert q.WEIGHT.conform(weight, field="weight") is weight
    whole = q.WEIGHT.conform(ureg.Quantity(20, "kilogram"), field="weight")
    assert type(whole.magnitude) is float
    assert whole.magnitude == 20.0

    class Lying(ureg.Quantity):  # type: ignore[misc,name-defined]
        pass

    lying = Lying(20.0, "kilogram")
    conformed = q.WEIGHT.conform(lying, field="weight")
    assert type(conformed) is ureg.Quantity
    assert conformed.magnitude == 20.0
    assert q.DOSE.of(4.0) == ureg.Quantity(4.0, "milligram")
    assert type(q.DOSE.of(4.0)) is ureg.Quantity
