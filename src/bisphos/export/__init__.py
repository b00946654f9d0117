"""Plans for other systems: a JSON document with its schema, FHIR R4, and iCalendar.

Each exporter is a pure function of a :class:`~bisphos.pediatric.plan.Plan` (and a language for
the texts people read); none reads a clock. The FHIR exporter builds its Bundle with the models of
``fhir.resources`` (the ``fhir`` extra); the names are imported on first use, so the JSON and
iCalendar writers do not load them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from bisphos import _lazy

if TYPE_CHECKING:
    from bisphos.export.fhir import plan_to_fhir, plan_to_fhir_json
    from bisphos.export.ical import plan_to_ics
    from bisphos.export.plan_json import (
        plan_schema,
        plan_schema_json,
        plan_to_dict,
        plan_to_json,
    )

__all__ = [
    "plan_schema",
    "plan_schema_json",
    "plan_to_dict",
    "plan_to_fhir",
    "plan_to_fhir_json",
    "plan_to_ics",
    "plan_to_json",
]

_EXPORTS: Final[dict[str, tuple[str, ...]]] = {
    "bisphos.export.fhir": ("plan_to_fhir", "plan_to_fhir_json"),
    "bisphos.export.ical": ("plan_to_ics",),
    "bisphos.export.plan_json": ("plan_schema", "plan_schema_json", "plan_to_dict", "plan_to_json"),
}
_SOURCE: Final = _lazy.sources(_EXPORTS)


def __getattr__(name: str) -> object:
    return _lazy.load(__name__, _SOURCE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
