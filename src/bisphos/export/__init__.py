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
    from bisphos.export.fhir import plan_to_fhir as plan_to_fhir
    from bisphos.export.fhir import plan_to_fhir_json as plan_to_fhir_json
    from bisphos.export.ical import plan_to_ics as plan_to_ics
    from bisphos.export.plan_json import plan_schema as plan_schema
    from bisphos.export.plan_json import plan_schema_json as plan_schema_json
    from bisphos.export.plan_json import plan_to_dict as plan_to_dict
    from bisphos.export.plan_json import plan_to_json as plan_to_json


# The names are imported on first use (PEP 562): the JSON and iCalendar writers do not load the
# FHIR models. Each name is written once, in the ``TYPE_CHECKING`` block above (an explicit
# re-export that type checkers read): the loader and ``__all__`` are read from it.
_SOURCE: Final = _lazy.type_checking_imports(__file__)
__all__: list[str] = []
__all__.extend(_SOURCE)


def __getattr__(name: str) -> object:
    return _lazy.load(__name__, _SOURCE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
