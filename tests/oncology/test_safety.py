"""Precautions: O-ONJ, O-DMAB-AGE, calcium and vitamin D (O-CAT), side effects O-SE-BP/O-SE-DMAB."""

from __future__ import annotations

import datetime as dt

from bisphos.findings import Finding, Severity
from bisphos.oncology import OncologyRecommendation, recommend
from bisphos.oncology.regimens import regimen
from bisphos.oncology.safety import denosumab_age_findings, is_monthly, rebound_finding
from bisphos.oncology.side_effects import (
    BISPHOSPHONATE_SIDE_EFFECTS,
    DENOSUMAB_SIDE_EFFECTS,
    side_effects_of,
)
from bisphos.units import quantity
from tests.oncology._patients import adult


def _by_code(result: OncologyRecommendation) -> dict[str, Finding]:
    return {item.code: item for item in result.findings}


def test_o_onj_dental_evaluation_before_start_blocks() -> None:
    """O-ONJ: no dental evaluation before the start of treatment blocks it."""
    found = _by_code(recommend(adult(dental_evaluation_done=False)))
    dental = found["dental-evaluation-before-start"]
    assert dental.severity is Severity.BLOCK
    assert dental.rule_ids == ("O-ONJ",)


def test_o_onj_dental_evaluation_missing_on_running_treatment_warns() -> None:
    """O-ONJ: a running treatment without a recorded dental evaluation gets a warning."""
    start = dt.date(2023, 5, 1)
    found = _by_code(recommend(adult(dental_evaluation_done=False, treatment_start_date=start)))
    assert found["dental-evaluation-before-start"].severity is Severity.WARN
    duration = found["onj-risk-duration"]
    evidence = {item.name: item.value for item in duration.evidence}
    # 366 days in months, the unit a clinician counts a treatment in.
    assert str(evidence["time_on_treatment"]).startswith("12.0")
    assert str(evidence["time_on_treatment"]).endswith("month")


def test_o_onj_no_jaw_surgery_during_treatment() -> None:
    """O-ONJ: planned extractions or major jaw surgery during treatment: a warning."""
    found = _by_code(recommend(adult(jaw_surgery_planned=True)))
    assert found["no-jaw-surgery-during-treatment"].severity is Severity.WARN
    assert "no-jaw-surgery-during-treatment" not in _by_code(recommend(adult()))


def test_o_onj_higher_risk_with_monthly_dosing() -> None:
    """O-ONJ: monthly regimens (4 weeks to a month) are named; 3-monthly and weekly are not."""
    found = _by_code(recommend(adult()))
    monthly = found["onj-risk-monthly-dosing"]
    assert [item.name for item in monthly.evidence] == [
        "zoledronic-acid-4mg-monthly",
        "denosumab-120mg-monthly",
    ]
    assert is_monthly(quantity(4.0, "week"))
    assert is_monthly(quantity(1.0, "month"))
    assert not is_monthly(quantity(3.0, "month"))
    assert not is_monthly(quantity(1.0, "week"))
    assert not is_monthly(quantity(27.0, "day"))


def test_o_onj_nothing_without_bone_targeted_drugs() -> None:
    """O-ONJ: prevention of metastases proposes no drug, so no jaw precautions."""
    result = recommend(adult(setting="prevention_of_metastases", dental_evaluation_done=False))
    assert not any(item.rule_ids == ("O-ONJ",) for item in result.findings)


def test_o_cat_denosumab_hypocalcaemia_precaution() -> None:
    """O-CAT: denosumab always with calcium and vitamin D (deep hypocalcaemia), with the
    patient's calcium and 25-OH vitamin D as evidence."""
    found = _by_code(
        recommend(adult(calcium=quantity(2.1, "mmol/L"), vitamin_d_25oh=quantity(40.0, "nmol/L")))
    )
    hypocalcaemia = found["denosumab-hypocalcaemia"]
    assert hypocalcaemia.severity is Severity.WARN
    assert hypocalcaemia.rule_ids == ("O-CAT",)
    assert [(item.name, item.value) for item in hypocalcaemia.evidence] == [
        ("calcium", quantity(2.1, "mmol/L")),
        ("vitamin_d_25oh", quantity(40.0, "nmol/L")),
    ]
    assert found["zoledronic-acid-supplementation"].severity is Severity.INFO


def test_o_dmab_age_under_18_refused() -> None:
    """O-DMAB-AGE: denosumab is not for a 17-year-old."""
    child = adult(birth_date=dt.date(2007, 5, 2))
    (finding,) = denosumab_age_findings(child)
    assert finding.code == "denosumab-under-18"
    assert finding.severity is Severity.BLOCK
    assert denosumab_age_findings(adult(birth_date=dt.date(2006, 5, 1))) == ()


def test_o_dmab_age_giant_cell_tumour_exception() -> None:
    """O-DMAB-AGE: a skeletally mature adolescent with giant cell tumour of bone is the label's
    exception; not knowing skeletal maturity is no exception."""
    mature = adult(
        birth_date=dt.date(2008, 1, 1), giant_cell_tumour_of_bone=True, skeletally_mature=True
    )
    (finding,) = denosumab_age_findings(mature)
    assert finding.code == "denosumab-age-exception"
    assert finding.severity is Severity.INFO
    unknown = adult(birth_date=dt.date(2008, 1, 1), giant_cell_tumour_of_bone=True)
    assert denosumab_age_findings(unknown)[0].code == "denosumab-under-18"


def test_o_dmab_age_rebound_when_a_plan_stops_or_pauses_denosumab() -> None:
    """O-DMAB-AGE: stopping or pausing denosumab is followed by rebound vertebral fractures."""
    stop = rebound_finding(adult(denosumab_stop_planned=True), plan_offers_denosumab=True)
    assert stop is not None
    assert stop.code == "denosumab-rebound"
    assert stop.severity is Severity.WARN
    switched = rebound_finding(adult(on_denosumab=True), plan_offers_denosumab=False)
    assert switched is not None
    assert rebound_finding(adult(on_denosumab=True), plan_offers_denosumab=True) is None
    assert rebound_finding(adult(), plan_offers_denosumab=False) is None


def test_o_dmab_age_rebound_in_a_recommendation() -> None:
    """O-DMAB-AGE: a patient on denosumab whose plan keeps denosumab (declined performance status
    stops only zoledronic acid) gets no rebound warning; a caller's planned pause does."""
    kept = _by_code(recommend(adult(on_denosumab=True, performance_status_declined=True)))
    assert "denosumab-rebound" not in kept
    paused = _by_code(recommend(adult(on_denosumab=True, denosumab_stop_planned=True)))
    assert "denosumab-rebound" in paused


def test_o_se_bp_side_effects_by_route() -> None:
    """O-SE-BP: ten side effects; oesophageal ulcers for oral products only."""
    assert len(BISPHOSPHONATE_SIDE_EFFECTS) == 10
    oral = side_effects_of(regimen("alendronic-acid-70mg-weekly"))
    iv = side_effects_of(regimen("zoledronic-acid-4mg-monthly"))
    assert len(oral) == 10
    assert len(iv) == 9
    assert "osteonecrosis of the jaw" in [item.name for item in iv]
    assert all(item.rule_ids == ("O-SE-BP",) for item in oral)


def test_o_se_dmab_side_effects() -> None:
    """O-SE-DMAB: eight side effects of denosumab, with the deck's Dutch phrase."""
    listed = side_effects_of(regimen("denosumab-120mg-monthly"))
    assert listed == DENOSUMAB_SIDE_EFFECTS
    assert len(listed) == 8
    assert listed[0].deck == "Spier- en skeletpijn"
    assert all(item.rule_ids == ("O-SE-DMAB",) for item in listed)
    option = recommend(adult()).options[1]
    assert option.side_effects == DENOSUMAB_SIDE_EFFECTS


def test_o_ra223_toxicity_listed() -> None:
    """O-RA223: haematological toxicity and diarrhoea."""
    listed = side_effects_of(regimen("radium-223-4-weekly"))
    assert [item.name for item in listed] == ["haematological toxicity", "diarrhoea"]
