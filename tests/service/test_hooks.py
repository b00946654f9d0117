"""The hooks over HTTP: discovery, order-sign, order-select, patient-view, and what they refuse.

CDS Hooks 2.0: a service answers ``{"cards": [...]}``; a card has a summary under 140 characters,
an indicator (info, warning, critical), a source, and may carry suggestions (with a
selectionBehavior) and overrideReasons. Without the FHIR data it needs and with no way to fetch
it, a service answers 412.
"""

from __future__ import annotations

import io
import json
import logging
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from bisphos.cli import main
from bisphos.model import Drug
from bisphos.service import prefetch_templates
from bisphos.service.cards import DECISION_EXTENSION, SUMMARY_LIMIT
from tests.service._fhir import BUNDLES, PATIENTS, Example, hook_request, medication_request
from tests.service._server import Keys, Running, running
from tests.service.conftest import ServiceOn, serve_in

SIGN = "/cds-services/bisphos-order-sign"
SELECT = "/cds-services/bisphos-order-select"
VIEW = "/cds-services/bisphos-patient-view"
EXAMPLES = sorted(p.name.removesuffix(".bundle.json") for p in BUNDLES.glob("*.bundle.json"))
GIRL = "oi-girl-20kg"


@pytest.fixture(scope="module")
def served(service_on: ServiceOn) -> Running:
    """The service on the date of the example girl of 20 kg."""
    return service_on(Example.of(GIRL).date)


def test_every_example_patient_has_its_bundle() -> None:
    assert sorted(p.stem for p in PATIENTS.glob("*.*")) == EXAMPLES


def plan_json(stem: str, drug: Drug | None) -> dict[str, Any]:
    """What ``bisphos plan --format json`` decides for the example patient."""
    path = next(PATIENTS.glob(f"{stem}.*"))
    argv = ["plan", str(path), "--format", "json"]
    if drug is not None:
        argv += ["--drug", drug.value]
    out = io.StringIO()
    with redirect_stdout(out):
        main(argv)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def protocol_dose(stem: str, drug: Drug) -> float:
    plan = plan_json(stem, drug)
    return float(plan["infusions"][0]["dose"]["value"]) if plan["infusions"] else 1.0


def protocol_preparation(stem: str, drug: Drug) -> dict[str, float]:
    """The volume and hours of the protocol's first infusion (50 ml over 1 h without one)."""
    plan = plan_json(stem, drug)
    if not plan["infusions"]:
        return {}
    preparation = plan["infusions"][0]["preparation"]
    return {
        "volume_ml": float(preparation["volume"]["value"]),
        "hours": float(preparation["duration"]["value"]),
    }


def order_sign(stem: str, drug: Drug, dose_mg: float, **order: Any) -> dict[str, Any]:
    """An order-sign call for the example patient ``stem`` ordering ``dose_mg`` of ``drug``."""
    example = Example.of(stem)
    draft = medication_request(
        drug, dose_mg, patient=example.patient_id, date=example.date, **order
    )
    return hook_request("order-sign", example.patient_id, example.prefetch, orders=(draft,))


def sign(
    served: Running, stem: str, drug: Drug, dose_mg: float, **order: Any
) -> list[dict[str, Any]]:
    response = served.call(SIGN, order_sign(stem, drug, dose_mg, **order))
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def test_discovery_lists_the_three_services_with_their_prefetch(served: Running) -> None:
    services = served.call("/cds-services").json()["services"]
    assert [(s["id"], s["hook"]) for s in services] == [
        ("bisphos-order-sign", "order-sign"),
        ("bisphos-order-select", "order-select"),
        ("bisphos-patient-view", "patient-view"),
    ]
    for service in services:
        assert service["title"]
        assert service["description"]
        assert service["prefetch"] == prefetch_templates()
        assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"


@pytest.mark.parametrize("stem", EXAMPLES)
def test_order_sign_cards_carry_the_decisions_of_bisphos_plan(
    service_on: ServiceOn, stem: str
) -> None:
    """Every card's decision is ``bisphos plan --drug <ordered drug>``'s, for every example
    patient read from its FHIR Bundle as prefetch."""
    reference = plan_json(stem, None)
    drug = Drug(reference["drug"]) if reference["drug"] else Drug.ZOLEDRONIC_ACID
    expected = plan_json(stem, drug)
    cards = sign(
        service_on(Example.of(stem).date),
        stem,
        drug,
        protocol_dose(stem, drug),
        **protocol_preparation(stem, drug),
    )
    assert cards
    first = expected["infusions"][0] if expected["infusions"] else None
    for card in cards:
        assert len(card["summary"]) <= SUMMARY_LIMIT
        assert card["indicator"] in ("info", "warning", "critical")
        if card["indicator"] == "critical":  # a hard limit is never overridable
            assert "overrideReasons" not in card
        assert card["source"]["label"].startswith("Bisfosfonaten infusie bij kinderen")
        decision = card["extension"][DECISION_EXTENSION]
        assert decision["status"] == expected["status"]
        assert decision["cleared_today"] == expected["cleared_today"]
        assert decision["drug"] == expected["drug"]
        blocks = sorted(
            {r for f in expected["findings"] if f["severity"] == "block" for r in f["rule_ids"]}
        )
        assert decision["blocks"] == blocks
        if first is None:
            assert decision["next_infusion"] is None
        else:
            assert decision["next_infusion"]["date"] == first["date"]
            assert decision["next_infusion"]["dose"] == f"{first['dose']['value']!r} mg"
    if expected["status"] in ("blocked", "refused"):
        assert any(c["indicator"] == "critical" for c in cards)


def test_an_order_of_the_protocols_dose_is_info_without_override(served: Running) -> None:
    """P-ZOL-FIRST: 0.25 mg for the 20 kg girl is the protocol's dose: info, nothing to do."""
    cards = sign(served, "oi-girl-20kg", Drug.ZOLEDRONIC_ACID, 0.25)
    assert [c["indicator"] for c in cards] == ["info"]
    assert "within the protocol" in cards[0]["summary"]
    assert "P-ZOL-FIRST" in cards[0]["summary"] + cards[0]["detail"]
    assert "overrideReasons" not in cards[0]
    assert "suggestions" not in cards[0]


def test_a_soft_limit_is_a_warning_with_override_reasons_and_the_protocols_dose(
    served: Running,
) -> None:
    """The protocol's 0.25 mg over 30 minutes: faster than the guideline's hour (a soft limit),
    slower than the label's 15 minutes (the hard one)."""
    cards = sign(served, "oi-girl-20kg", Drug.ZOLEDRONIC_ACID, 0.25, hours=0.5)
    card = cards[0]
    assert card["indicator"] == "warning"
    assert card["overrideReasons"]
    assert all({"system", "code", "display"} <= set(r) for r in card["overrideReasons"])
    (suggestion,) = card["suggestions"]
    assert card["selectionBehavior"] == "at-most-one"
    (action,) = suggestion["actions"]
    assert action["type"] == "update"
    dose = action["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
    assert dose == {
        "value": 0.25,
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }
    assert action["resource"]["id"] == "mr-1"


def test_a_hard_limit_is_critical_and_never_overridable(served: Running) -> None:
    """P-ZOL-CAP: 5 mg of zoledronic acid breaks the 4 mg daily cap."""
    cards = sign(served, "oi-girl-20kg", Drug.ZOLEDRONIC_ACID, 5.0)
    card = cards[0]
    assert card["indicator"] == "critical"
    assert "P-ZOL-CAP" in card["summary"]
    assert "overrideReasons" not in card
    dose = card["suggestions"][0]["actions"][0]["resource"]["dosageInstruction"][0]
    assert dose["doseAndRate"][0]["doseQuantity"]["value"] == 0.25


def test_a_blocked_infusion_is_a_critical_card_naming_the_block(service_on: ServiceOn) -> None:
    """P-CI-FEVER: 38.6 degC blocks today's infusion; no override is offered."""
    stem = "ped-fever-38-6"
    dose = protocol_dose(stem, Drug.ZOLEDRONIC_ACID)
    cards = sign(service_on(Example.of(stem).date), stem, Drug.ZOLEDRONIC_ACID, dose)
    critical = [c for c in cards if c["indicator"] == "critical"]
    assert any("P-CI-FEVER" in c["summary"] for c in critical)
    assert all("overrideReasons" not in c for c in critical)


def test_no_card_for_an_order_of_another_drug(served: Running) -> None:
    body = order_sign(GIRL, Drug.ZOLEDRONIC_ACID, 0.25)
    order = body["context"]["draftOrders"]["entry"][0]["resource"]
    order["medicationCodeableConcept"]["coding"][0]["code"] = "N02BE01"  # paracetamol
    assert served.call(SIGN, body).json() == {"cards": []}


def test_order_select_checks_only_the_selected_orders(served: Running) -> None:
    girl = Example.of(GIRL)
    pid = girl.patient_id
    chosen = medication_request(
        Drug.ZOLEDRONIC_ACID, 5.0, order_id="chosen", patient=pid, date=girl.date
    )
    other = medication_request(
        Drug.ZOLEDRONIC_ACID, 0.25, order_id="other", patient=pid, date=girl.date
    )
    body = hook_request(
        "order-select",
        pid,
        girl.prefetch,
        orders=(chosen, other),
        selections=["MedicationRequest/chosen"],
    )
    cards = served.call(SELECT, body).json()["cards"]
    assert [c["indicator"] for c in cards] == ["critical"]


def test_patient_view_shows_the_next_infusion(served: Running) -> None:
    stem = GIRL
    girl = Example.of(stem)
    body = hook_request("patient-view", girl.patient_id, girl.prefetch)
    cards = served.call(VIEW, body).json()["cards"]
    (card,) = cards
    assert card["indicator"] == "info"
    assert card["summary"].startswith("Next zoledronic acid infusion 2026-11-23: 0.25 mg")
    assert card["extension"][DECISION_EXTENSION]["status"] == plan_json(stem, None)["status"]


def test_without_prefetch_the_service_says_what_it_needs(served: Running) -> None:
    """The FHIR-less call: no prefetch and no FHIR server: 412 with the missing templates."""
    body = order_sign(GIRL, Drug.ZOLEDRONIC_ACID, 0.25)
    del body["prefetch"]
    response = served.call(SIGN, body)
    assert response.status_code == 412
    body = response.json()
    assert body["field"] == "prefetch"
    assert body["missing"] == list(prefetch_templates())
    assert body["prefetch"] == prefetch_templates()


def _view(**prefetch_changes: Any) -> dict[str, Any]:
    girl = Example.of(GIRL)
    prefetch = {**girl.prefetch, **prefetch_changes}
    prefetch = {k: v for k, v in prefetch.items() if v != "absent"}
    return hook_request("patient-view", girl.patient_id, prefetch)


def test_a_prefetch_key_that_failed_is_missing(served: Running) -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": []}
    body = _view(allergies=outcome, observations="absent")
    response = served.call(VIEW, body)
    assert response.status_code == 412
    assert response.json()["missing"] == ["observations", "allergies"]


def test_a_null_patient_is_missing(served: Running) -> None:
    response = served.call(VIEW, _view(patient=None))
    assert response.status_code == 412
    assert response.json()["missing"] == ["patient"]


def _valid() -> dict[str, Any]:
    return order_sign(GIRL, Drug.ZOLEDRONIC_ACID, 0.25)


def _without(key: str) -> dict[str, Any]:
    body = _valid()
    del body[key]
    return body


def _context(**changes: Any) -> dict[str, Any]:
    body = _valid()
    body["context"].update(changes)
    return {**body, "context": {k: v for k, v in body["context"].items() if v is not None}}


MALFORMED: list[tuple[str, bytes | dict[str, Any], str]] = [
    ("not JSON", b"{not json", "body"),
    ("an array", b"[]", "body"),
    ("no hook", _without("hook"), "hook"),
    ("another hook", {**_valid(), "hook": "patient-view"}, "hook"),
    ("no hookInstance", _without("hookInstance"), "hookInstance"),
    ("no context", _without("context"), "context"),
    ("context not an object", {**_valid(), "context": []}, "context"),
    ("no patientId", _context(patientId=None), "context.patientId"),
    ("no draftOrders", _context(draftOrders=None), "context.draftOrders"),
    (
        "draftOrders not a Bundle",
        _context(draftOrders={"resourceType": "List"}),
        "context.draftOrders",
    ),
    ("prefetch not an object", {**_valid(), "prefetch": [1]}, "prefetch"),
    ("another patient", _context(patientId="someone-else"), "prefetch.patient.id"),
    (
        "a prefetch value that is no resource",
        {**_valid(), "prefetch": {**Example.of(GIRL).prefetch, "conditions": 3}},
        "prefetch.conditions",
    ),
]


@pytest.mark.parametrize(("name", "body", "field"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_request_is_a_typed_400(
    served: Running, name: str, body: bytes | dict[str, Any], field: str
) -> None:
    if isinstance(body, bytes):
        response = served.call(SIGN, content=body, headers={"content-type": "application/json"})
    else:
        response = served.call(SIGN, body)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["field"] == field
    assert problem["error"]


def test_an_unknown_service_is_404(served: Running) -> None:
    response = served.call("/cds-services/no-such-service", _valid())
    assert response.status_code == 404
    assert response.json()["field"] == "service"


def test_a_body_over_the_limit_is_413(tmp_path: Path, keys: Keys) -> None:
    with running(tmp_path, keys, max_body_bytes=2000) as server:
        body = _valid()
        body["padding"] = "x" * 5000
        response = server.call(SIGN, body)
        assert response.status_code == 413
        assert response.json()["field"] == "body"
        chunks = (b"x" * 1000 for _ in range(5))  # no Content-Length: counted as it comes
        response = server.call(SIGN, content=chunks)
        assert response.status_code == 413


def test_logs_hold_no_patient_data(
    tmp_path: Path, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the service's log nor uvicorn's names the patient or their values."""
    caplog.set_level(logging.DEBUG)
    girl = Example.of(GIRL)
    with serve_in(tmp_path, keys) as server:
        assert server.call(SIGN, _valid()).status_code == 200
        server.call(SIGN, {**_valid(), "context": {**_valid()["context"], "patientId": "x"}})
        server.call(SIGN, {k: v for k, v in _valid().items() if k != "prefetch"})
        broken = _valid()
        weight = broken["prefetch"]["observations"]["entry"][0]["resource"]
        weight["valueQuantity"].update({"unit": "kk", "code": "kk"})
        assert server.call(SIGN, broken).status_code == 400
        server.call(SIGN, _valid(), token="bad")
    text = caplog.text
    assert "bisphos-order-sign: 200" in text
    secrets = (girl.patient_id, "example-oi-girl", "2019-03-14", "20 kg", "0.25", "prescriber")
    for secret in secrets:
        assert secret not in text


def test_cors_is_off_by_default(served: Running) -> None:
    response = served.http.options(
        SIGN,
        headers={"Origin": "https://evil.invalid", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers
    response = served.call("/cds-services", headers={"Origin": "https://evil.invalid"})
    assert "access-control-allow-origin" not in response.headers


def test_a_long_finding_keeps_its_rule_ids_in_the_summary() -> None:
    from bisphos.findings import Finding
    from bisphos.service.cards import _findings_card

    finding = Finding("x", ("P-CI-FEVER",), "block", "fever " * 60)
    card = _findings_card("critical", "No infusion today: ", (finding, finding), {}, {})
    assert len(card["summary"]) == SUMMARY_LIMIT
    assert card["summary"].endswith("… (P-CI-FEVER) (+1 more)")


def test_fhir_data_the_reader_cannot_read_is_a_typed_400(served: Running) -> None:
    """The reader's problems, each with the resource and element path, and no values."""
    body = _valid()
    weight = body["prefetch"]["observations"]["entry"][0]["resource"]
    weight["valueQuantity"].update({"unit": "kk", "code": "kk"})
    response = served.call(SIGN, body)
    assert response.status_code == 400
    problem = response.json()
    assert problem["error"] == "the FHIR data could not be read"
    fields = [p["field"] for p in problem["problems"]]
    assert any(f.startswith(f"Observation/{weight['id']}.valueQuantity") for f in fields), fields
    assert all(set(p) <= {"field", "error", "expected"} for p in problem["problems"])


def test_a_soft_limit_block_is_a_warning_with_the_coded_override_reasons(served: Running) -> None:
    """P-WEIGHT-PLAUSIBLE, P-OVERRIDE: 60 kg at 7 years and 112 cm is not dosed until checked;
    the block may be overridden with a coded reason, so its card offers the reasons."""
    body = _valid()
    for entry in body["prefetch"]["observations"]["entry"]:
        resource = entry["resource"]
        if resource["code"]["coding"][0]["code"] == "29463-7":  # body weight
            resource["valueQuantity"]["value"] = 60
    cards = served.call(SIGN, body).json()["cards"]
    named = [c for c in cards if "P-WEIGHT-PLAUSIBLE" in c["summary"]]
    assert named  # the order's card and the plan's block
    for soft in named:
        assert soft["indicator"] == "warning"
        codes = [r["code"] for r in soft["overrideReasons"]]
        assert codes == [
            "value-confirmed",
            "specialist-advice",
            "team-decision",
            "clinical-judgement",
        ]
        assert soft["extension"][DECISION_EXTENSION]["status"] == "blocked"
    assert not [c for c in cards if c["indicator"] == "critical"]
