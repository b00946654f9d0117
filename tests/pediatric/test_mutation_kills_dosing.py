"""Every dose explains itself: the choices, ranges and refusals of the dosing, value by value.

Each case is a worked example of the guideline (P-ZOL-*, P-PAM-*, P-MAINT-*, P-HUNGRY): the dose,
the range the phase allows, the rule ids, and every choice in order with its rule, its words and
the option that made it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import attrs
import pytest

from bisphos.errors import DimensionError, ImplausibleValueError, InvalidValueError
from bisphos.findings import Evidence
from bisphos.model import ComplicationGrade, Drug, InfusionRecord
from bisphos.pediatric.dosing import (
    Choice,
    Dose,
    DoseFacts,
    DosingOptions,
    MaintenanceBand,
    PerKgRange,
    compute_dose,
    dose_for,
)
from bisphos.pediatric.limits import Phase
from bisphos.units import Quantity, ureg
from tests.pediatric._dosing_helpers import child, kg, mg

ZOL = Drug.ZOLEDRONIC_ACID
PAM = Drug.PAMIDRONATE
DAY = dt.date(2026, 11, 23)
MID = MaintenanceBand.MID
HIGH = MaintenanceBand.HIGH


def per_kg(value: float) -> Quantity:
    return ureg.Quantity(value, "milligram / kilogram")


def facts(weight_kg: float, number: int, **flags: Any) -> DoseFacts:
    return DoseFacts(weight=kg(weight_kg), infusion_number=number, date=DAY, **flags)


def summary(dose: Dose) -> list[tuple[str, str, str]]:
    """The choices as (rule, decision, option)."""
    return [(c.rule_id, c.decision, c.option) for c in dose.choices]


def rounded(drug: Drug, dose_mg: float) -> tuple[str, str, str]:
    if drug is ZOL:
        return (
            "P-ZOL-CAP",
            f"rounded down to 0.001 mg: {dose_mg!r} mg",
            "zoledronic_acid_precision = 0.001 mg",
        )
    return (
        "P-PAM-CAP",
        f"rounded down to 0.1 mg: {dose_mg!r} mg",
        "pamidronate_precision = 0.1 mg",
    )


def within(drug: Drug, limit_mg: float, rules: str) -> tuple[str, str, str]:
    cap, rule = (4.0, "P-ZOL-CAP") if drug is ZOL else (90.0, "P-PAM-CAP")
    words = f"not capped: within the lowest limit {limit_mg!r} mg ({rules}) "
    return (rule, words + f"and the daily cap {cap!r} mg", "")


FIRST_ZOL = (
    "P-ZOL-FIRST",
    "first infusion: 0.0125 mg/kg (acute-phase reaction, hypocalcaemia risk)",
    "zoledronic_first_per_kg = 0.0125 mg/kg (default)",
)


# --- zoledronic acid ---------------------------------------------------------------------------


def test_first_zoledronic_acid_dose_by_default() -> None:
    """P-ZOL-FIRST: 20 kg, first infusion 0.0125 mg/kg = 0.25 mg; the phase allows up to 0.025."""
    dose = compute_dose(ZOL, facts(20, 1))
    assert dose.value == mg(0.25)
    assert dose.drug is ZOL
    assert dose.phase is Phase.FIRST
    assert dose.band is None
    assert dose.per_kg == per_kg(0.0125)
    assert dose.allowed_per_kg == PerKgRange(per_kg(0.0125), per_kg(0.025), ("P-ZOL-FIRST",))
    assert dose.rule_ids == ("P-ZOL-DOSE", "P-ZOL-FIRST", "P-ZOL-CAP")
    assert summary(dose) == [
        FIRST_ZOL,
        within(ZOL, 0.5, "P-ZOL-FIRST"),
        rounded(ZOL, 0.25),
    ]
    assert dose.choices[1].evidence == (
        Evidence("proposed", mg(0.25)),
        Evidence("ceiling", mg(0.5)),
        Evidence("daily_cap", mg(4.0)),
    )


def test_first_zoledronic_acid_dose_on_request() -> None:
    """P-ZOL-FIRST: 0.025 mg/kg on request (20 kg: 0.5 mg), named as the option."""
    options = DosingOptions(zoledronic_first_per_kg=per_kg(0.025))
    dose = compute_dose(ZOL, facts(20, 1), options=options)
    assert dose.value == mg(0.5)
    assert summary(dose)[0] == (
        "P-ZOL-FIRST",
        "first infusion: 0.025 mg/kg (acute-phase reaction, hypocalcaemia risk)",
        "zoledronic_first_per_kg = 0.025 mg/kg (on request)",
    )


def test_second_zoledronic_acid_dose() -> None:
    """P-ZOL-FIRST: the second infusion, 3 months later, 0.025 mg/kg (20 kg: 0.5 mg)."""
    dose = compute_dose(ZOL, facts(20, 2))
    assert dose.value == mg(0.5)
    assert dose.phase is Phase.SECOND
    assert dose.allowed_per_kg == PerKgRange(per_kg(0.025), per_kg(0.025), ("P-ZOL-FIRST",))
    assert summary(dose) == [
        ("P-ZOL-FIRST", "second infusion, 3 months after the first: 0.025 mg/kg", ""),
        within(ZOL, 0.5, "P-ZOL-FIRST"),
        rounded(ZOL, 0.5),
    ]


def test_regular_zoledronic_acid_dose() -> None:
    """P-ZOL-DOSE: from the third infusion 0.05 mg/kg (20 kg: 1 mg)."""
    dose = compute_dose(ZOL, facts(20, 3))
    assert dose.value == mg(1.0)
    assert dose.allowed_per_kg == PerKgRange(
        per_kg(0.025), per_kg(0.05), ("P-ZOL-DOSE", "P-ZOL-LOW", "P-ZOL-COMPL")
    )
    assert dose.rule_ids == ("P-ZOL-DOSE", "P-ZOL-CAP")
    assert summary(dose) == [
        ("P-ZOL-DOSE", "0.05 mg/kg: the regular zoledronic acid dose", ""),
        within(ZOL, 1.0, "P-ZOL-DOSE"),
        rounded(ZOL, 1.0),
    ]


def test_under_two_years_lowers_the_regular_dose() -> None:
    """P-ZOL-LOW: under 2 years on the infusion date: 0.025 mg/kg (10 kg: 0.25 mg)."""
    dose = compute_dose(ZOL, facts(10, 3, under_two_years=True))
    assert dose.value == mg(0.25)
    assert dose.choices[0] == Choice(
        "P-ZOL-LOW",
        "0.025 mg/kg instead of 0.05 mg/kg: under 2 years old on the infusion date",
        evidence=(Evidence("date", DAY), Evidence("under_two_years", value=True)),
    )
    assert dose.rule_ids == ("P-ZOL-DOSE", "P-ZOL-LOW", "P-ZOL-CAP")


def test_low_bone_turnover_lowers_the_regular_dose() -> None:
    """P-ZOL-LOW: osteoporosis with low bone turnover: 0.025 mg/kg (20 kg: 0.5 mg)."""
    dose = compute_dose(ZOL, facts(20, 3, low_bone_turnover=True))
    assert dose.value == mg(0.5)
    assert dose.choices[0] == Choice(
        "P-ZOL-LOW",
        "0.025 mg/kg instead of 0.05 mg/kg: osteoporosis with low bone turnover",
        evidence=(Evidence("risks.low_bone_turnover", value=True),),
    )


def test_a_complication_lowers_the_regular_dose() -> None:
    """P-ZOL-COMPL: a moderate complication after an earlier dose: 0.025 mg/kg from then on."""
    record = InfusionRecord(ZOL, dt.date(2026, 5, 1), mg(0.25), ComplicationGrade.MODERATE)
    dose = compute_dose(ZOL, facts(20, 3, complication=record))
    assert dose.value == mg(0.5)
    assert dose.choices[0] == Choice(
        "P-ZOL-COMPL",
        "0.025 mg/kg instead of 0.05 mg/kg: more than mild complication after an earlier dose",
        evidence=(
            Evidence("complication", "moderate"),
            Evidence("complication.date", dt.date(2026, 5, 1)),
            Evidence("complication.drug", "zoledronic_acid"),
        ),
    )
    assert dose.rule_ids == ("P-ZOL-DOSE", "P-ZOL-COMPL", "P-ZOL-CAP")


def test_maintenance_mid_band_zoledronic_acid() -> None:
    """P-MAINT-MID: -2 < Z <= 0: 0.025 mg/kg (20 kg: 0.5 mg)."""
    dose = compute_dose(ZOL, facts(20, 1), band=MID)
    assert dose.value == mg(0.5)
    assert dose.phase is Phase.MAINTENANCE
    assert dose.band is MID
    assert dose.allowed_per_kg == PerKgRange(per_kg(0.025), per_kg(0.025), ("P-MAINT-MID",))
    assert summary(dose) == [
        ("P-MAINT-MID", "maintenance with −2 < Z ≤ 0: 0.025 mg/kg", ""),
        within(ZOL, 0.5, "P-MAINT-MID, P-MAINT-HIGH"),
        rounded(ZOL, 0.5),
    ]


def test_maintenance_high_band_zoledronic_acid_default() -> None:
    """P-MAINT-HIGH: Z > 0: 0.0125-0.025 mg/kg, default the lower end (20 kg: 0.25 mg)."""
    dose = compute_dose(ZOL, facts(20, 1), band=HIGH)
    assert dose.value == mg(0.25)
    assert dose.allowed_per_kg == PerKgRange(per_kg(0.0125), per_kg(0.025), ("P-MAINT-HIGH",))
    assert summary(dose)[0] == (
        "P-MAINT-HIGH",
        "maintenance with Z > 0: 0.0125 mg/kg of the range 0.0125–0.025 mg/kg",
        "zoledronic_high_band_per_kg = 0.0125 mg/kg (default, the lower end)",
    )


def test_maintenance_high_band_zoledronic_acid_chosen() -> None:
    """P-MAINT-HIGH: 0.02 mg/kg chosen within the range (20 kg: 0.4 mg), not the default."""
    options = DosingOptions(zoledronic_high_band_per_kg=per_kg(0.02))
    dose = compute_dose(ZOL, facts(20, 1), band=HIGH, options=options)
    assert dose.value == mg(0.4)
    assert summary(dose)[0] == (
        "P-MAINT-HIGH",
        "maintenance with Z > 0: 0.02 mg/kg of the range 0.0125–0.025 mg/kg",
        "zoledronic_high_band_per_kg = 0.02 mg/kg",
    )


# --- pamidronate -------------------------------------------------------------------------------


def test_first_pamidronate_dose_is_half_the_capped_dose() -> None:
    """P-PAM-FIRST, P-PAM-CAP: 60 kg: 2 mg/kg is 120 mg, capped at 90, halved: 45 mg."""
    dose = compute_dose(PAM, facts(60, 1))
    assert dose.value == mg(45.0)
    assert dose.allowed_per_kg == PerKgRange(per_kg(1.0), per_kg(1.0), ("P-PAM-FIRST",))
    assert dose.rule_ids == ("P-PAM-DOSE", "P-PAM-FIRST", "P-PAM-CAP")
    assert summary(dose) == [
        (
            "P-PAM-FIRST",
            "first infusion: half the regular dose, the cap applied before halving (at most 45 mg)",
            "",
        ),
        ("P-PAM-CAP", "capped at 45.0 mg (P-PAM-FIRST, P-PAM-CAP)", ""),
        rounded(PAM, 45.0),
    ]
    assert dose.choices[1].evidence == (
        Evidence("proposed", mg(60.0)),
        Evidence("ceiling", mg(45.0)),
        Evidence("daily_cap", mg(90.0)),
    )


def test_second_pamidronate_dose_is_the_normal_dose() -> None:
    """P-PAM-FIRST, P-PAM-DOSE: the second infusion is 2 mg/kg (20 kg: 40 mg)."""
    dose = compute_dose(PAM, facts(20, 2))
    assert dose.value == mg(40.0)
    assert dose.allowed_per_kg == PerKgRange(
        per_kg(2.0), per_kg(2.0), ("P-PAM-FIRST", "P-PAM-DOSE")
    )
    assert summary(dose) == [
        ("P-PAM-FIRST", "second infusion: the normal dose", ""),
        within(PAM, 40.0, "P-PAM-FIRST, P-PAM-DOSE"),
        rounded(PAM, 40.0),
    ]


def test_regular_pamidronate_dose_capped_at_90() -> None:
    """P-PAM-DOSE, P-PAM-CAP: 60 kg, 2 mg/kg is 120 mg: capped at 90 mg."""
    dose = compute_dose(PAM, facts(60, 3))
    assert dose.value == mg(90.0)
    assert dose.cap_applied
    assert dose.rule_ids == ("P-PAM-DOSE", "P-PAM-CAP")
    assert summary(dose) == [
        ("P-PAM-DOSE", "2 mg/kg/day: the regular pamidronate dose", ""),
        ("P-PAM-CAP", "capped at 90.0 mg (P-PAM-CAP)", ""),
        rounded(PAM, 90.0),
    ]


def test_maintenance_pamidronate() -> None:
    """P-MAINT-MID, P-MAINT-HIGH: pamidronate 2 mg/kg in either band (20 kg: 40 mg); the first
    pamidronate infusion of all is halved even in maintenance (P-PAM-FIRST, P-HIST-INTERVAL: a
    switch of drug restarts its first-dose reduction): 20 mg."""
    for band, rule in ((MID, "P-MAINT-MID"), (HIGH, "P-MAINT-HIGH")):
        assert compute_dose(PAM, facts(20, 1), band=band).value == mg(20.0)
        dose = compute_dose(PAM, facts(20, 2), band=band)
        assert dose.value == mg(40.0)
        assert dose.allowed_per_kg == PerKgRange(per_kg(2.0), per_kg(2.0), (rule,))
        assert summary(dose)[0] == (rule, f"maintenance ({band.value} band): 2 mg/kg/day", "")


# --- hungry bones (P-HUNGRY) ------------------------------------------------------------------


def test_hungry_bones_quarter_replaces_the_half_first_dose() -> None:
    """P-HUNGRY, P-PAM-FIRST: 20 kg immobile: a quarter of 40 mg (10 mg) replaces the half
    (20 mg)."""
    dose = compute_dose(PAM, facts(20, 1, prolonged_immobilisation=True))
    assert dose.value == mg(10.0)
    assert dose.per_kg == per_kg(0.5)
    assert dose.rule_ids == ("P-PAM-DOSE", "P-PAM-FIRST", "P-HUNGRY", "P-PAM-CAP")
    assert dose.choices[1] == Choice(
        "P-HUNGRY",
        "prolonged immobilisation: a quarter of the regular dose (0.5 mg/kg, capped at a "
        "quarter of the cap) replaces the lower-than-regular phase dose",
        option="applied; hungry_bones_infusions = 2 (default)",
        evidence=(
            Evidence("risks.prolonged_immobilisation", value=True),
            Evidence("infusion_number", 1),
            Evidence("quarter_of_regular", mg(10.0)),
            Evidence("phase_dose", mg(20.0)),
        ),
    )
    assert summary(dose)[2] == within(PAM, 20.0, "P-PAM-FIRST")


def test_hungry_bones_quarter_of_the_capped_dose() -> None:
    """P-HUNGRY, P-PAM-CAP: 100 kg, second infusion, 3 infusions chosen: a quarter of the 90 mg
    cap is 22.5 mg."""
    options = DosingOptions(hungry_bones_infusions=3)
    dose = compute_dose(PAM, facts(100, 2, prolonged_immobilisation=True), options=options)
    assert dose.value == mg(22.5)
    assert dose.choices[1].option == "applied; hungry_bones_infusions = 3"
    assert summary(dose)[2] == ("P-PAM-CAP", "capped at 22.5 mg (P-HUNGRY, P-PAM-CAP)", "")
    assert dose.limited.ceiling_rule_ids == ("P-HUNGRY", "P-PAM-CAP")


def test_hungry_bones_keeps_a_first_dose_that_is_not_higher() -> None:
    """P-HUNGRY, P-ZOL-FIRST: a quarter of 0.05 mg/kg equals the 0.0125 mg/kg first dose: kept,
    never a quarter of an already reduced dose."""
    dose = compute_dose(ZOL, facts(20, 1, prolonged_immobilisation=True))
    assert dose.value == mg(0.25)
    assert summary(dose) == [
        FIRST_ZOL,
        (
            "P-HUNGRY",
            (
                "prolonged immobilisation: a quarter of the regular dose is not lower than this "
                "infusion's dose, which is kept"
            ),
            "not lower; hungry_bones_infusions = 2 (default)",
        ),
        within(ZOL, 0.5, "P-ZOL-FIRST"),
        rounded(ZOL, 0.25),
    ]
    assert dose.choices[1].evidence[2:] == (
        Evidence("quarter_of_regular", mg(0.25)),
        Evidence("phase_dose", mg(0.25)),
    )


@pytest.mark.parametrize(
    ("count", "number", "applies"), [(1, 1, True), (1, 2, False), (12, 12, True)]
)
def test_hungry_bones_count_bounds(count: int, number: int, applies: bool) -> None:
    """P-HUNGRY: the option counts 1 to 12 first infusions; the infusion after them is normal."""
    options = DosingOptions(hungry_bones_infusions=count)
    dose = compute_dose(PAM, facts(20, number, prolonged_immobilisation=True), options=options)
    assert ("P-HUNGRY" in dose.rule_ids) is applies


# --- facts and options refused with their details ----------------------------------------------


def test_facts_of_a_patient() -> None:
    """P-ZOL-LOW, P-ZOL-COMPL: the facts are the weight, the next number and the date."""
    patient = attrs.evolve(child(20), assessment_date=DAY)
    fact = DoseFacts.of(patient, ZOL)
    assert fact.date == DAY
    assert fact.infusion_number == 1
    assert dose_for(patient, ZOL).facts.date == DAY


def test_weight_given_as_text_is_read() -> None:
    """Invariant 7: a weight of '44 lb' is 19.958 kg, to the nearest milligram."""
    fact = DoseFacts(weight="44 lb", infusion_number=1, date=DAY)
    assert fact.weight == kg(19.958064)


@pytest.mark.parametrize("weight", [0.4, 250.0])
def test_plausible_weight_bounds_are_accepted(weight: float) -> None:
    """P-ZOL-CAP: 0.4 kg and 250 kg are the plausible ends and are dosed."""
    assert compute_dose(ZOL, facts(weight, 3)).value <= mg(4.0)


@pytest.mark.parametrize("weight", [0.399, 250.001])
def test_implausible_weights_are_refused_naming_the_weight(weight: float) -> None:
    """A weight outside 0.4 to 250 kg is refused, naming the weight."""
    with pytest.raises(ImplausibleValueError) as caught:
        facts(weight, 1)
    assert caught.value.field == "weight"


@pytest.mark.parametrize(
    ("weight", "error"),
    [(kg(math.nan), ImplausibleValueError), (ureg.Quantity(20.0, "cm"), DimensionError)],
)
def test_bad_weights_are_refused_naming_the_weight(
    weight: Quantity, error: type[Exception]
) -> None:
    """A NaN weight or a length is refused, naming the weight."""
    with pytest.raises(error) as caught:
        DoseFacts(weight=weight, infusion_number=1, date=DAY)
    assert caught.value.field == "weight"  # type: ignore[attr-defined]


@pytest.mark.parametrize("number", [0, -1, True, 1.0])
def test_infusion_numbers_start_at_one(number: object) -> None:
    """P-ZOL-FIRST: infusions are numbered from 1; a flag or a float is no number."""
    with pytest.raises(InvalidValueError) as caught:
        DoseFacts(weight=kg(20), infusion_number=number, date=DAY)  # type: ignore[arg-type]
    error = caught.value
    assert error.message == "infusions are numbered from 1"
    assert error.field == "infusion_number"
    assert error.value == number
    assert error.expected == "a whole number of at least 1"


def test_first_dose_option_outside_the_two_choices() -> None:
    """P-ZOL-FIRST: only 0.0125 or 0.025 mg/kg; 0.02 mg/kg is refused with its details."""
    with pytest.raises(InvalidValueError) as caught:
        DosingOptions(zoledronic_first_per_kg=per_kg(0.02))
    error = caught.value
    assert error.message == "the first zoledronic acid dose is 0.0125 or 0.025 mg/kg (P-ZOL-FIRST)"
    assert error.field == "options.zoledronic_first_per_kg"
    assert error.value == str(per_kg(0.02))
    assert error.expected == "0.0125 mg/kg or 0.025 mg/kg"


def test_first_dose_option_in_a_wrong_unit_names_the_option() -> None:
    """P-ZOL-FIRST: a first dose in mg (not per kg) is refused, naming the option."""
    with pytest.raises(DimensionError) as caught:
        DosingOptions(zoledronic_first_per_kg=mg(0.0125))
    assert caught.value.field == "options.zoledronic_first_per_kg"


def test_high_band_option_outside_the_range() -> None:
    """P-MAINT-HIGH: 0.0124 mg/kg is below the range and refused with its details."""
    with pytest.raises(InvalidValueError) as caught:
        DosingOptions(zoledronic_high_band_per_kg=per_kg(0.0124))
    error = caught.value
    assert error.message == (
        "maintenance zoledronic acid with Z > 0 is 0.0125 to 0.025 mg/kg (P-MAINT-HIGH)"
    )
    assert error.field == "options.zoledronic_high_band_per_kg"
    assert error.value == str(per_kg(0.0124))
    assert error.expected == "a dose from 0.0125 to 0.025 mg/kg"
    with pytest.raises(DimensionError) as wrong:
        DosingOptions(zoledronic_high_band_per_kg=mg(0.02))
    assert wrong.value.field == "options.zoledronic_high_band_per_kg"


@pytest.mark.parametrize("factor", [1 - 1e-9, 1 + 1e-9])
def test_high_band_option_at_the_edges_of_its_tolerance(factor: float) -> None:
    """P-MAINT-HIGH: values within 1e-9 of the range's ends (unit noise) are kept inside it."""
    low = DosingOptions(zoledronic_high_band_per_kg=per_kg(0.0125 * factor))
    high = DosingOptions(zoledronic_high_band_per_kg=per_kg(0.025 * factor))
    assert low.zoledronic_high_band_per_kg.magnitude == pytest.approx(0.0125, rel=1e-8)
    assert low.zoledronic_high_band_per_kg.magnitude >= 0.0125
    assert high.zoledronic_high_band_per_kg.magnitude <= 0.025


@pytest.mark.parametrize("count", [0, 13, True, 2.0])
def test_hungry_bones_option_bounds(count: object) -> None:
    """P-HUNGRY: the number of first infusions is a whole number from 1 to 12."""
    with pytest.raises(InvalidValueError) as caught:
        DosingOptions(hungry_bones_infusions=count)  # type: ignore[arg-type]
    error = caught.value
    assert error.message == "hungry bones applies to at least the first infusion (P-HUNGRY)"
    assert error.field == "options.hungry_bones_infusions"
    assert error.value == count
    assert error.expected == "a whole number of infusions from 1 to 12"


@pytest.mark.parametrize("option", ["zoledronic_precision", "pamidronate_precision"])
def test_rounding_steps_must_be_positive_masses(option: str) -> None:
    """P-ZOL-CAP, P-PAM-CAP: a rounding step of 0 mg or in ml is refused, naming the option."""
    with pytest.raises(InvalidValueError) as caught:
        DosingOptions(**{option: mg(0.0)})  # type: ignore[arg-type]
    error = caught.value
    assert error.message == "a rounding step must be positive"
    assert error.field == f"options.{option}"
    assert error.value == str(mg(0.0))
    assert error.expected == "e.g. 0.001 mg"
    with pytest.raises(DimensionError) as wrong:
        DosingOptions(**{option: ureg.Quantity(0.1, "milliliter")})  # type: ignore[arg-type]
    assert wrong.value.field == f"options.{option}"


def test_drug_and_band_may_be_given_as_text_values() -> None:
    """P-MAINT-MID, P-ZOL-FIRST: "zoledronic_acid" and "mid" (as in a JSON request) give the
    doses of the enumerations: 0.5 mg for 20 kg in the mid band; the facts of a first infusion
    count the infusions of the drug named."""
    by_text = compute_dose("zoledronic_acid", facts(20, 1), band="mid")
    assert by_text == compute_dose(ZOL, facts(20, 1), band=MID)
    assert by_text.value == mg(0.5)
    assert by_text.drug is ZOL
    assert by_text.band is MID
    patient = child(20, born=dt.date(2016, 1, 1), assessed=DAY)
    assert DoseFacts.of(patient, "pamidronate") == DoseFacts.of(patient, PAM)
    assert DoseFacts.of(patient, "pamidronate").infusion_number == 1
