"""The unit registry and the parser for units as clinicians type them."""

from __future__ import annotations

import pickle

import pint
import pytest

from bisphos import quantities as q
from bisphos.errors import (
    BisphosError,
    DimensionError,
    InvalidValueError,
    MissingUnitError,
    UnitError,
    UnknownUnitError,
)
from bisphos.quantities import QuantityKind
from bisphos.units import format_quantity, parse_quantity, parse_unit, quantity, ureg

# (text, kind, expected value in the kind's canonical unit). Each group spells one value in many
# accepted ways; all must normalise to the same canonical magnitude.
ACCEPTED: list[tuple[str, QuantityKind, float]] = [
    # creatinine 35.36 µmol/l = 0.4 mg/dl (x 88.4, P-GFR)
    ("35.36 umol/L", q.CREATININE, 35.36),
    ("35.36 umol/l", q.CREATININE, 35.36),
    ("35.36 µmol/L", q.CREATININE, 35.36),
    ("35.36 µmol/l", q.CREATININE, 35.36),
    ("35.36 μmol/L", q.CREATININE, 35.36),
    ("35.36 μmol/l", q.CREATININE, 35.36),
    ("35.36 mcmol/L", q.CREATININE, 35.36),
    ("35.36 mcmol/l", q.CREATININE, 35.36),
    ("35.36µmol/L", q.CREATININE, 35.36),
    ("35.36 umol / L", q.CREATININE, 35.36),
    ("0.03536 mmol/L", q.CREATININE, 35.36),
    ("0.4 mg/dL", q.CREATININE, 35.36),
    ("0.4 mg/dl", q.CREATININE, 35.36),
    ("4 mg/L", q.CREATININE, 35.36),
    ("0,4 mg/dL", q.CREATININE, 35.36),
    # calcium 2.495 mmol/l = 10 mg/dl (x 0.2495)
    ("2.495 mmol/L", q.CALCIUM, 2.495),
    ("2.495 mmol/l", q.CALCIUM, 2.495),
    ("2495 umol/L", q.CALCIUM, 2.495),
    ("10 mg/dL", q.CALCIUM, 2.495),
    ("10 mg/dl", q.CALCIUM, 2.495),
    ("100 mg/L", q.CALCIUM, 2.495),
    # weight 20 kg
    ("20 kg", q.WEIGHT, 20.0),
    ("20kg", q.WEIGHT, 20.0),
    ("20000 g", q.WEIGHT, 20.0),
    ("20.0 kg", q.WEIGHT, 20.0),
    ("44.09245243697551 lb", q.WEIGHT, 20.0),
    ("44.09245243697551 lbs", q.WEIGHT, 20.0),
    # height 110 cm
    ("110 cm", q.HEIGHT, 110.0),
    ("1.1 m", q.HEIGHT, 110.0),
    ("1100 mm", q.HEIGHT, 110.0),
    ("43.30708661417323 in", q.HEIGHT, 110.0),
    ("43.30708661417323 inch", q.HEIGHT, 110.0),
    # temperature 38.5 degC; 101.3 degF converts with float noise (see thresholds)
    ("38.5 degC", q.TEMPERATURE, 38.5),
    ("38.5 °C", q.TEMPERATURE, 38.5),
    ("38.5 ° C", q.TEMPERATURE, 38.5),
    ("38.5 ℃", q.TEMPERATURE, 38.5),
    ("38.5 C", q.TEMPERATURE, 38.5),
    ("38,5 °C", q.TEMPERATURE, 38.5),
    ("101.3 degF", q.TEMPERATURE, 38.5),
    ("101.3 °F", q.TEMPERATURE, 38.5),
    ("101.3 ℉", q.TEMPERATURE, 38.5),
    # GFR 95 ml/min/1.73 m² as one unit
    ("95 mL/min/1.73m2", q.GFR, 95.0),
    ("95 ml/min/1.73m2", q.GFR, 95.0),
    ("95 ml/min/1.73 m²", q.GFR, 95.0),
    ("95 mL/min/1.73 m2", q.GFR, 95.0),
    ("95 mL/min/1.73m^2", q.GFR, 95.0),
    ("95 mL/min/1.73m**2", q.GFR, 95.0),
    ("95 mL/min/{1.73_m2}", q.GFR, 95.0),
    ("95 ml/min/1,73m2", q.GFR, 95.0),
    # heart rate 90 per minute
    ("90 /min", q.HEART_RATE, 90.0),
    ("90 bpm", q.HEART_RATE, 90.0),
    ("90 beats/min", q.HEART_RATE, 90.0),
    ("90 1/min", q.HEART_RATE, 90.0),
    ("90 min⁻¹", q.HEART_RATE, 90.0),
    ("1.5 /s", q.HEART_RATE, 90.0),
    # blood pressure
    ("120 mmHg", q.BLOOD_PRESSURE, 120.0),
    ("15.998686489800001 kPa", q.BLOOD_PRESSURE, 120.0),
    # 25-OH vitamin D 49.92 nmol/l = 20 ng/ml (x 2.496)
    ("49.92 nmol/L", q.VITAMIN_D_25OH, 49.92),
    ("20 ng/mL", q.VITAMIN_D_25OH, 49.92),
    ("20 ng/ml", q.VITAMIN_D_25OH, 49.92),
    ("20 ug/L", q.VITAMIN_D_25OH, 49.92),
    ("20 µg/l", q.VITAMIN_D_25OH, 49.92),
    # PTH 10.6 pmol/l = 100 pg/ml (x 0.106)
    ("10.6 pmol/L", q.PTH, 10.6),
    ("100 pg/mL", q.PTH, 10.6),
    ("100 ng/L", q.PTH, 10.6),
    # alkaline phosphatase: IU/l is U/l for an enzyme
    ("250 U/L", q.ALKALINE_PHOSPHATASE, 250.0),
    ("250 IU/L", q.ALKALINE_PHOSPHATASE, 250.0),
    ("250 IU/l", q.ALKALINE_PHOSPHATASE, 250.0),
    # albumin
    ("40 g/L", q.ALBUMIN, 40.0),
    ("4 g/dL", q.ALBUMIN, 40.0),
    # vitamin D dose: 10 µg = 400 IU (cholecalciferol)
    ("400 IU", q.VITAMIN_D_DOSE, 400.0),
    ("10 ug", q.VITAMIN_D_DOSE, 400.0),
    ("10 µg", q.VITAMIN_D_DOSE, 400.0),
    ("10 mcg", q.VITAMIN_D_DOSE, 400.0),
    # doses, volumes, rates, activity, counts, haemoglobin
    ("0.25 mg", q.DOSE, 0.25),
    ("250 ug", q.DOSE, 0.25),
    ("250 mcg", q.DOSE, 0.25),
    ("200 mL", q.VOLUME, 200.0),
    ("200 ml", q.VOLUME, 200.0),
    ("0.2 L", q.VOLUME, 200.0),
    ("50 mL/h", q.INFUSION_RATE, 50.0),
    ("50 ml/hr", q.INFUSION_RATE, 50.0),
    ("3.85 MBq", q.RADIOACTIVITY, 3850.0),
    ("3850 kBq", q.RADIOACTIVITY, 3850.0),
    ("55 kBq/kg", q.RADIOACTIVITY_PER_KG, 55.0),
    ("150 10^9/L", q.PLATELETS, 150.0),
    ("150 x10^9/l", q.PLATELETS, 150.0),
    ("150 ×10⁹/L", q.PLATELETS, 150.0),
    ("10 g/dL", q.HAEMOGLOBIN, 10.0),
    ("6.205783790492739 mmol/L", q.HAEMOGLOBIN, 10.0),
]


def test_at_least_fifty_spellings_are_accepted() -> None:
    assert len({text for text, _, _ in ACCEPTED}) >= 50


@pytest.mark.parametrize(("text", "kind", "expected"), ACCEPTED)
def test_accepted_spelling_normalises_to_canonical_value(
    text: str, kind: QuantityKind, expected: float
) -> None:
    value = kind.conform(text, field="f")
    assert value.units == kind.canonical
    assert float(value.magnitude) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        "5 MG",  # megagauss in Pint's default registry
        "5 ML",  # megalitre
        "5 gr",  # grain
        "5 cc",
        "20 KG",
        "20 Kg",
        "2.2 MMOL/L",
        "35 UMOL/L",
        "0.4 MG/DL",
        "38.5 DEGC",
        "5 mmol/LL",
        "5 furlong",
        "5 mg/dL/",
        "5 10^7/L",
        "2 degC*m",
    ],
)
def test_refused_spelling_raises_unknown_unit_error(text: str) -> None:
    with pytest.raises(UnknownUnitError) as raised:
        parse_quantity(text, field="labs.x")
    assert raised.value.field == "labs.x"
    assert raised.value.value == text
    assert isinstance(raised.value, ValueError)


def test_case_folded_spelling_suggests_the_right_case() -> None:
    with pytest.raises(UnknownUnitError, match="did you mean 'kg'"):
        parse_quantity("20 KG")


@pytest.mark.parametrize("text", ["5", "20.5", "  7  "])
def test_bare_number_is_refused(text: str) -> None:
    with pytest.raises(MissingUnitError):
        parse_quantity(text, field="weight")


@pytest.mark.parametrize(
    "text", ["", "kg", "nan kg", "inf kg", "1e999 kg", "--5 kg", "1,000 mg", "2,495 mmol/l"]
)
def test_text_without_a_finite_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("20 cm", q.WEIGHT),
        ("110 kg", q.HEIGHT),
        ("90 mL/min", q.GFR),  # not normalised to body surface
        ("90 mL/min/1.73m2", q.CLEARANCE),  # the adult clearance is never per 1.73 m²
        ("80 kBq", q.HEART_RATE),  # per time, but not a rate of beats
        ("20 mg/dL", q.UREA),  # urea or urea nitrogen: ambiguous, refused
        ("38 mmHg", q.TEMPERATURE),
        ("2.2 mmol/L", q.ALBUMIN),
        ("400 IU", q.DOSE),  # IU is not a mass outside vitamin D
    ],
)
def test_unit_of_wrong_dimension_for_the_field_is_refused(text: str, kind: QuantityKind) -> None:
    with pytest.raises(DimensionError) as raised:
        kind.conform(text, field="field.path")
    assert raised.value.field == "field.path"
    assert kind.name in str(raised.value)


def test_gfr_is_one_named_unit_not_fifty_two_times_off() -> None:
    gfr = q.GFR.conform("95 mL/min/1.73m**2", field="gfr")
    # A generic parser reads "/1.73m**2" as "/1.73 * m**2"; per m² the value would be 52.02.
    assert float(gfr.m_as("mL/min/m**2")) == pytest.approx(95 / 1.73)
    assert parse_unit("mL/min/{1.73_m2}") == parse_unit("ml/min/1.73 m²")


def test_temperature_offset_units_convert_as_offsets() -> None:
    assert float(q.TEMPERATURE.magnitude("212 degF", field="t")) == pytest.approx(100.0)
    assert float(q.TEMPERATURE.magnitude("32 °F", field="t")) == pytest.approx(0.0, abs=1e-12)
    assert float(q.TEMPERATURE.magnitude("101.3 °F", field="t")) == pytest.approx(38.5)


def test_vitamin_d_iu_is_not_a_registry_wide_equivalence() -> None:
    """40 IU = 1 µg holds for cholecalciferol only: the registry keeps IU apart from mass."""
    with pytest.raises(pint.DimensionalityError):
        quantity(400, "IU").to("ug")
    assert float(q.VITAMIN_D_DOSE.magnitude("10 ug", field="d")) == 400.0


def test_analyte_conversions_use_the_stated_factors() -> None:
    assert float(q.CREATININE.magnitude("1 mg/dL", field="c")) == pytest.approx(88.4)
    assert float(q.CALCIUM.magnitude("1 mg/dL", field="c")) == pytest.approx(0.2495)
    with pytest.raises(pint.DimensionalityError):
        quantity(1, "mg/dL").to("umol/L")


def test_quantity_of_another_registry_is_refused() -> None:
    other: pint.UnitRegistry[float] = pint.UnitRegistry()
    with pytest.raises(InvalidValueError, match="another Pint registry"):
        q.WEIGHT.conform(other.Quantity(20, "kg"), field="weight")


def test_nan_and_infinite_quantities_are_refused() -> None:
    for magnitude in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(BisphosError):
            q.WEIGHT.conform(quantity(magnitude, "kg"), field="weight")


@pytest.mark.parametrize(("text", "kind", "expected"), ACCEPTED)
def test_format_quantity_round_trips(text: str, kind: QuantityKind, expected: float) -> None:
    value = kind.conform(text, field="f")
    assert parse_quantity(format_quantity(value)) == value


def test_registry_knows_no_unit_outside_the_clinical_definitions() -> None:
    for name in ("grain", "cc", "gauss", "furlong"):
        with pytest.raises(pint.UndefinedUnitError):
            ureg.Unit(name)


def test_unit_errors_pickle_with_their_fields() -> None:
    with pytest.raises(UnitError) as raised:
        parse_quantity("5 cc", field="dose")
    clone = pickle.loads(pickle.dumps(raised.value))
    assert (clone.field, clone.value, str(clone)) == ("dose", "5 cc", str(raised.value))


def test_quantities_hash_and_equal_quantities_hash_equal() -> None:
    assert hash(quantity(1, "kg")) == hash(quantity(1000, "g"))
    assert len({quantity(1, "kg"), quantity(1000, "g"), quantity(2, "kg")}) == 2
