"""What a plan asks of local plugins: the hooks protocol, and hooks that ask nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bisphos.findings import Finding
from bisphos.model import Drug, Patient
from bisphos.pediatric.adjustments import DoseProposal, ScheduleProposal, VolumeProposal
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.infusion import Preparation
from bisphos.pediatric.renal import GfrEstimator

__all__ = ["NO_HOOKS", "NoHooks", "PlanHooks"]


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
