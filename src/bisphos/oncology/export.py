"""The machine-readable oncology recommendation: a JSON document with a shipped JSON Schema.

:func:`recommendation_to_dict` writes an :class:`OncologyRecommendation` as plain JSON values;
:func:`recommendation_schema` is its JSON Schema (draft 2020-12), shipped as
``bisphos/oncology/recommendation.schema.json`` and kept equal to this function by a test. Every
quantity is an object ``{"value": number, "unit": text}`` in a fixed unit (doses in mg, volumes in
mL, rates in mg/h and mL/h, intervals in days, infusion durations in minutes, activities in kBq),
with a ``shown`` text in the unit a clinician reads. Findings are written as in the pediatric plan
(:mod:`bisphos.export.plan_json`): the library's English beside the catalogue's text in the
requested language. Every label restriction carries its source and year and the deck's statement.

The same recommendation gives the same bytes: keys keep one order and nothing reads a clock.
"""

from __future__ import annotations

import json
from typing import Any, Final

from bisphos.export._schema import DATE as _DATE
from bisphos.export._schema import RULE_IDS as _RULE_IDS
from bisphos.export._schema import TEXT as _TEXT
from bisphos.export._schema import nullable as _nullable
from bisphos.export._schema import object_schema as _object
from bisphos.export.evidence import evidence_schema
from bisphos.export.plan_json import _typed_schema
from bisphos.export.plan_json import finding_to_dict as _finding_dict
from bisphos.findings import Severity
from bisphos.i18n import Language, show
from bisphos.oncology.durations import clinical_duration
from bisphos.oncology.labels import LabelRestriction
from bisphos.oncology.patient import ClinicianOverride, OverrideTarget
from bisphos.oncology.radium import RadiumPlan
from bisphos.oncology.recommendation import (
    OncologyRecommendation,
    OptionStatus,
    RecommendationStatus,
    RegimenOption,
)
from bisphos.oncology.regimens import CalibrationStandard, Drug, Route
from bisphos.oncology.settings import Advice
from bisphos.units import Quantity, format_unit, ureg

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "RECOMMENDATION_SCHEMA_ID",
    "RECOMMENDATION_SCHEMA_RESOURCE",
    "UNITS",
    "recommendation_schema",
    "recommendation_schema_json",
    "recommendation_to_dict",
    "recommendation_to_json",
]

#: The value of ``format`` in every oncology recommendation document.
FORMAT: Final = "bisphos-oncology-recommendation"
#: The version of the document's layout.
FORMAT_VERSION: Final = 1
#: The ``$id`` of the schema.
RECOMMENDATION_SCHEMA_ID: Final = "https://bisphos.invalid/schema/oncology-recommendation-1.json"
#: The file name of the shipped schema inside ``bisphos.oncology``.
RECOMMENDATION_SCHEMA_RESOURCE: Final = "recommendation.schema.json"

_PINT_UNITS: Final = {
    "dose": "milligram",
    "volume": "milliliter",
    "duration": "minute",
    "rate": "milligram / hour",
    "pump_rate": "milliliter / hour",
    "concentration": "milligram / milliliter",
    "interval": "day",
    "clearance": "milliliter / minute",
    "activity": "kilobecquerel",
    "weight": "kilogram",
}
#: The fixed unit of each quantity of the document, in the library's spelling.
UNITS: Final = {name: format_unit(ureg.Unit(unit)) for name, unit in _PINT_UNITS.items()}


def _fixed(value: Quantity, kind: str, lang: Language) -> dict[str, Any]:
    return {
        "value": float(value.m_as(_PINT_UNITS[kind])),
        "unit": UNITS[kind],
        "shown": show(
            clinical_duration(value) if kind in {"interval", "duration"} else value, lang
        ),
    }


def _label(item: LabelRestriction) -> dict[str, Any]:
    return {
        "id": item.id,
        "drug": item.drug.value,
        "statement": item.statement,
        "source": item.source,
        "year": item.year,
        "deck": item.deck,
        "rule_ids": list(item.rule_ids),
    }


def _override(item: ClinicianOverride | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "target": item.target.value,
        "reason_code": item.reason_code,
        "reason": item.reason,
        "clinician": item.clinician,
        "time": item.time.isoformat(),
    }


def _option(option: RegimenOption, lang: Language) -> dict[str, Any]:
    row, infusion, cost = option.regimen, option.infusion, option.yearly_cost
    return {
        "regimen_id": row.id,
        "drug": row.drug.value,
        "products": list(row.products),
        "route": row.route.value,
        "advice": option.advice.value,
        "status": option.status.value,
        "dose": None if option.dose is None else _fixed(option.dose, "dose", lang),
        "interval": _fixed(option.interval, "interval", lang),
        "deck_interval": row.deck_interval,
        "yearly_cost": None
        if cost is None
        else {
            "amount": f"{cost.amount:.2f}",
            "currency": cost.price.currency,
            "administrations": int(cost.administrations),
            "price_year": cost.price.year,
            "rule_ids": list(cost.rule_ids),
        },
        "infusion": None
        if infusion is None
        else {
            "dose": _fixed(infusion.dose, "dose", lang),
            "volume": _fixed(infusion.volume, "volume", lang),
            "duration": _fixed(infusion.duration, "duration", lang),
            "rate": _fixed(infusion.rate, "rate", lang),
            "pump_rate": _fixed(infusion.pump_rate, "pump_rate", lang),
            "concentration": _fixed(infusion.concentration, "concentration", lang),
            "rule_ids": list(infusion.rule_ids),
        },
        "labels": [_label(item) for item in option.labels],
        "override": _override(option.override),
        "note": option.note,
        "rule_ids": list(option.rule_ids),
    }


def _radium(plan: RadiumPlan | None, result: OncologyRecommendation, lang: Language) -> Any:
    if plan is None:
        return None
    on = result.assessment_date
    return {
        "cleared_today": plan.cleared_today,
        "injections": [
            {
                "number": item.number,
                "date": item.date.isoformat(),
                "activity": _fixed(item.activity.activity.activity, "activity", lang),
                "standard": item.activity.activity.standard.value,
                "deck_equivalent": _fixed(item.activity.deck_equivalent.activity, "activity", lang),
                "deck_standard": item.activity.deck_equivalent.standard.value,
                "weight": _fixed(item.activity.weight, "weight", lang),
                "first_injection_criteria": item.criteria.first_injection,
                "rule_ids": list(item.rule_ids),
            }
            for item in plan.injections
        ],
        "findings": [_finding_dict(finding, lang, on) for finding in plan.findings],
        "rule_ids": list(plan.rule_ids),
    }


def recommendation_to_dict(result: OncologyRecommendation, lang: Language = "en") -> dict[str, Any]:
    """Return ``result`` as JSON values, valid against :func:`recommendation_schema`.

    Args:
        result: The recommendation.
        lang: The language of each finding's ``text`` and of the ``shown`` values.
    """
    on = result.assessment_date
    clearance = result.clearance
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "lang": lang,
        "protocol": {"id": result.protocol_id, "version": result.protocol_version},
        "library_version": result.provenance.library_version,
        "patient_id": result.patient_id,
        "assessment_date": on.isoformat(),
        "setting": result.setting.value,
        "tumour": result.tumour.value,
        "status": result.status.value,
        "in_scope": result.in_scope,
        "clearance": None
        if clearance is None
        else {"value": _fixed(clearance.value, "clearance", lang), "method": clearance.method},
        "options": [_option(option, lang) for option in result.options],
        "supplements": [
            {
                "substance": item.substance,
                "daily_minimum": show(item.daily_minimum, lang),
                "daily_maximum": show(item.daily_maximum, lang),
                "rule_ids": list(item.rule_ids),
                "source": item.source,
            }
            for item in result.supplements
        ],
        "radium": _radium(result.radium, result, lang),
        "findings": [_finding_dict(finding, lang, on) for finding in result.findings],
        "label_restrictions": [_label(item) for item in result.label_restrictions],
        "evidence": [
            {
                "id": item.id,
                "statement": item.statement,
                "deck": item.deck,
                "citation": item.citation,
                "rule_ids": list(item.rule_ids),
            }
            for item in result.evidence
        ],
        "plugins": [
            {
                "name": p.name,
                "distribution": p.distribution,
                "version": p.version,
                "builtin": p.builtin,
            }
            for p in result.plugins
        ],
        "rule_ids": list(result.rule_ids),
    }


def recommendation_to_json(result: OncologyRecommendation, lang: Language = "en") -> str:
    """Return ``result`` as a JSON document (UTF-8 text, indented, ending with a newline)."""
    data = recommendation_to_dict(result, lang)
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# The schema.

_TEXTS: Final = {"type": "array", "items": _TEXT}


def _enum(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": values}


def _fixed_schema(kind: str) -> dict[str, Any]:
    return _object(
        {"value": {"type": "number"}, "unit": {"const": UNITS[kind]}, "shown": _TEXT},
        f"A {kind.replace('_', ' ')} in {UNITS[kind]}, and as shown to a clinician.",
    )


def recommendation_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of :func:`recommendation_to_dict`'s documents."""
    evidence = evidence_schema()
    finding = _object(
        {
            "code": _TEXT,
            "severity": _enum([s.value for s in Severity]),
            "rule_ids": _RULE_IDS,
            "message": _TEXT,
            "action": _TEXT,
            "evidence": {"type": "array", "items": evidence},
            "message_id": _TEXT,
            "text": _object({"message": _TEXT, "action": _TEXT}),
        },
        "A finding: the library's English message and the catalogue's text in 'lang'.",
    )
    label = _object(
        {
            "id": _TEXT,
            "drug": _enum([d.value for d in Drug]),
            "statement": _TEXT,
            "source": _TEXT,
            "year": {"type": "integer", "minimum": 2016},
            "deck": _TEXT,
            "rule_ids": _RULE_IDS,
        },
        "A current label's restriction with its source and year, the deck's statement beside it.",
    )
    override = _object(
        {
            "target": _enum([t.value for t in OverrideTarget]),
            "reason_code": {"type": "string", "pattern": r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"},
            "reason": _TEXT,
            "clinician": _TEXT,
            "time": _TEXT,
        }
    )
    infusion = _object(
        {
            "dose": _fixed_schema("dose"),
            "volume": _fixed_schema("volume"),
            "duration": _fixed_schema("duration"),
            "rate": _fixed_schema("rate"),
            "pump_rate": _fixed_schema("pump_rate"),
            "concentration": _fixed_schema("concentration"),
            "rule_ids": _RULE_IDS,
        }
    )
    cost = _object(
        {
            "amount": {"type": "string", "pattern": r"^\d+\.\d{2}$"},
            "currency": {"const": "EUR"},
            "administrations": {"type": "integer", "minimum": 1},
            "price_year": {"type": "integer"},
            "rule_ids": _RULE_IDS,
        }
    )
    option = _object(
        {
            "regimen_id": _TEXT,
            "drug": _enum([d.value for d in Drug]),
            "products": _TEXTS,
            "route": _enum([r.value for r in Route]),
            "advice": _enum([a.value for a in Advice]),
            "status": _enum([s.value for s in OptionStatus]),
            "dose": _nullable(_fixed_schema("dose")),
            "interval": _fixed_schema("interval"),
            "deck_interval": _TEXT,
            "yearly_cost": _nullable(cost),
            "infusion": _nullable(infusion),
            "labels": {"type": "array", "items": {"$ref": "#/$defs/label"}},
            "override": _nullable(override),
            "note": _TEXT,
            "rule_ids": _RULE_IDS,
        }
    )
    standards = _enum([s.value for s in CalibrationStandard])
    injection = _object(
        {
            "number": {"type": "integer", "minimum": 1, "maximum": 6},
            "date": _DATE,
            "activity": _fixed_schema("activity"),
            "standard": standards,
            "deck_equivalent": _fixed_schema("activity"),
            "deck_standard": standards,
            "weight": _fixed_schema("weight"),
            "first_injection_criteria": {"type": "boolean"},
            "rule_ids": _RULE_IDS,
        }
    )
    radium = _object(
        {
            "cleared_today": {"type": "boolean"},
            "injections": {"type": "array", "items": injection},
            "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "rule_ids": _RULE_IDS,
        }
    )
    body = _object(
        {
            "format": {"const": FORMAT},
            "format_version": {"const": FORMAT_VERSION},
            "lang": _enum(["en", "nl"]),
            "protocol": _object({"id": _TEXT, "version": _TEXT}),
            "library_version": _TEXT,
            "patient_id": _TEXT,
            "assessment_date": _DATE,
            "setting": _TEXT,
            "tumour": _TEXT,
            "status": _enum([s.value for s in RecommendationStatus]),
            "in_scope": {"type": "boolean"},
            "clearance": _nullable(_object({"value": _fixed_schema("clearance"), "method": _TEXT})),
            "options": {"type": "array", "items": option},
            "supplements": {
                "type": "array",
                "items": _object(
                    {
                        "substance": _TEXT,
                        "daily_minimum": _TEXT,
                        "daily_maximum": _TEXT,
                        "rule_ids": _RULE_IDS,
                        "source": _TEXT,
                    }
                ),
            },
            "radium": _nullable(radium),
            "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "label_restrictions": {"type": "array", "items": {"$ref": "#/$defs/label"}},
            "evidence": {
                "type": "array",
                "items": _object(
                    {
                        "id": _TEXT,
                        "statement": _TEXT,
                        "deck": _TEXT,
                        "citation": _TEXT,
                        "rule_ids": _RULE_IDS,
                    }
                ),
            },
            "plugins": {
                "type": "array",
                "items": _object(
                    {
                        "name": _TEXT,
                        "distribution": _TEXT,
                        "version": _TEXT,
                        "builtin": {"type": "boolean"},
                    }
                ),
            },
            "rule_ids": _RULE_IDS,
        },
        "A bisphos recommendation for one adult under an oncology protocol.",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": RECOMMENDATION_SCHEMA_ID,
        "title": "bisphos oncology recommendation",
        **body,
        "$defs": {"typed": _typed_schema(), "finding": finding, "label": label},
    }


def recommendation_schema_json() -> str:
    """Return :func:`recommendation_schema` as the text of the shipped schema file."""
    return json.dumps(recommendation_schema(), indent=2, ensure_ascii=False) + "\n"
