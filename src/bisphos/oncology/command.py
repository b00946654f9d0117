"""What the command line does with an adult oncology patient file.

``bisphos plan FILE`` (or its alias ``bisphos recommend FILE``) reads the file once to learn its
kind: a file with ``"kind": "adult-oncology"`` is recommended for under ``--protocol`` (default
``nl-oncology-bone-2016``), any other under the pediatric protocol (default
``nl-pediatric-iv-bp-2024``). This module renders an oncology recommendation in each output format
and gives its exit code; :mod:`bisphos.cli` writes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from bisphos.oncology.file_kind import is_adult_patient_file

if TYPE_CHECKING:
    from bisphos.i18n import Language
    from bisphos.oncology.recommendation import OncologyRecommendation

__all__ = ["PEDIATRIC_ONLY_OPTIONS", "exit_code", "is_adult_patient_file", "render"]

#: The options of ``bisphos plan`` that only a pediatric plan takes, with their defaults.
PEDIATRIC_ONLY_OPTIONS: Final[dict[str, object]] = {
    "drug": None,
    "start": None,
    "infusions": None,
    "maintenance": False,
    # A clinician override of an adult's soft limit is part of the adult file (``overrides``).
    "override": [],
    "clinician": None,
    "override_time": None,
    "override_note": "",
    "sign_key": None,
}


def exit_code(result: OncologyRecommendation) -> int:
    """Return 0 when a regimen (or today's radium-223 injection) can be given, else 1."""
    from bisphos.oncology.recommendation import RecommendationStatus  # noqa: PLC0415

    return 0 if result.status is RecommendationStatus.READY else 1


def render(
    result: OncologyRecommendation,
    output_format: str,
    lang: Language,
    timezone: str | None = None,
) -> str | None:
    """Return ``result`` in ``output_format``; ``None`` for a calendar without a dated entry.

    ``timezone`` is the calendar's (default :data:`bisphos.export.ical.DEFAULT_TIMEZONE`).

    The writers are imported when asked for: the text report, the default, needs none of them.
    """
    if output_format == "json":
        from bisphos.oncology.export import recommendation_to_json  # noqa: PLC0415

        return recommendation_to_json(result, lang)
    if output_format == "record":
        from bisphos.oncology.record import oncology_record_json  # noqa: PLC0415

        return oncology_record_json(result)
    if output_format == "fhir":
        from bisphos.oncology.fhir import recommendation_to_fhir_json  # noqa: PLC0415

        return recommendation_to_fhir_json(result, lang)
    if output_format == "ics":
        from bisphos.export.ical import DEFAULT_CALENDAR, CalendarOptions  # noqa: PLC0415
        from bisphos.oncology.calendar import has_calendar, recommendation_to_ics  # noqa: PLC0415

        options = DEFAULT_CALENDAR if timezone is None else CalendarOptions(timezone=timezone)
        return recommendation_to_ics(result, lang, options) if has_calendar(result) else None
    from bisphos.oncology.report import render_recommendation  # noqa: PLC0415

    return render_recommendation(result, lang) + "\n"
