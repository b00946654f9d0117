"""The pediatric plan: assessment, drug, course, and local adjustments under the hard limits.

:func:`make_plan` composes the protocol's parts in one direction:

1. the assessment (scope, indication, contraindications, first-infusion checks, the GFR gate),
   with a local GFR estimator and local findings when the hooks provide them;
2. the drug: the one requested, or zoledronic acid when the GFR allows it, else pamidronate; a
   requested drug that is not allowed is refused, never planned (invariant 4);
3. the course of that drug (active treatment, or maintenance by BMD band);
4. local proposals (dose, volume, dates), each checked and recorded as an
   :class:`~bisphos.pediatric.adjustments.Adjustment`;
5. the hard limits, last: every planned dose passes :func:`~bisphos.pediatric.limits.enforce`
   again and :func:`~bisphos.pediatric.limits.check_final`, so no proposal, option or rounding can
   pass the daily caps or the per-kg maxima.

A plan is made even when an infusion is blocked today (status ``blocked``): the doses and dates
show what will be given once the blocks are resolved, and the blocks say what must happen first.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

import attrs

from bisphos._version import __version__
from bisphos.errors import BisphosError, HardLimitError, PluginError
from bisphos.findings import Evidence, Finding, Severity, blocking, rule_ids_of
from bisphos.io import patient_to_dict
from bisphos.model import Drug, Patient
from bisphos.pediatric.adjustments import (
    REASON_CODE,
    Adjustment,
    DoseProposal,
    ScheduleProposal,
    VolumeProposal,
)
from bisphos.pediatric.assessment import Assessment, assess
from bisphos.pediatric.dosing import (
    DEFAULT_OPTIONS,
    Choice,
    Dose,
    DosingOptions,
    MaintenanceBand,
    phase_of,
)
from bisphos.pediatric.freshness import local_freshness
from bisphos.pediatric.infusion import (
    DEFAULT_PREPARATION,
    Preparation,
    PreparationOptions,
    prepare_infusion,
)
from bisphos.pediatric.kernel import daily_cap_mg, day_limit_mg, per_kg_limit_mg
from bisphos.pediatric.limits import (
    daily_cap,
    dosing_weight_kg,
    enforce,
    exact,
    final_mg,
    max_per_kg,
)
from bisphos.pediatric.maintenance import MaintenanceAssessment, assess_maintenance
from bisphos.pediatric.overrides import Override, apply_overrides, overrides_of
from bisphos.pediatric.renal import GfrEstimator, schwartz_40, zoledronic_acid_allowed
from bisphos.pediatric.rules import PROTOCOL_ID, PROTOCOL_VERSION
from bisphos.pediatric.schedule import Course, Horizon, PlannedInfusion, plan_course
from bisphos.protocols import PluginRecord, ProtocolInfo
from bisphos.provenance import Provenance, normalise
from bisphos.quantities import DOSE, VOLUME
from bisphos.units import format_quantity
from bisphos.validation import date_in_range

__all__ = [
    "NO_HOOKS",
    "CourseBuilder",
    "NoHooks",
    "Plan",
    "PlanHooks",
    "PlanRequest",
    "PlanStatus",
    "assess_locally",
    "make_plan",
    "national_course",
]


class PlanStatus(enum.StrEnum):
    """The outcome of a plan request."""

    #: Indicated, nothing blocks today, a course is planned.
    READY = "ready"
    #: A course is planned, but an infusion today is blocked (see the blocking findings).
    BLOCKED = "blocked"
    #: Treatment is not indicated; nothing is planned.
    NOT_INDICATED = "not_indicated"
    #: The patient is outside the protocol's scope; nothing is planned.
    OUT_OF_SCOPE = "out_of_scope"
    #: The request cannot be planned (a drug that is not allowed, no BMD band for maintenance).
    REFUSED = "refused"


@attrs.frozen
class PlanRequest:
    """What the caller asks to plan.

    Attributes:
        drug: The drug; ``None`` lets the protocol choose (zoledronic acid when the GFR allows it,
            else pamidronate).
        start: The first date an infusion may be planned on; default the assessment date.
        horizon: How far to plan; default 6 infusions.
        maintenance: Plan a maintenance course (band from the latest BMD, P-MAINT-MID/HIGH).
        dosing: The dosing options the guideline leaves open.
        preparation: The preparation options.
        overrides: A clinician's overrides of soft limits, each with a coded reason, a name and
            a time (P-OVERRIDE); an override of a hard limit cannot be made.
    """

    drug: Drug | None = attrs.field(default=None, converter=attrs.converters.optional(Drug))
    start: dt.date | None = attrs.field(default=None, validator=date_in_range)
    horizon: Horizon = attrs.field(factory=Horizon)
    maintenance: bool = False
    dosing: DosingOptions = DEFAULT_OPTIONS
    preparation: PreparationOptions = DEFAULT_PREPARATION
    overrides: tuple[Override, ...] = attrs.field(default=(), converter=overrides_of)


class PlanHooks(Protocol):
    """What the plan asks of local plugins; :data:`NO_HOOKS` asks nothing.

    The plugin system (:mod:`bisphos.plugins`) provides the real implementation. Every method
    returns proposals; the plan decides what to accept.
    """

    def gfr_estimator(self, patient: Patient) -> GfrEstimator | None:
        """Return a local GFR estimator, or ``None`` for the protocol's."""
        ...

    def extra_findings(self, patient: Patient, assessment: Assessment) -> Sequence[Finding]:
        """Return local findings to add (never to remove) to the assessment."""
        ...

    def dose_proposals(self, patient: Patient, dose: Dose) -> Sequence[DoseProposal]:
        """Return local proposals for a planned dose."""
        ...

    def volume_proposals(
        self, patient: Patient, preparation: Preparation
    ) -> Sequence[VolumeProposal]:
        """Return local proposals for an infusion volume."""
        ...

    def schedule_proposals(
        self, patient: Patient, drug: Drug, dates: tuple[dt.date, ...]
    ) -> Sequence[ScheduleProposal]:
        """Return local proposals for the planned dates."""
        ...


class NoHooks:
    """Hooks that propose nothing: the national protocol as written; a base for local hooks."""

    def gfr_estimator(self, patient: Patient) -> GfrEstimator | None:
        """No local estimator: the protocol's Schwartz k = 40."""
        return None

    def extra_findings(self, patient: Patient, assessment: Assessment) -> Sequence[Finding]:
        """No local findings."""
        return ()

    def dose_proposals(self, patient: Patient, dose: Dose) -> Sequence[DoseProposal]:
        """No dose proposals."""
        return ()

    def volume_proposals(
        self, patient: Patient, preparation: Preparation
    ) -> Sequence[VolumeProposal]:
        """No volume proposals."""
        return ()

    def schedule_proposals(
        self, patient: Patient, drug: Drug, dates: tuple[dt.date, ...]
    ) -> Sequence[ScheduleProposal]:
        """No schedule proposals."""
        return ()


#: Hooks that propose nothing.
NO_HOOKS: PlanHooks = NoHooks()


@attrs.frozen
class Plan:
    """A plan for one patient under the pediatric protocol.

    Attributes:
        protocol: The protocol id.
        protocol_version: The version of the protocol's encoding.
        library_version: The bisphos version that made the plan.
        patient_id: The caller's identifier of the patient.
        assessment_date: The date the plan is made on.
        request: What was asked.
        status: Ready, blocked today, not indicated, out of scope, or refused.
        assessment: The assessment, with local findings added.
        drug: The drug planned, if any.
        course: The planned course, if any.
        maintenance: The maintenance assessment, for a maintenance request.
        findings: Every finding: the assessment's, the course's and the plan's own.
        patient: The patient planned for (not compared: plans are equal by what they decide).
        adjustments: Every local proposal, accepted or refused.
        plugins: The plugins loaded when the plan was made (name, distribution, version); set by
            :class:`bisphos.engine.Engine`, empty for a plan made without plugins.
    """

    protocol: str
    protocol_version: str
    library_version: str
    patient_id: str
    assessment_date: dt.date
    request: PlanRequest
    status: PlanStatus
    assessment: Assessment
    drug: Drug | None
    course: Course | None
    maintenance: MaintenanceAssessment | None
    findings: tuple[Finding, ...]
    patient: Patient = attrs.field(eq=False, repr=False)
    adjustments: tuple[Adjustment, ...] = ()
    plugins: tuple[PluginRecord, ...] = ()

    @property
    def infusions(self) -> tuple[PlannedInfusion, ...]:
        """The planned infusions, in date order (empty when nothing is planned)."""
        return () if self.course is None else self.course.infusions

    @property
    def blocks(self) -> tuple[Finding, ...]:
        """The findings that block an infusion today."""
        return blocking(self.findings)

    @property
    def cleared_today(self) -> bool:
        """Whether an infusion may be given today."""
        return self.status is PlanStatus.READY

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule id the plan rests on, each once."""
        ids = list(rule_ids_of(self.findings))
        if self.course is not None:
            ids += self.course.rule_ids
        return tuple(dict.fromkeys(ids))

    @property
    def provenance(self) -> Provenance:
        """Protocol, library and plugin versions, rule ids, and the digests of the input.

        The input is the patient as :func:`bisphos.io.patient_to_dict` writes it and the request
        as :func:`bisphos.provenance.normalise` writes it; a refused plan carries it too.
        """
        return Provenance.of(
            protocol_id=self.protocol,
            protocol_version=self.protocol_version,
            library_version=self.library_version,
            plugins=self.plugins,
            rule_ids=self.rule_ids,
            patient=patient_to_dict(self.patient),
            request=normalise(self.request),
        )


def _refusal(code: str, message: str, rule_ids: tuple[str, ...], *evidence: Evidence) -> Finding:
    return Finding(
        code=code,
        rule_ids=rule_ids,
        severity=Severity.BLOCK,
        message=message,
        evidence=evidence,
    )


def _local_findings(
    hooks: PlanHooks, patient: Patient, assessment: Assessment
) -> tuple[Finding, ...]:
    extra = tuple(hooks.extra_findings(patient, assessment))
    for finding in extra:
        if not isinstance(finding, Finding):
            raise PluginError(
                "a local finding is not a bisphos Finding",
                field="bisphos_extra_findings",
                value=repr(finding)[:80],
                expected="bisphos.findings.Finding values",
            )
    return extra


def assess_locally(patient: Patient, hooks: PlanHooks = NO_HOOKS) -> Assessment:
    """Assess ``patient`` with a local GFR estimator and local findings, when hooks give them.

    Local findings are added after the protocol's own; none can be removed, and a local BLOCK
    blocks the infusion like any other.

    Raises:
        PluginError: a plugin returned something that is not a Finding, or its estimator failed.
    """
    estimator = hooks.gfr_estimator(patient) or schwartz_40
    core = assess(patient, estimator=estimator, freshness=local_freshness(hooks, patient))
    extra = _local_findings(hooks, patient, core)
    opened = _opened_by_local_estimator(patient, core, estimator)
    if not opened and not extra:  # no local finding: the protocol's assessment as it is
        return core
    return attrs.evolve(core, findings=core.findings + opened + extra)


def _opened_by_local_estimator(
    patient: Patient, assessment: Assessment, estimator: GfrEstimator
) -> tuple[Finding, ...]:
    """Warn when only a local estimator allows zoledronic acid (P-GFR).

    A local estimator may replace the protocol's formula (the catalogue's reading of P-GFR); when
    it reads above 90 where Schwartz k = 40 does not, the plan says so, with both estimates.
    """
    renal = assessment.renal
    creatinine = patient.labs.creatinine
    if (
        estimator is schwartz_40
        or renal is None
        or renal.estimate is None
        or patient.height is None
        or creatinine is None
    ):
        return ()
    local = renal.estimate
    national = schwartz_40(height=patient.height, creatinine=creatinine.value)
    if not assessment.zoledronic_acid_allowed or zoledronic_acid_allowed(national):
        return ()
    return (
        Finding(
            code="gfr-gate-opened-by-local-estimator",
            rule_ids=("P-GFR",),
            severity=Severity.WARN,
            message=(
                f"zoledronic acid is allowed by the local estimator {local.estimator} "
                f"({float(local.value.magnitude):.1f}) only: the protocol's Schwartz formula "
                f"(k = 40) gives {float(national.value.magnitude):.1f}, not above 90"
            ),
            evidence=(*local.evidence(), Evidence("gfr_schwartz_40", national.value)),
            action="confirm the local estimator's reading before giving zoledronic acid",
        ),
    )


def _choose_drug(
    request: PlanRequest, assessment: Assessment
) -> tuple[Drug | None, Finding | None]:
    allowed = assessment.allowed_drugs
    if request.drug is None:
        return (allowed[0] if allowed else None), None
    if request.drug in allowed:
        return request.drug, None
    gfr = assessment.renal.estimate if assessment.renal is not None else None
    evidence = [Evidence("requested_drug", request.drug.value)]
    if gfr is not None:
        evidence += gfr.evidence()
    return None, _refusal(
        "drug-not-allowed",
        f"{request.drug.value.replace('_', ' ')} is not allowed for this patient",
        ("P-GFR",) if request.drug is Drug.ZOLEDRONIC_ACID else ("P-IND-B",),
        *evidence,
    )


class CourseBuilder(Protocol):
    """Plans the course of one drug; the national :func:`plan_course` by default."""

    def __call__(
        self,
        patient: Patient,
        drug: Drug,
        request: PlanRequest,
        band: MaintenanceBand | None,
    ) -> Course:
        """Return the course of ``drug`` for ``patient``."""
        ...


def national_course(
    patient: Patient, drug: Drug, request: PlanRequest, band: MaintenanceBand | None
) -> Course:
    """Plan the national guideline's course of ``drug`` as ``request`` asks."""
    return plan_course(
        patient,
        drug,
        start=request.start,
        horizon=request.horizon,
        band=band,
        dosing=request.dosing,
        preparation=request.preparation,
    )


def make_plan(
    patient: Patient,
    request: PlanRequest | None = None,
    *,
    hooks: PlanHooks = NO_HOOKS,
    protocol: ProtocolInfo | None = None,
    course_builder: CourseBuilder = national_course,
) -> Plan:
    """Plan the next infusions for ``patient`` under ``nl-pediatric-iv-bp-2024``.

    Args:
        patient: The patient; ``patient.assessment_date`` is "today".
        request: What to plan; the protocol's defaults when ``None``.
        hooks: Local plugins' proposals; none by default.
        protocol: The protocol planned under; the national guideline by default. A local
            protocol keeps the national assessment and brings its own ``course_builder``.
        course_builder: Plans the course of the chosen drug.

    Raises:
        PluginError: a plugin returned something that is not a proposal or raised.
        HardLimitError: a planned dose cannot be brought within the hard limits.
    """
    request = PlanRequest() if request is None else request
    assessment = assess_locally(patient, hooks)
    findings = list(assessment.findings)

    def finish(
        status: PlanStatus,
        drug: Drug | None = None,
        course: Course | None = None,
        maintenance: MaintenanceAssessment | None = None,
        adjustments: tuple[Adjustment, ...] = (),
    ) -> Plan:
        return Plan(
            protocol=PROTOCOL_ID if protocol is None else protocol.protocol_id,
            protocol_version=PROTOCOL_VERSION if protocol is None else protocol.version,
            library_version=__version__,
            patient_id=patient.patient_id,
            assessment_date=patient.assessment_date,
            request=request,
            status=status,
            assessment=assessment,
            drug=drug,
            course=course,
            maintenance=maintenance,
            # A clinician's overrides release soft limits only (P-OVERRIDE), here and only here.
            findings=apply_overrides(findings, request.overrides),
            patient=patient,
            adjustments=adjustments,
        )

    if not assessment.in_scope:
        return finish(PlanStatus.OUT_OF_SCOPE)
    if not assessment.indicated:
        return finish(PlanStatus.NOT_INDICATED)
    drug, refusal = _choose_drug(request, assessment)
    if drug is None:
        findings += [refusal] if refusal is not None else []
        return finish(PlanStatus.REFUSED)
    maintenance = None
    band = None
    if request.maintenance:
        maintenance = assess_maintenance(patient)
        findings += maintenance.findings
        band = maintenance.band
        if band is None:
            findings.append(
                _refusal(
                    "maintenance-band-unknown",
                    "No BMD Z-score above -2 SDS on record: no maintenance band applies.",
                    ("P-MAINT-ENTRY", "P-MAINT-MID", "P-MAINT-HIGH"),
                )
            )
            return finish(PlanStatus.REFUSED, maintenance=maintenance)
    course = course_builder(patient, drug, request, band)
    course, adjustments = _apply_local(patient, course, request, hooks)
    course = _hard_limits_last(course, assessment, patient)
    findings += course.findings
    released = apply_overrides(findings, request.overrides)
    status = PlanStatus.BLOCKED if blocking(released) else PlanStatus.READY
    return finish(status, drug, course, maintenance, adjustments)


def _apply_local(
    patient: Patient, course: Course, request: PlanRequest, hooks: PlanHooks
) -> tuple[Course, tuple[Adjustment, ...]]:
    records: list[Adjustment] = []
    infusions = list(course.infusions)
    dates = tuple(item.date for item in infusions)
    for schedule in hooks.schedule_proposals(patient, course.drug, dates):
        accepted, record = _check_schedule(schedule, dates)
        records.append(record)
        if accepted is not None:
            dates = accepted
    for index, planned in enumerate(infusions):
        target = f"infusions[{index}]"
        dose = planned.dose
        for dose_proposal in hooks.dose_proposals(patient, dose):
            dose, record = _check_dose(dose_proposal, dose, f"{target}.dose")
            records.append(record)
        preparation = planned.preparation
        if dose is not planned.dose:
            preparation = prepare_infusion(dose.drug, dose.value, options=request.preparation)
        for volume_proposal in hooks.volume_proposals(patient, preparation):
            preparation, record = _check_volume(volume_proposal, preparation, f"{target}.volume")
            records.append(record)
        if (
            dates[index] is not planned.date
            or dose is not planned.dose
            or preparation is not planned.preparation
        ):
            infusions[index] = attrs.evolve(
                planned, date=dates[index], dose=dose, preparation=preparation
            )
    if not records:  # nothing was proposed: the course is the protocol's
        return course, ()
    return attrs.evolve(course, infusions=tuple(infusions)), tuple(records)


def _proposal_text(value: object) -> str:
    try:
        return format_quantity(value)  # type: ignore[arg-type]
    except (BisphosError, AttributeError, TypeError, ValueError):
        return repr(value)[:80]


def _texts(proposal: object, hook: str, *names: str) -> tuple[str, ...]:
    """Refuse a proposal whose plugin name, reason, reason code or rule ids are not text.

    Returns the proposal's own rule ids.
    """
    for name in names:
        value = getattr(proposal, name)
        if not isinstance(value, str):
            raise PluginError(
                f"a proposal's {name} is not text",
                field=f"{hook}.{name}",
                value=repr(value)[:80],
                expected="a str",
            )
    rule_ids: object = getattr(proposal, "rule_ids", ())
    if not isinstance(rule_ids, tuple) or not all(
        isinstance(rule, str) and rule for rule in rule_ids
    ):
        raise PluginError(
            "a proposal's rule_ids are not a tuple of rule ids",
            field=f"{hook}.rule_ids",
            value=repr(rule_ids)[:80],
            expected="a tuple of non-empty str",
        )
    return tuple(rule_ids)


def _check_dose(proposal: object, dose: Dose, target: str) -> tuple[Dose, Adjustment]:
    hook = "bisphos_adjust_dose"
    if not isinstance(proposal, DoseProposal):
        raise PluginError(
            "a dose proposal is not a DoseProposal",
            field=hook,
            value=repr(proposal)[:80],
            expected="bisphos.pediatric.adjustments.DoseProposal",
        )
    own = _texts(proposal, hook, "plugin", "reason", "reason_code")

    def refuse(
        why: str, rule_ids: tuple[str, ...] = dose.limited.rule_ids
    ) -> tuple[Dose, Adjustment]:
        return dose, Adjustment(
            plugin=proposal.plugin,
            hook=hook,
            target=target,
            before=dose.value,
            proposed=_proposal_text(proposal.dose),
            after=dose.value,
            accepted=False,
            reason=f"{proposal.reason} — refused: {why}",
            reason_code=proposal.reason_code,
            rule_ids=rule_ids,
        )

    try:
        proposed_mg = DOSE.magnitude(proposal.dose, field=target)
    except BisphosError as error:
        return refuse(f"not a valid dose ({error.message})")
    protocol_mg = DOSE.magnitude(dose.value, field=target)
    if not proposed_mg > 0:
        return refuse("a dose must be positive")
    limited = dose.limited
    # The hard limits from the table and the kernel, on the dose's own weight: never the
    # numbers a dose object carries.
    weight_kg = exact(dosing_weight_kg(dose.facts.weight))
    hard_mg = float(
        min(
            daily_cap_mg(dose.drug),
            per_kg_limit_mg(dose.drug, phase_of(dose.facts.infusion_number, dose.band), weight_kg),
        )
    )
    if proposed_mg > hard_mg:
        return refuse(
            f"above the hard limit of {hard_mg:g} mg",
            (limited.daily_cap.rule_id, *limited.per_kg_maximum.rule_ids),
        )
    override = proposed_mg > protocol_mg
    if override and not REASON_CODE.match(proposal.reason_code):
        return refuse(
            "above the protocol's dose without a coded reason (soft limit)", dose.rule_ids
        )
    ceiling = None if override else dose.limited.ceiling
    try:
        result = enforce(
            dose.drug,
            DOSE.conform(proposal.dose, field=target),
            weight=dose.facts.weight,
            phase=dose.phase,
            ceiling=ceiling,
            ceiling_rule_ids=dose.limited.ceiling_rule_ids if ceiling is not None else (),
            precision=dose.limited.precision,
        )
    except BisphosError as error:
        return refuse(f"the hard limits refused it ({error.message})")
    choice = Choice(
        rule_id=dose.limited.daily_cap.rule_id,
        decision=f"local adjustment by {proposal.plugin}: {proposal.reason}",
        option=proposal.reason_code,
    )
    adjusted = attrs.evolve(
        dose,
        limited=result,
        choices=(*dose.choices, choice),
        rule_ids=tuple(dict.fromkeys((*dose.rule_ids, *own, *result.rule_ids))),
    )
    return adjusted, Adjustment(
        plugin=proposal.plugin,
        hook=hook,
        target=target,
        before=dose.value,
        proposed=_proposal_text(proposal.dose),
        after=result.dose,
        accepted=True,
        reason=proposal.reason,
        reason_code=proposal.reason_code,
        rule_ids=tuple(dict.fromkeys((*own, *result.rule_ids))),
    )


def _check_volume(
    proposal: object, preparation: Preparation, target: str
) -> tuple[Preparation, Adjustment]:
    hook = "bisphos_infusion_volume"
    if not isinstance(proposal, VolumeProposal):
        raise PluginError(
            "a volume proposal is not a VolumeProposal",
            field=hook,
            value=repr(proposal)[:80],
            expected="bisphos.pediatric.adjustments.VolumeProposal",
        )
    own = _texts(proposal, hook, "plugin", "reason", "reason_code")

    def record(after: Preparation, why: str = "") -> Adjustment:
        return Adjustment(
            plugin=proposal.plugin,
            hook=hook,
            target=target,
            before=preparation.volume,
            proposed=_proposal_text(proposal.volume),
            after=after.volume,
            accepted=not why,
            reason=proposal.reason + (f" — refused: {why}" if why else ""),
            reason_code=proposal.reason_code,
            rule_ids=tuple(dict.fromkeys((*own, *after.rule_ids))),
        )

    if preparation.drug is Drug.PAMIDRONATE:
        return preparation, record(preparation, "pamidronate is diluted to 0.1 mg/ml (P-PAM-DOSE)")
    try:
        volume = VOLUME.conform(proposal.volume, field=target)
        options = PreparationOptions(zoledronic_volume=volume)
        changed = prepare_infusion(preparation.drug, preparation.dose, options=options)
    except BisphosError as error:
        return preparation, record(preparation, f"outside 50-100 ml ({error.message})")
    return changed, record(changed)


def _calendar_date(value: object) -> bool:
    # A datetime is a date too, but cannot be compared with one.
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _check_schedule(
    proposal: object, dates: tuple[dt.date, ...]
) -> tuple[tuple[dt.date, ...] | None, Adjustment]:
    hook = "bisphos_adjust_schedule"
    if not isinstance(proposal, ScheduleProposal):
        raise PluginError(
            "a schedule proposal is not a ScheduleProposal",
            field=hook,
            value=repr(proposal)[:80],
            expected="bisphos.pediatric.adjustments.ScheduleProposal",
        )
    own = _texts(proposal, hook, "plugin", "reason")
    proposed = proposal.dates
    why = ""
    if len(proposed) != len(dates) or not all(map(_calendar_date, proposed)):
        why = f"needs exactly {len(dates)} dates"
    elif any(new < old for new, old in zip(proposed, dates, strict=True)):
        why = "an infusion may be moved later, never earlier (more drug per year)"
    elif list(proposed) != sorted(proposed):
        why = "the dates must stay in order"
    elif len(set(proposed)) < len(set(dates)):
        why = "two infusions would fall on one day"
    record = Adjustment(
        plugin=proposal.plugin,
        hook=hook,
        target="infusions[*].date",
        before=", ".join(d.isoformat() for d in dates),
        proposed=", ".join(str(d) for d in proposed),
        after=", ".join(d.isoformat() for d in (dates if why else proposed)),
        accepted=not why,
        reason=proposal.reason + (f" — refused: {why}" if why else ""),
        rule_ids=(*own, "P-ZOL-FREQ", "P-PAM-FREQ"),
    )
    return (None if why else tuple(proposed)), record


def _hard_limits_last(course: Course, assessment: Assessment, patient: Patient) -> Course:
    """Check every planned dose against the hard limits once more, after every proposal.

    The per-kg maxima are taken times the patient's own weight (not the weight a course says it
    used), and the doses of one calendar day are summed: the caps and the highest per-kg maximum
    of the drug are limits per day.

    Raises:
        HardLimitError: a dose is above its cap or its phase's per-kg maximum, or is not a
            finite, positive dose; or the doses planned on one day add up above a daily limit.
        PluginError: zoledronic acid is planned although the GFR gate does not allow it, or a
            planned dose is of another drug than the course.
    """
    if course.drug is Drug.ZOLEDRONIC_ACID and not assessment.zoledronic_acid_allowed:
        raise PluginError(
            "zoledronic acid planned without a GFR above 90 ml/min/1.73 m² (P-GFR)",
            field="drug",
            value=course.drug.value,
        )
    weight_kg = exact(dosing_weight_kg(patient.weight))
    per_day: dict[dt.date, Decimal] = {}
    for index, planned in enumerate(course.infusions):
        if planned.dose.drug is not course.drug or planned.preparation.drug is not course.drug:
            raise PluginError(
                "a planned infusion is of another drug than its course",
                field=f"infusions[{index}]",
                value=planned.dose.drug.value,
                expected=course.drug.value,
            )
        field = f"infusions[{index}]"
        dose_mg = exact(final_mg(course.drug, planned.dose.value, field=f"{field}.dose"))
        prepared_mg = final_mg(course.drug, planned.preparation.dose, field=f"{field}.preparation")
        if exact(prepared_mg) != dose_mg:
            raise HardLimitError(
                "the preparation is not of the planned dose",
                field=f"infusions[{index}].preparation.dose",
                value=format_quantity(planned.preparation.dose),
                expected=format_quantity(planned.dose.value),
            )
        maximum = max_per_kg(course.drug, planned.phase)
        limit_mg = per_kg_limit_mg(course.drug, planned.phase, weight_kg)
        if dose_mg > limit_mg:  # the message is written only for a refusal
            _within(
                dose_mg,
                limit_mg,
                f"infusions[{index}].dose",
                f"at most {format_quantity(maximum.per_kg)} x {weight_kg} kg "
                f"({', '.join(maximum.rule_ids)})",
            )
        per_day[planned.date] = per_day.get(planned.date, Decimal(0)) + dose_mg
    cap = daily_cap(course.drug)
    day_limit = day_limit_mg(course.drug, weight_kg)
    for day, total_mg in per_day.items():
        # The caps are per day: two infusions on one day count together.
        if total_mg > day_limit:
            _within(
                total_mg,
                day_limit,
                "infusions",
                f"at most {day_limit} mg on {day.isoformat()} ({cap.rule_id}, the daily per-kg "
                "maximum): the doses planned on one day add up above it",
            )
    return course


def _within(value_mg: Decimal, limit_mg: Decimal, field: str, expected: str) -> None:
    if value_mg > limit_mg:
        raise HardLimitError(
            "a planned dose is above a hard limit",
            field=field,
            value=f"{value_mg} mg",
            expected=expected,
        )
