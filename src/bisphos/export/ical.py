"""A plan as an iCalendar file (RFC 5545) for families: infusion days and follow-up.

Written with the `icalendar <https://icalendar.readthedocs.io>`_ package, which escapes the text
values, folds the lines at 75 octets and ends them in CRLF. One all-day ``VEVENT`` per planned
infusion and per follow-up entry (``DTSTART;VALUE=DATE`` and the next day as ``DTEND``), with:

- a ``UID`` that is stable for the patient, the date and the kind of entry, so a calendar that
  receives an updated plan updates the entry instead of adding a second one;
- a ``SUMMARY`` in the chosen language that says the entry's state: an infusion is *cleared
  today*, *blocked today* or *to be cleared on its day* (P-CI-PERMANENT: the contraindications
  are checked before every infusion);
- a ``DESCRIPTION`` with the dose, volume, rate and rule ids, the blocks of a blocked day and what
  is checked on the day of a later infusion;
- ``CATEGORIES`` ``bisphos``, the kind (``infusion``, ``dxa``, ``labs``, ``centre``) and, for an
  infusion, its clearance (``cleared_today``, ``blocked_today``, ``to_be_cleared_on_its_day``);
- ``STATUS:TENTATIVE`` (the treating team confirms each date) and ``TRANSP:TRANSPARENT``;
- the values for software: ``X-BISPHOS-KIND``, ``X-BISPHOS-RULES`` (the rule ids, comma
  separated), ``X-BISPHOS-PLAN-STATUS`` and, for an infusion, ``X-BISPHOS-CLEARANCE``,
  ``X-BISPHOS-PRODUCT`` (the drug), ``X-BISPHOS-DOSE``, ``X-BISPHOS-VOLUME`` and
  ``X-BISPHOS-RATE`` as :func:`bisphos.units.format_quantity` writes them, and what is drawn
  up (P-PREP-PRODUCT): ``X-BISPHOS-DRAWN-FROM`` (the product), ``X-BISPHOS-CONCENTRATE-VOLUME``,
  ``X-BISPHOS-DELIVERED-DOSE`` and ``X-BISPHOS-DOSE-RATE``;
- two reminders (``VALARM``, ``ACTION:DISPLAY``): the day before at 18:00 and on the day at 08:00
  in the calendar's time zone (default ``Europe/Amsterdam``), written as absolute UTC times, so
  the change to and from summer time is the zone's own.

The calendar states its time zone twice: a ``VTIMEZONE`` built by icalendar from the zoneinfo
database for the years the entries span, and ``X-WR-TIMEZONE``. ``DTSTAMP`` (required) is the
assessment date at midnight UTC, so the same plan gives the same file, byte for byte; nothing
reads a clock. A plan with nothing dated (not indicated, out of scope, refused, or a lasting
contraindication, P-CI-PERMANENT) has no calendar.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence

import attrs
import icalendar

from bisphos.errors import InvalidValueError
from bisphos.export._ids import stable_uuid
from bisphos.findings import Finding
from bisphos.i18n import Language, localize, text, word
from bisphos.pediatric.plan import Plan
from bisphos.pediatric.schedule import Clearance, FollowUp, PlannedInfusion
from bisphos.report import dose_text, draw_up_text, follow_up_message_id, preparation_text
from bisphos.units import format_quantity

__all__ = [
    "DEFAULT_CALENDAR",
    "DEFAULT_TIMEZONE",
    "CalendarEntry",
    "CalendarOptions",
    "blocks_note",
    "calendar_document",
    "check_timezone",
    "plan_entries",
    "plan_to_ics",
    "state_summary",
]

#: The time zone of a calendar unless one is asked for.
DEFAULT_TIMEZONE = "Europe/Amsterdam"


def check_timezone(name: str, field: str = "timezone") -> str:
    """Return ``name`` when it is a time zone of the zoneinfo database (e.g. Europe/Amsterdam).

    Raises:
        InvalidValueError: it is not one.
    """
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidValueError(
            "not a time zone of the zoneinfo database",
            field=field,
            value=name,
            expected="an IANA time zone name, e.g. Europe/Amsterdam",
        ) from None
    return name


def _timezone(value: str) -> str:
    return check_timezone(value)


@attrs.frozen
class CalendarOptions:
    """How a calendar is written: its time zone and the local times of its two reminders.

    Attributes:
        timezone: An IANA time zone name; the calendar's ``VTIMEZONE`` and the reminders' zone.
        eve_reminder: The local time of the reminder on the day before an entry.
        day_reminder: The local time of the reminder on the day of an entry.
    """

    timezone: str = attrs.field(default=DEFAULT_TIMEZONE, converter=_timezone)
    eve_reminder: dt.time = dt.time(18, 0)
    day_reminder: dt.time = dt.time(8, 0)


#: The options of a calendar unless others are given.
DEFAULT_CALENDAR = CalendarOptions()


@attrs.frozen
class CalendarEntry:
    """One dated entry of a calendar, its texts already in the calendar's language.

    Attributes:
        uid: The stable identifier (``UID``).
        date: The day of the entry (an all-day event).
        kind: ``infusion``, ``dxa``, ``labs``, ``centre``, ``administration`` or ``injection``.
        summary: The title, with the entry's state where it has one.
        description: The details, one line each.
        reminder: The entry as the reminders name it (the summary without the state).
        rule_ids: The rules of the entry.
        state: The clearance of an infusion or administration (``cleared_today``,
            ``blocked_today``, ``to_be_cleared_on_its_day``); empty for follow-up.
        values: The values for software, written as ``X-BISPHOS-<NAME>`` properties in order.
    """

    uid: str
    date: dt.date
    kind: str
    summary: str
    description: str
    reminder: str
    rule_ids: tuple[str, ...]
    state: str = ""
    values: tuple[tuple[str, str], ...] = ()


def _utc(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


def _alarm(description: str, trigger: dt.datetime) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    # An absolute trigger is a UTC DATE-TIME and says so (RFC 5545, 3.8.6.3).
    alarm.add("trigger", trigger, parameters={"VALUE": "DATE-TIME"})
    return alarm


def _event(
    entry: CalendarEntry,
    stamp: dt.datetime,
    options: CalendarOptions,
    status: str,
    lang: Language,
) -> icalendar.Event:
    zone = zoneinfo.ZoneInfo(options.timezone)
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.date)
    event.add("dtend", entry.date + dt.timedelta(days=1))
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    event.add("categories", ["bisphos", entry.kind, *([entry.state] if entry.state else [])])
    event.add("status", "TENTATIVE")
    event.add("transp", "TRANSPARENT")
    event.add("x-bisphos-kind", entry.kind)
    event.add("x-bisphos-plan-status", status)
    if entry.state:
        event.add("x-bisphos-clearance", entry.state)
    for name, value in entry.values:
        event.add(f"x-bisphos-{name}", value)
    event.add("x-bisphos-rules", ",".join(entry.rule_ids))
    eve = entry.date - dt.timedelta(days=1)
    event.add_component(
        _alarm(
            text("ui.calendar-reminder-eve", lang, entry=entry.reminder),
            _utc(eve, options.eve_reminder, zone),
        )
    )
    event.add_component(
        _alarm(
            text("ui.calendar-reminder-day", lang, entry=entry.reminder),
            _utc(entry.date, options.day_reminder, zone),
        )
    )
    return event


def _vtimezone(name: str, dates: Sequence[dt.date]) -> icalendar.Timezone:
    """The ``VTIMEZONE`` of ``name`` over the years of ``dates`` (the reminders included)."""
    first = dt.date(min(dates).year - 1, 1, 1)
    last = dt.date(max(dates).year + 1, 12, 31)
    zone = icalendar.Timezone.from_tzid(name, first_date=first, last_date=last)
    zone.pop("COMMENT", None)  # an English note of icalendar's on the range: the zone says it
    return zone


def calendar_document(
    entries: Iterable[CalendarEntry],
    *,
    name: str,
    stamp_date: dt.date,
    library: str,
    status: str,
    lang: Language,
    options: CalendarOptions = DEFAULT_CALENDAR,
) -> str:
    """Return the iCalendar document of ``entries``: one all-day event each, with two reminders.

    Args:
        entries: The dated entries, in the order the events are written.
        name: The calendar's name (``X-WR-CALNAME``).
        stamp_date: The decision's date: ``DTSTAMP`` is its midnight in UTC.
        library: The bisphos version (in ``PRODID``).
        status: The status of the decision (``X-BISPHOS-PLAN-STATUS`` of every event).
        lang: The language of the texts.
        options: The time zone and the reminders' times.

    Raises:
        InvalidValueError: there is no entry (a calendar holds at least one event).
    """
    listed = list(entries)
    if not listed:
        raise InvalidValueError(
            "the decision holds no dated entry, and a calendar needs at least one event",
            field="calendar",
            expected="a planned infusion, administration, injection or follow-up entry",
        )
    stamp = dt.datetime.combine(stamp_date, dt.time(0, 0), tzinfo=dt.UTC)
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", f"-//bisphos//bisphos {library}//{lang.upper()}")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", options.timezone)
    calendar.add_component(_vtimezone(options.timezone, [e.date for e in listed]))
    for entry in listed:
        calendar.add_component(_event(entry, stamp, options, status, lang))
    document: bytes = calendar.to_ical()
    return document.decode("utf-8")


def state_summary(event: str, state: Clearance, lang: Language) -> str:
    """Return an entry's summary with its state: "zoledronic acid infusion 2: blocked today"."""
    return text("ui.calendar-state", lang, entry=event, state=word("clearance", state.value, lang))


def blocks_note(findings: Iterable[Finding], on: dt.date, lang: Language) -> str:
    """Return the line of a blocked day: "Not cleared on DATE: the blocks" in ``lang``."""
    blocks = "; ".join(localize(f, lang, on=on).message for f in findings)
    return text("ui.calendar-blocked", lang, date=on, blocks=blocks)


def _infusion_entry(
    plan: Plan, planned: PlannedInfusion, uid: str, footer: str, lang: Language
) -> CalendarEntry:
    drug = word("drug", planned.dose.drug.value, lang)
    event = text("ui.calendar-infusion", lang, drug=drug, number=planned.number)
    lines = [
        f"{word('clearance', planned.clearance.value, lang)}.",
        f"{dose_text(planned, lang)}.",
        f"{draw_up_text(planned, lang)}.",
        f"{preparation_text(planned, lang)}.",
        text("ui.calendar-weight", lang),
        text("ui.rules", lang, rules=", ".join(planned.rule_ids)),
        footer,
    ]
    if planned.clearance is Clearance.ON_ITS_DAY:
        lines.insert(1, text("ui.calendar-on-its-day", lang))
    if planned.clearance is Clearance.BLOCKED_TODAY:
        lines.insert(0, blocks_note(plan.blocks, plan.assessment_date, lang))
    preparation = planned.preparation
    return CalendarEntry(
        uid=uid,
        date=planned.date,
        kind="infusion",
        summary=state_summary(event, planned.clearance, lang),
        description="\n".join(lines),
        reminder=event,
        rule_ids=planned.rule_ids,
        state=planned.clearance.value,
        values=(
            ("product", planned.dose.drug.value),
            ("number", str(planned.number)),
            ("dose", format_quantity(planned.dose.value)),
            ("volume", format_quantity(preparation.volume)),
            ("rate", format_quantity(preparation.rate)),
            # P-PREP-PRODUCT: what is drawn up and what it delivers.
            ("drawn-from", preparation.product.name),
            ("concentrate-volume", format_quantity(preparation.concentrate_volume)),
            ("delivered-dose", format_quantity(preparation.delivered)),
            ("dose-rate", format_quantity(preparation.dose_rate)),
        ),
    )


def _follow_up_entry(entry: FollowUp, uid: str, footer: str, lang: Language) -> CalendarEntry:
    summary = text(f"calendar.{entry.kind.value}", lang)
    lines = [
        text(follow_up_message_id(entry), lang),
        text("ui.rules", lang, rules=", ".join(entry.rule_ids)),
        footer,
    ]
    return CalendarEntry(
        uid=uid,
        date=entry.date,
        kind=entry.kind.value,
        summary=summary,
        description="\n".join(lines),
        reminder=summary,
        rule_ids=entry.rule_ids,
    )


def _uids(plan: Plan) -> Iterator[str]:
    """Yield the uid of each entry, infusions first; a repeated (date, kind) gets a counter."""
    seen: dict[str, int] = {}
    entries: list[tuple[dt.date, str]] = [(p.date, "infusion") for p in plan.infusions]
    if plan.course is not None:
        entries += [(f.date, f.kind.value) for f in plan.course.follow_up]
    for date, kind in entries:
        key = f"{date.isoformat()}|{kind}"
        seen[key] = seen.get(key, 0) + 1
        name = kind if seen[key] == 1 else f"{kind}-{seen[key]}"
        yield f"{stable_uuid(plan.patient_id, date.isoformat(), name)}@bisphos"


def plan_entries(plan: Plan, lang: Language = "en") -> tuple[CalendarEntry, ...]:
    """Return the calendar entries of ``plan``: its infusions, then its follow-up."""
    footer = text(
        "ui.calendar-disclaimer",
        lang,
        library=plan.library_version,
        protocol=plan.protocol,
        version=plan.protocol_version,
    )
    follow_up = plan.course.follow_up if plan.course is not None else ()
    uids = list(_uids(plan))
    infusions = [
        _infusion_entry(plan, planned, uid, footer, lang)
        for planned, uid in zip(plan.infusions, uids, strict=False)
    ]
    later = [
        _follow_up_entry(entry, uid, footer, lang)
        for entry, uid in zip(follow_up, uids[len(infusions) :], strict=True)
    ]
    return (*infusions, *later)


def plan_to_ics(
    plan: Plan, lang: Language = "en", options: CalendarOptions = DEFAULT_CALENDAR
) -> str:
    """Return the planned infusions and follow-up of ``plan`` as an iCalendar document.

    Args:
        plan: The plan; it needs at least one planned infusion or follow-up entry (a calendar
            holds at least one event).
        lang: The language of the summaries, descriptions and reminders.
        options: The time zone and the reminders' local times.

    Raises:
        InvalidValueError: the plan holds no dated entry.
    """
    name = text("ui.calendar-name", lang, patient=plan.patient_id or text("ui.no-id", lang))
    return calendar_document(
        plan_entries(plan, lang),
        name=name,
        stamp_date=plan.assessment_date,
        library=plan.library_version,
        status=plan.status.value,
        lang=lang,
        options=options,
    )
