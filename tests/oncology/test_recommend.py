"""Golden recommendations per setting: O-SRE-*, O-PREV-* and O-OP-* through recommend()."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pint.testing import assert_equal

from bisphos.findings import Finding, Severity, blocking
from bisphos.oncology import (
    PROTOCOL_ID,
    PROTOCOL_VERSION,
    Advice,
    OncologyRecommendation,
    OptionStatus,
    recommend,
)
from bisphos.oncology.patient import AdultPatient
from bisphos.units import Quantity, quantity
from tests.oncology._patients import TODAY, adult


def _options(result: OncologyRecommendation) -> list[tuple[str, Advice, OptionStatus]]:
    return [(item.regimen.id, item.advice, item.status) for item in result.options]


def _codes(result: OncologyRecommendation) -> list[str]:
    return [item.code for item in result.findings]


def _finding(result: OncologyRecommendation, code: str) -> Finding:
    (found,) = (item for item in result.findings if item.code == code)
    return found


def test_o_sre_breast_zoledronic_acid_or_denosumab_for_all() -> None:
    """O-SRE-BREAST: bone metastases of breast cancer: zoledronic acid 4 mg monthly or denosumab
    120 mg monthly, regardless of symptoms; zoledronic acid every 3 months as the alternative."""
    result = recommend(adult())
    assert result.protocol_id == PROTOCOL_ID
    assert result.protocol_version == PROTOCOL_VERSION
    assert result.in_scope
    assert _options(result) == [
        ("zoledronic-acid-4mg-monthly", Advice.START, OptionStatus.OFFERED),
        ("denosumab-120mg-monthly", Advice.START, OptionStatus.OFFERED),
        ("zoledronic-acid-4mg-monthly", Advice.ALTERNATIVE, OptionStatus.OFFERED),
    ]
    zoledronic, denosumab, every_3_months = result.options
    assert_equal(zoledronic.dose, quantity(4.0, "mg"))  # 69.4 ml/min: full dose
    assert_equal(denosumab.dose, quantity(120.0, "mg"))
    assert every_3_months.interval.m_as("month") == 3.0
    assert "O-SRE-BREAST" in zoledronic.rule_ids
    assert "O-RENAL" in zoledronic.rule_ids
    assert "start-regardless-of-symptoms" in _codes(result)
    assert "continuation-advice" in _codes(result)
    assert blocking(result.findings) == ()
    assert {item.id for item in result.evidence} >= {
        "bisphosphonates-vs-placebo",
        "zoledronic-acid-vs-pamidronate-breast",
        "denosumab-vs-zoledronic-acid-breast",
    }


def test_o_sre_breast_continuation_with_declined_performance_status() -> None:
    """O-SRE-BREAST: the intravenous bisphosphonate runs until the performance status declines;
    then only denosumab (given continuously) is proposed."""
    result = recommend(adult(performance_status_declined=True, treatment_start_date=TODAY))
    assert _options(result) == [
        ("denosumab-120mg-monthly", Advice.CONTINUE, OptionStatus.OFFERED),
    ]
    declined = _finding(result, "performance-status-declined")
    assert declined.severity is Severity.WARN


def test_o_sre_breast_stable_disease_consider_pausing() -> None:
    """O-SRE-BREAST: stable disease: consider pausing or giving zoledronic acid less often."""
    result = recommend(adult(stable_disease=True))
    assert "stable-disease" in _codes(result)
    assert result.options[2].interval.m_as("month") == 3.0


def test_o_sre_prostate_zoledronic_acid_or_denosumab_for_all() -> None:
    """O-SRE-PROSTATE: bone metastases of prostate cancer: the same options as breast cancer,
    the trial-population caveat, and the prostate trials as evidence (not the breast trials)."""
    patient = adult(sex="male", tumour="prostate", weight=quantity(80.0, "kg"))
    result = recommend(patient)
    assert [item.regimen.id for item in result.options] == [
        "zoledronic-acid-4mg-monthly",
        "denosumab-120mg-monthly",
        "zoledronic-acid-4mg-monthly",
    ]
    assert "prostate-trial-population" in _codes(result)
    assert _finding(result, "start-regardless-of-symptoms").rule_ids == ("O-SRE-PROSTATE",)
    ids = {item.id for item in result.evidence}
    assert "denosumab-vs-zoledronic-acid-prostate" in ids
    assert "denosumab-vs-zoledronic-acid-breast" not in ids
    # Male, 64 y, 80 kg, 80 µmol/l: 76 x 80 / (72 x 80 / 88.4) = 93.3 ml/min -> 4 mg
    assert_equal(result.options[0].dose, quantity(4.0, "mg"))


def test_o_sre_prostate_renal_adjusted_dose_and_cost() -> None:
    """O-SRE-PROSTATE with O-RENAL: a clearance of 54 ml/min gives zoledronic acid 3.5 mg; the
    yearly cost stays 13 x €143 = €1859 (O-INTERVAL: every 4 weeks; 2016 list prices, one vial
    per administration)."""
    patient = adult(
        sex="male",
        tumour="prostate",
        weight=quantity(80.0, "kg"),
        birth_date=dt.date(1950, 3, 1),
        serum_creatinine=quantity(120.0, "umol/L"),
    )
    result = recommend(patient)
    zoledronic = result.options[0]
    assert_equal(zoledronic.dose, quantity(3.5, "mg"))
    assert zoledronic.yearly_cost is not None
    assert zoledronic.yearly_cost.amount == Decimal("1859.00")
    assert zoledronic.yearly_cost.label == (
        "€ 1859.00 per year (13 administrations, 2016 list prices)"
    )
    assert zoledronic.regimen.deck_interval == "1x/maand"
    assert zoledronic.interval.m_as("day") == 28.0
    assert result.options[2].yearly_cost is not None
    assert result.options[2].yearly_cost.amount == Decimal("572.00")
    assert result.clearance is not None
    assert round(float(result.clearance.value.m_as("mL/min")), 2) == 54.02


def test_o_sre_prostate_severe_renal_impairment() -> None:
    """O-SRE-PROSTATE with O-RENAL: below 30 ml/min zoledronic acid is refused, denosumab stays."""
    patient = adult(sex="male", tumour="prostate", serum_creatinine=quantity(300.0, "umol/L"))
    result = recommend(patient)
    assert _options(result) == [
        ("zoledronic-acid-4mg-monthly", Advice.START, OptionStatus.REFUSED),
        ("denosumab-120mg-monthly", Advice.START, OptionStatus.OFFERED),
        ("zoledronic-acid-4mg-monthly", Advice.ALTERNATIVE, OptionStatus.REFUSED),
    ]
    assert result.options[0].dose is None
    assert result.options[0].yearly_cost is None
    # The same renal finding is given once, not once per interval.
    assert _codes(result).count("zoledronic-acid-renal-not-recommended") == 1


def test_o_sre_breast_without_creatinine_needs_data() -> None:
    """O-SRE-BREAST with O-RENAL: no creatinine: zoledronic acid needs data and has no dose."""
    result = recommend(adult(serum_creatinine=None))
    assert result.options[0].status is OptionStatus.NEEDS_DATA
    assert result.options[0].dose is None
    assert result.options[1].status is OptionStatus.OFFERED
    assert "creatinine-clearance-missing" in _codes(result)


def test_o_sre_other_considered_with_life_expectancy_and_high_risk() -> None:
    """O-SRE-OTHER: lung cancer, life expectancy 6 months, high SRE risk: consider zoledronic
    acid or denosumab."""
    patient = adult(tumour="lung", life_expectancy=quantity(6.0, "month"), high_sre_risk=True)
    result = recommend(patient)
    assert _options(result) == [
        ("zoledronic-acid-4mg-monthly", Advice.CONSIDER, OptionStatus.OFFERED),
        ("denosumab-120mg-monthly", Advice.CONSIDER, OptionStatus.OFFERED),
    ]
    assert "sre-other-consider" in _codes(result)
    assert "bisphosphonates-other-solid-tumours" in {item.id for item in result.evidence}


def test_o_sre_other_life_expectancy_boundary() -> None:
    """O-SRE-OTHER: more than 3 months: exactly 3 months (or 13 weeks) is not enough; 3 months
    and a day is."""

    def options(life: Quantity) -> int:
        patient = adult(tumour="renal_cell", life_expectancy=life, high_sre_risk=True)
        return len(recommend(patient).options)

    assert options(quantity(3.0, "month")) == 0
    assert options(quantity(13.0, "week")) == 0
    assert options(quantity(3.0 * 365.25 / 12 + 1, "day")) == 2
    assert options(quantity(0.25, "year")) == 0  # 3 months, written in years


def test_o_sre_other_not_indicated_or_missing_facts() -> None:
    """O-SRE-OTHER: low SRE risk: nothing proposed; unknown risk or life expectancy: a warning."""
    low = recommend(
        adult(tumour="other_solid", life_expectancy=quantity(1.0, "year"), high_sre_risk=False)
    )
    assert low.options == ()
    assert "sre-other-not-indicated" in _codes(low)
    unknown = recommend(adult(tumour="lung"))
    assert unknown.options == ()
    missing = _finding(unknown, "sre-other-information-missing")
    assert [e.name for e in missing.evidence] == [
        "life_expectancy",
        "high_sre_risk",
    ]


def myeloma(**overrides: Any) -> AdultPatient:
    values: dict[str, Any] = {"setting": "multiple_myeloma", "tumour": "myeloma"}
    values.update(overrides)
    return adult(**values)


def test_o_sre_mm_start_with_osteopenia() -> None:
    """O-SRE-MM, O-LABEL: osteopenia: start iv pamidronate or zoledronic acid, for at least 2
    years; denosumab 120 mg, registered for myeloma since 2018, is the alternative the deck
    calls possible (its 2016 "not registered" is shown as the deck's statement)."""
    result = recommend(myeloma(osteopenia=True))
    assert _options(result) == [
        ("pamidronate-90mg-4-weekly", Advice.START, OptionStatus.OFFERED),
        ("zoledronic-acid-4mg-monthly", Advice.START, OptionStatus.OFFERED),
        ("denosumab-120mg-monthly", Advice.ALTERNATIVE, OptionStatus.OFFERED),
    ]
    duration = _finding(result, "myeloma-minimum-duration")
    evidence = {e.name: e.value for e in duration.evidence}
    assert evidence["earliest_stop_date"] == dt.date(2026, 5, 1)
    registered = _finding(result, "denosumab-registered-myeloma")
    assert "2018" in registered.message
    assert "2016" in registered.message
    pamidronate = result.options[0]
    assert pamidronate.yearly_cost is not None
    assert pamidronate.yearly_cost.amount == Decimal("1898.00")  # 146 x 13
    # O-LABEL: myeloma: 90 mg in 500 ml over 4 hours (the clearance here is above 60 ml/min).
    assert pamidronate.infusion is not None
    assert_equal(pamidronate.infusion.volume, quantity(500.0, "mL"))
    assert_equal(pamidronate.infusion.duration, quantity(4.0, "h"))
    assert pamidronate.infusion.rate.m_as("mg/h") == 22.5


def test_o_sre_mm_not_without_osteopenia_or_osteoporosis() -> None:
    """O-SRE-MM: neither osteopenia nor osteoporosis: nothing is started."""
    result = recommend(myeloma())
    assert result.options == ()
    assert "myeloma-not-indicated" in _codes(result)


def test_o_sre_mm_after_two_years() -> None:
    """O-SRE-MM: after 2 years, active bone disease continues every 3 months; without it the
    bisphosphonate may stop. One day short of 2 years it simply continues."""
    start = dt.date(2022, 5, 1)
    active = recommend(
        myeloma(osteoporosis=True, treatment_start_date=start, active_bone_disease=True)
    )
    assert [(o.advice, o.interval.m_as("month")) for o in active.options[:2]] == [
        (Advice.CONTINUE, 3.0),
        (Advice.CONTINUE, 3.0),
    ]
    assert active.options[2].regimen.id == "denosumab-120mg-monthly"
    assert active.options[2].interval.m_as("week") == 4.0
    inactive = recommend(myeloma(osteoporosis=True, treatment_start_date=start))
    assert inactive.options == ()
    assert "myeloma-may-stop" in _codes(inactive)
    short = recommend(myeloma(osteoporosis=True, treatment_start_date=dt.date(2022, 5, 2)))
    assert [o.advice for o in short.options] == [
        Advice.CONTINUE,
        Advice.CONTINUE,
        Advice.ALTERNATIVE,
    ]
    assert short.options[0].interval.m_as("week") == 4.0


def test_o_sre_mm_restart_at_relapse() -> None:
    """O-SRE-MM: relapse or a new SRE: restart, whatever the bone findings."""
    result = recommend(myeloma(relapse_or_new_sre=True))
    assert [o.advice for o in result.options] == [
        Advice.RESTART,
        Advice.RESTART,
        Advice.ALTERNATIVE,
    ]
    assert "myeloma-restart" in _codes(result)


def test_o_sre_mm_patient_on_denosumab() -> None:
    """O-SRE-MM, O-LABEL and O-DMAB-AGE: on denosumab in myeloma: no warning of registration
    (registered since 2018); the rebound warning comes when the plan offers no denosumab, after 2
    years without active bone disease."""
    result = recommend(myeloma(osteopenia=True, on_denosumab=True))
    assert "denosumab-rebound" not in _codes(result)
    stopping = recommend(
        myeloma(osteopenia=True, on_denosumab=True, treatment_start_date=dt.date(2021, 1, 1))
    )
    assert stopping.options == ()
    assert "denosumab-rebound" in _codes(stopping)


def test_o_prev_breast_adjuvant_advice_without_dose() -> None:
    """O-PREV-BREAST: adjuvant bisphosphonates, mainly postmenopausal (EBCTCG 2015): advice and
    evidence, no regimen because the deck names none."""
    result = recommend(
        adult(setting="prevention_of_metastases", menopausal_status="postmenopausal")
    )
    assert result.options == ()
    adjuvant = _finding(result, "adjuvant-bisphosphonates")
    assert "like this patient" in adjuvant.message
    assert "no-regimen-in-deck" in _codes(result)
    assert {item.id for item in result.evidence} == {
        "adjuvant-bisphosphonates-breast",
        "adjuvant-bisphosphonates-breast-postmenopausal",
    }
    unknown = recommend(adult(setting="prevention_of_metastases"))
    action = _finding(unknown, "adjuvant-bisphosphonates").action
    assert action == "record the menopausal status"


def test_o_prev_prostate_evidence_without_dose() -> None:
    """O-PREV-PROSTATE: denosumab lengthens bone-metastasis-free survival; no regimen given."""
    result = recommend(adult(sex="male", tumour="prostate", setting="prevention_of_metastases"))
    assert result.options == ()
    assert "denosumab-metastasis-free-survival" in _codes(result)
    assert [item.id for item in result.evidence] == ["denosumab-metastasis-free-survival-prostate"]


def test_o_prev_other_tumours() -> None:
    """O-PREV-BREAST and O-PREV-PROSTATE: the deck covers those two tumours only."""
    result = recommend(adult(tumour="lung", setting="prevention_of_metastases"))
    assert result.options == ()
    assert _codes(result) == ["no-prevention-advice", "creatinine-clearance"]


def test_o_op_general_calcium_and_vitamin_d() -> None:
    """O-OP-GENERAL: calcium 1000 mg/day and vitamin D 1000-2000 IU/day, for every tumour."""
    result = recommend(adult(tumour="lung", setting="prevention_of_osteoporosis"))
    assert result.options == ()
    calcium, vitamin_d = result.supplements
    assert calcium.substance == "calcium"
    assert_equal(calcium.daily_minimum, quantity(1000.0, "mg"))
    assert_equal(calcium.daily_maximum, quantity(1000.0, "mg"))
    assert vitamin_d.substance == "vitamin D"
    assert_equal(vitamin_d.daily_minimum, quantity(1000.0, "IU"))
    assert_equal(vitamin_d.daily_maximum, quantity(2000.0, "IU"))
    assert calcium.rule_ids == vitamin_d.rule_ids == ("O-OP-GENERAL",)
    assert "no-drug-advice-for-tumour" in _codes(result)


def test_o_op_breast_postmenopausal_osteoporosis_doses() -> None:
    """O-OP-BREAST: the catalogue's postmenopausal-osteoporosis regimens, with the supplements."""
    result = recommend(adult(setting="prevention_of_osteoporosis"))
    assert [item.regimen.id for item in result.options] == [
        "alendronic-acid-70mg-weekly",
        "alendronic-acid-10mg-daily",
        "risedronic-acid-35mg-weekly",
        "risedronic-acid-5mg-daily",
        "ibandronic-acid-150mg-monthly",
        "ibandronic-acid-3mg-iv-3-monthly",
        "zoledronic-acid-5mg-yearly",
        "denosumab-60mg-6-monthly",
    ]
    assert all(item.status is OptionStatus.OFFERED for item in result.options)
    assert len(result.supplements) == 2
    costs = {item.regimen.id: item.yearly_cost for item in result.options}
    assert costs["alendronic-acid-70mg-weekly"] is not None
    assert costs["alendronic-acid-70mg-weekly"].amount == Decimal("5.72")  # 0.11 x 52
    assert costs["denosumab-60mg-6-monthly"] is not None
    assert costs["denosumab-60mg-6-monthly"].amount == Decimal("440.00")


def test_o_op_breast_renal_limits() -> None:
    """O-OP-BREAST with O-RENAL: at 32 ml/min alendronic acid and zoledronic acid 5 mg are
    refused (minimum 35), risedronic acid is allowed (minimum 30)."""
    # 64 y, 70 kg, female: creatinine 173.5 µmol/l gives 32.0 ml/min
    result = recommend(
        adult(setting="prevention_of_osteoporosis", serum_creatinine=quantity(173.5, "umol/L"))
    )
    assert result.clearance is not None
    assert round(float(result.clearance.value.m_as("mL/min")), 1) == 32.0
    status = {item.regimen.id: item.status for item in result.options}
    assert status["alendronic-acid-70mg-weekly"] is OptionStatus.REFUSED
    assert status["zoledronic-acid-5mg-yearly"] is OptionStatus.REFUSED
    assert status["risedronic-acid-35mg-weekly"] is OptionStatus.OFFERED
    assert status["denosumab-60mg-6-monthly"] is OptionStatus.OFFERED


def test_o_op_prostate_preferred_regimens() -> None:
    """O-OP-PROSTATE: zoledronic acid every 6-12 months (the 5 mg product, yearly by default) or
    denosumab 60 mg every 6 months."""
    result = recommend(adult(sex="male", tumour="prostate", setting="prevention_of_osteoporosis"))
    assert _options(result) == [
        ("zoledronic-acid-5mg-yearly", Advice.PREFERRED, OptionStatus.OFFERED),
        ("denosumab-60mg-6-monthly", Advice.PREFERRED, OptionStatus.OFFERED),
    ]
    zoledronic = result.options[0]
    assert zoledronic.interval.m_as("month") == 12.0
    assert zoledronic.interval_range is not None
    assert [bound.m_as("month") for bound in zoledronic.interval_range] == [6.0, 12.0]
    assert result.options[1].interval.m_as("month") == 6.0
    assert "bone-loss-prostate" in _codes(result)


def test_every_finding_and_option_names_rule_ids() -> None:
    """O-CAT, O-RENAL: every option and finding of a full recommendation names declared rules."""
    from bisphos.oncology import RULES

    result = recommend(adult(setting="prevention_of_osteoporosis", on_denosumab=True))
    assert all(item.rule_ids for item in result.options)
    assert all(set(item.rule_ids) <= set(RULES) for item in result.findings)
    assert set(result.rule_ids) <= set(RULES)
