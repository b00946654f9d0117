"""The JSON Schema of a patient input file.

The schema is built here from the same field tables the loader reads (:mod:`bisphos.io`), and
shipped as ``bisphos/patient.schema.json`` for systems that validate files before sending them; a
test keeps the shipped file equal to :func:`patient_schema`. Quantities are strings holding a
number and its unit (``"20 kg"``); the schema states the kind and canonical unit, while the unit
itself is checked by :mod:`bisphos.units` because no regular expression can.
"""

from __future__ import annotations

import json
from typing import Any, Final

from bisphos import model
from bisphos.model import PLAUSIBLE_RANGES
from bisphos.quantities import QuantityKind
from bisphos.units import format_unit

__all__ = ["OBJECT_KEYS", "SCHEMA_ID", "patient_schema", "patient_schema_json"]

SCHEMA_ID: Final = "https://bisphos.invalid/schema/patient-1.json"

_NUMBER_AND_UNIT: Final = r"^\s*[+-−]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?\s*\S.*$"
_DATE: Final = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def _enum(members: type[model.Sex] | type[Any], description: str) -> dict[str, Any]:
    return {"type": "string", "enum": [m.value for m in members], "description": description}


def _quantity(kind: QuantityKind, description: str) -> dict[str, Any]:
    text = f"{description} A {kind.name} with its unit, stored in {format_unit(kind.canonical)}"
    plausible = next((r for r in PLAUSIBLE_RANGES.values() if r.kind is kind), None)
    if plausible is not None:
        text += f"; plausible {plausible.low:g} to {plausible.high:g}"
    return {"type": "string", "pattern": _NUMBER_AND_UNIT, "description": text + "."}


def _object(
    properties: dict[str, dict[str, Any]], required: tuple[str, ...] = (), description: str = ""
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


def _lab(name: str) -> dict[str, Any]:
    kind = model.LAB_KINDS[name]
    value = _quantity(kind, f"Serum {kind.name}.")
    dated = _object(
        {
            "value": value,
            "date": _DATE,
            "upper_limit": _quantity(kind, "The laboratory's upper reference limit."),
        },
        required=("value",),
    )
    return {"oneOf": [value, dated, _series(dated)]}


def _series(dated: dict[str, Any]) -> dict[str, Any]:
    """A list of dated values of one measurement; the latest is used (P-FRESH)."""
    return {
        "type": "array",
        "items": dated,
        "minItems": 1,
        "description": "Several dated values; the latest is used (P-FRESH).",
    }


def _weight() -> dict[str, Any]:
    value = _quantity(PLAUSIBLE_RANGES["weight"].kind, "Body weight.")
    dated = _object(
        {"value": value, "date": _DATE},
        required=("value",),
        description="The weight and the day it was measured (P-FRESH: older than 30 days, "
        "weigh before the infusion).",
    )
    return {"oneOf": [value, dated, _series(dated)]}


def _vitals(description: str) -> dict[str, Any]:
    return _object(
        {
            "temperature": _quantity(PLAUSIBLE_RANGES["temperature"].kind, "Body temperature."),
            "heart_rate": _quantity(PLAUSIBLE_RANGES["heart_rate"].kind, "Heart rate."),
            "systolic_bp": _quantity(PLAUSIBLE_RANGES["systolic_bp"].kind, "Systolic pressure."),
            "diastolic_bp": _quantity(PLAUSIBLE_RANGES["diastolic_bp"].kind, "Diastolic pressure."),
            "date": {
                **_DATE,
                "description": "The day they were taken; absent: the assessment date (P-FRESH).",
            },
        },
        description=description,
    )


def patient_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a patient input file as a dict."""
    fracture = _object(
        {
            "site": _enum(model.FractureSite, "Vertebral compression, long bone or other."),
            "trauma": _enum(model.Trauma, "Energy of the trauma; high never counts (P-FX-c)."),
            "date": _DATE,
            "age_at_fracture": _quantity(
                PLAUSIBLE_RANGES["age_at_fracture"].kind, "Age at the fracture, if no date."
            ),
        },
        required=("site", "trauma"),
    )
    bmd = _object(
        {
            "site": _enum(model.BmdSite, "DXA site."),
            "z_score": {"type": "number", "minimum": -10, "maximum": 10},
            "size_corrected": {"type": "boolean"},
            "date": _DATE,
        },
        required=("site", "z_score"),
    )
    infusion = _object(
        {
            "drug": _enum(model.Drug, "The bisphosphonate given."),
            "date": _DATE,
            "dose": _quantity(PLAUSIBLE_RANGES["dose"].kind, "The dose given that day."),
            "complication": _enum(model.ComplicationGrade, "Worst complication afterwards."),
        },
        required=("drug", "date", "dose"),
    )
    risks = _object(
        {name: {"type": "boolean"} for name in OBJECT_KEYS["risks"]},
        description="Clinical risk flags; absent means false (could_become_pregnant: unknown).",
    )
    properties: dict[str, dict[str, Any]] = {
        "schema_version": {"const": 1},
        "patient_id": {"type": "string"},
        "birth_date": _DATE,
        "assessment_date": _DATE,
        "sex": _enum(model.Sex, "Sex as recorded."),
        "weight": _weight(),
        "height": _quantity(PLAUSIBLE_RANGES["height"].kind, "Body height or length."),
        "diagnosis": _enum(model.Diagnosis, "Underlying condition (P-IND-A)."),
        "oi_severity": _enum(model.OISeverity, "Severity of osteogenesis imperfecta."),
        "gene_variants": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^[A-Z][A-Z0-9-]{1,15}$"},
        },
        "still_growing": {"type": "boolean"},
        "fractures": {"type": "array", "items": fracture},
        "bmd": {"type": "array", "items": bmd},
        "labs": _object({name: _lab(name) for name in model.LAB_KINDS}),
        "vitals": _vitals("Today's vital signs before the infusion."),
        "baseline_vitals": _vitals("The patient's baseline vital signs."),
        "infusions": {"type": "array", "items": infusion},
        "risks": risks,
    }
    schema = _object(
        properties,
        required=("birth_date", "assessment_date", "sex", "weight", "diagnosis"),
        description="A patient for the bisphos protocols. Quantities are strings with a unit.",
    )
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID} | schema


#: The keys each object of a patient file may have; the loader refuses any other key.
OBJECT_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "patient": (
        "schema_version",
        "patient_id",
        "birth_date",
        "assessment_date",
        "sex",
        "weight",
        "height",
        "diagnosis",
        "oi_severity",
        "gene_variants",
        "still_growing",
        "fractures",
        "bmd",
        "labs",
        "vitals",
        "baseline_vitals",
        "infusions",
        "risks",
    ),
    "fracture": ("site", "trauma", "date", "age_at_fracture"),
    "bmd": ("site", "z_score", "size_corrected", "date"),
    "lab": ("value", "date", "upper_limit"),
    "labs": tuple(model.LAB_KINDS),
    "vitals": ("temperature", "heart_rate", "systolic_bp", "diastolic_bp", "date"),
    "weight": ("value", "date"),
    "infusion": ("drug", "date", "dose", "complication"),
    "risks": tuple(a.name for a in model.RiskFlags.__attrs_attrs__),
}


def patient_schema_json() -> str:
    """Return :func:`patient_schema` as the JSON text shipped with the package."""
    return json.dumps(patient_schema(), indent=2, ensure_ascii=False) + "\n"
