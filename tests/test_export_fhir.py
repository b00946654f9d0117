"""FHIR R4 export, parsed with the R4 models of fhir.resources (``fhir.resources.R4B``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.detectedissue import DetectedIssue
from fhir.resources.R4B.medicationrequest import MedicationRequest

from bisphos.engine import Engine
from bisphos.export.fhir import (
    ATC_SYSTEM,
    RULE_ID_SYSTEM,
    UCUM,
    plan_to_fhir,
    plan_to_fhir_json,
    validate_bundle,
)
from bisphos.io import load_patient
from bisphos.model import Drug
from bisphos.pediatric.plan import Plan, PlanRequest

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.*"))
ENGINE = Engine.create(entry_points=False)


def plan_of(name: str, request: PlanRequest | None = None) -> Plan:
    return ENGINE.plan(load_patient(ROOT / "examples" / "patients" / name), request)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_parses_as_an_r4_bundle(path: Path) -> None:
    plan = ENGINE.plan(load_patient(path))
    for lang in ("en", "nl"):
        bundle = validate_bundle(plan_to_fhir(plan, lang))
        assert isinstance(bundle, Bundle)
        assert bundle.type == "collection"
        assert len(bundle.entry or []) == len(plan.infusions) + len(plan.findings)


def test_one_medication_request_per_infusion_with_dose_rate_and_date() -> None:
    """P-ZOL-FIRST, P-ZOL-DOSE: 0.25 mg at 50 mL/h on 2026-11-23, intravenous, M05BA08."""
    bundle = plan_to_fhir(plan_of("oi-girl-20kg.json"))
    requests = resources(bundle, "MedicationRequest")
    assert len(requests) == 6
    first = MedicationRequest.model_validate(requests[0])
    assert first.status == "draft"
    assert first.intent == "plan"
    coding = first.medicationCodeableConcept.coding[0]  # type: ignore[union-attr,index]
    assert (coding.system, coding.code) == (ATC_SYSTEM, "M05BA08")
    assert first.subject.reference == "Patient/example-oi-girl"
    dosage = first.dosageInstruction[0]  # type: ignore[index]
    dose_and_rate = dosage.doseAndRate[0]  # type: ignore[index]
    assert dose_and_rate.doseQuantity.value == pytest.approx(0.25)  # type: ignore[union-attr]
    assert dose_and_rate.doseQuantity.code == "mg"  # type: ignore[union-attr]
    assert dose_and_rate.doseQuantity.system == UCUM  # type: ignore[union-attr]
    assert dose_and_rate.rateQuantity.value == pytest.approx(50)  # type: ignore[union-attr]
    assert dose_and_rate.rateQuantity.code == "mL/h"  # type: ignore[union-attr]
    assert str(dosage.timing.event[0]) == "2026-11-23"  # type: ignore[union-attr,index]
    bounds = dosage.timing.repeat.boundsPeriod  # type: ignore[union-attr]
    assert bounds is not None
    assert (str(bounds.start), str(bounds.end)) == ("2026-11-23", "2026-11-23")
    assert dosage.route.coding[0].code == "47625008"  # type: ignore[union-attr,index]


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


def test_findings_are_detected_issues_with_severity_rule_ids_and_mitigation() -> None:
    """P-CI-FEVER, P-CI-HYPOCA: blocks are high, name today's infusion and their action."""
    plan = plan_of("fever-and-low-calcium.json")
    bundle = plan_to_fhir(plan, "nl")
    issues = resources(bundle, "DetectedIssue")
    assert len(issues) == len(plan.findings)
    by_code = {issue["code"]["coding"][0]["code"]: issue for issue in issues}
    fever = DetectedIssue.model_validate(by_code["fever"])
    assert fever.severity == "high"
    identifiers = [(i.system, i.value) for i in fever.identifier or []]
    assert identifiers == [(RULE_ID_SYSTEM, "P-CI-FEVER")]
    assert fever.detail.startswith("Temperatuur boven 38,5 °C")  # type: ignore[union-attr]
    mitigation = fever.mitigation[0].action  # type: ignore[index]
    assert mitigation.text == "Stel het infuus uit tot de koorts verdwenen is."
    first_request = resources(bundle, "MedicationRequest")[0]["id"]
    assert by_code["fever"]["implicated"] == [{"reference": f"MedicationRequest/{first_request}"}]
    severities = {by_code[c]["severity"] for c in ("indicated", "gfr-above-90")}
    assert severities == {"low"}


def test_warnings_are_moderate() -> None:
    """P-GFR: a GFR not above 90 is a warning, a moderate issue."""
    issues = resources(plan_to_fhir(plan_of("ped-gfr-exactly-90.json")), "DetectedIssue")
    gfr = next(i for i in issues if i["code"]["coding"][0]["code"] == "gfr-not-above-90")
    assert gfr["severity"] == "moderate"
    assert {i["value"] for i in gfr["identifier"]} == {"P-GFR", "P-CI-RENAL"}


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
