"""The oncology hard limits, whoever made the recommendation (O-RENAL, O-LABEL, O-RA223).

Hostile protocols registered through a plugin, and lying subclasses, each return a recommendation
that breaks one limit; the engine refuses each with a HardLimitError naming the number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.errors import HardLimitError
from bisphos.oncology.infusion import OncologyInfusion
from bisphos.oncology.limits import enforce_limits, limit_violations
from bisphos.oncology.protocol import OncologyProtocol
from bisphos.oncology.recommendation import OncologyRecommendation, OptionStatus, recommend
from bisphos.oncology.regimens import CalibrationStandard
from bisphos.plugins import hookimpl
from bisphos.protocols import Protocol
from bisphos.units import quantity
from tests.oncology._patients import adult

Change = Callable[[OncologyRecommendation], OncologyRecommendation]


def _option_change(index: int, **changes: Any) -> Change:
    def change(result: OncologyRecommendation) -> OncologyRecommendation:
        options = list(result.options)
        options[index] = attrs.evolve(options[index], **changes)
        return attrs.evolve(result, options=tuple(options))

    return change


def _infusion_change(index: int, **changes: Any) -> Change:
    def change(result: OncologyRecommendation) -> OncologyRecommendation:
        infusion = result.options[index].infusion
        assert infusion is not None
        return _option_change(index, infusion=attrs.evolve(infusion, **changes))(result)

    return change


class LyingProtocol(OncologyProtocol):
    """A local oncology protocol that changes the national recommendation after it is made."""

    def __init__(self, change: Change) -> None:
        self.change = change

    @property
    def info(self) -> Any:
        return attrs.evolve(super().info, protocol_id="hostile-oncology")

    def recommend(self, patient: Any) -> OncologyRecommendation:
        return self.change(super().recommend(patient))


class Registers:
    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol

    @hookimpl
    def bisphos_register_protocols(self) -> Sequence[Protocol]:
        return [self.protocol]


def _engine(change: Change) -> Engine:
    return Engine.create(
        entry_points=False, plugins=[("hostile-oncology", Registers(LyingProtocol(change)))]
    )


MYELOMA = adult(setting="multiple_myeloma", tumour="myeloma", osteoporosis=True)
# Cockcroft-Gault 45 ml/min: zoledronic acid 3.3 mg, pamidronate at no more than 20 mg/h.
MYELOMA_45 = attrs.evolve(MYELOMA, serum_creatinine=quantity(1.552, "mg/dL"))
PROSTATE = adult(
    sex="male",
    tumour="prostate",
    weight=quantity(80.0, "kg"),
    radium_injection_number=1,
    castration_resistant=True,
    symptomatic_bone_metastases=True,
    visceral_metastases=False,
    prior_systemic_therapies=2,
    neutrophils=quantity(2.0, "ten_to_the_9 / liter"),
    platelets=quantity(150.0, "ten_to_the_9 / liter"),
    haemoglobin=quantity(12.0, "g/dL"),
)


def test_the_national_recommendations_keep_every_limit() -> None:
    """the hard limits: the protocol's own recommendations pass the gate unchanged."""
    engine = Engine.create(entry_points=False)
    for patient in (adult(), MYELOMA, MYELOMA_45, PROSTATE):
        result = engine.recommend(patient)
        assert limit_violations(result) == ()
        assert attrs.evolve(result, plugins=()) == recommend(patient)


@pytest.mark.parametrize(
    ("patient", "change", "field"),
    [
        # Zoledronic acid 8 mg, twice the label's 4 mg (O-RENAL).
        (adult(), _option_change(0, dose=quantity(8.0, "mg")), "options[0].dose"),
        # 4 mg where the clearance of 45 ml/min allows 3.3 mg (O-RENAL).
        (MYELOMA_45, _option_change(1, dose=quantity(4.0, "mg")), "options[1].dose"),
        # Zoledronic acid over 5 minutes (O-LABEL: no less than 15).
        (adult(), _infusion_change(0, duration=quantity(5.0, "min")), "options[0].infusion"),
        # Zoledronic acid every week (O-INTERVAL, O-LABEL).
        (adult(), _option_change(0, interval=quantity(1.0, "week")), "options[0].interval"),
        # Pamidronate 90 mg at 90 mg/h (O-LABEL: never above 60 mg/h).
        (MYELOMA, _infusion_change(0, duration=quantity(1.0, "h")), "options[0].infusion.rate"),
        # Pamidronate at 45 mg/h with a clearance of 45 ml/min (O-LABEL: 20 mg/h).
        (MYELOMA_45, _infusion_change(0, duration=quantity(2.0, "h")), "options[0].infusion.rate"),
        # Pamidronate 120 mg (O-LABEL: 90 mg per infusion).
        (MYELOMA, _option_change(0, dose=quantity(120.0, "mg")), "options[0].dose"),
        # 90 mg in 100 ml (O-LABEL: at most 90 mg in 250 ml).
        (
            MYELOMA,
            _infusion_change(0, volume=quantity(100.0, "mL")),
            "options[0].infusion.volume",
        ),
        # The dose shown and the dose infused differ.
        (MYELOMA, _infusion_change(0, dose=quantity(180.0, "mg")), "options[0].infusion.dose"),
        # A status that lies: "refused" but still a dose of 8 mg.
        (
            adult(),
            _option_change(0, status=OptionStatus.REFUSED, dose=quantity(8.0, "mg")),
            "options[0].dose",
        ),
    ],
)
def test_a_hostile_protocol_cannot_recommend_past_the_hard_limits(
    patient: Any, change: Change, field: str
) -> None:
    """O-RENAL, O-LABEL, O-INTERVAL: a plugin's protocol returning 8 mg zoledronic acid,
    pamidronate at 90 mg/h, or any other number past a hard limit is refused as a whole, the
    number named."""
    with pytest.raises(HardLimitError) as caught:
        _engine(change).recommend(patient, protocol_id="hostile-oncology")
    assert caught.value.field.startswith(field)


def test_pamidronate_below_30_without_the_override_is_refused_by_the_gate() -> None:
    """O-LABEL: a protocol that offers pamidronate at a clearance of 27 ml/min without the
    patient's override (even at 20 mg/h) is refused."""
    low = attrs.evolve(MYELOMA, serum_creatinine=quantity(205.6 * 1.05, "umol/L"))
    infusion = OncologyInfusion(
        dose=quantity(90.0, "mg"), volume=quantity(500.0, "mL"), duration=quantity(4.5, "h")
    )
    change = _option_change(
        0, status=OptionStatus.OFFERED, dose=quantity(90.0, "mg"), infusion=infusion
    )
    with pytest.raises(HardLimitError, match="override"):
        _engine(change).recommend(low, protocol_id="hostile-oncology")


def _radium_change(**changes: Any) -> Change:
    def change(result: OncologyRecommendation) -> OncologyRecommendation:
        assert result.radium is not None
        first = result.radium.injections[0]
        changed = attrs.evolve(first, **changes)
        plan = attrs.evolve(result.radium, injections=(changed, *result.radium.injections[1:]))
        return attrs.evolve(result, radium=plan)

    return change


def test_radium_activity_must_be_55_kbq_per_kg_under_the_2015_standard() -> None:
    """O-RA223: an activity of 6000 kBq for 80 kg (4400 expected), or the right number
    under the old standard, is refused; so is an injection dated before the assessment date."""
    result = recommend(PROSTATE)
    assert result.radium is not None
    activity = result.radium.injections[0].activity
    doubled = attrs.evolve(
        activity, activity=attrs.evolve(activity.activity, activity=quantity(6000.0, "kBq"))
    )
    old = attrs.evolve(
        activity,
        activity=attrs.evolve(activity.activity, standard=CalibrationStandard.PRE_2015),
    )
    for changed in (doubled, old):
        with pytest.raises(HardLimitError) as caught:
            _engine(_radium_change(activity=changed)).recommend(
                PROSTATE, protocol_id="hostile-oncology"
            )
        assert caught.value.field == "radium.injections[0].activity"
    early = _radium_change(date=PROSTATE.assessment_date - dt.timedelta(days=1))
    with pytest.raises(HardLimitError):
        _engine(early).recommend(PROSTATE, protocol_id="hostile-oncology")


def test_enforce_limits_returns_a_lawful_recommendation_unchanged() -> None:
    """the hard limits: the gate changes nothing it lets through."""
    result = recommend(MYELOMA_45)
    assert enforce_limits(result) is result


@given(
    dose_factor=st.floats(min_value=0.5, max_value=3.0, allow_nan=False),
    time_factor=st.floats(min_value=0.1, max_value=2.0, allow_nan=False),
    patient=st.sampled_from([adult(), MYELOMA, MYELOMA_45]),
)
def test_any_scaled_recommendation_is_refused_or_within_the_limits(
    dose_factor: float, time_factor: float, patient: Any
) -> None:
    """O-RENAL, O-LABEL: a protocol that scales every dose and infusion time is either refused or
    gives numbers within the limits the test computes itself (zoledronic acid at most its band's
    dose over at least 15 min; pamidronate at most 90 mg and 60 or 20 mg/h)."""

    def scale(result: OncologyRecommendation) -> OncologyRecommendation:
        options = []
        for option in result.options:
            if option.dose is None or option.infusion is None:
                options.append(option)
                continue
            dose = option.dose * dose_factor
            infusion = attrs.evolve(
                option.infusion, dose=dose, duration=option.infusion.duration * time_factor
            )
            options.append(attrs.evolve(option, dose=dose, infusion=infusion))
        return attrs.evolve(result, options=tuple(options))

    try:
        result = _engine(scale).recommend(patient, protocol_id="hostile-oncology")
    except HardLimitError:
        return
    national = recommend(patient)
    for given_option, own in zip(result.options, national.options, strict=True):
        if given_option.dose is None or given_option.infusion is None:
            continue
        mg = float(given_option.dose.m_as("mg"))
        hours = float(given_option.infusion.duration.m_as("h"))
        assert own.dose is not None
        if given_option.regimen.drug.value == "zoledronic_acid":
            assert mg <= float(own.dose.m_as("mg")) + 1e-9
            assert hours * 60 >= 15 - 1e-6
        else:
            # MYELOMA_45 has a clearance of 45 ml/min: renal impairment, 20 mg/h.
            limit = 20.0 if patient is MYELOMA_45 else 60.0
            assert mg <= 90.0
            assert mg / hours <= limit + 1e-9


def test_a_protocol_cannot_loosen_the_limits_by_naming_another_patient() -> None:
    """O-RENAL, O-SCOPE: a protocol that names a patient with a lower creatinine (so 4 mg) or an
    adult's birth date for a child is judged on the patient the engine was given."""
    lower = attrs.evolve(MYELOMA_45, serum_creatinine=quantity(0.8, "mg/dL"))

    def other_patient(result: OncologyRecommendation) -> OncologyRecommendation:
        lied = recommend(lower)
        return attrs.evolve(lied, patient=lower)

    with pytest.raises(HardLimitError) as caught:
        _engine(other_patient).recommend(MYELOMA_45, protocol_id="hostile-oncology")
    # Pamidronate at 22.5 mg/h (above 20 at 45 ml/min) and zoledronic acid at 4 mg (3.3 allowed).
    assert caught.value.field == "options[0].infusion.rate"
    fields = [item.field for item in limit_violations(recommend(lower), MYELOMA_45)]
    assert fields == ["options[0].infusion.rate", "options[1].dose"]
    child = adult(birth_date=dt.date(2010, 1, 1))

    def adult_instead(result: OncologyRecommendation) -> OncologyRecommendation:
        return attrs.evolve(recommend(adult()), patient=adult())

    with pytest.raises(HardLimitError, match="under 18"):
        _engine(adult_instead).recommend(child, protocol_id="hostile-oncology")
    national = Engine.create(entry_points=False).recommend(child)
    assert national.patient is child
    assert national.offered == ()
