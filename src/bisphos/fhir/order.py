"""An order from a FHIR R4 ``MedicationRequest``: the draft a prescriber typed in the order screen.

:func:`order_from_medication_request` reads the drug (ATC, as the history is read), the dose
(``doseAndRate.doseQuantity``), the pump rate (``doseAndRate.rateQuantity``), the infusion time
(``timing.repeat.duration`` with its ``durationUnit``), the date (``timing.event``, else the start
of ``timing.repeat.boundsPeriod``, else ``authoredOn``) and the volume
(``dispenseRequest.quantity``, else the rate times the infusion time), each quantity through the
unit list of its kind. Every problem names the element, and all are raised together as one
:class:`~bisphos.errors.FhirInputError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from bisphos import quantities as q
from bisphos.errors import FhirInputError, InputError, InvalidValueError
from bisphos.fhir.reader import _DRUGS, _Reader, _where, bundle_from_text
from bisphos.model import Drug
from bisphos.orders import Order
from bisphos.units import Quantity, quantity

__all__ = ["load_order", "order_from_medication_request"]

# The UCUM codes FHIR's durationUnit allows, as bisphos spells them.
_DURATION_UNITS: Final = {"s": "second", "min": "minute", "h": "hour", "d": "day"}


def _request(reader: _Reader, data: object) -> Mapping[str, object] | None:
    """The MedicationRequest itself, or the one MedicationRequest of a Bundle."""
    resource = reader.mapping(data, "MedicationRequest")
    if resource is None:
        return None
    if resource.get("resourceType") == "Bundle":
        entries = resource.get("entry")
        found: list[Mapping[str, object]] = []
        for entry in entries if isinstance(entries, list) else []:
            inner = entry.get("resource") if isinstance(entry, Mapping) else None
            if isinstance(inner, Mapping) and inner.get("resourceType") == "MedicationRequest":
                found.append(inner)
        if len(found) != 1:
            reader.problem(
                "Bundle.entry",
                "a Bundle must hold exactly one MedicationRequest",
                len(found),
                "one MedicationRequest",
            )
            return None
        resource = found[0]
    if resource.get("resourceType") != "MedicationRequest":
        reader.problem(
            "resourceType",
            "not a MedicationRequest",
            resource.get("resourceType"),
            "MedicationRequest",
        )
        return None
    return resource


def _drug(reader: _Reader, resource: Mapping[str, object], where: str) -> Drug | None:
    path = f"{where}.medicationCodeableConcept"
    codings = reader.codings(resource.get("medicationCodeableConcept"), path)
    drugs = {_DRUGS[(s, k)] for s, k, _ in codings if (s, k) in _DRUGS}
    if len(drugs) == 1:
        return drugs.pop()
    reader.unknown(
        path,
        "not one drug of the protocol",
        [f"{s}|{k}" for s, k, _ in codings],
        "zoledronic acid (ATC M05BA08) or pamidronate (ATC M05BA03)",
    )
    return None


def _first(reader: _Reader, value: object, path: str) -> Mapping[str, object]:
    """The first element of a list of objects, or an empty object (reported if malformed)."""
    if value is None:
        return {}
    if isinstance(value, list) and value:
        return reader.mapping(value[0], f"{path}[0]") or {}
    reader.problem(path, "must be a non-empty list", value, "a list of one element")
    return {}


def _date(
    reader: _Reader, resource: Mapping[str, object], timing: Mapping[str, object], path: str
) -> tuple[dt.date, str] | None:
    events = timing.get("event")
    repeat = timing.get("repeat")
    bounds = repeat.get("boundsPeriod") if isinstance(repeat, Mapping) else None
    if isinstance(events, list) and events:
        return reader.date(events[0], f"{path}.timing.event[0]")
    if isinstance(bounds, Mapping) and bounds.get("start") is not None:
        return reader.date(bounds["start"], f"{path}.timing.repeat.boundsPeriod.start")
    if resource.get("authoredOn") is not None:
        return reader.date(resource["authoredOn"], f"{path.rsplit('.', 1)[0]}.authoredOn")
    reader.missing(f"{path}.timing.event", "the date of the infusion")
    return None


def order_from_medication_request(data: object, *, source: str = "") -> Order:
    """Read an order from a FHIR MedicationRequest (parsed JSON), or a Bundle holding one.

    Raises:
        FhirInputError: listing every problem, each with the element path.
    """
    reader = _Reader()
    resource = _request(reader, data)
    if resource is None:
        raise FhirInputError(reader.problems, source=source)
    where = _where(resource, 0).replace("entry[0].resource", "MedicationRequest")
    drug = _drug(reader, resource, where)
    path = f"{where}.dosageInstruction"
    dosage = _first(reader, resource.get("dosageInstruction"), path)
    path = f"{path}[0]"
    amounts = _first(reader, dosage.get("doseAndRate"), f"{path}.doseAndRate")
    amounts_path = f"{path}.doseAndRate[0]"
    dose = rate = volume = None
    if amounts.get("doseQuantity") is None:
        reader.missing(f"{amounts_path}.doseQuantity", "the dose, in mg")
    else:
        dose = reader.quantity(amounts["doseQuantity"], f"{amounts_path}.doseQuantity", "dose")
    if amounts.get("rateQuantity") is not None:
        rate = reader.quantity(
            amounts["rateQuantity"], f"{amounts_path}.rateQuantity", "dose", kind=q.INFUSION_RATE
        )
    timing = reader.mapping(dosage.get("timing") or {}, f"{path}.timing") or {}
    repeat = reader.mapping(timing.get("repeat") or {}, f"{path}.timing.repeat") or {}
    duration = _duration(reader, repeat, f"{path}.timing.repeat")
    when = _date(reader, resource, timing, path)
    dispense = resource.get("dispenseRequest")
    if isinstance(dispense, Mapping) and dispense.get("quantity") is not None:
        volume = reader.quantity(
            dispense["quantity"], f"{where}.dispenseRequest.quantity", "dose", kind=q.VOLUME
        )
    elif rate is not None and duration is not None:
        volume = quantity(float(rate.m_as("mL/h") * duration.m_as("h")), "milliliter")
    else:
        reader.missing(
            f"{where}.dispenseRequest.quantity", "the volume (or the rate and the infusion time)"
        )
    if reader.problems or drug is None or dose is None or when is None or volume is None:
        raise FhirInputError(reader.problems, source=source)
    try:
        return Order(
            drug=drug,
            dose=dose,
            date=when[0],
            volume=volume,
            duration=duration,
            rate=rate,
            source=where,
        )
    except InputError as error:
        raise FhirInputError([error.at(path) if error.field else error], source=source) from None


def _duration(reader: _Reader, repeat: Mapping[str, object], path: str) -> Quantity | None:
    value, unit = repeat.get("duration"), repeat.get("durationUnit")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        reader.problem(f"{path}.duration", "not a positive number", value, "e.g. 1")
        return None
    name = _DURATION_UNITS.get(unit) if isinstance(unit, str) else None
    if name is None:
        reader.problem(
            f"{path}.durationUnit", "not a unit of an infusion time", unit, "s, min, h or d"
        )
        return None
    return quantity(float(value), name)


def load_order(path: str) -> Order:
    """Read an order from a FHIR MedicationRequest file (JSON), or a Bundle holding one.

    Raises:
        FhirInputError: the file cannot be read, or the order holds problems.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FhirInputError(
            [InvalidValueError(f"cannot read the file: {error}", value=str(file))], source=str(file)
        ) from None
    return order_from_medication_request(bundle_from_text(text, source=str(file)), source=str(file))
