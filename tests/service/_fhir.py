"""Hook requests for the tests: the example patients as prefetch, draft orders, feedback."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import attrs

from bisphos.model import Drug
from bisphos.service import prefetch_of_bundle

ROOT = Path(__file__).parent.parent.parent
PATIENTS = ROOT / "examples" / "patients"
BUNDLES = ROOT / "examples" / "fhir" / "patients"
FHIR_BASE = "https://ehr.test.invalid/fhir"


@attrs.frozen
class Example:
    """An example patient as an EHR holds it: the FHIR id, the prefetch, the date it is for."""

    stem: str
    patient_id: str
    prefetch: dict[str, Any]
    date: dt.date

    @classmethod
    def of(cls, stem: str) -> Example:
        bundle = json.loads((BUNDLES / f"{stem}.bundle.json").read_text(encoding="utf-8"))
        patient_id, prefetch = prefetch_of_bundle(bundle, FHIR_BASE)
        return cls(stem, patient_id, prefetch, dt.date.fromisoformat(bundle["timestamp"][:10]))


ATC = {
    Drug.ZOLEDRONIC_ACID: ("M05BA08", "zoledronic acid"),
    Drug.PAMIDRONATE: ("M05BA03", "pamidronic acid"),
}


def medication_request(
    drug: Drug,
    dose_mg: float,
    *,
    order_id: str = "mr-1",
    patient: str = "p",
    date: dt.date | None = None,
    volume_ml: float = 50.0,
    hours: float = 1.0,
) -> dict[str, Any]:
    """A draft order of ``dose_mg`` of ``drug`` in ``volume_ml`` over ``hours``, as an EHR's
    order screen sends it (default: on the day of the call)."""
    code, display = ATC[drug]
    timing: dict[str, Any] = {"repeat": {"count": 1, "duration": hours, "durationUnit": "h"}}
    if date is not None:
        timing["event"] = [date.isoformat()]
    return {
        "resourceType": "MedicationRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient}"},
        "authoredOn": (date or dt.date(2026, 11, 23)).isoformat(),
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.whocc.no/atc", "code": code, "display": display}]
        },
        "dosageInstruction": [
            {
                "timing": timing,
                "route": {"text": "intravenous"},
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": dose_mg,
                            "unit": "mg",
                            "system": "http://unitsofmeasure.org",
                            "code": "mg",
                        }
                    }
                ],
            }
        ],
        "dispenseRequest": {
            "quantity": {
                "value": volume_ml,
                "unit": "mL",
                "system": "http://unitsofmeasure.org",
                "code": "mL",
            }
        },
    }


def draft_orders(*orders: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": order} for order in orders],
    }


def hook_request(
    hook: str,
    patient_id: str,
    prefetch: dict[str, Any] | None,
    *,
    orders: tuple[dict[str, Any], ...] = (),
    selections: list[str] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"userId": "Practitioner/prescriber-7", "patientId": patient_id}
    if hook in ("order-sign", "order-select"):
        context["draftOrders"] = draft_orders(*orders)
    if hook == "order-select":
        context["selections"] = (
            selections
            if selections is not None
            else [f"MedicationRequest/{o['id']}" for o in orders]
        )
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": context,
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body
