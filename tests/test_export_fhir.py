"""FHIR R4 export, built and parsed with the R4 models of fhir.resources (``fhir.resources.R4B``).

Invariant FHIR-OUT-1: every exported Bundle parses with the models and every reference in it is
the full URL of one of its entries (a walk of the whole Bundle finds none that dangles).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.detectedissue import DetectedIssue
from fhir.resources.R4B.medicationrequest import MedicationRequest
from hypothesis import given

from bisphos.engine import Engine
from bisphos.export.fhir import (
    ATC_SYSTEM,
    RULE_ID_SYSTEM,
    RULE_POLICY,
    UCUM,
    plan_to_fhir,
    plan_to_fhir_json,
    validate_bundle,
)
from bisphos.findings import Severity
from bisphos.io import load_patient
from bisphos.model import Drug, Patient
from bisphos.pediatric.plan import Plan, PlanRequest
from bisphos.testing.strategies import patients

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.*"))
ENGINE = Engine.create(entry_points=False)


def plan_of(name: str, request: PlanRequest | None = None) -> Plan:
    return ENGINE.plan(load_patient(ROOT / "examples" / "patients" / name), request)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def references(value: object) -> Iterator[str]:
    """Every ``reference`` string anywhere in ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def assert_resolves(bundle: dict[str, Any]) -> None:
    """FHIR-OUT-1: the models parse the Bundle and every reference is one of its entries."""
    model = validate_bundle(bundle)
    assert isinstance(model, Bundle)
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    assert all(url.startswith("urn:uuid:") for url in urls)
    found = list(references(bundle))
    assert found
    dangling = [ref for ref in found if ref not in urls]
    assert dangling == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_fhir_out_1_every_example_bundle_parses_and_resolves(path: Path) -> None:
    plan = ENGINE.plan(load_patient(path))
    for lang in ("en", "nl"):
        bundle = plan_to_fhir(plan, lang)
        assert_resolves(bundle)
        kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
        assert kinds.count("Patient") == 1
        assert kinds.count("Provenance") == 1
        assert kinds.count("MedicationRequest") == len(plan.infusions)
        problems = [f for f in plan.findings if f.severity is not Severity.INFO]
        assert kinds.count("DetectedIssue") == len(problems)
        assert kinds.count("Communication") == len(plan.findings) - len(problems)


@given(patients())
def test_fhir_out_1_random_plans_parse_and_resolve(patient: Patient) -> None:
    """FHIR-OUT-1 for any patient the strategies draw (P-ZOL-CAP, P-PAM-CAP in every request)."""
    plan = ENGINE.plan(patient)
    bundle = plan_to_fhir(plan)
    assert_resolves(bundle)
    for request in resources(bundle, "MedicationRequest"):
        dosage = request["dosageInstruction"][0]
        dose = dosage["doseAndRate"][0]["doseQuantity"]["value"]
        assert dose <= dosage["maxDosePerAdministration"]["value"]
        assert dose <= dosage["maxDosePerPeriod"]["numerator"]["value"]


def test_one_medication_request_per_infusion_with_dose_rate_date_and_ceiling() -> None:
    """P-ZOL-FIRST, P-ZOL-DOSE: 0.25 mg at 50 mL/h on 2026-11-23, intravenous, M05BA08; the
    ceiling of a first infusion is 0.025 mg/kg x 20 kg = 0.5 mg, the cap 4 mg a day."""
    bundle = plan_to_fhir(plan_of("oi-girl-20kg.json"))
    requests = resources(bundle, "MedicationRequest")
    assert len(requests) == 6
    first = MedicationRequest.model_validate(requests[0])
    assert (first.status, first.intent) == ("active", "proposal")
    coding = first.medicationCodeableConcept.coding[0]  # type: ignore[union-attr,index]
    assert (coding.system, coding.code) == (ATC_SYSTEM, "M05BA08")
    patient_url = resources(bundle, "Patient")[0]["id"]
    assert first.subject.reference == f"urn:uuid:{patient_url}"
    dosage = first.dosageInstruction[0]  # type: ignore[index]
    dose_and_rate = dosage.doseAndRate[0]  # type: ignore[index]
    assert dose_and_rate.doseQuantity.value == pytest.approx(0.25)  # type: ignore[union-attr]
    assert dose_and_rate.doseQuantity.code == "mg"  # type: ignore[union-attr]
    assert dose_and_rate.doseQuantity.system == UCUM  # type: ignore[union-attr]
    assert dose_and_rate.rateQuantity.value == pytest.approx(50)  # type: ignore[union-attr]
    assert dose_and_rate.rateQuantity.code == "mL/h"  # type: ignore[union-attr]
    assert str(dosage.timing.event[0]) == "2026-11-23"  # type: ignore[union-attr,index]
    assert dosage.maxDosePerAdministration.value == pytest.approx(0.5)  # type: ignore[union-attr]
    assert dosage.route.coding[0].code == "47625008"  # type: ignore[union-attr,index]
    later = [MedicationRequest.model_validate(r) for r in requests[1:]]
    assert {r.status for r in later} == {"draft"}
    for request in later:
        day = str(request.dosageInstruction[0].timing.event[0])  # type: ignore[index,union-attr]
        assert str(request.note[-1].text).startswith(f"to be cleared on {day}")  # type: ignore[index]


def test_weight_height_and_gfr_are_observations_the_requests_cite() -> None:
    """P-GFR: 40 x 112 cm / 35.36 µmol/l = 126.7 ml/min/1.73 m², in UCUM; weight 20 kg."""
    bundle = plan_to_fhir(plan_of("oi-girl-20kg.json"))
    observations = {o["code"]["coding"][0]["code"]: o for o in resources(bundle, "Observation")}
    assert observations["29463-7"]["valueQuantity"] == {
        "value": 20.0,
        "unit": "kg",
        "system": UCUM,
        "code": "kg",
    }
    assert observations["8302-2"]["valueQuantity"]["value"] == 112.0
    gfr = observations["gfr-schwartz-40"]["valueQuantity"]
    assert gfr["value"] == pytest.approx(40 * 112 / 35.36)
    assert gfr["code"] == "mL/min/{1.73_m2}"
    cited = {
        ref["reference"]
        for ref in resources(bundle, "MedicationRequest")[0]["supportingInformation"]
    }
    [product] = resources(bundle, "Medication")
    assert cited == {f"urn:uuid:{o['id']}" for o in [*observations.values(), product]}


def test_the_product_drawn_up_is_a_medication_with_its_strength_p_prep_product() -> None:
    """P-PREP-PRODUCT: zoledronic acid concentrate 4 mg/5 ml as a Medication: ATC M05BA08, the
    strength 0.8 mg per 1 ml, the vial 4 mg in 5 ml; the request's second doseAndRate is the
    delivered 0.248 mg at 0.248 mg/h, and its text names the 0.31 ml drawn up."""
    bundle = plan_to_fhir(plan_of("oi-girl-20kg.json"))
    [product] = resources(bundle, "Medication")
    assert product["code"]["text"] == "zoledronic acid concentrate 4 mg/5 ml"
    ingredient = product["ingredient"][0]
    assert ingredient["itemCodeableConcept"]["coding"][0]["code"] == "M05BA08"
    assert ingredient["strength"]["numerator"]["value"] == 0.8
    assert ingredient["strength"]["denominator"]["value"] == 1.0
    assert (product["amount"]["numerator"]["value"], product["amount"]["denominator"]["value"]) == (
        4.0,
        5.0,
    )
    dosage = resources(bundle, "MedicationRequest")[0]["dosageInstruction"][0]
    delivered = dosage["doseAndRate"][1]
    assert delivered["doseQuantity"]["value"] == 0.248
    assert (delivered["rateQuantity"]["value"], delivered["rateQuantity"]["code"]) == (
        0.248,
        "mg/h",
    )
    assert "draw up 0.31 ml of zoledronic acid concentrate 4 mg/5 ml" in dosage["text"]
    assert "49.69 ml NaCl 0.9 % added: 0.00496 mg/ml" in dosage["text"]


def test_daily_cap_is_the_max_dose_per_period_p_zol_cap_p_pam_cap() -> None:
    """P-ZOL-CAP 4 mg/day, P-PAM-CAP 90 mg/day, as maxDosePerPeriod mg per 1 d."""
    for drug, cap, atc in ((Drug.ZOLEDRONIC_ACID, 4, "M05BA08"), (Drug.PAMIDRONATE, 90, "M05BA03")):
        bundle = plan_to_fhir(plan_of("corticosteroid-boy-70kg.toml", PlanRequest(drug=drug)))
        for request in resources(bundle, "MedicationRequest"):
            period = request["dosageInstruction"][0]["maxDosePerPeriod"]
            assert period["numerator"]["value"] == cap
            assert period["numerator"]["code"] == "mg"
            assert period["denominator"] == {"value": 1, "unit": "d", "system": UCUM, "code": "d"}
            assert request["medicationCodeableConcept"]["coding"][0]["code"] == atc
            dose = request["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"]
            assert dose <= cap


def test_a_blocked_infusion_is_on_hold_with_its_issues() -> None:
    """P-CI-FEVER, P-CI-HYPOCA: blocks are high issues, today's request is on hold citing them."""
    plan = plan_of("fever-and-low-calcium.json")
    bundle = plan_to_fhir(plan, "nl")
    issues = resources(bundle, "DetectedIssue")
    by_code = {issue["code"]["coding"][0]["code"]: issue for issue in issues}
    fever = DetectedIssue.model_validate(by_code["fever"])
    assert fever.severity == "high"
    identifiers = [(i.system, i.value) for i in fever.identifier or []]
    assert identifiers == [(RULE_ID_SYSTEM, "P-CI-FEVER")]
    assert fever.detail.startswith("Temperatuur boven 38,5 °C")  # type: ignore[union-attr]
    mitigation = fever.mitigation[0].action  # type: ignore[index]
    assert mitigation.text == "Stel het infuus uit tot de koorts verdwenen is."
    first = resources(bundle, "MedicationRequest")[0]
    assert first["status"] == "on-hold"
    assert by_code["fever"]["implicated"] == [{"reference": f"urn:uuid:{first['id']}"}]
    cited = {ref["reference"] for ref in first["detectedIssue"]}
    assert cited == {f"urn:uuid:{by_code[c]['id']}" for c in ("fever", "hypocalcaemia")}
    reasons = {coding["code"] for coding in first["statusReason"]["coding"]}
    assert reasons == {"fever", "hypocalcaemia"}


def test_information_is_a_communication_not_an_issue() -> None:
    """P-IND-A: "indicated" is information; FHIR keeps DetectedIssue for problems."""
    bundle = plan_to_fhir(plan_of("fever-and-low-calcium.json"))
    issue_codes = {i["code"]["coding"][0]["code"] for i in resources(bundle, "DetectedIssue")}
    topics = {c["topic"]["coding"][0]["code"] for c in resources(bundle, "Communication")}
    assert "indicated" in topics
    assert "indicated" not in issue_codes
    assert {i["severity"] for i in resources(bundle, "DetectedIssue")} <= {"high", "moderate"}


def test_warnings_are_moderate() -> None:
    """P-GFR: a GFR not above 90 is a warning, a moderate issue."""
    issues = resources(plan_to_fhir(plan_of("ped-gfr-exactly-90.json")), "DetectedIssue")
    gfr = next(i for i in issues if i["code"]["coding"][0]["code"] == "gfr-not-above-90")
    assert gfr["severity"] == "moderate"
    assert {i["value"] for i in gfr["identifier"]} == {"P-GFR", "P-CI-RENAL"}


def test_provenance_names_the_protocol_rules_devices_and_input_digests() -> None:
    plan = plan_of("oi-girl-20kg.json")
    bundle = plan_to_fhir(plan)
    [provenance] = resources(bundle, "Provenance")
    policies = provenance["policy"]
    assert policies[0].endswith(f"{plan.protocol}|{plan.protocol_version}")
    assert {f"{RULE_POLICY}{rule}" for rule in plan.rule_ids} == set(policies[1:])
    targets = {t["reference"] for t in provenance["target"]}
    others = {
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] not in {"Provenance", "Device"}
    }
    assert targets == others
    digests = {e["what"]["identifier"]["value"] for e in provenance["entity"]}
    assert digests == {
        f"sha256:{plan.provenance.patient_sha256}",
        f"sha256:{plan.provenance.input_sha256}",
    }
    [bisphos] = [d for d in resources(bundle, "Device") if d["deviceName"][0]["name"] == "bisphos"]
    assert bisphos["version"] == [{"value": plan.library_version}]


def test_ids_are_stable_and_unique() -> None:
    plan = plan_of("oi-girl-20kg.json")
    first, second = plan_to_fhir(plan), plan_to_fhir(plan)
    assert first == second
    ids = [entry["fullUrl"] for entry in first["entry"]]
    assert len(set(ids)) == len(ids)
    assert plan_to_fhir_json(plan).endswith("}\n")


def test_the_r4_models_refuse_a_field_they_do_not_know() -> None:
    bundle = plan_to_fhir(plan_of("oi-girl-20kg.json"))
    bundle["entry"][0]["resource"]["dose"] = "0.25 mg"
    with pytest.raises(pydantic.ValidationError):
        validate_bundle(bundle)


def test_a_clinicians_override_is_a_provenance_of_its_own() -> None:
    """P-OVERRIDE, P-WEIGHT-PLAUSIBLE: the limit, the coded reason, who and when."""
    import datetime as dt

    import attrs

    from bisphos.pediatric.overrides import Override, OverrideReason
    from bisphos.units import quantity

    at = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    override = Override(
        limit="P-WEIGHT-PLAUSIBLE",
        reason=OverrideReason.VALUE_CONFIRMED,
        clinician="Dr. A. Jansen",
        at=at,
        note="weighed twice",
    )
    patient = attrs.evolve(
        load_patient(ROOT / "examples" / "patients" / "oi-girl-20kg.json"),
        weight=quantity(200.0, "kg"),
    )
    bundle = plan_to_fhir(ENGINE.plan(patient, PlanRequest(overrides=(override,))))
    assert_resolves(bundle)
    provenances = resources(bundle, "Provenance")
    assert len(provenances) == 2
    mine = provenances[1]
    assert mine["policy"] == [f"{RULE_POLICY}P-WEIGHT-PLAUSIBLE"]
    assert mine["reason"][0]["coding"][0]["code"] == "value-confirmed"
    assert mine["reason"][0]["text"] == "weighed twice"
    assert mine["agent"][0]["who"] == {"display": "Dr. A. Jansen"}
    assert mine["recorded"].startswith("2026-11-23T09:30:00")
    codes = {i["code"]["coding"][0]["code"] for i in resources(bundle, "DetectedIssue")}
    assert "override-applied" in codes
