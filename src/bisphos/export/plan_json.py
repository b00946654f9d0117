"""The machine-readable plan: a JSON document with a published JSON Schema.

:func:`plan_to_dict` writes a :class:`~bisphos.pediatric.plan.Plan` as plain JSON values;
:func:`plan_schema` is its JSON Schema (draft 2020-12), shipped as ``bisphos/plan.schema.json``
and kept equal to this function by a test. Every quantity is an object ``{"value": number,
"unit": text}``; the plan's own quantities are written in fixed units (doses in mg, volumes in
mL, rates in mL/h ...), so a consumer never converts. Evidence values say their type. The
library's own English messages are kept (``message``, ``action``) beside the catalogue's text in
the requested language (``text``), with the catalogue id (``message_id``).

The same plan gives the same bytes: keys keep one order and nothing reads a clock.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final

from bisphos.export._schema import DATE as _DATE
from bisphos.export._schema import RULE_IDS as _RULE_IDS
from bisphos.export._schema import TEXT as _TEXT
from bisphos.export._schema import nullable as _nullable
from bisphos.export._schema import object_schema as _object
from bisphos.export.evidence import evidence_schema, evidence_to_dict, typed_value
from bisphos.findings import EvidenceValue, Finding, Severity
from bisphos.i18n import Language, localize
from bisphos.model import Drug
from bisphos.pediatric.adjustments import Adjustment
from bisphos.pediatric.ledger import Ledger
from bisphos.pediatric.limits import Phase
from bisphos.pediatric.overrides import SOFT_LIMITS, OverrideReason
from bisphos.pediatric.plan import Plan, PlanStatus
from bisphos.pediatric.schedule import Clearance, FollowUp, FollowUpKind, PlannedInfusion
from bisphos.units import Quantity, format_unit, ureg

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "PLAN_SCHEMA_ID",
    "UNITS",
    "finding_to_dict",
    "plan_schema",
    "plan_schema_json",
    "plan_to_dict",
    "plan_to_json",
]

#: The value of ``format`` in every plan document.
FORMAT: Final = "bisphos-plan"
#: The version of the document's layout; a change that breaks readers raises it.
FORMAT_VERSION: Final = 1
#: The ``$id`` of the plan schema.
PLAN_SCHEMA_ID: Final = "https://bisphos.invalid/schema/plan-1.json"

_PINT_UNITS: Final = {
    "dose": "milligram",
    "per_kg": "milligram / kilogram",
    "weight": "kilogram",
    "volume": "milliliter",
    "concentration": "milligram / milliliter",
    "duration": "hour",
    "rate": "milliliter / hour",
    "dose_rate": "milligram / hour",
}
#: The fixed unit of each quantity of the plan, in the library's spelling.
UNITS: Final = {name: format_unit(ureg.Unit(unit)) for name, unit in _PINT_UNITS.items()}


def _fixed(value: Quantity, kind: str) -> dict[str, Any]:
    return {"value": float(value.m_as(_PINT_UNITS[kind])), "unit": UNITS[kind]}


def _quantity(value: Quantity) -> dict[str, Any]:
    return {"value": float(value.magnitude), "unit": format_unit(value.units)}


def finding_to_dict(finding: Finding, lang: Language, on: dt.date) -> dict[str, Any]:
    """Return ``finding`` as JSON values (the plan schema's ``finding``), its text in ``lang``."""
    local = localize(finding, lang, on=on)
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "rule_ids": list(finding.rule_ids),
        "message": finding.message,
        "action": finding.action,
        "evidence": [evidence_to_dict(item, lang) for item in finding.evidence],
        "message_id": local.message_id,
        "text": {"message": local.message, "action": local.action},
    }


def _infusion(planned: PlannedInfusion) -> dict[str, Any]:
    dose, prep, limited = planned.dose, planned.preparation, planned.dose.limited
    return {
        "number": planned.number,
        "date": planned.date.isoformat(),
        "due": planned.due.isoformat(),
        "phase": planned.phase.value,
        "dose": _fixed(dose.value, "dose"),
        "per_kg": _fixed(dose.per_kg, "per_kg"),
        "weight": _fixed(dose.facts.weight, "weight"),
        "computed": _fixed(dose.computed, "dose"),
        "cap_applied": dose.cap_applied,
        "ceiling": _fixed(limited.ceiling, "dose"),
        "ceiling_rule_ids": list(limited.ceiling_rule_ids),
        "daily_cap": _fixed(limited.daily_cap.dose, "dose"),
        "daily_cap_rule_id": limited.daily_cap.rule_id,
        "preparation": {
            "diluent": prep.diluent,
            "volume": _fixed(prep.volume, "volume"),
            "concentration": _fixed(prep.concentration, "concentration"),
            "duration": _fixed(prep.duration, "duration"),
            "rate": _fixed(prep.rate, "rate"),
            "product": {
                "name": prep.product.name,
                "concentration": _fixed(prep.product.concentration, "concentration"),
                "vial": _fixed(prep.product.vial, "volume"),
            },
            "vials": prep.vials,
            "syringe_resolution": _fixed(prep.syringe_resolution, "volume"),
            "concentrate_volume": _fixed(prep.concentrate_volume, "volume"),
            "planned_dose": _fixed(prep.dose, "dose"),
            "delivered_dose": _fixed(prep.delivered, "dose"),
            "diluent_volume": _fixed(prep.diluent_volume, "volume"),
            "dose_rate": _fixed(prep.dose_rate, "dose_rate"),
            "rule_ids": list(prep.rule_ids),
        },
        "choices": [
            {"rule_id": c.rule_id, "decision": c.decision, "option": c.option}
            for c in (*dose.choices, *prep.choices)
        ],
        "date_reason": planned.date_reason,
        "clearance": planned.clearance.value,
        "rule_ids": list(planned.rule_ids),
    }


def _ledger(ledger: Ledger) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    for name, total in ledger.totals:
        totals[name] = {
            "dose": _fixed(total, "dose"),
            "per_kg": _fixed(ledger.per_kg(total), "per_kg"),
        }
    return {
        "drug": ledger.drug.value,
        "weight": _fixed(ledger.weight, "weight"),
        **totals,
        "rule_ids": list(ledger.rule_ids),
    }


def _follow_up(entry: FollowUp, lang: Language) -> dict[str, Any]:
    return {
        "date": entry.date.isoformat(),
        "kind": entry.kind.value,
        "description": entry.description,
        "rule_ids": list(entry.rule_ids),
        "evidence": [evidence_to_dict(item, lang) for item in entry.evidence],
    }


def _shown(value: EvidenceValue | None) -> dict[str, Any] | None:
    return None if value is None else typed_value(value)


def _adjustment(item: Adjustment) -> dict[str, Any]:
    return {
        "plugin": item.plugin,
        "hook": item.hook,
        "target": item.target,
        "before": _shown(item.before),
        "proposed": _shown(item.proposed),
        "after": _shown(item.after),
        "accepted": item.accepted,
        "reason": item.reason,
        "reason_code": item.reason_code,
        "rule_ids": list(item.rule_ids),
    }


def plan_to_dict(plan: Plan, lang: Language = "en") -> dict[str, Any]:
    """Return ``plan`` as JSON values, valid against :func:`plan_schema`.

    Args:
        plan: The plan.
        lang: The language of each finding's ``text``; ``message`` stays the library's English.
    """
    request = plan.request
    on = plan.assessment_date
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "lang": lang,
        "protocol": {"id": plan.protocol, "version": plan.protocol_version},
        "library_version": plan.library_version,
        "patient_id": plan.patient_id,
        "assessment_date": on.isoformat(),
        "status": plan.status.value,
        "cleared_today": plan.cleared_today,
        "drug": None if plan.drug is None else plan.drug.value,
        "request": {
            "drug": None if request.drug is None else request.drug.value,
            "start": None if request.start is None else request.start.isoformat(),
            "infusions": request.horizon.infusions,
            "until": None if request.horizon.until is None else request.horizon.until.isoformat(),
            "maintenance": request.maintenance,
            "overrides": [
                {
                    "limit": item.limit,
                    "reason": item.reason.value,
                    "clinician": item.clinician,
                    "at": item.at.isoformat(timespec="minutes"),
                    "note": item.note,
                }
                for item in request.overrides
            ],
        },
        "infusions": [_infusion(planned) for planned in plan.infusions],
        "follow_up": [
            _follow_up(entry, lang) for entry in (plan.course.follow_up if plan.course else ())
        ],
        "findings": [finding_to_dict(finding, lang, on) for finding in plan.findings],
        "ledger": [_ledger(item) for item in plan.ledger],
        "adjustments": [_adjustment(item) for item in plan.adjustments],
        "plugins": [
            {
                "name": p.name,
                "distribution": p.distribution,
                "version": p.version,
                "builtin": p.builtin,
            }
            for p in plan.plugins
        ],
        "rule_ids": list(plan.rule_ids),
    }


def plan_to_json(plan: Plan, lang: Language = "en") -> str:
    """Return ``plan`` as a JSON document (UTF-8 text, indented, ending with a newline)."""
    return (
        json.dumps(plan_to_dict(plan, lang), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    )


# The schema.


def _fixed_schema(kind: str) -> dict[str, Any]:
    return _object(
        {"value": {"type": "number"}, "unit": {"const": UNITS[kind]}},
        f"A {kind.replace('_', ' ')} in {UNITS[kind]}.",
    )


def _typed_schema() -> dict[str, Any]:
    # A discriminated union: "type" says which "value" follows (if/then validates faster than
    # oneOf, which tries every branch).
    def when(kind: str, value: dict[str, Any]) -> dict[str, Any]:
        return {"if": {"properties": {"type": {"const": kind}}}, "then": {"properties": value}}

    quantity = when("quantity", {"value": {"type": "number"}})
    quantity["then"]["required"] = ["unit"]
    quantity["else"] = {"not": {"required": ["unit"]}}
    return {
        "description": "A value with its type: a quantity with its unit, a date, a number, a "
        "flag or a word.",
        "type": "object",
        "properties": {
            "type": {"enum": ["quantity", "date", "number", "boolean", "text"]},
            "value": {"type": ["number", "string", "boolean"]},
            "unit": _TEXT,
        },
        "required": ["type", "value"],
        "additionalProperties": False,
        "allOf": [
            quantity,
            when("date", {"value": _DATE}),
            when("number", {"value": {"type": "number"}}),
            when("boolean", {"value": {"type": "boolean"}}),
            when("text", {"value": _TEXT}),
        ],
    }


def _enum(values: list[str], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": values}
    if description:
        schema["description"] = description
    return schema


def plan_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of :func:`plan_to_dict`'s documents."""
    evidence = evidence_schema()
    finding = _object(
        {
            "code": _TEXT,
            "severity": _enum([s.value for s in Severity], "block stops today's infusion."),
            "rule_ids": _RULE_IDS,
            "message": {"type": "string", "description": "The library's message, in English."},
            "action": _TEXT,
            "evidence": {"type": "array", "items": {"$ref": "#/$defs/evidence"}},
            "message_id": {"type": "string", "description": "The id in the message catalogue."},
            "text": _object(
                {"message": _TEXT, "action": _TEXT}, "Message and action in the document's lang."
            ),
        }
    )
    choice = _object({"rule_id": _TEXT, "decision": _TEXT, "option": _TEXT})
    infusion = _object(
        {
            "number": {"type": "integer", "minimum": 1},
            "date": _DATE,
            "due": _DATE,
            "phase": _enum([p.value for p in Phase]),
            "dose": _fixed_schema("dose"),
            "per_kg": _fixed_schema("per_kg"),
            "weight": _fixed_schema("weight"),
            "computed": _fixed_schema("dose"),
            "cap_applied": {"type": "boolean"},
            "ceiling": _fixed_schema("dose"),
            "ceiling_rule_ids": _RULE_IDS,
            "daily_cap": _fixed_schema("dose"),
            "daily_cap_rule_id": _TEXT,
            "preparation": _object(
                {
                    "diluent": _TEXT,
                    "volume": _fixed_schema("volume"),
                    "concentration": _fixed_schema("concentration"),
                    "duration": _fixed_schema("duration"),
                    "rate": _fixed_schema("rate"),
                    "product": _object(
                        {
                            "name": _TEXT,
                            "concentration": _fixed_schema("concentration"),
                            "vial": _fixed_schema("volume"),
                        },
                        "The product drawn up and its concentration (P-PREP-PRODUCT).",
                    ),
                    "vials": {"type": "integer", "minimum": 1},
                    "syringe_resolution": _fixed_schema("volume"),
                    "concentrate_volume": _fixed_schema("volume"),
                    "planned_dose": _fixed_schema("dose"),
                    "delivered_dose": _fixed_schema("dose"),
                    "diluent_volume": _fixed_schema("volume"),
                    "dose_rate": _fixed_schema("dose_rate"),
                    "rule_ids": _RULE_IDS,
                },
                "How the infusion is prepared (P-PREP-PRODUCT): the volume of the product to "
                "draw up, a whole number of syringe steps, the dose it delivers beside the "
                "planned one, the diluent added to the final volume, the final concentration "
                "of the delivered dose, and the rates in ml/h and mg/h.",
            ),
            "choices": {"type": "array", "items": choice},
            "date_reason": _TEXT,
            "clearance": _enum(
                [c.value for c in Clearance],
                "cleared_today or blocked_today for an infusion on the assessment date; every "
                "later one is to_be_cleared_on_its_day: its contraindications are checked on its "
                "day (P-CI-PERMANENT).",
            ),
            "rule_ids": _RULE_IDS,
        },
        "One planned infusion: date, dose with its limits, preparation, and the rules.",
    )
    amount = _object({"dose": _fixed_schema("dose"), "per_kg": _fixed_schema("per_kg")})
    ledger = _object(
        {
            "drug": _enum([d.value for d in Drug]),
            "weight": _fixed_schema("weight"),
            "given_12_months": amount,
            "given_total": amount,
            "with_planned_12_months": amount,
            "with_planned_total": amount,
            "rule_ids": _RULE_IDS,
        },
        "The cumulative dose of one drug, per kg of the current weight too (P-LEDGER): shown, "
        "not enforced.",
    )
    follow_up = _object(
        {
            "date": _DATE,
            "kind": _enum([k.value for k in FollowUpKind]),
            "description": _TEXT,
            "rule_ids": _RULE_IDS,
            "evidence": {"type": "array", "items": {"$ref": "#/$defs/evidence"}},
        }
    )
    adjustment = _object(
        {
            "plugin": _TEXT,
            "hook": _TEXT,
            "target": _TEXT,
            "before": _nullable({"$ref": "#/$defs/typed"}),
            "proposed": _nullable({"$ref": "#/$defs/typed"}),
            "after": _nullable({"$ref": "#/$defs/typed"}),
            "accepted": {"type": "boolean"},
            "reason": _TEXT,
            "reason_code": _TEXT,
            "rule_ids": _RULE_IDS,
        }
    )
    plugin = _object(
        {"name": _TEXT, "distribution": _TEXT, "version": _TEXT, "builtin": {"type": "boolean"}}
    )
    drugs = [d.value for d in Drug]
    body = _object(
        {
            "format": {"const": FORMAT},
            "format_version": {"const": FORMAT_VERSION},
            "lang": _enum(["en", "nl"]),
            "protocol": _object({"id": _TEXT, "version": _TEXT}),
            "library_version": _TEXT,
            "patient_id": _TEXT,
            "assessment_date": _DATE,
            "status": _enum([s.value for s in PlanStatus]),
            "cleared_today": {"type": "boolean"},
            "drug": _nullable(_enum(drugs)),
            "request": _object(
                {
                    "drug": _nullable(_enum(drugs)),
                    "start": _nullable(_DATE),
                    "infusions": _nullable({"type": "integer", "minimum": 1}),
                    "until": _nullable(_DATE),
                    "maintenance": {"type": "boolean"},
                    "overrides": {
                        "type": "array",
                        "items": _object(
                            {
                                "limit": _enum(list(SOFT_LIMITS), "The soft limit overridden."),
                                "reason": _enum([r.value for r in OverrideReason]),
                                "clinician": _TEXT,
                                "at": {
                                    "type": "string",
                                    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}",
                                },
                                "note": _TEXT,
                            },
                            "A clinician's override of a soft limit (P-OVERRIDE).",
                        ),
                    },
                }
            ),
            "infusions": {"type": "array", "items": {"$ref": "#/$defs/infusion"}},
            "follow_up": {"type": "array", "items": {"$ref": "#/$defs/follow_up"}},
            "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "ledger": {"type": "array", "items": {"$ref": "#/$defs/ledger"}},
            "adjustments": {"type": "array", "items": {"$ref": "#/$defs/adjustment"}},
            "plugins": {"type": "array", "items": plugin},
            "rule_ids": _RULE_IDS,
        },
        "A bisphos plan for one patient under a pediatric protocol.",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": PLAN_SCHEMA_ID,
        "title": "bisphos plan",
        **body,
        "$defs": {
            "typed": _typed_schema(),
            "evidence": evidence,
            "finding": finding,
            "infusion": infusion,
            "follow_up": follow_up,
            "ledger": ledger,
            "adjustment": adjustment,
        },
    }


def plan_schema_json() -> str:
    """Return :func:`plan_schema` as the text of the shipped ``plan.schema.json``."""
    return json.dumps(plan_schema(), indent=2, ensure_ascii=False) + "\n"
