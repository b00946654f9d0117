"""iCalendar export (RFC 5545): parsed back by a strict minimal parser written here."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.export.ical import MAX_OCTETS, escape_text, fold, plan_to_ics
from bisphos.io import load_patient
from bisphos.model import Drug
from bisphos.pediatric.plan import Plan, PlanRequest

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.*"))
ENGINE = Engine.create(entry_points=False)

Event = dict[str, tuple[dict[str, str], str]]
_NAME = re.compile(r"^[A-Z][A-Z0-9-]*$")


def unfold(document: str) -> list[str]:
    """The content lines of ``document``, checked for CRLF and 75-octet lines, then unfolded."""
    assert document.endswith("\r\n")
    physical = document[:-2].split("\r\n")
    assert all("\r" not in line and "\n" not in line for line in physical)
    for line in physical:
        assert len(line.encode("utf-8")) <= MAX_OCTETS, line
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    out, index = [], 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            following = value[index + 1]
            assert following in "\\;,nN", value
            out.append("\n" if following in "nN" else following)
            index += 2
        else:
            assert char not in ";,", value
            out.append(char)
            index += 1
    return "".join(out)


def parse_ics(document: str) -> tuple[dict[str, str], list[Event]]:
    """Parse a calendar: its properties and its events, each ``{name: (parameters, value)}``.

    Strict where bisphos writes simply: one VCALENDAR, VEVENTs only, no property twice.
    """
    lines = unfold(document)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    calendar: dict[str, str] = {}
    events: list[Event] = []
    current: Event | None = None
    for line in lines[1:-1]:
        head, _, value = line.partition(":")
        name, *raw = head.split(";")
        assert _NAME.match(name), line
        parameters = dict(item.split("=", 1) for item in raw)
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            assert name not in current, name
            current[name] = (parameters, value)
        else:
            assert name not in calendar
            calendar[name] = value
    assert current is None
    return calendar, events


def plan_of(name: str, request: PlanRequest | None = None) -> Plan:
    return ENGINE.plan(load_patient(ROOT / "examples" / "patients" / name), request)


def _date(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 - a DATE value


def test_required_calendar_and_event_properties() -> None:
    calendar, events = parse_ics(plan_to_ics(plan_of("oi-girl-20kg.json")))
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"].startswith("-//bisphos//")
    for event in events:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"} <= set(event)
        assert event["DTSTAMP"][1] == "20261123T000000Z"
        assert event["DTSTART"][0] == {"VALUE": "DATE"}
        assert _date(event["DTEND"][1]) - _date(event["DTSTART"][1]) == dt.timedelta(days=1)


def test_one_all_day_event_per_infusion_and_follow_up_on_the_planned_dates() -> None:
    """P-ZOL-FIRST, P-ZOL-FREQ, P-FU-*: every planned date is an event, in order."""
    plan = plan_of("oi-girl-20kg.json")
    assert plan.course is not None
    _, events = parse_ics(plan_to_ics(plan))
    dates = [_date(event["DTSTART"][1]) for event in events]
    assert dates[: len(plan.infusions)] == [p.date for p in plan.infusions]
    assert dates[len(plan.infusions) :] == [f.date for f in plan.course.follow_up]
    assert dates[:3] == [dt.date(2026, 11, 23), dt.date(2027, 2, 23), dt.date(2027, 8, 23)]


def test_description_gives_dose_volume_rate_and_rule_ids() -> None:
    """P-ZOL-FIRST: the first infusion of the 20 kg girl is 0.25 mg in 50 ml at 50 ml/h."""
    _, events = parse_ics(plan_to_ics(plan_of("oi-girl-20kg.json")))
    first = unescape(events[0]["DESCRIPTION"][1])
    assert "dose 0.25 mg (0.0125 mg/kg x 20 kg)" in first
    assert "in 50 ml NaCl 0.9 % over 1 h, rate 50 ml/h" in first
    assert "P-ZOL-FIRST, P-ZOL-DOSE, P-ZOL-CAP" in first
    assert unescape(events[0]["SUMMARY"][1]) == "zoledronic acid infusion 1"


def test_summaries_in_dutch() -> None:
    """P-PAM-FIRST, P-PAM-DOSE: in Dutch, half of 2 mg/kg x 20 kg: 20 mg in 200 ml at 50 ml/h."""
    plan = plan_of("oi-girl-20kg.json", PlanRequest(drug=Drug.PAMIDRONATE))
    _, events = parse_ics(plan_to_ics(plan, "nl"))
    assert unescape(events[0]["SUMMARY"][1]) == "infuus pamidronaat (1)"
    description = unescape(events[0]["DESCRIPTION"][1])
    assert "dosis 20 mg (1 mg/kg x 20 kg)" in description
    assert "in 200 ml NaCl 0,9% in 4 uur, inloopsnelheid 50 ml/uur" in description
    follow_up = {unescape(event["SUMMARY"][1]) for event in events[len(plan.infusions) :]}
    assert "DEXA-meting (follow-up)" in follow_up


def test_a_blocked_infusion_today_says_it_is_not_cleared() -> None:
    """P-CI-FEVER, P-CI-HYPOCA: the event of today names the blocks."""
    _, events = parse_ics(plan_to_ics(plan_of("fever-and-low-calcium.json")))
    first = unescape(events[0]["DESCRIPTION"][1])
    assert first.startswith("Not cleared on 2026-11-23: Temperature above 38.5 °C")
    assert "Total calcium below 2.2 mmol/l" in first
    assert "Not cleared" not in unescape(events[1]["DESCRIPTION"][1])


def test_uids_are_unique_and_stable_across_runs_and_languages() -> None:
    plan = plan_of("maintenance-oi.json", PlanRequest(maintenance=True))
    uids = [event["UID"][1] for event in parse_ics(plan_to_ics(plan))[1]]
    again = [event["UID"][1] for event in parse_ics(plan_to_ics(plan, "nl"))[1]]
    assert uids == again
    assert len(set(uids)) == len(uids)
    assert plan_to_ics(plan) == plan_to_ics(plan)


def test_uid_depends_on_patient_date_and_kind() -> None:
    plan = plan_of("oi-girl-20kg.json")
    other = attrs.evolve(plan, patient_id="another-child")
    first = parse_ics(plan_to_ics(plan))[1][0]["UID"][1]
    assert first != parse_ics(plan_to_ics(other))[1][0]["UID"][1]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_with_a_course_gives_a_parsable_calendar(path: Path) -> None:
    plan = ENGINE.plan(load_patient(path))
    if plan.course is None:
        with pytest.raises(ValueError, match="no dated entry"):
            plan_to_ics(plan)
        return
    for lang in ("en", "nl"):
        _, events = parse_ics(plan_to_ics(plan, lang))
        assert len(events) == len(plan.infusions) + len(plan.course.follow_up)


def test_escaping_of_text_values() -> None:
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    assert unescape(escape_text("38,5 °C; zie\nregels")) == "38,5 °C; zie\nregels"


@given(st.text(min_size=0, max_size=400))
def test_folding_keeps_lines_within_75_octets_and_unfolds_to_the_input(line: str) -> None:
    """RFC 5545 3.1: no line longer than 75 octets; unfolding restores the content line."""
    parts = fold(line)
    assert all(len(part.encode("utf-8")) <= MAX_OCTETS for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert parts[0] + "".join(part[1:] for part in parts[1:]) == line
