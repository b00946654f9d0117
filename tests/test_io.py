"""Loading patients from JSON, TOML and dicts; every problem reported with its path."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bisphos.errors import BisphosError, PatientInputError
from bisphos.io import load_patient, patient_from_dict, patient_from_text, patient_to_dict
from bisphos.model import Diagnosis, Patient
from bisphos.testing.strategies import patients, reexpressed
from tests._profiles import examples

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "patients").glob("*.*"))

MINIMAL: dict[str, Any] = {
    "birth_date": "2018-01-01",
    "assessment_date": "2026-01-01",
    "sex": "female",
    "weight": "20 kg",
    "diagnosis": "osteogenesis_imperfecta",
}


def test_at_least_six_example_patients_are_bundled() -> None:
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_loads_and_round_trips(path: Path) -> None:
    patient = load_patient(path)
    assert patient_from_dict(json.loads(json.dumps(patient_to_dict(patient)))) == patient


def test_pounds_and_mg_per_dl_are_normalised() -> None:
    patient = load_patient(next(p for p in EXAMPLES if p.suffix == ".toml"))
    assert float(patient.weight.m_as("kg")) == pytest.approx(154.3 * 0.45359237)
    assert patient.labs.creatinine is not None
    assert float(patient.labs.creatinine.value.m_as("umol/L")) == pytest.approx(0.9 * 88.4)
    assert patient.labs.calcium is not None
    assert float(patient.labs.calcium.value.m_as("mmol/L")) == pytest.approx(9.6 * 0.2495)


def test_minimal_patient_loads() -> None:
    patient = patient_from_dict(MINIMAL)
    assert patient.diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA
    assert patient.age_in_whole_years == 8


def test_every_problem_is_reported_with_its_path() -> None:
    data = {
        "birth_date": "2019-02-30",
        "assessment_date": "2026-01-01",
        "sex": "f",
        "weight": "300 kg",
        "height": "20 KG",
        "diagnosis": "osteogenesis_imperfecta",
        "labs": {"creatinine": "0 umol/L", "calcium": {"value": "2 MG"}},
        "fractures": [{"site": "long_bone"}],
        "bmd": [{"site": "femur", "z_score": "low"}],
        "colour": "blue",
    }
    with pytest.raises(PatientInputError) as raised:
        patient_from_dict(data)
    paths = [problem.field for problem in raised.value.problems]
    assert paths == [
        "colour",
        "birth_date",
        "sex",
        "weight",
        "height",
        "fractures[0].trauma",
        "bmd[0].z_score",
        "labs.calcium.value",
        "labs.creatinine",
    ]
    assert "did you mean 'kg'" in str(raised.value)


def test_missing_required_fields_are_listed() -> None:
    with pytest.raises(PatientInputError) as raised:
        patient_from_dict({})
    assert [p.field for p in raised.value.problems] == [
        "birth_date",
        "assessment_date",
        "sex",
        "weight",
        "diagnosis",
    ]


def test_cross_field_problem_names_its_field() -> None:
    data = MINIMAL | {"fractures": [{"site": "long_bone", "trauma": "low", "date": "2027-01-01"}]}
    with pytest.raises(PatientInputError) as raised:
        patient_from_dict(data)
    assert [p.field for p in raised.value.problems] == ["fractures[0].date"]


@pytest.mark.parametrize(
    "text",
    ['{"weight": NaN}', '{"a": 1, "a": 2}', "[", '{"weight": Infinity}'],
)
def test_malformed_json_is_an_input_error(text: str) -> None:
    with pytest.raises(PatientInputError):
        patient_from_text(text, file_format="json")


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "patient.yaml"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(PatientInputError, match="unknown file type"):
        load_patient(path)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(PatientInputError, match="cannot read"):
        load_patient(tmp_path / "absent.json")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["20 kg", "2026-01-01", "female", "long_bone", "0.4 mg/dL", "38.9 degC"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    [*MINIMAL, "height", "labs", "fractures", "bmd", "vitals", "infusions", "risks", "bmd"]
)


@settings(max_examples=examples(2))
@given(st.one_of(json_values, st.dictionaries(field_names, json_values, max_size=8)))
def test_any_json_value_gives_a_patient_or_a_bisphos_error(data: object) -> None:
    """Whatever JSON the loader gets, it returns a Patient or raises a BisphosError (>= 1000)."""
    try:
        result = patient_from_dict(data)
    except BisphosError:
        return
    assert isinstance(result, Patient)


@settings(max_examples=examples(2))
@given(st.dictionaries(field_names, json_values, max_size=8))
def test_any_json_over_a_valid_patient_gives_a_patient_or_a_bisphos_error(
    override: dict[str, object],
) -> None:
    """Valid patients with arbitrary JSON in some fields: a Patient or a BisphosError (>= 1000)."""
    try:
        result = patient_from_dict(MINIMAL | override)
    except BisphosError:
        return
    assert isinstance(result, Patient)


@settings(max_examples=examples(0.4))
@given(patients())
def test_patient_round_trips_through_json(patient: Patient) -> None:
    text = json.dumps(patient_to_dict(patient))
    assert patient_from_text(text, file_format="json") == patient


@settings(max_examples=examples(0.4))
@given(st.data())
def test_patient_in_other_units_loads_to_the_same_canonical_values(data: st.DataObject) -> None:
    patient = data.draw(patients(max_infusions=0))
    other = data.draw(reexpressed(patient))
    loaded = patient_from_dict(json.loads(json.dumps(patient_to_dict(other))))
    assert float(loaded.weight.m_as("kg")) == pytest.approx(float(patient.weight.m_as("kg")))
    assert loaded.assessment_date == dt.date(2026, 1, 15)
