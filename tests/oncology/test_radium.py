"""Radium-223 (O-RA223): activity with its standard, the dated course, blood counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pytest
from pint.testing import assert_allclose, assert_equal

from bisphos.errors import InvalidValueError
from bisphos.findings import Finding, Severity
from bisphos.oncology.patient import AdultPatient
from bisphos.oncology.radium import (
    FIRST_INJECTION_CRITERIA,
    LATER_INJECTION_CRITERIA,
    blood_count_findings,
    plan_radium,
    radium_activity,
)
from bisphos.oncology.regimens import CalibrationStandard
from bisphos.units import quantity
from tests.oncology._patients import TODAY, adult, count


def prostate(**overrides: Any) -> AdultPatient:
    values: dict[str, Any] = {
        "sex": "male",
        "tumour": "prostate",
        "weight": quantity(80.0, "kg"),
        "neutrophils": count(2.0),
        "platelets": count(150.0),
        "haemoglobin": quantity(12.0, "g/dL"),
        "radium_injection_number": 1,
        # O-LABEL: within the label's indication (EMA 2018).
        "castration_resistant": True,
        "symptomatic_bone_metastases": True,
        "visceral_metastases": False,
        "prior_systemic_therapies": 2,
    }
    values.update(overrides)
    return adult(**values)


def test_activity_under_both_standards() -> None:
    """O-RA223: 80 kg x 55 kBq/kg = 4400 kBq (2015 NIST), equal to the deck's 80 x 50 = 4000 kBq
    under the pre-2015 standard."""
    activity = radium_activity(quantity(80.0, "kg"))
    assert_allclose(activity.activity.activity, quantity(4400.0, "kBq"))
    assert activity.activity.standard is CalibrationStandard.NIST_2015
    assert_allclose(activity.deck_equivalent.activity, quantity(4000.0, "kBq"))
    assert activity.deck_equivalent.standard is CalibrationStandard.PRE_2015
    assert_equal(activity.per_kg.activity, quantity(55.0, "kBq/kg"))
    assert_equal(activity.deck_per_kg.activity, quantity(50.0, "kBq/kg"))
    assert str(activity.activity) == "4400.0 kBq (nist_2015 standard)"


def test_activity_from_a_weight_in_pounds() -> None:
    """O-RA223: the weight's unit does not change the activity (176.37 lb = 80 kg)."""
    activity = radium_activity(quantity(80.0 / 0.45359237, "lb"))
    assert_allclose(activity.activity.activity, quantity(4400.0, "kBq"), rtol=1e-12)


def test_six_injections_every_four_weeks() -> None:
    """O-RA223: 6 injections, 28 days apart, from the injection due on the assessment date."""
    plan = plan_radium(prostate())
    assert [item.number for item in plan.injections] == [1, 2, 3, 4, 5, 6]
    assert [item.date for item in plan.injections] == [
        TODAY + dt.timedelta(days=28 * k) for k in range(6)
    ]
    assert plan.injections[-1].date == dt.date(2024, 9, 18)
    assert plan.injections[0].criteria is FIRST_INJECTION_CRITERIA
    assert all(item.criteria is LATER_INJECTION_CRITERIA for item in plan.injections[1:])
    assert all(item.rule_ids == ("O-RA223",) for item in plan.injections)
    assert plan.cleared_today
    assert plan.findings[0].code == "radium-223-label-indication-met"


def test_course_resumes_from_the_injection_due() -> None:
    """O-RA223: injection 4 due today leaves injections 4, 5 and 6."""
    plan = plan_radium(prostate(radium_injection_number=4, haemoglobin=None))
    assert [(item.number, item.date) for item in plan.injections] == [
        (4, TODAY),
        (5, TODAY + dt.timedelta(days=28)),
        (6, TODAY + dt.timedelta(days=56)),
    ]
    assert plan.cleared_today


def _codes(findings: Iterable[Finding]) -> list[tuple[str, Severity]]:
    return [(item.code, item.severity) for item in findings]


@pytest.mark.parametrize(
    ("field", "value", "cleared"),
    [
        ("neutrophils", count(1.49), False),
        ("neutrophils", count(1.5), True),
        ("neutrophils", count(1.51), True),
        ("platelets", count(99.0), False),
        ("platelets", count(100.0), True),
        ("platelets", count(101.0), True),
        ("haemoglobin", quantity(9.99, "g/dL"), False),
        ("haemoglobin", quantity(10.0, "g/dL"), True),
        ("haemoglobin", quantity(10.01, "g/dL"), True),
        ("haemoglobin", quantity(6.2, "mmol/L"), False),  # 9.99 g/dl
        ("haemoglobin", quantity(6.3, "mmol/L"), True),  # 10.15 g/dl
    ],
)
def test_first_injection_blood_counts(field: str, value: object, cleared: bool) -> None:
    """O-RA223: first injection needs ANC >= 1.5x10^9/l, platelets >= 100x10^9/l, Hb >= 10 g/dl."""
    findings = blood_count_findings(prostate(**{field: value}), 1)
    if cleared:
        assert _codes(findings) == [("radium-223-blood-counts-met", Severity.INFO)]
    else:
        assert _codes(findings) == [("radium-223-blood-count-too-low", Severity.BLOCK)]
        assert findings[0].evidence[1].name == field


@pytest.mark.parametrize(
    ("field", "value", "cleared"),
    [
        ("neutrophils", count(0.99), False),
        ("neutrophils", count(1.0), True),
        ("neutrophils", count(1.01), True),
        ("platelets", count(49.0), False),
        ("platelets", count(50.0), True),
        ("platelets", count(51.0), True),
        ("haemoglobin", quantity(8.0, "g/dL"), True),
    ],
)
def test_later_injection_blood_counts(field: str, value: object, cleared: bool) -> None:
    """O-RA223: later injections need ANC >= 1.0x10^9/l and platelets >= 50x10^9/l; Hb is not a
    criterion."""
    plan = plan_radium(prostate(radium_injection_number=2, **{field: value}))
    assert plan.cleared_today is cleared
    codes = [code for code, _ in _codes(plan.findings)]
    assert ("radium-223-blood-counts-met" in codes) is cleared


def test_missing_count_blocks_the_injection() -> None:
    """O-RA223: a count that is not measured blocks the injection due today."""
    plan = plan_radium(prostate(haemoglobin=None))
    assert not plan.cleared_today
    assert ("radium-223-blood-count-missing", Severity.BLOCK) in _codes(plan.findings)


def test_radium_is_registered_for_prostate_cancer_only() -> None:
    """O-RA223: a woman with breast cancer bone metastases gets no radium-223 course."""
    plan = plan_radium(adult(radium_injection_number=1))
    assert plan.injections == ()
    assert _codes(plan.findings) == [("radium-223-not-registered", Severity.BLOCK)]
    assert not plan.cleared_today


def test_radium_only_for_bone_metastases() -> None:
    """O-RA223: prostate cancer in the osteoporosis-prevention setting gets no radium-223."""
    plan = plan_radium(prostate(setting="prevention_of_osteoporosis"))
    assert plan.injections == ()
    assert _codes(plan.findings) == [("radium-223-setting", Severity.BLOCK)]


def test_injection_number_outside_the_course_is_refused() -> None:
    """O-RA223: there is no seventh injection."""
    with pytest.raises(InvalidValueError):
        plan_radium(prostate(), injection_number=7)
    with pytest.raises(InvalidValueError):
        prostate(radium_injection_number=0)


@pytest.mark.parametrize(
    ("overrides", "unmet"),
    [
        ({"castration_resistant": False}, {"castration_resistant"}),
        ({"castration_resistant": None}, {"castration_resistant"}),
        ({"symptomatic_bone_metastases": False}, {"symptomatic_bone_metastases"}),
        ({"visceral_metastases": True}, {"visceral_metastases"}),
        ({"visceral_metastases": None}, {"visceral_metastases"}),
        (
            {"prior_systemic_therapies": 1},
            {"prior_systemic_therapies", "no_suitable_systemic_therapy"},
        ),
        (
            {"prior_systemic_therapies": None},
            {"prior_systemic_therapies", "no_suitable_systemic_therapy"},
        ),
        ({"abiraterone_prednisone": True}, {"abiraterone_prednisone"}),
    ],
)
def test_radium_outside_the_label_indication_is_refused(
    overrides: dict[str, object], unmet: set[str]
) -> None:
    """O-LABEL, O-RA223: outside the label's indication (EMA 2018) radium-223 is refused with the
    unmet or unrecorded criteria named; nothing is dated."""
    plan = plan_radium(prostate(**overrides))
    assert plan.injections == ()
    assert not plan.cleared_today
    (finding,) = plan.findings
    assert finding.code == "radium-223-label-indication-not-met"
    assert finding.severity is Severity.BLOCK
    assert {item.name for item in finding.evidence} == unmet


def test_radium_with_one_prior_therapy_and_none_suitable_is_planned() -> None:
    """O-LABEL: fewer than two prior therapies are enough when no other therapy is suitable."""
    plan = plan_radium(prostate(prior_systemic_therapies=1, no_suitable_systemic_therapy=True))
    assert len(plan.injections) == 6
