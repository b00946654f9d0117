"""Checking an order against the protocol: within, outside a soft limit, or refused.

Invariant ORDER-1: an order equal to an infusion the protocol plans (drug, dose, volume, time,
date) is within the protocol (P-ZOL-DOSE, P-PAM-DOSE and the phase rules of each infusion).
Invariant ORDER-2: an order 1 % above the hard limit of its infusion, the lower of the daily cap
(P-ZOL-CAP, P-PAM-CAP) and the phase's per-kg maximum times the weight (P-ZOL-FIRST,
P-ZOL-DOSE, P-PAM-FIRST, P-PAM-DOSE), computed here from the guideline's figures, is refused,
naming one of those rules; across drugs, phases and weights.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bisphos.cli import main
from bisphos.engine import Engine
from bisphos.errors import BisphosError, FhirInputError, InvalidValueError, MissingValueError
from bisphos.fhir.order import order_from_medication_request
from bisphos.io import load_patient
from bisphos.model import Drug, Patient
from bisphos.orders import Order, Verdict, check_order
from bisphos.pediatric.plan import PlanRequest, PlanStatus
from bisphos.pediatric.schedule import Horizon, PlannedInfusion
from bisphos.units import quantity

ROOT = Path(__file__).parent.parent
GIRL = ROOT / "examples" / "patients" / "oi-girl-20kg.json"
ORDERS = ROOT / "examples" / "fhir" / "orders"
ENGINE = Engine.create(entry_points=False)

#: The hard limits as the guideline gives them (P-ZOL-CAP, P-PAM-CAP, P-ZOL-FIRST, P-ZOL-DOSE,
#: P-PAM-FIRST, P-PAM-DOSE), written here again so that the test does not trust the library's.
CAP_MG = {Drug.ZOLEDRONIC_ACID: Decimal(4), Drug.PAMIDRONATE: Decimal(90)}
HARD_RULES = {"P-ZOL-CAP", "P-PAM-CAP", "P-ZOL-FIRST", "P-ZOL-DOSE", "P-PAM-FIRST", "P-PAM-DOSE"}


def hard_limit_mg(drug: Drug, number: int, weight_kg: Decimal) -> Decimal:
    """The most the ``number``-th infusion of ``drug`` may hold for this weight."""
    if drug is Drug.ZOLEDRONIC_ACID:
        per_kg = Decimal("0.025") if number <= 2 else Decimal("0.05")
        return min(CAP_MG[drug], per_kg * weight_kg)
    if number == 1:
        return min(Decimal(45), Decimal(1) * weight_kg)
    return min(CAP_MG[drug], Decimal(2) * weight_kg)


def order_of(planned: PlannedInfusion, dose_mg: float | None = None) -> Order:
    prep = planned.preparation
    return Order(
        drug=planned.dose.drug,
        dose=planned.dose.value if dose_mg is None else quantity(dose_mg, "milligram"),
        date=planned.date,
        volume=prep.volume,
        duration=prep.duration,
    )


def girl() -> Patient:
    return load_patient(GIRL)


def test_the_protocols_first_infusion_is_within() -> None:
    """P-ZOL-FIRST: 0.0125 mg/kg x 20 kg = 0.25 mg in 50 ml over 1 h on 2026-11-23."""
    result = check_order(
        girl(),
        Order(Drug.ZOLEDRONIC_ACID, "0.25 mg", dt.date(2026, 11, 23), "50 mL", duration="1 h"),
        engine=ENGINE,
    )
    assert result.verdict is Verdict.WITHIN
    assert result.planned is not None
    assert result.planned.dose.value.m_as("mg") == pytest.approx(0.25)
    dose = next(j for j in result.judgements if j.aspect == "dose")
    assert "P-ZOL-FIRST" in dose.rule_ids
    assert result.overrides == ()


def test_the_other_first_dose_of_the_guideline_is_within() -> None:
    """P-ZOL-FIRST allows 0.025 mg/kg too: 0.5 mg is within, not the default."""
    result = check_order(
        girl(),
        Order(Drug.ZOLEDRONIC_ACID, "0.5 mg", dt.date(2026, 11, 23), "100 mL", rate="100 mL/h"),
        engine=ENGINE,
    )
    assert result.verdict is Verdict.WITHIN
    dose = next(j for j in result.judgements if j.aspect == "dose")
    assert dose.message == "within the range the guideline gives"


def test_faster_than_the_guideline_is_outside_a_soft_limit_with_its_overrides() -> None:
    """P-ZOL-DOSE "over 1 hour": 30 minutes is faster (the label's 15 minutes still hold)."""
    result = check_order(
        girl(),
        Order(Drug.ZOLEDRONIC_ACID, "0.25 mg", dt.date(2026, 11, 23), "50 mL", duration="30 min"),
        engine=ENGINE,
    )
    assert result.verdict is Verdict.OUTSIDE_SOFT_LIMIT
    [soft] = [j for j in result.judgements if j.verdict is Verdict.OUTSIDE_SOFT_LIMIT]
    assert (soft.aspect, soft.allowed) == ("duration", "at least 1 h")
    assert "P-ZOL-DOSE" in result.overrides
    assert result.override_reasons
    assert "P-OVERRIDE" in result.explain()


def test_a_volume_outside_50_to_100_ml_is_soft() -> None:
    """P-ZOL-DOSE: 50-100 ml NaCl 0.9 %."""
    result = check_order(
        girl(),
        Order(Drug.ZOLEDRONIC_ACID, "0.25 mg", dt.date(2026, 11, 23), "30 mL", duration="1 h"),
        engine=ENGINE,
    )
    assert result.verdict is Verdict.OUTSIDE_SOFT_LIMIT
    volume = next(j for j in result.judgements if j.aspect == "volume")
    assert volume.verdict is Verdict.OUTSIDE_SOFT_LIMIT
    assert volume.allowed == "50 to 100 mL NaCl 0.9 %"


def test_1_2_mg_for_a_first_infusion_of_20_kg_is_refused_with_the_limit() -> None:
    """P-ZOL-FIRST as a hard limit: at most 0.025 mg/kg x 20 kg = 0.5 mg."""
    result = check_order(
        girl(),
        Order(Drug.ZOLEDRONIC_ACID, "1.2 mg", dt.date(2026, 11, 23), "50 mL", duration="1 h"),
        engine=ENGINE,
    )
    assert result.verdict is Verdict.REFUSED
    refused = result.judgements[0]
    assert refused.verdict is Verdict.REFUSED
    assert "P-ZOL-FIRST" in refused.rule_ids
    assert "0.5" in refused.allowed or "0.5" in refused.message


def test_a_contraindication_today_refuses_and_a_later_date_is_to_be_cleared() -> None:
    """P-CI-FEVER: a fever today refuses today's order."""
    patient = load_patient(ROOT / "examples" / "patients" / "ped-fever-38-6.json")
    plan = ENGINE.plan(patient)
    assert plan.status is PlanStatus.BLOCKED
    today = check_order(patient, order_of(plan.infusions[0]), engine=ENGINE)
    assert today.verdict is Verdict.REFUSED
    assert any("P-CI-FEVER" in j.rule_ids for j in today.judgements)


def test_an_order_before_the_assessment_date_is_refused() -> None:
    result = check_order(
        girl(),
        Order(Drug.ZOLEDRONIC_ACID, "0.25 mg", dt.date(2026, 11, 1), "50 mL", duration="1 h"),
        engine=ENGINE,
    )
    assert result.verdict is Verdict.REFUSED


@pytest.mark.parametrize("drug", list(Drug))
def test_an_order_for_a_patient_of_19_is_refused_not_a_crash(drug: Drug) -> None:
    """P-SCOPE-1 / P-HARD: no infusion from the 19th birthday on (the 20-year-old example)."""
    patient = load_patient(ROOT / "examples" / "patients" / "ped-twenty-years-old.json")
    result = check_order(
        patient,
        Order(drug, "1 mg", patient.assessment_date, "100 mL", duration="4 h"),
        engine=ENGINE,
    )
    assert result.verdict is Verdict.REFUSED
    scope = next(j for j in result.judgements if "P-SCOPE-1" in j.rule_ids)
    assert scope.verdict is Verdict.REFUSED
    assert scope.aspect == "date"


def test_an_order_on_the_day_before_the_19th_birthday_is_not_refused_for_scope() -> None:
    """P-SCOPE-1: the day before the 19th birthday is still in scope."""
    patient = girl()
    eve = dt.date(patient.birth_date.year + 19, patient.birth_date.month, patient.birth_date.day)
    eve -= dt.timedelta(days=1)
    result = check_order(
        patient,
        Order(Drug.PAMIDRONATE, "20 mg", eve, "200 mL", duration="4 h"),
        engine=ENGINE,
    )
    assert not any("P-SCOPE-1" in j.rule_ids and j.aspect == "date" for j in result.judgements)
    day = eve + dt.timedelta(days=1)
    after = check_order(
        patient,
        Order(Drug.PAMIDRONATE, "20 mg", day, "200 mL", duration="4 h"),
        engine=ENGINE,
    )
    assert after.verdict is Verdict.REFUSED


def test_zoledronic_acid_without_the_gfr_gate_is_refused() -> None:
    """P-GFR: exactly 90 is not above 90."""
    patient = load_patient(ROOT / "examples" / "patients" / "ped-gfr-exactly-90.json")
    day = patient.assessment_date
    result = check_order(
        patient,
        Order(Drug.ZOLEDRONIC_ACID, "0.1 mg", day, "50 mL", duration="1 h"),
        engine=ENGINE,
    )
    assert result.verdict is Verdict.REFUSED
    assert any("P-GFR" in j.rule_ids for j in result.judgements)


def test_an_order_needs_its_time_or_rate_and_a_consistent_rate() -> None:
    with pytest.raises(MissingValueError):
        Order(Drug.PAMIDRONATE, "20 mg", dt.date(2026, 11, 23), "200 mL")
    with pytest.raises(InvalidValueError):
        Order(Drug.PAMIDRONATE, "20 mg", dt.date(2026, 11, 23), "200 mL", "4 h", "80 mL/h")
    with pytest.raises(BisphosError):
        Order(Drug.PAMIDRONATE, "20 kg", dt.date(2026, 11, 23), "200 mL", "4 h")


@pytest.mark.parametrize(
    ("name", "verdict", "code"),
    [
        ("oi-girl-within.json", Verdict.WITHIN, 0),
        ("oi-girl-soft-limit.json", Verdict.OUTSIDE_SOFT_LIMIT, 1),
        ("oi-girl-hard-limit.json", Verdict.REFUSED, 1),
    ],
)
def test_the_order_examples_give_their_verdicts(
    name: str, verdict: Verdict, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    order = order_from_medication_request(json.loads((ORDERS / name).read_text("utf-8")))
    assert order.source.startswith("MedicationRequest/order-")
    assert check_order(girl(), order, engine=ENGINE).verdict is verdict
    argv = ["check-order", str(GIRL), "--order", str(ORDERS / name), "--format", "json"]
    assert main(argv, engine=ENGINE) == code
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == "bisphos-check-order"
    assert document["verdict"] == verdict.value


def test_the_command_line_takes_the_order_as_options(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "check-order",
        str(GIRL),
        "--drug",
        "zoledronic_acid",
        "--dose",
        "1.2 mg",
        "--volume",
        "50 mL",
        "--duration",
        "1 h",
    ]
    assert main(argv, engine=ENGINE) == 1
    out = capsys.readouterr().out
    assert out.startswith("order: refused")
    assert main(["check-order", str(GIRL), "--drug", "pamidronate"], engine=ENGINE) == 2
    assert "--dose" in capsys.readouterr().err


def test_a_malformed_medication_request_gives_typed_errors() -> None:
    data = json.loads((ORDERS / "oi-girl-within.json").read_text("utf-8"))
    data["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["code"] = "mL"
    data["dosageInstruction"][0]["timing"]["repeat"]["durationUnit"] = "fortnight"
    data["medicationCodeableConcept"]["coding"][0]["code"] = "M05BA04"
    with pytest.raises(FhirInputError) as caught:
        order_from_medication_request(data)
    fields = {p.field for p in caught.value.problems}
    path = "MedicationRequest/order-within.dosageInstruction[0]"
    assert f"{path}.timing.repeat.durationUnit" in fields
    assert "MedicationRequest/order-within.medicationCodeableConcept" in fields
    assert any(f.startswith(f"{path}.doseAndRate[0].doseQuantity") for f in fields)


def _ready(patient: Patient, drug: Drug) -> list[PlannedInfusion]:
    request = PlanRequest(drug=drug, horizon=Horizon(infusions=4))
    plan = ENGINE.plan(patient, request)
    return list(plan.infusions) if plan.status is PlanStatus.READY else []


#: Example patients the protocol plans for (ready with at least one drug), from 8 to 70 kg.
READY = (
    "oi-girl-20kg.json",
    "infant-oi-8kg.json",
    "immobile-hungry-bones.json",
    "maintenance-oi.json",
    "ped-ijo-two-fractures-before-10.json",
    "ped-oi-vertebral-fracture-normal-bmd.json",
    "ped-steroid-three-fractures-z-minus-2.json",
    "corticosteroid-boy-70kg.toml",
    "ped-gfr-exactly-90.json",
)


@st.composite
def _indicated(draw: st.DrawFn) -> Patient:
    """A ready example patient at a weight up to 15 % lighter or heavier (still plausible)."""
    patient = load_patient(ROOT / "examples" / "patients" / draw(st.sampled_from(READY)))
    factor = draw(st.integers(min_value=85, max_value=115)) / 100
    weight_kg = round(patient.weight.m_as("kg") * factor, 1)
    return attrs.evolve(patient, weight=quantity(weight_kg, "kg"))


INDICATED = _indicated()


@given(INDICATED, st.sampled_from(Drug), st.integers(min_value=0, max_value=3))
def test_order_1_an_order_equal_to_a_planned_infusion_is_within(
    patient: Patient, drug: Drug, index: int
) -> None:
    """ORDER-1, across drugs, phases (the index of the infusion) and weights."""
    infusions = _ready(patient, drug)
    assume(len(infusions) > index)
    result = check_order(patient, order_of(infusions[index]), engine=ENGINE)
    assert result.verdict is Verdict.WITHIN, result.explain()


@given(INDICATED, st.sampled_from(Drug), st.integers(min_value=0, max_value=3))
def test_order_2_one_percent_over_the_hard_limit_is_refused(
    patient: Patient, drug: Drug, index: int
) -> None:
    """ORDER-2, across drugs, phases and weights; the limit is computed here."""
    infusions = _ready(patient, drug)
    assume(len(infusions) > index)
    weight_kg = Decimal(repr(patient.weight.m_as("kg")))
    given = sum(1 for record in patient.infusions if record.drug is drug)
    limit = hard_limit_mg(drug, given + index + 1, weight_kg)
    over = float(limit * Decimal("1.01"))
    assume(over <= 200)  # the plausible range of a dose: more is an input error
    result = check_order(patient, order_of(infusions[index], over), engine=ENGINE)
    assert result.verdict is Verdict.REFUSED, result.explain()
    rules = {rule for j in result.judgements if j.verdict is Verdict.REFUSED for rule in j.rule_ids}
    assert rules & (HARD_RULES | {"P-PAM-LABEL", "P-PAM-RENAL", "P-HARD"}), result.explain()
    assert attrs.has(type(result))
