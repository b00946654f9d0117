"""A plan as a FHIR R4 ``Bundle``: one ``MedicationRequest`` per infusion, findings as issues.

Each planned infusion becomes a ``MedicationRequest`` (status ``draft``, intent ``plan``): the
drug by its ATC code (M05BA08 zoledronic acid, M05BA03 pamidronic acid), the patient, and one
``dosageInstruction`` with the calculated dose (``doseQuantity`` in UCUM mg), the pump rate
(``rateQuantity`` in mL/h), the date (``timing.event`` and a one-day ``boundsPeriod``) and the
infusion time, the intravenous route, and the daily cap as ``maxDosePerPeriod`` (4 mg or 90 mg
per day, P-ZOL-CAP, P-PAM-CAP). Each finding becomes a ``DetectedIssue``: severity ``high``,
``moderate`` or ``low`` for block, warn and info; its code; the message (and the values) as
``detail``; the action as ``mitigation``; the rule ids as ``identifier`` values. A blocking issue
names the requests dated on the assessment date as ``implicated``.

The bundle is plain JSON values; no FHIR package is needed to write it. With the ``fhir`` extra
installed, :func:`validate_bundle` parses it with the R4 models of ``fhir.resources``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from bisphos.export._ids import stable_uuid
from bisphos.findings import Finding, Severity
from bisphos.i18n import Language, localize, text, word
from bisphos.model import Drug
from bisphos.pediatric.limits import DailyCap
from bisphos.pediatric.plan import Plan
from bisphos.pediatric.schedule import PlannedInfusion
from bisphos.report import dose_text, preparation_text
from bisphos.units import Quantity

__all__ = [
    "ATC",
    "ATC_SYSTEM",
    "FINDING_CODE_SYSTEM",
    "RULE_ID_SYSTEM",
    "UCUM",
    "plan_to_fhir",
    "plan_to_fhir_json",
    "validate_bundle",
]

#: The ATC classification's system URI.
ATC_SYSTEM: Final = "http://www.whocc.no/atc"
#: The ATC code and name of each drug.
ATC: Final = {
    Drug.ZOLEDRONIC_ACID: ("M05BA08", "zoledronic acid"),
    Drug.PAMIDRONATE: ("M05BA03", "pamidronic acid"),
}
#: UCUM, the system of every unit.
UCUM: Final = "http://unitsofmeasure.org"
#: The system of bisphos finding codes.
FINDING_CODE_SYSTEM: Final = "https://bisphos.invalid/fhir/CodeSystem/finding-code"
#: The system of protocol rule ids.
RULE_ID_SYSTEM: Final = "https://bisphos.invalid/fhir/NamingSystem/rule-id"

_SNOMED: Final = "http://snomed.info/sct"
_INTRAVENOUS: Final = {"system": _SNOMED, "code": "47625008", "display": "Intravenous route"}
_CALCULATED: Final = {
    "system": "http://terminology.hl7.org/CodeSystem/dose-rate-type",
    "code": "calculated",
    "display": "Calculated",
}
_SEVERITY: Final = {Severity.BLOCK: "high", Severity.WARN: "moderate", Severity.INFO: "low"}
_FHIR_ID: Final = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def _ucum(value: Quantity, unit: str, code: str) -> dict[str, Any]:
    return {"value": float(value.m_as(unit)), "unit": code, "system": UCUM, "code": code}


def _subject(plan: Plan) -> dict[str, Any]:
    if _FHIR_ID.match(plan.patient_id):
        return {"reference": f"Patient/{plan.patient_id}"}
    if plan.patient_id:
        return {"identifier": {"value": plan.patient_id}}
    return {"display": "patient without identifier"}


def _request_id(plan: Plan, planned: PlannedInfusion) -> str:
    return stable_uuid(plan.patient_id, planned.date.isoformat(), "infusion", str(planned.number))


def _max_per_day(cap: DailyCap) -> dict[str, Any]:
    return {
        "numerator": _ucum(cap.dose, "milligram", "mg"),
        "denominator": {"value": 1, "unit": "d", "system": UCUM, "code": "d"},
    }


def _medication_request(plan: Plan, planned: PlannedInfusion, lang: Language) -> dict[str, Any]:
    dose, prep = planned.dose, planned.preparation
    code, name = ATC[dose.drug]
    day = planned.date.isoformat()
    return {
        "resourceType": "MedicationRequest",
        "id": _request_id(plan, planned),
        "status": "draft",
        "intent": "plan",
        "medicationCodeableConcept": {
            "coding": [{"system": ATC_SYSTEM, "code": code, "display": name}],
            "text": word("drug", dose.drug.value, lang),
        },
        "subject": _subject(plan),
        "authoredOn": plan.assessment_date.isoformat(),
        "groupIdentifier": {
            "value": stable_uuid(plan.patient_id, plan.assessment_date.isoformat(), "plan")
        },
        "dosageInstruction": [
            {
                "text": f"{word('phase', planned.phase.value, lang)} {planned.number}: "
                f"{dose_text(planned, lang)}; {preparation_text(planned, lang)}",
                "timing": {
                    "event": [day],
                    "repeat": {
                        "boundsPeriod": {"start": day, "end": day},
                        "count": 1,
                        "duration": float(prep.duration.m_as("hour")),
                        "durationUnit": "h",
                    },
                },
                "route": {
                    "coding": [dict(_INTRAVENOUS)],
                    "text": "intravenous" if lang == "en" else "intraveneus",
                },
                "doseAndRate": [
                    {
                        "type": {"coding": [dict(_CALCULATED)]},
                        "doseQuantity": _ucum(dose.value, "milligram", "mg"),
                        "rateQuantity": _ucum(prep.rate, "milliliter / hour", "mL/h"),
                    }
                ],
                "maxDosePerPeriod": _max_per_day(dose.limited.daily_cap),
            }
        ],
        "note": [{"text": text("ui.rules", lang, rules=", ".join(planned.rule_ids))}],
    }


def _detected_issue(
    plan: Plan, finding: Finding, index: int, today: list[str], lang: Language
) -> dict[str, Any]:
    local = localize(finding, lang, on=plan.assessment_date)
    detail = local.message
    if local.evidence:
        detail += f" ({text('ui.values', lang)}: {'; '.join(local.evidence)})"
    issue: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "id": stable_uuid(
            plan.patient_id, plan.assessment_date.isoformat(), "finding", str(index), finding.code
        ),
        "identifier": [{"system": RULE_ID_SYSTEM, "value": rule} for rule in finding.rule_ids],
        "status": "final",
        "code": {
            "coding": [{"system": FINDING_CODE_SYSTEM, "code": finding.code}],
            "text": local.message,
        },
        "severity": _SEVERITY[finding.severity],
        "patient": _subject(plan),
        "identifiedDateTime": plan.assessment_date.isoformat(),
        "detail": detail,
    }
    if finding.severity is Severity.BLOCK and today:
        issue["implicated"] = [{"reference": f"MedicationRequest/{rid}"} for rid in today]
    if local.action:
        issue["mitigation"] = [{"action": {"text": local.action}}]
    return issue


def plan_to_fhir(plan: Plan, lang: Language = "en") -> dict[str, Any]:
    """Return ``plan`` as a FHIR R4 ``Bundle`` of type ``collection`` (JSON values).

    Args:
        plan: The plan.
        lang: The language of the texts people read (drug name, dosage text, issue detail).
    """
    requests = [_medication_request(plan, planned, lang) for planned in plan.infusions]
    today = [
        request["id"]
        for request, planned in zip(requests, plan.infusions, strict=True)
        if planned.date == plan.assessment_date
    ]
    issues = [
        _detected_issue(plan, finding, index, today, lang)
        for index, finding in enumerate(plan.findings)
    ]
    return {
        "resourceType": "Bundle",
        "id": stable_uuid(plan.patient_id, plan.assessment_date.isoformat(), "bundle"),
        "type": "collection",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{resource['id']}",
                "resource": resource,
            }
            for resource in (*requests, *issues)
        ],
    }


def plan_to_fhir_json(plan: Plan, lang: Language = "en") -> str:
    """Return :func:`plan_to_fhir` as JSON text, indented, ending with a newline."""
    return json.dumps(plan_to_fhir(plan, lang), indent=2, ensure_ascii=False) + "\n"


def validate_bundle(bundle: dict[str, Any]) -> object:
    """Parse ``bundle`` with the FHIR R4 models of ``fhir.resources`` and return the model.

    ``fhir.resources`` 7 and later hold the R4-compatible models in ``fhir.resources.R4B``
    (R5 is their default); install them with the ``fhir`` extra.

    Raises:
        ImportError: ``fhir.resources`` is not installed.
        ValueError: the bundle is not valid FHIR (pydantic's ``ValidationError``).
    """
    from fhir.resources.R4B.bundle import Bundle  # noqa: PLC0415 - an optional dependency

    return Bundle.model_validate(bundle)
