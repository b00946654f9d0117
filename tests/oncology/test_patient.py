"""The adult patient model: canonical units, plausibility and consistency checks."""

from __future__ import annotations

import datetime as dt

import pytest
from pint.testing import assert_allclose

from bisphos.errors import (
    DimensionError,
    ImplausibleValueError,
    InvalidValueError,
    MissingUnitError,
)
from bisphos.oncology.patient import ADULT_PLAUSIBLE_RANGES, MenopausalStatus, Setting, Tumour
from bisphos.units import parse_quantity, quantity
from tests.oncology._patients import adult


def test_values_are_stored_in_canonical_units() -> None:
    """O-RENAL and O-RA223: weight in kg, creatinine in µmol/l, Hb in g/dl whatever the input."""
    patient = adult(
        weight=parse_quantity("154.32 lb"),
        serum_creatinine=parse_quantity("1.1 mg/dL"),
        haemoglobin=parse_quantity("7.5 mmol/L"),
        life_expectancy=parse_quantity("6 months"),
    )
    assert patient.weight.units == quantity(1.0, "kg").units
    assert_allclose(patient.weight, quantity(70.0, "kg"), rtol=1e-4)
    assert_allclose(patient.serum_creatinine, quantity(97.24, "umol/L"))
    assert_allclose(patient.haemoglobin, quantity(7.5 * 1.6114, "g/dL"))
    assert patient.life_expectancy is not None
    assert patient.life_expectancy.m_as("month") == pytest.approx(6.0)
    assert patient.setting is Setting.BONE_METASTASES
    assert patient.tumour is Tumour.BREAST
    assert patient.menopausal_status is MenopausalStatus.UNKNOWN
    assert patient.age_in_whole_years == 64


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("weight", quantity(350.0, "kg"), ImplausibleValueError),
        ("weight", quantity(0.0, "kg"), ImplausibleValueError),
        ("weight", 70.0, MissingUnitError),
        ("weight", quantity(170.0, "cm"), DimensionError),
        ("serum_creatinine", quantity(0.0, "umol/L"), ImplausibleValueError),
        ("serum_creatinine", parse_quantity("70 mL/min/1.73m2"), DimensionError),
        ("neutrophils", quantity(-1.0, "ten_to_the_9 / liter"), ImplausibleValueError),
        ("platelets", quantity(5000.0, "ten_to_the_9 / liter"), ImplausibleValueError),
        ("haemoglobin", quantity(40.0, "g/dL"), ImplausibleValueError),
        ("calcium", quantity(9.0, "mmol/L"), ImplausibleValueError),
        ("life_expectancy", quantity(200.0, "year"), ImplausibleValueError),
        ("life_expectancy", quantity(3.0, "kg"), DimensionError),
    ],
)
def test_implausible_or_wrong_values_are_refused(
    field: str, value: object, error: type[Exception]
) -> None:
    """O-RENAL and O-RA223: values outside ADULT_PLAUSIBLE_RANGES or of the wrong kind are
    refused with a typed error naming the field."""
    with pytest.raises(error) as caught:
        adult(**{field: value})
    assert getattr(caught.value, "field", "") == field


def test_ranges_have_reasons() -> None:
    for name, plausible in ADULT_PLAUSIBLE_RANGES.items():
        assert plausible.reason, name
        assert plausible.low < plausible.high


def test_myeloma_setting_and_tumour_go_together() -> None:
    """O-SRE-MM: the multiple myeloma setting needs tumour 'myeloma' and the other way round."""
    with pytest.raises(InvalidValueError) as caught:
        adult(setting="multiple_myeloma")
    assert caught.value.field == "tumour"
    with pytest.raises(InvalidValueError):
        adult(tumour="myeloma")
    assert adult(setting="multiple_myeloma", tumour="myeloma").tumour is Tumour.MYELOMA


def test_dates_are_checked() -> None:
    """O-SRE-MM: the treatment start lies between birth and the assessment date."""
    with pytest.raises(InvalidValueError) as caught:
        adult(treatment_start_date=dt.date(2025, 1, 1))
    assert caught.value.field == "treatment_start_date"
    with pytest.raises(InvalidValueError):
        adult(birth_date=dt.date(2025, 1, 1))
    with pytest.raises(ImplausibleValueError):
        adult(birth_date=dt.date(1900, 1, 1))


@pytest.mark.parametrize("number", [0, 7, True, 1.0])
def test_radium_injection_number_is_1_to_6(number: object) -> None:
    """O-RA223: the injection number is a whole number from 1 to 6."""
    with pytest.raises(InvalidValueError):
        adult(radium_injection_number=number)


@pytest.mark.parametrize(
    ("field", "value"),
    [("setting", "bone"), ("tumour", "colon"), ("sex", "f"), ("menopausal_status", "post")],
)
def test_unknown_enumeration_values_are_typed_errors(field: str, value: str) -> None:
    """O-SCOPE: setting, tumour, sex and menopausal status outside their lists are refused."""
    with pytest.raises(InvalidValueError) as caught:
        adult(**{field: value})
    assert caught.value.field == field
    assert caught.value.value == value
