"""The invariant suite: the catalogue's invariants 1-9, checked with a hospital's plugin loaded.

A hospital subclasses :class:`PluginInvariants` in one of its test modules and names its plugin;
pytest then collects one Hypothesis property test per invariant, each drawing patients from
:func:`bisphos.testing.strategies.patients` and planning them with an engine that has the plugin
(and no entry points) loaded::

    from bisphos.testing.invariants import PluginInvariants
    import umc_bisphos.plugin

    class TestUmcInvariants(PluginInvariants):
        plugins = (("umc", umc_bisphos.plugin),)

The number of examples is the active Hypothesis profile's: bisphos registers the profile
``bisphos-ci`` (500 examples, derandomised) through its pytest plugin, so
``pytest --hypothesis-profile=bisphos-ci`` runs 500 examples per invariant. The ``check_*``
functions are public too, for a hospital that draws its own cases.

Every check states the invariant with its rule ids and fails with an :class:`AssertionError`
that names the invariant and the values that break it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import ClassVar

import attrs
from hypothesis import event, given
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.errors import ProtocolError
from bisphos.findings import Finding, Severity
from bisphos.model import PLAUSIBLE_RANGES, Diagnosis, Drug, Fracture, FractureSite, Patient, Trauma
from bisphos.pediatric.assessment import LAB_NAMES, assess
from bisphos.pediatric.limits import (
    DAILY_CAPS,
    Phase,
    dosing_weight_kg,
    exact,
    max_per_kg,
)
from bisphos.pediatric.plan import Plan, PlanRequest, PlanStatus
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.pediatric.renal import pamidronate_renal, schwartz_40
from bisphos.pediatric.schedule import Horizon
from bisphos.pediatric.thresholds import (
    FEVER,
    HYPOCALCAEMIA,
    VITAMIN_D_DEFICIENCY,
    ZOLEDRONIC_ACID_GFR,
)
from bisphos.plugins.manager import PluginHooks
from bisphos.testing.strategies import patients, reexpressed
from bisphos.units import ureg

__all__ = [
    "PlanCase",
    "PluginInvariants",
    "check_contraindications",
    "check_core_findings_kept",
    "check_daily_caps",
    "check_drawn_up",
    "check_first_not_above_regular",
    "check_gfr_gate",
    "check_hard_limits",
    "check_monotonic_in_weight",
    "check_pamidronate_preparation",
    "check_per_kg_maxima",
    "check_rule_ids",
    "check_unit_independence",
    "plan_cases",
    "plannable_patients",
]

_EXCLUDED_GENES = frozenset({"WNT1", "LRP5"})
_INDICATED_DIAGNOSES = tuple(d for d in Diagnosis if d is not Diagnosis.OTHER)
_TEN = Decimal("0.1")
_MAX_WEIGHT_KG = PLAUSIBLE_RANGES["weight"].high


def _mg(value: object) -> Decimal:
    """The exact decimal of a dose in mg, as the limits compare it."""
    return exact(float(value.m_as("mg")))  # type: ignore[attr-defined]


def _indicated(patient: Patient) -> Patient:
    """``patient`` with a minimal-trauma vertebral fracture and nothing that rules it out."""
    fracture = Fracture(
        site=FractureSite.VERTEBRAL_COMPRESSION,
        trauma=Trauma.MINIMAL,
        date=patient.assessment_date,
    )
    diagnosis = (
        patient.diagnosis
        if patient.diagnosis is not Diagnosis.OTHER
        else Diagnosis.PRIMARY_OSTEOPOROSIS
    )
    return attrs.evolve(
        patient,
        diagnosis=diagnosis,
        gene_variants=tuple(g for g in patient.gene_variants if g not in _EXCLUDED_GENES),
        fractures=(*patient.fractures, fracture),
        risks=attrs.evolve(patient.risks, expected_spontaneous_recovery=False),
    )


def plannable_patients(**bounds: object) -> st.SearchStrategy[Patient]:
    """Draw patients of :func:`~bisphos.testing.strategies.patients`, most of them indicated.

    Three in four are made indicated (P-IND-A, P-IND-B through P-FX-a: a minimal-trauma vertebral
    compression fracture; no WNT1 or LRP5 variant, P-IND-GENE; no expected recovery,
    P-IND-RECOVERY), so that most examples plan a course; the rest are drawn as they come.

    Args:
        bounds: Keyword bounds passed on to :func:`~bisphos.testing.strategies.patients`.
    """
    drawn = patients(**bounds)  # type: ignore[arg-type]
    # Hypothesis favours the low end of a range: 0-2 make the patient indicated, 3 leaves it.
    return st.tuples(drawn, st.integers(min_value=0, max_value=3)).map(
        lambda pair: pair[0] if pair[1] == 3 else _indicated(pair[0])
    )


@attrs.frozen
class PlanCase:
    """One drawn case: a protocol, a patient and a request.

    Attributes:
        protocol_id: The pediatric protocol to plan under.
        patient: The patient.
        request: What is asked.
    """

    protocol_id: str
    patient: Patient
    request: PlanRequest


def _requests(max_infusions: int) -> st.SearchStrategy[PlanRequest]:
    return st.builds(
        PlanRequest,
        drug=st.sampled_from([None, None, Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE]),
        horizon=st.integers(min_value=1, max_value=max_infusions).map(
            lambda n: Horizon(infusions=n)
        ),
        maintenance=st.sampled_from([False, False, False, True]),
    )


def plan_cases(
    protocol_ids: Sequence[str],
    *,
    patient_strategy: st.SearchStrategy[Patient] | None = None,
    max_infusions: int = 4,
) -> st.SearchStrategy[PlanCase]:
    """Draw :class:`PlanCase` values: a protocol of ``protocol_ids``, a patient, a request.

    Args:
        protocol_ids: The pediatric protocols to draw from.
        patient_strategy: Patients; :func:`plannable_patients` by default.
        max_infusions: The longest horizon drawn (short horizons keep each example fast).
    """
    return st.builds(
        PlanCase,
        protocol_id=st.sampled_from(tuple(protocol_ids)),
        patient=plannable_patients() if patient_strategy is None else patient_strategy,
        request=_requests(max_infusions),
    )


# -- The checks -------------------------------------------------------------------------------


def check_daily_caps(plan: Plan) -> None:
    """Check invariant 1.

    Invariant 1 (P-ZOL-CAP, P-PAM-CAP): at most 4 mg zoledronic acid and 90 mg pamidronate per
    day, each dose and the doses of one calendar day together.
    """
    if plan.course is None:
        return
    cap = _mg(DAILY_CAPS[plan.course.drug].dose)
    per_day: dict[dt.date, Decimal] = {}
    for planned in plan.infusions:
        dose = _mg(planned.dose.value)
        assert Decimal(0) < dose <= cap, f"invariant 1: dose {dose} mg, cap {cap} mg"
        per_day[planned.date] = per_day.get(planned.date, Decimal(0)) + dose
    for day, total in per_day.items():
        assert total <= cap, f"invariant 1: {total} mg on {day}, cap {cap} mg"


def check_per_kg_maxima(plan: Plan, patient: Patient) -> None:
    """Check invariant 2.

    Invariant 2 (P-ZOL-FIRST, P-ZOL-DOSE, P-PAM-FIRST, P-PAM-DOSE, P-MAINT-MID, P-MAINT-HIGH):
    no dose per kg above the protocol's maximum for the drug and phase, with the patient's own
    weight; the doses of one day together within the drug's highest maximum.
    """
    if plan.course is None:
        return
    weight_kg = exact(dosing_weight_kg(patient.weight))
    drug = plan.course.drug
    day_limit = max(exact(float(max_per_kg(drug, p).per_kg.m_as("mg/kg"))) for p in Phase)
    per_day: dict[dt.date, Decimal] = {}
    for planned in plan.infusions:
        maximum = exact(float(max_per_kg(drug, planned.phase).per_kg.m_as("mg/kg")))
        dose = _mg(planned.dose.value)
        assert dose <= maximum * weight_kg, (
            f"invariant 2: {dose} mg for {weight_kg} kg in phase {planned.phase.value}, "
            f"maximum {maximum} mg/kg"
        )
        per_day[planned.date] = per_day.get(planned.date, Decimal(0)) + dose
    for day, total in per_day.items():
        assert total <= day_limit * weight_kg, f"invariant 2: {total} mg on {day}"


def check_first_not_above_regular(plan: Plan) -> None:
    """Check invariant 3.

    Invariant 3 (P-ZOL-FIRST, P-PAM-FIRST, P-HUNGRY): a first infusion is never larger than a
    regular infusion of the same plan (same patient, same weight).
    """
    firsts = [p for p in plan.infusions if p.phase is Phase.FIRST]
    regulars = [p for p in plan.infusions if p.phase is Phase.REGULAR]
    for first in firsts:
        for regular in regulars:
            assert _mg(first.dose.value) <= _mg(regular.dose.value), (
                f"invariant 3: first dose {first.dose.value} above regular dose "
                f"{regular.dose.value} on {regular.date}"
            )


def check_gfr_gate(plan: Plan, patient: Patient) -> None:
    """Check invariant 4.

    Invariant 4 (P-GFR): no zoledronic acid unless the GFR estimate is above 90 ml/min/1.73 m²,
    and never with a missing creatinine or height.
    """
    if plan.drug is not Drug.ZOLEDRONIC_ACID and not (
        plan.course is not None and plan.course.drug is Drug.ZOLEDRONIC_ACID
    ):
        return
    assert patient.height is not None, "invariant 4: zoledronic acid without a height"
    assert patient.labs.creatinine is not None, "invariant 4: zoledronic acid without creatinine"
    renal = plan.assessment.renal
    assert renal is not None, "invariant 4: zoledronic acid without a renal assessment"
    assert renal.estimate is not None, "invariant 4: zoledronic acid without a GFR"
    assert ZOLEDRONIC_ACID_GFR.met(renal.estimate.value), (
        f"invariant 4: zoledronic acid with GFR {renal.estimate.value}"
    )


def check_contraindications(plan: Plan, patient: Patient) -> None:
    """Check invariant 5.

    Invariant 5 (P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY, P-CI-PREG, P-PRE-VITD, P-PRE-LABS): no
    infusion is cleared with fever above 38.5 °C, total calcium below 2.2 mmol/l,
    hypersensitivity or a known pregnancy; no first infusion with 25-OH vitamin D below 50
    nmol/l or a required lab missing.
    """
    if plan.status is not PlanStatus.READY:
        return
    temperature = patient.vitals.temperature
    assert temperature is None or not FEVER.met(temperature), f"invariant 5: {temperature}"
    calcium = patient.labs.calcium
    assert calcium is None or not HYPOCALCAEMIA.met(calcium.value), f"invariant 5: {calcium}"
    assert not patient.risks.bisphosphonate_hypersensitivity, "invariant 5: hypersensitivity"
    assert not patient.risks.pregnant, "invariant 5: known pregnancy"
    if not patient.infusions:
        missing = [name for name in LAB_NAMES if getattr(patient.labs, name) is None]
        assert not missing, f"invariant 5: first infusion cleared without {missing}"
        vitamin_d = patient.labs.vitamin_d_25oh
        assert vitamin_d is not None
        assert not VITAMIN_D_DEFICIENCY.met(vitamin_d.value), f"invariant 5: {vitamin_d}"


def _doses(plan: Plan) -> list[Decimal]:
    return [_mg(p.dose.value) for p in plan.infusions]


def check_monotonic_in_weight(lighter: Plan, heavier: Plan) -> None:
    """Check invariant 6.

    Invariant 6 (P-ZOL-DOSE, P-PAM-DOSE): the heavier of two otherwise equal patients never gets
    a smaller dose for the same infusion (up to the cap, where both stay at the cap).
    """
    assert lighter.drug is heavier.drug, "invariant 6: the weight changed the drug"
    assert [p.date for p in lighter.infusions] == [p.date for p in heavier.infusions]
    for light, heavy in zip(_doses(lighter), _doses(heavier), strict=True):
        assert light <= heavy, f"invariant 6: {light} mg for the lighter, {heavy} mg heavier"


def _summary(plan: Plan) -> tuple[object, ...]:
    return (
        plan.status,
        plan.drug,
        tuple((p.date, _mg(p.dose.value), p.preparation.volume.m_as("mL")) for p in plan.infusions),
        tuple(sorted(f.code for f in plan.findings)),
        tuple(sorted(f.code for f in plan.blocks)),
        tuple((a.target, a.accepted) for a in plan.adjustments),
    )


def check_unit_independence(plan: Plan, other: Plan | None) -> None:
    """Check invariant 7.

    Invariant 7 (P-ZOL-DOSE, P-PAM-DOSE, P-GFR): the same patient in other units gets the same
    status, drug, dates, doses, volumes, findings and adjustments.
    """
    assert other is not None, "invariant 7: the request was refused in other units"
    assert _summary(plan) == _summary(other), "invariant 7: the plan depends on the units"


def check_pamidronate_preparation(plan: Plan) -> None:
    """Check invariant 8.

    Invariant 8 (P-PAM-DOSE, P-PAM-RENAL): pamidronate volume = dose / 0.1 mg/ml and rate =
    volume / duration, the duration 4 h, or dose / 20 mg/h where that is longer in renal
    impairment (a Schwartz-40 GFR of 90 or less, or none), whatever a plugin proposed.
    """
    renal = None
    for planned in plan.infusions:
        if planned.dose.drug is not Drug.PAMIDRONATE:
            continue
        if renal is None:
            renal = pamidronate_renal(plan.patient).renal_rate
        preparation = planned.preparation
        dose = _mg(planned.dose.value)
        volume = exact(float(preparation.volume.m_as("mL")))
        rate = exact(float(preparation.rate.m_as("mL/h")))
        hours = exact(float(preparation.duration.m_as("hour")))
        expected = max(Decimal(4), dose / 20) if renal else Decimal(4)
        assert _mg(preparation.dose) == dose, "invariant 8: the preparation is of another dose"
        assert volume == dose / _TEN, f"invariant 8: {volume} ml for {dose} mg"
        assert hours == expected, f"invariant 8: {hours} h for {dose} mg (renal: {renal})"
        assert abs(rate - volume / hours) <= Decimal("1e-9"), (
            f"invariant 8: {rate} ml/h for {volume} ml over {hours} h"
        )


def check_drawn_up(plan: Plan, patient: Patient) -> None:
    """Check invariant 21.

    Invariant 21 (P-PREP-PRODUCT, P-HARD, P-ZOL-CAP, P-PAM-CAP, P-PAM-LABEL): the dose the volume
    drawn up delivers (volume x the product's concentration, computed here) is within one syringe
    step of the planned dose, within the daily cap and the phase's per-kg maximum, and for
    pamidronate within 0.36 mg/ml of the final volume; whatever the formulary.
    """
    if plan.course is None:
        return
    weight_kg = exact(dosing_weight_kg(patient.weight))
    cap = _mg(DAILY_CAPS[plan.course.drug].dose)
    for planned in plan.infusions:
        prep = planned.preparation
        strength = exact(float(prep.product.concentration.m_as("mg/mL")))
        drawn = exact(float(prep.concentrate_volume.m_as("mL")))
        step = exact(float(prep.syringe_resolution.m_as("mL"))) * strength
        delivered = drawn * strength
        dose = _mg(planned.dose.value)
        assert prep.product.drug is planned.dose.drug, "invariant 21: a product of another drug"
        assert abs(delivered - dose) <= step, (
            f"invariant 21: {delivered} mg delivered for {dose} mg planned, step {step} mg"
        )
        maximum = exact(float(max_per_kg(planned.dose.drug, planned.phase).per_kg.m_as("mg/kg")))
        assert delivered <= min(cap, maximum * weight_kg), (
            f"invariant 21: {delivered} mg delivered, limit {min(cap, maximum * weight_kg)} mg"
        )
        if planned.dose.drug is Drug.PAMIDRONATE:
            volume = exact(float(prep.volume.m_as("mL")))
            assert delivered <= Decimal("0.36") * volume, (
                f"invariant 21: {delivered} mg in {volume} ml"
            )


def check_rule_ids(plan: Plan) -> None:
    """Check invariant 9.

    Invariant 9: every finding, dose, preparation, schedule entry, follow-up and adjustment
    names the rule ids that produced it.
    """
    for finding in plan.findings:
        assert finding.rule_ids, f"invariant 9: {finding.code} names no rule"
        assert all(finding.rule_ids), f"invariant 9: {finding.code} names an empty rule id"
    for planned in plan.infusions:
        assert planned.rule_ids, f"invariant 9: infusion {planned.number} names no rule"
        assert planned.dose.rule_ids, f"invariant 9: dose {planned.number} names no rule"
        assert planned.preparation.rule_ids, f"invariant 9: preparation {planned.number}"
    if plan.course is not None:
        assert all(item.rule_ids for item in plan.course.follow_up), "invariant 9: follow-up"
    for adjustment in plan.adjustments:
        assert adjustment.rule_ids, f"invariant 9: adjustment of {adjustment.target}"


def _finding_key(finding: Finding) -> tuple[object, ...]:
    return (finding.code, finding.rule_ids, finding.severity, finding.message, finding.action)


def check_core_findings_kept(plan: Plan, core: Iterable[Finding]) -> None:
    """Check that plugins only add findings.

    Plugins only add findings: every finding of the protocol's own assessment is in the plan,
    and a protocol BLOCK keeps the plan from being ready (P-CI-*, P-PRE-*).
    """
    # Matched on the plain fields first: hashing quantities of evidence is slow.
    present: dict[tuple[object, ...], list[Finding]] = {}
    for finding in plan.findings:
        present.setdefault(_finding_key(finding), []).append(finding)
    core = tuple(core)
    missing = [f.code for f in core if not any(f == g for g in present.get(_finding_key(f), ()))]
    assert not missing, f"core findings removed: {missing}"
    if any(f.severity is Severity.BLOCK for f in core):
        assert plan.status is not PlanStatus.READY, "a core BLOCK did not block"


def check_hard_limits(plan: Plan, patient: Patient) -> None:
    """The hard limits together: invariants 1, 2, 4, 8 and 21.

    The caps, the per-kg maxima, the GFR gate, the pamidronate preparation and the dose the
    volume drawn up delivers.
    """
    check_daily_caps(plan)
    check_per_kg_maxima(plan, patient)
    check_gfr_gate(plan, patient)
    check_pamidronate_preparation(plan)
    check_drawn_up(plan, patient)


# -- The suite --------------------------------------------------------------------------------


class PluginInvariants:
    """Invariants 1-9 as one property test with a plugin loaded; subclass it with ``plugins``.

    Each subclass gets the test ``test_invariants_1_to_9_hold_with_the_plugin``.

    Each example draws a protocol, a patient and a request, plans it, and checks every
    invariant on that plan: so each invariant is checked on as many examples as the active
    Hypothesis profile runs (500 with ``bisphos-ci``). Invariants 3, 6 and 7 plan the same
    patient again (without history, heavier, in other units).

    Attributes:
        plugins: The ``(name, plugin)`` pairs to load, as for :meth:`Engine.create`.
        entry_points: Also load the installed ``bisphos`` entry points (off by default, so the
            plugin under test is not loaded twice).
        protocol_ids: The pediatric protocols to plan under; every registered pediatric
            protocol when ``None``.
        max_infusions: The longest horizon drawn.
    """

    plugins: ClassVar[Sequence[tuple[str, object]]] = ()
    entry_points: ClassVar[bool] = False
    protocol_ids: ClassVar[Sequence[str] | None] = None
    max_infusions: ClassVar[int] = 4

    _engines: ClassVar[dict[type, Engine]] = {}
    _strategies: ClassVar[dict[type, st.SearchStrategy[PlanCase]]] = {}

    @classmethod
    def engine(cls) -> Engine:
        """The engine with the plugins under test, built once per class."""
        if cls not in PluginInvariants._engines:
            PluginInvariants._engines[cls] = Engine.create(
                entry_points=cls.entry_points, plugins=tuple(cls.plugins)
            )
        return PluginInvariants._engines[cls]

    @classmethod
    def pediatric_protocols(cls) -> tuple[str, ...]:
        """The protocol ids the suite plans under."""
        if cls.protocol_ids is not None:
            return tuple(cls.protocol_ids)
        registered: Mapping[str, object] = cls.engine().protocols
        return tuple(
            sorted(pid for pid, p in registered.items() if isinstance(p, PediatricProtocol))
        )

    @classmethod
    def cases(cls) -> st.SearchStrategy[PlanCase]:
        """The cases drawn, built once per class."""
        if cls not in PluginInvariants._strategies:
            PluginInvariants._strategies[cls] = plan_cases(
                cls.pediatric_protocols(), max_infusions=cls.max_infusions
            )
        return PluginInvariants._strategies[cls]

    def plan(self, case: PlanCase, patient: Patient | None = None) -> Plan | None:
        """Plan ``case`` (or ``patient`` with its protocol and request).

        Returns ``None`` when the protocol refuses a request for a drug or a maintenance
        course with a :class:`~bisphos.errors.ProtocolError` (one it does not plan); every other
        error, and any refusal of a plain request, fails the test.
        """
        try:
            return self.engine().plan(
                case.patient if patient is None else patient,
                case.request,
                protocol_id=case.protocol_id,
            )
        except ProtocolError:
            if case.request.drug is None and not case.request.maintenance:
                raise
            return None

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Give each subclass its own property test, under the profile active when it is made.

        Made here rather than once for the base class, so that the examples follow the profile
        the plugin's tests load (``conftest.py`` or ``--hypothesis-profile``), and so that a
        subclass may apply its own ``@settings`` to its test without changing the others'.
        """
        super().__init_subclass__(**kwargs)

        def test_invariants_1_to_9_hold_with_the_plugin(
            self: PluginInvariants, data: st.DataObject, factor: float
        ) -> None:
            self.check_invariants(data, factor)

        test_invariants_1_to_9_hold_with_the_plugin.__doc__ = cls.check_invariants.__doc__
        cls.test_invariants_1_to_9_hold_with_the_plugin = given(  # type: ignore[attr-defined]
            data=st.data(), factor=st.floats(min_value=1.0, max_value=3.0)
        )(test_invariants_1_to_9_hold_with_the_plugin)

    def check_invariants(self, data: st.DataObject, factor: float) -> None:
        """Check invariants 1-9 on plans made with the plugin loaded.

        1 (P-ZOL-CAP, P-PAM-CAP) daily caps; 2 (P-ZOL-FIRST, P-ZOL-DOSE, P-PAM-FIRST, P-PAM-DOSE,
        P-MAINT-MID, P-MAINT-HIGH) per-kg maxima; 3 (P-ZOL-FIRST, P-PAM-FIRST, P-HUNGRY) first
        not above regular; 4 (P-GFR) the GFR gate; 5 (P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY,
        P-CI-PREG, P-PRE-VITD, P-PRE-LABS) contraindications, with the protocol's findings kept;
        6 (P-ZOL-DOSE, P-PAM-DOSE) monotonic in weight; 7 independent of units; 8 (P-PAM-DOSE)
        pamidronate at 0.1 mg/ml over 4 h (or dose / 20 mg/h in renal impairment, P-PAM-RENAL);
        9 rule ids everywhere; and with them the dose the volume drawn up delivers
        (P-PREP-PRODUCT, invariant 21) within one syringe step and within the hard limits.
        """
        case = data.draw(self.cases(), label="case")
        plan = self.plan(case)
        if plan is None:
            event("request refused by the protocol")
            return
        event(f"status {plan.status.value}")
        patient = case.patient
        check_hard_limits(plan, patient)  # invariants 1, 2, 4, 8, 21
        check_contraindications(plan, patient)  # invariant 5
        hooks = PluginHooks(self.engine().manager, case.protocol_id)
        estimator = hooks.gfr_estimator(patient) or schwartz_40
        check_core_findings_kept(plan, assess(patient, estimator=estimator).findings)
        check_rule_ids(plan)  # invariant 9
        if plan.course is None:
            return
        check_first_not_above_regular(plan)  # invariant 3, with the patient's history
        fresh = self.plan(
            attrs.evolve(case, request=attrs.evolve(case.request, maintenance=False)),
            attrs.evolve(patient, infusions=()),
        )
        if fresh is not None:
            check_hard_limits(fresh, patient)
            check_first_not_above_regular(fresh)  # invariant 3 from the first infusion on
        weight_kg = float(patient.weight.m_as("kg"))
        heavier_kg = min(weight_kg * factor, _MAX_WEIGHT_KG)
        heavier = attrs.evolve(patient, weight=ureg.Quantity(heavier_kg, "kg"))
        heavier_plan = self.plan(case, heavier)
        assert heavier_plan is not None
        check_hard_limits(heavier_plan, heavier)
        check_monotonic_in_weight(plan, heavier_plan)  # invariant 6
        other = data.draw(reexpressed(patient), label="same patient in other units")
        check_unit_independence(plan, self.plan(case, other))  # invariant 7
