"""Worked doses of the guideline: P-ZOL-*, P-PAM-*, P-HUNGRY and P-MAINT-MID/HIGH."""

from __future__ import annotations

import datetime as dt

import pytest

from bisphos.errors import ImplausibleValueError, InvalidValueError, MissingUnitError
from bisphos.model import ComplicationGrade, Drug, RiskFlags
from bisphos.pediatric.dosing import (
    DEFAULT_OPTIONS,
    DoseFacts,
    DosingOptions,
    MaintenanceBand,
    Phase,
    compute_dose,
    dose_for,
    phase_of,
)
from bisphos.units import ureg
from tests.pediatric._dosing_helpers import ASSESSMENT, child, given, kg, mg

ZOL = Drug.ZOLEDRONIC_ACID
PAM = Drug.PAMIDRONATE
IMMOBILE = RiskFlags(prolonged_immobilisation=True, could_become_pregnant=False)


def per_kg(value: float) -> object:
    return ureg.Quantity(value, "milligram / kilogram")


@pytest.mark.parametrize(
    ("number", "phase", "expected_mg", "expected_per_kg"),
    [(1, Phase.FIRST, 0.25, 0.0125), (2, Phase.SECOND, 0.5, 0.025), (3, Phase.REGULAR, 1.0, 0.05)],
)
def test_zoledronic_acid_20kg_first_second_regular(
    number: int, phase: Phase, expected_mg: float, expected_per_kg: float
) -> None:
    """P-ZOL-FIRST, P-ZOL-DOSE: 20 kg gets 0.25 mg, then 0.5 mg, then 1.0 mg."""
    dose = dose_for(child(20), ZOL, infusion_number=number)
    assert dose.phase is phase
    assert dose.value == mg(expected_mg)
    assert dose.per_kg == per_kg(expected_per_kg)
    assert dose.computed == mg(expected_mg)
    assert not dose.cap_applied
    assert dose.daily_cap.dose == mg(4)
    assert dose.precision == mg(0.001)
    assert "P-ZOL-CAP" in dose.rule_ids


def test_zoledronic_first_dose_names_rule_and_default_option() -> None:
    """P-ZOL-FIRST: the default 0.0125 mg/kg is recorded as the option that chose it."""
    dose = dose_for(child(20), ZOL, infusion_number=1)
    first = [c for c in dose.choices if c.rule_id == "P-ZOL-FIRST"]
    assert len(first) == 1
    assert first[0].option == "zoledronic_first_per_kg = 0.0125 mg/kg (default)"
    assert dose.allowed_per_kg.low == per_kg(0.0125)
    assert dose.allowed_per_kg.high == per_kg(0.025)


def test_zoledronic_first_dose_on_request_0025() -> None:
    """P-ZOL-FIRST: 0.025 mg/kg on request gives 0.5 mg at 20 kg."""
    options = DosingOptions(zoledronic_first_per_kg=per_kg(0.025))
    dose = dose_for(child(20), ZOL, infusion_number=1, options=options)
    assert dose.value == mg(0.5)
    assert "(on request)" in next(c.option for c in dose.choices if c.rule_id == "P-ZOL-FIRST")


def test_zoledronic_first_dose_option_in_micrograms() -> None:
    """P-ZOL-FIRST: 25 µg/kg is the 0.025 mg/kg choice."""
    options = DosingOptions(zoledronic_first_per_kg=ureg.Quantity(25, "microgram / kilogram"))
    assert options.zoledronic_first_per_kg == per_kg(0.025)


@pytest.mark.parametrize("value", [0.05, 0.02, 0.0])
def test_zoledronic_first_dose_option_outside_guideline_refused(value: float) -> None:
    """P-ZOL-FIRST: only 0.0125 or 0.025 mg/kg."""
    with pytest.raises(InvalidValueError, match="P-ZOL-FIRST"):
        DosingOptions(zoledronic_first_per_kg=per_kg(value))


def test_options_refuse_bare_numbers() -> None:
    """P-ZOL-FIRST: an option without unit is refused."""
    with pytest.raises(MissingUnitError):
        DosingOptions(zoledronic_first_per_kg=0.025)


def test_zoledronic_100kg_regular_is_capped_at_4mg() -> None:
    """P-ZOL-CAP: 100 kg x 0.05 mg/kg = 5 mg is capped at 4 mg."""
    dose = dose_for(child(100), ZOL, infusion_number=3)
    assert dose.computed == mg(5.0)
    assert dose.value == mg(4.0)
    assert dose.cap_applied
    assert dose.ceiling == mg(4.0)
    assert dose.limited.ceiling_rule_ids == ("P-ZOL-CAP",)
    assert dose.effective_per_kg == per_kg(0.04)


def test_zoledronic_100kg_first_dose_is_per_kg_not_a_quarter_of_cap() -> None:
    """P-ZOL-FIRST: the first dose is 0.0125 mg/kg (1.25 mg), below the 4 mg cap."""
    assert dose_for(child(100), ZOL, infusion_number=1).value == mg(1.25)


def test_zoledronic_under_two_years_regular_is_0025() -> None:
    """P-ZOL-LOW: under 2 years on the infusion date, regular 0.025 mg/kg (10 kg: 0.25 mg)."""
    toddler = child(10, born=dt.date(2025, 6, 1))
    dose = dose_for(toddler, ZOL, infusion_number=3)
    assert dose.value == mg(0.25)
    assert any(c.rule_id == "P-ZOL-LOW" for c in dose.choices)
    assert "P-ZOL-LOW" in dose.rule_ids


def test_zoledronic_low_age_decided_on_infusion_date() -> None:
    """P-ZOL-LOW: on the second birthday the child is no longer under 2: 0.05 mg/kg."""
    toddler = child(10, born=dt.date(2025, 6, 1))
    assert dose_for(toddler, ZOL, infusion_number=3, on=dt.date(2027, 5, 31)).value == mg(0.25)
    assert dose_for(toddler, ZOL, infusion_number=3, on=dt.date(2027, 6, 1)).value == mg(0.5)


def test_zoledronic_low_bone_turnover_regular_is_0025() -> None:
    """P-ZOL-LOW: low bone turnover gives 0.025 mg/kg (20 kg: 0.5 mg)."""
    patient = child(20, risks=RiskFlags(low_bone_turnover=True, could_become_pregnant=False))
    assert dose_for(patient, ZOL, infusion_number=3).value == mg(0.5)


@pytest.mark.parametrize(
    ("grade", "expected_mg"),
    [
        (ComplicationGrade.NONE, 1.0),
        (ComplicationGrade.MILD, 1.0),
        (ComplicationGrade.MODERATE, 0.5),
        (ComplicationGrade.SEVERE, 0.5),
    ],
)
def test_zoledronic_complication_more_than_mild_lowers_later_doses(
    grade: ComplicationGrade, expected_mg: float
) -> None:
    """P-ZOL-COMPL: more than mild complication after an earlier dose: 0.025 mg/kg."""
    history = [
        given(ZOL, dt.date(2026, 2, 1), 0.25, grade),
        given(ZOL, dt.date(2026, 5, 1), 0.5),
    ]
    dose = dose_for(child(20, infusions=history), ZOL)
    assert dose.infusion_number == 3
    assert dose.value == mg(expected_mg)
    assert ("P-ZOL-COMPL" in dose.rule_ids) is (expected_mg == 0.5)


def test_zoledronic_complication_after_pamidronate_also_counts() -> None:
    """P-ZOL-COMPL: a severe reaction to an earlier pamidronate infusion counts (conservative)."""
    history = [given(PAM, dt.date(2026, 2, 1), 20, ComplicationGrade.SEVERE)]
    dose = dose_for(child(20, infusions=history), ZOL, infusion_number=3)
    assert dose.value == mg(0.5)


def test_infusion_number_counts_the_same_drug_only() -> None:
    """P-ZOL-FIRST: after pamidronate, the first zoledronic acid infusion is still a first dose."""
    history = [given(PAM, dt.date(2026, 2, 1), 20), given(PAM, dt.date(2026, 5, 1), 40)]
    dose = dose_for(child(20, infusions=history), ZOL)
    assert dose.phase is Phase.FIRST
    assert dose.value == mg(0.25)


@pytest.mark.parametrize(("number", "expected_mg"), [(1, 20.0), (2, 40.0), (3, 40.0)])
def test_pamidronate_20kg(number: int, expected_mg: float) -> None:
    """P-PAM-FIRST, P-PAM-DOSE: 20 kg gets 20 mg, then 40 mg."""
    assert dose_for(child(20), PAM, infusion_number=number).value == mg(expected_mg)


def test_pamidronate_70kg_regular_capped_at_90mg() -> None:
    """P-PAM-CAP: 70 kg x 2 mg/kg = 140 mg is capped at 90 mg."""
    dose = dose_for(child(70), PAM, infusion_number=2)
    assert dose.computed == mg(140)
    assert dose.value == mg(90)
    assert dose.cap_applied


def test_pamidronate_70kg_first_is_half_the_capped_dose() -> None:
    """P-PAM-FIRST: the cap applies before halving: 45 mg, not 70 mg."""
    dose = dose_for(child(70), PAM, infusion_number=1)
    assert dose.computed == mg(70)
    assert dose.value == mg(45)
    assert dose.cap_applied
    assert dose.ceiling == mg(45)
    assert "P-PAM-FIRST" in dose.limited.ceiling_rule_ids


def test_hungry_bones_zoledronic_20kg_first_two_infusions() -> None:
    """P-HUNGRY: 20 kg, first two infusions 0.25 mg = 1/4 of the regular 1.0 mg."""
    patient = child(20, risks=IMMOBILE)
    first = dose_for(patient, ZOL, infusion_number=1)
    second = dose_for(patient, ZOL, infusion_number=2)
    third = dose_for(patient, ZOL, infusion_number=3)
    assert (first.value, second.value, third.value) == (mg(0.25), mg(0.25), mg(1.0))
    assert second.per_kg == per_kg(0.0125)
    hungry = next(c for c in second.choices if c.rule_id == "P-HUNGRY")
    assert hungry.option == "applied; hungry_bones_infusions = 2 (default)"
    kept = next(c for c in first.choices if c.rule_id == "P-HUNGRY")
    assert kept.option.startswith("not lower")


def test_hungry_bones_pamidronate_20kg_quarter_of_40() -> None:
    """P-HUNGRY: pamidronate 20 kg: 1/4 of 40 mg = 10 mg, replacing the first-dose half."""
    patient = child(20, risks=IMMOBILE)
    doses = [dose_for(patient, PAM, infusion_number=n).value for n in (1, 2, 3)]
    assert doses == [mg(10), mg(10), mg(40)]


def test_hungry_bones_never_quarter_of_reduced_first_dose() -> None:
    """P-HUNGRY, P-PAM-FIRST: 1/4 of the regular dose (10 mg), not 1/4 of the half (5 mg)."""
    assert dose_for(child(20, risks=IMMOBILE), PAM, infusion_number=1).value != mg(5)


def test_hungry_bones_quarter_of_capped_regular() -> None:
    """P-HUNGRY, P-PAM-CAP: 70 kg: a quarter of the capped 90 mg = 22.5 mg."""
    assert dose_for(child(70, risks=IMMOBILE), PAM, infusion_number=1).value == mg(22.5)
    # Zoledronic acid 100 kg: a quarter of 4 mg is 1 mg, lower than the 1.25 mg first dose.
    assert dose_for(child(100, risks=IMMOBILE), ZOL, infusion_number=1).value == mg(1.0)


def test_hungry_bones_with_low_regular_dose() -> None:
    """P-HUNGRY, P-ZOL-LOW: a quarter of 0.025 mg/kg (20 kg: 0.125 mg)."""
    risks = RiskFlags(
        prolonged_immobilisation=True, low_bone_turnover=True, could_become_pregnant=False
    )
    assert dose_for(child(20, risks=risks), ZOL, infusion_number=1).value == mg(0.125)


def test_hungry_bones_infusion_count_option() -> None:
    """P-HUNGRY: with the option at 3, the third infusion is also a quarter."""
    options = DosingOptions(hungry_bones_infusions=3)
    patient = child(20, risks=IMMOBILE)
    assert dose_for(patient, ZOL, infusion_number=3, options=options).value == mg(0.25)
    assert dose_for(patient, ZOL, infusion_number=4, options=options).value == mg(1.0)


@pytest.mark.parametrize("count", [0, -1, 13, True])
def test_hungry_bones_option_range(count: int) -> None:
    """P-HUNGRY: at least the first infusion, at most 12."""
    with pytest.raises(InvalidValueError):
        DosingOptions(hungry_bones_infusions=count)


@pytest.mark.parametrize(
    ("drug", "band", "expected_mg", "rule"),
    [
        (ZOL, MaintenanceBand.MID, 0.5, "P-MAINT-MID"),
        (ZOL, MaintenanceBand.HIGH, 0.25, "P-MAINT-HIGH"),
        (PAM, MaintenanceBand.MID, 40.0, "P-MAINT-MID"),
        (PAM, MaintenanceBand.HIGH, 40.0, "P-MAINT-HIGH"),
    ],
)
def test_maintenance_bands_20kg(
    drug: Drug, band: MaintenanceBand, expected_mg: float, rule: str
) -> None:
    """P-MAINT-MID: zol 0.025 mg/kg; P-MAINT-HIGH: zol 0.0125 mg/kg (default); pam 2 mg/kg."""
    dose = dose_for(child(20), drug, infusion_number=10, band=band)
    assert dose.phase is Phase.MAINTENANCE
    assert dose.value == mg(expected_mg)
    assert rule in dose.rule_ids


def test_maintenance_high_band_option_upper_end() -> None:
    """P-MAINT-HIGH: the option may choose up to 0.025 mg/kg."""
    options = DosingOptions(zoledronic_high_band_per_kg=per_kg(0.025))
    dose = dose_for(child(20), ZOL, infusion_number=10, band=MaintenanceBand.HIGH, options=options)
    assert dose.value == mg(0.5)
    assert dose.allowed_per_kg.low == per_kg(0.0125)
    assert dose.allowed_per_kg.high == per_kg(0.025)


@pytest.mark.parametrize("value", [0.0124, 0.026, 0.05])
def test_maintenance_high_band_option_range(value: float) -> None:
    """P-MAINT-HIGH: only 0.0125 to 0.025 mg/kg."""
    with pytest.raises(InvalidValueError, match="P-MAINT-HIGH"):
        DosingOptions(zoledronic_high_band_per_kg=per_kg(value))


def test_maintenance_pamidronate_capped() -> None:
    """P-MAINT-MID, P-PAM-CAP: 60 kg pamidronate maintenance 120 mg is capped at 90 mg."""
    dose = dose_for(child(60), PAM, infusion_number=20, band=MaintenanceBand.MID)
    assert dose.value == mg(90)


def test_rounding_is_down_to_the_stated_precision() -> None:
    """P-ZOL-CAP: 23.7 kg x 0.0125 mg/kg = 0.29625 mg rounds down to 0.296 mg."""
    dose = dose_for(child(23.7), ZOL, infusion_number=1)
    assert dose.value == mg(0.296)
    coarse = DosingOptions(zoledronic_precision=mg(0.01))
    assert dose_for(child(23.7), ZOL, infusion_number=1, options=coarse).value == mg(0.29)


def test_pamidronate_rounding_to_tenth_mg() -> None:
    """P-PAM-DOSE: 23.77 kg x 2 mg/kg = 47.54 mg rounds down to 47.5 mg."""
    assert dose_for(child(23.77), PAM, infusion_number=3).value == mg(47.5)


def test_dose_is_the_same_for_pounds() -> None:
    """P-ZOL-DOSE (invariant 7): 44.0925 lb is 20 kg; the dose is 1.0 mg."""
    facts = DoseFacts(
        weight=ureg.Quantity(20 / 0.45359237, "pound"), infusion_number=3, date=ASSESSMENT
    )
    assert compute_dose(ZOL, facts).value == mg(1.0)


def test_phase_of() -> None:
    """P-ZOL-FIRST, P-PAM-FIRST: infusions 1 and 2 are first and second; maintenance by band."""
    assert [phase_of(n) for n in (1, 2, 3, 9)] == [
        Phase.FIRST,
        Phase.SECOND,
        Phase.REGULAR,
        Phase.REGULAR,
    ]
    assert phase_of(1, MaintenanceBand.MID) is Phase.MAINTENANCE


def test_infusion_number_must_be_positive() -> None:
    """P-ZOL-FIRST: infusions are numbered from 1."""
    with pytest.raises(InvalidValueError):
        DoseFacts(weight=kg(20), infusion_number=0, date=ASSESSMENT)


def test_default_options_documented_values() -> None:
    """P-ZOL-FIRST, P-MAINT-HIGH, P-HUNGRY: the documented defaults."""
    assert DEFAULT_OPTIONS.zoledronic_first_per_kg == per_kg(0.0125)
    assert DEFAULT_OPTIONS.zoledronic_high_band_per_kg == per_kg(0.0125)
    assert DEFAULT_OPTIONS.hungry_bones_infusions == 2
    assert DEFAULT_OPTIONS.zoledronic_precision == mg(0.001)
    assert DEFAULT_OPTIONS.pamidronate_precision == mg(0.1)


def test_every_choice_names_a_rule() -> None:
    """Invariant 9: every choice of a dose names its rule, and the dose lists them all."""
    dose = dose_for(child(70, risks=IMMOBILE), PAM, infusion_number=1)
    assert all(c.rule_id.startswith("P-") for c in dose.choices)
    assert {c.rule_id for c in dose.choices} <= set(dose.rule_ids)
    assert {"P-PAM-DOSE", "P-PAM-FIRST", "P-HUNGRY", "P-PAM-CAP"} <= set(dose.rule_ids)


@pytest.mark.parametrize("step", [0.0, -0.1])
def test_rounding_step_must_be_positive(step: float) -> None:
    """P-ZOL-CAP: a rounding step of zero or below is refused."""
    with pytest.raises(InvalidValueError, match="positive"):
        DosingOptions(zoledronic_precision=mg(step))


@pytest.mark.parametrize("weight", [0.3, 300.0])
def test_implausible_weight_is_refused_not_dosed(weight: float) -> None:
    """P-ZOL-DOSE: a 300 kg child is a typing error, not a patient."""
    with pytest.raises(ImplausibleValueError):
        DoseFacts(weight=kg(weight), infusion_number=3, date=ASSESSMENT)
