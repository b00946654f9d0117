"""The patient model: normalisation, plausibility, dates."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from bisphos.errors import (
    DimensionError,
    ImplausibleValueError,
    InvalidValueError,
    MissingUnitError,
)
from bisphos.model import (
    PLAUSIBLE_RANGES,
    BmdMeasurement,
    BmdSite,
    Diagnosis,
    Drug,
    Fracture,
    FractureSite,
    InfusionRecord,
    LabResult,
    Labs,
    Patient,
    Sex,
    Trauma,
    VitalSigns,
)
from bisphos.units import parse_quantity, quantity


def make(**changes: object) -> Patient:
    base: dict[str, object] = {
        "birth_date": dt.date(2018, 3, 1),
        "assessment_date": dt.date(2026, 3, 1),
        "sex": Sex.FEMALE,
        "weight": quantity(20, "kg"),
        "diagnosis": Diagnosis.OSTEOGENESIS_IMPERFECTA,
    }
    return Patient(**(base | changes))  # type: ignore[arg-type]


def test_quantities_are_stored_in_canonical_units() -> None:
    patient = make(
        weight=parse_quantity("44.09245243697551 lb"),
        height=parse_quantity("1.1 m"),
        labs=Labs(creatinine=parse_quantity("0.4 mg/dL"), calcium=parse_quantity("10 mg/dL")),
        vitals=VitalSigns(temperature=parse_quantity("101.3 °F")),
    )
    assert str(patient.weight.units) == "kilogram"
    assert float(patient.weight.magnitude) == pytest.approx(20.0)
    assert patient.height is not None
    assert float(patient.height.magnitude) == pytest.approx(110.0)
    assert patient.labs.creatinine is not None
    assert float(patient.labs.creatinine.value.m_as("umol/L")) == pytest.approx(35.36)
    assert patient.labs.calcium is not None
    assert float(patient.labs.calcium.value.m_as("mmol/L")) == pytest.approx(2.495)
    assert patient.vitals.temperature is not None
    assert str(patient.vitals.temperature.units) == "degree_Celsius"


def test_same_patient_in_pounds_equals_the_patient_in_kilograms() -> None:
    assert make(weight=quantity(20, "kg")) == make(weight=quantity(20000, "g"))


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("weight", quantity(300, "kg"), ImplausibleValueError),
        ("weight", quantity(0, "kg"), ImplausibleValueError),
        ("weight", quantity(-20, "kg"), ImplausibleValueError),
        ("weight", quantity(float("nan"), "kg"), ImplausibleValueError),
        ("weight", quantity(float("inf"), "kg"), ImplausibleValueError),
        ("weight", quantity(20, "cm"), DimensionError),
        ("weight", 20.0, MissingUnitError),
        ("height", quantity(20, "kg"), DimensionError),
        ("height", quantity(300, "cm"), ImplausibleValueError),
    ],
)
def test_invalid_measurements_are_refused(
    field: str, value: object, error: type[Exception]
) -> None:
    with pytest.raises(error) as raised:
        make(**{field: value})
    assert getattr(raised.value, "field", None) == field


@pytest.mark.parametrize(
    ("lab", "text"),
    [
        ("creatinine", "0 umol/L"),
        ("creatinine", "4000 umol/L"),
        ("calcium", "0.1 mmol/L"),
        ("calcium", "9 mmol/L"),
        ("vitamin_d_25oh", "0 nmol/L"),
        ("pth", "-1 pmol/L"),
    ],
)
def test_implausible_lab_values_are_refused(lab: str, text: str) -> None:
    with pytest.raises(ImplausibleValueError) as raised:
        Labs(**{lab: parse_quantity(text)})
    assert raised.value.field == lab


def test_each_plausible_range_states_its_reason() -> None:
    for name, plausible in PLAUSIBLE_RANGES.items():
        assert plausible.reason, name
        assert plausible.low < plausible.high, name


def test_lab_result_keeps_date_and_upper_limit_in_canonical_units() -> None:
    labs = Labs(
        pth=LabResult(
            value=parse_quantity("100 pg/mL"),
            date=dt.date(2026, 2, 1),
            upper_limit=parse_quantity("7 pmol/L"),
        )
    )
    assert labs.pth is not None
    assert float(labs.pth.value.m_as("pmol/L")) == pytest.approx(10.6)
    assert labs.pth.date == dt.date(2026, 2, 1)
    assert labs.missing() == (
        "calcium",
        "phosphate",
        "alkaline_phosphatase",
        "urea",
        "creatinine",
        "albumin",
        "vitamin_d_25oh",
    )


def test_age_is_derived_from_the_dates_not_a_clock() -> None:
    patient = make(birth_date=dt.date(2016, 2, 29), assessment_date=dt.date(2026, 2, 28))
    assert patient.age_in_whole_years == 10
    assert float(patient.age.m_as("year")) == pytest.approx(3652 / 365.25)


def test_birth_after_assessment_is_refused() -> None:
    with pytest.raises(InvalidValueError) as raised:
        make(birth_date=dt.date(2027, 1, 1))
    assert raised.value.field == "birth_date"


def test_dates_outside_the_patients_life_are_refused() -> None:
    late = Fracture(site=FractureSite.LONG_BONE, trauma=Trauma.LOW, date=dt.date(2026, 3, 2))
    with pytest.raises(InvalidValueError) as raised:
        make(fractures=[late])
    assert raised.value.field == "fractures[0].date"


def test_fracture_needs_exactly_one_of_date_and_age() -> None:
    with pytest.raises(InvalidValueError):
        Fracture(site=FractureSite.LONG_BONE, trauma=Trauma.LOW)
    with pytest.raises(InvalidValueError):
        Fracture(
            site=FractureSite.LONG_BONE,
            trauma=Trauma.LOW,
            date=dt.date(2020, 1, 1),
            age_at_fracture=quantity(2, "year"),
        )


def test_fracture_age_above_current_age_is_refused() -> None:
    old = Fracture(
        site=FractureSite.LONG_BONE, trauma=Trauma.LOW, age_at_fracture=quantity(9, "year")
    )
    with pytest.raises(InvalidValueError, match="above the current age"):
        make(fractures=[old])


@pytest.mark.parametrize("z", [float("nan"), 11.0, -10.5, True])
def test_implausible_z_scores_are_refused(z: float) -> None:
    with pytest.raises(ImplausibleValueError):
        BmdMeasurement(site=BmdSite.LUMBAR_SPINE, z_score=z)


def test_infusions_are_sorted_by_date_and_doses_checked() -> None:
    later = InfusionRecord(drug=Drug.PAMIDRONATE, date=dt.date(2025, 6, 1), dose=quantity(40, "mg"))
    earlier = attrs.evolve(later, date=dt.date(2025, 3, 1), dose=quantity(20000, "ug"))
    patient = make(infusions=[later, earlier])
    assert [r.date for r in patient.infusions] == [dt.date(2025, 3, 1), dt.date(2025, 6, 1)]
    assert float(patient.infusions[0].dose.m_as("mg")) == pytest.approx(20.0)
    with pytest.raises(ImplausibleValueError):
        attrs.evolve(later, dose=quantity(500, "mg"))


def test_gene_symbols_are_checked() -> None:
    assert make(gene_variants=["WNT1"]).gene_variants == ("WNT1",)
    with pytest.raises(InvalidValueError, match="gene symbol"):
        make(gene_variants=["wnt1"])


def test_model_values_are_frozen() -> None:
    patient = make()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        patient.weight = quantity(30, "kg")  # type: ignore[misc]
