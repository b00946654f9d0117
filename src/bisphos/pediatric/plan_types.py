"""The types of a pediatric plan: the request, the status and the plan itself."""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from bisphos.findings import Finding, blocking, rule_ids_of
from bisphos.model import Drug, Patient
from bisphos.pediatric.adjustments import Adjustment
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.dosing import DEFAULT_OPTIONS, DosingOptions
from bisphos.pediatric.infusion import DEFAULT_PREPARATION, PreparationOptions
from bisphos.pediatric.ledger import Ledger, ledger_of
from bisphos.pediatric.maintenance import MaintenanceAssessment
from bisphos.pediatric.overrides import Override, overrides_of
from bisphos.pediatric.schedule import Course, Horizon, PlannedInfusion
from bisphos.protocols import PluginRecord
from bisphos.provenance import Provenance, normalise, patient_input
from bisphos.validation import date_in_range

__all__ = ["Plan", "PlanRequest", "PlanStatus"]


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
    #: A contraindication that lasts (hypersensitivity; a known pregnancy while it lasts): no
    #: infusion of any bisphosphonate is dated (P-CI-PERMANENT).
    CONTRAINDICATED = "contraindicated"


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
    def ledger(self) -> tuple[Ledger, ...]:
        """The cumulative dose per drug, given and planned (P-LEDGER): shown, not enforced."""
        return ledger_of(self.patient, self.infusions)

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
        return self.provenance_of(patient_input(self.patient))

    def provenance_of(self, patient: object) -> Provenance:
        """The :attr:`provenance`, with this plan's patient already written.

        Args:
            patient: This plan's patient as :func:`bisphos.provenance.patient_input` writes it;
                a decision record, which holds it anyway, writes it once for both.
        """
        return Provenance.of(
            protocol_id=self.protocol,
            protocol_version=self.protocol_version,
            library_version=self.library_version,
            plugins=self.plugins,
            rule_ids=self.rule_ids,
            patient=patient,
            request=normalise(self.request),
        )
