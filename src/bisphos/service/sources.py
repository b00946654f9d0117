"""Where the service's facts come from: the prefetch read by the FHIR reader, orders checked.

The service reads no FHIR itself. :func:`prefetch_bundle` puts the resources of the prefetch in
one ``collection`` Bundle, which a :data:`PatientReader` (by default
:func:`bisphos.fhir.patient_from_bundle`) turns into a :class:`~bisphos.model.Patient`; an
:data:`OrderChecker` (by default :func:`bisphos.check_order`) judges each draft
``MedicationRequest``. Both are parameters of :func:`bisphos.service.create_app`, so that a
hospital can put its own in their place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from bisphos.engine import Engine
from bisphos.model import Patient
from bisphos.service.cards import OrderView
from bisphos.service.errors import BadRequestError, PrefetchMissingError

__all__ = [
    "PREFETCH_KEYS",
    "OrderChecker",
    "PatientReader",
    "draft_orders",
    "observation_codes",
    "prefetch_bundle",
    "prefetch_of_bundle",
    "prefetch_templates",
]

#: Reads a patient from a FHIR R4 Bundle (as JSON) on an assessment date.
PatientReader = Callable[[Mapping[str, Any], dt.date], Patient]
#: Judges one draft order (a MedicationRequest as JSON) for a patient; ``None``: not an order of
#: a drug of the protocol (the service says nothing of it).
OrderChecker = Callable[[Engine, Patient, Mapping[str, Any], dt.date], OrderView | None]

#: The prefetch key of each resource type the FHIR reader reads, in the discovery document's order.
PREFETCH_KEYS: Final = {
    "Patient": "patient",
    "Observation": "observations",
    "Condition": "conditions",
    "AllergyIntolerance": "allergies",
    "MedicationAdministration": "administrations",
    "MedicationStatement": "statements",
}
_PATIENT: Final = "{{context.patientId}}"


def observation_codes() -> tuple[str, ...]:
    """Every Observation code the FHIR reader reads or reports, as ``system|code`` tokens.

    Taken from the reader's own table, so that the prefetch asks for exactly what it reads: the
    measurements, DXA Z-scores, flags, blood pressure panel, pregnancy status, severity and
    variants, and the codes it names as not read (a urea nitrogen where urea is read).
    """
    from bisphos.fhir import codes, reader  # noqa: PLC0415 - the reader's tables, once

    known = set(reader._OBSERVATIONS) | set(codes.NOT_READ)
    return tuple(sorted(f"{system}|{code}" for system, code in known))


def prefetch_templates() -> dict[str, str]:
    """The prefetch templates: exactly the resources the FHIR reader reads for a plan.

    Observations are asked for by code (the reader's codes); conditions, allergies and
    medications are asked for whole, since the reader reports a bisphosphonate coded only by
    name or a fracture by a code outside its table rather than passing over it.
    """
    return {
        "patient": f"Patient/{_PATIENT}",
        "observations": f"Observation?patient={_PATIENT}&code={','.join(observation_codes())}",
        "conditions": f"Condition?patient={_PATIENT}",
        "allergies": f"AllergyIntolerance?patient={_PATIENT}",
        "administrations": f"MedicationAdministration?patient={_PATIENT}",
        "statements": f"MedicationStatement?patient={_PATIENT}",
    }


def prefetch_of_bundle(bundle: Mapping[str, Any], base: str) -> tuple[str, dict[str, Any]]:
    """The prefetch an EHR would send for the patient of ``bundle``, and the patient's id.

    For examples, tests and benchmarks: each resource goes under the key of its type (in a
    ``searchset`` Bundle, the Patient on its own), with the ``urn:uuid:`` references of a
    ``collection`` Bundle made the relative references a FHIR server returns (``Patient/<id>``),
    and each entry's ``fullUrl`` under ``base``. A key without resources is ``null``.
    """
    aliases: dict[str, str] = {}
    for entry in bundle.get("entry") or []:
        resource = entry["resource"]
        aliases[entry.get("fullUrl", "")] = f"{resource['resourceType']}/{resource['id']}"

    def relative(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: aliases.get(item, item)
                if key == "reference" and isinstance(item, str)
                else relative(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [relative(item) for item in value]
        return value

    prefetch: dict[str, Any] = dict.fromkeys(PREFETCH_KEYS.values())
    patient_id = ""
    for entry in bundle.get("entry") or []:
        resource = relative(entry["resource"])
        key = PREFETCH_KEYS.get(resource["resourceType"])
        if key == "patient":
            prefetch["patient"] = resource
            patient_id = resource["id"]
        elif key is not None:
            found = prefetch[key] or {"resourceType": "Bundle", "type": "searchset", "entry": []}
            found["entry"].append(
                {
                    "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
                    "resource": resource,
                }
            )
            prefetch[key] = found
    return patient_id, prefetch


def prefetch_bundle(prefetch: object, templates: Mapping[str, str]) -> dict[str, Any]:
    """One ``collection`` Bundle of every resource of ``prefetch``.

    A key whose value is ``null`` had no data (CDS Hooks); a missing key, or one holding an
    ``OperationOutcome`` (the client failed to fetch it), is data the service does not have.

    Raises:
        PrefetchMissingError: a key of ``templates`` is missing (or failed), or ``patient`` is null.
        BadRequestError: a value is neither a resource nor a Bundle.
    """
    if prefetch is None:
        prefetch = {}
    if not isinstance(prefetch, dict):
        raise BadRequestError("not an object", field="prefetch", expected="a JSON object")
    missing = []
    entries: list[dict[str, Any]] = []
    for key in templates:
        if key not in prefetch:
            missing.append(key)
            continue
        value = prefetch[key]
        if value is None:
            if key == "patient":
                missing.append(key)
            continue
        if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
            raise BadRequestError(
                "not a FHIR resource", field=f"prefetch.{key}", expected="a resource or a Bundle"
            )
        if value["resourceType"] == "OperationOutcome":
            missing.append(key)
        elif value["resourceType"] == "Bundle":
            for index, entry in enumerate(value.get("entry") or []):
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if not isinstance(resource, dict):
                    raise BadRequestError(
                        "an entry without a resource",
                        field=f"prefetch.{key}.entry[{index}]",
                        expected="an entry with a resource",
                    )
                if resource.get("resourceType") != "OperationOutcome":
                    kept = {"resource": resource}
                    if isinstance(entry.get("fullUrl"), str):
                        kept["fullUrl"] = entry["fullUrl"]
                    entries.append(kept)
        else:
            entries.append({"resource": value})
    if missing:
        raise PrefetchMissingError(tuple(missing), dict(templates))
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def draft_orders(
    context: Mapping[str, Any], selections: Sequence[str] | None
) -> list[dict[str, Any]]:
    """The draft ``MedicationRequest`` resources of ``context.draftOrders``.

    Args:
        context: The hook's context.
        selections: For ``order-select``: the ``MedicationRequest/<id>`` references selected;
            only those are returned. ``None``: every draft order.

    Raises:
        BadRequestError: ``draftOrders`` is not a Bundle.
    """
    bundle = context.get("draftOrders")
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BadRequestError(
            "missing or not a Bundle", field="context.draftOrders", expected="a FHIR Bundle"
        )
    orders = []
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            raise BadRequestError(
                "an entry without a resource", field=f"context.draftOrders.entry[{index}]"
            )
        if resource.get("resourceType") != "MedicationRequest":
            continue
        if selections is not None and f"MedicationRequest/{resource.get('id')}" not in selections:
            continue
        orders.append(resource)
    return orders
