"""The assessment rule by rule: indication (P-IND-*, P-FX-*, P-BMD), first-infusion advice
(P-PRE-CA, P-PRE-DXA), supplements (P-SUPP-*) and the physician call (P-MON-CALL).

Most cases are the example patients of ``examples/patients/ped-*.json``, each built around one
sentence of the guideline; the others change one value of the 20 kg girl with OI.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from bisphos.findings import Finding, Severity
from bisphos.io import load_patient
from bisphos.model import Diagnosis, Patient, VitalSigns
from bisphos.pediatric.assessment import Assessment, assess
from bisphos.pediatric.monitoring import check_observation
from bisphos.units import quantity

EXAMPLES = Path(__file__).parent.parent.parent / "examples" / "patients"


def example(name: str) -> Patient:
    return load_patient(EXAMPLES / f"{name}.json")


def finding(assessment: Assessment, code: str) -> Finding:
    return next(f for f in assessment.findings if f.code == code)


def codes(assessment: Assessment) -> set[str]:
    return {f.code for f in assessment.findings}


OI_GIRL = example("oi-girl-20kg")


@pytest.mark.parametrize("diagnosis", [d for d in Diagnosis if d is not Diagnosis.OTHER])
def test_every_named_condition_is_an_indication(diagnosis: Diagnosis) -> None:
    """P-IND-A: OI, other primary osteoporosis and any secondary osteoporosis ("zoals" lists
    examples) are indications, with the same fractures and bone density."""
    severity = OI_GIRL.oi_severity if diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA else None
    patient = attrs.evolve(OI_GIRL, diagnosis=diagnosis, oi_severity=severity)
    assessment = assess(patient)
    assert assessment.indicated
    assert "P-IND-A" in finding(assessment, "indicated").rule_ids


def test_a_condition_outside_the_categories_is_not_an_indication() -> None:
    """P-IND-A: a condition outside OI, primary and secondary osteoporosis is not indicated."""
    assessment = assess(example("ped-other-condition"))
    assert not assessment.indicated
    assert assessment.allowed_drugs == ()
    refusal = finding(assessment, "not-indicated-condition")
    assert refusal.rule_ids == ("P-IND-A",)
    assert refusal.severity is Severity.BLOCK
    assert [str(e) for e in refusal.evidence] == ["diagnosis = other"]


def test_expected_spontaneous_recovery_rules_treatment_out() -> None:
    """P-IND-RECOVERY: with dexamethasone stopped, recovery is expected: no infusions; the same
    patient without that expectation is indicated."""
    patient = example("ped-dexamethasone-stopped")
    assessment = assess(patient)
    assert not assessment.indicated
    refusal = finding(assessment, "not-indicated-recovery")
    assert refusal.rule_ids == ("P-IND-RECOVERY",)
    assert refusal.severity is Severity.BLOCK
    assert assessment.indication is not None
    assert assessment.indication.excluded
    without = attrs.evolve(
        patient, risks=attrs.evolve(patient.risks, expected_spontaneous_recovery=False)
    )
    assert assess(without).indicated


def test_vertebral_fracture_needs_no_reduced_bone_density() -> None:
    """P-IND-B, P-FX-a: one vertebral compression fracture is a significant fracture history,
    and with it a reduced bone density is not required."""
    assessment = assess(example("ped-oi-vertebral-fracture-normal-bmd"))
    assert assessment.indicated
    indication = assessment.indication
    assert indication is not None
    assert indication.fracture_criteria == ("P-FX-a",)
    assert not indication.bmd_reduced
    assert finding(assessment, "indicated").rule_ids == ("P-IND-A", "P-IND-B", "P-FX-a")


def test_long_bone_fractures_need_a_reduced_bone_density_at_spine_or_total_body() -> None:
    """P-IND-B, P-BMD: two long-bone fractures before 10 with a femur Z-score of -3.6 but a
    lumbar spine Z-score of -1.5 are not an indication: femur scores do not count."""
    assessment = assess(example("ped-immobile-femur-only-reduced"))
    assert not assessment.indicated
    refusal = finding(assessment, "not-indicated-criteria")
    assert "P-IND-B" in refusal.rule_ids
    assert "P-BMD" in refusal.rule_ids
    assert "lowest DXA Z-score (lumbar_spine) = -1.5 (limit -2.0)" in [
        str(e) for e in refusal.evidence
    ]


def test_size_corrected_score_replaces_the_uncorrected_one() -> None:
    """P-BMD: a short child's lumbar spine Z-score of -2.6 corrected for size to -1.6, with a
    total body less head score of -1.8, has no reduced bone density."""
    assessment = assess(example("ped-short-stature-size-corrected"))
    assert not assessment.indicated
    indication = assessment.indication
    assert indication is not None
    assert not indication.bmd_reduced
    assert indication.lowest_bmd is not None
    assert indication.lowest_bmd.z_score == -1.8


def test_two_long_bone_fractures_before_ten_are_significant() -> None:
    """P-FX-b: two long-bone fractures after low trauma before age 10, with a reduced bone
    density, indicate treatment."""
    assessment = assess(example("ped-ijo-two-fractures-before-10"))
    assert assessment.indicated
    indication = assessment.indication
    assert indication is not None
    assert indication.fracture_criteria == ("P-FX-b",)
    assert "long-bone fractures before age 10 = 2 (limit 2)" in [
        str(e) for e in finding(assessment, "indicated").evidence
    ]


def test_a_fracture_on_the_tenth_birthday_does_not_count_before_ten() -> None:
    """P-FX-b: a fracture on the 10th birthday is not before age 10.0: one fracture counts, and
    two before 19 are fewer than the three of P-FX-c."""
    assessment = assess(example("ped-fracture-on-10th-birthday"))
    assert not assessment.indicated
    evidence = [str(e) for e in finding(assessment, "not-indicated-criteria").evidence]
    assert "long-bone fractures before age 10 = 1 (limit 2)" in evidence
    assert "long-bone fractures before age 19 = 2 (limit 3)" in evidence


def test_three_long_bone_fractures_before_nineteen_with_z_of_exactly_minus_two() -> None:
    """P-FX-c, P-BMD: three long-bone fractures before 19 and a Z-score of exactly -2.0 (which is
    reduced) indicate treatment."""
    assessment = assess(example("ped-steroid-three-fractures-z-minus-2"))
    assert assessment.indicated
    indication = assessment.indication
    assert indication is not None
    assert indication.fracture_criteria == ("P-FX-c",)
    assert indication.bmd_reduced
    assert indication.lowest_bmd is not None
    assert indication.lowest_bmd.z_score == -2.0


def test_fractures_after_high_energy_trauma_never_count() -> None:
    """P-FX-a, P-FX-c: a vertebral and a long-bone fracture after high-energy trauma are not
    counted, leaving two long-bone fractures: not a significant history."""
    assessment = assess(example("ped-high-energy-fracture"))
    assert not assessment.indicated
    evidence = [str(e) for e in finding(assessment, "not-indicated-criteria").evidence]
    assert "vertebral compression fractures = 0 (limit 1)" in evidence
    assert "long-bone fractures before age 19 = 2 (limit 3)" in evidence
    assert "fractures after high-energy trauma, not counted = 2" in evidence


def test_low_calcium_with_raised_pth_before_the_first_infusion() -> None:
    """P-PRE-CA, P-SUPP-CA: total calcium 2.15 mmol/l before the first infusion: consult the
    physician; with PTH 9.1 pmol/l above the laboratory's 7.0, start calcium supplementation."""
    assessment = assess(example("ped-hypocalcaemia-2-15"))
    consult = finding(assessment, "calcium-consult")
    assert consult.rule_ids == ("P-PRE-CA",)
    assert consult.severity is Severity.WARN
    supplementation = finding(assessment, "calcium-supplementation")
    assert supplementation.rule_ids == ("P-PRE-CA", "P-SUPP-CA")
    assert [str(e) for e in supplementation.evidence] == [
        "labs.calcium = 2.15 mmol/L (limit 2.2 mmol/L)",
        "labs.pth = 9.1 pmol/L (limit 7.0 pmol/L)",
    ]


def test_low_calcium_with_pth_within_limits_gets_the_consult_only() -> None:
    """P-PRE-CA: calcium 8.8 mg/dl (2.1956 mmol/l) with PTH within the laboratory's limit: a
    consult, no calcium supplementation."""
    assessment = assess(example("ped-us-units-hypocalcaemia"))
    assert "calcium-consult" in codes(assessment)
    assert "calcium-supplementation" not in codes(assessment)


def test_missing_dxa_sites_are_requested_without_blocking() -> None:
    """P-PRE-DXA: a missing total body less head scan is requested (WARN, not BLOCK); an
    immobile patient also needs the femur."""
    gfr_90 = assess(example("ped-gfr-exactly-90"))
    request = finding(gfr_90, "dxa-needed")
    assert request.rule_ids == ("P-PRE-DXA",)
    assert request.severity is Severity.WARN
    assert [str(e) for e in request.evidence] == ["bmd.total_body_less_head = missing"]
    immobile = finding(assess(example("ped-missing-labs")), "dxa-needed")
    assert [str(e) for e in immobile.evidence] == ["bmd.femur = missing"]
    assert "dxa-needed" not in codes(assess(OI_GIRL))


def test_vitamin_d_advice_is_400_iu_or_800_with_dark_skin_or_little_time_outdoors() -> None:
    """P-SUPP-VITD: at least 400 IU (10 µg) a day; at least 800 IU with a dark skin or little
    time outdoors."""
    for patient, expected in [
        (OI_GIRL, 400),
        (example("ped-vitamin-d-20-ng-ml"), 800),  # dark skin
        (load_patient(EXAMPLES / "immobile-hungry-bones.json"), 800),  # little time outdoors
    ]:
        assessment = assess(patient)
        assert assessment.supplements is not None
        assert assessment.supplements.vitamin_d_per_day == quantity(expected, "IU")
        advice = finding(assessment, "vitamin-d-supplementation")
        assert advice.rule_ids == ("P-SUPP-VITD",)
        assert f"vitamin D per day = {float(expected)!r} IU" in [str(e) for e in advice.evidence]


def test_calcium_intake_is_two_to_three_dairy_portions() -> None:
    """P-SUPP-CA: at least 2 to 3 dairy portions a day, by age."""
    assessment = assess(OI_GIRL)
    assert assessment.supplements is not None
    assert assessment.supplements.dairy_portions_per_day == (2, 3)
    assert finding(assessment, "calcium-intake").rule_ids == ("P-SUPP-CA",)


def test_call_limits_are_twenty_percent_around_baseline() -> None:
    """P-MON-CALL: baseline heart rate 92/min gives limits 73.6 and 110.4/min; systolic 100 mmHg
    gives 80 and 120 mmHg; the temperature limit is 38.5 °C."""
    monitoring = assess(OI_GIRL).monitoring
    assert monitoring is not None
    assert monitoring.temperature_limit == quantity(38.5, "degC")
    assert monitoring.heart_rate is not None
    assert monitoring.systolic_bp is not None
    assert (monitoring.heart_rate.low, monitoring.heart_rate.high) == (
        quantity(73.6, "1/min"),
        quantity(110.4, "1/min"),
    )
    assert (monitoring.systolic_bp.low, monitoring.systolic_bp.high) == (
        quantity(80, "mmHg"),
        quantity(120, "mmHg"),
    )


@pytest.mark.parametrize(
    ("observed", "expected"),
    [
        (VitalSigns(temperature=quantity(38.6, "degC")), ["acute-phase-temperature"]),
        (VitalSigns(temperature=quantity(38.5, "degC")), []),
        (VitalSigns(heart_rate=quantity(110.4, "1/min")), []),
        (VitalSigns(heart_rate=quantity(110.5, "1/min")), ["acute-phase-heart-rate"]),
        (VitalSigns(systolic_bp=quantity(80, "mmHg")), []),
        (VitalSigns(systolic_bp=quantity(79, "mmHg")), ["acute-phase-systolic-bp"]),
    ],
)
def test_physician_is_called_above_38_5_or_beyond_twenty_percent(
    observed: VitalSigns, expected: list[str]
) -> None:
    """P-MON-CALL: call for a temperature above 38.5 °C or a vital sign more than 20 % from
    baseline; exactly 38.5 °C or exactly 20 % is not a call."""
    monitoring = assess(OI_GIRL).monitoring
    assert monitoring is not None
    found = check_observation(monitoring, observed)
    assert [f.code for f in found] == expected
    assert all(f.rule_ids == ("P-MON-CALL",) and f.severity is Severity.WARN for f in found)


def test_physician_is_called_for_myalgia_or_arthralgia() -> None:
    """P-MON-CALL: myalgia and/or arthralgia during the infusion: call the physician."""
    monitoring = assess(OI_GIRL).monitoring
    assert monitoring is not None
    assert [f.code for f in check_observation(monitoring, VitalSigns(), myalgia=True)] == [
        "acute-phase-myalgia"
    ]
    arthralgia = check_observation(monitoring, VitalSigns(), arthralgia=True)
    assert [f.rule_ids for f in arthralgia] == [("P-MON-CALL",)]
