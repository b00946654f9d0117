"""The oncology calendar read back by icalendar and vobject, each event against the recommendation.

O-INTERVAL (the administrations' dates), O-RA223 (the injections), O-LABEL (the dose and the
infusion) and the state of each entry: on the assessment date cleared or blocked (with the
blocks), later to be cleared on its day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import vobject  # type: ignore[import-untyped]

from bisphos.engine import Engine
from bisphos.oncology.calendar import administration_dates, has_calendar, recommendation_to_ics
from bisphos.oncology.patient_file import load_adult_patient
from bisphos.oncology.recommendation import OncologyRecommendation
from bisphos.units import format_quantity
from tests.test_export_ical import parse_ics

ROOT = Path(__file__).resolve().parents[2]
ONCOLOGY = sorted((ROOT / "examples" / "patients" / "oncology").glob("*.*"))
ENGINE = Engine.create(entry_points=False)


def _recommend(path: Path) -> OncologyRecommendation:
    return ENGINE.recommend(load_adult_patient(path))


def _state(result: OncologyRecommendation, day: dt.date) -> str:
    if day != result.assessment_date:
        return "to_be_cleared_on_its_day"
    return "cleared_today" if result.status.value == "ready" else "blocked_today"


@pytest.mark.parametrize("path", ONCOLOGY, ids=lambda p: p.name)
def test_every_event_carries_the_recommendation_values(path: Path) -> None:
    result = _recommend(path)
    if not has_calendar(result):
        return
    for lang in ("en", "nl"):
        document = recommendation_to_ics(result, lang)
        _, events = parse_ics(document)
        second: Any = vobject.readOne(document)
        assert len(second.vevent_list) == len(events)
        option = result.offered[0] if result.offered else None
        administrations = [e for e in events if str(e["X-BISPHOS-KIND"]) == "administration"]
        injections = [e for e in events if str(e["X-BISPHOS-KIND"]) == "injection"]
        if option is not None and option.dose is not None:
            dates = administration_dates(option, result.assessment_date)
            assert [e.decoded("DTSTART") for e in administrations] == list(dates)
            for event in administrations:
                assert str(event["X-BISPHOS-PRODUCT"]) == option.regimen.id
                assert str(event["X-BISPHOS-DOSE"]) == format_quantity(option.dose)
                assert str(event["X-BISPHOS-RULES"]).split(",") == list(option.rule_ids)
        course = result.radium.injections if result.radium is not None else ()
        assert [e.decoded("DTSTART") for e in injections] == [i.date for i in course]
        for event, injection in zip(injections, course, strict=True):
            assert str(event["X-BISPHOS-PRODUCT"]) == "radium-223"
            assert str(event["X-BISPHOS-DOSE"]) == format_quantity(
                injection.activity.activity.activity
            )
        for event in events:
            state = _state(result, event.decoded("DTSTART"))
            assert str(event["X-BISPHOS-CLEARANCE"]) == state
            assert event.categories[-1] == state
            assert str(event["X-BISPHOS-PLAN-STATUS"]) == result.status.value
            assert len(event.walk("VALARM")) == 2


def test_no_dental_evaluation_blocks_the_first_administration_in_the_calendar() -> None:
    """O-ONJ: without a dental evaluation the first administration, on the assessment date,
    is blocked and says why."""
    result = _recommend(ROOT / "examples/patients/oncology/breast-no-dental-evaluation.json")
    _, events = parse_ics(recommendation_to_ics(result))
    assert str(events[0]["SUMMARY"]) == "zoledronic acid 4 mg: blocked today"
    assert str(events[0]["DESCRIPTION"]).startswith("Not cleared on 2024-05-01: a dentist")
    assert str(events[1]["SUMMARY"]) == "zoledronic acid 4 mg: to be cleared on its day"
    _, dutch = parse_ics(recommendation_to_ics(result, "nl"))
    assert str(dutch[0]["SUMMARY"]).endswith(": vandaag geblokkeerd")
