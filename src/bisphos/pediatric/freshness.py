"""How old a value may be and still clear an infusion (P-FRESH).

The guideline gives no age for its values; these are the library's defaults, which a hospital's
plugin may tighten (hook ``bisphos_freshness``), never loosen:

- the labs of P-PRE-LABS clear a first infusion when dated at most 90 days before it; an undated
  value is of unknown age and does not clear it (BLOCK ``labs-not-fresh``);
- the creatinine of the zoledronic acid gate is at most 12 months old (P-FU-LABS is yearly); an
  older one allows no zoledronic acid until a new value (WARN ``creatinine-not-fresh``, and the
  drug is not allowed); before a later infusion an undated creatinine is of unknown age (WARN);
- the calcium before a later infusion is at most 90 days old; older or undated: WARN
  ``calcium-not-fresh`` (a missing one is ``calcium-not-known``);
- the weight the doses use is at most 30 days old; older: WARN ``weight-not-fresh``, "weigh
  before the infusion" (P-MON-CHECKS: the dose is recomputed with the weight measured then);
- vital signs clear today's infusion only when taken on the assessment date; of another day:
  WARN ``vitals-not-today``.

A weight or vital signs without a date are taken as of the assessment date: the patient's
``weight`` and ``vitals`` are today's by the model's definition (:class:`bisphos.model.Patient`).
A lab without a date has no such meaning: it is of unknown age.

Where a rule is about now, the latest value is used: a patient file may give several dated
values of a lab or of the weight, and :mod:`bisphos.io` keeps the latest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Final

import attrs

from bisphos.dates import add_months
from bisphos.errors import PluginError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import LAB_KINDS, LabResult, Patient
from bisphos.pediatric.thresholds import (
    FRESH_CALCIUM_DAYS,
    FRESH_CREATININE_MONTHS,
    FRESH_FIRST_LABS_DAYS,
    FRESH_WEIGHT_DAYS,
)

__all__ = [
    "DEFAULT_FRESHNESS",
    "Freshness",
    "creatinine_fresh",
    "fresh_since",
    "freshness_findings",
    "local_freshness",
    "vitals_today",
]


def _days(limit: int) -> Callable[[object, attrs.Attribute[int], object], None]:
    def check(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise PluginError(
                "a freshness limit may tighten the protocol's, never loosen it (P-FRESH)",
                field=f"freshness.{attribute.name}",
                value=repr(value)[:80],
                expected=f"a whole number from 0 to {limit}",
            )

    return check


@attrs.frozen
class Freshness:
    """The oldest values that still clear an infusion (P-FRESH); a plugin may only tighten them.

    Attributes:
        first_labs_days: The labs of P-PRE-LABS for a first infusion, in days (at most 90).
        creatinine_months: The creatinine of the zoledronic acid gate, in months (at most 12).
        calcium_days: The calcium before a later infusion, in days (at most 90).
        weight_days: The weight the doses use, in days (at most 30).

    Raises:
        PluginError: a limit is longer than the protocol's, negative or not a whole number.
    """

    first_labs_days: int = attrs.field(
        default=FRESH_FIRST_LABS_DAYS, validator=_days(FRESH_FIRST_LABS_DAYS)
    )
    creatinine_months: int = attrs.field(
        default=FRESH_CREATININE_MONTHS, validator=_days(FRESH_CREATININE_MONTHS)
    )
    calcium_days: int = attrs.field(default=FRESH_CALCIUM_DAYS, validator=_days(FRESH_CALCIUM_DAYS))
    weight_days: int = attrs.field(default=FRESH_WEIGHT_DAYS, validator=_days(FRESH_WEIGHT_DAYS))

    def tightest(self, other: Freshness) -> Freshness:
        """The shorter of each limit of ``self`` and ``other``."""
        return Freshness(
            first_labs_days=min(self.first_labs_days, other.first_labs_days),
            creatinine_months=min(self.creatinine_months, other.creatinine_months),
            calcium_days=min(self.calcium_days, other.calcium_days),
            weight_days=min(self.weight_days, other.weight_days),
        )


#: The protocol's limits.
DEFAULT_FRESHNESS: Final = Freshness()


def local_freshness(hooks: object, patient: Patient) -> Freshness:
    """The limits after the local plugins, the tightest of each; the protocol's without any.

    ``hooks`` is the plan's hooks; those with a ``freshness(patient)`` method (the plugin facade)
    are asked, others keep the protocol's limits.

    Raises:
        PluginError: a plugin returned something that is not a :class:`Freshness`.
    """
    ask = getattr(hooks, "freshness", None)
    if not callable(ask):
        return DEFAULT_FRESHNESS
    proposals = ask(patient)
    result = DEFAULT_FRESHNESS
    for proposal in proposals if isinstance(proposals, Sequence) else (proposals,):
        if proposal is None:
            continue
        if not isinstance(proposal, Freshness):
            raise PluginError(
                "a freshness proposal is not a Freshness",
                field="bisphos_freshness",
                value=repr(proposal)[:80],
                expected="bisphos.pediatric.freshness.Freshness",
            )
        result = result.tightest(proposal)
    return result


def fresh_since(today: dt.date, *, days: int = 0, months: int = 0) -> dt.date:
    """The oldest date a value may have on ``today``: ``days`` days or ``months`` months back."""
    return add_months(today, -months) - dt.timedelta(days=days)


def creatinine_fresh(patient: Patient, freshness: Freshness = DEFAULT_FRESHNESS) -> bool:
    """Whether the creatinine may decide the zoledronic acid gate: not dated too long ago.

    An undated creatinine is not refused here (before a first infusion P-FRESH's lab rule blocks
    it, before a later one it gives a WARN); a missing one is the gate's own concern (P-GFR).
    """
    result = patient.labs.creatinine
    if result is None or result.date is None:
        return True
    oldest = fresh_since(patient.assessment_date, months=freshness.creatinine_months)
    return result.date >= oldest


def vitals_today(patient: Patient) -> bool:
    """Whether today's vital signs were taken on the assessment date (undated: they were)."""
    date = patient.vitals.date
    return date is None or date == patient.assessment_date


def _age_evidence(name: str, result: LabResult | None, oldest: dt.date) -> Evidence:
    value: dt.date | str = "unknown" if result is None or result.date is None else result.date
    return Evidence(f"labs.{name}.date", value, threshold=oldest)


def freshness_findings(
    patient: Patient, *, first: bool, freshness: Freshness = DEFAULT_FRESHNESS
) -> list[Finding]:
    """The findings of P-FRESH for the infusion on the assessment date."""
    today = patient.assessment_date
    findings: list[Finding] = []
    if first:
        oldest = fresh_since(today, days=freshness.first_labs_days)
        stale = [
            name
            for name in LAB_KINDS
            if (result := getattr(patient.labs, name)) is not None
            and (result.date is None or result.date < oldest)
        ]
        if stale:
            findings.append(
                Finding(
                    code="labs-not-fresh",
                    rule_ids=("P-FRESH", "P-PRE-LABS"),
                    severity=Severity.BLOCK,
                    message=(
                        "The labs of the first infusion must be dated at most "
                        f"{freshness.first_labs_days} days before it: older or undated values "
                        "do not clear it."
                    ),
                    evidence=(
                        Evidence("lab_age_limit_days", freshness.first_labs_days),
                        *(_age_evidence(n, getattr(patient.labs, n), oldest) for n in stale),
                    ),
                    action="Measure these labs again before the first infusion.",
                )
            )
    creatinine = patient.labs.creatinine
    if creatinine is not None and not creatinine_fresh(patient, freshness):
        oldest = fresh_since(today, months=freshness.creatinine_months)
        findings.append(
            Finding(
                code="creatinine-not-fresh",
                rule_ids=("P-FRESH", "P-GFR", "P-FU-LABS"),
                severity=Severity.WARN,
                message=(
                    f"The creatinine is older than {freshness.creatinine_months} months: no "
                    "zoledronic acid until a new value."
                ),
                evidence=(
                    Evidence("creatinine_age_limit_months", freshness.creatinine_months),
                    _age_evidence("creatinine", creatinine, oldest),
                ),
                action="Measure creatinine again; zoledronic acid needs a current GFR above 90.",
            )
        )
    if not first and creatinine is not None and creatinine.date is None:
        findings.append(
            Finding(
                code="creatinine-age-unknown",
                rule_ids=("P-FRESH", "P-GFR"),
                severity=Severity.WARN,
                message="The creatinine has no date: its age, and so the GFR's, is unknown.",
                evidence=(Evidence("labs.creatinine.date", "unknown"),),
                action="Give the date of the creatinine, or measure it again.",
            )
        )
    calcium = patient.labs.calcium
    if not first and calcium is not None:
        oldest = fresh_since(today, days=freshness.calcium_days)
        if calcium.date is None or calcium.date < oldest:
            findings.append(
                Finding(
                    code="calcium-not-fresh",
                    rule_ids=("P-FRESH", "P-CI-HYPOCA"),
                    severity=Severity.WARN,
                    message=(
                        f"The total calcium is older than {freshness.calcium_days} days or "
                        "undated: hypocalcaemia is not excluded today."
                    ),
                    evidence=(
                        Evidence("calcium_age_limit_days", freshness.calcium_days),
                        _age_evidence("calcium", calcium, oldest),
                    ),
                    action="Measure total calcium before the infusion.",
                )
            )
    weighed = patient.weight_date
    if weighed is not None:
        oldest = fresh_since(today, days=freshness.weight_days)
        if weighed < oldest:
            findings.append(
                Finding(
                    code="weight-not-fresh",
                    rule_ids=("P-FRESH", "P-MON-CHECKS"),
                    severity=Severity.WARN,
                    message=(
                        f"The weight is older than {freshness.weight_days} days: weigh before "
                        "the infusion."
                    ),
                    evidence=(
                        Evidence("weight_age_limit_days", freshness.weight_days),
                        Evidence("weight", patient.weight),
                        Evidence("weight_date", weighed, threshold=oldest),
                    ),
                    action="Weigh the child before the infusion and recompute the dose.",
                )
            )
    if not vitals_today(patient):
        taken = patient.vitals.date
        findings.append(
            Finding(
                code="vitals-not-today",
                rule_ids=("P-FRESH", "P-MON-CHECKS", "P-CI-FEVER"),
                severity=Severity.WARN,
                message="The vital signs are not of today: they do not clear today's infusion.",
                evidence=(
                    Evidence("vitals.date", taken if taken is not None else "unknown"),
                    Evidence("assessment_date", today),
                ),
                action="Measure temperature, heart rate and blood pressure before the infusion.",
            )
        )
    return findings
