"""An oncology recommendation as an iCalendar file (RFC 5545): administrations and injections.

One all-day ``TENTATIVE`` event per radium-223 injection of the course, and per administration of
the first regimen offered (the deck's first choice) over the coming year, at its interval (every
4 weeks for zoledronic acid 4 mg and denosumab 120 mg, O-INTERVAL). Each event says the dose, the
infusion, "serum creatinine before this dose" where the label asks for it (O-LABEL), the rule ids
and its state: an entry on the assessment date is cleared today or blocked today (with the
blocks), every later one is to be cleared on its day. Written with the pediatric calendar's
writer (:func:`bisphos.export.ical.calendar_document`, the ``icalendar`` package): the same
reminders the day before and on the day, the same time zone, and ``DTSTAMP`` the assessment
date, so the same recommendation gives the same file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bisphos.dates import add_months
from bisphos.export._ids import stable_uuid
from bisphos.export.ical import (
    DEFAULT_CALENDAR,
    CalendarEntry,
    CalendarOptions,
    blocks_note,
    calendar_document,
    state_summary,
)
from bisphos.i18n import Language, show, text, word
from bisphos.oncology.durations import clinical_duration
from bisphos.oncology.recommendation import (
    OncologyRecommendation,
    RecommendationStatus,
    RegimenOption,
)
from bisphos.oncology.regimens import RenalRule
from bisphos.pediatric.schedule import Clearance
from bisphos.units import format_quantity

__all__ = ["administration_dates", "has_calendar", "recommendation_to_ics"]

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


def _clearance(result: OncologyRecommendation, day: dt.date) -> Clearance:
    """The state of an entry: on the assessment date cleared or blocked, later on its day."""
    if day != result.assessment_date:
        return Clearance.ON_ITS_DAY
    if result.status is RecommendationStatus.READY:
        return Clearance.CLEARED_TODAY
    return Clearance.BLOCKED_TODAY


def _entry(
    result: OncologyRecommendation,
    *,
    key: tuple[str, ...],
    day: dt.date,
    kind: str,
    event: str,
    lines: list[str],
    rule_ids: tuple[str, ...],
    values: tuple[tuple[str, str], ...],
    lang: Language,
) -> CalendarEntry:
    """The entry on ``day``: its state first (the blocks of a blocked day), then ``lines``."""
    state = _clearance(result, day)
    described = [f"{word('clearance', state.value, lang)}.", *lines]
    if state is Clearance.BLOCKED_TODAY:
        described.insert(0, blocks_note(result.general_blocks, result.assessment_date, lang))
    footer = text(
        "ui.calendar-disclaimer",
        lang,
        library=result.provenance.library_version,
        protocol=result.protocol_id,
        version=result.protocol_version,
    )
    return CalendarEntry(
        uid=f"{stable_uuid(result.patient_id, day.isoformat(), *key)}@bisphos",
        date=day,
        kind=kind,
        summary=state_summary(event, state, lang),
        description="\n".join([*described, footer]),
        reminder=event,
        rule_ids=rule_ids,
        state=state.value,
        values=values,
    )


def _option_entries(result: OncologyRecommendation, lang: Language) -> Iterator[CalendarEntry]:
    option = _first_offered(result)
    if option is None or option.dose is None:
        return
    drug = word("drug", option.regimen.drug.value, lang)
    event = text("ui.onc-calendar-dose", lang, drug=drug, dose=show(option.dose, lang))
    lines = [
        text(
            "ui.onc-dose",
            lang,
            dose=show(option.dose, lang),
            interval=show(clinical_duration(option.interval), lang),
            deck=option.regimen.deck_interval,
        )
    ]
    values = [("product", option.regimen.id), ("dose", format_quantity(option.dose))]
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
        values += [
            ("volume", format_quantity(infusion.volume)),
            ("rate", format_quantity(infusion.pump_rate)),
        ]
    if option.regimen.renal in {RenalRule.ZOLEDRONIC_ACID_4MG, RenalRule.PAMIDRONATE}:
        lines.append(text("ui.onc-calendar-check", lang))
    lines.append(text("ui.rules", lang, rules=", ".join(option.rule_ids)))
    for number, day in enumerate(administration_dates(option, result.assessment_date), start=1):
        yield _entry(
            result,
            key=(option.regimen.id, str(number)),
            day=day,
            kind="administration",
            event=event,
            lines=lines,
            rule_ids=option.rule_ids,
            values=(*values[:1], ("number", str(number)), *values[1:]),
            lang=lang,
        )


def _radium_entries(result: OncologyRecommendation, lang: Language) -> Iterator[CalendarEntry]:
    if result.radium is None:
        return
    for injection in result.radium.injections:
        activity = injection.activity.activity
        event = text(
            "ui.onc-calendar-injection",
            lang,
            number=str(injection.number),
            activity=show(activity.activity, lang),
        )
        line = text(
            "ui.onc-injection",
            lang,
            number=str(injection.number),
            date=injection.date,
            activity=show(activity.activity, lang),
            standard=activity.standard.value,
            deck=show(injection.activity.deck_equivalent.activity, lang),
            deck_standard=injection.activity.deck_equivalent.standard.value,
        )
        yield _entry(
            result,
            key=("radium-223",),
            day=injection.date,
            kind="injection",
            event=event,
            lines=[line, text("ui.rules", lang, rules=", ".join(injection.rule_ids))],
            rule_ids=injection.rule_ids,
            lang=lang,
            values=(
                ("product", "radium-223"),
                ("number", str(injection.number)),
                ("dose", format_quantity(activity.activity)),
            ),
        )


def recommendation_to_ics(
    result: OncologyRecommendation,
    lang: Language = "en",
    options: CalendarOptions = DEFAULT_CALENDAR,
) -> str:
    """Return the dated entries of ``result`` as an iCalendar document.

    Args:
        result: The recommendation.
        lang: The language of the texts.
        options: The time zone and the reminders' local times.

    Raises:
        InvalidValueError: the recommendation holds no dated entry (see :func:`has_calendar`).
    """
    library = result.provenance.library_version
    name = text("ui.onc-calendar-name", lang, patient=result.patient_id or text("ui.no-id", lang))
    entries = [*_option_entries(result, lang), *_radium_entries(result, lang)]
    return calendar_document(
        entries,
        name=name,
        stamp_date=result.assessment_date,
        library=library,
        status=result.status.value,
        lang=lang,
        options=options,
    )
