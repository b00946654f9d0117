"""During the infusion: P-MON-CHECKS, P-MON-CALL and P-MON-HYPOCA."""

from __future__ import annotations

import pytest

from bisphos.findings import Severity
from bisphos.model import VitalSigns
from bisphos.pediatric.assessment import assess, check_observation
from bisphos.pediatric.monitoring import MonitoringPlan, monitoring_plan
from bisphos.units import Quantity, quantity
from tests.pediatric.assessment_patients import patient


def _plan() -> MonitoringPlan:
    result = assess(patient())
    assert result.monitoring is not None
    return result.monitoring


def test_p_mon_checks_plan_of_the_reference_child() -> None:
    """P-MON-CHECKS, P-MON-CALL: baseline HR 100, BP 100/60: bands 80-120, 80-120, 48-72."""
    plan = _plan()
    assert plan.checks == ("weight", "heart rate", "blood pressure", "temperature")
    assert plan.symptoms == ("myalgia", "arthralgia")
    assert plan.temperature_limit == quantity(38.5, "degC")
    assert plan.heart_rate is not None
    assert plan.systolic_bp is not None
    assert plan.diastolic_bp is not None
    assert (plan.heart_rate.low, plan.heart_rate.high) == (
        quantity(80.0, "1/min"),
        quantity(120.0, "1/min"),
    )
    assert (plan.systolic_bp.low, plan.systolic_bp.high) == (
        quantity(80.0, "mmHg"),
        quantity(120.0, "mmHg"),
    )
    assert (plan.diastolic_bp.low, plan.diastolic_bp.high) == (
        quantity(48.0, "mmHg"),
        quantity(72.0, "mmHg"),
    )
    finding = assess(patient()).finding("monitoring")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.INFO, ("P-MON-CHECKS", "P-MON-CALL"))
    assert [str(e) for e in finding.evidence] == [
        "call above temperature = 38.5 degC",
        "call below heart rate = 80.0 /min",
        "call above heart rate = 120.0 /min",
        "call below systolic blood pressure = 80.0 mmHg",
        "call above systolic blood pressure = 120.0 mmHg",
        "call below diastolic blood pressure = 48.0 mmHg",
        "call above diastolic blood pressure = 72.0 mmHg",
    ]


@pytest.mark.parametrize(
    ("observed", "codes"),
    [
        (VitalSigns(temperature=quantity(38.5, "degC")), []),
        (VitalSigns(temperature=quantity(101.3, "degF")), []),
        (VitalSigns(temperature=quantity(38.6, "degC")), ["acute-phase-temperature"]),
        (VitalSigns(heart_rate=quantity(120.0, "1/min")), []),
        (VitalSigns(heart_rate=quantity(121.0, "1/min")), ["acute-phase-heart-rate"]),
        (VitalSigns(heart_rate=quantity(80.0, "1/min")), []),
        (VitalSigns(heart_rate=quantity(79.0, "1/min")), ["acute-phase-heart-rate"]),
        (VitalSigns(heart_rate=quantity(2.05, "1/s")), ["acute-phase-heart-rate"]),  # 123/min
        (VitalSigns(systolic_bp=quantity(121.0, "mmHg")), ["acute-phase-systolic-bp"]),
        (VitalSigns(systolic_bp=quantity(79.0, "mmHg")), ["acute-phase-systolic-bp"]),
        (VitalSigns(diastolic_bp=quantity(72.0, "mmHg")), []),
        (VitalSigns(diastolic_bp=quantity(47.0, "mmHg")), ["acute-phase-diastolic-bp"]),
        (
            VitalSigns(
                temperature=quantity(39.0, "degC"),
                heart_rate=quantity(130.0, "1/min"),
                systolic_bp=quantity(70.0, "mmHg"),
                diastolic_bp=quantity(40.0, "mmHg"),
            ),
            [
                "acute-phase-temperature",
                "acute-phase-heart-rate",
                "acute-phase-systolic-bp",
                "acute-phase-diastolic-bp",
            ],
        ),
    ],
)
def test_p_mon_call_vital_signs_during_the_infusion(observed: VitalSigns, codes: list[str]) -> None:
    """P-MON-CALL: above 38.5 °C, or HR/BP more than 20 % from baseline: call the physician."""
    findings = check_observation(_plan(), observed)
    assert [f.code for f in findings] == codes
    for finding in findings:
        assert (finding.severity, finding.rule_ids) == (Severity.WARN, ("P-MON-CALL",))
        assert finding.action.startswith("Call the treating physician")


def test_p_mon_call_evidence_names_value_limit_and_baseline() -> None:
    """P-MON-CALL: a heart rate of 121 is above the limit of 120 from a baseline of 100."""
    (finding,) = check_observation(_plan(), VitalSigns(heart_rate=quantity(121.0, "1/min")))
    assert [str(e) for e in finding.evidence] == [
        "heart_rate = 121.0 /min (limit 120.0 /min)",
        "baseline heart_rate = 100.0 /min",
    ]
    assert (
        finding.message == "The heart rate is more than 20 % above baseline: acute-phase reaction."
    )


@pytest.mark.parametrize(
    ("myalgia", "arthralgia", "codes"),
    [
        (False, False, []),
        (True, False, ["acute-phase-myalgia"]),
        (False, True, ["acute-phase-arthralgia"]),
        (True, True, ["acute-phase-myalgia", "acute-phase-arthralgia"]),
    ],
)
def test_p_mon_call_myalgia_and_arthralgia(
    myalgia: bool, arthralgia: bool, codes: list[str]
) -> None:
    """P-MON-CALL: myalgia and/or arthralgia during the infusion: call the physician."""
    findings = check_observation(_plan(), VitalSigns(), myalgia=myalgia, arthralgia=arthralgia)
    assert [f.code for f in findings] == codes
    assert all(f.rule_ids == ("P-MON-CALL",) for f in findings)


def test_p_mon_call_baseline_falls_back_to_todays_vitals() -> None:
    """P-MON-CALL: without recorded baseline vitals, today's pre-infusion vitals are baseline."""
    plan = monitoring_plan(patient(baseline_vitals=None))
    assert plan.heart_rate is not None
    assert plan.heart_rate.baseline == quantity(90.0, "1/min")
    assert (plan.heart_rate.low, plan.heart_rate.high) == (
        quantity(72.0, "1/min"),
        quantity(108.0, "1/min"),
    )


def test_p_mon_call_without_any_baseline_warns() -> None:
    """P-MON-CHECKS, P-MON-CALL: with no heart rate or BP at all, a WARN asks for a baseline."""
    result = assess(patient(baseline_vitals=None, vitals={"temperature": "36.5 degC"}))
    finding = result.finding("no-baseline-vitals")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.WARN, ("P-MON-CHECKS", "P-MON-CALL"))
    assert [e.name for e in finding.evidence] == [
        "heart rate",
        "systolic blood pressure",
        "diastolic blood pressure",
    ]
    assert result.monitoring is not None
    assert result.monitoring.bands == ()
    # Without bands only temperature and symptoms are checked.
    observed = VitalSigns(heart_rate=quantity(200.0, "1/min"), temperature=quantity(38.7, "degC"))
    assert [f.code for f in check_observation(result.monitoring, observed)] == [
        "acute-phase-temperature"
    ]


@pytest.mark.parametrize(
    ("vitamin_d", "check_calcium"),
    [("70 nmol/L", False), ("50 nmol/L", False), ("49 nmol/L", True), (None, True)],
)
def test_p_mon_hypoca_warning_and_calcium_check_when_vitamin_d_is_in_doubt(
    vitamin_d: str | None, check_calcium: bool
) -> None:
    """P-MON-HYPOCA: warn child and parents; with vitamin D low or unknown, check calcium after."""
    child = patient(
        labs__vitamin_d_25oh=vitamin_d,
        infusions=[{"drug": "pamidronate", "date": "2025-12-01", "dose": "25 mg"}],
    )
    finding = assess(child).finding("hypocalcaemia-warning")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.INFO, ("P-MON-HYPOCA",))
    assert "112" in finding.message
    assert "tingling or numbness around the mouth" in finding.message
    assert (finding.action == "Check serum calcium after the infusion.") is check_calcium


def test_p_mon_checks_no_plan_unless_indicated() -> None:
    """P-MON-CHECKS: the monitoring plan and the supplements come with an indicated treatment."""
    result = assess(patient(diagnosis="other"))
    assert result.monitoring is None
    assert result.supplements is None
    assert "monitoring" not in result.codes


def test_p_mon_call_kpa_baseline_compares_in_mmhg() -> None:
    """P-MON-CALL, invariant 7: a blood pressure in kPa is compared as its mmHg value."""
    child = patient(baseline_vitals__systolic_bp="13.3322 kPa")  # 99.99997 mmHg
    plan = monitoring_plan(child)
    assert plan.systolic_bp is not None
    high: Quantity = plan.systolic_bp.high
    assert high == quantity(120.0, "mmHg")
    assert check_observation(plan, VitalSigns(systolic_bp=quantity(120.0, "mmHg"))) == ()
