"""The assessment of one patient, rule by rule, with the values the catalogue gives.

P-SCOPE-1, P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY, P-CI-PREG, P-PRE-LABS, P-PRE-VITD, P-PRE-CA,
P-PRE-DXA, P-GFR, P-SUPP-VITD, P-SUPP-CA: each finding with its code, severity, rule ids and the
values that triggered it; both sides of each boundary.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from bisphos.findings import Evidence, Severity
from bisphos.model import (
    BmdMeasurement,
    BmdSite,
    Diagnosis,
    Drug,
    Fracture,
    FractureSite,
    InfusionRecord,
    LabResult,
    Labs,
    Patient,
    RiskFlags,
    Sex,
    Trauma,
    VitalSigns,
)
from bisphos.pediatric.assessment import (
    LAB_NAMES,
    Assessment,
    albumin_corrected_calcium,
    assess,
    could_become_pregnant,
    in_scope,
)
from bisphos.pediatric.renal import SchwartzEstimator
from bisphos.units import Quantity, ureg

TODAY = dt.date(2026, 11, 23)
BORN = dt.date(2016, 5, 10)  # ten years old
LAB_DATE = TODAY - dt.timedelta(days=7)


def _q(magnitude: float, unit: str) -> Quantity:
    return ureg.Quantity(magnitude, unit)


def _labs(**changes: object) -> Labs:
    """Complete P-PRE-LABS labs, all normal (creatinine 40 µmol/l), changed as given."""
    values: dict[str, object] = {
        "calcium": _q(2.4, "mmol/L"),
        "phosphate": _q(1.4, "mmol/L"),
        "alkaline_phosphatase": _q(250.0, "U/L"),
        "urea": _q(4.0, "mmol/L"),
        "creatinine": _q(40.0, "umol/L"),
        "albumin": _q(40.0, "g/L"),
        "vitamin_d_25oh": _q(70.0, "nmol/L"),
        "pth": LabResult(_q(4.0, "pmol/L"), upper_limit=_q(7.0, "pmol/L")),
    }
    values.update(changes)
    # P-FRESH: every lab dated a week before the assessment.
    dated = {
        name: attrs.evolve(value, date=LAB_DATE)
        if isinstance(value, LabResult)
        else LabResult(value, date=LAB_DATE)  # type: ignore[arg-type]
        for name, value in values.items()
        if value is not None
    }
    return Labs(**dated)


VITALS = VitalSigns(
    temperature=_q(36.8, "degC"),
    heart_rate=_q(90.0, "1/min"),
    systolic_bp=_q(100.0, "mmHg"),
    diastolic_bp=_q(60.0, "mmHg"),
)
SCANS = (
    BmdMeasurement(BmdSite.LUMBAR_SPINE, -2.5, date=dt.date(2026, 10, 1)),
    BmdMeasurement(BmdSite.TOTAL_BODY_LESS_HEAD, -2.1, date=dt.date(2026, 10, 1)),
)


def patient(**changes: Any) -> Patient:
    """A ten-year-old girl with OI and a vertebral fracture, 130 cm (GFR 130), cleared today."""
    base = Patient(
        birth_date=BORN,
        assessment_date=TODAY,
        sex=Sex.FEMALE,
        weight=_q(30.0, "kg"),
        height=_q(130.0, "cm"),
        diagnosis=Diagnosis.OSTEOGENESIS_IMPERFECTA,
        fractures=(
            Fracture(FractureSite.VERTEBRAL_COMPRESSION, Trauma.MINIMAL, date=dt.date(2026, 9, 1)),
        ),
        bmd=SCANS,
        labs=_labs(),
        vitals=VITALS,
        baseline_vitals=VITALS,
        risks=RiskFlags(could_become_pregnant=False),
    )
    return attrs.evolve(base, **changes)


def later(**changes: Any) -> Patient:
    """The same patient after a first infusion of zoledronic acid."""
    given = InfusionRecord(Drug.ZOLEDRONIC_ACID, dt.date(2026, 5, 1), _q(0.375, "mg"))
    return patient(infusions=(given,), **changes)


# --- the whole assessment ----------------------------------------------------------------------


def test_a_cleared_patient() -> None:
    """P-IND-B, P-GFR, P-SUPP-VITD, P-SUPP-CA, P-MON-*: indicated, nothing blocks, both drugs."""
    assessment = assess(patient())
    assert assessment.protocol == "nl-pediatric-iv-bp-2024"
    assert assessment.assessment_date == TODAY
    assert assessment.in_scope
    assert assessment.first_infusion
    assert assessment.indicated
    assert assessment.cleared_today
    assert assessment.blocks == ()
    assert assessment.allowed_drugs == (Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE)
    assert assessment.zoledronic_acid_allowed
    assert assessment.codes == (
        "indicated",
        "gfr-above-90",
        "vitamin-d-supplementation",
        "calcium-intake",
        "monitoring",
        "hypocalcaemia-warning",
        "side-effects",
        "long-term-effects",
    )
    assert assessment.rule_ids[:4] == ("P-IND-A", "P-IND-B", "P-FX-a", "P-BMD")
    assert "P-MON-HYPOCA" in assessment.rule_ids
    assert assessment.finding("gfr-above-90") is assessment.findings[1]
    assert assessment.finding("fever") is None
    assert assessment.supplements is not None
    assert assessment.monitoring is not None
    assert assessment.renal is not None
    assert assessment.renal.estimate is not None
    assert assessment.renal.estimate.value == _q(130.0, "mL_min_1_73m2")


def test_gfr_not_above_90_leaves_pamidronate_only() -> None:
    """P-GFR: 90 cm and creatinine 40 give GFR 90: pamidronate only, still cleared."""
    assessment = assess(patient(height=_q(90.0, "cm")))
    assert assessment.allowed_drugs == (Drug.PAMIDRONATE,)
    assert not assessment.zoledronic_acid_allowed
    assert assessment.cleared_today
    assert "gfr-not-above-90" in assessment.codes


def test_the_estimator_is_the_callers() -> None:
    """P-GFR: a local estimator (k = 27.6) turns GFR 130 into 89.7: no zoledronic acid."""
    local = SchwartzEstimator(name="local", k=27.6)
    assessment = assess(patient(), estimator=local)
    assert assessment.allowed_drugs == (Drug.PAMIDRONATE,)
    assert assessment.renal is not None
    assert assessment.renal.estimator == "local"


def test_not_indicated_allows_nothing() -> None:
    """P-IND-B: without fractures nothing is allowed, advised or monitored."""
    assessment = assess(patient(fractures=()))
    assert not assessment.indicated
    assert not assessment.cleared_today
    assert assessment.allowed_drugs == ()
    assert assessment.supplements is None
    assert assessment.monitoring is None
    assert [f.code for f in assessment.blocks] == ["not-indicated-criteria"]


# --- scope (P-SCOPE-1) -------------------------------------------------------------------------


def test_nineteenth_birthday_is_out_of_scope() -> None:
    """P-SCOPE-1: on the 19th birthday nothing is assessed or cleared; the day before it is."""
    nineteen = patient(birth_date=dt.date(2007, 11, 23))
    assert not in_scope(nineteen)
    assert in_scope(patient(birth_date=dt.date(2007, 11, 24)))
    assessment = assess(nineteen)
    assert not assessment.in_scope
    assert not assessment.indicated
    assert not assessment.cleared_today
    assert assessment.indication is None
    assert assessment.renal is None
    assert assessment.supplements is None
    assert assessment.monitoring is None
    assert assessment.allowed_drugs == ()
    assert assessment.first_infusion
    (finding,) = assessment.findings
    assert assessment.blocks == (finding,)
    assert finding.code == "out-of-scope"
    assert finding.rule_ids == ("P-SCOPE-1",)
    assert finding.severity is Severity.BLOCK
    assert finding.message == (
        "The patient is 19 years old: the pediatric protocol is for patients younger than 19. "
        "Nothing is assessed or cleared."
    )
    assert finding.evidence == (
        Evidence("age", nineteen.age, threshold=_q(19.0, "year")),
        Evidence("birth_date", dt.date(2007, 11, 23)),
        Evidence("19th birthday", dt.date(2026, 11, 23)),
    )


def test_out_of_scope_keeps_the_history_flag() -> None:
    """P-SCOPE-1: an out-of-scope patient with infusions is not at a first infusion."""
    assessment = assess(later(birth_date=dt.date(2005, 1, 1)))
    assert not assessment.in_scope
    assert not assessment.first_infusion


# --- contraindications (P-CI-*) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "blocked"),
    [
        (_q(38.5, "degC"), False),
        (_q(38.6, "degC"), True),
        (_q(101.3, "degF"), False),
        (_q(101.4, "degF"), True),
    ],
)
def test_fever_above_38_5_blocks(temperature: Quantity, blocked: bool) -> None:
    """P-CI-FEVER: above 38.5 °C postpones the infusion; exactly 38.5 °C (101.3 °F) does not."""
    assessment = assess(patient(vitals=attrs.evolve(VITALS, temperature=temperature)))
    fever = assessment.finding("fever")
    assert (fever is not None) is blocked
    assert assessment.cleared_today is not blocked
    if fever is not None:
        assert fever.rule_ids == ("P-CI-FEVER",)
        assert fever.severity is Severity.BLOCK
        assert fever.message == "Temperature above 38.5 °C: postpone the infusion."
        assert fever.evidence == (
            Evidence("vitals.temperature", temperature.to("degC"), threshold=_q(38.5, "degC")),
        )
        assert fever.action == "Postpone the infusion until the fever has resolved."


def test_missing_temperature_warns() -> None:
    """P-CI-FEVER, P-MON-CHECKS: no temperature today is a warning to measure it."""
    assessment = assess(patient(vitals=attrs.evolve(VITALS, temperature=None)))
    finding = assessment.finding("temperature-not-recorded")
    assert finding is not None
    assert finding.rule_ids == ("P-CI-FEVER", "P-MON-CHECKS")
    assert finding.severity is Severity.WARN
    assert finding.message == "No temperature recorded today: fever cannot be excluded yet."
    assert finding.evidence == (Evidence("vitals.temperature", "missing"),)
    assert finding.action == "Measure the temperature before the infusion; postpone above 38.5 °C."
    assert assessment.cleared_today


@pytest.mark.parametrize(("calcium", "blocked"), [(2.2, False), (2.199, True), (1.9, True)])
def test_total_calcium_below_2_2_blocks(calcium: float, blocked: bool) -> None:
    """P-CI-HYPOCA: total calcium below 2.2 mmol/l blocks; exactly 2.2 does not."""
    assessment = assess(later(labs=_labs(calcium=_q(calcium, "mmol/L"))))
    finding = assessment.finding("hypocalcaemia")
    assert (finding is not None) is blocked
    if finding is not None:
        assert finding.rule_ids == ("P-CI-HYPOCA",)
        assert finding.severity is Severity.BLOCK
        assert finding.message == "Total calcium below 2.2 mmol/l: do not infuse."
        assert finding.evidence == (
            Evidence("labs.calcium", _q(calcium, "mmol/L"), threshold=_q(2.2, "mmol/L")),
        )
        assert finding.action == (
            "Consult the treating physician or the paediatric endocrinologist on call."
        )


def test_albumin_corrected_calcium_is_information_only() -> None:
    """P-CI-HYPOCA: total 2.25 with albumin 45 g/l corrects to 2.15: shown, never blocking."""
    assessment = assess(later(labs=_labs(calcium=_q(2.25, "mmol/L"), albumin=_q(45.0, "g/L"))))
    assert assessment.finding("hypocalcaemia") is None
    info = assessment.finding("albumin-corrected-calcium")
    assert info is not None
    assert info.severity is Severity.INFO
    assert info.rule_ids == ("P-CI-HYPOCA",)
    assert info.message == (
        "Albumin-corrected calcium (Payne), for information only: total calcium decides."
    )
    corrected = info.evidence[0]
    assert corrected.name == "albumin-corrected calcium"
    assert isinstance(corrected.value, ureg.Quantity)
    assert corrected.value.m_as("mmol/L") == pytest.approx(2.15)
    assert info.evidence[1:] == (
        Evidence("labs.calcium", _q(2.25, "mmol/L")),
        Evidence("labs.albumin", _q(45.0, "g/L")),
    )
    assert assessment.cleared_today


def test_albumin_correction_cannot_clear_a_low_total_calcium() -> None:
    """P-CI-HYPOCA: total 2.1 with albumin 30 g/l corrects to 2.3, and still blocks."""
    assessment = assess(later(labs=_labs(calcium=_q(2.1, "mmol/L"), albumin=_q(30.0, "g/L"))))
    assert assessment.finding("hypocalcaemia") is not None
    assert assessment.finding("albumin-corrected-calcium") is not None
    assert not assessment.cleared_today


def test_normal_calcium_and_albumin_give_no_calcium_finding() -> None:
    """P-CI-HYPOCA: 2.4 mmol/l with albumin 40 g/l: no finding at all."""
    codes = assess(later()).codes
    assert "hypocalcaemia" not in codes
    assert "albumin-corrected-calcium" not in codes


def test_unknown_calcium_before_a_later_infusion_warns() -> None:
    """P-CI-HYPOCA: no calcium before a later infusion is a warning to measure it."""
    assessment = assess(later(labs=_labs(calcium=None)))
    finding = assessment.finding("calcium-not-known")
    assert finding is not None
    assert finding.rule_ids == ("P-CI-HYPOCA",)
    assert finding.severity is Severity.WARN
    assert finding.message == "No total calcium known: hypocalcaemia cannot be excluded."
    assert finding.evidence == (Evidence("labs.calcium", "missing"),)
    assert finding.action == "Measure total calcium before the infusion."


def test_unknown_calcium_before_the_first_infusion_is_a_missing_lab() -> None:
    """P-PRE-LABS: before the first infusion a missing calcium blocks as a missing lab."""
    assessment = assess(patient(labs=_labs(calcium=None)))
    assert assessment.finding("calcium-not-known") is None
    missing = assessment.finding("labs-missing")
    assert missing is not None
    assert missing.evidence == (Evidence("labs.calcium", "missing"),)


def test_hypersensitivity_blocks() -> None:
    """P-CI-ALLERGY: hypersensitivity to bisphosphonates: do not infuse."""
    assessment = assess(patient(risks=RiskFlags(bisphosphonate_hypersensitivity=True)))
    finding = assessment.finding("hypersensitivity")
    assert finding is not None
    assert finding.rule_ids == ("P-CI-ALLERGY",)
    assert finding.severity is Severity.BLOCK
    assert finding.message == "Hypersensitivity to bisphosphonates: do not infuse."
    assert finding.evidence == (Evidence("risks.bisphosphonate_hypersensitivity", value=True),)
    assert not assessment.cleared_today


def test_known_pregnancy_blocks() -> None:
    """P-CI-PREG: a known pregnancy blocks every infusion."""
    assessment = assess(later(risks=RiskFlags(pregnant=True)))
    finding = assessment.finding("pregnancy")
    assert finding is not None
    assert finding.rule_ids == ("P-CI-PREG",)
    assert finding.severity is Severity.BLOCK
    assert finding.message == (
        "Known pregnancy: bisphosphonates cross the placenta; do not infuse."
    )
    assert finding.evidence == (Evidence("risks.pregnant", value=True),)
    assert not assessment.cleared_today


# --- before the first infusion (P-PRE-*) -------------------------------------------------------


def test_missing_labs_are_listed_in_words() -> None:
    """P-PRE-LABS: the first infusion is not cleared without every required lab."""
    assessment = assess(patient(labs=_labs(urea=None, pth=None, alkaline_phosphatase=None)))
    finding = assessment.finding("labs-missing")
    assert finding is not None
    assert finding.rule_ids == ("P-PRE-LABS",)
    assert finding.severity is Severity.BLOCK
    assert finding.message == (
        "The first infusion needs calcium, phosphate, alkaline phosphatase, urea, creatinine, "
        "albumin, 25-OH vitamin D and PTH; missing: alkaline phosphatase, urea, PTH."
    )
    assert finding.evidence == (
        Evidence("labs.alkaline_phosphatase", "missing"),
        Evidence("labs.urea", "missing"),
        Evidence("labs.pth", "missing"),
    )
    assert finding.action == "Measure alkaline phosphatase, urea, PTH before the first infusion."
    assert not assessment.cleared_today


def test_lab_names_are_the_eight_of_p_pre_labs() -> None:
    """P-PRE-LABS: calcium, phosphate, ALP, urea, creatinine, albumin, 25-OH vitamin D, PTH."""
    assert LAB_NAMES == {
        "calcium": "calcium",
        "phosphate": "phosphate",
        "alkaline_phosphatase": "alkaline phosphatase",
        "urea": "urea",
        "creatinine": "creatinine",
        "albumin": "albumin",
        "vitamin_d_25oh": "25-OH vitamin D",
        "pth": "PTH",
    }


@pytest.mark.parametrize(("vitamin_d", "low"), [(50.0, False), (49.999, True)])
def test_vitamin_d_below_50_blocks_the_first_infusion(vitamin_d: float, low: bool) -> None:
    """P-PRE-VITD: below 50 nmol/l the deficiency is corrected before the first infusion."""
    assessment = assess(patient(labs=_labs(vitamin_d_25oh=_q(vitamin_d, "nmol/L"))))
    finding = assessment.finding("vitamin-d-deficient")
    assert (finding is not None) is low
    assert assessment.cleared_today is not low
    assert assessment.supplements is not None
    assert assessment.supplements.raise_vitamin_d is low
    if finding is not None:
        assert finding.rule_ids == ("P-PRE-VITD", "P-SUPP-VITD")
        assert finding.severity is Severity.BLOCK
        assert finding.message == (
            "25-OH vitamin D below 50 nmol/l: the deficiency is corrected before the first "
            "infusion."
        )
        assert finding.evidence == (
            Evidence("labs.vitamin_d_25oh", _q(vitamin_d, "nmol/L"), threshold=_q(50.0, "nmol/L")),
            Evidence("vitamin D advice per day", _q(400.0, "IU")),
        )
        assert finding.action == (
            "Raise vitamin D supplementation above 400 IU per day, and recheck 25-OH vitamin D "
            "before the first infusion."
        )


def test_low_vitamin_d_before_a_later_infusion_warns() -> None:
    """P-PRE-VITD, P-SUPP-VITD: later, 20 ng/ml (49.9 nmol/l) asks to raise the supplement."""
    assessment = assess(
        later(
            labs=_labs(vitamin_d_25oh=_q(20.0, "ng/mL")),
            risks=RiskFlags(dark_skin=True, could_become_pregnant=False),
        )
    )
    assert assessment.finding("vitamin-d-deficient") is None
    finding = assessment.finding("vitamin-d-low")
    assert finding is not None
    assert finding.rule_ids == ("P-PRE-VITD", "P-SUPP-VITD")
    assert finding.severity is Severity.WARN
    assert finding.message == "25-OH vitamin D below 50 nmol/l."
    assert finding.action == "Raise vitamin D supplementation above 800 IU per day."
    assert assessment.cleared_today


def test_no_vitamin_d_finding_later_when_sufficient() -> None:
    """P-PRE-VITD: 70 nmol/l before a later infusion gives no vitamin D finding."""
    codes = assess(later()).codes
    assert "vitamin-d-low" not in codes
    assert "vitamin-d-deficient" not in codes


def _consult(labs: Labs) -> Assessment:
    return assess(patient(labs=labs))


def test_low_calcium_with_unknown_pth_asks_for_a_consult() -> None:
    """P-PRE-CA: low calcium before the first infusion, PTH not known: consult."""
    assessment = _consult(_labs(calcium=_q(2.1, "mmol/L"), pth=None))
    finding = assessment.finding("calcium-consult")
    assert finding is not None
    assert finding.rule_ids == ("P-PRE-CA",)
    assert finding.severity is Severity.WARN
    assert finding.message == (
        "Total calcium below 2.2 mmol/l before the first infusion; PTH is not known, so whether "
        "PTH is raised cannot be decided."
    )
    assert finding.evidence == (
        Evidence("labs.calcium", _q(2.1, "mmol/L"), threshold=_q(2.2, "mmol/L")),
        Evidence("labs.pth", "missing"),
    )
    assert finding.action == (
        "Consult the treating physician or the paediatric endocrinologist on call. Decide on "
        "calcium supplementation with PTH."
    )
    assert assessment.finding("calcium-supplementation") is None


def test_low_calcium_with_pth_without_a_limit_asks_for_a_consult() -> None:
    """P-PRE-CA: without the laboratory's upper limit a raised PTH cannot be decided."""
    assessment = _consult(_labs(calcium=_q(2.1, "mmol/L"), pth=LabResult(_q(9.0, "pmol/L"))))
    finding = assessment.finding("calcium-consult")
    assert finding is not None
    assert "the laboratory's upper limit of PTH is not known" in finding.message
    assert finding.evidence[1] == Evidence("labs.pth", _q(9.0, "pmol/L"))


@pytest.mark.parametrize(("pth", "raised"), [(7.0, False), (7.001, True)])
def test_low_calcium_with_raised_pth_starts_calcium(pth: float, raised: bool) -> None:
    """P-PRE-CA, P-SUPP-CA: PTH above the laboratory's upper limit (7.0 pmol/l) adds calcium
    supplementation; PTH at the limit is not raised."""
    labs = _labs(
        calcium=_q(2.1, "mmol/L"),
        pth=LabResult(_q(pth, "pmol/L"), upper_limit=_q(7.0, "pmol/L")),
    )
    assessment = _consult(labs)
    consult = assessment.finding("calcium-consult")
    assert consult is not None
    assert consult.message == "Total calcium below 2.2 mmol/l before the first infusion."
    assert consult.evidence[1] == Evidence(
        "labs.pth", _q(pth, "pmol/L"), threshold=_q(7.0, "pmol/L")
    )
    assert consult.action == (
        "Consult the treating physician or the paediatric endocrinologist on call."
    )
    supplementation = assessment.finding("calcium-supplementation")
    assert (supplementation is not None) is raised
    if supplementation is not None:
        assert supplementation.rule_ids == ("P-PRE-CA", "P-SUPP-CA")
        assert supplementation.severity is Severity.WARN
        assert supplementation.message == (
            "Low calcium with PTH above the laboratory's upper limit."
        )
        assert supplementation.action == "Start calcium supplementation or raise dietary calcium."


def test_no_consult_with_normal_calcium() -> None:
    """P-PRE-CA: calcium of 2.2 mmol/l needs no consult."""
    assert _consult(_labs(calcium=_q(2.2, "mmol/L"))).finding("calcium-consult") is None


def test_missing_dxa_sites_are_asked_for() -> None:
    """P-PRE-DXA: DXA of the lumbar spine and total body less head before the first infusion."""
    only_spine = (BmdMeasurement(BmdSite.LUMBAR_SPINE, -2.5),)
    finding = assess(patient(bmd=only_spine)).finding("dxa-needed")
    assert finding is not None
    assert finding.rule_ids == ("P-PRE-DXA",)
    assert finding.severity is Severity.WARN
    assert finding.message == "No DXA on record of the total body less head."
    assert finding.evidence == (Evidence("bmd.total_body_less_head", "missing"),)
    assert finding.action == (
        "DXA of the total body less head, and vertebral morphometry (VFA) or, where that is "
        "not possible, a lateral spine X-ray."
    )


@pytest.mark.parametrize(
    "immobile",
    [
        {"risks": RiskFlags(prolonged_immobilisation=True)},
        {"diagnosis": Diagnosis.SECONDARY_IMMOBILITY, "oi_severity": None},
    ],
)
def test_immobile_patients_also_need_a_femur_dxa(immobile: dict[str, Any]) -> None:
    """P-PRE-DXA: immobile patients (flag or diagnosis) also need a DXA of the femur."""
    finding = assess(patient(**immobile)).finding("dxa-needed")
    assert finding is not None
    assert finding.message == "No DXA on record of the femur."


def test_no_dxa_asked_when_all_sites_are_measured() -> None:
    """P-PRE-DXA: with LS and TBLH on record nothing is asked (femur only when immobile)."""
    assert assess(patient()).finding("dxa-needed") is None


def test_no_dxa_asked_for_an_excluded_patient() -> None:
    """P-PRE-DXA, P-IND-GENE: an excluded patient is not sent for DXA."""
    assessment = assess(patient(bmd=(), gene_variants=("WNT1",)))
    assert assessment.finding("dxa-needed") is None
    assert assessment.finding("not-indicated-gene") is not None


def test_dxa_asked_when_only_the_criteria_fail() -> None:
    """P-PRE-DXA: a patient who misses only the fracture criteria is sent for DXA."""
    assessment = assess(patient(bmd=(), fractures=()))
    finding = assessment.finding("dxa-needed")
    assert finding is not None
    assert finding.message == "No DXA on record of the lumbar spine, total body less head."


def test_no_first_infusion_checks_before_a_later_infusion() -> None:
    """P-PRE-LABS, P-PRE-DXA, P-PRE-CA: only before the first infusion."""
    assessment = assess(
        later(labs=_labs(urea=None, calcium=_q(2.1, "mmol/L"), pth=None), bmd=SCANS[:1])
    )
    for code in ("labs-missing", "dxa-needed", "calcium-consult"):
        assert assessment.finding(code) is None
    assert not assessment.first_infusion


# --- supplements (P-SUPP-VITD, P-SUPP-CA) -----------------------------------------------------


@pytest.mark.parametrize(
    ("risks", "per_day", "words"),
    [
        (RiskFlags(), 400.0, "Vitamin D at least 400 IU per day."),
        (
            RiskFlags(dark_skin=True),
            800.0,
            "Vitamin D at least 800 IU per day (dark skin or little time outdoors).",
        ),
        (
            RiskFlags(little_time_outdoors=True),
            800.0,
            "Vitamin D at least 800 IU per day (dark skin or little time outdoors).",
        ),
    ],
)
def test_vitamin_d_advice(risks: RiskFlags, per_day: float, words: str) -> None:
    """P-SUPP-VITD: at least 400 IU per day, 800 IU with a dark skin or little time outdoors."""
    assessment = assess(later(risks=risks))
    assert assessment.supplements is not None
    assert assessment.supplements.vitamin_d_per_day == _q(per_day, "IU")
    assert assessment.supplements.dairy_portions_per_day == (2, 3)
    assert assessment.supplements.rule_ids == ("P-SUPP-VITD", "P-SUPP-CA")
    finding = assessment.finding("vitamin-d-supplementation")
    assert finding is not None
    assert finding.rule_ids == ("P-SUPP-VITD",)
    assert finding.message == words
    assert finding.evidence == (
        Evidence("vitamin D per day", _q(per_day, "IU")),
        Evidence("risks.dark_skin", risks.dark_skin),
        Evidence("risks.little_time_outdoors", risks.little_time_outdoors),
    )


def test_calcium_intake_advice() -> None:
    """P-SUPP-CA: at least 2 to 3 dairy portions per day, by age."""
    finding = assess(later()).finding("calcium-intake")
    assert finding is not None
    assert finding.rule_ids == ("P-SUPP-CA",)
    assert finding.severity is Severity.INFO
    assert finding.message == "Calcium by age and diet: at least 2 to 3 dairy portions per day."
    assert finding.evidence == (Evidence("dairy portions per day", "at least 2 to 3, by age"),)


@pytest.mark.parametrize(
    ("vitamin_d", "check_calcium"),
    [(_q(70.0, "nmol/L"), False), (_q(45.0, "nmol/L"), True), (None, True)],
)
def test_calcium_check_after_the_infusion_when_vitamin_d_is_in_doubt(
    vitamin_d: Quantity | None, check_calcium: bool
) -> None:
    """P-MON-HYPOCA: with vitamin D low or unknown, serum calcium is checked afterwards."""
    finding = assess(later(labs=_labs(vitamin_d_25oh=vitamin_d))).finding("hypocalcaemia-warning")
    assert finding is not None
    assert (finding.action == "Check serum calcium after the infusion.") is check_calcium


# --- pregnancy counselling and Payne (P-CI-PREG, P-CI-HYPOCA) ---------------------------------


@pytest.mark.parametrize(
    ("sex", "born", "risks", "expected"),
    [
        (Sex.FEMALE, dt.date(2016, 11, 23), RiskFlags(), True),
        (Sex.FEMALE, dt.date(2016, 11, 24), RiskFlags(), False),
        (Sex.MALE, dt.date(2010, 1, 1), RiskFlags(), False),
        (Sex.FEMALE, dt.date(2010, 1, 1), RiskFlags(could_become_pregnant=False), False),
        (Sex.MALE, dt.date(2020, 1, 1), RiskFlags(could_become_pregnant=True), True),
        (Sex.FEMALE, dt.date(2020, 1, 1), RiskFlags(pregnant=True), True),
    ],
)
def test_could_become_pregnant(sex: Sex, born: dt.date, risks: RiskFlags, expected: bool) -> None:
    """P-CI-PREG: the recorded flag decides; unrecorded, girls from their 10th birthday."""
    assert could_become_pregnant(patient(sex=sex, birth_date=born, risks=risks)) is expected


def test_payne_correction() -> None:
    """P-CI-HYPOCA: Payne: 2.1 mmol/l with albumin 30 g/l is 2.1 + 0.02 x (40 - 30) = 2.3."""
    corrected = albumin_corrected_calcium(_q(2.1, "mmol/L"), _q(30.0, "g/L"))
    assert corrected.units == ureg.Unit("mmol/L")
    assert corrected.magnitude == pytest.approx(2.3)
    albumin_in_g_dl = albumin_corrected_calcium(_q(2.1, "mmol/L"), _q(3.0, "g/dL"))
    assert albumin_in_g_dl.magnitude == pytest.approx(2.3)
    assert albumin_corrected_calcium(_q(2.3, "mmol/L"), _q(40.0, "g/L")).magnitude == 2.3
