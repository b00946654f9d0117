"""The hard-limit gate (P-HARD) under attack, judged against limits this test computes itself.

Every property draws a patient and an attack, plans through an engine, and accepts exactly two
outcomes: a typed :class:`~bisphos.errors.BisphosError`, or a plan that :func:`judge` finds
within every limit of P-HARD — computed here from the patient and the plan's numbers with plain
arithmetic (never by calling the gate): the daily caps (P-ZOL-CAP, P-PAM-CAP), the per-kg maxima
by the infusion's place in the drug's history (P-ZOL-FIRST, P-ZOL-DOSE, P-PAM-FIRST,
P-PAM-DOSE), the preparation (P-PAM-LABEL, P-PAM-RENAL, zoledronic acid over 15 minutes), the
renal gate (P-GFR, P-GFR-LOCAL), the contraindications (P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY,
P-CI-PREG), the dates (P-SCOPE-1) and the interval (P-HIST-INTERVAL). After every attack a new
engine without plugins plans the reference patients exactly as before (no value shared).
"""

from __future__ import annotations

import calendar
import contextlib
import copy
import datetime as dt
import math
import sys
from collections.abc import Callable, Generator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pluggy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bisphos.cli import EXIT_INPUT_ERROR, main
from bisphos.engine import Engine
from bisphos.errors import BisphosError, HardLimitError, PluginError, ProtocolConflictError
from bisphos.export.plan_json import plan_to_json
from bisphos.findings import Evidence, Finding, Severity
from bisphos.io import load_patient
from bisphos.model import Drug, InfusionRecord, Patient
from bisphos.pediatric.adjustments import DoseProposal
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.limits import Phase
from bisphos.pediatric.plan import Plan, PlanRequest, PlanStatus
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.pediatric.renal import GfrEstimate
from bisphos.pediatric.rules import PROTOCOL_ID
from bisphos.plugins import hookimpl
from bisphos.protocols import MinimumInterval, Protocol
from bisphos.report import render_plan
from bisphos.units import ureg
from tests._profiles import examples

EXAMPLES = {
    path.stem: load_patient(path)
    for path in sorted((Path(__file__).parents[1] / "examples" / "patients").iterdir())
    if path.is_file()
}
MG = ureg.Unit("milligram")
LOCAL_ID = "hostile-local"

#: Weights around the points where a dose meets a cap.
WEIGHTS_KG = (3.7, 8.0, 20.0, 44.9, 45.0, 70.0, 80.1)
NAMES = (
    "oi-girl-20kg",
    "corticosteroid-boy-70kg",
    "fever-and-low-calcium",
    "immobile-hungry-bones",
    "infant-oi-8kg",
    "maintenance-oi",
    "ped-gfr-exactly-90",
    "ped-pregnant-16",
    "ped-bisphosphonate-hypersensitivity",
    "ped-twenty-years-old",
    "ped-pamidronate-no-creatinine",
)


def _with_history(patient: Patient, drug: Drug | None, days_ago: int) -> Patient:
    if drug is None:
        return patient
    date = patient.assessment_date - dt.timedelta(days=days_ago)
    if date < patient.birth_date:
        return patient
    record = InfusionRecord(drug=drug, date=date, dose=ureg.Quantity(1.0, MG))
    return attrs.evolve(patient, infusions=(*patient.infusions, record))


PATIENTS = st.builds(
    lambda name, kg, drug, days: _with_history(
        attrs.evolve(EXAMPLES[name], weight=ureg.Quantity(kg, "kg")), drug, days
    ),
    st.sampled_from(NAMES),
    st.sampled_from(WEIGHTS_KG),
    st.sampled_from([None, Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE]),
    st.sampled_from([0, 1, 20, 89, 92, 200]),
)


# -- The limits, from first principles ------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _d(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _schwartz(patient: Patient) -> float | None:
    creatinine = patient.labs.creatinine
    if patient.height is None or creatinine is None:
        return None
    return 40.0 * float(patient.height.m_as("cm")) / float(creatinine.value.m_as("umol/L"))


def _blocked_by_core(patient: Patient) -> bool:
    vitals, labs, risks = patient.vitals, patient.labs, patient.risks
    fever = vitals.temperature is not None and round(vitals.temperature.m_as("degC"), 3) > 38.5
    low = labs.calcium is not None and round(labs.calcium.value.m_as("mmol/L"), 3) < 2.2
    return fever or low or risks.bisphosphonate_hypersensitivity or risks.pregnant is True


def _delivered(item: Any, dose: Decimal, volume: Decimal) -> Decimal:
    """P-PREP-PRODUCT: the dose the volume drawn up delivers, computed here, is judged too."""
    assert dose > 0
    drawn = _d(item.preparation.concentrate_volume.m_as("mL"))
    strength = _d(item.preparation.product.concentration.m_as("mg/mL"))
    step = _d(item.preparation.syringe_resolution.m_as("mL")) * strength
    assert item.preparation.product.drug is item.dose.drug, "P-PREP-PRODUCT: the product's drug"
    assert abs(drawn * strength - dose) <= step, "P-PREP-PRODUCT: within one syringe step"
    assert drawn <= volume, "P-PREP-PRODUCT: drawn up within the final volume"
    return drawn * strength


def judge(
    plan: Plan, patient: Patient, *, months: int = 3, cycle_days: int = 1, local: float = 1e9
) -> None:
    """Assert that ``plan`` is within every limit of P-HARD, computed here."""
    weight = _d(patient.weight.m_as("kg")).quantize(Decimal("0.000001"))
    born, today = patient.birth_date, patient.assessment_date
    nineteen = _add_months(born, 12 * 19)
    gfr = _schwartz(patient)
    counts = dict.fromkeys(Drug, 0)
    days: dict[tuple[Drug, dt.date], Decimal] = {}
    for record in patient.infusions:
        counts[record.drug] += 1
        key = (record.drug, record.date)
        days[key] = days.get(key, Decimal(0)) + _d(record.dose.m_as("mg"))
    if plan.status is PlanStatus.READY:
        assert not _blocked_by_core(patient), "P-CI-*: cleared with a contraindication"
        assert today < nineteen, "P-SCOPE-1: cleared at 19 or later"
    planned = sorted(plan.infusions, key=lambda p: p.date)
    for item in planned:
        assert type(item.date) is dt.date, "dates are plain dates"
        drug = item.dose.drug
        assert item.preparation.drug is drug
        dose = _d(item.dose.value.m_as("mg"))
        assert _d(item.preparation.dose.m_as("mg")) == dose
        volume = _d(item.preparation.volume.m_as("mL"))
        hours = _d(item.preparation.duration.m_as("h"))
        dose = max(dose, _delivered(item, dose, volume))
        assert today <= item.date < nineteen, "P-SCOPE-1"
        counts[drug] += 1
        days[drug, item.date] = days.get((drug, item.date), Decimal(0)) + dose
        if drug is Drug.ZOLEDRONIC_ACID:
            assert gfr is not None, "P-GFR: no zoledronic acid without a GFR"
            assert round(gfr, 3) > 90, "P-GFR"
            assert local > 90, "P-GFR-LOCAL"
            per_kg = Decimal("0.025") if counts[drug] <= 2 else Decimal("0.05")
            assert dose <= per_kg * weight, "P-ZOL-FIRST, P-ZOL-DOSE"
            assert days[drug, item.date] <= min(Decimal(4), Decimal("0.05") * weight), "P-ZOL-CAP"
            assert hours * 60 >= 15, "zoledronic acid over at least 15 minutes"
        else:
            assert gfr is None or round(gfr, 3) >= 30, "P-PAM-RENAL: no pamidronate below 30"
            first = counts[drug] == 1
            assert not first or dose <= min(weight, Decimal(45)), "P-PAM-FIRST"
            assert days[drug, item.date] <= min(Decimal(90), 2 * weight), "P-PAM-CAP, P-PAM-DOSE"
            assert dose * 250 <= 90 * volume, "P-PAM-LABEL: at most 0.36 mg/ml"
            # P-PAM-RENAL: a GFR of 90 or less, or none at all (unknown), allows 20 mg/h.
            rate = Decimal(20) if gfr is None or round(gfr, 3) <= 90 else Decimal(60)
            assert dose <= rate * hours, "P-PAM-LABEL, P-PAM-RENAL: the rate"
    every = sorted([(r.date, False) for r in patient.infusions] + [(p.date, True) for p in planned])
    start, length, previous = None, 0, None
    for date, new in every:
        if previous is not None and (date - previous).days == 1 and length < cycle_days:
            length += 1
        else:
            if new and start is not None:
                assert date >= _add_months(start, months), "P-HIST-INTERVAL"
            start, length = date, 1
        previous = date


# -- Attacks on a local protocol's plan -----------------------------------------------------


class LyingDate(dt.date):
    """A date that says it is after every other and equal to all."""

    def __lt__(self, other: object) -> bool:
        return False

    def __le__(self, other: object) -> bool:
        return True

    def __ge__(self, other: object) -> bool:
        return True

    def __gt__(self, other: object) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = dt.date.__hash__


class Bomb:
    """A value whose every description raises."""

    def __repr__(self) -> str:
        raise SystemExit(0)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        raise SystemExit(0)


class SpoofedQuantity:
    """Not a quantity, but says it is one."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type(ureg.Quantity(1, MG))

    def m_as(self, unit: object) -> float:
        return 0.001

    magnitude = 0.001


def _evolve_infusions(plan: Plan, change: Callable[[int, Any], Any]) -> Plan:
    if plan.course is None:
        return plan
    infusions = tuple(change(i, p) for i, p in enumerate(plan.course.infusions))
    return attrs.evolve(plan, course=attrs.evolve(plan.course, infusions=infusions))


def _dose(planned: Any, value: Any, *, prepared: bool = True) -> Any:
    limited = attrs.evolve(planned.dose.limited, dose=value)
    dose = attrs.evolve(planned.dose, limited=limited)
    preparation = attrs.evolve(planned.preparation, dose=value) if prepared else planned.preparation
    return attrs.evolve(planned, dose=dose, preparation=preparation)


def _regular_dose(planned: Any, patient: Patient) -> Any:
    per_kg = 0.05 if planned.dose.drug is Drug.ZOLEDRONIC_ACID else 2.0
    value = ureg.Quantity(min(per_kg * float(patient.weight.m_as("kg")), 90.0), MG)
    relabelled = attrs.evolve(planned, phase=Phase.REGULAR)
    return _dose(relabelled, value)


ATTACKS: dict[str, Callable[[Plan, Patient, float], Plan]] = {
    "none": lambda plan, patient, x: plan,
    "scale-dose": lambda plan, patient, x: _evolve_infusions(
        plan, lambda i, p: _dose(p, p.dose.value * (1 + 40 * x))
    ),
    "relabel-phase": lambda plan, patient, x: _evolve_infusions(
        plan, lambda i, p: _regular_dose(p, patient)
    ),
    "fast-preparation": lambda plan, patient, x: _evolve_infusions(
        plan,
        lambda i, p: attrs.evolve(
            p,
            preparation=attrs.evolve(p.preparation, duration=ureg.Quantity(1 + 300 * x, "minute")),
        ),
    ),
    "concentrated": lambda plan, patient, x: _evolve_infusions(
        plan,
        lambda i, p: attrs.evolve(
            p, preparation=attrs.evolve(p.preparation, volume=ureg.Quantity(1 + 500 * x, "mL"))
        ),
    ),
    "squeezed-dates": lambda plan, patient, x: _evolve_infusions(
        plan, lambda i, p: attrs.evolve(p, date=patient.assessment_date + dt.timedelta(days=i))
    ),
    "early-dates": lambda plan, patient, x: _evolve_infusions(
        plan, lambda i, p: attrs.evolve(p, date=p.date - dt.timedelta(days=1 + int(400 * x)))
    ),
    "post-19": lambda plan, patient, x: _evolve_infusions(
        plan, lambda i, p: attrs.evolve(p, date=_add_months(p.date, 12 * int(1 + 25 * x)))
    ),
    "lying-dates": lambda plan, patient, x: _evolve_infusions(
        plan,
        lambda i, p: attrs.evolve(
            p, date=LyingDate(patient.assessment_date.year, patient.assessment_date.month, 1)
        ),
    ),
    "spoofed-class": lambda plan, patient, x: _evolve_infusions(
        plan, lambda i, p: _dose(p, SpoofedQuantity())
    ),
    "nan-dose": lambda plan, patient, x: _evolve_infusions(
        plan, lambda i, p: _dose(p, ureg.Quantity(math.nan if x < 0.5 else -1.0, MG))
    ),
    "repr-bomb": lambda plan, patient, x: attrs.evolve(
        plan,
        findings=(
            *plan.findings,
            Finding("bomb", ("P-HARD",), Severity.INFO, "a bomb", (Evidence("x", Bomb()),)),  # type: ignore[arg-type]
        ),
    ),
    "cleared": lambda plan, patient, x: attrs.evolve(
        plan,
        status=PlanStatus.READY,
        findings=tuple(f for f in plan.findings if f.severity is not Severity.BLOCK),
    ),
    "zoledronic-acid": lambda plan, patient, x: _evolve_infusions(
        plan,
        lambda i, p: _dose(
            attrs.evolve(
                p,
                dose=attrs.evolve(p.dose, drug=Drug.ZOLEDRONIC_ACID),
                preparation=attrs.evolve(p.preparation, drug=Drug.ZOLEDRONIC_ACID),
            ),
            ureg.Quantity(0.0125 * float(patient.weight.m_as("kg")), MG),
        ),
    ),
}

RAISES: tuple[BaseException, ...] = (
    SystemExit(0),
    KeyboardInterrupt(),
    GeneratorExit(),
    RecursionError(),
    MemoryError(),
)


class HostileLocal(PediatricProtocol):
    """A local protocol that overrides ``plan()`` and changes the national plan."""

    def __init__(self, attack: str, x: float, raises: BaseException | None) -> None:
        self.attack, self.x, self.raises = attack, x, raises

    @property
    def info(self) -> Any:
        return attrs.evolve(super().info, protocol_id=LOCAL_ID)

    def plan(self, patient: Patient, request: Any = None, *, hooks: Any = None) -> Any:
        if self.raises is not None:
            raise self.raises
        plan = super().plan(patient, request, hooks=hooks)
        return ATTACKS[self.attack](plan, patient, self.x)


class Registers:
    def __init__(self, *protocols: Protocol) -> None:
        self.protocols = protocols

    @hookimpl
    def bisphos_register_protocols(self) -> Sequence[Protocol]:
        return list(self.protocols)


# -- A clean engine must not change -----------------------------------------------------------

REFERENCE = tuple(EXAMPLES[name] for name in ("oi-girl-20kg", "corticosteroid-boy-70kg"))


def fingerprint(engine: Engine) -> tuple[str, ...]:
    """What a clean engine says of the reference patients, as JSON and magnitudes."""
    texts = []
    for patient in REFERENCE:
        plan = engine.plan(patient)
        texts.append(plan_to_json(plan, "en"))
        texts += [
            repr(
                (
                    p.dose.value._magnitude,
                    p.dose.limited.daily_cap.dose._magnitude,
                    p.dose.limited.per_kg_maximum.per_kg._magnitude,
                    p.preparation.duration._magnitude,
                )
            )
            for p in plan.infusions
        ]
    return tuple(texts)


CLEAN = fingerprint(Engine.create(entry_points=False))


def check_clean_engine_unchanged() -> None:
    assert fingerprint(Engine.create(entry_points=False)) == CLEAN, "a hostile run leaked"


def _outcome(call: Callable[[], Plan]) -> Plan | None:
    """The plan, or ``None`` for a typed refusal; anything else escapes and fails the test."""
    try:
        plan = call()
    except BisphosError:
        return None
    render_plan(plan, "en")  # every value of the plan can be shown
    return plan


@settings(max_examples=examples())
@given(
    PATIENTS,
    st.sampled_from(sorted(ATTACKS)),
    st.floats(0, 1),
    st.sampled_from([None, *RAISES]) | st.just(None),
)
def test_p_hard_no_local_plan_breaks_a_limit_whatever_it_does(
    patient: Patient, attack: str, x: float, raises: BaseException | None
) -> None:
    """P-HARD: a local protocol overriding ``plan()`` (dose scaling, phase relabelling, fast
    preparation, concentration, squeezed, early and post-19 dates, lying date subclasses,
    spoofed ``__class__``, NaN doses, ``__repr__`` bombs, a forced ready status, zoledronic
    acid without the gate, or raising ``BaseException``): every plan that comes back is within
    P-ZOL-CAP, P-PAM-CAP, P-ZOL-FIRST, P-PAM-FIRST, P-PAM-LABEL, P-PAM-RENAL, P-GFR, P-CI-*,
    P-SCOPE-1 and P-HIST-INTERVAL as this test computes them; nothing but a BisphosError
    escapes; a clean engine's plans do not change."""
    engine = Engine.create(
        entry_points=False, plugins=[("hostile", Registers(HostileLocal(attack, x, raises)))]
    )
    plan = _outcome(lambda: engine.plan(patient, protocol_id=LOCAL_ID))
    if plan is not None:
        judge(plan, patient)
        assert plan.protocol == LOCAL_ID
    check_clean_engine_unchanged()


# -- Attacks through the hooks --------------------------------------------------------------


def _walk(value: object, seen: set[int], write: Callable[[Any], None], depth: int = 0) -> None:
    """Write to every quantity reachable from ``value`` (ito, and the magnitude itself)."""
    if id(value) in seen or depth > 8:
        return
    seen.add(id(value))
    if type(value) is type(ureg.Quantity(1, MG)):
        write(value)
        return
    if isinstance(value, (tuple, list)):
        for item in value:
            _walk(item, seen, write, depth + 1)
        return
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):  # type: ignore[arg-type]
            _walk(getattr(value, field.name), seen, write, depth + 1)


def _ito(quantity: Any) -> None:
    with contextlib.suppress(Exception):
        quantity.ito(ureg.Unit("gram") if quantity.check("[mass]") else quantity.units)


def _grow(quantity: Any) -> None:
    vars(quantity)["_magnitude"] = 1000.0


class WritesEverything:
    """Writes to everything it receives, through ``ito()`` or to the magnitude itself."""

    def __init__(self, write: Callable[[Any], None]) -> None:
        self.write = write

    @hookimpl
    def bisphos_adjust_dose(self, patient: Patient, dose: Dose) -> None:
        _walk(dose, set(), self.write)
        _walk(patient, set(), self.write)

    @hookimpl
    def bisphos_extra_findings(self, patient: Patient, assessment: Any) -> Sequence[Finding]:
        _walk(assessment, set(), self.write)
        _walk(patient, set(), self.write)
        return ()


class Estimator:
    """A local GFR estimator returning what it was told to."""

    def __init__(self, value: float, height: float | None) -> None:
        self.name = "local"
        self.value, self.height = value, height

    def __call__(self, *, height: Any, creatinine: Any) -> GfrEstimate:
        used = height if self.height is None else ureg.Quantity(self.height, "cm")
        return GfrEstimate(
            value=ureg.Quantity(self.value, "mL_min_1_73m2"),
            estimator=self.name,
            constant=None,
            height=used,
            creatinine=creatinine,
        )


class GfrHook:
    def __init__(self, estimator: Estimator) -> None:
        self.estimator = estimator

    @hookimpl
    def bisphos_gfr_estimator(self) -> Estimator:
        return self.estimator


class ExitsIn:
    """Raises a BaseException in a hook."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    @hookimpl
    def bisphos_extra_findings(self) -> Sequence[Finding]:
        raise self.error


class BigDose:
    @hookimpl
    def bisphos_adjust_dose(self, dose: Dose) -> DoseProposal:
        return DoseProposal("big", dose.value * 40, "more", reason_code="OVERRIDE")


HOOK_ATTACKS: dict[str, Callable[[float], object]] = {
    "ito": lambda x: WritesEverything(_ito),
    "magnitude": lambda x: WritesEverything(_grow),
    "gfr-unbounded": lambda x: GfrHook(Estimator(1e9 if x < 0.3 else 1e308 * (1 + x), None)),
    "gfr-fake-evidence": lambda x: GfrHook(Estimator(95 + 100 * x, 500.0 * (0.5 + x))),
    "gfr-opens": lambda x: GfrHook(Estimator(91 + 150 * x, None)),
    "exit": lambda x: ExitsIn(RAISES[int(x * (len(RAISES) - 1))]),
    "big-dose": lambda x: BigDose(),
}


@settings(max_examples=examples())
@given(
    PATIENTS,
    st.sampled_from(sorted(HOOK_ATTACKS)),
    st.floats(0, 1),
    st.sampled_from([None, Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE]),
)
def test_p_hard_no_hook_attack_breaks_a_limit_or_leaks(
    patient: Patient, attack: str, x: float, drug: Drug | None
) -> None:
    """P-HARD, P-GFR-LOCAL: hooks that write to what they receive (``ito()`` and the magnitude),
    unbounded or fake-evidence GFR estimates, an estimate that would open the gate alone,
    ``sys.exit``/``KeyboardInterrupt`` in a hook, or a 40-fold dose: every plan is within the
    limits this test computes (zoledronic acid only with Schwartz-40 and the local estimate above
    90), nothing but a BisphosError escapes, and a clean engine's plans do not change."""
    hook = HOOK_ATTACKS[attack](x)
    engine = Engine.create(entry_points=False, plugins=[("hostile", hook)])
    before = copy.deepcopy(patient)
    plan = _outcome(lambda: engine.plan(patient, PlanRequest(drug=drug)))
    if plan is not None:
        local = hook.estimator.value if isinstance(hook, GfrHook) else 1e9
        judge(plan, patient, local=local)
    assert patient == before, "the caller's patient is unchanged"
    assert fingerprint(Engine.create(entry_points=False)) == CLEAN
    with contextlib.suppress(BisphosError):
        engine.assess(patient)


# -- Impersonation --------------------------------------------------------------------------


class Impostor(PediatricProtocol):
    """Plans 40 mg zoledronic acid under the national protocol's id."""

    def plan(self, patient: Patient, request: Any = None, *, hooks: Any = None) -> Any:
        plan = super().plan(patient, request, hooks=hooks)
        return _evolve_infusions(plan, lambda i, p: _dose(p, ureg.Quantity(40.0, MG)))


class WrapsRegistration:
    """A hook wrapper that puts its own protocol under the national id."""

    @hookimpl(wrapper=True)
    def bisphos_register_protocols(self) -> Generator[None, list[Sequence[Protocol]], object]:
        results = yield
        return [[Impostor()], *results]


class OldStyleWrapper:
    @hookimpl(hookwrapper=True)
    def bisphos_register_protocols(self) -> Generator[None, pluggy.Result[Any], None]:
        outcome = yield
        outcome.force_result([[Impostor()]])


@pytest.mark.parametrize("wrapper", [WrapsRegistration(), OldStyleWrapper(), Registers(Impostor())])
def test_no_hook_result_stands_in_for_a_built_in_protocol(wrapper: object) -> None:
    """P-HARD: a protocol under the national id, returned or forced by a hook wrapper, is a
    ProtocolConflictError; the engine constructs the built-in protocols itself."""
    with pytest.raises(ProtocolConflictError, match="built-in"):
        Engine.create(entry_points=False, plugins=[("impostor", wrapper)])


def test_provenance_records_the_registered_id_and_version() -> None:
    """P-HARD: a local protocol whose plans claim the national id and version is recorded
    under its own registered id and version."""

    class Claims(PediatricProtocol):
        @property
        def info(self) -> Any:
            return attrs.evolve(super().info, protocol_id="claims", version="9")

        def plan(self, patient: Patient, request: Any = None, *, hooks: Any = None) -> Any:
            plan = super().plan(patient, request, hooks=hooks)
            return attrs.evolve(plan, protocol=PROTOCOL_ID, protocol_version="2024.05.1")

    engine = Engine.create(entry_points=False, plugins=[("claims", Registers(Claims()))])
    plan = engine.plan(EXAMPLES["oi-girl-20kg"], protocol_id="claims")
    assert (plan.protocol, plan.protocol_version) == ("claims", "9")
    assert plan.provenance.protocol_id == "claims"


# -- Worked cases ---------------------------------------------------------------------------


def test_p_hard_refusal_names_rule_limit_infusion_and_values() -> None:
    """P-ZOL-FIRST: 20 kg, a local protocol relabels the first infusion "regular" and gives
    1 mg (0.05 mg/kg): above 0.025 mg/kg x 20 kg = 0.5 mg: refused, naming it all."""
    engine = Engine.create(
        entry_points=False,
        plugins=[("hostile", Registers(HostileLocal("relabel-phase", 0.0, None)))],
    )
    with pytest.raises(HardLimitError) as raised:
        engine.plan(EXAMPLES["oi-girl-20kg"], protocol_id=LOCAL_ID)
    error = raised.value
    assert (error.rule_id, error.infusion, error.field) == ("P-ZOL-FIRST", 0, "infusions[0].dose")
    assert error.value == "1 mg"
    assert "at most 0.025 mg/kg x 20 kg = 0.5 mg (P-ZOL-FIRST" in error.expected


def test_p_pam_label_concentration_and_fast_zoledronic_acid_are_refused() -> None:
    """P-PAM-LABEL: pamidronate in 10 ml (2 mg/ml); P-HARD: zoledronic acid over 5 minutes."""
    girl = EXAMPLES["oi-girl-20kg"]
    for attack, x, drug, rule in (
        ("concentrated", 9 / 500, Drug.PAMIDRONATE, "P-PAM-LABEL"),
        ("fast-preparation", 4 / 300, Drug.ZOLEDRONIC_ACID, "P-HARD"),
    ):
        engine = Engine.create(
            entry_points=False, plugins=[("hostile", Registers(HostileLocal(attack, x, None)))]
        )
        with pytest.raises(HardLimitError) as raised:
            engine.plan(girl, PlanRequest(drug=drug), protocol_id=LOCAL_ID)
        assert raised.value.rule_id == rule


def test_p_hist_interval_a_switch_of_drug_never_shortens_the_interval() -> None:
    """P-HIST-INTERVAL: zoledronic acid given 20 days ago; a pamidronate course starts 3 months
    after it, not today."""
    girl = _with_history(EXAMPLES["oi-girl-20kg"], Drug.ZOLEDRONIC_ACID, 20)
    plan = Engine.create(entry_points=False).plan(girl, PlanRequest(drug=Drug.PAMIDRONATE))
    given = girl.infusions[-1].date
    assert plan.infusions[0].date == _add_months(given, 3)
    judge(plan, girl)


def test_p_pam_renal_rate_and_the_lowest_gfr() -> None:
    """P-PAM-RENAL: 70 kg, Schwartz-40 GFR 60: 90 mg over 4.5 h (20 mg/h); GFR 25: no
    pamidronate (refused)."""
    boy = EXAMPLES["corticosteroid-boy-70kg"]
    assert boy.height is not None
    labs = boy.labs
    measured = labs.creatinine
    assert measured is not None

    def at(gfr: float) -> Patient:
        creatinine = 40 * float(boy.height.m_as("cm")) / gfr  # type: ignore[union-attr]
        value = attrs.evolve(measured, value=ureg.Quantity(creatinine, "umol/L"))
        return attrs.evolve(boy, labs=attrs.evolve(labs, creatinine=value))

    engine = Engine.create(entry_points=False)
    plan = engine.plan(at(60.0), PlanRequest(drug=Drug.PAMIDRONATE))
    regular = plan.infusions[1]
    assert float(regular.dose.value.m_as("mg")) == 90
    assert float(regular.preparation.duration.m_as("h")) == 4.5
    # P-PAM-RENAL: one finding carries the WARN and the rate limit.
    renal = [f for f in plan.findings if "P-PAM-RENAL" in f.rule_ids and f.severity.value == "warn"]
    assert [f.code for f in renal] == ["pamidronate-renal-impairment"]
    (finding,) = renal
    shown = {e.name: e.value for e in finding.evidence}
    assert float(shown["max_rate"].m_as("mg/h")) == 20  # type: ignore[union-attr]
    assert round(float(shown["gfr"].m_as("mL_min_1_73m2")), 1) == 60  # type: ignore[union-attr]
    assert "at most 20 mg/h, over the longer of 4 hours and the dose / 20 mg/h" in finding.message
    refused = engine.plan(at(25.0))
    assert refused.status is PlanStatus.REFUSED
    assert refused.infusions == ()


class AtRate(PediatricProtocol):
    """A local protocol that runs every pamidronate infusion at ``mg_per_h``, volume unchanged."""

    def __init__(self, mg_per_h: float) -> None:
        self.mg_per_h = mg_per_h

    @property
    def info(self) -> Any:
        return attrs.evolve(super().info, protocol_id=LOCAL_ID)

    def plan(self, patient: Patient, request: Any = None, *, hooks: Any = None) -> Any:
        plan = super().plan(patient, request, hooks=hooks)

        def faster(index: int, planned: Any) -> Any:
            hours = float(planned.dose.value.m_as("mg")) / self.mg_per_h
            preparation = attrs.evolve(planned.preparation, duration=ureg.Quantity(hours, "h"))
            return attrs.evolve(planned, preparation=preparation)

        return _evolve_infusions(plan, faster)


def _without_creatinine(patient: Patient) -> Patient:
    return attrs.evolve(patient, labs=attrs.evolve(patient.labs, creatinine=None))


def test_p_pam_renal_unknown_gfr_a_plugin_at_60_mg_h_is_refused() -> None:
    """P-PAM-RENAL: no creatinine before the third pamidronate infusion (50 kg, 90 mg): renal
    function unknown allows 20 mg/h. A local protocol that runs it at the label's 60 mg/h
    (1.5 h) is refused naming P-PAM-RENAL and 20 mg/h; at 20 mg/h (4.5 h) it passes."""
    boy = EXAMPLES["ped-pamidronate-no-creatinine"]
    assert boy.labs.creatinine is None
    request = PlanRequest(drug=Drug.PAMIDRONATE)
    fast = Engine.create(entry_points=False, plugins=[("fast", Registers(AtRate(60.0)))])
    with pytest.raises(HardLimitError) as raised:
        fast.plan(boy, request, protocol_id=LOCAL_ID)
    error = raised.value
    assert (error.rule_id, error.infusion) == ("P-PAM-RENAL", 0)
    assert error.limit == "at most 20 mg/h"
    assert error.value == "60 mg/h"
    slow = Engine.create(entry_points=False, plugins=[("slow", Registers(AtRate(20.0)))])
    plan = slow.plan(boy, request, protocol_id=LOCAL_ID)
    assert [float(p.preparation.duration.m_as("h")) for p in plan.infusions[:1]] == [4.5]
    judge(plan, boy)


@settings(max_examples=examples())
@given(
    PATIENTS,
    st.floats(1.0, 60.0),
    st.sampled_from(["no-creatinine", "no-height", "measured"]),
)
def test_p_pam_renal_rate_never_above_20_mg_h_with_gfr_90_or_less_or_unknown(
    patient: Patient, mg_per_h: float, kidneys: str
) -> None:
    """Invariant 15 (P-PAM-RENAL, P-PAM-LABEL): a local protocol runs pamidronate at any rate
    up to 60 mg/h, on patients with the creatinine or the height removed (renal function
    unknown) or as measured: every plan that comes back runs pamidronate at most 20 mg/h where
    the GFR this test computes (40 x height / creatinine) is 90 or less or cannot be computed, at
    most 60 mg/h otherwise; a faster one is refused with a typed error."""
    if kidneys == "no-creatinine":
        patient = _without_creatinine(patient)
    elif kidneys == "no-height":
        patient = attrs.evolve(patient, height=None)
    engine = Engine.create(entry_points=False, plugins=[("rate", Registers(AtRate(mg_per_h)))])
    gfr = _schwartz(patient)
    limit = 20 if gfr is None or round(gfr, 3) <= 90 else 60
    plan = _outcome(
        lambda: engine.plan(patient, PlanRequest(drug=Drug.PAMIDRONATE), protocol_id=LOCAL_ID)
    )
    if plan is None:
        return
    for item in plan.infusions:
        dose = _d(item.preparation.dose.m_as("mg"))
        hours = _d(item.preparation.duration.m_as("h"))
        assert dose <= limit * hours, f"P-PAM-RENAL: {dose} mg over {hours} h, limit {limit}"
    judge(plan, patient)


def test_p_gfr_local_estimate_outside_1_to_250_or_from_another_height_is_a_plugin_error() -> None:
    """P-GFR-LOCAL: an estimate of 1e9, of 0.5, or from another height: PluginError."""
    girl = EXAMPLES["oi-girl-20kg"]
    for estimator in (Estimator(1e9, None), Estimator(0.5, None), Estimator(120.0, 300.0)):
        engine = Engine.create(entry_points=False, plugins=[("gfr", GfrHook(estimator))])
        with pytest.raises(PluginError, match="P-GFR-LOCAL"):
            engine.plan(girl)


def test_minimum_interval_is_declared_and_checked() -> None:
    """P-HIST-INTERVAL: an interval must be positive; the national one is 3 months."""
    with pytest.raises(BisphosError):
        MinimumInterval(months=0, days=0)
    with pytest.raises(BisphosError):
        MinimumInterval(months=-1)
    assert PediatricProtocol().minimum_interval == MinimumInterval(months=3)


def test_sys_exit_in_a_hook_is_a_plugin_error() -> None:
    """P-HARD: ``sys.exit(0)`` inside a hook is a PluginError, never "nothing blocks"."""
    engine = Engine.create(entry_points=False, plugins=[("exit", ExitsIn(SystemExit(0)))])
    for call in (
        lambda: engine.assess(EXAMPLES["fever-and-low-calcium"]),
        lambda: engine.plan(EXAMPLES["fever-and-low-calcium"]),
    ):
        with pytest.raises(PluginError, match="SystemExit"):
            call()
    assert sys.exc_info() == (None, None, None)


@pytest.mark.parametrize("error", [SystemExit(0), KeyboardInterrupt()])
def test_the_command_line_never_exits_0_after_a_plugin_exit(
    error: BaseException, capsys: pytest.CaptureFixture[str]
) -> None:
    """P-CI-FEVER, P-CI-HYPOCA: ``sys.exit(0)`` or a ``KeyboardInterrupt`` raised in a hook makes
    ``bisphos check`` and ``plan`` exit 2 with a PluginError line, never 0 ("nothing blocks")."""
    engine = Engine.create(entry_points=False, plugins=[("exit", ExitsIn(error))])
    path = str(Path(__file__).parents[1] / "examples" / "patients" / "fever-and-low-calcium.json")
    for command in ("check", "plan"):
        assert main([command, path], engine=engine) == EXIT_INPUT_ERROR
        assert "a plugin failed in bisphos_extra_findings" in capsys.readouterr().err
