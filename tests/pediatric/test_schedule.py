"""The treatment course: doses and preparation per planned infusion, follow-up (P-FU-DXA,
P-FU-LABS, P-FU-CENTRE), scope (P-SCOPE-1) and pregnancy counselling (P-CI-PREG)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from bisphos.errors import InvalidValueError
from bisphos.findings import Severity
from bisphos.model import (
    BmdMeasurement,
    BmdSite,
    Diagnosis,
    Drug,
    LabResult,
    Labs,
    OISeverity,
    RiskFlags,
    Sex,
)
from bisphos.pediatric.dosing import MaintenanceBand
from bisphos.pediatric.limits import Phase
from bisphos.pediatric.schedule import (
    Course,
    FollowUpKind,
    Horizon,
    plan_course,
    pregnancy_counselling,
)
from bisphos.units import ureg
from tests.pediatric._dosing_helpers import child, given, mg

ZOL = Drug.ZOLEDRONIC_ACID
PAM = Drug.PAMIDRONATE
D = dt.date
START = D(2026, 1, 15)
BORN = D(2016, 5, 20)


def course(drug: Drug = ZOL, weight: float = 20, **kwargs: object) -> Course:
    patient_args = {k: v for k, v in kwargs.items() if k not in {"horizon", "band", "start"}}
    plan_args = {k: v for k, v in kwargs.items() if k in {"horizon", "band", "start"}}
    patient_args.setdefault("born", BORN)
    patient_args.setdefault("assessed", START)
    patient = child(weight, **patient_args)  # type: ignore[arg-type]
    return plan_course(patient, drug, **plan_args)  # type: ignore[arg-type]


def test_zoledronic_20kg_course() -> None:
    """P-ZOL-FIRST, P-ZOL-FREQ: 0.25 mg, 0.5 mg after 3 months, then 1.0 mg every 6 months,
    each in 50 ml over 1 hour."""
    planned = course(ZOL).infusions
    assert [p.number for p in planned] == [1, 2, 3, 4, 5, 6]
    assert [p.dose.value for p in planned] == [mg(0.25), mg(0.5)] + [mg(1.0)] * 4
    assert [p.phase for p in planned] == [Phase.FIRST, Phase.SECOND] + [Phase.REGULAR] * 4
    assert [p.date for p in planned[:4]] == [START, D(2026, 4, 15), D(2026, 10, 15), D(2027, 4, 15)]
    assert all(p.preparation.volume == ureg.Quantity(50, "milliliter") for p in planned)
    assert "P-ZOL-FIRST" in planned[1].rule_ids
    assert "P-ZOL-FREQ" in planned[2].rule_ids


def test_pamidronate_20kg_course() -> None:
    """P-PAM-FIRST, P-PAM-FREQ, P-PAM-DOSE: 20 mg in 200 ml at 50 ml/h, then 40 mg in 400 ml
    at 100 ml/h every 3 months."""
    planned = course(PAM).infusions
    first, second = planned[0], planned[1]
    assert (first.dose.value, first.preparation.volume, first.preparation.rate) == (
        mg(20),
        ureg.Quantity(200, "milliliter"),
        ureg.Quantity(50, "milliliter / hour"),
    )
    assert (second.dose.value, second.preparation.volume, second.preparation.rate) == (
        mg(40),
        ureg.Quantity(400, "milliliter"),
        ureg.Quantity(100, "milliliter / hour"),
    )
    assert [p.date for p in planned[:3]] == [START, D(2026, 4, 15), D(2026, 7, 15)]


def test_next_date_follows_last_infusion_in_history() -> None:
    """P-ZOL-FIRST: after a first infusion on 1 Dec 2025, the second is due 1 Mar 2026."""
    history = [given(ZOL, D(2025, 12, 1), 0.25)]
    planned = course(ZOL, infusions=history).infusions
    assert planned[0].number == 2
    assert planned[0].date == D(2026, 3, 1)
    assert planned[0].dose.value == mg(0.5)
    assert planned[1].date == D(2026, 9, 1)
    assert "after the last infusion on 2025-12-01" in planned[0].date_reason


def test_overdue_infusion_is_planned_on_start_date() -> None:
    """P-PAM-FREQ: a pamidronate infusion due in October 2025 is planned on the start date."""
    history = [given(PAM, D(2025, 7, 1), 20)]
    planned = course(PAM, infusions=history).infusions
    assert planned[0].date == START
    assert planned[0].due == D(2025, 10, 1)
    assert "overdue" in planned[0].date_reason
    assert planned[1].date == D(2026, 4, 15)


def test_hungry_bones_in_course() -> None:
    """P-HUNGRY: the first two infusions 0.25 mg, then 1.0 mg."""
    risks = RiskFlags(prolonged_immobilisation=True, could_become_pregnant=False)
    planned = course(ZOL, risks=risks).infusions
    assert [p.dose.value for p in planned[:3]] == [mg(0.25), mg(0.25), mg(1.0)]


def test_zol_low_follows_age_on_each_planned_date() -> None:
    """P-ZOL-LOW: regular 0.025 mg/kg before the second birthday (15 Sep 2027), 0.05 after."""
    planned = course(ZOL, weight=10, born=D(2025, 9, 15), horizon=Horizon(infusions=5)).infusions
    assert [p.date for p in planned] == [
        START,
        D(2026, 4, 15),
        D(2026, 10, 15),
        D(2027, 4, 15),
        D(2027, 10, 15),
    ]
    assert [p.dose.value for p in planned] == [mg(0.125), mg(0.25), mg(0.25), mg(0.25), mg(0.5)]


def test_maintenance_course_doses() -> None:
    """P-MAINT-MID: zoledronic acid 0.025 mg/kg every 6 months after the last infusion."""
    history = [given(ZOL, D(2025, 10, 1), 1.0)]
    result = course(ZOL, infusions=history, band=MaintenanceBand.MID, horizon=Horizon(3))
    assert [p.date for p in result.infusions] == [D(2026, 4, 1), D(2026, 10, 1), D(2027, 4, 1)]
    assert all(p.dose.value == mg(0.5) for p in result.infusions)
    assert all(p.phase is Phase.MAINTENANCE for p in result.infusions)


def test_course_stops_before_19th_birthday() -> None:
    """P-SCOPE-1: no infusion on or after the 19th birthday (20 Jun 2026)."""
    result = course(PAM, weight=60, born=D(2007, 6, 20))
    assert [p.date for p in result.infusions] == [START, D(2026, 4, 15)]
    scope = [f for f in result.findings if f.code == "course-ends-at-scope"]
    assert len(scope) == 1
    assert scope[0].rule_ids == ("P-SCOPE-1",)


def test_follow_up_dxa_yearly_from_latest_scan() -> None:
    """P-FU-DXA: yearly from the latest DXA (10 Oct 2025): 10 Oct 2026, 10 Oct 2027."""
    scans = [BmdMeasurement(site=BmdSite.LUMBAR_SPINE, z_score=-2.5, date=D(2025, 10, 10))]
    result = course(ZOL, bmd=scans)
    dxa = [f for f in result.follow_up if f.kind is FollowUpKind.DXA]
    assert [f.date for f in dxa] == [D(2026, 10, 10), D(2027, 10, 10)]
    assert all(f.rule_ids == ("P-FU-DXA",) for f in dxa)


def test_follow_up_dxa_overdue_or_missing_on_start() -> None:
    """P-FU-DXA: a scan older than a year, or none, makes a DXA due on the start date."""
    scans = [BmdMeasurement(site=BmdSite.LUMBAR_SPINE, z_score=-2.5, date=D(2024, 6, 1))]
    for bmd in ([], scans):
        dxa = [f for f in course(ZOL, bmd=bmd).follow_up if f.kind is FollowUpKind.DXA]
        assert [f.date for f in dxa] == [START, D(2027, 1, 15), D(2028, 1, 15)]


def test_follow_up_labs_at_start_of_treatment_and_yearly() -> None:
    """P-FU-LABS: labs at the start of intravenous treatment and yearly, up to the last
    planned infusion (15 Apr 2028)."""
    labs = [f for f in course(ZOL).follow_up if f.kind is FollowUpKind.LABS]
    assert [f.date for f in labs] == [START, D(2027, 1, 15), D(2028, 1, 15)]
    assert "start of intravenous treatment" in labs[0].description


def _recent_labs(date: dt.date) -> Labs:
    def lab(value: float, unit: str) -> LabResult:
        return LabResult(value=ureg.Quantity(value, unit), date=date)

    return Labs(
        calcium=lab(2.4, "mmol/L"),
        phosphate=lab(1.4, "mmol/L"),
        alkaline_phosphatase=lab(250, "U/L"),
        creatinine=lab(35, "umol/L"),
        vitamin_d_25oh=lab(70, "nmol/L"),
        pth=lab(4, "pmol/L"),
    )


def test_follow_up_labs_at_switch_of_drug_and_yearly_from_last_labs() -> None:
    """P-FU-LABS: a switch from pamidronate to zoledronic acid is a change of treatment, on the
    first zoledronic acid infusion, 3 months after the last pamidronate one of 1 Nov 2025
    (P-HIST-INTERVAL); the yearly labs count from the labs of 1 Dec 2025."""
    history = [given(PAM, D(2025, 11, 1), 40)]
    patient = child(20, born=BORN, assessed=START, infusions=history)
    patient = attrs.evolve(patient, labs=_recent_labs(D(2025, 12, 1)))
    result = plan_course(patient, ZOL)
    assert result.infusions[0].date == D(2026, 2, 1)
    assert result.infusions[0].number == 1
    labs = [f for f in result.follow_up if f.kind is FollowUpKind.LABS]
    assert [f.date for f in labs] == [D(2026, 2, 1), D(2026, 12, 1), D(2027, 12, 1)]
    assert "switch from pamidronate to zoledronic_acid" in labs[0].description


def test_follow_up_centre_yearly() -> None:
    """P-FU-CENTRE: a yearly review at UMC Utrecht for moderate OI."""
    centre = [f for f in course(ZOL).follow_up if f.kind is FollowUpKind.CENTRE]
    assert [f.date for f in centre] == [D(2027, 1, 15), D(2028, 1, 15)]
    assert "UMC Utrecht" in centre[0].description
    other = course(ZOL, diagnosis=Diagnosis.SECONDARY_IMMOBILITY)
    assert "UMC Groningen" in next(
        f.description for f in other.follow_up if f.kind is FollowUpKind.CENTRE
    )


def test_pregnancy_counselling_12_months_after_last_planned_dose() -> None:
    """P-CI-PREG: the date 12 months after the last planned dose (15 Apr 2027 → 15 Apr 2028)."""
    risks = RiskFlags(could_become_pregnant=True)
    result = course(ZOL, risks=risks, horizon=Horizon(infusions=4))
    assert result.last_dose_date == D(2027, 4, 15)
    finding = next(f for f in result.findings if f.code == "pregnancy-avoidance")
    assert finding.rule_ids == ("P-CI-PREG",)
    assert finding.severity is Severity.INFO
    until = next(e.value for e in finding.evidence if e.name == "avoid_pregnancy_until")
    assert until == D(2028, 4, 15)


def test_pregnancy_counselling_from_29_february() -> None:
    """P-CI-PREG: last dose 29 Feb 2028 → avoid pregnancy until 28 Feb 2029."""
    risks = RiskFlags(could_become_pregnant=True)
    result = course(PAM, risks=risks, assessed=D(2028, 2, 29), horizon=Horizon(infusions=1))
    finding = next(f for f in result.findings if f.code == "pregnancy-avoidance")
    assert "2029-02-28" in finding.message


@pytest.mark.parametrize(
    ("sex", "born", "recorded", "counselled"),
    [
        (Sex.FEMALE, D(2012, 1, 1), None, True),
        (Sex.FEMALE, D(2018, 1, 1), None, False),
        (Sex.MALE, D(2012, 1, 1), None, False),
        (Sex.FEMALE, D(2012, 1, 1), False, False),
        (Sex.MALE, D(2012, 1, 1), True, True),
    ],
)
def test_pregnancy_counselling_who(
    sex: Sex, born: dt.date, recorded: bool | None, counselled: bool
) -> None:
    """P-CI-PREG: counselled when recorded, or when unrecorded for a female aged 10 or more by
    the avoid-until date."""
    risks = RiskFlags(could_become_pregnant=recorded)
    result = course(ZOL, sex=sex, born=born, risks=risks, horizon=Horizon(infusions=2))
    assert any(f.code == "pregnancy-avoidance" for f in result.findings) is counselled


@pytest.mark.parametrize(
    ("sex", "recorded"),
    [(Sex.FEMALE, False), (Sex.OTHER, None), (Sex.MALE, None), (Sex.FEMALE, None)],
)
def test_a_known_pregnancy_is_always_counselled(sex: Sex, recorded: bool | None) -> None:
    """P-CI-PREG, P-CI-PERMANENT: a pregnant patient is counselled whatever the flag or sex on
    record (a plan dates no infusion at all, P-CI-PERMANENT): no infusion during the pregnancy,
    never a date to avoid pregnancy until."""
    risks = RiskFlags(could_become_pregnant=recorded, pregnant=True)
    result = course(ZOL, sex=sex, born=D(2012, 1, 1), risks=risks, horizon=Horizon(infusions=2))
    assert not [f for f in result.findings if f.code == "pregnancy-avoidance"]
    finding = next(f for f in result.findings if f.code == "pregnancy-no-infusion")
    assert finding.rule_ids == ("P-CI-PREG", "P-CI-PERMANENT")
    assert "no bisphosphonate infusion during the pregnancy" in finding.message
    assert "until" not in finding.message + finding.action


def test_pregnancy_counselling_from_history_only() -> None:
    """P-CI-PREG: without planned doses the last dose given counts (1 Dec 2025 → 1 Dec 2026)."""
    patient = child(
        20,
        born=BORN,
        assessed=START,
        infusions=[given(ZOL, D(2025, 12, 1), 0.25)],
        risks=RiskFlags(could_become_pregnant=True),
    )
    finding = pregnancy_counselling(patient)
    assert finding is not None
    assert "2026-12-01" in finding.message


def test_weight_finding_on_multi_infusion_courses() -> None:
    """P-MON-CHECKS, P-ZOL-DOSE: later doses are recomputed with the weight on the day."""
    finding = next(f for f in course(ZOL).findings if f.code == "dose-uses-current-weight")
    assert finding.rule_ids == ("P-ZOL-DOSE", "P-MON-CHECKS")


def test_every_entry_names_rule_ids() -> None:
    """Invariant 9: every planned infusion, follow-up entry and finding names rule ids."""
    result = course(PAM, risks=RiskFlags(could_become_pregnant=True))
    assert all(p.rule_ids for p in result.infusions)
    assert all(f.rule_ids for f in result.follow_up)
    assert all(f.rule_ids for f in result.findings)
    assert {"P-PAM-FREQ", "P-PAM-FIRST", "P-PAM-CAP", "P-FU-LABS", "P-CI-PREG"} <= set(
        result.rule_ids
    )


def test_horizon_validation() -> None:
    """P-ZOL-FREQ: a horizon needs a count (1 to 100) or an end date."""
    with pytest.raises(InvalidValueError):
        Horizon(infusions=None, until=None)
    for count in (0, 101):
        with pytest.raises(InvalidValueError):
            Horizon(infusions=count)


def test_start_and_until_validation() -> None:
    """P-ZOL-FREQ: no course starts before the assessment date, or ends before it starts."""
    patient = child(20, born=BORN, assessed=START)
    with pytest.raises(InvalidValueError, match="before the assessment date"):
        plan_course(patient, ZOL, start=D(2026, 1, 14))
    with pytest.raises(InvalidValueError, match="before the start"):
        plan_course(patient, ZOL, horizon=Horizon(until=D(2026, 1, 1)))


def test_later_start_date() -> None:
    """P-ZOL-FIRST: a start after the assessment date moves the whole course."""
    patient = child(20, born=BORN, assessed=START)
    result = plan_course(patient, ZOL, start=D(2026, 3, 31), horizon=Horizon(infusions=2))
    assert [p.date for p in result.infusions] == [D(2026, 3, 31), D(2026, 6, 30)]


def test_centre_for_mild_oi() -> None:
    """P-FU-CENTRE: mild OI may be reviewed at UMC Groningen (north) or UMC Utrecht."""
    result = course(ZOL, oi_severity=OISeverity.MILD)
    centre = next(f for f in result.follow_up if f.kind is FollowUpKind.CENTRE)
    assert "UMC Groningen" in centre.description
    assert "UMC Utrecht" in centre.description
