"""iCalendar export (RFC 5545): read back by two independent parsers, icalendar and vobject.

Every event's fields are checked against the plan's own values: the date, the dose, volume and
rate as the record writes them, the drug, the rule ids, the clearance (P-CI-PERMANENT) and the
two reminders, whose UTC times the tests compute from the zone with :mod:`zoneinfo`.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Any

import attrs
import icalendar
import pytest
import vobject  # type: ignore[import-untyped]

from bisphos import cli
from bisphos.engine import Engine
from bisphos.errors import InvalidValueError
from bisphos.export.ical import (
    DEFAULT_TIMEZONE,
    CalendarOptions,
    check_timezone,
    plan_to_ics,
)
from bisphos.io import load_patient, patient_from_dict
from bisphos.model import Drug
from bisphos.pediatric.plan import Plan, PlanRequest
from bisphos.pediatric.schedule import Clearance
from bisphos.records import record_json
from bisphos.records.request import request_from_dict
from bisphos.units import format_quantity

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.*"))
ENGINE = Engine.create(entry_points=False)
#: The longest line RFC 5545 allows, in octets, without the CRLF.
MAX_OCTETS = 75
#: The states of an infusion in the summary, as the catalogue words them.
STATES = {
    "en": {
        Clearance.CLEARED_TODAY: "cleared today",
        Clearance.BLOCKED_TODAY: "blocked today",
        Clearance.ON_ITS_DAY: "to be cleared on its day",
    },
    "nl": {
        Clearance.CLEARED_TODAY: "vandaag vrijgegeven",
        Clearance.BLOCKED_TODAY: "vandaag geblokkeerd",
        Clearance.ON_ITS_DAY: "op de dag zelf vrij te geven",
    },
}
DRUGS = {
    "en": {Drug.ZOLEDRONIC_ACID: "zoledronic acid", Drug.PAMIDRONATE: "pamidronate"},
    "nl": {Drug.ZOLEDRONIC_ACID: "zoledroninezuur", Drug.PAMIDRONATE: "pamidronaat"},
}


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


def parse_ics(document: str) -> tuple[icalendar.Calendar, list[icalendar.Event]]:
    """Parse a calendar with icalendar, after the line checks: the calendar and its events."""
    unfold(document)
    calendar = icalendar.Calendar.from_ical(document)
    assert isinstance(calendar, icalendar.Calendar)
    assert calendar.errors == []
    found = calendar.walk("VEVENT")
    events = [event for event in found if isinstance(event, icalendar.Event)]
    assert len(events) == len(found)
    assert all(event.errors == [] for event in events)
    return calendar, events


def plan_of(name: str, request: PlanRequest | None = None) -> Plan:
    return ENGINE.plan(load_patient(ROOT / "examples" / "patients" / name), request)


def _utc(day: dt.date, hour: int, zone: str) -> dt.datetime:
    local = dt.datetime(day.year, day.month, day.day, hour, tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(dt.UTC)


def _triggers(event: icalendar.Event) -> list[dt.datetime]:
    alarms = event.walk("VALARM")
    assert [str(alarm["ACTION"]) for alarm in alarms] == ["DISPLAY", "DISPLAY"]
    return [alarm.decoded("TRIGGER") for alarm in alarms]


def _check_infusion_events(plan: Plan, document: str, lang: str, zone: str) -> None:
    """Each infusion's event against the plan: date, stamp, state, dose, rules, reminders."""
    calendar, events = parse_ics(document)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-TIMEZONE"]) == zone
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [zone]
    assert plan.course is not None
    assert len(events) == len(plan.infusions) + len(plan.course.follow_up)
    for event, planned in zip(events, plan.infusions, strict=False):
        assert event.decoded("DTSTART") == planned.date
        assert event.decoded("DTEND") == planned.date + dt.timedelta(days=1)
        stamp = dt.datetime.combine(plan.assessment_date, dt.time(), tzinfo=dt.UTC)
        assert event.decoded("DTSTAMP") == stamp
        drug = DRUGS[lang][planned.dose.drug]
        summary = str(event["SUMMARY"])
        assert drug in summary
        assert str(planned.number) in summary
        assert summary.endswith(f": {STATES[lang][planned.clearance]}")
        assert str(event["STATUS"]) == "TENTATIVE"
        assert event.categories == ["bisphos", "infusion", planned.clearance.value]
        assert str(event["X-BISPHOS-CLEARANCE"]) == planned.clearance.value
        assert str(event["X-BISPHOS-PRODUCT"]) == planned.dose.drug.value
        assert str(event["X-BISPHOS-NUMBER"]) == str(planned.number)
        assert str(event["X-BISPHOS-DOSE"]) == format_quantity(planned.dose.value)
        assert str(event["X-BISPHOS-VOLUME"]) == format_quantity(planned.preparation.volume)
        assert str(event["X-BISPHOS-RATE"]) == format_quantity(planned.preparation.rate)
        assert str(event["X-BISPHOS-RULES"]).split(",") == list(planned.rule_ids)
        assert str(event["X-BISPHOS-PLAN-STATUS"]) == plan.status.value
        description = str(event["DESCRIPTION"])
        assert ", ".join(planned.rule_ids) in description
        assert STATES[lang][planned.clearance] in description
        eve = planned.date - dt.timedelta(days=1)
        assert _triggers(event) == [_utc(eve, 18, zone), _utc(planned.date, 8, zone)]
    for event, entry in zip(events[len(plan.infusions) :], plan.course.follow_up, strict=True):
        assert event.decoded("DTSTART") == entry.date
        assert event.categories == ["bisphos", entry.kind.value]
        assert str(event["X-BISPHOS-RULES"]).split(",") == list(entry.rule_ids)
        assert _triggers(event) == [
            _utc(entry.date - dt.timedelta(days=1), 18, zone),
            _utc(entry.date, 8, zone),
        ]


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize(
    "name", ["oi-girl-20kg.json", "fever-and-low-calcium.json", "maintenance-oi.json"]
)
def test_every_event_carries_the_plan_values_in_icalendar(name: str, lang: str) -> None:
    """P-CI-PERMANENT: each infusion's event states its clearance, dose, drug and rule ids."""
    request = PlanRequest(maintenance=True) if name.startswith("maintenance") else None
    plan = plan_of(name, request)
    _check_infusion_events(plan, plan_to_ics(plan, lang), lang, DEFAULT_TIMEZONE)  # type: ignore[arg-type]


def test_a_second_parser_reads_the_same_events() -> None:
    """vobject, independent of icalendar, reads the dates, uids, states and reminders."""
    plan = plan_of("fever-and-low-calcium.json")
    document = plan_to_ics(plan, "nl")
    calendar: Any = vobject.readOne(document)
    assert calendar.vtimezone.tzid.value == "Europe/Amsterdam"
    events = calendar.vevent_list
    assert plan.course is not None
    assert len(events) == len(plan.infusions) + len(plan.course.follow_up)
    uids = [event.uid.value for event in events]
    assert len(set(uids)) == len(uids)
    for event, planned in zip(events, plan.infusions, strict=False):
        assert event.dtstart.value == planned.date
        assert event.summary.value.endswith(STATES["nl"][planned.clearance])
        assert event.contents["x-bisphos-dose"][0].value == format_quantity(planned.dose.value)
        triggers = [alarm.trigger.value for alarm in event.valarm_list]
        eve = planned.date - dt.timedelta(days=1)
        assert triggers == [
            _utc(eve, 18, "Europe/Amsterdam"),
            _utc(planned.date, 8, "Europe/Amsterdam"),
        ]
        descriptions = [alarm.description.value for alarm in event.valarm_list]
        assert descriptions[0].startswith("Morgen: infuus zoledroninezuur")
        assert descriptions[1].startswith("Vandaag: infuus zoledroninezuur")


def test_the_reminders_follow_summer_time_in_the_zone() -> None:
    """The 20 kg girl's third infusion, 2027-08-23: the day before at 18:00 CEST is 16:00 UTC;
    the first, 2026-11-23, at 18:00 CET is 17:00 UTC; in New York 23:00 UTC (EST)."""
    plan = plan_of("oi-girl-20kg.json")
    _, events = parse_ics(plan_to_ics(plan))
    assert events[2].decoded("DTSTART") == dt.date(2027, 8, 23)
    assert _triggers(events[2])[0] == dt.datetime(2027, 8, 22, 16, tzinfo=dt.UTC)
    assert _triggers(events[0]) == [
        dt.datetime(2026, 11, 22, 17, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 23, 7, tzinfo=dt.UTC),
    ]
    new_york = plan_to_ics(plan, "en", CalendarOptions(timezone="America/New_York"))
    _check_infusion_events(plan, new_york, "en", "America/New_York")
    assert _triggers(parse_ics(new_york)[1][0])[0] == dt.datetime(2026, 11, 22, 23, tzinfo=dt.UTC)


def test_description_gives_dose_volume_rate_and_rule_ids() -> None:
    """P-ZOL-FIRST: the first infusion of the 20 kg girl is 0.25 mg in 50 ml at 50 ml/h."""
    _, events = parse_ics(plan_to_ics(plan_of("oi-girl-20kg.json")))
    first = str(events[0]["DESCRIPTION"])
    assert "dose 0.25 mg (0.0125 mg/kg x 20 kg)" in first
    assert "in 50 ml NaCl 0.9 % over 1 h, rate 50 ml/h" in first
    assert "P-ZOL-FIRST, P-ZOL-DOSE, P-ZOL-CAP" in first
    assert str(events[0]["SUMMARY"]) == "zoledronic acid infusion 1: cleared today"
    assert str(events[0]["X-BISPHOS-DOSE"]) == "0.25 mg"
    assert str(events[1]["SUMMARY"]) == "zoledronic acid infusion 2: to be cleared on its day"


def test_description_gives_the_product_volume_drawn_up_and_dose_delivered() -> None:
    """P-PREP-PRODUCT: 0.31 ml of 0.8 mg/ml delivers 0.248 mg of the planned 0.25 mg, made up
    with 49.69 ml NaCl 0.9 %, in English and in Dutch, and as X-BISPHOS values."""
    _, events = parse_ics(plan_to_ics(plan_of("oi-girl-20kg.json")))
    first = str(events[0]["DESCRIPTION"])
    assert (
        "draw up 0.31 ml of zoledronic acid concentrate 4 mg/5 ml (0.8 mg/ml; vials: 1 x 5 ml): "
        "delivers 0.248 mg, planned 0.25 mg." in first
    )
    assert "49.69 ml NaCl 0.9 % added: 0.00496 mg/ml, 0.248 mg/h." in first
    assert str(events[0]["X-BISPHOS-DRAWN-FROM"]) == "zoledronic acid concentrate 4 mg/5 ml"
    assert str(events[0]["X-BISPHOS-CONCENTRATE-VOLUME"]) == "0.31 mL"
    assert str(events[0]["X-BISPHOS-DELIVERED-DOSE"]) == "0.248 mg"
    _, dutch = parse_ics(plan_to_ics(plan_of("oi-girl-20kg.json"), lang="nl"))
    assert "optrekken: 0,31 ml van zoledroninezuur concentraat" in str(dutch[0]["DESCRIPTION"])


def test_summaries_in_dutch() -> None:
    """P-PAM-FIRST, P-PAM-DOSE: in Dutch, half of 2 mg/kg x 20 kg: 20 mg in 200 ml at 50 ml/h."""
    plan = plan_of("oi-girl-20kg.json", PlanRequest(drug=Drug.PAMIDRONATE))
    _, events = parse_ics(plan_to_ics(plan, "nl"))
    assert str(events[0]["SUMMARY"]) == "infuus pamidronaat (1): vandaag vrijgegeven"
    description = str(events[0]["DESCRIPTION"])
    assert "dosis 20 mg (1 mg/kg x 20 kg)" in description
    assert "in 200 ml NaCl 0,9% in 4 uur, inloopsnelheid 50 ml/uur" in description
    follow_up = {str(event["SUMMARY"]) for event in events[len(plan.infusions) :]}
    assert "DEXA-meting (follow-up)" in follow_up
    reminders = [str(alarm["DESCRIPTION"]) for alarm in events[0].walk("VALARM")]
    assert reminders == ["Morgen: infuus pamidronaat (1)", "Vandaag: infuus pamidronaat (1)"]


def test_a_blocked_infusion_today_says_so_in_summary_description_and_categories() -> None:
    """P-CI-FEVER, P-CI-HYPOCA, P-CI-PERMANENT: today's event names the blocks; every later
    infusion is to be cleared on its day."""
    plan = plan_of("fever-and-low-calcium.json")
    _, events = parse_ics(plan_to_ics(plan))
    first = str(events[0]["DESCRIPTION"])
    assert first.startswith("Not cleared on 2026-11-23: Temperature above 38.5 °C")
    assert "Total calcium below 2.2 mmol/l" in first
    assert str(events[0]["SUMMARY"]).endswith(": blocked today")
    assert "blocked_today" in events[0].categories
    later = events[1 : len(plan.infusions)]
    assert len(later) == 5
    for event in later:
        assert "Not cleared" not in str(event["DESCRIPTION"])
        assert "Not yet cleared: on the day" in str(event["DESCRIPTION"])
        assert "to_be_cleared_on_its_day" in event.categories
    for event in events:
        assert str(event["X-BISPHOS-PLAN-STATUS"]) == "blocked"


def test_uids_are_unique_and_stable_across_runs_languages_and_zones() -> None:
    plan = plan_of("maintenance-oi.json", PlanRequest(maintenance=True))
    uids = [str(event["UID"]) for event in parse_ics(plan_to_ics(plan))[1]]
    again = [str(event["UID"]) for event in parse_ics(plan_to_ics(plan, "nl"))[1]]
    elsewhere = plan_to_ics(plan, "en", CalendarOptions(timezone="UTC"))
    assert uids == again == [str(event["UID"]) for event in parse_ics(elsewhere)[1]]
    assert len(set(uids)) == len(uids)
    assert plan_to_ics(plan) == plan_to_ics(plan)


def test_uid_depends_on_patient_date_and_kind() -> None:
    plan = plan_of("oi-girl-20kg.json")
    other = attrs.evolve(plan, patient_id="another-child")
    first = str(parse_ics(plan_to_ics(plan))[1][0]["UID"])
    assert first != str(parse_ics(plan_to_ics(other))[1][0]["UID"])


def test_a_plan_replayed_from_its_record_gives_the_same_calendar_byte_for_byte() -> None:
    """The calendar is a function of the decision: the record's input planned again gives the
    same bytes (DTSTAMP is the assessment date, nothing reads a clock)."""
    plan = plan_of("fever-and-low-calcium.json")
    stored = json.loads(record_json(plan))["input"]
    patient = patient_from_dict(stored["patient"], source="record")
    again = ENGINE.plan(patient, request_from_dict(stored["request"]))
    assert plan_to_ics(again, "nl") == plan_to_ics(plan, "nl")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_with_a_course_gives_a_calendar_both_parsers_read(path: Path) -> None:
    plan = ENGINE.plan(load_patient(path))
    if plan.course is None:
        with pytest.raises(InvalidValueError, match="no dated entry"):
            plan_to_ics(plan)
        return
    for lang in ("en", "nl"):
        document = plan_to_ics(plan, lang)
        _, events = parse_ics(document)
        assert len(events) == len(plan.infusions) + len(plan.course.follow_up)
        assert len(vobject.readOne(document).vevent_list) == len(events)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../../etc/passwd", "Europe/Amsterdam\x00"])
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(InvalidValueError, match="time zone") as caught:
        CalendarOptions(timezone=zone)
    assert caught.value.field == "timezone"
    with pytest.raises(InvalidValueError):
        check_timezone(zone, "--timezone")


def test_the_command_line_takes_a_time_zone(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "patients" / "oi-girl-20kg.json")
    assert cli.main(["plan", path, "--format", "ics", "--timezone", "Asia/Tokyo"]) == 0
    calendar, _ = parse_ics(capsys.readouterr().out)
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Tokyo"
    assert cli.main(["plan", path, "--format", "ics", "--timezone", "Nowhere/City"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("--timezone: not a time zone")
