"""FHIR in: the example Bundles plan as their files do, patients round-trip, bad Bundles are typed.

Invariant FHIR-IN-1: ``patient_from_bundle(patient_to_bundle(p)) == p`` for every patient the
strategies draw (every field the protocol reads: P-PRE-LABS with dates and upper limits, P-BMD
scores by site, P-FX-a, P-FX-b and P-FX-c fractures, P-CI-* flags, the history of infusions).
Invariant FHIR-IN-2: whatever the Bundle holds, the reader returns a patient or raises a
``FhirInputError`` whose problems name a resource or Bundle element; never another exception.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import attrs
import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import given
from hypothesis import strategies as st

from bisphos.cli import main
from bisphos.engine import Engine
from bisphos.errors import FhirInputError, UnitError, UnknownCodeError
from bisphos.export.plan_json import plan_to_json
from bisphos.fhir import (
    MAX_ENTRIES,
    bundle_from_text,
    patient_from_bundle,
    patient_to_bundle,
    patient_to_bundle_json,
    read_bundle,
)
from bisphos.io import load_patient
from bisphos.model import Drug, Patient
from bisphos.report import render_plan
from bisphos.testing.strategies import patients

ROOT = Path(__file__).parent.parent.parent
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.*"))
BUNDLES = ROOT / "examples" / "fhir" / "patients"
ENGINE = Engine.create(entry_points=False)


def bundle_of(path: Path) -> Path:
    return BUNDLES / f"{path.stem}.bundle.json"


def example(name: str = "oi-girl-20kg.json") -> dict[str, Any]:
    data = json.loads(bundle_of(ROOT / "examples" / "patients" / name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def entry(bundle: dict[str, Any], code: str) -> dict[str, Any]:
    """The resource of ``bundle`` whose code has ``code``."""
    for item in bundle["entry"]:
        resource: dict[str, Any] = item["resource"]
        codings = resource.get("code", {}).get("coding", [])
        if any(coding["code"] == code for coding in codings):
            return resource
    raise AssertionError(code)


def problems(bundle: object, **options: Any) -> list[tuple[str, str, type[Exception]]]:
    with pytest.raises(FhirInputError) as caught:
        patient_from_bundle(bundle, **options)
    return [(p.field, p.message, type(p)) for p in caught.value.problems]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_bundles_stay_what_the_script_writes(path: Path) -> None:
    """examples/fhir/make_bundles.py wrote each Bundle from its patient file; run it again."""
    assert bundle_of(path).read_text("utf-8") == patient_to_bundle_json(load_patient(path))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_plans_from_its_bundle_byte_for_byte(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text, the JSON plan and the command line's output agree byte for byte."""
    from_file = load_patient(path)
    from_bundle = patient_from_bundle(json.loads(bundle_of(path).read_text("utf-8")))
    assert from_bundle == from_file
    plan_file, plan_bundle = ENGINE.plan(from_file), ENGINE.plan(from_bundle)
    assert plan_to_json(plan_bundle) == plan_to_json(plan_file)
    assert render_plan(plan_bundle, "nl") == render_plan(plan_file, "nl")
    code_file = main(["plan", str(path), "--format", "json"], engine=ENGINE)
    out_file = capsys.readouterr().out
    code_bundle = main(["plan", str(bundle_of(path)), "--format", "json"], engine=ENGINE)
    out_bundle = capsys.readouterr().out
    assert (code_bundle, out_bundle) == (code_file, out_file)


@pytest.mark.parametrize("path", EXAMPLES[:6], ids=lambda p: p.name)
def test_example_bundles_are_valid_r4_for_the_models(path: Path) -> None:
    bundle = Bundle.model_validate_json(bundle_of(path).read_text("utf-8"))
    assert bundle.type == "collection"
    urls = {entry.fullUrl for entry in bundle.entry or []}
    for item in json.loads(bundle_of(path).read_text("utf-8"))["entry"]:
        reference = item["resource"].get("subject") or item["resource"].get("patient")
        if reference is not None:
            assert reference["reference"] in urls


def _empty_baseline_as_none(patient: Patient) -> Patient:
    baseline = patient.baseline_vitals
    if baseline is not None and all(v is None for v in attrs.astuple(baseline)):
        return attrs.evolve(patient, baseline_vitals=None)
    return patient


@given(patients())
def test_fhir_in_1_random_patients_round_trip(patient: Patient) -> None:
    """FHIR-IN-1: patient → Bundle → patient is the identity (an empty baseline reads as none)."""
    assert patient_from_bundle(patient_to_bundle(patient)) == _empty_baseline_as_none(patient)


def test_the_latest_value_is_taken_with_its_date() -> None:
    """Freshness needs the date: of two weights the later counts, and the reading gives its date."""
    bundle = example()
    weight = entry(bundle, "29463-7")
    older = copy.deepcopy(weight)
    older["id"] = "weight-old"
    older["valueQuantity"]["value"] = 18.0
    older["effectiveDateTime"] = "2026-05-01"
    weight["effectiveDateTime"] = "2026-11-20T09:30:00+01:00"
    bundle["entry"].append({"fullUrl": "urn:uuid:weight-old", "resource": older})
    reading = read_bundle(bundle)
    assert reading.patient.weight.m_as("kg") == 20.0
    assert reading.dates["weight"] == dt.date(2026, 11, 20)
    assert reading.sources["weight"] == f"Observation/{weight['id']}"
    assert any(i.where == "Observation/weight-old" for i in reading.ignored)


def test_units_go_through_the_field_unit_lists() -> None:
    """A weight in lb is converted; in cm or in an unknown UCUM code it is a typed error."""
    bundle = example()
    weight = entry(bundle, "29463-7")
    weight["valueQuantity"].update(value=44.092452, unit="lb", code="[lb_av]")
    assert patient_from_bundle(bundle).weight.m_as("kg") == pytest.approx(20.0, abs=1e-6)
    weight["valueQuantity"].update(value=20, unit="cm", code="cm")
    [(field, _, kind)] = problems(bundle)
    assert field == f"Observation/{weight['id']}.valueQuantity.value"
    assert issubclass(kind, UnitError)
    weight["valueQuantity"].update(value=20, code="KG")
    [(field, _, kind)] = problems(bundle)
    assert field.startswith(f"Observation/{weight['id']}.valueQuantity")
    assert issubclass(kind, UnitError)
    weight["valueQuantity"].update(code="kg", system="http://example.org/units")
    [(field, _, kind)] = problems(bundle)
    assert field == f"Observation/{weight['id']}.valueQuantity.system"


def test_creatinine_in_mg_dl_reads_as_the_file_does() -> None:
    """P-GFR: 0.4 mg/dl is 35.36 µmol/l, by the creatinine kind's own conversion."""
    bundle = example()
    creatinine = entry(bundle, "14682-9")
    creatinine["valueQuantity"].update(value=0.4, unit="mg/dL", code="mg/dL")
    creatinine["code"]["coding"][0]["code"] = "2160-0"
    labs = patient_from_bundle(bundle).labs
    assert labs.creatinine is not None
    assert labs.creatinine.value.m_as("umol/L") == pytest.approx(35.36)


def test_conflicting_duplicates_are_an_error_and_equal_ones_are_not() -> None:
    bundle = example()
    calcium = entry(bundle, "2000-8")
    twin = copy.deepcopy(calcium)
    twin["id"] = "calcium-twin"
    bundle["entry"].append({"resource": twin})
    assert patient_from_bundle(bundle) == patient_from_bundle(example())
    twin["valueQuantity"]["value"] = 2.1
    [(field, message, _)] = problems(bundle)
    assert field == "Observation/calcium-twin"
    assert "two different values of labs.calcium" in message


def test_absurd_and_future_dates_are_typed_errors() -> None:
    bundle = example()
    calcium = entry(bundle, "2000-8")
    for date, expected in (
        ("23/11/2026", "not a FHIR date"),
        ("2026-13-01", "not a calendar date"),
        ("2026-02-30", "not a calendar date"),
        ("2026", "a date to the day is needed"),
        ("2099-01-01", "dated after the assessment date"),
    ):
        calcium["effectiveDateTime"] = date
        found = problems(bundle)
        assert any(expected in message for _, message, _ in found), found
    calcium["effectiveDateTime"] = "1900-01-01"
    [(field, message, _)] = problems(bundle)
    assert field.startswith(f"Observation/{calcium['id']}")
    assert "outside the patient's life" in message


def test_missing_codes_and_values_are_named() -> None:
    bundle = example()
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Condition"]
    weight = entry(bundle, "29463-7")
    del weight["valueQuantity"]
    found = problems(bundle)
    assert (f"Observation/{weight['id']}.valueQuantity", "is required") in [f[:2] for f in found]
    assert any(field == "Condition.code" for field, _, _ in found)


def test_unknown_codes_are_reported_not_guessed() -> None:
    bundle = example()
    haemoglobin = copy.deepcopy(entry(bundle, "2000-8"))
    haemoglobin["id"] = "hb"
    haemoglobin["code"] = {"coding": [{"system": "http://loinc.org", "code": "718-7"}]}
    bun = copy.deepcopy(haemoglobin)
    bun["id"] = "bun"
    bun["code"]["coding"][0]["code"] = "3094-0"
    bundle["entry"].append({"resource": haemoglobin})
    reading = read_bundle(bundle)
    assert any("718-7" in i.reason for i in reading.ignored if i.where == "Observation/hb.code")
    bundle["entry"].append({"resource": bun})
    [(field, message, kind)] = problems(bundle)
    assert (field, kind) == ("Observation/bun.code.coding[0]", UnknownCodeError)
    assert "urea nitrogen" in message


def test_a_bisphosphonate_that_cannot_be_counted_is_an_error() -> None:
    """P-CI-ALLERGY and the history: a bisphosphonate is never dropped for want of a code."""
    bundle = example()
    given_: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": "ibandronate",
        "status": "completed",
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.whocc.no/atc", "code": "M05BA06"}]
        },
        "effectiveDateTime": "2026-10-01",
        "dosage": {
            "dose": {"value": 2, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}
        },
    }
    named = {
        "resourceType": "AllergyIntolerance",
        "id": "named",
        "code": {"text": "Zoledroninezuur"},
    }
    stopped = copy.deepcopy(given_)
    stopped.update(id="stopped", status="stopped")
    stopped["medicationCodeableConcept"]["coding"][0]["code"] = "M05BA08"
    bundle["entry"] += [{"resource": r} for r in (given_, named, stopped)]
    found = {field: kind for field, _, kind in problems(bundle)}
    assert found == {
        "MedicationAdministration/ibandronate.medicationCodeableConcept": UnknownCodeError,
        "AllergyIntolerance/named.code": UnknownCodeError,
        "MedicationAdministration/stopped.status": found["MedicationAdministration/stopped.status"],
    }


def test_history_allergy_and_pregnancy_are_read() -> None:
    bundle = example()
    atc = "http://www.whocc.no/atc"
    bundle["entry"] += [
        {
            "resource": {
                "resourceType": "MedicationStatement",
                "id": "pam",
                "status": "completed",
                "medicationReference": {"reference": "Medication/pam-product"},
                "effectiveDateTime": "2026-01-10",
                "dosage": [
                    {
                        "doseAndRate": [
                            {
                                "doseQuantity": {
                                    "value": 20,
                                    "system": "http://unitsofmeasure.org",
                                    "code": "mg",
                                }
                            }
                        ]
                    }
                ],
            }
        },
        {
            "resource": {
                "resourceType": "Medication",
                "id": "pam-product",
                "code": {"coding": [{"system": atc, "code": "M05BA03"}]},
            }
        },
        {
            "resource": {
                "resourceType": "AllergyIntolerance",
                "id": "a1",
                "code": {"coding": [{"system": atc, "code": "M05BA08"}]},
            }
        },
    ]
    patient = patient_from_bundle(bundle)
    assert [(r.drug, r.date, r.dose.m_as("mg")) for r in patient.infusions] == [
        (Drug.PAMIDRONATE, dt.date(2026, 1, 10), 20.0)
    ]
    assert patient.risks.bisphosphonate_hypersensitivity


def test_another_patients_resource_or_a_second_patient_is_refused() -> None:
    bundle = example()
    entry(bundle, "29463-7")["subject"] = {"reference": "Patient/someone-else"}
    (field, message, _), missing = problems(bundle)
    assert field.endswith(".subject.reference")
    assert "not the Bundle's Patient" in message
    assert missing[:2] == ("Observation.code", "is required")  # this patient has no weight
    bundle = example()
    bundle["entry"].append(copy.deepcopy(bundle["entry"][0]))
    bundle["entry"][-1]["resource"]["id"] = "second"
    assert problems(bundle)[0][1] == "a Bundle must hold exactly one Patient"


def test_ten_thousand_entries_are_refused_quickly() -> None:
    """A Bundle over MAX_ENTRIES is refused before any entry is read."""
    bundle = example()
    bundle["entry"] = bundle["entry"] * (10_000 // len(bundle["entry"]) + 1)
    start = time.process_time()
    [(field, message, _)] = problems(bundle)
    assert time.process_time() - start < 1.0
    assert (field, message) == ("Bundle.entry", f"more than {MAX_ENTRIES} entries")


def test_a_full_bundle_of_observations_reads_in_bounded_time() -> None:
    """MAX_ENTRIES observations of one code: the latest value, in bounded time."""
    bundle = example()
    weight = entry(bundle, "29463-7")
    extra = []
    for index in range(MAX_ENTRIES - len(bundle["entry"])):
        copy_ = copy.deepcopy(weight)
        copy_["id"] = f"w{index}"
        copy_["effectiveDateTime"] = (
            dt.date(2020, 1, 1) + dt.timedelta(days=index % 2000)
        ).isoformat()
        extra.append({"resource": copy_})
    bundle["entry"] += extra
    start = time.process_time()
    reading = read_bundle(bundle)
    elapsed = time.process_time() - start
    assert reading.patient.weight.m_as("kg") == 20.0
    assert elapsed < 10.0, elapsed


def test_text_that_is_not_json_is_typed() -> None:
    for text in ("[" * 100_000, '{"a": 1, "a": 2}', '{"value": NaN}', "not json"):
        with pytest.raises(FhirInputError):
            bundle_from_text(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(st.data())
def test_fhir_in_2_any_damage_gives_a_patient_or_a_typed_error(data: st.DataObject) -> None:
    """FHIR-IN-2: replace one element anywhere in an example Bundle with any JSON value."""
    bundle = example()
    node: Any = bundle
    path: list[str | int] = []
    depth = data.draw(st.integers(min_value=1, max_value=7))
    while isinstance(node, (dict, list)) and node and len(path) < depth:
        key = data.draw(
            st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
        )
        path.append(key)
        node = node[key]
    if not path:
        return
    parent: Any = bundle
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(json_values)
    failures: list[FhirInputError] = []
    try:
        patient_from_bundle(bundle)
    except FhirInputError as error:
        failures.append(error)
    for failure in failures:
        assert failure.problems
        assert all(p.field for p in failure.problems), failure


def test_the_docs_mapping_table_lists_every_code() -> None:
    """docs/fhir.md cites each code the reader and writers use."""
    from bisphos.fhir import codes

    page = (ROOT / "docs" / "fhir.md").read_text("utf-8")
    tables = [
        *codes.MEASUREMENT_CODES.values(),
        *codes.BMD_CODES.values(),
        *codes.CONDITION_CODES.values(),
        *codes.FRACTURE_CODES.values(),
        *codes.DRUG_CODES.values(),
        [codes.PREGNANCY_STATUS, codes.GENE_STUDIED, codes.OI_SEVERITY],
        codes.FLAG_CODES.values(),
    ]
    for table in tables:
        for _, code, _ in table:
            assert f"`{code}`" in page, code
