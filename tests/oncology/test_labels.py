"""The current labels beside the deck (O-LABEL, O-INTERVAL): each restriction, both sides of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pint.testing import assert_equal

from bisphos.findings import Severity
from bisphos.oncology.labels import LABEL_RESTRICTIONS, restriction
from bisphos.oncology.patient import AdultPatient, ClinicianOverride
from bisphos.oncology.recommendation import OncologyRecommendation, OptionStatus, recommend
from bisphos.units import quantity
from tests.oncology._patients import adult

OVERRIDE = ClinicianOverride(
    target="pamidronate-severe-renal",
    reason_code="no-alternative",
    reason="denosumab refused by the patient; zoledronic acid not allowed",
    clinician="Dr. A. Jansen",
    time=dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC),
)


def myeloma(**overrides: Any) -> AdultPatient:
    values: dict[str, Any] = {
        "setting": "multiple_myeloma",
        "tumour": "myeloma",
        "osteoporosis": True,
    }
    values.update(overrides)
    return adult(**values)


def _option(result: OncologyRecommendation, regimen_id: str) -> Any:
    return next(item for item in result.options if item.regimen.id == regimen_id)


def _codes(result: OncologyRecommendation) -> list[str]:
    return [item.code for item in result.findings]


def test_every_restriction_names_its_source_year_and_the_deck() -> None:
    """O-LABEL: every restriction has a source, a year after the deck (2016) and the deck's own
    statement beside it."""
    assert len(LABEL_RESTRICTIONS) == 11
    for item in LABEL_RESTRICTIONS:
        assert item.source
        assert 2016 < item.year <= 2026
        assert item.deck
        assert "O-LABEL" in item.rule_ids


def test_myeloma_pamidronate_with_a_clearance_of_27_is_refused() -> None:
    """O-LABEL: pamidronate in myeloma with a creatinine clearance of 27 ml/min is not offered (the
    label: not recommended below 30 ml/min), nor is zoledronic acid (O-RENAL); denosumab 120 mg
    remains."""
    patient = myeloma(serum_creatinine=quantity(205.6, "umol/L"))
    result = recommend(patient)
    assert result.clearance is not None
    assert round(float(result.clearance.value.m_as("mL/min")), 1) == 27.0
    pamidronate = _option(result, "pamidronate-90mg-4-weekly")
    assert pamidronate.status is OptionStatus.REFUSED
    assert pamidronate.dose is None
    assert pamidronate.infusion is None
    assert "pamidronate-renal-not-recommended" in _codes(result)
    assert _option(result, "zoledronic-acid-4mg-monthly").status is OptionStatus.REFUSED
    assert [item.regimen.id for item in result.offered] == ["denosumab-120mg-monthly"]


def test_pamidronate_below_30_on_a_clinician_override_runs_at_20_mg_per_hour() -> None:
    """O-LABEL: a clinician override with a coded reason offers pamidronate below 30
    ml/min, with a warning, at no more than 20 mg/h: 90 mg over 4.5 hours in 500 ml."""
    patient = myeloma(serum_creatinine=quantity(205.6, "umol/L"), overrides=(OVERRIDE,))
    result = recommend(patient)
    pamidronate = _option(result, "pamidronate-90mg-4-weekly")
    assert pamidronate.status is OptionStatus.OFFERED
    assert pamidronate.override == OVERRIDE
    assert pamidronate.infusion is not None
    assert_equal(pamidronate.infusion.duration, quantity(4.5, "h"))
    assert pamidronate.infusion.rate.m_as("mg/h") == 20.0
    assert_equal(pamidronate.infusion.volume, quantity(500.0, "mL"))
    warning = next(f for f in result.findings if f.code == "pamidronate-renal-override")
    assert warning.severity is Severity.WARN


@pytest.mark.parametrize(
    ("creatinine", "hours", "rate"),
    [
        (80.0, 2.0, 45.0),  # 69 ml/min: 250 ml over 2 h
        (95.0, 4.5, 20.0),  # 58 ml/min: renal impairment, at most 20 mg/h
        (150.0, 4.5, 20.0),  # 37 ml/min
    ],
)
def test_pamidronate_for_bone_metastases_infusion(
    creatinine: float, hours: float, rate: float
) -> None:
    """O-LABEL: pamidronate for bone metastases over 2 h in 250 ml (45 mg/h, under 60 mg/h); with
    a clearance below 60 ml/min no faster than 20 mg/h, so 90 mg runs 4.5 h."""
    patient = adult(serum_creatinine=quantity(creatinine, "umol/L"))
    # Breast cancer is not offered pamidronate by the deck; the infusion module is called directly.
    from bisphos.oncology.infusion import plan_infusion
    from bisphos.oncology.regimens import regimen
    from bisphos.oncology.renal import creatinine_clearance

    clearance = creatinine_clearance(patient)
    assert clearance is not None
    infusion, findings = plan_infusion(
        regimen("pamidronate-90mg-4-weekly"),
        quantity(90.0, "mg"),
        setting=patient.setting,
        clearance=clearance.value,
    )
    assert infusion is not None
    assert_equal(infusion.volume, quantity(250.0, "mL"))
    assert infusion.duration.m_as("h") == hours
    assert infusion.rate.m_as("mg/h") == rate
    assert infusion.concentration.m_as("mg/mL") == 0.36
    assert bool(findings) == (hours > 2.0)


def test_zoledronic_acid_withhold_rule_from_a_normal_baseline() -> None:
    """O-LABEL: a rise of 0.5 mg/dl from a normal baseline (0.9 -> 1.4 mg/dl) withholds zoledronic
    acid; 0.49 mg/dl does not; the block says when to resume (within 10 % of the baseline)."""
    withheld = recommend(
        adult(
            serum_creatinine=quantity(1.4, "mg/dL"),
            baseline_creatinine=quantity(0.9, "mg/dL"),
            weight=quantity(90.0, "kg"),
        )
    )
    zoledronic = _option(withheld, "zoledronic-acid-4mg-monthly")
    assert zoledronic.status is OptionStatus.REFUSED
    block = next(f for f in withheld.findings if f.code == "creatinine-rise-withhold")
    assert block.severity is Severity.BLOCK
    resume = {e.name: e.value for e in block.evidence}["resume_at_or_below"]
    assert str(resume).startswith("0.99")
    given = recommend(
        adult(
            serum_creatinine=quantity(1.39, "mg/dL"),
            baseline_creatinine=quantity(0.9, "mg/dL"),
            weight=quantity(90.0, "kg"),
        )
    )
    assert _option(given, "zoledronic-acid-4mg-monthly").status is OptionStatus.OFFERED


def test_zoledronic_acid_withhold_rule_from_an_abnormal_baseline() -> None:
    """O-LABEL: from an abnormal baseline (1.5 mg/dl) a rise of 1.0 mg/dl withholds, 0.9 does not;
    the denosumab option, without a renal rule, is not withheld."""

    def status(current: float) -> OptionStatus:
        result = recommend(
            adult(
                serum_creatinine=quantity(current, "mg/dL"),
                baseline_creatinine=quantity(1.5, "mg/dL"),
                weight=quantity(120.0, "kg"),
                birth_date=dt.date(1980, 1, 1),
            )
        )
        assert _option(result, "denosumab-120mg-monthly").status is OptionStatus.OFFERED
        status: OptionStatus = _option(result, "zoledronic-acid-4mg-monthly").status
        return status

    assert status(2.5) is OptionStatus.REFUSED
    assert status(2.4) is OptionStatus.OFFERED


def test_zoledronic_acid_creatinine_before_each_dose_and_15_minutes() -> None:
    """O-LABEL: zoledronic acid 4 mg with a creatinine before each dose, infused over 15 minutes
    in 100 ml, each restriction shown beside the deck's statement."""
    result = recommend(adult())
    zoledronic = _option(result, "zoledronic-acid-4mg-monthly")
    assert "creatinine-before-each-dose" in _codes(result)
    assert zoledronic.infusion is not None
    assert zoledronic.infusion.duration.m_as("min") == 15.0
    assert_equal(zoledronic.infusion.volume, quantity(100.0, "mL"))
    ids = [item.id for item in zoledronic.labels]
    assert ids == [
        "every-4-weeks",
        "zoledronic-acid-creatinine-each-dose",
        "zoledronic-acid-withhold",
        "zoledronic-acid-infusion-time",
    ]
    assert restriction("zoledronic-acid-infusion-time").deck.startswith("Infuus duurt enkele")


@pytest.mark.parametrize(
    ("overrides", "warned"),
    [
        ({"egfr": quantity(29.0, "mL_min_1_73m2")}, True),
        ({"egfr": quantity(30.0, "mL_min_1_73m2")}, False),
        ({"dialysis": True, "egfr": quantity(60.0, "mL_min_1_73m2")}, True),
        ({"serum_creatinine": quantity(250.0, "umol/L")}, True),  # clearance 22 ml/min, no eGFR
        ({}, False),
    ],
)
def test_denosumab_60_mg_in_severe_kidney_disease(overrides: dict[str, Any], warned: bool) -> None:
    """O-LABEL: denosumab 60 mg with an eGFR below 30 ml/min/1.73 m² or on dialysis: WARN with
    calcium monitoring (FDA boxed warning 2024); without an eGFR a clearance below 30 counts."""
    patient = adult(
        setting="prevention_of_osteoporosis", tumour="prostate", sex="male", **overrides
    )
    result = recommend(patient)
    found = [f for f in result.findings if f.code == "denosumab-severe-ckd-hypocalcaemia"]
    assert bool(found) == warned
    if found:
        assert found[0].severity is Severity.WARN
        assert "weekly" in found[0].action


def test_life_expectancy_is_shown_in_months() -> None:
    """O-SRE-OTHER: a life expectancy entered in weeks is shown in months beside its 3-month
    limit, never in hours."""
    result = recommend(
        adult(tumour="lung", life_expectancy=quantity(8.0, "week"), high_sre_risk=True)
    )
    finding = next(f for f in result.findings if f.code == "sre-other-not-indicated")
    evidence = next(e for e in finding.evidence if e.name == "life_expectancy")
    assert str(evidence).startswith("life_expectancy = 1.8")
    assert "month" in str(evidence)
    assert "hour" not in str(evidence)
