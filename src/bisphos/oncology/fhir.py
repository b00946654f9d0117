"""An oncology recommendation as a FHIR R4 ``Bundle``: proposals and detected issues.

Each offered regimen becomes a ``MedicationRequest`` (status ``draft``, intent ``proposal``): the
drug by its ATC code, the patient, one ``dosageInstruction`` with the dose (UCUM mg), the route,
the interval as ``timing.repeat`` (period in days: 28 for "1x/maand", O-INTERVAL) and, for an
infusion, the duration and the drug rate (mg/h). Each radium-223 injection becomes a dated
``MedicationRequest`` with its activity in kBq. Each finding becomes a ``DetectedIssue`` as in the
pediatric export: severity ``high``/``moderate``/``low``, the code, the message and values as
``detail``, the action as ``mitigation``, the rule ids as ``identifier`` values. Plain JSON values;
``fhir.resources`` validates them in the tests (:func:`bisphos.export.fhir.validate_bundle`).
"""

from __future__ import annotations

import json
from typing import Any, Final

from bisphos.export._ids import stable_uuid
from bisphos.export.evidence import evidence_to_fhir
from bisphos.export.fhir import FINDING_CODE_SYSTEM, RULE_ID_SYSTEM, UCUM
from bisphos.findings import Finding, Severity
from bisphos.i18n import Language, localize, show, text, word
from bisphos.oncology.durations import clinical_duration
from bisphos.oncology.radium import RadiumInjection
from bisphos.oncology.recommendation import OncologyRecommendation, RegimenOption
from bisphos.oncology.regimens import Drug, Route
from bisphos.units import Quantity

__all__ = ["ATC", "recommendation_to_fhir", "recommendation_to_fhir_json"]

_ATC_SYSTEM: Final = "http://www.whocc.no/atc"
#: The ATC code and name of each drug of the deck.
ATC: Final = {
    Drug.ALENDRONIC_ACID: ("M05BA04", "alendronic acid"),
    Drug.RISEDRONIC_ACID: ("M05BA07", "risedronic acid"),
    Drug.PAMIDRONATE: ("M05BA03", "pamidronic acid"),
    Drug.IBANDRONIC_ACID: ("M05BA06", "ibandronic acid"),
    Drug.ZOLEDRONIC_ACID: ("M05BA08", "zoledronic acid"),
    Drug.DENOSUMAB: ("M05BX04", "denosumab"),
    Drug.RADIUM_223: ("V10XX03", "radium (223Ra) dichloride"),
}
_SNOMED: Final = "http://snomed.info/sct"
_ROUTES: Final = {
    Route.INTRAVENOUS: ("47625008", "Intravenous route"),
    Route.SUBCUTANEOUS: ("34206005", "Subcutaneous route"),
    Route.ORAL: ("26643006", "Oral route"),
}
_SEVERITY: Final = {Severity.BLOCK: "high", Severity.WARN: "moderate", Severity.INFO: "low"}


def _ucum(value: Quantity, unit: str, code: str) -> dict[str, Any]:
    return {"value": float(value.m_as(unit)), "unit": code, "system": UCUM, "code": code}


def _subject(result: OncologyRecommendation) -> dict[str, Any]:
    if result.patient_id:
        return {"identifier": {"value": result.patient_id}}
    return {"display": "patient without identifier"}


def _medication(drug: Drug, lang: Language) -> dict[str, Any]:
    code, name = ATC[drug]
    return {
        "coding": [{"system": _ATC_SYSTEM, "code": code, "display": name}],
        "text": word("drug", drug.value, lang),
    }


def _route(route: Route) -> dict[str, Any]:
    code, display = _ROUTES[route]
    return {"coding": [{"system": _SNOMED, "code": code, "display": display}]}


def _option_request(
    result: OncologyRecommendation, index: int, option: RegimenOption, lang: Language
) -> dict[str, Any]:
    row = option.regimen
    day = result.assessment_date.isoformat()
    repeat: dict[str, Any] = {
        "frequency": 1,
        "period": float(option.interval.m_as("day")),
        "periodUnit": "d",
    }
    dose_and_rate: dict[str, Any] = {}
    if option.dose is not None:
        dose_and_rate["doseQuantity"] = _ucum(option.dose, "milligram", "mg")
    if option.infusion is not None:
        repeat["duration"] = float(option.infusion.duration.m_as("minute"))
        repeat["durationUnit"] = "min"
        dose_and_rate["rateQuantity"] = _ucum(option.infusion.rate, "milligram / hour", "mg/h")
    interval = show(clinical_duration(option.interval), lang)
    dosage: dict[str, Any] = {
        "text": f"{show(option.dose, lang) if option.dose is not None else ''} / {interval} "
        f"({row.deck_interval})".strip(),
        "timing": {"repeat": repeat},
        "route": _route(row.route),
    }
    if dose_and_rate:
        dosage["doseAndRate"] = [dose_and_rate]
    notes = [{"text": text("ui.rules", lang, rules=", ".join(option.rule_ids))}]
    notes += [
        {"text": f"{word('label', item.id, lang)} ({item.source}, {item.year})"}
        for item in option.labels
    ]
    return {
        "resourceType": "MedicationRequest",
        "id": stable_uuid(result.patient_id, day, "option", str(index), row.id),
        "status": "draft",
        "intent": "proposal",
        "medicationCodeableConcept": _medication(row.drug, lang),
        "subject": _subject(result),
        "authoredOn": day,
        "dosageInstruction": [dosage],
        "note": notes,
    }


def _injection_request(
    result: OncologyRecommendation, injection: RadiumInjection, lang: Language
) -> dict[str, Any]:
    day = injection.date.isoformat()
    activity = injection.activity.activity
    return {
        "resourceType": "MedicationRequest",
        "id": stable_uuid(result.patient_id, day, "radium-223", str(injection.number)),
        "status": "draft",
        "intent": "plan",
        "medicationCodeableConcept": _medication(Drug.RADIUM_223, lang),
        "subject": _subject(result),
        "authoredOn": result.assessment_date.isoformat(),
        "dosageInstruction": [
            {
                "sequence": injection.number,
                "text": f"{show(activity.activity, lang)} ({activity.standard.value})",
                "timing": {"event": [day]},
                "route": _route(Route.INTRAVENOUS),
                "doseAndRate": [{"doseQuantity": _ucum(activity.activity, "kilobecquerel", "kBq")}],
            }
        ],
        "note": [{"text": text("ui.rules", lang, rules=", ".join(injection.rule_ids))}],
    }


def _issue(
    result: OncologyRecommendation, finding: Finding, index: int, lang: Language
) -> dict[str, Any]:
    local = localize(finding, lang, on=result.assessment_date)
    detail = local.message
    if local.evidence:
        detail += f" ({text('ui.values', lang)}: {'; '.join(local.evidence)})"
    issue: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "id": stable_uuid(
            result.patient_id,
            result.assessment_date.isoformat(),
            "finding",
            str(index),
            finding.code,
        ),
        "identifier": [{"system": RULE_ID_SYSTEM, "value": rule} for rule in finding.rule_ids],
        "status": "final",
        "code": {
            "coding": [{"system": FINDING_CODE_SYSTEM, "code": finding.code}],
            "text": local.message,
        },
        "severity": _SEVERITY[finding.severity],
        "patient": _subject(result),
        "identifiedDateTime": result.assessment_date.isoformat(),
        "detail": detail,
    }
    if finding.evidence:
        issue["evidence"] = [evidence_to_fhir(item, lang) for item in finding.evidence]
    if local.action:
        issue["mitigation"] = [{"action": {"text": local.action}}]
    return issue


def recommendation_to_fhir(result: OncologyRecommendation, lang: Language = "en") -> dict[str, Any]:
    """Return ``result`` as a FHIR R4 ``Bundle`` of type ``collection`` (JSON values)."""
    resources = [
        _option_request(result, index, option, lang)
        for index, option in enumerate(result.options)
        if option in result.offered
    ]
    findings = list(result.findings)
    if result.radium is not None:
        resources += [_injection_request(result, item, lang) for item in result.radium.injections]
        findings += list(result.radium.findings)
    resources += [_issue(result, finding, index, lang) for index, finding in enumerate(findings)]
    return {
        "resourceType": "Bundle",
        "id": stable_uuid(result.patient_id, result.assessment_date.isoformat(), "oncology"),
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
            for resource in resources
        ],
    }


def recommendation_to_fhir_json(result: OncologyRecommendation, lang: Language = "en") -> str:
    """Return :func:`recommendation_to_fhir` as JSON text, indented, ending with a newline."""
    return json.dumps(recommendation_to_fhir(result, lang), indent=2, ensure_ascii=False) + "\n"
