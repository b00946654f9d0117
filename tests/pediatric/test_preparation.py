"""P-PREP-PRODUCT: the product, the volume drawn up, the dose it delivers, the formulary hook.

Golden cases with the guideline's numbers worked by hand, hostile formularies and plans, and the
property tests of invariants 21 and 22 (the delivered dose within the planned dose's limits and
within one syringe step of it; no float noise in what is shown).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.errors import HardLimitError, PluginError
from bisphos.io import load_patient
from bisphos.model import Drug, InfusionRecord, Patient
from bisphos.pediatric.formulary import (
    DEFAULT_FORMULARY,
    Formulary,
    Product,
    read_formulary,
)
from bisphos.pediatric.hooks import NoHooks
from bisphos.pediatric.infusion import draw_up, prepare_infusion
from bisphos.pediatric.kernel import syringe_steps
from bisphos.pediatric.plan import Plan, PlanRequest, make_plan
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.pediatric.schedule import Horizon, PlannedInfusion
from bisphos.plugins import hookimpl
from bisphos.report import draw_up_text, preparation_text
from bisphos.units import Quantity, quantity, ureg

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "patients"
GIRL = load_patient(EXAMPLES / "oi-girl-20kg.json")
ZOL, PAM = Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE


def d(value: Quantity, unit: str) -> Decimal:
    return Decimal(repr(float(value.m_as(unit))))


def product(drug: Drug, mg_per_ml: float, name: str = "", vial_ml: float = 10.0) -> Product:
    return Product(
        name=name or f"{drug.value.replace('_', ' ')} {mg_per_ml:g} mg/ml",
        drug=drug,
        concentration=quantity(mg_per_ml, "mg/mL"),
        vial=quantity(vial_ml, "mL"),
    )


class Supplies(NoHooks):
    """Hooks that supply a formulary, as the plugin facade does."""

    def __init__(self, *formularies: object) -> None:
        self.formularies = formularies

    def formulary(self, patient: Patient) -> tuple[object, ...]:
        return self.formularies


def plan(
    patient: Patient = GIRL, formulary: object = None, drug: Drug | None = None, **request: Any
) -> Plan:
    hooks = Supplies(formulary) if formulary is not None else NoHooks()
    return make_plan(patient, PlanRequest(drug=drug, **request), hooks=hooks)


def weighing(kg: float) -> Patient:
    return attrs.evolve(GIRL, weight=quantity(kg, "kg"))


# -- Golden cases -------------------------------------------------------------------------------


def test_golden_20_kg_first_zoledronic_acid_dose_draws_up_0_31_ml() -> None:
    """P-PREP-PRODUCT, P-ZOL-FIRST: 20 kg x 0.0125 mg/kg = 0.25 mg = 0.3125 ml of 0.8 mg/ml; the
    nearest 0.01 ml is 0.31 ml, delivering 0.248 mg, made up with 49.69 ml NaCl 0.9 % to 50 ml:
    0.00496 mg/ml, 50 ml/h, 0.248 mg/h; one 5 ml vial."""
    first = plan().infusions[0].preparation
    assert first.product.name == "zoledronic acid concentrate 4 mg/5 ml"
    assert first.product.concentration == quantity(0.8, "mg/mL")
    assert first.concentrate_volume == quantity(0.31, "mL")
    assert first.delivered == quantity(0.248, "mg")
    assert first.dose == quantity(0.25, "mg")
    assert first.diluent_volume == quantity(49.69, "mL")
    assert first.volume == quantity(50, "mL")
    assert first.concentration == quantity(0.00496, "mg/mL")
    assert first.rate == quantity(50, "mL/h")
    assert first.dose_rate == quantity(0.248, "mg/h")
    assert first.vials == 1
    assert "P-PREP-PRODUCT" in first.rule_ids


def test_golden_second_and_regular_zoledronic_acid_doses() -> None:
    """P-PREP-PRODUCT: 0.5 mg is 0.625 ml: half a step rounds down to 0.62 ml (0.496 mg), since
    0.63 ml would give 0.504 mg, above 0.025 mg/kg x 20 kg; 1 mg is 1.25 ml exactly."""
    infusions = plan().infusions
    second, third = infusions[1].preparation, infusions[2].preparation
    assert (second.concentrate_volume, second.delivered) == (
        quantity(0.62, "mL"),
        quantity(0.496, "mg"),
    )
    assert (third.concentrate_volume, third.delivered) == (quantity(1.25, "mL"), quantity(1, "mg"))
    assert third.diluent_volume == quantity(48.75, "mL")


def test_golden_first_pamidronate_dose_takes_the_step_below_its_limit() -> None:
    """P-PREP-PRODUCT, P-PAM-FIRST: 20 kg, 1 mg/kg = 20 mg = 6.666... ml of 3 mg/ml; the nearest
    6.67 ml would give 20.01 mg, above the 20 mg limit: 6.66 ml, 19.98 mg, in 200 ml (193.34 ml
    NaCl 0.9 %), 0.0999 mg/ml, 50 ml/h = 4.995 mg/h."""
    first = plan(drug=PAM).infusions[0].preparation
    assert first.dose == quantity(20, "mg")
    assert first.concentrate_volume == quantity(6.66, "mL")
    assert first.delivered == quantity(19.98, "mg")
    assert first.diluent_volume == quantity(193.34, "mL")
    assert first.concentration == quantity(0.0999, "mg/mL")
    assert first.dose_rate == quantity(4.995, "mg/h")
    assert "the 0.01 ml step below the nearest" in first.choices[-2].decision


def test_golden_the_nearest_step_may_be_above_the_planned_dose_within_its_limit() -> None:
    """P-PREP-PRODUCT, P-PAM-DOSE: 20.66 kg, 2 mg/kg = 41.32 mg, planned 41.3 mg (rounded down to
    0.1 mg); 41.3 / 3 = 13.7666... ml, the nearest 13.77 ml gives 41.31 mg, above the plan but
    within 41.32 mg: drawn up."""
    second = plan(weighing(20.66), drug=PAM).infusions[1]
    assert second.dose.value == quantity(41.3, "mg")
    assert second.preparation.concentrate_volume == quantity(13.77, "mL")
    assert second.preparation.delivered == quantity(41.31, "mg")
    assert "the nearest 0.01 ml step" in second.preparation.choices[-2].decision


def test_golden_a_coarse_syringe_never_rounds_over_the_cap() -> None:
    """P-PREP-PRODUCT, P-ZOL-CAP: 80 kg, 4 mg, with 0.3 ml steps of 0.8 mg/ml (0.24 mg a step):
    4 / 0.24 = 16.67 steps; the nearest 17 would give 4.08 mg, above the cap: 16 steps, 4.8 ml,
    3.84 mg. The gate accepts it."""
    coarse = Formulary(syringe_resolution=quantity(0.3, "mL"))
    heavy = attrs.evolve(GIRL, weight=quantity(80, "kg"), infusions=_two_given(GIRL))
    regular = plan(heavy, coarse).infusions[0].preparation
    assert regular.dose == quantity(4, "mg")
    assert regular.concentrate_volume == quantity(4.8, "mL")
    assert regular.delivered == quantity(3.84, "mg")


def _two_given(patient: Patient) -> tuple[InfusionRecord, ...]:
    """Two zoledronic acid infusions given, the last more than 6 months ago."""
    return (
        InfusionRecord(
            drug=ZOL,
            date=patient.assessment_date.replace(year=2025, month=2),
            dose=quantity(0.5, "mg"),
        ),
        InfusionRecord(
            drug=ZOL,
            date=patient.assessment_date.replace(year=2025, month=5),
            dose=quantity(1, "mg"),
        ),
    )


def test_golden_text_in_both_languages() -> None:
    """P-PREP-PRODUCT: the text names the product, the volume, the delivered and planned dose,
    the diluent's volume, the final concentration and the rates, in English and Dutch."""
    first: PlannedInfusion = plan().infusions[0]
    assert draw_up_text(first, "en") == (
        "draw up 0.31 ml of zoledronic acid concentrate 4 mg/5 ml (0.8 mg/ml; vials: 1 x 5 ml): "
        "delivers 0.248 mg, planned 0.25 mg"
    )
    assert draw_up_text(first, "nl") == (
        "optrekken: 0,31 ml van zoledroninezuur concentraat 4 mg/5 ml (0,8 mg/ml; flacons: "
        "1 x 5 ml): geeft 0,248 mg, gepland 0,25 mg"
    )
    assert preparation_text(first, "en") == (
        "in 50 ml NaCl 0.9 % over 1 h, rate 50 ml/h; 49.69 ml NaCl 0.9 % added: 0.00496 mg/ml, "
        "0.248 mg/h"
    )
    assert preparation_text(first, "nl").endswith(
        "49,69 ml NaCl 0,9% toegevoegd: 0,00496 mg/ml, 0,248 mg/uur"
    )


def test_a_hospital_formulary_with_a_1_mg_per_ml_pamidronate_and_0_1_ml_syringes() -> None:
    """P-PREP-PRODUCT: 20 kg, first pamidronate 20 mg of 1 mg/ml in 0.1 ml steps: 20 ml exactly,
    in 200 ml (180 ml NaCl 0.9 %); the source is named in the choice."""
    local = Formulary(
        pamidronate=product(PAM, 1.0, "pamidronate 1 mg/ml", vial_ml=50.0),
        syringe_resolution=quantity(0.1, "mL"),
        source="ward 5",
    )
    first = plan(formulary=local, drug=PAM).infusions[0].preparation
    assert (first.concentrate_volume, first.delivered) == (quantity(20, "mL"), quantity(20, "mg"))
    assert (first.diluent_volume, first.vials) == (quantity(180, "mL"), 1)
    assert first.choices[-2].option == "syringe_resolution = 0.1 ml (formulary of ward 5)"


def test_a_dose_under_half_a_step_cannot_be_drawn_up() -> None:
    """P-PREP-PRODUCT: 0.01 mg of 0.8 mg/ml with 0.1 ml steps (0.08 mg) is 0.125 steps: refused,
    naming the rule, rather than prepared as nothing or as 8 times the dose."""
    coarse = Formulary(syringe_resolution=quantity(0.1, "mL"))
    with pytest.raises(HardLimitError) as raised:
        prepare_infusion(ZOL, quantity(0.01, "mg"), formulary=coarse)
    assert raised.value.rule_id == "P-PREP-PRODUCT"
    assert raised.value.field == "preparation.concentrate_volume"


def test_a_ready_to_use_solution_larger_than_the_final_volume_is_given_undiluted() -> None:
    """P-PREP-PRODUCT, P-ZOL-DOSE: 4 mg of 0.04 mg/ml is 100 ml, more than the 50 ml final
    volume: the final volume is 100 ml with no diluent, 100 ml/h."""
    ready = Formulary(zoledronic_acid=product(ZOL, 0.04, vial_ml=100.0))
    prepared = prepare_infusion(ZOL, quantity(4, "mg"), formulary=ready)
    assert (prepared.concentrate_volume, prepared.volume) == (
        quantity(100, "mL"),
        quantity(100, "mL"),
    )
    assert (prepared.diluent_volume, prepared.rate) == (quantity(0, "mL"), quantity(100, "mL/h"))


# -- Hostile formularies ------------------------------------------------------------------------


class Bad:
    """Not a quantity, but says it is one."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type(ureg.Quantity(1, "mg/mL"))

    magnitude = 0.8


def _with_concentration(value: object) -> Formulary:
    lying = attrs.evolve(DEFAULT_FORMULARY.zoledronic_acid, concentration=value)  # type: ignore[arg-type]
    return attrs.evolve(DEFAULT_FORMULARY, zoledronic_acid=lying)


@pytest.mark.parametrize(
    "concentration",
    [
        quantity(0.8, "mg"),
        quantity(0.8, "mL"),
        quantity(-0.8, "mg/mL"),
        quantity(0, "mg/mL"),
        quantity(math.nan, "mg/mL"),
        quantity(math.inf, "mg/mL"),
        quantity(8, "mg/mL"),
        quantity(0.8, "g/mL"),
        quantity(0.001, "mg/mL"),
        ureg.Quantity(Decimal("0.8"), "mg/mL"),
        Bad(),
        0.8,
    ],
    ids=str,
)
def test_a_lying_concentration_is_a_plugin_error_naming_the_field(concentration: object) -> None:
    """P-PREP-PRODUCT: another dimension, zero, negative, not finite, beyond the drug's real
    products (0.04-0.8 mg/ml), a foreign number or a spoofed class: PluginError, field named."""
    with pytest.raises(PluginError) as raised:
        plan(formulary=_with_concentration(concentration))
    assert raised.value.field == "bisphos_formulary.zoledronic_acid.concentration"


@pytest.mark.parametrize(
    "resolution",
    [quantity(0, "mL"), quantity(-0.01, "mL"), quantity(1.5, "mL"), quantity(0.01, "mg"), 0.01],
    ids=str,
)
def test_a_syringe_resolution_outside_0_to_1_ml_is_a_plugin_error(resolution: object) -> None:
    """P-PREP-PRODUCT: a resolution of 0 or less, coarser than 1 ml, or not a volume."""
    with pytest.raises(PluginError) as raised:
        plan(formulary=Formulary(syringe_resolution=resolution))  # type: ignore[arg-type]
    assert raised.value.field == "bisphos_formulary.syringe_resolution"


def test_a_product_of_the_other_drug_is_a_plugin_error() -> None:
    """P-PREP-PRODUCT: a pamidronate product offered as the zoledronic acid one, by its drug or by
    a name that names the other drug."""
    swapped = Formulary(zoledronic_acid=DEFAULT_FORMULARY.pamidronate)
    with pytest.raises(PluginError) as raised:
        plan(formulary=swapped)
    assert raised.value.field == "bisphos_formulary.zoledronic_acid.drug"
    misnamed = Formulary(zoledronic_acid=product(ZOL, 0.8, "pamidronate 0.8 mg/ml"))
    with pytest.raises(PluginError) as raised:
        plan(formulary=misnamed)
    assert raised.value.field == "bisphos_formulary.zoledronic_acid.name"


@pytest.mark.parametrize(
    "value",
    [{"syringe_resolution": 0.01}, DEFAULT_FORMULARY.pamidronate, "formulary"],
    ids=str,
)
def test_something_other_than_a_formulary_is_a_plugin_error(value: object) -> None:
    """P-PREP-PRODUCT: only a Formulary of bisphos is read."""
    with pytest.raises(PluginError) as raised:
        read_formulary(value)
    assert raised.value.field == "bisphos_formulary"


def test_two_formularies_are_a_plugin_error() -> None:
    """P-PREP-PRODUCT: at most one plugin supplies the formulary."""
    hooks = Supplies(DEFAULT_FORMULARY, DEFAULT_FORMULARY)
    with pytest.raises(PluginError, match="more than one plugin"):
        make_plan(GIRL, hooks=hooks)


class FormularyPlugin:
    """A plugin whose formulary hook returns, or raises, what it is given."""

    def __init__(self, result: object = None, raises: BaseException | None = None) -> None:
        self.result, self.raises = result, raises

    @hookimpl
    def bisphos_formulary(self) -> object:
        if self.raises is not None:
            raise self.raises
        return self.result


@pytest.mark.parametrize(
    "error", [SystemExit(0), KeyboardInterrupt(), GeneratorExit(), MemoryError(), ValueError("x")]
)
def test_a_base_exception_in_the_hook_is_a_plugin_error(error: BaseException) -> None:
    """P-PREP-PRODUCT: whatever the hook raises, BaseException included, is a PluginError."""
    engine = Engine.create(entry_points=False, plugins=[("f", FormularyPlugin(raises=error))])
    with pytest.raises(PluginError) as raised:
        engine.plan(GIRL)
    assert raised.value.field == "bisphos_formulary"


def test_the_hook_through_an_engine_draws_up_the_plugins_product() -> None:
    """P-PREP-PRODUCT: a plugin's formulary reaches every infusion through the engine's gate."""
    local = Formulary(syringe_resolution=quantity(0.1, "mL"), source="hook")
    engine = Engine.create(entry_points=False, plugins=[("f", FormularyPlugin(result=local))])
    first = engine.plan(GIRL).infusions[0].preparation
    # 0.25 mg / 0.08 mg = 3.125 steps: 0.3 ml, 0.24 mg.
    assert (first.concentrate_volume, first.delivered) == (
        quantity(0.3, "mL"),
        quantity(0.24, "mg"),
    )


# -- Hostile plans: the gate on the preparation's own numbers -----------------------------------


class Tampering(PediatricProtocol):
    """A local protocol that changes the drawn-up volume of every infusion after planning."""

    def __init__(self, change: Any) -> None:
        self.change = change

    @property
    def info(self) -> Any:
        return attrs.evolve(super().info, protocol_id="tampering")

    def plan(self, patient: Patient, request: Any = None, *, hooks: Any = None) -> Any:
        made = super().plan(patient, request, hooks=hooks)
        if made.course is None:
            return made
        infusions = tuple(
            attrs.evolve(p, preparation=self.change(p.preparation)) for p in made.course.infusions
        )
        return attrs.evolve(made, course=attrs.evolve(made.course, infusions=infusions))


class Registers:
    def __init__(self, protocol: PediatricProtocol) -> None:
        self.protocol = protocol

    @hookimpl
    def bisphos_register_protocols(self) -> tuple[PediatricProtocol, ...]:
        return (self.protocol,)


def _tampered(change: Any, patient: Patient = GIRL) -> HardLimitError | PluginError:
    engine = Engine.create(entry_points=False, plugins=[("t", Registers(Tampering(change)))])
    with pytest.raises((HardLimitError, PluginError)) as raised:
        engine.plan(patient, protocol_id="tampering")
    error = raised.value
    assert isinstance(error, HardLimitError | PluginError)
    return error


def _drawn(preparation: Any, ml: float) -> Any:
    strength = d(preparation.product.concentration, "mg/mL")
    delivered = float(Decimal(repr(ml)) * strength)
    return attrs.evolve(
        preparation, concentrate_volume=quantity(ml, "mL"), delivered=quantity(delivered, "mg")
    )


def test_gate_refuses_a_volume_that_delivers_more_than_the_per_kg_limit() -> None:
    """P-HARD, P-ZOL-FIRST: 0.63 ml of 0.8 mg/ml (0.504 mg) for the first infusion of 20 kg,
    limit 0.5 mg: refused by the gate on the delivered dose, although the planned one is 0.25."""
    error = _tampered(lambda p: _drawn(p, 0.63))
    assert isinstance(error, HardLimitError)
    assert error.rule_id == "P-ZOL-FIRST"
    assert error.value == "0.504 mg"


def test_gate_refuses_a_volume_over_the_cap() -> None:
    """P-HARD, P-ZOL-CAP: 5.1 ml of 0.8 mg/ml is 4.08 mg, above the 4 mg cap: refused."""
    heavy = attrs.evolve(GIRL, weight=quantity(80, "kg"), infusions=_two_given(GIRL))
    error = _tampered(lambda p: _drawn(p, 5.1), heavy)
    assert isinstance(error, HardLimitError)
    assert error.rule_id == "P-ZOL-CAP"


def test_gate_refuses_a_delivered_dose_shown_that_is_not_volume_times_concentration() -> None:
    """P-PREP-PRODUCT: the preparation shows 0.248 mg for 0.5 ml of 0.8 mg/ml (0.4 mg)."""
    error = _tampered(lambda p: attrs.evolve(p, concentrate_volume=quantity(0.5, "mL")))
    assert isinstance(error, HardLimitError)
    assert error.rule_id == "P-PREP-PRODUCT"
    assert "volume drawn up times the concentration" in error.message


def test_gate_refuses_a_volume_more_than_one_step_from_the_plan() -> None:
    """P-PREP-PRODUCT: 0.2 ml (0.16 mg) for a planned 0.25 mg is 11 steps off."""
    error = _tampered(lambda p: _drawn(p, 0.2))
    assert isinstance(error, HardLimitError)
    assert error.rule_id == "P-PREP-PRODUCT"
    assert "one syringe step" in error.message


def test_gate_refuses_a_product_of_the_other_drug_and_a_lying_concentration() -> None:
    """P-PREP-PRODUCT: a pamidronate product in a zoledronic acid infusion is a PluginError; a
    concentration of 8 mg/ml, no zoledronic acid product's, a HardLimitError."""
    swapped = _tampered(lambda p: attrs.evolve(p, product=DEFAULT_FORMULARY.pamidronate))
    assert isinstance(swapped, PluginError)
    assert swapped.field == "infusions[0].preparation.product.drug"
    strong = attrs.evolve(DEFAULT_FORMULARY.zoledronic_acid, concentration=quantity(8, "mg/mL"))
    lying = _tampered(lambda p: attrs.evolve(p, product=strong))
    assert isinstance(lying, HardLimitError)
    assert lying.rule_id == "P-PREP-PRODUCT"


def test_gate_refuses_a_syringe_resolution_above_1_ml() -> None:
    """P-PREP-PRODUCT: a resolution of 2 ml in the preparation itself."""
    error = _tampered(lambda p: attrs.evolve(p, syringe_resolution=quantity(2, "mL")))
    assert isinstance(error, HardLimitError)
    assert error.rule_id == "P-PREP-PRODUCT"


# -- Properties ---------------------------------------------------------------------------------

_CONCENTRATIONS = {
    ZOL: st.sampled_from([0.04, 0.05, 0.1, 0.2, 0.4, 0.8]),
    PAM: st.sampled_from([0.1, 0.36, 1.0, 3.0, 6.0, 9.0, 15.0]),
}
_RESOLUTIONS = st.sampled_from([0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0])


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Patient, Drug, Formulary]:
    drug = draw(st.sampled_from([ZOL, PAM]))
    weight = draw(st.decimals(min_value="3", max_value="110", places=3))
    strength = draw(_CONCENTRATIONS[drug])
    formulary = Formulary(
        zoledronic_acid=product(ZOL, strength if drug is ZOL else 0.8),
        pamidronate=product(PAM, strength if drug is PAM else 3.0),
        syringe_resolution=quantity(draw(_RESOLUTIONS), "mL"),
    )
    return weighing(float(weight)), drug, formulary


def _planned_or_too_small(patient: Patient, drug: Drug, formulary: Formulary) -> Plan | None:
    """The plan, or None where a dose is under half a syringe step (refused, P-PREP-PRODUCT)."""
    try:
        return plan(patient, formulary, drug=drug, horizon=Horizon(infusions=4))
    except HardLimitError as error:
        refused = error
    assert refused.rule_id == "P-PREP-PRODUCT", refused
    assert refused.field == "preparation.concentrate_volume"
    return None


def _rate_limit(patient: Patient) -> Decimal:
    creatinine = patient.labs.creatinine
    if patient.height is None or creatinine is None:
        return Decimal(20)
    gfr = 40 * d(patient.height, "cm") / d(creatinine.value, "umol/L")
    return Decimal(20) if gfr <= 90 else Decimal(60)


@given(_cases())
def test_invariant_21_the_delivered_dose_never_exceeds_the_planned_limits(
    case: tuple[Patient, Drug, Formulary],
) -> None:
    """Invariant 21 (P-PREP-PRODUCT, P-HARD, P-ZOL-CAP, P-PAM-CAP, P-PAM-LABEL): whatever the
    product and the syringe, the dose the volume drawn up delivers (computed here as volume x
    concentration) is within the per-kg maximum of its place (zoledronic acid 0.025 mg/kg for
    the first two, 0.05 after; pamidronate 1 mg/kg and 45 mg first, 2 mg/kg after), the cap, and
    for pamidronate 0.36 mg/ml and 60 mg/h (20 mg/h with a Schwartz-40 GFR of 90 or less)."""
    patient, drug, formulary = case
    made = _planned_or_too_small(patient, drug, formulary)
    if made is None:
        return
    weight = d(patient.weight, "kg")
    for number, planned in enumerate(made.infusions, start=1):
        prep = planned.preparation
        delivered = d(prep.concentrate_volume, "mL") * d(prep.product.concentration, "mg/mL")
        assert abs(delivered - d(prep.delivered, "mg")) <= Decimal("1e-12") * delivered
        if drug is ZOL:
            per_kg = Decimal("0.025") if number <= 2 else Decimal("0.05")
            assert delivered <= min(per_kg * weight, Decimal(4))
        else:
            first = number == 1
            limit = min(weight, Decimal(45)) if first else min(2 * weight, Decimal(90))
            assert delivered <= limit
            assert delivered <= Decimal("0.36") * d(prep.volume, "mL")
            # P-PAM-RENAL: 20 mg/h with a Schwartz-40 GFR of 90 or less, else the label's 60.
            assert delivered <= _rate_limit(patient) * d(prep.duration, "h")


@given(_cases())
def test_invariant_21_delivered_within_one_syringe_step_of_planned(
    case: tuple[Patient, Drug, Formulary],
) -> None:
    """Invariant 21 (P-PREP-PRODUCT): |delivered - planned| <= one syringe step x the product's
    concentration, the volume is a whole number of steps, and it is the nearest step or the one
    below (never more than the nearest)."""
    patient, drug, formulary = case
    made = _planned_or_too_small(patient, drug, formulary)
    if made is None:
        return
    strength = d(formulary.product(drug).concentration, "mg/mL")
    step = d(formulary.syringe_resolution, "mL")
    for planned in made.infusions:
        prep = planned.preparation
        dose = d(planned.dose.value, "mg")
        drawn = d(prep.concentrate_volume, "mL")
        steps = drawn / step
        assert steps == steps.to_integral_value()
        assert abs(drawn * strength - dose) <= step * strength
        nearest = (dose / (step * strength)).to_integral_value(rounding="ROUND_HALF_DOWN")
        assert steps in (nearest, nearest - 1)


@given(
    st.decimals(min_value="0.001", max_value="90", places=3),
    st.decimals(min_value="0", max_value="5", places=3),
    st.sampled_from([0.04, 0.8, 1.0, 3.0, 15.0]),
    _RESOLUTIONS,
)
def test_invariant_21_the_kernel_steps_never_pass_the_limit(
    dose: Decimal, headroom: Decimal, strength: float, resolution: float
) -> None:
    """Invariant 21 (P-PREP-PRODUCT): the kernel's steps deliver at most the limit and are the
    nearest or one below it."""
    limit = dose + headroom
    c, r = Decimal(repr(strength)), Decimal(repr(resolution))
    steps, nearest = syringe_steps(dose, limit, c, r)
    assert steps * r * c <= limit
    assert nearest - 1 <= steps <= nearest
    assert abs(nearest * r * c - dose) <= r * c / 2


_NOISE = re.compile(r"\d*[.,]\d*(?:0{6,}|9{6,})\d")


@given(
    st.decimals(min_value="5", max_value="90", places=2),
    st.sampled_from(["kg", "g", "lb"]),
    st.sampled_from([ZOL, PAM]),
    st.sampled_from([Formulary(), Formulary(syringe_resolution=quantity(0.1, "mL"))]),
)
def test_invariant_22_displayed_values_carry_no_float_noise(
    weight: Decimal, unit: str, drug: Drug, formulary: Formulary
) -> None:
    """Invariant 22 (P-PREP-PRODUCT): the draw-up and preparation texts, in English and Dutch,
    whatever unit the weight came in, show every value as the decimal it was computed as: no run
    of six 0s or 9s after the decimal point (20 kg, not 19.999999 kg), and the volume drawn up
    and the delivered dose exactly as the decimals computed here."""
    kilograms = float(weight)
    entered = quantity(kilograms, "kg").to(unit)
    patient = attrs.evolve(GIRL, weight=ureg.Quantity(float(entered.magnitude), unit))
    made = _planned_or_too_small(patient, drug, formulary)
    if made is None:
        return
    for planned in made.infusions:
        prep = planned.preparation
        for lang in ("en", "nl"):
            shown = draw_up_text(planned, lang) + " " + preparation_text(planned, lang)
            assert not _NOISE.search(shown), shown
        drawn = d(prep.concentrate_volume, "mL")
        delivered = drawn * d(prep.product.concentration, "mg/mL")
        english = draw_up_text(planned, "en")
        assert f"draw up {drawn.normalize():f} ml" in english
        assert f"delivers {delivered.normalize():f} mg" in english


def test_draw_up_keeps_the_preparations_volume_and_time() -> None:
    """P-PREP-PRODUCT, P-PAM-RENAL: drawing up anew keeps the final volume and the infusion time;
    the rate limit keeps the delivered dose at most 20 mg/h x the time."""
    slow = prepare_infusion(PAM, quantity(85.1, "mg"), renal_rate=True, limit=quantity(90, "mg"))
    assert slow.duration == quantity(4.255, "h")
    assert slow.delivered == quantity(85.08, "mg")  # 85.11 mg would pass 20 mg/h x 4.255 h
    again = draw_up(slow, Formulary(), limit=quantity(90, "mg"))
    assert (again.volume, again.duration, again.delivered) == (
        slow.volume,
        slow.duration,
        slow.delivered,
    )
