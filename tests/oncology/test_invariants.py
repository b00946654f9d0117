"""Property tests of the oncology protocol's declared invariants (O-RENAL, O-LABEL, O-RA223).

Each test draws whole adult patients — every setting and tumour, clearances from none to
hyperfiltration, every radium-223 criterion, with and without a clinician override — and judges
the recommendation against limits the test computes itself from the patient's own numbers.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.oncology.cost import yearly_cost
from bisphos.oncology.limits import limit_violations
from bisphos.oncology.patient import AdultPatient, ClinicianOverride, Setting, Tumour
from bisphos.oncology.radium import radium_activity
from bisphos.oncology.recommendation import OncologyRecommendation, OptionStatus
from bisphos.oncology.regimens import CalibrationStandard, Drug, ListPrice, RenalRule
from bisphos.units import quantity

ENGINE = Engine.create(entry_points=False)
TODAY = dt.date(2024, 5, 1)
OVERRIDE = ClinicianOverride(
    target="pamidronate-severe-renal",
    reason_code="no-alternative",
    reason="r",
    clinician="c",
    time=dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC),
)
_SETTINGS = [
    (Setting.BONE_METASTASES, tumour)
    for tumour in (Tumour.BREAST, Tumour.PROSTATE, Tumour.LUNG, Tumour.RENAL_CELL)
] + [
    (Setting.MULTIPLE_MYELOMA, Tumour.MYELOMA),
    (Setting.PREVENTION_OF_OSTEOPOROSIS, Tumour.BREAST),
    (Setting.PREVENTION_OF_OSTEOPOROSIS, Tumour.PROSTATE),
    (Setting.PREVENTION_OF_METASTASES, Tumour.BREAST),
]
_MAYBE = st.sampled_from([True, False, None])


@st.composite
def adult_patients(draw: st.DrawFn) -> AdultPatient:
    """Adults (and some children) in every setting, near every renal band edge and beyond."""
    setting, tumour = draw(st.sampled_from(_SETTINGS))
    age = draw(st.integers(min_value=15, max_value=100))
    creatinine = draw(
        st.one_of(st.none(), st.floats(min_value=20.0, max_value=1200.0, allow_nan=False))
    )
    values: dict[str, Any] = {
        "birth_date": dt.date(TODAY.year - age, 1, 15),
        "assessment_date": TODAY,
        "sex": draw(st.sampled_from(["female", "male", "other"])),
        "weight": quantity(draw(st.floats(min_value=35.0, max_value=180.0)), "kg"),
        "setting": setting,
        "tumour": tumour,
        "serum_creatinine": None if creatinine is None else quantity(creatinine, "umol/L"),
        "dental_evaluation_done": draw(st.booleans()),
        "osteoporosis": draw(st.booleans()),
        "relapse_or_new_sre": draw(st.booleans()),
        "life_expectancy": quantity(draw(st.floats(min_value=0.5, max_value=36.0)), "month"),
        "high_sre_risk": draw(_MAYBE),
        "performance_status_declined": draw(st.booleans()),
        "overrides": (OVERRIDE,) if draw(st.booleans()) else (),
    }
    if tumour is Tumour.PROSTATE and setting is Setting.BONE_METASTASES and draw(st.booleans()):
        values |= {
            "radium_injection_number": draw(st.integers(min_value=1, max_value=6)),
            "castration_resistant": draw(_MAYBE),
            "symptomatic_bone_metastases": draw(_MAYBE),
            "visceral_metastases": draw(_MAYBE),
            "prior_systemic_therapies": draw(st.one_of(st.none(), st.integers(0, 4))),
            "no_suitable_systemic_therapy": draw(st.booleans()),
            "abiraterone_prednisone": draw(st.booleans()),
            "neutrophils": quantity(draw(st.floats(0.0, 5.0)), "ten_to_the_9 / liter"),
            "platelets": quantity(draw(st.floats(0.0, 400.0)), "ten_to_the_9 / liter"),
            "haemoglobin": quantity(draw(st.floats(5.0, 16.0)), "g/dL"),
        }
    return AdultPatient(**values)


def _clearance(patient: AdultPatient) -> float | None:
    # The test's own Cockcroft-Gault: (140 - age) x kg x (0.85 unless male) / (72 x mg/dl).
    if patient.serum_creatinine is None:
        return None
    mg_dl = float(patient.serum_creatinine.m_as("umol/L")) / 88.4
    factor = 1.0 if patient.sex.value == "male" else 0.85
    age = patient.age_in_whole_years
    return (140 - age) * float(patient.weight.m_as("kg")) * factor / (72 * mg_dl)


def _band_mg(clearance: float | None) -> float:
    # The label's bands, half-open as the catalogue decides (O-RENAL), at 1e-6 ml/min.
    if clearance is None:
        return 0.0
    value = round(clearance, 6)
    if value > 60.0:
        return 4.0
    for floor, mg in ((50.0, 3.5), (40.0, 3.3), (30.0, 3.0)):
        if value >= floor:
            return mg
    return 0.0


def _recommend(patient: AdultPatient) -> OncologyRecommendation:
    return ENGINE.recommend(patient)


@given(adult_patients())
def test_invariant_101_zoledronic_acid_never_exceeds_the_renal_band_dose(
    patient: AdultPatient,
) -> None:
    """Invariant 101 (O-RENAL, O-LABEL): each offered zoledronic acid 4 mg dose is at most the dose
    of the band the test computes from the patient's own creatinine; none below 30 ml/min or
    without a creatinine; never above 4 mg."""
    result = _recommend(patient)
    ceiling = _band_mg(_clearance(patient))
    for option in result.offered:
        if option.regimen.renal is RenalRule.ZOLEDRONIC_ACID_4MG:
            assert option.dose is not None
            assert float(option.dose.m_as("mg")) <= min(ceiling, 4.0) + 1e-9
            assert ceiling > 0


@given(adult_patients())
def test_invariant_102_no_pamidronate_past_the_label_rates(patient: AdultPatient) -> None:
    """Invariant 102 (O-LABEL): pamidronate at most 90 mg, 60 mg/h, 20 mg/h below 60 ml/min, 0.36
    mg/ml, and below 30 ml/min only on a clinician override."""
    result = _recommend(patient)
    clearance = _clearance(patient)
    for option in result.offered:
        if option.regimen.drug is not Drug.PAMIDRONATE:
            continue
        assert clearance is not None
        assert clearance >= 30.0 - 1e-6 or patient.overrides
        infusion = option.infusion
        assert infusion is not None
        mg = float(infusion.dose.m_as("mg"))
        hours = float(infusion.duration.m_as("h"))
        assert mg <= 90.0
        limit = 20.0 if clearance < 60.0 - 1e-6 else 60.0
        assert mg / hours <= limit + 1e-9
        assert mg / float(infusion.volume.m_as("mL")) <= 90.0 / 250.0 + 1e-12


@given(
    weight=st.floats(min_value=30.0, max_value=250.0, allow_nan=False),
    factor=st.floats(min_value=0.5, max_value=2.0, allow_nan=False),
)
def test_invariant_103_radium_activity_is_proportional_to_weight_with_its_standard(
    weight: float, factor: float
) -> None:
    """Invariant 103 (O-RA223): activity = 55 kBq/kg x weight under the 2015 NIST standard, the
    deck's 50 kBq/kg x weight under the pre-2015 standard beside it; activity(k x w) = k x
    activity(w)."""
    activity = radium_activity(quantity(weight, "kg"))
    assert activity.activity.standard is CalibrationStandard.NIST_2015
    assert activity.deck_equivalent.standard is CalibrationStandard.PRE_2015
    kbq = float(activity.activity.activity.m_as("kBq"))
    assert abs(kbq - 55.0 * weight) <= 1e-9 * kbq
    assert abs(float(activity.deck_equivalent.activity.m_as("kBq")) - 50.0 * weight) <= 1e-6
    scaled = radium_activity(quantity(min(weight * factor, 300.0), "kg"))
    expected = 55.0 * min(weight * factor, 300.0)
    assert abs(float(scaled.activity.activity.m_as("kBq")) - expected) <= 1e-9 * expected


@given(adult_patients())
def test_invariant_104_radium_only_within_the_label_indication(patient: AdultPatient) -> None:
    """Invariant 104 (O-LABEL, O-RA223): injections are dated only when every criterion of the label
    holds, judged here from the patient's own facts; at most 6, 28 days apart."""
    result = _recommend(patient)
    if result.radium is None or not result.radium.injections:
        return
    prior = patient.prior_systemic_therapies
    assert patient.tumour is Tumour.PROSTATE
    assert patient.castration_resistant is True
    assert patient.symptomatic_bone_metastases is True
    assert patient.visceral_metastases is False
    assert patient.no_suitable_systemic_therapy or (prior is not None and prior >= 2)
    assert not patient.abiraterone_prednisone
    injections = result.radium.injections
    assert len(injections) <= 6
    assert injections[0].date == patient.assessment_date
    assert all((b.date - a.date).days == 28 for a, b in itertools.pairwise(injections))


@given(
    days=st.integers(min_value=1, max_value=400),
    price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
    course=st.one_of(st.none(), st.integers(min_value=1, max_value=10)),
)
def test_invariant_105_yearly_cost_counts_whole_intervals(
    days: int, price: Decimal, course: int | None
) -> None:
    """Invariant 105 (O-INTERVAL, O-CAT): administrations a year = whole intervals in 365.25 days
    (at least one), at most a fixed course; cost = price x that count, to the cent."""
    cost = yearly_cost(
        ListPrice(price, "EUR", 2016, "test"), quantity(float(days), "day"), administrations=course
    )
    whole = max(1, int(Decimal("365.25") // Decimal(days)))
    expected = whole if course is None else min(whole, course)
    assert cost.administrations == expected
    assert cost.amount == (price * expected).quantize(Decimal("0.01"))
    if days == 28:
        assert whole == 13


@given(adult_patients())
def test_invariant_106_recommendations_keep_the_hard_limits(patient: AdultPatient) -> None:
    """Invariant 106 (O-SCOPE, O-LABEL): no patient makes the protocol break an oncology hard limit,
    and a patient under 18 is offered nothing."""
    result = _recommend(patient)
    assert limit_violations(result) == ()
    if patient.age_in_whole_years < 18:
        assert not result.in_scope
        assert result.offered == ()
        assert result.radium is None
        assert all(option.status is not OptionStatus.OFFERED for option in result.options)
