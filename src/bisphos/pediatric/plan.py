"""The pediatric plan: assessment, drug, course, local adjustments, and the gate last.

:func:`make_plan` composes the protocol's parts in one direction:

1. the assessment (scope, indication, contraindications, first-infusion checks, the GFR gate),
   with a local GFR estimator and local findings when the hooks provide them; a local estimate
   can only close the zoledronic acid gate, never open it (P-GFR-LOCAL);
2. the drug: the one requested, or zoledronic acid when the GFR allows it, else pamidronate; a
   requested drug that is not allowed is refused, never planned (invariant 4);
3. the course of that drug (active treatment, or maintenance by BMD band);
4. local proposals (dose, volume, dates), each checked and recorded as an
   :class:`~bisphos.pediatric.adjustments.Adjustment` (:mod:`bisphos.pediatric.proposals`);
5. the hard limits, last: the course passes the gate (:func:`bisphos.gate.check_course`) on the
   patient as read before any hook ran, so no proposal, option or rounding can pass P-HARD. The
   engine passes the whole plan through the gate once more, whatever protocol made it.

A plan is made even when an infusion is blocked today (status ``blocked``): the doses and dates
show what will be given once the blocks are resolved, and the blocks say what must happen first.
The plan types are in :mod:`bisphos.pediatric.plan_types`, the hooks protocol in
:mod:`bisphos.pediatric.hooks`.
"""

from __future__ import annotations

from typing import Protocol

import attrs

from bisphos import gate
from bisphos import quantities as q
from bisphos._contain import describe
from bisphos._version import __version__
from bisphos.errors import PluginError
from bisphos.findings import Evidence, Finding, Severity, blocking
from bisphos.model import Drug, Patient
from bisphos.pediatric.adjustments import Adjustment
from bisphos.pediatric.assessment import Assessment, assess
from bisphos.pediatric.course import (
    drug_switch,
    label_blocks,
    mark_clearance,
    permanent_contraindications,
)
from bisphos.pediatric.dosing import MaintenanceBand
from bisphos.pediatric.formulary import DEFAULT_FORMULARY, Formulary, local_formulary
from bisphos.pediatric.freshness import local_freshness
from bisphos.pediatric.hooks import NO_HOOKS, NoHooks, PlanHooks
from bisphos.pediatric.infusion import draw_up, prepare_infusion
from bisphos.pediatric.limits import PAMIDRONATE_MAX_RATE, canonical_magnitude
from bisphos.pediatric.maintenance import (
    MaintenanceAssessment,
    assess_maintenance,
    entry_not_met,
    maintenance_prompt,
)
from bisphos.pediatric.overrides import apply_overrides
from bisphos.pediatric.plan_types import Plan, PlanRequest, PlanStatus
from bisphos.pediatric.proposals import apply_local
from bisphos.pediatric.renal import schwartz_40, zoledronic_acid_allowed
from bisphos.pediatric.rules import PROTOCOL_ID, PROTOCOL_VERSION
from bisphos.pediatric.schedule import Course, PlannedInfusion, plan_course
from bisphos.protocols import NATIONAL_INTERVAL, MinimumInterval, ProtocolInfo

__all__ = [
    "NO_HOOKS",
    "CourseBuilder",
    "NoHooks",
    "Plan",
    "PlanHooks",
    "PlanRequest",
    "PlanStatus",
    "assess_locally",
    "local_estimator",
    "make_plan",
    "national_course",
]


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
        if type(finding) is not Finding:
            raise PluginError(
                "a local finding is not a bisphos Finding",
                field="bisphos_extra_findings",
                value=describe(finding),
                expected="bisphos.findings.Finding values",
            )
    return extra


def local_estimator(patient: Patient, hooks: PlanHooks = NO_HOOKS) -> gate.LocalEstimator | None:
    """Return the hooks' local GFR estimator, contained by the gate (P-GFR-LOCAL), or ``None``."""
    estimator = hooks.gfr_estimator(patient)
    if estimator is None or type(estimator) is gate.LocalEstimator:
        return estimator
    return gate.LocalEstimator.of(estimator, "bisphos_gfr_estimator")


def assess_locally(patient: Patient, hooks: PlanHooks = NO_HOOKS) -> Assessment:
    """Assess ``patient`` with a local GFR estimator and local findings, when hooks give them.

    Local findings are added after the protocol's own; none can be removed, and a local BLOCK
    blocks the infusion like any other. A local estimate is shown beside the protocol's
    Schwartz-40 GFR and can only close the zoledronic acid gate (P-GFR-LOCAL).

    Raises:
        PluginError: a plugin returned something that is not a Finding, or its estimator failed
            or gave an estimate P-GFR-LOCAL refuses.
    """
    return _assess(patient, hooks, local_estimator(patient, hooks))


def _assess(
    patient: Patient, hooks: PlanHooks, estimator: gate.LocalEstimator | None
) -> Assessment:
    core = assess(
        patient, estimator=estimator or schwartz_40, freshness=local_freshness(hooks, patient)
    )
    if estimator is not None:
        core = _protocol_formula_too(patient, core)
    extra = _local_findings(hooks, patient, core)
    if not extra:  # no local finding: the protocol's assessment as it is
        return core
    return attrs.evolve(core, findings=core.findings + extra)


def _protocol_formula_too(patient: Patient, assessment: Assessment) -> Assessment:
    """P-GFR-LOCAL: zoledronic acid needs the Schwartz-40 GFR above 90 as well; both are shown."""
    renal = assessment.renal
    creatinine = patient.labs.creatinine
    if renal is None or renal.estimate is None or patient.height is None or creatinine is None:
        return assessment
    local = renal.estimate
    national = schwartz_40(height=patient.height, creatinine=creatinine.value)
    closes = assessment.zoledronic_acid_allowed and not zoledronic_acid_allowed(national)
    local_gfr = float(local.value.magnitude)
    national_gfr = float(national.value.magnitude)
    evidence = (*local.evidence(), Evidence("gfr_schwartz_40", national.value))
    if not closes:
        finding = Finding(
            code="gfr-local-and-protocol",
            rule_ids=("P-GFR-LOCAL",),
            severity=Severity.INFO,
            message=(
                f"GFR: local estimate {local_gfr:.1f} ({local.estimator}), Schwartz k = 40 "
                f"{national_gfr:.1f} ml/min/1.73 m²; zoledronic acid needs both above 90"
            ),
            evidence=evidence,
        )
        return attrs.evolve(assessment, findings=(*assessment.findings, finding))
    finding = Finding(
        code="gfr-gate-closed-by-protocol-formula",
        rule_ids=("P-GFR-LOCAL", "P-GFR"),
        severity=Severity.WARN,
        message=(
            f"no zoledronic acid: the local estimate {local_gfr:.1f} ({local.estimator}) is above "
            f"90, but the protocol's Schwartz formula (k = 40) gives {national_gfr:.1f}, not above "
            "90; a local estimate can only tighten the gate"
        ),
        evidence=evidence,
        action="give no zoledronic acid; consider pamidronate with caution for renal function",
    )
    return attrs.evolve(
        assessment,
        renal=attrs.evolve(renal, zoledronic_acid_allowed=False),
        allowed_drugs=tuple(d for d in assessment.allowed_drugs if d is not Drug.ZOLEDRONIC_ACID),
        findings=(*assessment.findings, finding),
    )


def _overridden(request: PlanRequest, rule_id: str) -> bool:
    """Whether the request carries a clinician's override of the soft limit ``rule_id``."""
    return any(item.limit == rule_id for item in request.overrides)


def _choose_drug(
    request: PlanRequest, assessment: Assessment, facts: gate.PatientFacts, patient: Patient
) -> tuple[Drug | None, Finding | None]:
    """The drug: the one requested, else the one given last while allowed (P-DRUG-CONTINUITY)."""
    allowed = tuple(
        drug
        for drug in assessment.allowed_drugs
        if drug is not Drug.PAMIDRONATE or facts.pamidronate_allowed
    )
    if request.drug is None:
        last = patient.infusions[-1].drug if patient.infusions else None
        if last is not None and last in allowed:
            return last, None
        if allowed:
            return allowed[0], None
        return None, _refusal(
            "no-drug-allowed",
            "no bisphosphonate is allowed for this patient: the kidneys allow neither drug",
            ("P-PAM-RENAL", "P-GFR", "P-CI-RENAL"),
        )
    if request.drug in allowed:
        return request.drug, None
    wanted = request.drug or Drug.PAMIDRONATE
    gfr = assessment.renal.estimate if assessment.renal is not None else None
    evidence = [Evidence("requested_drug", wanted.value)]
    if gfr is not None:
        evidence += gfr.evidence()
    if wanted is Drug.ZOLEDRONIC_ACID:
        rules: tuple[str, ...] = ("P-GFR",)
    elif not facts.pamidronate_allowed:
        rules = ("P-PAM-RENAL", "P-CI-RENAL")
    else:
        rules = ("P-IND-B",)
    return None, _refusal(
        "drug-not-allowed",
        f"{wanted.value.replace('_', ' ')} is not allowed for this patient",
        rules,
        *evidence,
    )


def _renal_rate(course: Course, facts: gate.PatientFacts) -> Course:
    """P-PAM-RENAL: with a Schwartz-40 GFR of 30 to 90, pamidronate at most 20 mg/h."""
    gfr = facts.schwartz_gfr
    if course.drug is not Drug.PAMIDRONATE or (
        gfr is not None and not facts.pamidronate_rate_limited
    ):
        return course
    # The highest rate for these kidneys: the table's one entry, which the gate enforces.
    rate = PAMIDRONATE_MAX_RATE[facts.renal_function]
    prepared: list[PlannedInfusion] = []
    for planned in course.infusions:
        before = prepared[-1] if prepared else None
        # The preparation depends on the dose and its limit only (the volume drawn up never
        # delivers more than the limit, P-PREP-PRODUCT): an equal dose under an equal limit is
        # prepared as the one before.
        dose_mg = canonical_magnitude(q.DOSE, planned.dose.value, field="dose")
        ceiling = planned.dose.limited.ceiling
        if (
            before is not None
            and before.preparation.dose.magnitude == dose_mg
            and before.dose.limited.ceiling.magnitude == ceiling.magnitude
        ):
            preparation = before.preparation
        else:
            preparation = prepare_infusion(
                Drug.PAMIDRONATE, planned.dose.value, max_rate=rate, limit=ceiling
            )
        prepared.append(attrs.evolve(planned, preparation=preparation))
    infusions = tuple(prepared)
    # The warning with the GFR and the rate limit is the assessment's one finding
    # (pamidronate-renal-impairment, or pamidronate-creatinine-missing with renal function
    # unknown); a dose a plugin changed keeps the rate.
    return attrs.evolve(
        course,
        infusions=infusions,
        rule_ids=tuple(dict.fromkeys((*course.rule_ids, "P-PAM-RENAL"))),
    )


def _drawn_up(course: Course, formulary: Formulary, facts: gate.PatientFacts) -> Course:
    """P-PREP-PRODUCT: every infusion drawn up from the formulary's product, within its limits.

    The volume drawn up never delivers more than the dose's lowest hard limit, nor, for
    pamidronate, more than the label's rate (20 mg/h where P-PAM-RENAL applies: a Schwartz-40
    GFR of 90 or less, or none) over the infusion time. The gate then judges the delivered dose.
    """
    # The highest rate for these kidneys: the table's one entry, which the gate enforces.
    max_rate = (
        PAMIDRONATE_MAX_RATE[facts.renal_function] if course.drug is Drug.PAMIDRONATE else None
    )
    infusions = tuple(
        attrs.evolve(
            planned,
            preparation=draw_up(
                planned.preparation,
                formulary,
                limit=planned.dose.limited.ceiling,
                max_rate=max_rate,
            ),
        )
        for planned in course.infusions
    )
    return attrs.evolve(course, infusions=infusions)


def _after_history(
    request: PlanRequest, facts: gate.PatientFacts, interval: MinimumInterval
) -> PlanRequest:
    """P-HIST-INTERVAL: the course starts no earlier than the interval after the history.

    Every bisphosphonate of the history counts, whatever the drug; a switch of drug never
    shortens the interval.
    """
    earliest = facts.earliest_start(interval)
    start = facts.assessment_date if request.start is None else request.start
    if earliest is None or earliest <= start:
        return request
    return attrs.evolve(request, start=earliest)


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
    interval: MinimumInterval = NATIONAL_INTERVAL,
    facts: gate.PatientFacts | None = None,
) -> Plan:
    """Plan the next infusions for ``patient`` under ``nl-pediatric-iv-bp-2024``.

    Args:
        patient: The patient; ``patient.assessment_date`` is "today".
        request: What to plan; the protocol's defaults when ``None``.
        hooks: Local plugins' proposals; none by default.
        protocol: The protocol planned under; the national guideline by default. A local
            protocol keeps the national assessment and brings its own ``course_builder``.
        course_builder: Plans the course of the chosen drug.
        interval: The protocol's least interval between two infusions (P-HIST-INTERVAL).
        facts: The patient as the engine's gate read it (:func:`bisphos.gate.read_patient`,
            with the hooks' estimator), given by :meth:`bisphos.engine.Engine.plan`, which
            passes the whole plan through the gate afterwards; the course is then checked here
            only when a plugin proposed a change to it. Without facts the patient is read here
            and the course is always checked.

    Raises:
        PluginError: a plugin returned something that is not a proposal or raised.
        HardLimitError: the course breaks a hard limit (P-HARD), whatever proposed it.
    """
    request = PlanRequest() if request is None else request
    estimator = local_estimator(patient, hooks)
    gated_after = facts is not None
    if facts is None:
        facts = gate.read_patient(patient, estimator)  # before any proposal is asked for
    formulary = local_formulary(hooks, patient)
    assessment = _assess(patient, hooks, estimator)
    findings = list(assessment.findings)

    def finish(
        status: PlanStatus,
        drug: Drug | None = None,
        course: Course | None = None,
        maintenance: MaintenanceAssessment | None = None,
        adjustments: tuple[Adjustment, ...] = (),
    ) -> Plan:
        if course is not None:
            ready = status is PlanStatus.READY
            course = mark_clearance(course, ready=ready, today=patient.assessment_date)
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
    permanent = permanent_contraindications(patient)
    if permanent:  # nothing is dated, no drug of the class is offered (P-CI-PERMANENT)
        findings += permanent
        return finish(PlanStatus.CONTRAINDICATED)
    drug, refusal = _choose_drug(request, assessment, facts, patient)
    if drug is None:
        findings += [refusal] if refusal is not None else []
        return finish(PlanStatus.REFUSED)
    maintenance = None
    band = None
    if request.maintenance:
        maintenance = assess_maintenance(patient)
        findings += maintenance.findings
        band = maintenance.band
        unmet = entry_not_met(maintenance)
        if unmet is not None:
            findings.append(unmet)
            if not _overridden(request, "P-MAINT-ENTRY"):
                return finish(PlanStatus.NOT_INDICATED, maintenance=maintenance)
        if band is None:
            findings.append(
                _refusal(
                    "maintenance-band-unknown",
                    "No BMD Z-score above -2 SDS on record: no maintenance band applies.",
                    ("P-MAINT-ENTRY", "P-MAINT-MID", "P-MAINT-HIGH"),
                )
            )
            return finish(PlanStatus.REFUSED, maintenance=maintenance)
    else:
        findings += maintenance_prompt(patient, drug, options=request.dosing)
    switch = drug_switch(patient, drug, request.drug, assessment, band, request.dosing)
    findings += [switch] if switch is not None else []
    course = course_builder(patient, drug, _after_history(request, facts, interval), band)
    course, adjustments = apply_local(patient, course, request, hooks)
    course = _renal_rate(course, facts)
    # P-PREP-PRODUCT: the course was drawn up from the default products; a hospital's formulary
    # draws it up again, a change a plugin made, which the gate checks here too.
    local = formulary != DEFAULT_FORMULARY
    if local:
        course = _drawn_up(course, formulary, facts)
    if adjustments or local or not gated_after:  # else the engine's gate checks the course
        course = gate.check_course(course, facts, interval)
    findings += course.findings
    findings += label_blocks(course, patient)
    released = apply_overrides(findings, request.overrides)
    status = PlanStatus.BLOCKED if blocking(released) else PlanStatus.READY
    return finish(status, drug, course, maintenance, adjustments)
