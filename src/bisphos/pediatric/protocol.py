"""The pediatric protocol as a registrable object, and the base of local pediatric protocols."""

from __future__ import annotations

from bisphos.gate import PatientFacts
from bisphos.model import Drug, Patient
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.dosing import MaintenanceBand
from bisphos.pediatric.plan import (
    NO_HOOKS,
    Plan,
    PlanHooks,
    PlanRequest,
    assess_locally,
    make_plan,
    national_course,
)
from bisphos.pediatric.rules import INVARIANTS, PROTOCOL_ID, PROTOCOL_VERSION, RULES
from bisphos.pediatric.schedule import Course
from bisphos.protocols import Protocol, ProtocolInfo

__all__ = ["NATIONAL_INFO", "PediatricProtocol"]

#: The national guideline, as encoded by bisphos.
NATIONAL_INFO = ProtocolInfo(
    protocol_id=PROTOCOL_ID,
    version=PROTOCOL_VERSION,
    title="Intravenous bisphosphonates in children with osteoporosis",
    source=(
        "Bisfosfonaten infusie bij kinderen met osteoporose, Dutch national guideline, "
        "6th version, May 2024"
    ),
    population="children (under 19 years)",
    rules=RULES,
    invariants=INVARIANTS,
)


class PediatricProtocol(Protocol):
    """The national pediatric protocol; subclass it for a local regimen.

    A local protocol keeps the national assessment (indication, contraindications, the GFR gate)
    and overrides :meth:`course` and :attr:`info` (and :attr:`minimum_interval` for a cyclical
    regimen). Whatever :meth:`course` or an overridden :meth:`plan` returns, the engine passes
    the plan through the hard-limit gate (:mod:`bisphos.gate`) afterwards.
    """

    @property
    def info(self) -> ProtocolInfo:
        """The national guideline's id, version and rules."""
        return NATIONAL_INFO

    def assess(self, patient: Patient, *, hooks: PlanHooks = NO_HOOKS) -> Assessment:
        """Assess ``patient`` (see :func:`bisphos.pediatric.plan.assess_locally`)."""
        return assess_locally(patient, hooks)

    def course(
        self,
        patient: Patient,
        drug: Drug,
        request: PlanRequest,
        band: MaintenanceBand | None,
    ) -> Course:
        """Plan the course of ``drug``; the national intervals and doses by default."""
        return national_course(patient, drug, request, band)

    def plan(
        self,
        patient: Patient,
        request: PlanRequest | None = None,
        *,
        hooks: PlanHooks = NO_HOOKS,
    ) -> Plan:
        """Plan ``patient``'s next infusions (see :func:`bisphos.pediatric.plan.make_plan`)."""
        return self._make_plan(patient, request, hooks, None)

    def plan_read(
        self,
        patient: Patient,
        request: PlanRequest | None,
        *,
        hooks: PlanHooks,
        facts: PatientFacts,
    ) -> Plan:
        """:meth:`plan` with the patient as the engine's gate read it (``facts``).

        For the engine and the protocols it constructs itself: the engine passes the plan
        through the gate afterwards, so the patient is not read twice (see ``facts`` of
        :func:`bisphos.pediatric.plan.make_plan`).
        """
        return self._make_plan(patient, request, hooks, facts)

    def _make_plan(
        self,
        patient: Patient,
        request: PlanRequest | None,
        hooks: PlanHooks,
        facts: PatientFacts | None,
    ) -> Plan:
        return make_plan(
            patient,
            request,
            hooks=hooks,
            protocol=self.info,
            course_builder=self.course,
            interval=self.minimum_interval,
            facts=facts,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.info.protocol_id!r})"
