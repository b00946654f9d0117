"""The shipped JSON Schema matches the loader."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings

from bisphos.io import load_patient, patient_to_dict
from bisphos.model import Patient
from bisphos.schema import OBJECT_KEYS, patient_schema, patient_schema_json
from bisphos.testing.strategies import patients
from tests._profiles import examples

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "patients").glob("*.*"))
VALIDATOR = jsonschema.Draft202012Validator(patient_schema())


def test_shipped_schema_equals_the_generated_one() -> None:
    shipped = files("bisphos").joinpath("patient.schema.json").read_text(encoding="utf-8")
    assert shipped == patient_schema_json(), "regenerate with bisphos.schema.patient_schema_json()"


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(patient_schema())


def test_schema_properties_are_the_loader_keys() -> None:
    schema = patient_schema()
    assert tuple(schema["properties"]) == OBJECT_KEYS["patient"]
    assert tuple(schema["properties"]["labs"]["properties"]) == OBJECT_KEYS["labs"]
    assert tuple(schema["properties"]["risks"]["properties"]) == OBJECT_KEYS["risks"]
    fracture = schema["properties"]["fractures"]["items"]["properties"]
    assert tuple(fracture) == OBJECT_KEYS["fracture"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate_against_the_schema(path: Path) -> None:
    VALIDATOR.validate(json.loads(json.dumps(patient_to_dict(load_patient(path)))))


@settings(max_examples=examples(0.4))
@given(patients())
def test_written_patients_validate_against_the_schema(patient: Patient) -> None:
    VALIDATOR.validate(patient_to_dict(patient))
