"""How old a value may be and still clear an infusion (P-FRESH), with the guideline's numbers.

The review's case: labs from 2023 cleared a first infusion in 2026, and the weight had no date.
Now the labs of P-PRE-LABS clear a first infusion only when dated at most 90 days before it, an
older creatinine allows no zoledronic acid, an older calcium before a later infusion, a weight
older than 30 days and vital signs of another day give a WARN; a hospital may tighten the ages.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.errors import PatientInputError, PluginError
from bisphos.findings import Severity
from bisphos.io import load_patient, patient_from_dict, patient_to_dict
from bisphos.model import LAB_KINDS, Drug, InfusionRecord, LabResult, Patient
from bisphos.pediatric.assessment import assess
from bisphos.pediatric.freshness import Freshness, fresh_since
from bisphos.pediatric.plan import NoHooks, PlanStatus, make_plan
from bisphos.plugins import hookimpl
from bisphos.testing.strategies import patients
from bisphos.units import quantity

ROOT = Path(__file__).resolve().parents[2]
GIRL_FILE = ROOT / "examples" / "patients" / "oi-girl-20kg.json"
TODAY = dt.date(2026, 11, 23)


def girl() -> Patient:
    return load_patient(GIRL_FILE)


def lab(patient: Patient, name: str) -> LabResult:
    result: LabResult | None = getattr(patient.labs, name)
    assert result is not None
    return result


def labs_dated(patient: Patient, date: dt.date | None) -> Patient:
    changed = {
        name: attrs.evolve(getattr(patient.labs, name), date=date)
        for name in LAB_KINDS
        if getattr(patient.labs, name) is not None
    }
    return attrs.evolve(patient, labs=attrs.evolve(patient.labs, **changed))


def later(patient: Patient) -> Patient:
    given_on = dt.date(2026, 8, 23)
    return attrs.evolve(
        patient,
        infusions=(InfusionRecord(Drug.ZOLEDRONIC_ACID, given_on, quantity(0.25, "mg")),),
    )


def codes(patient: Patient) -> dict[str, Severity]:
    return {f.code: f.severity for f in assess(patient).findings}


def test_p_fresh_the_example_girl_is_ready_with_labs_of_three_weeks() -> None:
    """P-FRESH: the README's example (labs of 2026-11-02, 21 days old) still plans ready."""
    plan = make_plan(girl())
    assert plan.status is PlanStatus.READY
    assert not {c for c in codes(girl()) if "fresh" in c or c == "vitals-not-today"}


def test_p_fresh_labs_from_2023_do_not_clear_a_first_infusion_in_2026() -> None:
    """P-FRESH, P-PRE-LABS: the review's case; every lab is named with its date and the limit."""
    patient = labs_dated(girl(), dt.date(2023, 5, 10))
    plan = make_plan(patient)
    assert plan.status is PlanStatus.BLOCKED
    (finding,) = [f for f in plan.findings if f.code == "labs-not-fresh"]
    assert finding.severity is Severity.BLOCK
    assert finding.rule_ids == ("P-FRESH", "P-PRE-LABS")
    dated = {e.name: (e.value, e.threshold) for e in finding.evidence}
    assert dated["lab_age_limit_days"] == (90, None)
    assert dated["labs.creatinine.date"] == (dt.date(2023, 5, 10), dt.date(2026, 8, 25))
    assert len([name for name in dated if name.startswith("labs.")]) == 8


@pytest.mark.parametrize(("age_days", "cleared"), [(0, True), (90, True), (91, False)])
def test_p_fresh_first_labs_at_most_90_days(age_days: int, cleared: bool) -> None:
    """P-FRESH: 90 days before the infusion clears it, 91 days does not."""
    patient = labs_dated(girl(), TODAY - dt.timedelta(days=age_days))
    assert assess(patient).cleared_today is cleared
    assert ("labs-not-fresh" in codes(patient)) is not cleared


def test_p_fresh_an_undated_lab_does_not_clear_a_first_infusion() -> None:
    """P-FRESH: an undated value is of unknown age."""
    patient = girl()
    patient = attrs.evolve(
        patient, labs=attrs.evolve(patient.labs, pth=attrs.evolve(lab(patient, "pth"), date=None))
    )
    finding = assess(patient).finding("labs-not-fresh")
    assert finding is not None
    assert [(e.name, e.value) for e in finding.evidence[1:]] == [("labs.pth.date", "unknown")]
    assert not assess(patient).cleared_today


@pytest.mark.parametrize(
    ("creatinine_date", "zoledronic_acid"),
    [(dt.date(2025, 11, 23), True), (dt.date(2025, 11, 22), False)],
)
def test_p_fresh_creatinine_of_the_gate_at_most_12_months(
    creatinine_date: dt.date, zoledronic_acid: bool
) -> None:
    """P-FRESH, P-GFR: before a later infusion a creatinine of exactly 12 months decides the
    gate; one day older, no zoledronic acid until a new value (pamidronate is planned)."""
    patient = later(girl())
    creatinine = attrs.evolve(lab(patient, "creatinine"), date=creatinine_date)
    patient = attrs.evolve(patient, labs=attrs.evolve(patient.labs, creatinine=creatinine))
    assessment = assess(patient)
    assert assessment.zoledronic_acid_allowed is zoledronic_acid
    assert ("creatinine-not-fresh" in assessment.codes) is not zoledronic_acid
    plan = make_plan(patient)
    assert plan.drug is (Drug.ZOLEDRONIC_ACID if zoledronic_acid else Drug.PAMIDRONATE)


@pytest.mark.parametrize(("age_days", "warned"), [(90, False), (91, True), (None, True)])
def test_p_fresh_calcium_before_a_later_infusion(age_days: int | None, warned: bool) -> None:
    """P-FRESH, P-CI-HYPOCA: a calcium older than 90 days, or undated, before a later infusion
    gives a WARN; it does not block."""
    patient = later(girl())
    date = None if age_days is None else TODAY - dt.timedelta(days=age_days)
    calcium = attrs.evolve(lab(patient, "calcium"), date=date)
    patient = attrs.evolve(patient, labs=attrs.evolve(patient.labs, calcium=calcium))
    found = codes(patient)
    assert ("calcium-not-fresh" in found) is warned
    if warned:
        assert found["calcium-not-fresh"] is Severity.WARN


@pytest.mark.parametrize(("age_days", "warned"), [(30, False), (31, True)])
def test_p_fresh_weight_older_than_30_days(age_days: int, warned: bool) -> None:
    """P-FRESH, P-MON-CHECKS: weigh before the infusion when the weight is over 30 days old."""
    patient = attrs.evolve(girl(), weight_date=TODAY - dt.timedelta(days=age_days))
    found = codes(patient)
    assert ("weight-not-fresh" in found) is warned
    assert make_plan(patient).status is PlanStatus.READY


def test_p_fresh_vital_signs_of_yesterday_do_not_clear_today() -> None:
    """P-FRESH: vital signs taken the day before: WARN, measure again."""
    patient = girl()
    patient = attrs.evolve(patient, vitals=attrs.evolve(patient.vitals, date=dt.date(2026, 11, 22)))
    assert codes(patient)["vitals-not-today"] is Severity.WARN


def test_p_fresh_the_latest_value_of_several_is_used(tmp_path: Path) -> None:
    """P-FRESH: of several dated weights or labs the latest is used; the file records it."""
    data = json.loads(GIRL_FILE.read_text(encoding="utf-8"))
    data["weight"] = [
        {"value": "18.5 kg", "date": "2026-05-01"},
        {"value": "20.4 kg", "date": "2026-11-20"},
    ]
    data["labs"]["calcium"] = [
        {"value": "2.1 mmol/L", "date": "2026-01-02"},
        {"value": "2.38 mmol/L", "date": "2026-11-02"},
    ]
    patient = patient_from_dict(data)
    assert patient.weight == quantity(20.4, "kg")
    assert patient.weight_date == dt.date(2026, 11, 20)
    assert patient.labs.calcium is not None
    assert patient.labs.calcium.value == quantity(2.38, "mmol/L")
    assert patient_from_dict(patient_to_dict(patient)) == patient
    assert patient_to_dict(patient)["weight"] == {"value": "20.4 kg", "date": "2026-11-20"}


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        (
            [{"value": "20 kg", "date": "2026-11-20"}, {"value": "21 kg", "date": "2026-11-20"}],
            "weight",
        ),
        ([{"value": "20 kg", "date": "2026-11-20"}, {"value": "21 kg"}], "weight[1]"),
        ({"value": "20 mg", "date": "2026-11-20"}, "weight.value"),
        ({"value": "20 kg", "date": "2026-13-01"}, "weight.date"),
        ({"value": "20 kg", "when": "2026-11-01"}, "weight.when"),
    ],
)
def test_p_fresh_bad_weights_name_the_field(weights: object, field: str) -> None:
    """P-FRESH: two weights on one date, an undated one among several, a weight in mg, a bad
    date or an unknown key: a typed error naming the field."""
    data = json.loads(GIRL_FILE.read_text(encoding="utf-8")) | {"weight": weights}
    with pytest.raises(PatientInputError) as error:
        patient_from_dict(data)
    assert field in [problem.field for problem in error.value.problems]


class _Tighter(NoHooks):
    def __init__(self, freshness: object) -> None:
        self.limits = freshness

    def freshness(self, patient: Patient) -> tuple[object, ...]:
        return (self.limits,)


def test_p_fresh_a_hospital_may_tighten_never_loosen() -> None:
    """P-FRESH: a plugin's 30 days blocks labs of 31 days; 120 days cannot be made at all, and a
    plugin that returns something else is a plugin error."""
    patient = labs_dated(girl(), TODAY - dt.timedelta(days=31))
    assert make_plan(patient).status is PlanStatus.READY
    tighter = make_plan(patient, hooks=_Tighter(Freshness(first_labs_days=30)))
    assert tighter.status is PlanStatus.BLOCKED
    assert "labs-not-fresh" in [f.code for f in tighter.findings]
    with pytest.raises(PluginError) as error:
        Freshness(first_labs_days=120)
    assert error.value.field == "freshness.first_labs_days"
    with pytest.raises(PluginError):
        make_plan(patient, hooks=_Tighter({"first_labs_days": 30}))


class _FreshnessPlugin:
    @hookimpl
    def bisphos_freshness(self) -> Freshness:
        return Freshness(first_labs_days=14, weight_days=7)


def test_p_fresh_the_hook_through_the_engine() -> None:
    """P-FRESH: ``bisphos_freshness`` through the plugin manager tightens the ages."""
    engine = Engine.create(entry_points=False, plugins=[("fresh", _FreshnessPlugin())])
    plan = engine.plan(girl())  # labs of 21 days
    assert plan.status is PlanStatus.BLOCKED
    assert "labs-not-fresh" in [f.code for f in plan.findings]


_LIMITS = st.builds(
    Freshness,
    first_labs_days=st.integers(0, 90),
    creatinine_months=st.integers(0, 12),
    calcium_days=st.integers(0, 90),
    weight_days=st.integers(0, 30),
)


@given(patients(max_age_years=19, max_infusions=2), _LIMITS)
def test_invariant_12_no_infusion_cleared_on_stale_or_undated_first_labs(
    patient: Patient, limits: Freshness
) -> None:
    """Invariant 12 (P-FRESH, P-PRE-LABS, P-GFR): no first infusion is cleared with a P-PRE-LABS
    value older than the limit or undated, and zoledronic acid is never allowed on a creatinine
    older than its limit — whatever the limits a hospital sets (at most the protocol's)."""
    plan = make_plan(patient, hooks=_Tighter(limits))
    today = patient.assessment_date
    if plan.cleared_today and not patient.infusions:
        oldest = fresh_since(today, days=limits.first_labs_days)
        for name in LAB_KINDS:
            result = getattr(patient.labs, name)
            assert result is not None
            assert result.date is not None
            assert result.date >= oldest
    creatinine = patient.labs.creatinine
    if plan.assessment.zoledronic_acid_allowed and creatinine is not None and creatinine.date:
        assert creatinine.date >= fresh_since(today, months=limits.creatinine_months)
