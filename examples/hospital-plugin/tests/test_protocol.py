"""The cyclical pamidronate protocol (UMC-PAM-CYC-1, UMC-PAM-CYC-2) under the national checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pytest
from bisphos.engine import Engine
from bisphos.errors import ProtocolError
from bisphos.model import Drug, InfusionRecord, Patient, RiskFlags
from bisphos.pediatric.plan import Plan, PlanRequest, PlanStatus
from bisphos.pediatric.schedule import Horizon
from bisphos.units import quantity

from umc_bisphos.plugin import UmcPlugin
from umc_bisphos.procedures import StaticProcedures

EngineFactory = Callable[..., Engine]
CYCLICAL = "umc-pamidronate-cyclical-2025"


@pytest.fixture
def engine(bisphos_engine_factory: EngineFactory) -> Engine:
    return bisphos_engine_factory(("umc", UmcPlugin(procedures=StaticProcedures())))


@pytest.fixture
def girl(bisphos_example_patients: dict[str, Patient]) -> Patient:
    return bisphos_example_patients["oi-girl-20kg"]


def mg(plan: Plan) -> list[float]:
    return [float(p.dose.value.m_as("mg")) for p in plan.infusions]


def test_two_cycles_of_three_days_every_four_months(engine: Engine, girl: Patient) -> None:
    """UMC-PAM-CYC-1, UMC-PAM-CYC-2: 20 kg: 10 mg (rounded to 9.9 mg) then 20 mg (19.5 mg) a
    day; days 23-25 November, then 23-25 March."""
    plan = engine.plan(girl, protocol_id=CYCLICAL)
    assert plan.protocol == CYCLICAL
    assert plan.drug is Drug.PAMIDRONATE
    assert [p.date for p in plan.infusions] == [
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 24),
        dt.date(2026, 11, 25),
        dt.date(2027, 3, 23),
        dt.date(2027, 3, 24),
        dt.date(2027, 3, 25),
    ]
    before = [float(a.before.m_as("mg")) for a in plan.adjustments]  # type: ignore[union-attr]
    assert before == [10, 20, 20, 20, 20, 20]
    assert mg(plan) == [9.9, 19.5, 19.5, 19.5, 19.5, 19.5]
    assert all("UMC-PAM-CYC-1" in p.rule_ids for p in plan.infusions)
    assert "UMC-PAM-CYC-2" in plan.infusions[0].dose.rule_ids
    assert float(plan.infusions[1].preparation.volume.m_as("mL")) == 195


def test_heavy_patient_is_capped_at_90_mg_each_day(engine: Engine, girl: Patient) -> None:
    """P-PAM-CAP, UMC-PAM-CYC-2: 120 kg: 45 mg on the first day (half of the capped dose), then
    90 mg a day, never more on one day."""
    patient = attrs.evolve(girl, weight=quantity(120, "kg"), height=quantity(180, "cm"))
    plan = engine.plan(patient, PlanRequest(horizon=Horizon(infusions=3)), protocol_id=CYCLICAL)
    assert mg(plan) == [45, 90, 90]
    assert plan.infusions[1].dose.cap_applied


def test_next_cycle_counts_from_the_first_day_of_the_last(engine: Engine, girl: Patient) -> None:
    """UMC-PAM-CYC-1: a cycle given on 1-3 September 2026 is followed on 1 January 2027."""
    history = tuple(
        InfusionRecord(drug=Drug.PAMIDRONATE, date=dt.date(2026, 9, d), dose=quantity(20, "mg"))
        for d in (1, 2, 3)
    )
    patient = attrs.evolve(girl, infusions=history)
    plan = engine.plan(patient, PlanRequest(horizon=Horizon(infusions=3)), protocol_id=CYCLICAL)
    assert [p.date for p in plan.infusions] == [
        dt.date(2027, 1, 1),
        dt.date(2027, 1, 2),
        dt.date(2027, 1, 3),
    ]
    assert mg(plan) == [19.5, 19.5, 19.5]  # no half first day: not the first cycle


def test_hungry_bones_quarter_on_the_first_days(engine: Engine, girl: Patient) -> None:
    """P-HUNGRY: prolonged immobilisation: 0.25 mg/kg on the first two days (5 mg), then 1 mg/kg
    (20 mg, rounded to 19.5 mg)."""
    patient = attrs.evolve(girl, risks=RiskFlags(prolonged_immobilisation=True))
    plan = engine.plan(patient, PlanRequest(horizon=Horizon(infusions=3)), protocol_id=CYCLICAL)
    assert mg(plan) == [4.8, 4.8, 19.5]  # 5 mg -> 4.8 mg (0.3 mg steps, 4 %)


def test_a_cycle_is_never_split(engine: Engine, girl: Patient) -> None:
    """UMC-PAM-CYC-1: a horizon of 4 or 5 infusions is one cycle."""
    for count in (1, 4, 5):
        plan = engine.plan(
            girl, PlanRequest(horizon=Horizon(infusions=count)), protocol_id=CYCLICAL
        )
        assert len(plan.infusions) == 3


def test_national_assessment_stays_in_force(
    engine: Engine, bisphos_example_patients: dict[str, Patient]
) -> None:
    """P-CI-FEVER, P-CI-HYPOCA: fever and hypocalcaemia block the local protocol too."""
    plan = engine.plan(bisphos_example_patients["blocked-fever-low-calcium"], protocol_id=CYCLICAL)
    assert plan.status is PlanStatus.BLOCKED
    assert {"fever", "hypocalcaemia"} <= {f.code for f in plan.blocks}


def test_zoledronic_acid_or_maintenance_is_refused(engine: Engine, girl: Patient) -> None:
    """UMC-PAM-CYC-1: the local protocol plans active pamidronate only."""
    with pytest.raises(ProtocolError):
        engine.plan(girl, PlanRequest(drug=Drug.ZOLEDRONIC_ACID), protocol_id=CYCLICAL)
    with pytest.raises(ProtocolError):
        engine.plan(girl, PlanRequest(maintenance=True), protocol_id=CYCLICAL)


def test_local_catalogue_names_every_local_rule(engine: Engine) -> None:
    """Invariant 9: the local protocol's catalogue holds the national rules and the UMC ones."""
    rules = engine.protocol(CYCLICAL).info.rules
    assert {"P-PAM-CAP", "UMC-PAM-CYC-1", "UMC-PAM-CYC-2", "UMC-CI-1", "UMC-GFR-1"} <= set(rules)
    assert "UMC-VIAL-1" in rules
