"""The compact result of one plan: what a batch keeps of each patient's plan.

A :class:`PlanSummary` holds the decisions that matter for dosing and the course, without the
findings' texts and evidence: the status, scope (P-SCOPE-1), indication (P-IND-*), the codes of
the findings that block today's infusion, the GFR gate (P-GFR), the drug, and the date, dose,
volume and rate of every planned infusion. :func:`summarise` takes it from a full
:class:`~bisphos.pediatric.plan.Plan`; the vectorised path of :mod:`bisphos.batch` gives the same
summary without making the plan.
"""

from __future__ import annotations

import datetime as dt

import attrs

from bisphos.model import Drug
from bisphos.pediatric.freshness import creatinine_fresh
from bisphos.pediatric.plan import Plan, PlanStatus
from bisphos.units import Quantity

__all__ = ["PlanSummary", "summarise"]


@attrs.frozen
class PlanSummary:
    """What a plan decided for one patient, compactly.

    Attributes:
        patient_id: The caller's identifier of the patient.
        status: Ready, blocked today, not indicated, out of scope or refused.
        in_scope: Whether the patient is younger than 19 (P-SCOPE-1).
        indicated: Whether treatment is indicated (P-IND-A, P-IND-B ...).
        zoledronic_acid_allowed: Whether the GFR gate allows zoledronic acid (P-GFR) on a
            creatinine recent enough to decide it (P-FRESH, the protocol's 12 months, as the
            batch path reads it); ``False`` out of scope and without a GFR.
        drug: The drug planned, if any.
        blocks: The codes of the findings that block today's infusion, in the plan's order.
        dates: The planned infusion dates.
        doses: The planned doses, in mg.
        volumes: The infusion volumes, in ml.
        rates: The pump rates, in ml/h.
    """

    patient_id: str
    status: PlanStatus
    in_scope: bool
    indicated: bool
    zoledronic_acid_allowed: bool
    drug: Drug | None
    blocks: tuple[str, ...]
    dates: tuple[dt.date, ...]
    doses: tuple[Quantity, ...]
    volumes: tuple[Quantity, ...]
    rates: tuple[Quantity, ...]


def summarise(plan: Plan) -> PlanSummary:
    """Return the compact result of ``plan``."""
    assessment = plan.assessment
    infusions = plan.infusions
    return PlanSummary(
        patient_id=plan.patient_id,
        status=plan.status,
        in_scope=assessment.in_scope,
        indicated=assessment.indicated,
        zoledronic_acid_allowed=(
            assessment.renal is not None
            and assessment.renal.zoledronic_acid_allowed
            and creatinine_fresh(assessment.patient)
        ),
        drug=plan.drug,
        blocks=tuple(finding.code for finding in plan.blocks),
        dates=tuple(planned.date for planned in infusions),
        doses=tuple(planned.dose.value for planned in infusions),
        volumes=tuple(planned.preparation.volume for planned in infusions),
        rates=tuple(planned.preparation.rate for planned in infusions),
    )
