"""Plans for other systems: a JSON document with its schema, FHIR R4, and iCalendar.

Each exporter is a pure function of a :class:`~bisphos.pediatric.plan.Plan` (and a language for
the texts people read); none reads a clock or needs a third-party package.
"""

from __future__ import annotations

from bisphos.export.fhir import plan_to_fhir, plan_to_fhir_json
from bisphos.export.ical import plan_to_ics
from bisphos.export.plan_json import plan_schema, plan_schema_json, plan_to_dict, plan_to_json

__all__ = [
    "plan_schema",
    "plan_schema_json",
    "plan_to_dict",
    "plan_to_fhir",
    "plan_to_fhir_json",
    "plan_to_ics",
    "plan_to_json",
]
