"""The composed plan: worked doses from the guideline, drug choice, statuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import pytest

from bisphos.engine import Engine
from bisphos.errors import HardLimitError
from bisphos.gate import check_course, read_patient
from bisphos.io import load_patient
from bisphos.model import Drug, Patient
from bisphos.pediatric.plan import PlanRequest, PlanStatus, make_plan
from bisphos.pediatric.schedule import Horizon
from bisphos.units import quantity

EXAMPLES = Path(__file__).parent.parent.parent / "examples" / "patients"
ENGINE = Engine.create(entry_points=False)


def oi_girl(**changes: Any) -> Patient:
    patient = load_patient(EXAMPLES / "oi-girl-20kg.json")
    return attrs.evolve(patient, **changes)


def doses_mg(patient: Patient, request: PlanRequest | None = None) -> list[float]:
    return [float(p.dose.value.m_as("mg")) for p in ENGINE.plan(patient, request).infusions]


def test_zoledronic_acid_20_kg_worked_example() -> None:
    """P-ZOL-FIRST, P-ZOL-FREQ: 0.25 mg, 0.5 mg after 3 months, then 1.0 mg every 6 months."""
    plan = ENGINE.plan(oi_girl())
    assert plan.status is PlanStatus.READY
    assert plan.drug is Drug.ZOLEDRONIC_ACID
    assert [float(p.dose.value.m_as("mg")) for p in plan.infusions] == [0.25, 0.5, 1, 1, 1, 1]
    assert [p.date for p in plan.infusions[:4]] == [
        dt.date(2026, 11, 23),
        dt.date(2027, 2, 23),
        dt.date(2027, 8, 23),
        dt.date(2028, 2, 23),
    ]
    assert all(float(p.preparation.volume.m_as("mL")) == 50 for p in plan.infusions)
    assert all(float(p.preparation.duration.m_as("h")) == 1 for p in plan.infusions)


def test_pamidronate_20_kg_worked_example() -> None:
    """P-PAM-FIRST, P-PAM-DOSE: 20 mg in 200 ml at 50 ml/h, then 40 mg in 400 ml at 100 ml/h."""
    plan = ENGINE.plan(oi_girl(), PlanRequest(drug=Drug.PAMIDRONATE, horizon=Horizon(infusions=2)))
    first, second = plan.infusions
    assert float(first.dose.value.m_as("mg")) == 20
    assert float(first.preparation.volume.m_as("mL")) == 200
    assert float(first.preparation.rate.m_as("mL/h")) == 50
    assert float(second.dose.value.m_as("mg")) == 40
    assert float(second.preparation.volume.m_as("mL")) == 400
    assert float(second.preparation.rate.m_as("mL/h")) == 100
    assert second.date == dt.date(2027, 2, 23)


def test_pamidronate_70_kg_is_capped_at_90_mg_and_45_mg_first() -> None:
    """P-PAM-CAP, P-PAM-FIRST: 90 mg in 900 ml at 225 ml/h; the first dose 45 mg."""
    patient = oi_girl(weight=quantity(70, "kg"), height=quantity(170, "cm"))
    plan = ENGINE.plan(patient, PlanRequest(drug=Drug.PAMIDRONATE, horizon=Horizon(infusions=2)))
    first, second = plan.infusions
    assert float(first.dose.value.m_as("mg")) == 45
    assert float(second.dose.value.m_as("mg")) == 90
    assert float(second.preparation.volume.m_as("mL")) == 900
    assert float(second.preparation.rate.m_as("mL/h")) == 225
    assert second.dose.cap_applied


def test_zoledronic_acid_100_kg_regular_dose_is_capped_at_4_mg() -> None:
    """P-ZOL-CAP: 0.05 mg/kg x 100 kg = 5 mg is capped at 4 mg."""
    patient = oi_girl(weight=quantity(100, "kg"), height=quantity(175, "cm"))
    assert doses_mg(patient)[2:] == [4.0, 4.0, 4.0, 4.0]


def test_requested_zoledronic_acid_with_gfr_90_is_refused() -> None:
    """P-GFR, invariant 4: a GFR of exactly 90 never plans zoledronic acid."""
    patient = load_patient(EXAMPLES / "ped-gfr-exactly-90.json")
    plan = ENGINE.plan(patient, PlanRequest(drug=Drug.ZOLEDRONIC_ACID))
    assert plan.status is PlanStatus.REFUSED
    assert plan.infusions == ()
    refusal = next(f for f in plan.findings if f.code == "drug-not-allowed")
    assert refusal.rule_ids == ("P-GFR",)
    default = ENGINE.plan(patient)
    assert default.drug is Drug.PAMIDRONATE


def test_blocked_plan_still_shows_the_course_and_its_blocks() -> None:
    """P-CI-FEVER, P-CI-HYPOCA: a blocked plan keeps its course and lists the blocks."""
    plan = ENGINE.plan(load_patient(EXAMPLES / "fever-and-low-calcium.json"))
    assert plan.status is PlanStatus.BLOCKED
    assert not plan.cleared_today
    assert {f.code for f in plan.blocks} >= {"fever", "hypocalcaemia"}
    assert plan.infusions


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("young-adult-out-of-scope.json", PlanStatus.OUT_OF_SCOPE),
        ("wnt1-not-eligible.json", PlanStatus.NOT_INDICATED),
    ],
)
def test_no_course_without_scope_or_indication(name: str, status: PlanStatus) -> None:
    """P-SCOPE-1, P-IND-GENE: nothing is planned out of scope or without an indication."""
    plan = ENGINE.plan(load_patient(EXAMPLES / name))
    assert plan.status is status
    assert plan.course is None


def test_maintenance_request_plans_the_mid_band_every_6_months() -> None:
    """P-MAINT-MID: Z -1.2 -> zoledronic acid 0.025 mg/kg every 6 months, max 4 mg."""
    patient = load_patient(EXAMPLES / "maintenance-oi.json")
    plan = ENGINE.plan(patient, PlanRequest(maintenance=True, horizon=Horizon(infusions=2)))
    assert plan.maintenance is not None
    first, second = plan.infusions
    assert float(first.dose.value.m_as("mg")) == pytest.approx(0.025 * 41)
    assert first.date == dt.date(2026, 11, 23)  # 6 months after 2026-04-01 is overdue
    assert second.date == dt.date(2027, 5, 23)
    assert "P-MAINT-MID" in first.dose.rule_ids


def test_plan_without_engine_equals_engine_plan_apart_from_plugins() -> None:
    patient = oi_girl()
    assert attrs.evolve(ENGINE.plan(patient), plugins=()) == make_plan(patient)


def test_every_planned_entry_names_its_rules() -> None:
    """Invariant 9: every finding, dose and schedule entry names the rule ids that produced it."""
    for path in sorted(EXAMPLES.glob("*.*")):
        plan = ENGINE.plan(load_patient(path))
        assert all(f.rule_ids for f in plan.findings)
        for planned in plan.infusions:
            assert planned.rule_ids
            assert planned.dose.rule_ids
            assert planned.preparation.rule_ids
        if plan.course is not None:
            assert all(item.rule_ids for item in plan.course.follow_up)


@pytest.mark.parametrize(
    ("replace", "field"),
    [("dose", "infusions[2].dose"), ("preparation", "infusions[2].preparation")],
)
def test_the_last_gate_names_the_infusion_above_the_cap(replace: str, field: str) -> None:
    """P-ZOL-CAP: a course whose third dose, or its preparation, says 4.5 mg (above the 4 mg
    cap, however it got there) is refused by the gate (P-HARD), naming that infusion."""
    patient = load_patient(EXAMPLES / "oi-girl-20kg.json")
    plan = make_plan(patient)
    assert plan.course is not None
    third = plan.course.infusions[2]
    if replace == "dose":
        limited = attrs.evolve(third.dose.limited, dose=quantity(4.5, "mg"))
        third = attrs.evolve(third, dose=attrs.evolve(third.dose, limited=limited))
    else:
        third = attrs.evolve(
            third, preparation=attrs.evolve(third.preparation, dose=quantity(4.5, "mg"))
        )
    infusions = (*plan.course.infusions[:2], third, *plan.course.infusions[3:])
    course = attrs.evolve(plan.course, infusions=infusions)
    with pytest.raises(HardLimitError, match=r"above the daily cap \(P-ZOL-CAP\)") as raised:
        check_course(course, read_patient(patient))
    assert raised.value.field == field
    assert raised.value.expected == "at most 4.0 mg"
