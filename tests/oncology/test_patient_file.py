"""The adult oncology patient file: JSON and TOML, the shipped schema, typed errors by field."""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from pathlib import Path

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.errors import PatientInputError
from bisphos.oncology.file_kind import is_adult_patient_file
from bisphos.oncology.patient import AdultPatient, ClinicianOverride
from bisphos.oncology.patient_file import (
    FIELDS,
    adult_patient_from_dict,
    adult_patient_from_text,
    adult_patient_to_dict,
    load_adult_patient,
)
from bisphos.oncology.schema import (
    ADULT_SCHEMA_RESOURCE,
    adult_patient_schema,
    adult_patient_schema_json,
)
from bisphos.units import quantity
from tests.oncology._patients import adult

ROOT = Path(__file__).resolve().parents[2]
ONCOLOGY = sorted((ROOT / "examples" / "patients" / "oncology").glob("*.*"))
PEDIATRIC = sorted((ROOT / "examples" / "patients").glob("*.*"))
VALIDATOR = jsonschema.Draft202012Validator(adult_patient_schema())
MINIMAL = {
    "kind": "adult-oncology",
    "birth_date": "1960-01-15",
    "assessment_date": "2024-05-01",
    "sex": "female",
    "weight": "70 kg",
    "setting": "bone_metastases",
    "tumour": "breast",
}


def test_shipped_schema_equals_the_generated_one() -> None:
    shipped = files("bisphos.oncology").joinpath(ADULT_SCHEMA_RESOURCE).read_text("utf-8")
    assert shipped == adult_patient_schema_json(), "regenerate with adult_patient_schema_json()"
    jsonschema.Draft202012Validator.check_schema(adult_patient_schema())


def test_the_file_fields_are_the_patient_fields() -> None:
    """Every attribute of AdultPatient is a field of the file, and nothing else is."""
    names = [item.name for item in FIELDS]
    assert len(names) == len(set(names))
    assert set(names) == set(attrs.fields_dict(AdultPatient))


@pytest.mark.parametrize("path", ONCOLOGY, ids=lambda p: p.name)
def test_every_oncology_example_reads_validates_and_writes_back(path: Path) -> None:
    """Each example loads, its normalised form validates against the schema and reads back
    into an equal patient; the file says it is an adult file."""
    patient = load_adult_patient(path)
    written = adult_patient_to_dict(patient)
    VALIDATOR.validate(json.loads(json.dumps(written)))
    assert adult_patient_from_dict(written) == patient
    assert is_adult_patient_file(path)


@pytest.mark.parametrize("path", PEDIATRIC, ids=lambda p: p.name)
def test_a_pediatric_file_is_not_an_adult_file(path: Path) -> None:
    assert not is_adult_patient_file(path)


def test_toml_and_json_give_the_same_patient() -> None:
    """The TOML example (weight in lb, creatinine in µmol/l) equals the same patient in JSON."""
    toml = load_adult_patient(
        ROOT / "examples/patients/oncology/prostate-bone-metastases-us-units.toml"
    )
    assert round(float(toml.weight.m_as("kg")), 2) == 79.83
    as_json = json.dumps(adult_patient_to_dict(toml))
    assert adult_patient_from_text(as_json, file_format="json") == toml


def _problems(data: object) -> dict[str, str]:
    with pytest.raises(PatientInputError) as caught:
        adult_patient_from_dict(data, source="test.json")
    return {problem.field: str(problem) for problem in caught.value.problems}


def test_every_problem_is_named_by_its_field_in_one_error() -> None:
    """A file with five mistakes gets one error listing each, by field, with what was expected."""
    data = {
        **MINIMAL,
        "weight": "70 mg",
        "sex": "unknown",
        "dialysis": "yes",
        "radium_injection_number": 7,
        "shoe_size": 42,
    }
    del data["tumour"]
    problems = _problems(data)
    assert set(problems) == {
        "weight",
        "sex",
        "dialysis",
        "radium_injection_number",
        "shoe_size",
        "tumour",
    }
    assert "female, male, other" in problems["sex"]
    assert "1 to 6" in problems["radium_injection_number"]


def test_a_cross_field_error_names_its_field() -> None:
    """The myeloma setting with a breast tumour is refused, naming 'tumour'."""
    problems = _problems({**MINIMAL, "setting": "multiple_myeloma"})
    assert list(problems) == ["tumour"]


def test_an_override_needs_a_coded_reason_a_name_and_a_time() -> None:
    """O-LABEL: an override without a coded reason is refused under its own path."""
    override = {
        "target": "pamidronate-severe-renal",
        "reason_code": "Because I said so",
        "reason": "x",
        "clinician": "Dr. B",
        "time": "2024-05-01T09:00:00+00:00",
    }
    problems = _problems({**MINIMAL, "overrides": [override]})
    assert list(problems) == ["overrides[0].reason_code"]
    problems = _problems({**MINIMAL, "overrides": [{**override, "reason_code": "ok", "time": 5}]})
    assert list(problems) == ["overrides[0].time"]


@pytest.mark.parametrize(
    ("text", "file_format"),
    [
        ('{"kind": "adult-oncology", "weight": NaN}', "json"),
        ('{"kind": "adult-oncology", "kind": "adult-oncology"}', "json"),
        ("kind = ", "toml"),
        ("[1, 2]", "json"),
    ],
)
def test_absurd_files_are_typed_errors(text: str, file_format: str) -> None:
    with pytest.raises(PatientInputError):
        adult_patient_from_text(text, file_format=file_format)


def test_not_an_adult_file_and_unknown_version() -> None:
    problems = _problems({**MINIMAL, "kind": "pediatric", "schema_version": 2})
    assert {"kind", "schema_version"} <= set(problems)


_WEIGHTS = st.floats(min_value=30.0, max_value=200.0, allow_nan=False)
_CREATININE = st.one_of(st.none(), st.floats(min_value=30.0, max_value=900.0))


@given(weight=_WEIGHTS, creatinine=_CREATININE, flags=st.booleans())
def test_written_patients_read_back_equal(
    weight: float, creatinine: float | None, flags: bool
) -> None:
    """Whatever the values, writing a patient and reading it back gives an equal patient."""
    patient = adult(
        weight=quantity(weight, "kg"),
        serum_creatinine=None if creatinine is None else quantity(creatinine, "umol/L"),
        dialysis=flags,
        castration_resistant=flags or None,
        overrides=(
            ClinicianOverride(
                target="pamidronate-severe-renal",
                reason_code="no-alternative",
                reason="r",
                clinician="c",
                time=dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC),
            ),
        )
        if flags
        else (),
    )
    written = adult_patient_to_dict(patient)
    VALIDATOR.validate(written)
    assert adult_patient_from_dict(json.loads(json.dumps(written))) == patient
