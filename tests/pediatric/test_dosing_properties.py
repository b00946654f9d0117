"""Property tests of the pediatric doses: invariants 1, 2, 3, 6 and 8 of the rule catalogue.

Every drug, phase, maintenance band, option and risk flag is drawn, across weights from 0.5 to
150 kg; ``hypothesis.target`` steers the search toward doses at the caps and per-kg limits, where
an error would be an overdose. Exact comparisons use the decimals the limits round on.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import attrs
from hypothesis import given, target
from hypothesis import strategies as st

from bisphos.errors import HardLimitError
from bisphos.model import ComplicationGrade, Drug, InfusionRecord
from bisphos.pediatric.dosing import (
    Dose,
    DoseFacts,
    DosingOptions,
    MaintenanceBand,
    compute_dose,
)
from bisphos.pediatric.infusion import prepare_infusion
from bisphos.pediatric.limits import DAILY_CAPS, DEFAULT_PRECISION, Phase, exact, max_per_kg
from bisphos.units import ureg
from tests.pediatric._dosing_helpers import ASSESSMENT, kg, mg

WEIGHTS = st.floats(min_value=0.5, max_value=150.0, allow_nan=False)
# Weights near the points where a per-kg dose reaches a cap: 4 mg / 0.05, 4 / 0.025, 90 / 2 ...
CAP_WEIGHTS = st.sampled_from([80.0, 160.0 / 2, 45.0, 90.0, 320.0 / 4]).flatmap(
    lambda w: st.floats(min_value=w * 0.99, max_value=min(w * 1.01, 150.0))
)
COMPLICATION = InfusionRecord(
    drug=Drug.ZOLEDRONIC_ACID,
    date=dt.date(2026, 1, 5),
    dose=mg(0.25),
    complication=ComplicationGrade.SEVERE,
)


MG_PER_KG = ureg.Unit("milligram / kilogram")


def _all_options(zol_steps: list[float], pam_steps: list[float]) -> list[DosingOptions]:
    """Every combination of the options, built once: options are validated when made."""
    return [
        DosingOptions(
            zoledronic_first_per_kg=ureg.Quantity(first, MG_PER_KG),
            zoledronic_high_band_per_kg=ureg.Quantity(high, MG_PER_KG),
            hungry_bones_infusions=hungry,
            zoledronic_precision=mg(zol_step),
            pamidronate_precision=mg(pam_step),
        )
        for first, high, hungry, zol_step, pam_step in itertools.product(
            [0.0125, 0.025], [0.0125, 0.0175, 0.02, 0.025], [1, 2, 3, 4], zol_steps, pam_steps
        )
    ]


#: Every option with rounding steps that never round a dose in 0.5–150 kg to zero.
OPTIONS = st.sampled_from(_all_options([0.001, 0.0001], [0.1, 0.01]))
#: Every option, with coarse rounding steps too (which may round a small dose to zero).
ANY_OPTIONS = st.sampled_from(_all_options([0.001, 0.0001, 0.01], [0.1, 0.01, 1.0]))


def options(*, coarse: bool = False) -> st.SearchStrategy[DosingOptions]:
    return ANY_OPTIONS if coarse else OPTIONS


@st.composite
def facts(draw: st.DrawFn, weight: st.SearchStrategy[float] = WEIGHTS | CAP_WEIGHTS) -> DoseFacts:
    return DoseFacts(
        weight=kg(draw(weight)),
        infusion_number=draw(st.integers(min_value=1, max_value=6)),
        date=ASSESSMENT,
        under_two_years=draw(st.booleans()),
        low_bone_turnover=draw(st.booleans()),
        prolonged_immobilisation=draw(st.booleans()),
        complication=draw(st.sampled_from([None, COMPLICATION])),
    )


BANDS = st.sampled_from([None, MaintenanceBand.MID, MaintenanceBand.HIGH])
DRUGS = st.sampled_from(Drug)


def _dose_mg(dose: Dose) -> float:
    return float(dose.value.m_as("milligram"))


@given(DRUGS, facts(), BANDS, options(coarse=True))
def test_invariant_1_dose_never_exceeds_daily_cap(
    drug: Drug, fact: DoseFacts, band: MaintenanceBand | None, option: DosingOptions
) -> None:
    """Invariant 1 (P-ZOL-CAP, P-PAM-CAP): zoledronic acid ≤ 4 mg, pamidronate ≤ 90 mg per day,
    for every weight, phase, band, option and flag; a dose that a coarse rounding step would
    round to nothing is refused with HardLimitError, never returned as zero."""
    try:
        dose = compute_dose(drug, fact, band=band, options=option)
    except HardLimitError as error:
        refusal = str(error)
    else:
        refusal = ""
    if refusal:
        assert "rounds down to zero" in refusal
        assert option.precision(drug) > DEFAULT_PRECISION[drug]
        return
    cap = DAILY_CAPS[drug].dose.m_as("milligram")
    target(_dose_mg(dose) / cap, label="dose / daily cap")
    assert 0 < _dose_mg(dose) <= cap
    assert dose.value <= dose.daily_cap.dose


@given(DRUGS, facts(), BANDS, options())
def test_invariant_2_dose_per_kg_never_exceeds_phase_maximum(
    drug: Drug, fact: DoseFacts, band: MaintenanceBand | None, option: DosingOptions
) -> None:
    """Invariant 2 (P-ZOL-FIRST, P-ZOL-DOSE, P-PAM-FIRST, P-PAM-DOSE, P-MAINT-MID,
    P-MAINT-HIGH): the final dose per kg never exceeds the phase's maximum, nor the top of the
    range the guideline allows for the phase, after rounding."""
    dose = compute_dose(drug, fact, band=band, options=option)
    weight = exact(fact.weight.m_as("kilogram"))
    maximum = exact(max_per_kg(drug, dose.phase).per_kg.m_as("milligram / kilogram"))
    allowed = exact(dose.allowed_per_kg.high.m_as("milligram / kilogram"))
    target(float(exact(_dose_mg(dose)) / (maximum * weight)), label="dose / per-kg limit")
    assert exact(_dose_mg(dose)) <= maximum * weight
    assert exact(_dose_mg(dose)) <= allowed * weight
    assert dose.per_kg <= dose.allowed_per_kg.high


@given(DRUGS, facts(), options())
def test_invariant_3_first_infusion_never_above_regular(
    drug: Drug, fact: DoseFacts, option: DosingOptions
) -> None:
    """Invariant 3 (P-ZOL-FIRST, P-PAM-FIRST, P-HUNGRY): the first and second doses are never
    larger than the regular dose the same patient gets on the same day with the same options."""
    first = compute_dose(drug, attrs.evolve(fact, infusion_number=1), options=option)
    second = compute_dose(drug, attrs.evolve(fact, infusion_number=2), options=option)
    third = compute_dose(drug, attrs.evolve(fact, infusion_number=3), options=option)
    settled = compute_dose(drug, attrs.evolve(fact, infusion_number=13), options=option)
    assert first.phase is Phase.FIRST
    assert third.phase is Phase.REGULAR
    target(_dose_mg(first) / _dose_mg(settled), label="first / regular")
    assert first.value <= third.value <= settled.value
    assert second.value <= settled.value
    assert first.value <= second.value or fact.prolonged_immobilisation


@given(DRUGS, facts(), BANDS, options(), WEIGHTS | CAP_WEIGHTS)
def test_invariant_6_dose_monotonic_in_weight(
    drug: Drug,
    fact: DoseFacts,
    band: MaintenanceBand | None,
    option: DosingOptions,
    other_kg: float,
) -> None:
    """Invariant 6 (P-ZOL-DOSE, P-PAM-DOSE): a heavier patient never gets less, all else equal,
    up to the cap (where the dose stays at the cap)."""
    lighter_kg, heavier_kg = sorted([fact.weight.m_as("kilogram"), other_kg])
    lighter = compute_dose(
        drug, attrs.evolve(fact, weight=kg(lighter_kg)), band=band, options=option
    )
    heavier = compute_dose(
        drug, attrs.evolve(fact, weight=kg(heavier_kg)), band=band, options=option
    )
    cap = DAILY_CAPS[drug].dose.m_as("milligram")
    target(_dose_mg(heavier) / cap, label="heavier dose / cap")
    assert lighter.value <= heavier.value


@given(facts(), BANDS, options(), st.booleans())
def test_invariant_8_pamidronate_volume_and_rate(
    fact: DoseFacts, band: MaintenanceBand | None, option: DosingOptions, renal: bool
) -> None:
    """Invariant 8 (P-PAM-DOSE, P-PAM-RENAL): volume = dose / 0.1 mg/ml and rate = volume / 4 h,
    exactly, for every pamidronate dose; in renal impairment over the longer of 4 h and
    dose / 20 mg/h; the label limits (≤ 60 mg/h, ≤ 90 mg/250 ml, ≤ 20 mg/h renal) are always
    met."""
    dose = compute_dose(Drug.PAMIDRONATE, fact, band=band, options=option)
    preparation = prepare_infusion(Drug.PAMIDRONATE, dose.value, renal_rate=renal)
    dose_mg = exact(_dose_mg(dose))
    volume = exact(preparation.volume.m_as("milliliter"))
    rate = exact(preparation.rate.m_as("milliliter / hour"))
    hours = max(Decimal(4), dose_mg / Decimal(20)) if renal else Decimal(4)
    target(float(dose_mg) / 90.0, label="pamidronate dose / cap")
    assert volume == dose_mg / Decimal("0.1")
    assert abs(rate - volume / hours) <= Decimal("1e-9")
    assert exact(preparation.duration.m_as("hour")) == hours
    # The final concentration is of the dose the volume drawn up delivers (P-PREP-PRODUCT): 3 mg/ml
    # in 0.01 ml steps, at most one step (0.03 mg) below the planned dose, never above it.
    delivered = exact(preparation.delivered.m_as("milligram"))
    assert dose_mg - Decimal("0.03") <= delivered <= dose_mg
    concentration = exact(preparation.concentration.m_as("milligram / milliliter"))
    assert abs(concentration - delivered / volume) <= Decimal("1e-15")
    assert all(check.passed for check in preparation.checks)
    assert len(preparation.checks) == (3 if renal else 2)


@given(
    st.integers(min_value=500, max_value=150_000),
    st.sampled_from(["gram", "pound"]),
    DRUGS,
    facts(),
    BANDS,
)
def test_invariant_7_dose_does_not_depend_on_weight_unit(
    weight_g: int, unit: str, drug: Drug, fact: DoseFacts, band: MaintenanceBand | None
) -> None:
    """Invariant 7 (P-ZOL-DOSE, P-PAM-DOSE): the same weight in kg, g or lb (the units a body
    weight accepts, P-WEIGHT-PLAUSIBLE) gives the same dose, even where the round-down meets
    binary noise of the unit conversion."""
    in_kg = kg(weight_g / 1000)
    other = in_kg.to(unit)
    reference = compute_dose(drug, attrs.evolve(fact, weight=in_kg), band=band)
    converted = compute_dose(drug, attrs.evolve(fact, weight=other), band=band)
    assert converted.value == reference.value
    assert converted.facts.weight == reference.facts.weight
