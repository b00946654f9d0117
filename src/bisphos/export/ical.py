"""A plan as an iCalendar file (RFC 5545) for families: infusion days and follow-up.

One all-day ``VEVENT`` per planned infusion and per follow-up entry (``DTSTART;VALUE=DATE`` and
the next day as ``DTEND``), with a ``UID`` that is stable for the patient, the date and the kind
of entry, a ``SUMMARY`` in the chosen language and a ``DESCRIPTION`` with the dose, volume, rate
and rule ids. Every event is ``TENTATIVE``: the treating team confirms each date. An infusion
planned on the assessment date that is blocked says so, with the blocks; every later infusion
says it is to be cleared on its day (P-CI-PERMANENT), with what is checked then.

Written by hand, with no dependency: CRLF line ends, text values escaped (backslash, semicolon,
comma, newline), and lines folded so that none is longer than 75 octets of UTF-8, never inside a
character. ``DTSTAMP`` (required) is the assessment date at midnight UTC, so the same plan gives
the same file; nothing reads a clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Final

from bisphos.export._ids import stable_uuid
from bisphos.findings import Severity
from bisphos.i18n import Language, localize, text, word
from bisphos.pediatric.plan import Plan
from bisphos.pediatric.schedule import Clearance, FollowUp, PlannedInfusion
from bisphos.report import dose_text, follow_up_message_id, preparation_text

__all__ = ["MAX_OCTETS", "escape_text", "fold", "plan_to_ics"]

#: The longest line RFC 5545 allows, in octets, without the CRLF.
MAX_OCTETS: Final = 75
_CRLF: Final = "\r\n"


def escape_text(value: str) -> str:
    r"""Escape a TEXT value (RFC 5545, 3.3.11): ``\\``, ``\;``, ``\,`` and ``\n``."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> list[str]:
    """Split a content line into lines of at most 75 octets; continuations start with a space."""
    parts: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size, limit = " ", 1, MAX_OCTETS
        current += char
        size += octets
    parts.append(current)
    return parts


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _event(uid: str, stamp: str, day: dt.date, summary: str, description: str) -> Iterator[str]:
    yield "BEGIN:VEVENT"
    yield f"UID:{uid}"
    yield f"DTSTAMP:{stamp}"
    yield f"DTSTART;VALUE=DATE:{_date(day)}"
    yield f"DTEND;VALUE=DATE:{_date(day + dt.timedelta(days=1))}"
    yield f"SUMMARY:{escape_text(summary)}"
    yield f"DESCRIPTION:{escape_text(description)}"
    yield "CATEGORIES:bisphos"
    yield "STATUS:TENTATIVE"
    yield "TRANSP:TRANSPARENT"
    yield "END:VEVENT"


def _infusion_description(plan: Plan, planned: PlannedInfusion, lang: Language) -> str:
    lines = [
        f"{word('clearance', planned.clearance.value, lang)}.",
        f"{dose_text(planned, lang)}.",
        f"{preparation_text(planned, lang)}.",
        text("ui.calendar-weight", lang),
        text("ui.rules", lang, rules=", ".join(planned.rule_ids)),
    ]
    if planned.clearance is Clearance.ON_ITS_DAY:
        lines.insert(1, text("ui.calendar-on-its-day", lang))
    if planned.date == plan.assessment_date and plan.blocks:
        blocks = "; ".join(
            localize(f, lang, on=plan.assessment_date).message
            for f in plan.findings
            if f.severity is Severity.BLOCK
        )
        lines.insert(0, text("ui.calendar-blocked", lang, date=plan.assessment_date, blocks=blocks))
    return "\n".join(lines)


def _uids(plan: Plan) -> Iterator[tuple[str, dt.date, str]]:
    """Yield (uid, date, kind) for each entry; a repeated (date, kind) gets a counter."""
    seen: dict[str, int] = {}
    entries: list[tuple[dt.date, str]] = [(p.date, "infusion") for p in plan.infusions]
    if plan.course is not None:
        entries += [(f.date, f.kind.value) for f in plan.course.follow_up]
    for date, kind in entries:
        key = f"{date.isoformat()}|{kind}"
        seen[key] = seen.get(key, 0) + 1
        name = kind if seen[key] == 1 else f"{kind}-{seen[key]}"
        yield f"{stable_uuid(plan.patient_id, date.isoformat(), name)}@bisphos", date, kind


def _follow_up_description(entry: FollowUp, plan: Plan, lang: Language) -> str:
    return "\n".join(
        [
            text(follow_up_message_id(entry), lang),
            text("ui.rules", lang, rules=", ".join(entry.rule_ids)),
        ]
    )


def plan_to_ics(plan: Plan, lang: Language = "en") -> str:
    """Return the planned infusions and follow-up of ``plan`` as an iCalendar document.

    Args:
        plan: The plan; it needs at least one planned infusion or follow-up entry (a calendar
            holds at least one event).
        lang: The language of the summaries and descriptions.

    Raises:
        ValueError: the plan holds no dated entry.
    """
    stamp = f"{_date(plan.assessment_date)}T000000Z"
    follow_up = plan.course.follow_up if plan.course is not None else ()
    uids = list(_uids(plan))
    if not uids:
        msg = "the plan holds no dated entry, and a calendar needs at least one event"
        raise ValueError(msg)
    disclaimer = text(
        "ui.calendar-disclaimer",
        lang,
        library=plan.library_version,
        protocol=plan.protocol,
        version=plan.protocol_version,
    )
    name = text("ui.calendar-name", lang, patient=plan.patient_id or text("ui.no-id", lang))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//bisphos//bisphos {plan.library_version}//{lang.upper()}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for (uid, day, _), planned in zip(uids, plan.infusions, strict=False):
        drug = word("drug", planned.dose.drug.value, lang)
        summary = text("ui.calendar-infusion", lang, drug=drug, number=planned.number)
        description = f"{_infusion_description(plan, planned, lang)}\n{disclaimer}"
        lines += _event(uid, stamp, day, summary, description)
    for (uid, day, kind), entry in zip(uids[len(plan.infusions) :], follow_up, strict=True):
        summary = text(f"calendar.{kind}", lang)
        description = f"{_follow_up_description(entry, plan, lang)}\n{disclaimer}"
        lines += _event(uid, stamp, day, summary, description)
    lines.append("END:VCALENDAR")
    return "".join(part + _CRLF for line in lines for part in fold(line))
