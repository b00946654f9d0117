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
    "prefetch_bundle",
]

#: Reads a patient from a FHIR R4 Bundle (as JSON) on an assessment date.
PatientReader = Callable[[Mapping[str, Any], dt.date], Patient]
#: Judges one draft order (a MedicationRequest as JSON) for a patient; ``None``: not an order of
#: a drug of the protocol (the service says nothing of it).
OrderChecker = Callable[[Engine, Patient, Mapping[str, Any], dt.date], OrderView | None]

#: The prefetch keys of every hook, in the order of the discovery document.
PREFETCH_KEYS: Final = (
    "patient",
    "observations",
    "conditions",
    "allergies",
    "administrations",
    "statements",
)


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
                    entries.append({"resource": resource})
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
