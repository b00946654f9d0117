"""Evidence in every document: one JSON shape, one display label, one field path.

A finding's evidence (:class:`bisphos.findings.Evidence`) is written the same way in the plan
document, the ``check`` and ``check-order`` documents, the oncology recommendation and the FHIR
Bundles, and shown the same way on the service's cards::

    {"path": "labs.calcium", "label": "total calcium", "name": "labs.calcium",
     "value": {"type": "quantity", "value": 2.1, "unit": "mmol/L"},
     "threshold": {"type": "quantity", "value": 2.2, "unit": "mmol/L"}}

``path`` is for software (the input's field path, or the derived value's), ``label`` for people
(the message catalogue's ``evidence.<name>`` in the document's language), ``name`` the key the
catalogue and the message placeholders use; ``value`` and ``threshold`` are typed values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from bisphos.export._schema import TEXT, nullable, object_schema
from bisphos.findings import Evidence, EvidenceValue
from bisphos.i18n import Language, evidence_text, word
from bisphos.i18n._values import for_people
from bisphos.units import Quantity, format_unit, is_quantity

__all__ = [
    "EVIDENCE_DESCRIPTION",
    "EVIDENCE_SYSTEM",
    "evidence_label",
    "evidence_line",
    "evidence_schema",
    "evidence_to_dict",
    "evidence_to_fhir",
    "typed_value",
]

#: What an evidence item is, as the schemas say it.
EVIDENCE_DESCRIPTION: Final = (
    "One value that triggered a finding: its field path (for software), its display label in "
    "the document's language, its catalogue name, its value and the limit it was compared with."
)


def typed_value(value: EvidenceValue) -> dict[str, Any]:
    """Return an evidence value as JSON: ``{"type": ..., "value": ...}`` (and ``unit``).

    Numbers are written for people, to their unit's display precision (``for_people``); the
    decision record keeps the exact values.
    """
    if is_quantity(value):
        quantity: Quantity = value  # type: ignore[assignment]
        unit = format_unit(quantity.units)
        return {
            "type": "quantity",
            "value": for_people(float(quantity.magnitude), unit),
            "unit": unit,
        }
    if isinstance(value, bool):
        return {"type": "boolean", "value": value}
    if isinstance(value, dt.date):
        return {"type": "date", "value": value.isoformat()}
    if isinstance(value, float):
        return {"type": "number", "value": for_people(value)}
    if isinstance(value, int):
        return {"type": "number", "value": value}
    return {"type": "text", "value": str(value)}


def evidence_label(item: Evidence, lang: Language) -> str:
    """Return the display label of ``item`` in ``lang`` (the catalogue's, else its name)."""
    return word("evidence", item.name, lang)


def evidence_line(item: Evidence, lang: Language) -> str:
    """Return ``item`` as one line for people: ``label: value (limit ...) [path]``."""
    return f"{evidence_text(item, lang)} [{item.path}]"


def evidence_to_dict(item: Evidence, lang: Language) -> dict[str, Any]:
    """Return ``item`` as JSON values: path, label in ``lang``, name, value and threshold."""
    return {
        "path": item.path,
        "label": evidence_label(item, lang),
        "name": item.name,
        "value": typed_value(item.value),
        "threshold": None if item.threshold is None else typed_value(item.threshold),
    }


#: The FHIR code system of evidence paths (a ``DetectedIssue.evidence`` code's ``system``).
EVIDENCE_SYSTEM: Final = "https://bisphos.invalid/fhir/CodeSystem/evidence-path"


def evidence_to_fhir(item: Evidence, lang: Language) -> dict[str, Any]:
    """Return ``item`` as a FHIR ``DetectedIssue.evidence`` element (JSON values).

    Its code is the path in :data:`EVIDENCE_SYSTEM` with the label as display; its text the
    label, value and limit as people read them.
    """
    coding = {"system": EVIDENCE_SYSTEM, "code": item.path, "display": evidence_label(item, lang)}
    return {"code": [{"coding": [coding], "text": evidence_text(item, lang)}]}


def evidence_schema(typed: str = "#/$defs/typed") -> dict[str, Any]:
    """Return the JSON Schema of :func:`evidence_to_dict`; ``typed`` refers to the typed value."""
    return object_schema(
        {
            "path": {
                "type": "string",
                "pattern": r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*|\[[0-9]+\])*$",
                "description": "The input's field path, or the derived value's.",
            },
            "label": {**TEXT, "description": "The display label in the document's language."},
            "name": {**TEXT, "description": "The catalogue's key of the label."},
            "value": {"$ref": typed},
            "threshold": nullable({"$ref": typed}),
        },
        EVIDENCE_DESCRIPTION,
    )
