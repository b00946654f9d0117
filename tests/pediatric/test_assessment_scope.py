"""P-SCOPE-1: the protocol is for patients younger than 19 on the assessment date."""

from __future__ import annotations

import datetime as dt

import pytest

from bisphos.findings import Severity
from bisphos.pediatric.assessment import assess, in_scope
from bisphos.pediatric.rules import PROTOCOL_ID, PROTOCOL_VERSION
from bisphos.units import quantity
from tests.pediatric.assessment_patients import patient


@pytest.mark.parametrize(
    ("birth_date", "assessment_date", "inside"),
    [
        ("2007-03-03", "2026-03-02", True),  # the day before the 19th birthday
        ("2007-03-02", "2026-03-02", False),  # the 19th birthday
        ("2007-03-01", "2026-03-02", False),
        ("2008-02-29", "2027-02-27", True),  # born on 29 February: 19 on 28 February 2027
        ("2008-02-29", "2027-02-28", False),
        ("2026-03-02", "2026-03-02", True),  # born today
    ],
)
def test_p_scope_1_younger_than_19_by_calendar_birthday(
    birth_date: str, assessment_date: str, inside: bool
) -> None:
    """P-SCOPE-1: in scope until the day before the 19th birthday, counted by calendar."""
    child = patient(
        birth_date=birth_date,
        assessment_date=assessment_date,
        fractures=[],
        bmd=[],
        labs={},
    )
    assert in_scope(child) is inside
    assert assess(child).in_scope is inside


def test_p_scope_1_out_of_scope_is_one_clear_finding_and_nothing_cleared() -> None:
    """P-SCOPE-1: a 19-year-old gets one BLOCK finding; nothing else is assessed or allowed."""
    result = assess(patient(birth_date="2007-03-02"))
    (finding,) = result.findings
    assert (finding.code, finding.severity, finding.rule_ids) == (
        "out-of-scope",
        Severity.BLOCK,
        ("P-SCOPE-1",),
    )
    assert "19" in finding.message
    evidence = {e.name: e for e in finding.evidence}
    assert evidence["age"].threshold == quantity(19.0, "year")
    assert evidence["age"].value.m_as("year") == pytest.approx(19.0, abs=0.01)  # type: ignore[union-attr]
    assert evidence["19th birthday"].value == dt.date(2026, 3, 2)
    assert not result.cleared_today
    assert result.allowed_drugs == ()
    assert result.indication is None
    assert result.renal is None
    assert result.monitoring is None
    assert result.supplements is None
    assert result.blocks == (finding,)
    assert result.rule_ids == ("P-SCOPE-1",)


def test_p_scope_1_assessment_names_protocol_and_version() -> None:
    """P-SCOPE-1: every assessment names the protocol id and its version."""
    result = assess(patient())
    assert (result.protocol, result.protocol_version) == (PROTOCOL_ID, PROTOCOL_VERSION)
    assert result.patient_id == "reference"
    assert result.assessment_date == dt.date(2026, 3, 2)
