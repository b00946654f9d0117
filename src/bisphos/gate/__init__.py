"""The hard-limit gate: P-HARD on every plan and assessment, after the protocol and every plugin.

The engine (:class:`bisphos.engine.Engine`) reads the patient with :func:`read_patient` *before*
any protocol or plugin runs, and passes every plan through :func:`check_plan` and every
assessment through :func:`check_assessment` after the protocol returns — the national protocol,
a local one that overrides ``plan()``, or one a plugin registered or wrapped. The national
pipeline (:func:`bisphos.pediatric.plan.make_plan`) calls :func:`check_course` on its own course
too, so a plan made without an engine is checked by the same arithmetic.

The gate judges the plan's own numbers, never its labels:

- **doses** — zoledronic acid at most 4 mg per calendar day (P-ZOL-CAP) and 0.05 mg/kg per
  infusion (P-ZOL-DOSE), 0.025 mg/kg for the first two infusions of the drug (P-ZOL-FIRST);
  pamidronate at most 90 mg per calendar day (P-PAM-CAP) and 2 mg/kg per day (P-PAM-DOSE), 1 mg/kg
  and 45 mg for the first infusion of the drug (P-PAM-FIRST). Which infusion of the drug it is
  follows from its date among the patient's history of that drug and the plan's earlier
  infusions; a phase written by the protocol is not read. Doses of one day add up, the history's
  included. The weight is the patient's own, to the nearest milligram.
- **preparation** — concentration and rate recomputed from the dose, the volume and the
  duration: pamidronate at most 0.36 mg/ml and 60 mg/h (P-PAM-LABEL), 20 mg/h with a Schwartz-40
  GFR of 30 to 90 or with none (P-PAM-RENAL: renal function unknown is read as impaired, the
  table's :data:`~bisphos.pediatric.table.PAMIDRONATE_MAX_RATE_MG_H`), no pamidronate below 30;
  zoledronic acid over at least 15 minutes.
- **the dose drawn up** (P-PREP-PRODUCT) — recomputed as the volume of the product drawn up times
  the product's concentration (a product of the infusion's drug, of a concentration its real
  products have, with a syringe resolution above 0 and at most 1 ml, a volume drawn up within
  the final volume); the preparation's stated delivered dose must be that product, and it must
  lie within one syringe step of the planned dose. Every dose limit above, the concentration and
  the rate judge the larger of the planned and the delivered dose, so a formulary whose volume
  would deliver more than a limit is refused, never rounded up past it.
- **renal gate** — no zoledronic acid unless the protocol's Schwartz-40 GFR (computed here from
  the patient's height and creatinine) is above 90, and a local estimate, when a plugin gives
  one, is above 90 too (P-GFR, P-GFR-LOCAL).
- **contraindications** — the core's P-CI-* blocks, computed from the patient by the core, are in
  the plan as blocks and nothing is cleared today while one holds.
- **dates** — no infusion before the assessment date or on or after the 19th birthday
  (P-SCOPE-1); no two infusions of any bisphosphonate, history included, closer than the
  protocol's declared :class:`~bisphos.protocols.MinimumInterval` (P-HIST-INTERVAL).

Values are read by the gate itself: a quantity must be exactly a quantity of
:data:`bisphos.units.ureg` with a finite, non-negative ``float`` or ``int`` magnitude, converted
here to the gate's unit; a date is rebuilt as a plain :class:`datetime.date` from its year, month
and day (each an ``int``), so a subclass that lies in its comparisons decides nothing; every
object the gate reads is of the exact library class (a spoofed ``__class__`` is not), and
nothing the plan holds is asked to describe itself. A plan that breaks a limit is refused as a
whole with a :class:`~bisphos.errors.HardLimitError` naming the rule, the limit, the infusion
and the values.

The package holds one module per kind of limit, each private: ``_read`` (reading values the
gate's own way), ``_refusal`` (the two typed refusals), ``_facts`` (the patient, read first),
``_gfr`` (the Schwartz-40 GFR and a local estimate, the renal gate), ``_infusions`` (a planned
infusion's own numbers), ``_drawn`` (the volume drawn up and the dose it delivers), ``_doses``,
``_preparation``, ``_dates`` (scope and minimum interval)
and ``_contraindications``; this module applies them to a course, an assessment and a plan.
"""

from __future__ import annotations

import datetime as dt

import attrs

from bisphos.errors import HardLimitError, PluginError
from bisphos.findings import Severity
from bisphos.gate._contraindications import check_blocks
from bisphos.gate._dates import check_dates, check_intervals
from bisphos.gate._doses import check_doses
from bisphos.gate._drawn import check_drawn
from bisphos.gate._facts import Given as Given
from bisphos.gate._facts import PatientFacts as PatientFacts
from bisphos.gate._facts import read_patient as read_patient
from bisphos.gate._gfr import LocalEstimator as LocalEstimator
from bisphos.gate._gfr import check_renal
from bisphos.gate._infusions import read_infusion
from bisphos.gate._preparation import check_preparation
from bisphos.gate._read import read_drug, read_exact, read_findings, read_tuple
from bisphos.gate._refusal import refuse
from bisphos.model import Drug
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.indication import Indication
from bisphos.pediatric.plan_types import Plan, PlanStatus
from bisphos.pediatric.schedule import Course, PlannedInfusion
from bisphos.protocols import NATIONAL_INTERVAL, MinimumInterval

__all__ = [
    "Gated",
    "Given",
    "LocalEstimator",
    "PatientFacts",
    "check_assessment",
    "check_course",
    "check_plan",
    "read_patient",
]


def check_course(
    course: Course, facts: PatientFacts, interval: MinimumInterval = NATIONAL_INTERVAL
) -> Course:
    """Check every planned infusion of ``course`` against the hard limits of P-HARD.

    Returns ``course`` with every date rebuilt as a plain date.

    Raises:
        HardLimitError: an infusion breaks a hard limit (the rule, limit, index and values are
            named).
        PluginError: a value of the course cannot be read as the gate reads it.
    """
    course = read_exact(course, Course, "course")
    drug = read_drug(course.drug, "course.drug")
    read_findings(course.findings, "course.findings")
    raw = read_tuple(course.infusions, "course.infusions")
    infusions = [read_infusion(index, item) for index, item in enumerate(raw)]
    for item in infusions:
        if item.drug is not drug:
            raise PluginError(
                "a planned infusion is of another drug than its course",
                field=f"infusions[{item.index}]",
                value=item.drug.value,
                expected=drug.value,
            )
        check_dates(item, facts)
        check_renal(item, facts)
        check_preparation(item, facts)
    check_doses(infusions, facts)
    check_intervals(infusions, facts, interval)
    for item in infusions:
        check_drawn(item)
    planned: tuple[PlannedInfusion, ...] = raw  # type: ignore[assignment]
    if all(type(p.date) is dt.date for p in planned):
        return course
    plain = tuple(
        attrs.evolve(p, date=item.date) for p, item in zip(planned, infusions, strict=True)
    )
    return attrs.evolve(course, infusions=plain)


@attrs.frozen
class Gated:
    """What the engine holds of a registered protocol, read once at registration.

    Attributes:
        protocol_id: The id, as registered.
        version: The version, as registered.
        interval: The declared minimum interval.
        builtin: Whether the engine constructed it (a built-in protocol).
    """

    protocol_id: str
    version: str
    interval: MinimumInterval
    builtin: bool = False


def check_assessment(assessment: object, facts: PatientFacts) -> Assessment:
    """Check an assessment: core blocks kept, nothing cleared out of scope, the renal gate.

    Raises:
        HardLimitError: a core contraindication is missing or cleared, a patient out of scope
            is cleared, or zoledronic acid is allowed without the GFR gate.
        PluginError: the assessment is not one bisphos can read.
    """
    checked = read_exact(assessment, Assessment, "assessment")
    findings = read_findings(checked.findings, "assessment.findings")
    drugs = read_tuple(checked.allowed_drugs, "assessment.allowed_drugs")
    for index, drug in enumerate(drugs):
        read_drug(drug, f"assessment.allowed_drugs[{index}]")
    if type(checked.in_scope) is not bool:
        raise refuse("an assessment's scope is not a flag", "assessment.in_scope")
    indication = checked.indication
    if indication is not None:
        indication = read_exact(indication, Indication, "assessment.indication")
        if type(indication.indicated) is not bool:
            raise refuse("an indication is not a flag", "assessment.indication")
    indicated = indication is not None and indication.indicated
    blocked = any(f.severity is Severity.BLOCK for f in findings)
    cleared = checked.in_scope and indicated and bool(drugs) and not blocked
    check_blocks(findings, cleared=cleared, planned=checked.in_scope, facts=facts)
    if Drug.ZOLEDRONIC_ACID in drugs and not facts.zoledronic_acid_allowed:
        raise HardLimitError(
            "zoledronic acid allowed without a GFR above 90 ml/min/1.73 m²",
            field="assessment.allowed_drugs",
            value=Drug.ZOLEDRONIC_ACID.value,
            expected="Schwartz-40 GFR and any local estimate above 90 (P-GFR, P-GFR-LOCAL)",
            rule_id="P-GFR-LOCAL" if facts.local_gfr is not None else "P-GFR",
            limit="GFR above 90 ml/min/1.73 m²",
        )
    return checked


def check_plan(
    plan: object, facts: PatientFacts, interval: MinimumInterval = NATIONAL_INTERVAL
) -> Plan:
    """Check a whole plan against P-HARD; return it (dates rebuilt plain) or refuse it.

    Raises:
        HardLimitError: the plan breaks a hard limit; it is refused as a whole.
        PluginError: the plan is not one bisphos can read (a foreign class, a spoofed value).
    """
    checked = read_exact(plan, Plan, "plan")
    status = read_exact(checked.status, PlanStatus, "status")
    findings = read_findings(checked.findings, "findings")
    course = checked.course
    planned = course is not None and bool(
        read_tuple(read_exact(course, Course, "course").infusions, "x")
    )
    check_blocks(findings, cleared=status is PlanStatus.READY, planned=planned, facts=facts)
    if status is PlanStatus.READY and any(f.severity is Severity.BLOCK for f in findings):
        raise HardLimitError(
            "a plan with a blocking finding is ready",
            field="status",
            value=status.value,
            expected="blocked",
            rule_id="P-HARD",
            limit="nothing cleared with a block",
        )
    check_assessment(checked.assessment, facts)
    if course is None:
        return checked
    gated = check_course(course, facts, interval)
    return checked if gated is course else attrs.evolve(checked, course=gated)
