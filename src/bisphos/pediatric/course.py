"""The treatment course as a whole: permanent blocks, a switch of drug, label blocks, clearance.

The rules of a single infusion (a dose, a date, a preparation) are checked where each is made;
these are the readings that look at the whole course and the patient's whole history:

- **P-CI-PERMANENT**: hypersensitivity to bisphosphonates, and a known pregnancy while it lasts,
  date no infusion of any bisphosphonate, and no other drug of the class is offered
  (:func:`permanent_contraindications`); the plan's status is ``contraindicated``.
- **P-DRUG-CONTINUITY**: a switch of drug, requested or forced (the GFR no longer allows
  zoledronic acid), is never silent: a WARN names the reason and the date the switch waits for
  (:func:`drug_switch`), which P-HIST-INTERVAL sets from the last drug given.
- **P-PAM-LABEL**: the pamidronate label limits (0.36 mg/ml, 60 mg/h, and 20 mg/h in renal
  impairment, P-PAM-RENAL) are checked on every planned infusion's own numbers, and a failed
  check blocks (:func:`label_blocks`).
- **P-CI-PERMANENT** (temporary blocks): the contraindications are checked before every
  infusion, so only an infusion dated today is cleared or blocked today; every later one is to
  be cleared on its day (:func:`mark_clearance`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from bisphos.dates import add_months
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Drug, Patient
from bisphos.pediatric.dosing import DosingOptions, MaintenanceBand
from bisphos.pediatric.infusion import pamidronate_label_failures
from bisphos.pediatric.renal import pamidronate_renal
from bisphos.pediatric.schedule import (
    Clearance,
    Course,
    interval_after_history,
    pregnancy_no_infusion,
)

if TYPE_CHECKING:
    from bisphos.pediatric.assessment import Assessment

__all__ = [
    "drug_switch",
    "label_blocks",
    "mark_clearance",
    "permanent_contraindications",
]


def permanent_contraindications(patient: Patient) -> tuple[Finding, ...]:
    """Return the findings of a lasting contraindication (P-CI-PERMANENT); empty without one.

    Hypersensitivity to bisphosphonates is permanent and covers the whole class; a known
    pregnancy lasts while the patient is pregnant, with the counselling that no infusion is given
    during the pregnancy (not a date to avoid pregnancy until).
    """
    findings: list[Finding] = []
    if patient.risks.bisphosphonate_hypersensitivity:
        findings.append(
            Finding(
                code="contraindicated-hypersensitivity",
                rule_ids=("P-CI-PERMANENT", "P-CI-ALLERGY"),
                severity=Severity.BLOCK,
                message="Hypersensitivity to bisphosphonates is permanent: no infusion of any "
                "bisphosphonate is planned, and no other drug of the class is offered.",
                evidence=(Evidence("risks.bisphosphonate_hypersensitivity", value=True),),
                action="Discuss treatment without a bisphosphonate with the expertise centre.",
            )
        )
    if patient.risks.pregnant:
        findings.append(
            Finding(
                code="contraindicated-pregnancy",
                rule_ids=("P-CI-PERMANENT", "P-CI-PREG"),
                severity=Severity.BLOCK,
                message="Known pregnancy: contraindicated while pregnant; no infusion is planned "
                "during the pregnancy.",
                evidence=(Evidence("risks.pregnant", value=True),),
                action="Plan again after the pregnancy.",
            )
        )
        findings.append(pregnancy_no_infusion())
    return tuple(findings)


def _switch_reason(
    last: Drug, requested: Drug | None, assessment: Assessment
) -> tuple[str, str, tuple[str, ...], tuple[Evidence, ...]]:
    """The reason of a switch: (value, words, extra rule ids, evidence)."""
    if requested is not None:
        return "requested", "requested", (), ()
    renal = assessment.renal
    estimate = None if renal is None else renal.estimate
    evidence = (Evidence("gfr", "missing"),) if estimate is None else estimate.evidence()[:1]
    if last is Drug.ZOLEDRONIC_ACID and not assessment.zoledronic_acid_allowed:
        return (
            "gfr_no_longer_allows_zoledronic_acid",
            "the GFR no longer allows zoledronic acid",
            ("P-GFR",),
            evidence,
        )
    return "last_drug_not_allowed", "the last drug is not allowed now", (), evidence


def drug_switch(  # noqa: PLR0917 - the plan's facts, each named at the one call
    patient: Patient,
    drug: Drug,
    requested: Drug | None,
    assessment: Assessment,
    band: MaintenanceBand | None,
    dosing: DosingOptions,
) -> Finding | None:
    """Return the WARN of a switch from the last drug given to ``drug`` (P-DRUG-CONTINUITY).

    ``None`` without history or when ``drug`` is the last drug given. The warning names the
    reason (requested, or forced: the GFR no longer allows zoledronic acid) and the interval the
    first infusion of ``drug`` waits for (P-HIST-INTERVAL): the new drug's first-dose reduction
    applies, and its first infusion is not before that date.
    """
    after = interval_after_history(patient, band, second_infusion=dosing.zoledronic_second_infusion)
    if after is None or after[0] is drug:
        return None
    last_drug, last_date, interval = after
    earliest = add_months(last_date, interval.months)
    reason, words, rules, evidence = _switch_reason(last_drug, requested, assessment)
    old, new = last_drug.value.replace("_", " "), drug.value.replace("_", " ")
    return Finding(
        code="drug-switch",
        rule_ids=("P-DRUG-CONTINUITY", "P-HIST-INTERVAL", *rules),
        severity=Severity.WARN,
        message=f"switch from {old} to {new} ({words}): no {new} before "
        f"{earliest.isoformat()}, {interval.months} months after the last {old} infusion on "
        f"{last_date.isoformat()}",
        evidence=(
            Evidence("last_drug", last_drug.value),
            Evidence("last_infusion", last_date),
            Evidence("interval_months", interval.months),
            Evidence("earliest_next_infusion", earliest),
            Evidence("new_drug", drug.value),
            Evidence("switch_reason", reason),
            *evidence,
        ),
        action=f"confirm the switch to {new}; the labels advise against combining bisphosphonates",
    )


def label_blocks(course: Course, patient: Patient) -> tuple[Finding, ...]:
    """Check every planned pamidronate infusion's own numbers against the label (P-PAM-LABEL).

    Concentration at most 0.36 mg/ml, rate at most 60 mg/h, and at most 20 mg/h where
    P-PAM-RENAL applies (a Schwartz-40 GFR of 90 or less, or none). Each failed check is a BLOCK
    naming the infusion; a passed one gives nothing.
    """
    if course.drug is not Drug.PAMIDRONATE:
        return ()
    renal_rate = pamidronate_renal(patient).renal_rate
    found: dict[tuple[str, dt.date], Finding] = {}
    for planned in course.infusions:
        prep = planned.preparation
        # The label judges what the infusion gives: the dose the volume drawn up delivers.
        for check in pamidronate_label_failures(
            prep.delivered, prep.volume, prep.duration, renal_rate=renal_rate
        ):
            finding = check.finding()
            finding = attrs.evolve(
                finding,
                evidence=(*finding.evidence, Evidence("infusion_date", planned.date)),
            )
            found.setdefault((check.name, planned.date), finding)
    return tuple(found.values())


def mark_clearance(course: Course, *, ready: bool, today: dt.date) -> Course:
    """Mark each planned infusion cleared today, blocked today, or to be cleared on its day.

    Only an infusion dated ``today`` can be cleared today, and only when ``ready`` (the plan's
    status is ready); every
    later infusion is checked on its own day (P-CI-PERMANENT, the contraindications are checked
    before every infusion).
    """
    marked = []
    for planned in course.infusions:
        if planned.date == today:
            clearance = Clearance.CLEARED_TODAY if ready else Clearance.BLOCKED_TODAY
        else:
            clearance = Clearance.ON_ITS_DAY
        marked.append(
            planned
            if planned.clearance is clearance
            else attrs.evolve(planned, clearance=clearance)
        )
    return attrs.evolve(course, infusions=tuple(marked))
