"""A patient as a FHIR R4 ``Bundle``: the resources :func:`bisphos.fhir.read_bundle` reads back.

:func:`patient_to_bundle` writes each field with the first code of its table in
:mod:`bisphos.fhir.codes`, every quantity in its kind's canonical unit as a UCUM code, and the
assessment date as the Bundle's ``timestamp``. Entries have name-based UUIDs (the same patient
gives the same Bundle) and reference each other by their ``urn:uuid:`` full URLs. Reading the
Bundle gives a patient equal to the one written (a property test checks it); an empty baseline
record of vital signs has no resource and is read back as none.
"""

from __future__ import annotations

import json
from typing import Any, Final

from bisphos.export._ids import stable_uuid
from bisphos.fhir import codes as c
from bisphos.model import (
    BmdMeasurement,
    Fracture,
    InfusionRecord,
    LabResult,
    Patient,
    VitalSigns,
)
from bisphos.units import Quantity, format_unit

__all__ = ["patient_to_bundle", "patient_to_bundle_json"]

_VITAL_SIGNS: Final = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs",
            "display": "Vital Signs",
        }
    ]
}
_LABORATORY: Final = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "laboratory",
            "display": "Laboratory",
        }
    ]
}


def _coding(code: c.Code) -> dict[str, str]:
    return {"system": code[0], "code": code[1], "display": code[2]}


def _concept(*codes: c.Code) -> dict[str, Any]:
    return {"coding": [_coding(code) for code in codes], "text": codes[0][2]}


def _quantity(value: Quantity) -> dict[str, Any]:
    unit = format_unit(value.units)
    return {
        "value": float(value.magnitude),
        "unit": unit,
        "system": c.UCUM_SYSTEM,
        "code": c.unit_to_ucum(unit),
    }


class _Writer:
    """Collects the entries of one Bundle, each with a stable UUID."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient
        self.key = (patient.patient_id, patient.birth_date.isoformat())
        self.entries: list[dict[str, Any]] = []
        self.patient_url = self.url("patient")

    def url(self, *parts: str) -> str:
        return f"urn:uuid:{stable_uuid(*self.key, *parts)}"

    def add(self, resource: dict[str, Any], *parts: str) -> None:
        url = self.url(*parts) if parts else self.patient_url
        resource = {"resourceType": resource.pop("resourceType"), "id": url[9:], **resource}
        self.entries.append({"fullUrl": url, "resource": resource})

    def observation(
        self,
        name: str,
        code: dict[str, Any],
        value: dict[str, Any],
        *,
        date: object = None,
        category: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        resource: dict[str, Any] = {"resourceType": "Observation", "status": "final"}
        if category is not None:
            resource["category"] = [category]
        resource["code"] = code
        resource["subject"] = {"reference": self.patient_url}
        if date is not None:
            resource["effectiveDateTime"] = date.isoformat()  # type: ignore[attr-defined]
        resource.update(value)
        resource.update(extra)
        self.add(resource, "observation", name)


def _patient(writer: _Writer) -> None:
    patient = writer.patient
    resource: dict[str, Any] = {"resourceType": "Patient"}
    if patient.patient_id:
        resource["identifier"] = [{"system": c.PATIENT_ID_SYSTEM, "value": patient.patient_id}]
    resource["gender"] = patient.sex.value
    resource["birthDate"] = patient.birth_date.isoformat()
    writer.add(resource)


def _measures(writer: _Writer) -> None:
    patient = writer.patient
    for name in ("weight", "height"):
        value = getattr(patient, name)
        if value is not None:
            code = _concept(c.MEASUREMENT_CODES[name][0])
            writer.observation(
                name,
                code,
                {"valueQuantity": _quantity(value)},
                date=patient.weight_date if name == "weight" else None,
                category=_VITAL_SIGNS,
            )
    _vitals(writer, patient.vitals, "vitals")
    if patient.baseline_vitals is not None:
        _vitals(writer, patient.baseline_vitals, "baseline_vitals")
    for name in c.MEASUREMENT_CODES:
        result: LabResult | None = getattr(patient.labs, name, None)
        if result is None:
            continue
        extra: dict[str, Any] = {}
        if result.upper_limit is not None:
            extra["referenceRange"] = [{"high": _quantity(result.upper_limit)}]
        writer.observation(
            f"labs.{name}",
            _concept(c.MEASUREMENT_CODES[name][0]),
            {"valueQuantity": _quantity(result.value)},
            date=result.date,
            category=_LABORATORY,
            **extra,
        )


def _vitals(writer: _Writer, vitals: VitalSigns, group: str) -> None:
    category = _VITAL_SIGNS
    if group == "baseline_vitals":
        category = {"coding": [*_VITAL_SIGNS["coding"], _coding(c.BASELINE)]}
    for name in ("temperature", "heart_rate", "systolic_bp", "diastolic_bp"):
        value = getattr(vitals, name)
        if value is not None:
            code = _concept(c.MEASUREMENT_CODES[name][0])
            writer.observation(
                f"{group}.{name}",
                code,
                {"valueQuantity": _quantity(value)},
                date=vitals.date,
                category=category,
            )


def _bmd(writer: _Writer, index: int, bmd: BmdMeasurement) -> None:
    codes = c.BMD_CODES[bmd.site]
    extra: dict[str, Any] = {}
    if bmd.size_corrected:
        extra["method"] = _concept(c.SIZE_CORRECTED)
    value = {"value": bmd.z_score, "unit": "SDS", "system": c.UCUM_SYSTEM, "code": "{Z-score}"}
    writer.observation(
        f"bmd[{index}]", _concept(*codes), {"valueQuantity": value}, date=bmd.date, **extra
    )


def _facts(writer: _Writer) -> None:
    patient = writer.patient
    risks = patient.risks
    for path, code in c.FLAG_CODES.items():
        owner, _, name = path.rpartition(".")
        value = getattr(risks if owner == "risks" else patient, name)
        if value is not None and (value or path in _KEPT_FALSE):
            writer.observation(path, _concept(code), {"valueBoolean": value})
    if risks.pregnant:
        answer = (c.SNOMED_SYSTEM, "77386006", "Pregnant")
        writer.observation(
            "pregnancy",
            _concept(c.PREGNANCY_STATUS),
            {"valueCodeableConcept": _concept(answer)},
        )
    if patient.oi_severity is not None:
        grade = (c.BISPHOS_SYSTEM, patient.oi_severity.value, patient.oi_severity.value)
        writer.observation(
            "oi_severity", _concept(c.OI_SEVERITY), {"valueCodeableConcept": _concept(grade)}
        )
    for index, gene in enumerate(patient.gene_variants):
        present = (c.LOINC_SYSTEM, "LA9633-4", "Present")
        component = {
            "code": _concept(c.GENE_STUDIED),
            "valueCodeableConcept": {"text": gene},
        }
        writer.observation(
            f"gene_variants[{index}]",
            _concept((c.LOINC_SYSTEM, "69548-6", "Genetic variant assessment")),
            {"valueCodeableConcept": _concept(present)},
            component=[component],
        )


# Flags whose ``False`` differs from "not recorded": ``could_become_pregnant`` and growth are
# ``None`` when unknown; the other risk flags are ``False`` by default and written when true.
_KEPT_FALSE: Final = frozenset({"risks.could_become_pregnant", "still_growing"})


def _conditions(writer: _Writer) -> None:
    patient = writer.patient
    writer.add(
        {
            "resourceType": "Condition",
            "code": _concept(*c.CONDITION_CODES[patient.diagnosis]),
            "subject": {"reference": writer.patient_url},
        },
        "condition",
        "diagnosis",
    )
    for index, fracture in enumerate(patient.fractures):
        _fracture(writer, index, fracture)
    if patient.risks.bisphosphonate_hypersensitivity:
        writer.add(
            {
                "resourceType": "AllergyIntolerance",
                "code": _concept((c.ATC_SYSTEM, "M05BA", "Bisphosphonates")),
                "patient": {"reference": writer.patient_url},
            },
            "allergy",
            "bisphosphonates",
        )


def _fracture(writer: _Writer, index: int, fracture: Fracture) -> None:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "extension": [{"url": c.TRAUMA_EXTENSION, "valueCode": fracture.trauma.value}],
        "code": _concept(c.FRACTURE_CODES[fracture.site][0]),
        "subject": {"reference": writer.patient_url},
    }
    if fracture.date is not None:
        resource["onsetDateTime"] = fracture.date.isoformat()
    elif fracture.age_at_fracture is not None:
        resource["onsetAge"] = _quantity(fracture.age_at_fracture)
    writer.add(resource, "fracture", str(index))


def _infusion(writer: _Writer, index: int, record: InfusionRecord) -> None:
    resource: dict[str, Any] = {"resourceType": "MedicationAdministration"}
    if record.complication.value != "none":
        resource["extension"] = [
            {"url": c.COMPLICATION_EXTENSION, "valueCode": record.complication.value}
        ]
    resource.update(
        {
            "status": "completed",
            "medicationCodeableConcept": _concept(c.DRUG_CODES[record.drug][0]),
            "subject": {"reference": writer.patient_url},
            "effectiveDateTime": record.date.isoformat(),
            "dosage": {
                "route": _concept((c.SNOMED_SYSTEM, "47625008", "Intravenous route")),
                "dose": _quantity(record.dose),
            },
        }
    )
    writer.add(resource, "infusion", str(index))


def patient_to_bundle(patient: Patient) -> dict[str, Any]:
    """Return ``patient`` as a FHIR R4 Bundle of type ``collection`` (JSON values).

    :func:`bisphos.fhir.patient_from_bundle` reads it back into an equal patient.
    """
    writer = _Writer(patient)
    _patient(writer)
    _measures(writer)
    for index, bmd in enumerate(patient.bmd):
        _bmd(writer, index, bmd)
    _facts(writer)
    _conditions(writer)
    for index, record in enumerate(patient.infusions):
        _infusion(writer, index, record)
    return {
        "resourceType": "Bundle",
        "id": writer.url("bundle")[9:],
        "type": "collection",
        "timestamp": f"{patient.assessment_date.isoformat()}T00:00:00Z",
        "entry": writer.entries,
    }


def patient_to_bundle_json(patient: Patient) -> str:
    """Return :func:`patient_to_bundle` as JSON text, indented, ending with a newline."""
    return json.dumps(patient_to_bundle(patient), indent=2, ensure_ascii=False) + "\n"
