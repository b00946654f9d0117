"""Hostile plugins: whatever a plugin returns or raises, wrappers included, the hard limits hold.

Each property draws a patient (the example patients at any weight), a request and a hostile
behaviour, plans with the hostile plugin loaded, and accepts exactly two outcomes: a typed
:class:`~bisphos.errors.BisphosError`, or a plan in which every planned dose is within the daily cap
(P-ZOL-CAP, P-PAM-CAP) and the per-kg maximum of its phase times the weight (invariant 2),
zoledronic acid is planned only with a GFR above 90 (P-GFR), every finding of the protocol's own
assessment is present and a protocol BLOCK still blocks (P-CI-*), and every proposal is recorded,
those that would pass a limit as refusals (``Adjustment.accepted`` false).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pluggy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.errors import BisphosError, HardLimitError, PluginError, ProtocolConflictError
from bisphos.findings import Finding, Severity
from bisphos.model import Drug, Patient
from bisphos.pediatric.adjustments import DoseProposal, ScheduleProposal, VolumeProposal
from bisphos.pediatric.assessment import Assessment, assess
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.infusion import prepare_infusion
from bisphos.pediatric.limits import exact
from bisphos.pediatric.plan import Plan, PlanRequest, PlanStatus
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.pediatric.renal import GfrEstimate, SchwartzEstimator, schwartz_40
from bisphos.pediatric.schedule import Horizon
from bisphos.plugins import hookimpl
from bisphos.protocols import Protocol
from bisphos.testing.invariants import check_core_findings_kept, check_hard_limits
from bisphos.testing.pytest_plugin import example_patients
from bisphos.units import ureg

EXAMPLES = example_patients()
MG = ureg.Unit("milligram")


#: Weights across the range, at and around the points where a dose meets a cap: zoledronic
#: acid 0.05 mg/kg reaches 4 mg at 80 kg, pamidronate 2 mg/kg reaches 90 mg at 45 kg.
WEIGHTS_KG = (2.0, 3.7, 8.0, 12.5, 20.0, 33.3, 44.9, 45.0, 45.1, 70.0, 79.9, 80.0, 80.1, 130.0)
#: The example patients at each weight, built once: each example plans, and planning is the cost.
PATIENTS = tuple(
    attrs.evolve(EXAMPLES[name], weight=ureg.Quantity(weight, "kg"))
    for name in sorted(EXAMPLES)
    for weight in WEIGHTS_KG
)


def patients() -> st.SearchStrategy[Patient]:
    """An example patient (ready, blocked, pamidronate only, heavy, infant) at one weight."""
    return st.sampled_from(PATIENTS)


REQUESTS = st.builds(
    PlanRequest,
    drug=st.sampled_from([None, Drug.PAMIDRONATE, Drug.ZOLEDRONIC_ACID]),
    horizon=st.sampled_from([Horizon(infusions=1), Horizon(infusions=3)]),
)


_CORE: dict[int, tuple[Finding, ...]] = {}


def core_findings(patient: Patient, estimator: Any) -> tuple[Finding, ...]:
    """The protocol's own findings without plugins (with Schwartz 40 cached: patients repeat)."""
    if estimator is not schwartz_40:
        return assess(patient, estimator=estimator).findings
    if id(patient) not in _CORE:
        _CORE[id(patient)] = assess(patient, estimator=estimator).findings
    return _CORE[id(patient)]


def engine_with(*plugins: object) -> Engine:
    return Engine.create(
        entry_points=False, plugins=[(f"hostile-{i}", p) for i, p in enumerate(plugins)]
    )


def outcome(
    engine: Engine, patient: Patient, request: PlanRequest, estimator: Any = schwartz_40
) -> Plan | BisphosError:
    """Plan, and check the hard limits and the protocol's findings; a typed error is accepted.

    ``estimator`` is the GFR estimator the plugins chose, which the protocol's findings use.
    """
    try:
        plan = engine.plan(patient, request)
    except BisphosError as error:
        return error
    check_hard_limits(plan, patient)
    check_core_findings_kept(plan, core_findings(patient, estimator))
    return plan


# -- Dose proposals ---------------------------------------------------------------------------

_FACTORS = st.sampled_from([10.0, 1.0001, 2.0, 1000.0, 1e300]) | st.floats(1.0, 50.0)


def _value_strategies() -> st.SearchStrategy[Callable[[Dose], object]]:
    """Functions from the protocol's dose to a hostile proposed value."""
    scaled = _FACTORS.map(lambda f: lambda dose: dose.value * f)
    magnitudes = st.sampled_from(
        [math.nan, math.inf, -math.inf, -1.0, 0.0, -0.0, 1e-300, 5e-324, 1e308]
    ).map(lambda m: lambda dose: ureg.Quantity(m, MG))
    wrong_units = st.sampled_from(["ml", "kg", "mg/kg", "mmol/L", "mL/h", "g", "ug", "IU"]).map(
        lambda unit: lambda dose: ureg.Quantity(float(dose.value.m_as("mg")) * 10, unit)
    )
    garbage = st.sampled_from(
        [None, "40 mg", 40, 4.0, Decimal(4), [4, "mg"], True, {"dose": 4}, object()]
    ).map(lambda value: lambda dose: value)
    return scaled | magnitudes | wrong_units | garbage


def _proposal_strategies() -> st.SearchStrategy[Callable[[Dose], object]]:
    """Functions from the protocol's dose to what a hostile hook returns."""
    codes = st.sampled_from(["", "OVERRIDE", "X1", "not a code", None, 7, "A" * 60])

    def proposal(value: Callable[[Dose], object], code: object) -> Callable[[Dose], object]:
        return lambda dose: DoseProposal(
            plugin="hostile",
            dose=value(dose),
            reason="hostile",
            reason_code=code,  # type: ignore[arg-type]
        )

    not_a_proposal = st.sampled_from(
        [
            lambda dose: dose,
            lambda dose: dose.value * 10,
            lambda dose: "90 mg",
            lambda dose: [DoseProposal("hostile", dose.value * 10, "list")],
            lambda dose: VolumeProposal("hostile", ureg.Quantity(50, "mL"), "wrong kind"),
        ]
    )
    return st.builds(proposal, _value_strategies(), codes) | not_a_proposal


class DoseHook:
    def __init__(self, make: Callable[[Dose], object]) -> None:
        self.make = make

    @hookimpl
    def bisphos_adjust_dose(self, dose: Dose) -> object:
        return self.make(dose)


@given(patients(), REQUESTS, _proposal_strategies())
def test_hostile_dose_proposals_never_pass_the_hard_limits(
    patient: Patient, request: PlanRequest, make: Callable[[Dose], object]
) -> None:
    """P-ZOL-CAP, P-PAM-CAP, invariant 2: 10x doses, NaN, infinities, negatives, zero, ml or kg
    as a dose, bare numbers and non-proposals are refused and recorded, or a typed error."""
    result = outcome(engine_with(DoseHook(make)), patient, request)
    if isinstance(result, BisphosError):
        return
    assert len(result.adjustments) == len(result.infusions)
    for planned, adjustment in zip(result.infusions, result.adjustments, strict=True):
        if adjustment.accepted:
            # Only a lower dose, or a coded soft-limit override within the hard limits.
            assert adjustment.reason_code or exact(float(planned.dose.value.m_as("mg"))) <= exact(
                float(adjustment.before.m_as("mg"))  # type: ignore[union-attr]
            )


def test_ten_times_the_dose_with_a_coded_reason_is_a_recorded_refusal() -> None:
    """P-ZOL-CAP: a 10x proposal with a reason code is refused and recorded on every infusion."""
    plan = engine_with(DoseHook(lambda dose: DoseProposal("h", dose.value * 10, "x", "OVERRIDE")))
    result = plan.plan(EXAMPLES["heavy-teenager-100kg"])
    # Five infusions before the 19th birthday (P-SCOPE-1): 1.25, 2.5, then 4 mg capped.
    assert [float(p.dose.value.m_as("mg")) for p in result.infusions] == [1.25, 2.5, 4, 4, 4]
    assert [a.accepted for a in result.adjustments] == [False] * 5
    assert all("P-ZOL-CAP" in a.rule_ids for a in result.adjustments)


def test_soft_limit_override_needs_a_coded_reason() -> None:
    """P-ZOL-FIRST: a first dose of 0.025 mg/kg instead of 0.0125 is within the hard limits; it
    is refused without a coded reason and accepted with one."""
    patient = EXAMPLES["oi-girl-20kg"]

    def double(code: str) -> DoseHook:
        return DoseHook(lambda dose: DoseProposal("h", dose.value * 2, "local", code))

    request = PlanRequest(horizon=Horizon(infusions=1))
    refused = engine_with(double("")).plan(patient, request)
    assert float(refused.infusions[0].dose.value.m_as("mg")) == 0.25
    assert not refused.adjustments[0].accepted
    accepted = engine_with(double("LOCAL-FIRST-0025")).plan(patient, request)
    assert float(accepted.infusions[0].dose.value.m_as("mg")) == 0.5
    assert accepted.adjustments[0].reason_code == "LOCAL-FIRST-0025"


# -- Raising ----------------------------------------------------------------------------------

_ERRORS = st.sampled_from(
    [RuntimeError("boom"), ValueError("bad"), KeyError("k"), ZeroDivisionError(), RecursionError()]
)
_HOOK_NAMES = st.sampled_from(
    [
        "bisphos_adjust_dose",
        "bisphos_extra_findings",
        "bisphos_gfr_estimator",
        "bisphos_infusion_volume",
        "bisphos_adjust_schedule",
    ]
)


class Raising:
    """Raises ``error`` from ``hook_name``, and notes that it was called."""

    def __init__(self, hook_name: str, error: Exception) -> None:
        self.called = False

        def hook() -> None:
            self.called = True
            raise error

        setattr(self, hook_name, hookimpl(hook))


@given(patients(), REQUESTS, _HOOK_NAMES, _ERRORS)
def test_a_raising_plugin_is_a_plugin_error(
    patient: Patient, request: PlanRequest, hook_name: str, error: Exception
) -> None:
    """Any exception a hook raises becomes a PluginError naming the hook, never a plan; a plan is
    made only when the hook was not reached (e.g. nothing to dose)."""
    plugin = Raising(hook_name, error)
    engine = engine_with(plugin)
    try:
        plan = engine.plan(patient, request)
    except PluginError:
        assert plugin.called
        with pytest.raises(PluginError, match=hook_name):
            engine.plan(patient, request)
        return
    assert not plugin.called
    assert plan.infusions == ()


# -- Findings ---------------------------------------------------------------------------------


def _demote(finding: Finding) -> Finding:
    return attrs.evolve(finding, severity=Severity.INFO, message="resolved", action="")


_FINDING_ATTACKS: dict[str, Callable[[Assessment], object]] = {
    "copies demoted to info": lambda a: [_demote(f) for f in a.findings],
    "same codes cleared": lambda a: [
        Finding(code=f.code, rule_ids=f.rule_ids, severity=Severity.INFO, message="cleared")
        for f in a.blocks
    ],
    "a clearance": lambda a: [
        Finding("all-clear", ("LOCAL-1",), Severity.INFO, "every block is resolved")
    ],
    "block duplicates": lambda a: list(a.blocks),
    "a local block": lambda a: [Finding("local", ("LOCAL-CI",), Severity.BLOCK, "local block")],
    "nothing": lambda a: [],
    "None": lambda a: None,
    "strings": lambda a: ["remove fever"],
    "a bare finding": lambda a: Finding("x", ("LOCAL-1",), Severity.INFO, "not in a list"),
    "codes": lambda a: [f.code for f in a.findings],
}


class FindingHook:
    def __init__(self, attack: Callable[[Assessment], object]) -> None:
        self.attack = attack

    @hookimpl
    def bisphos_extra_findings(self, assessment: Assessment) -> object:
        return self.attack(assessment)


@given(patients(), REQUESTS, st.sampled_from(sorted(_FINDING_ATTACKS)))
def test_findings_cannot_remove_or_demote_core_findings(
    patient: Patient, request: PlanRequest, attack: str
) -> None:
    """P-CI-FEVER, P-CI-HYPOCA, P-PRE-LABS: plugins only add findings; a protocol BLOCK still
    blocks whatever a plugin returns (demoted copies, cleared codes, clearances, garbage)."""
    result = outcome(engine_with(FindingHook(_FINDING_ATTACKS[attack])), patient, request)
    if isinstance(result, BisphosError):
        assert isinstance(result, PluginError)
        return
    core = core_findings(patient, schwartz_40)
    if any(f.severity is Severity.BLOCK for f in core):
        assert result.status is not PlanStatus.READY


def test_blocked_patient_stays_blocked_against_every_finding_attack() -> None:
    """P-CI-FEVER, P-CI-HYPOCA: fever and hypocalcaemia block under every attack."""
    patient = EXAMPLES["blocked-fever-low-calcium"]
    for name, attack in _FINDING_ATTACKS.items():
        try:
            plan = engine_with(FindingHook(attack)).plan(patient)
        except PluginError:
            assert name in {"None", "strings", "a bare finding", "codes"}
            continue
        assert plan.status is PlanStatus.BLOCKED, name
        assert {"fever", "hypocalcaemia"} <= {f.code for f in plan.blocks}, name


# -- GFR estimators ---------------------------------------------------------------------------


@attrs.frozen
class FixedGfr:
    """An estimator that returns a fixed GFR magnitude, whatever the patient."""

    name: str
    gfr: object

    def __call__(self, *, height: Any, creatinine: Any) -> GfrEstimate:
        return GfrEstimate(
            value=ureg.Quantity(self.gfr, "mL_min_1_73m2"),  # type: ignore[call-overload]
            estimator=self.name,
            constant=None,
            height=height,
            creatinine=creatinine,
        )


_ESTIMATORS = st.one_of(
    st.builds(FixedGfr, st.just("fixed"), st.sampled_from([math.nan, math.inf, -5.0, 0.0, 90.0])),
    st.builds(FixedGfr, st.just("fixed"), st.floats(min_value=1.0, max_value=500.0)),
    st.builds(SchwartzEstimator, st.just("k"), st.sampled_from([36.5, 40.0, 1e6, -40.0, 0.0])),
    st.sampled_from([None, "schwartz", 42, lambda **kw: None, object()]),
)


class GfrHook:
    def __init__(self, estimator: object) -> None:
        self.estimator = estimator

    @hookimpl
    def bisphos_gfr_estimator(self) -> object:
        return self.estimator


@given(patients(), REQUESTS, _ESTIMATORS)
def test_a_local_estimator_never_opens_the_gate_without_gfr_above_90(
    patient: Patient, request: PlanRequest, estimator: object
) -> None:
    """P-GFR, invariant 4: whatever a local estimator returns (NaN, infinite, negative, zero,
    exactly 90, not an estimator), zoledronic acid is planned only with a recorded GFR above 90,
    and an impossible GFR is a PluginError."""
    chosen = estimator if isinstance(estimator, (FixedGfr, SchwartzEstimator)) else schwartz_40
    result = outcome(engine_with(GfrHook(estimator)), patient, request, chosen)
    if isinstance(result, BisphosError):
        return
    if result.drug is Drug.ZOLEDRONIC_ACID:
        assert result.assessment.renal is not None
        estimate = result.assessment.renal.estimate
        assert estimate is not None
        assert float(estimate.value.m_as("mL_min_1_73m2")) > 90


# -- Hook wrappers ----------------------------------------------------------------------------


class NewStyleDoseWrapper:
    """``wrapper=True``: replaces the proposals of the other plugins."""

    def __init__(self, replace: Callable[[Dose], object]) -> None:
        self.replace = replace

    @hookimpl(wrapper=True)
    def bisphos_adjust_dose(self, dose: Dose) -> Generator[None, object, object]:
        yield
        return self.replace(dose)


class OldStyleDoseWrapper:
    """``hookwrapper=True``: forces another result."""

    def __init__(self, replace: Callable[[Dose], object]) -> None:
        self.replace = replace

    @hookimpl(hookwrapper=True)
    def bisphos_adjust_dose(self, dose: Dose) -> Generator[None, pluggy.Result[object], None]:
        outcome = yield
        outcome.force_result(self.replace(dose))


_REPLACEMENTS = st.sampled_from(
    [
        lambda dose: [DoseProposal("wrapper", dose.value * 10, "higher", "OVERRIDE")],
        lambda dose: [DoseProposal("wrapper", dose.value * 1.5, "higher", "OVERRIDE")],
        lambda dose: [DoseProposal("wrapper", ureg.Quantity(math.nan, MG), "nan")],
        lambda dose: [DoseProposal("wrapper", ureg.Quantity(100, "mL"), "ml")],
        lambda dose: [dose.value * 10],
        lambda dose: "garbage",
        lambda dose: None,
        lambda dose: [None],
        lambda dose: dose,
    ]
)


@given(patients(), REQUESTS, _REPLACEMENTS, st.booleans(), st.booleans())
def test_hook_wrappers_cannot_pass_the_hard_limits(
    patient: Patient,
    request: PlanRequest,
    replace: Callable[[Dose], object],
    new_style: bool,
    with_benign: bool,
) -> None:
    """P-ZOL-CAP, P-PAM-CAP, invariant 2: a wrapper that replaces the dose proposals with higher
    doses or garbage gets a recorded refusal or a typed error, never a dose above a limit."""
    wrapper = NewStyleDoseWrapper(replace) if new_style else OldStyleDoseWrapper(replace)
    plugins: list[object] = [wrapper]
    if with_benign:
        plugins.insert(0, DoseHook(lambda dose: DoseProposal("benign", dose.value / 2, "half")))
    result = outcome(engine_with(*plugins), patient, request)
    if isinstance(result, BisphosError):
        return
    assert all(not a.accepted or a.reason_code for a in result.adjustments if a.plugin == "wrapper")


class FindingsWrapper:
    @hookimpl(wrapper=True)
    def bisphos_extra_findings(self) -> Generator[None, object, object]:
        yield
        return []


class GfrWrapper:
    """Replaces whatever estimator the plugins chose with one that reads every GFR as 90."""

    @hookimpl(wrapper=True)
    def bisphos_gfr_estimator(self) -> Generator[None, object, object]:
        yield
        return FixedGfr("wrapped", 90.0)


class ProtocolWrapper:
    @hookimpl(wrapper=True)
    def bisphos_register_protocols(self) -> Generator[None, object, object]:
        yield
        return [[PediatricProtocol()], [PediatricProtocol()]]


def test_a_findings_wrapper_cannot_remove_protocol_findings() -> None:
    """P-CI-FEVER, P-CI-HYPOCA: the protocol's findings do not pass through the hook, so a
    wrapper that empties it removes nothing of them."""
    plan = engine_with(FindingsWrapper()).plan(EXAMPLES["blocked-fever-low-calcium"])
    assert plan.status is PlanStatus.BLOCKED
    assert {"fever", "hypocalcaemia"} <= {f.code for f in plan.blocks}


def test_a_gfr_wrapper_reading_90_closes_the_gate() -> None:
    """P-GFR: exactly 90 is not above 90: no zoledronic acid, even when requested."""
    engine = engine_with(GfrWrapper())
    plan = engine.plan(EXAMPLES["oi-girl-20kg"])
    assert plan.drug is Drug.PAMIDRONATE
    refused = engine.plan(EXAMPLES["oi-girl-20kg"], PlanRequest(drug=Drug.ZOLEDRONIC_ACID))
    assert refused.status is PlanStatus.REFUSED


def test_a_protocol_wrapper_registering_twice_is_a_conflict() -> None:
    """A wrapper that doubles the registered protocols is refused when the engine is built."""
    with pytest.raises(ProtocolConflictError):
        engine_with(ProtocolWrapper())


# -- Volumes and dates ------------------------------------------------------------------------


class VolumeHook:
    def __init__(self, volume: object) -> None:
        self.volume = volume

    @hookimpl
    def bisphos_infusion_volume(self) -> VolumeProposal:
        return VolumeProposal("hostile", self.volume, "hostile", "OVERRIDE")


class ScheduleHook:
    def __init__(self, shift: Callable[[Sequence[Any]], object]) -> None:
        self.shift = shift

    @hookimpl
    def bisphos_adjust_schedule(self, dates: Sequence[Any]) -> ScheduleProposal:
        return ScheduleProposal("hostile", self.shift(dates), "hostile")  # type: ignore[arg-type]


_VOLUMES = st.sampled_from(
    [
        ureg.Quantity(10, "mL"),
        ureg.Quantity(1000, "mL"),
        ureg.Quantity(math.nan, "mL"),
        ureg.Quantity(-50, "mL"),
        ureg.Quantity(50, "mg"),
        "75 ml",
        None,
    ]
)
_SHIFTS = st.sampled_from(
    [
        lambda dates: [d.replace(year=d.year - 1) for d in dates],
        lambda dates: [dates[0]] * len(dates),
        lambda dates: list(reversed(dates)),
        lambda dates: list(dates)[:-1],
        lambda dates: ["2026-01-01"] * len(dates),
    ]
)


@given(patients(), REQUESTS, _VOLUMES, _SHIFTS)
def test_hostile_volumes_and_dates_are_refused(
    patient: Patient,
    request: PlanRequest,
    volume: object,
    shift: Callable[[Sequence[Any]], object],
) -> None:
    """P-ZOL-DOSE, P-PAM-DOSE, P-ZOL-FREQ, P-PAM-FREQ, invariant 8: volumes outside 50-100 ml or
    not volumes, and dates earlier, shared or out of order, are refused and recorded; pamidronate
    stays at 0.1 mg/ml."""
    result = outcome(engine_with(VolumeHook(volume), ScheduleHook(shift)), patient, request)
    if isinstance(result, BisphosError):
        return
    for adjustment in result.adjustments:
        if adjustment.hook == "bisphos_adjust_schedule":
            # Only a proposal that changes nothing (one infusion) can be accepted.
            assert not adjustment.accepted or adjustment.after == adjustment.before
        if adjustment.hook == "bisphos_infusion_volume" and adjustment.accepted:
            assert 50 <= float(adjustment.after.m_as("mL")) <= 100  # type: ignore[union-attr]


# -- Protocols --------------------------------------------------------------------------------


class OverdosingProtocol(PediatricProtocol):
    """A local protocol whose course doubles every dose after the hard limits were applied."""

    @property
    def info(self) -> Any:
        return attrs.evolve(super().info, protocol_id="hostile-double")

    def course(self, *args: Any, **kwargs: Any) -> Any:
        course = super().course(*args, **kwargs)
        doubled = []
        for planned in course.infusions:
            limited = attrs.evolve(planned.dose.limited, dose=planned.dose.value * 2)
            dose = attrs.evolve(planned.dose, limited=limited)
            doubled.append(attrs.evolve(planned, dose=dose))
        return attrs.evolve(course, infusions=tuple(doubled))


class RegistersOverdosing:
    @hookimpl
    def bisphos_register_protocols(self) -> Sequence[Protocol]:
        return [OverdosingProtocol()]


@given(patients(), REQUESTS)
def test_a_local_protocol_cannot_plan_past_the_hard_limits(
    patient: Patient, request: PlanRequest
) -> None:
    """P-ZOL-CAP, P-PAM-CAP, invariant 2: a local course that doubles its doses after
    ``enforce`` is stopped by the plan's final gate with a HardLimitError."""
    engine = engine_with(RegistersOverdosing())
    try:
        plan = engine.plan(patient, request, protocol_id="hostile-double")
    except BisphosError:
        return
    check_hard_limits(plan, patient)
    assert plan.infusions == ()


class ConsistentOverdose(PediatricProtocol):
    """A local protocol that plans 3 mg/kg pamidronate, prepared consistently: only the final
    gate's per-kg check can stop it."""

    @property
    def info(self) -> Any:
        return attrs.evolve(super().info, protocol_id="hostile-3-mg-per-kg")

    def course(self, patient: Patient, *args: Any, **kwargs: Any) -> Any:
        course = super().course(patient, *args, **kwargs)
        changed = []
        for planned in course.infusions:
            value = ureg.Quantity(3.0 * float(patient.weight.m_as("kg")), MG)
            dose = attrs.evolve(
                planned.dose, limited=attrs.evolve(planned.dose.limited, dose=value)
            )
            changed.append(
                attrs.evolve(planned, dose=dose, preparation=prepare_infusion(dose.drug, value))
            )
        return attrs.evolve(course, infusions=tuple(changed))


class TwoOnOneDay(PediatricProtocol):
    """A local protocol that gives every infusion twice on the same day."""

    @property
    def info(self) -> Any:
        return attrs.evolve(super().info, protocol_id="hostile-twice-a-day")

    def course(self, *args: Any, **kwargs: Any) -> Any:
        course = super().course(*args, **kwargs)
        twice = tuple(p for planned in course.infusions for p in (planned, planned))
        return attrs.evolve(course, infusions=twice)


class RegistersBoth:
    @hookimpl
    def bisphos_register_protocols(self) -> Sequence[Protocol]:
        return [ConsistentOverdose(), TwoOnOneDay()]


def test_a_consistent_local_overdose_is_stopped_by_the_per_kg_check() -> None:
    """Invariant 2, P-PAM-FIRST: 3 mg/kg for 20 kg (60 mg) is under the 90 mg cap but above
    1 mg/kg x 20 kg for a first pamidronate infusion: HardLimitError."""
    request = PlanRequest(drug=Drug.PAMIDRONATE, horizon=Horizon(infusions=1))
    with pytest.raises(HardLimitError, match="above a hard limit") as raised:
        engine_with(RegistersBoth()).plan(
            EXAMPLES["oi-girl-20kg"], request, protocol_id="hostile-3-mg-per-kg"
        )
    assert "P-PAM-FIRST" in raised.value.expected


def test_two_doses_on_one_day_are_summed() -> None:
    """P-PAM-CAP, invariant 2: 40 mg twice on one day (20 kg) is within the cap each, but 80 mg
    is above 2 mg/kg x 20 kg = 40 mg per day: HardLimitError."""
    request = PlanRequest(drug=Drug.PAMIDRONATE, horizon=Horizon(infusions=2))
    patient = attrs.evolve(EXAMPLES["oi-girl-20kg"], infusions=())
    with pytest.raises(HardLimitError, match="above a hard limit") as raised:
        engine_with(RegistersBoth()).plan(patient, request, protocol_id="hostile-twice-a-day")
    assert "the doses planned on one day add up" in raised.value.expected


def test_a_local_estimate_never_opens_the_gate_p_gfr_local() -> None:
    """P-GFR-LOCAL: creatinine 55 µmol/l, height 112 cm: Schwartz 40 gives 81.5; a local
    estimator reading 120 does not allow zoledronic acid (a local estimate only tightens), and the
    plan shows both estimates; an estimator that agrees adds both values as information."""
    patient = EXAMPLES["oi-girl-20kg"]
    creatinine = patient.labs.creatinine
    assert creatinine is not None
    labs = attrs.evolve(
        patient.labs, creatinine=attrs.evolve(creatinine, value=ureg.Quantity(55, "umol/L"))
    )
    patient = attrs.evolve(patient, labs=labs)
    assert engine_with().plan(patient).drug is Drug.PAMIDRONATE
    plan = engine_with(GfrHook(FixedGfr("local-120", 120.0))).plan(patient)
    assert plan.drug is Drug.PAMIDRONATE
    warning = next(f for f in plan.findings if f.code == "gfr-gate-closed-by-protocol-formula")
    assert warning.severity is Severity.WARN
    assert "81.5" in warning.message
    assert "120.0" in warning.message
    asked = engine_with(GfrHook(FixedGfr("local-120", 120.0))).plan(
        patient, PlanRequest(drug=Drug.ZOLEDRONIC_ACID)
    )
    assert asked.status is PlanStatus.REFUSED
    bedside = engine_with(GfrHook(SchwartzEstimator("bedside", 36.5))).plan(patient)
    assert "gfr-gate-closed-by-protocol-formula" not in {f.code for f in bedside.findings}
    assert "gfr-local-and-protocol" in {f.code for f in bedside.findings}
