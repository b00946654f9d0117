"""An oncology recommendation as an iCalendar file (RFC 5545): administrations and injections.

One all-day ``TENTATIVE`` event per radium-223 injection of the course, and per administration of
the first regimen offered (the deck's first choice) over the coming year, at its interval (every
4 weeks for zoledronic acid 4 mg and denosumab 120 mg, O-INTERVAL). Each event says the dose, the
infusion, "serum creatinine before this dose" where the label asks for it (O-LABEL), the rule ids
and that every date is to be confirmed and cleared on its day. Written with the pediatric
calendar's own escaping and folding (:mod:`bisphos.export.ical`); ``DTSTAMP`` is the assessment
date, so the same recommendation gives the same file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bisphos.dates import add_months
from bisphos.errors import InvalidValueError
from bisphos.export._ids import stable_uuid
from bisphos.export.ical import _event, escape_text, fold
from bisphos.i18n import Language, localize, show, text, word
from bisphos.oncology.durations import clinical_duration
from bisphos.oncology.recommendation import OncologyRecommendation, RegimenOption
from bisphos.oncology.regimens import RenalRule

__all__ = ["administration_dates", "has_calendar", "recommendation_to_ics"]

_CRLF = "\r\n"
_MONTHLY_UNITS = frozenset({"month", "year"})


def administration_dates(option: RegimenOption, start: dt.date) -> tuple[dt.date, ...]:
    """Return the dates of ``option``'s administrations in the year from ``start``.

    Intervals written in months or years step by calendar months; others by days. The count is
    the yearly cost's (whole intervals in a year), at least one.
    """
    count = 1 if option.yearly_cost is None else int(option.yearly_cost.administrations)
    unit = str(option.interval.units)
    if unit in _MONTHLY_UNITS:
        months = round(float(option.interval.m_as("month")))
        return tuple(add_months(start, months * k) for k in range(count))
    days = round(float(option.interval.m_as("day")))
    return tuple(start + dt.timedelta(days=days * k) for k in range(count))


def _first_offered(result: OncologyRecommendation) -> RegimenOption | None:
    return result.offered[0] if result.offered else None


def has_calendar(result: OncologyRecommendation) -> bool:
    """Return whether the recommendation holds a dated entry (a calendar needs one)."""
    radium = result.radium is not None and bool(result.radium.injections)
    return radium or _first_offered(result) is not None


def _blocked_note(result: OncologyRecommendation, lang: Language) -> str:
    blocks = "; ".join(
        localize(f, lang, on=result.assessment_date).message for f in result.general_blocks
    )
    return text("ui.calendar-blocked", lang, date=result.assessment_date, blocks=blocks)


def _option_events(
    result: OncologyRecommendation, stamp: str, footer: str, lang: Language
) -> Iterator[str]:
    option = _first_offered(result)
    if option is None or option.dose is None:
        return
    drug = word("drug", option.regimen.drug.value, lang)
    summary = text("ui.onc-calendar-dose", lang, drug=drug, dose=show(option.dose, lang))
    lines = [
        text(
            "ui.onc-dose",
            lang,
            dose=show(option.dose, lang),
            interval=show(clinical_duration(option.interval), lang),
            deck=option.regimen.deck_interval,
        )
    ]
    if option.infusion is not None:
        infusion = option.infusion
        lines.append(
            text(
                "ui.onc-infusion",
                lang,
                dose=show(infusion.dose, lang),
                volume=show(infusion.volume, lang),
                duration=show(clinical_duration(infusion.duration), lang),
                rate=show(infusion.rate, lang),
                pump_rate=show(infusion.pump_rate, lang),
            )
        )
    if option.regimen.renal in {RenalRule.ZOLEDRONIC_ACID_4MG, RenalRule.PAMIDRONATE}:
        lines.append(text("ui.onc-calendar-check", lang))
    lines.append(text("ui.rules", lang, rules=", ".join(option.rule_ids)))
    for number, day in enumerate(administration_dates(option, result.assessment_date), start=1):
        described = list(lines)
        if day == result.assessment_date and result.general_blocks:
            described.insert(0, _blocked_note(result, lang))
        uid = stable_uuid(result.patient_id, day.isoformat(), option.regimen.id, str(number))
        yield from _event(f"{uid}@bisphos", stamp, day, summary, "\n".join([*described, footer]))


def _radium_events(
    result: OncologyRecommendation, stamp: str, footer: str, lang: Language
) -> Iterator[str]:
    if result.radium is None:
        return
    for injection in result.radium.injections:
        summary = text(
            "ui.onc-calendar-injection",
            lang,
            number=str(injection.number),
            activity=show(injection.activity.activity.activity, lang),
        )
        description = [
            text(
                "ui.onc-injection",
                lang,
                number=str(injection.number),
                date=injection.date,
                activity=show(injection.activity.activity.activity, lang),
                standard=injection.activity.activity.standard.value,
                deck=show(injection.activity.deck_equivalent.activity, lang),
                deck_standard=injection.activity.deck_equivalent.standard.value,
            ),
            text("ui.rules", lang, rules=", ".join(injection.rule_ids)),
            footer,
        ]
        uid = stable_uuid(result.patient_id, injection.date.isoformat(), "radium-223")
        yield from _event(f"{uid}@bisphos", stamp, injection.date, summary, "\n".join(description))


def recommendation_to_ics(result: OncologyRecommendation, lang: Language = "en") -> str:
    """Return the dated entries of ``result`` as an iCalendar document.

    Raises:
        InvalidValueError: the recommendation holds no dated entry (see :func:`has_calendar`).
    """
    if not has_calendar(result):
        raise InvalidValueError(
            "the recommendation holds no dated entry, and a calendar needs at least one event",
            field="recommendation",
            expected="an offered regimen or a radium-223 injection",
        )
    stamp = f"{result.assessment_date.strftime('%Y%m%d')}T000000Z"
    library = result.provenance.library_version
    footer = text(
        "ui.calendar-disclaimer",
        lang,
        library=library,
        protocol=result.protocol_id,
        version=result.protocol_version,
    )
    name = text("ui.onc-calendar-name", lang, patient=result.patient_id or text("ui.no-id", lang))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//bisphos//bisphos {library}//{lang.upper()}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        *_option_events(result, stamp, footer, lang),
        *_radium_events(result, stamp, footer, lang),
        "END:VCALENDAR",
    ]
    return "".join(part + _CRLF for line in lines for part in fold(line))
