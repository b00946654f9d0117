"""Stand-ins for the FHIR reader and the order check, until both are part of bisphos.

The reader loads the example patient named by the prefetched Patient's id; the order check
compares the ordered dose with the plan's first dose. Neither reads FHIR beyond those two facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bisphos.engine import Engine
from bisphos.io import load_patient
from bisphos.model import Drug, Patient
from bisphos.pediatric.plan import PlanRequest
from bisphos.service.cards import OrderView, OverrideReason, Verdict
from bisphos.units import ureg
from tests.service._fhir import ATC, PATIENTS

REASON = OverrideReason(
    "https://bisphos.invalid/fhir/CodeSystem/override", "CLINICAL-JUDGEMENT", "Clinical judgement"
)


def example_prefetch(stem: str) -> dict[str, Any]:
    return {
        "patient": {"resourceType": "Patient", "id": stem},
        "observations": None,
        "conditions": None,
        "allergies": None,
        "administrations": None,
        "statements": None,
    }


def reader(bundle: Mapping[str, Any], on: dt.date) -> Patient:
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    stem = patient["id"]
    path = next(PATIENTS.glob(f"{stem}.*"))
    return load_patient(path)


def checker(
    engine: Engine, patient: Patient, order: Mapping[str, Any], on: dt.date
) -> OrderView | None:
    code = order["medicationCodeableConcept"]["coding"][0]["code"]
    drug = next((d for d, (c, _) in ATC.items() if c == code), None)
    if drug is None:
        return None
    value = order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"]
    ordered = ureg.Quantity(value, "mg")
    plan = engine.plan(patient, PlanRequest(drug=drug))
    if not plan.infusions:
        return OrderView(
            order,
            drug,
            ordered,
            Verdict.SOFT,
            "not planned",
            ("P-SCOPE-1",),
            override_reasons=(REASON,),
        )
    dose = plan.infusions[0].dose
    cap = dose.daily_cap.dose
    if ordered > cap:
        return OrderView(
            order,
            drug,
            ordered,
            Verdict.HARD,
            "above the daily cap",
            (dose.daily_cap.rule_id,),
            (f"dose = {ordered} (limit {cap})",),
            dose.value,
        )
    if abs((ordered - dose.value).to("mg").magnitude) < 1e-9:
        return OrderView(order, drug, ordered, Verdict.WITHIN, "the protocol's dose", dose.rule_ids)
    return OrderView(
        order,
        drug,
        ordered,
        Verdict.SOFT,
        "not the protocol's dose",
        dose.rule_ids,
        (f"dose = {ordered}",),
        dose.value,
        (REASON,),
    )


_ = Drug
