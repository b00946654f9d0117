"""Every renderer is safe for every accepted text value.

What :func:`bisphos.validation.check_text` accepts as a ``patient_id`` (any printable text of up
to 64 characters: quotes, backslashes, semicolons, commas, angle brackets, words such as "status:
ready") is shown as it is by the text report, the JSON plan, the FHIR Bundle, the calendar and
the decision record: no output holds a control or format character it did not write itself, the
JSON outputs read back to the same value, the calendar escapes it, and the record replays byte for
byte. So no accepted value can print a line of its own.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Final

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.errors import BisphosError
from bisphos.export.fhir import plan_to_fhir_json
from bisphos.export.ical import plan_to_ics
from bisphos.export.plan_json import plan_to_json
from bisphos.io import load_patient
from bisphos.model import Patient
from bisphos.pediatric.plan import Plan
from bisphos.records import record_json, replay
from bisphos.report import render_plan
from bisphos.validation import check_text, printable
from tests._profiles import examples
from tests.test_export_ical import parse_ics
from tests.test_hostile_inputs import EXAMPLE

ENGINE = Engine.create(entry_points=False)
_REFUSED: Final = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
_TRICKY = (";", ",", "\\", '"', "'", "<", ">", "&", ":", "=", "{", "}", "status: ready", " ")
_IDS = st.lists(
    st.characters(blacklist_categories=_REFUSED) | st.sampled_from(_TRICKY), max_size=20
).map("".join)


@cache
def _girl() -> Patient:
    return load_patient(EXAMPLE)


def _accepted(patient_id: str) -> bool:
    try:
        check_text(patient_id, field="patient_id", max_length=64)
    except BisphosError:
        return False
    return True


def _shown_as_is(text: str) -> bool:
    """No refused character in ``text`` but the line breaks the format writes."""
    lines = text.replace("\r\n", "\n").split("\n")
    return all(printable(line) == line for line in lines)


def _strings(value: object) -> list[str]:
    """Every text value in parsed JSON."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


# Each example plans a patient and writes it in five formats (about 70 ms): a tenth of the
# profile's examples.
@settings(max_examples=examples(0.1), deadline=None)
@given(patient_id=_IDS.filter(_accepted))
def test_every_output_shows_an_accepted_patient_id_as_it_is(patient_id: str) -> None:
    """Renderer safety: text, JSON, FHIR, calendar and record hold no character a terminal would
    act on, and give back the accepted patient_id unchanged."""
    plan: Plan = ENGINE.plan(attrs.evolve(_girl(), patient_id=patient_id))
    report = render_plan(plan, "en")
    assert _shown_as_is(report)
    assert patient_id in report
    plan_json = plan_to_json(plan, "en")
    assert _shown_as_is(plan_json)
    assert json.loads(plan_json)["patient_id"] == patient_id
    fhir = plan_to_fhir_json(plan, "en")
    assert _shown_as_is(fhir)
    assert not patient_id or any(patient_id in text for text in _strings(json.loads(fhir)))
    calendar = plan_to_ics(plan, "en")
    assert _shown_as_is(calendar)
    assert "\r" not in calendar.replace("\r\n", "")
    parsed, _ = parse_ics(calendar)
    assert not patient_id or patient_id in str(parsed["X-WR-CALNAME"])
    record = record_json(plan)
    assert _shown_as_is(record)
    assert json.loads(record)["result"]["patient_id"] == patient_id
    assert replay(record, engine=ENGINE).identical
