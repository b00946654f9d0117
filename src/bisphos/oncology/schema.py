"""The JSON Schema of the adult oncology patient file, built from :data:`FIELDS`.

Shipped as ``bisphos/oncology/adult-patient.schema.json``; a test keeps the shipped file equal to
:func:`adult_patient_schema`. Quantities are strings holding a number and a unit; the schema
states each field's kind, canonical unit and plausible range, while the unit itself is checked by
:mod:`bisphos.units`, because no regular expression can.
"""

from __future__ import annotations

import json
from typing import Any, Final

from bisphos.oncology.patient import ADULT_PLAUSIBLE_RANGES
from bisphos.oncology.patient_file import (
    ADULT_KIND,
    FIELDS,
    OVERRIDE_FIELDS,
    SCHEMA_VERSION,
    Field,
    FieldType,
)
from bisphos.units import format_unit

__all__ = [
    "ADULT_SCHEMA_ID",
    "ADULT_SCHEMA_RESOURCE",
    "adult_patient_schema",
    "adult_patient_schema_json",
]

#: The ``$id`` of the schema.
ADULT_SCHEMA_ID: Final = "https://bisphos.invalid/schema/adult-oncology-patient-1.json"
#: The file name of the shipped schema inside ``bisphos.oncology``.
ADULT_SCHEMA_RESOURCE: Final = "adult-patient.schema.json"

_NUMBER_AND_UNIT: Final = r"^\s*[+-−]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?\s*\S.*$"
_DATE: Final = r"^\d{4}-\d{2}-\d{2}$"
_DATETIME: Final = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"


def _property(field: Field) -> dict[str, Any]:
    text = field.description
    if field.kind is FieldType.QUANTITY:
        plausible = ADULT_PLAUSIBLE_RANGES[field.name]
        unit = format_unit(plausible.kind.canonical)
        text += (
            f" A {plausible.kind.name} with its unit, stored in {unit}; plausible "
            f"{plausible.low:g} to {plausible.high:g}."
        )
        return {"type": "string", "pattern": _NUMBER_AND_UNIT, "description": text}
    if field.kind is FieldType.DATE:
        return {"type": "string", "format": "date", "pattern": _DATE, "description": text}
    if field.kind is FieldType.DATETIME:
        return {"type": "string", "format": "date-time", "pattern": _DATETIME, "description": text}
    if field.kind is FieldType.FLAG:
        return {"type": "boolean", "description": text}
    if field.kind is FieldType.OPTIONAL_FLAG:
        return {"type": ["boolean", "null"], "description": text + " Absent or null: unknown."}
    if field.kind is FieldType.INTEGER:
        return {
            "type": "integer",
            "minimum": field.minimum,
            "maximum": field.maximum,
            "description": text,
        }
    if field.kind is FieldType.CHOICE:
        members = field.choices or ()
        return {"type": "string", "enum": [str(member) for member in members], "description": text}
    if field.kind is FieldType.OVERRIDES:
        return {"type": "array", "items": _object(OVERRIDE_FIELDS), "description": text}
    return {"type": "string", "description": text}


def _object(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {field.name: _property(field) for field in fields},
        "required": [field.name for field in fields if field.required],
        "additionalProperties": False,
    }


def adult_patient_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of an adult oncology patient file."""
    body = _object(FIELDS)
    properties = {
        "kind": {"const": ADULT_KIND, "description": "Marks an adult oncology patient file."},
        "schema_version": {"const": SCHEMA_VERSION},
        **body["properties"],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ADULT_SCHEMA_ID,
        "description": "An adult patient for nl-oncology-bone-2016. Quantities are strings with "
        "a unit.",
        "type": "object",
        "properties": properties,
        "required": ["kind", *body["required"]],
        "additionalProperties": False,
    }


def adult_patient_schema_json() -> str:
    """Return :func:`adult_patient_schema` as the JSON text shipped with the package."""
    return json.dumps(adult_patient_schema(), indent=2, ensure_ascii=False) + "\n"
