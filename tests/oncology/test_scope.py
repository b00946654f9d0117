"""Scope (O-SCOPE) and the choice between the pediatric and the oncology protocol."""

from __future__ import annotations

import datetime as dt

import pytest

from bisphos.findings import Severity
from bisphos.oncology import CareSetting, Setting, choose_protocol, recommend
from tests.oncology._patients import TODAY, adult


def test_o_scope_child_gets_a_scope_finding_and_no_dose() -> None:
    """O-SCOPE: a 17-year-old given to the adult protocol: a blocking scope finding, no options,
    supplements, radium or clearance; O-DMAB-AGE says no denosumab."""
    child = adult(birth_date=dt.date(2006, 5, 2), radium_injection_number=1, tumour="prostate")
    result = recommend(child)
    assert not result.in_scope
    assert result.options == ()
    assert result.supplements == ()
    assert result.radium is None
    assert result.clearance is None
    codes = [(item.code, item.severity) for item in result.findings]
    assert codes == [
        ("out-of-scope-child", Severity.BLOCK),
        ("no-protocol-applies", Severity.WARN),
        ("denosumab-under-18", Severity.BLOCK),
    ]
    scope = result.findings[0]
    assert scope.rule_ids == ("O-SCOPE",)
    assert str(scope.evidence[0]) == "age = 17.0 year (limit 18.0 year)"


def test_o_scope_eighteenth_birthday_is_adult() -> None:
    """O-SCOPE: on the 18th birthday the patient is an adult."""
    result = recommend(adult(birth_date=dt.date(2006, 5, 1)))
    assert result.in_scope
    assert len(result.options) == 3


def test_o_scope_infant_weights_reach_the_scope_finding() -> None:
    """O-SCOPE: an infant of 8 kg is a valid input and refused by scope, not by plausibility."""
    result = recommend(adult(birth_date=dt.date(2023, 5, 1), weight="8 kg"))
    assert result.findings[0].code == "out-of-scope-child"


@pytest.mark.parametrize(
    ("birth_date", "setting", "protocol"),
    [
        (dt.date(2010, 1, 1), CareSetting.OSTEOPOROSIS, "nl-pediatric-iv-bp-2024"),
        (dt.date(2005, 5, 2), CareSetting.OSTEOPOROSIS, "nl-pediatric-iv-bp-2024"),  # 18
        (dt.date(2005, 5, 1), CareSetting.OSTEOPOROSIS, None),  # 19 today
        (dt.date(1960, 1, 1), CareSetting.OSTEOPOROSIS, None),
        (dt.date(1960, 1, 1), CareSetting.BONE_METASTASES, "nl-oncology-bone-2016"),
        (dt.date(2006, 5, 1), Setting.MULTIPLE_MYELOMA, "nl-oncology-bone-2016"),  # 18 today
        (dt.date(2006, 5, 2), CareSetting.PREVENTION_OF_OSTEOPOROSIS, None),  # 17
        (dt.date(2012, 1, 1), CareSetting.BONE_METASTASES, None),
    ],
)
def test_o_scope_choose_protocol(
    birth_date: dt.date, setting: CareSetting | Setting, protocol: str | None
) -> None:
    """O-SCOPE and P-SCOPE-1: the pediatric guideline for osteoporosis under 19, the oncology
    protocol for its settings from 18, and neither otherwise (with a warning)."""
    choice = choose_protocol(birth_date=birth_date, assessment_date=TODAY, setting=setting)
    assert choice.protocol_id == protocol
    (finding,) = choice.findings
    if protocol is None:
        assert finding.code == "no-protocol-applies"
        assert finding.severity is Severity.WARN
        assert finding.rule_ids == ("P-SCOPE-1", "O-SCOPE")
    else:
        assert finding.code == "protocol-applies"
        assert finding.severity is Severity.INFO
