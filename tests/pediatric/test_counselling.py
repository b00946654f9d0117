"""The seed rules the first release left out: P-FX-RECENT, P-SE-ACUTE, P-LONGTERM, P-HUNGRY-CA and
P-TURNOVER-PROMPT, on the example girl (OI, first infusion, 2026-11-23) changed one fact at a time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import pytest

from bisphos.findings import Severity
from bisphos.io import load_patient
from bisphos.model import Diagnosis, Drug, Fracture, FractureSite, InfusionRecord, Patient, Trauma
from bisphos.pediatric.assessment import assess
from bisphos.pediatric.plan import PlanStatus, make_plan
from bisphos.units import quantity

GIRL = Path(__file__).resolve().parents[2] / "examples" / "patients" / "oi-girl-20kg.json"
TODAY = dt.date(2026, 11, 23)


def girl(**changes: Any) -> Patient:
    return attrs.evolve(load_patient(GIRL), **changes)


def with_fracture(patient: Patient, days_ago: int) -> Patient:
    fracture = Fracture(
        FractureSite.LONG_BONE, Trauma.LOW, date=TODAY - dt.timedelta(days=days_ago)
    )
    return attrs.evolve(patient, fractures=(*patient.fractures, fracture))


def found(patient: Patient) -> dict[str, Severity]:
    return {f.code: f.severity for f in assess(patient).findings}


@pytest.mark.parametrize(("days_ago", "recent"), [(42, True), (43, False)])
def test_p_fx_recent_in_oi_is_no_reason_to_postpone(days_ago: int, recent: bool) -> None:
    """P-FX-RECENT: a fracture 6 weeks (42 days) ago in OI: an INFO, the plan stays ready."""
    patient = with_fracture(girl(), days_ago)
    assert ("recent-fracture-no-delay" in found(patient)) is recent
    assert "recent-fracture-consult" not in found(patient)
    assert make_plan(patient).status is PlanStatus.READY


def test_p_fx_recent_with_impaired_healing_or_secondary_osteoporosis_consult() -> None:
    """P-FX-RECENT: with impaired fracture healing, or in secondary osteoporosis: WARN, consult
    the treating physician; it does not block."""
    impaired = with_fracture(
        girl(risks=attrs.evolve(load_patient(GIRL).risks, impaired_fracture_healing=True)), 10
    )
    secondary = with_fracture(girl(diagnosis=Diagnosis.SECONDARY_CORTICOSTEROIDS), 10)
    for patient in (impaired, secondary):
        assert found(patient)["recent-fracture-consult"] is Severity.WARN
        finding = assess(patient).finding("recent-fracture-consult")
        assert finding is not None
        assert finding.rule_ids == ("P-FX-RECENT",)


def test_p_se_acute_and_p_longterm_with_the_first_infusion_only() -> None:
    """P-SE-ACUTE, P-LONGTERM: told with the first infusion (fever of 1-2 °C, metallic taste, bone
    pain; adynamic bone, growth-plate lines, teeth, no jaw osteonecrosis in children), not later."""
    first = assess(girl())
    side = first.finding("side-effects")
    longterm = first.finding("long-term-effects")
    assert side is not None
    assert longterm is not None
    assert "1 to 2 °C" in side.message
    assert "metallic" in side.message
    assert "bone pain" in side.message
    assert "adynamic bone" in longterm.message
    assert "not in children" in longterm.message
    given = InfusionRecord(Drug.ZOLEDRONIC_ACID, dt.date(2026, 8, 23), quantity(0.25, "mg"))
    later = assess(girl(infusions=(given,)))
    assert later.finding("side-effects") is None
    assert later.finding("long-term-effects") is None


def test_p_hungry_ca_calcium_after_the_infusion_with_prolonged_immobilisation() -> None:
    """P-HUNGRY-CA: with prolonged immobilisation, check serum calcium after the infusion."""
    risks = attrs.evolve(load_patient(GIRL).risks, prolonged_immobilisation=True)
    finding = assess(girl(risks=risks)).finding("calcium-check-after-infusion")
    assert finding is not None
    assert finding.rule_ids == ("P-HUNGRY-CA", "P-HUNGRY", "P-MON-HYPOCA")
    assert finding.action == "Measure serum calcium after the infusion."
    assert assess(girl()).finding("calcium-check-after-infusion") is None


@pytest.mark.parametrize(
    ("diagnosis", "low_turnover", "prompted"),
    [
        (Diagnosis.SECONDARY_IMMOBILITY, False, True),
        (Diagnosis.SECONDARY_CORTICOSTEROIDS, False, True),
        (Diagnosis.SECONDARY_CORTICOSTEROIDS, True, False),
        (Diagnosis.OSTEOGENESIS_IMPERFECTA, False, False),
    ],
)
def test_p_turnover_prompt(diagnosis: Diagnosis, low_turnover: bool, prompted: bool) -> None:
    """P-TURNOVER-PROMPT: immobility or corticosteroids without low turnover recorded: an INFO
    to consider 0.025 mg/kg; the dose is not changed by it."""
    risks = attrs.evolve(load_patient(GIRL).risks, low_bone_turnover=low_turnover)
    patient = girl(diagnosis=diagnosis, risks=risks)
    assert ("bone-turnover-not-recorded" in found(patient)) is prompted
