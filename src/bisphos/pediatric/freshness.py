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


#: The findings of P-FRESH by code: severity, rule ids, message and action. A message names the
#: limit of the hospital's :class:`Freshness` by its field (``{calcium_days}``).
_FINDINGS: Final[dict[str, tuple[Severity, tuple[str, ...], str, str]]] = {
    "labs-not-fresh": (
        Severity.BLOCK,
        ("P-FRESH", "P-PRE-LABS"),
        (
            "The labs of the first infusion must be dated at most {first_labs_days} days before "
            "it: older or undated values do not clear it."
        ),
        "Measure these labs again before the first infusion.",
    ),
    "creatinine-not-fresh": (
        Severity.WARN,
        ("P-FRESH", "P-GFR", "P-FU-LABS"),
        (
            "The creatinine is older than {creatinine_months} months: no zoledronic acid until a "
            "new value."
        ),
        "Measure creatinine again; zoledronic acid needs a current GFR above 90.",
    ),
    "creatinine-age-unknown": (
        Severity.WARN,
        ("P-FRESH", "P-GFR"),
        "The creatinine has no date: its age, and so the GFR's, is unknown.",
        "Give the date of the creatinine, or measure it again.",
    ),
    "calcium-not-fresh": (
        Severity.WARN,
        ("P-FRESH", "P-CI-HYPOCA"),
        (
            "The total calcium is older than {calcium_days} days or undated: hypocalcaemia is not "
            "excluded today."
        ),
        "Measure total calcium before the infusion.",
    ),
    "weight-not-fresh": (
        Severity.WARN,
        ("P-FRESH", "P-MON-CHECKS"),
        "The weight is older than {weight_days} days: weigh before the infusion.",
        "Weigh the child before the infusion and recompute the dose.",
    ),
    "vitals-not-today": (
        Severity.WARN,
        ("P-FRESH", "P-MON-CHECKS", "P-CI-FEVER"),
        "The vital signs are not of today: they do not clear today's infusion.",
        "Measure temperature, heart rate and blood pressure before the infusion.",
    ),
}


def _finding(code: str, freshness: Freshness, *evidence: Evidence) -> Finding:
    """The finding ``code`` of :data:`_FINDINGS` with the hospital's limits and ``evidence``."""
    severity, rule_ids, message, action = _FINDINGS[code]
    limits = attrs.asdict(freshness)
    return Finding(
        code=code,
        rule_ids=rule_ids,
        severity=severity,
        message=message.format(**limits),
        evidence=evidence,
        action=action,
    )


def _older(date: dt.date | None, oldest: dt.date) -> bool:
    """An undated value, or one dated before ``oldest``."""
    return date is None or date < oldest


def freshness_findings(
    patient: Patient, *, first: bool, freshness: Freshness = DEFAULT_FRESHNESS
) -> list[Finding]:
    """The findings of P-FRESH for the infusion on the assessment date."""
    today = patient.assessment_date
    labs = patient.labs
    findings: list[Finding] = []
    if first:
        oldest = fresh_since(today, days=freshness.first_labs_days)
        stale = [
            name
            for name in LAB_KINDS
            if (result := getattr(labs, name)) is not None and _older(result.date, oldest)
        ]
        if stale:
            limit = Evidence("lab_age_limit_days", freshness.first_labs_days)
            ages = (_age_evidence(n, getattr(labs, n), oldest) for n in stale)
            findings.append(_finding("labs-not-fresh", freshness, limit, *ages))
    creatinine = labs.creatinine
    if creatinine is not None and not creatinine_fresh(patient, freshness):
        oldest = fresh_since(today, months=freshness.creatinine_months)
        limit = Evidence("creatinine_age_limit_months", freshness.creatinine_months)
        age = _age_evidence("creatinine", creatinine, oldest)
        findings.append(_finding("creatinine-not-fresh", freshness, limit, age))
    if not first and creatinine is not None and creatinine.date is None:
        unknown = Evidence("labs.creatinine.date", "unknown")
        findings.append(_finding("creatinine-age-unknown", freshness, unknown))
    calcium = labs.calcium
    if not first and calcium is not None:
        oldest = fresh_since(today, days=freshness.calcium_days)
        if _older(calcium.date, oldest):
            limit = Evidence("calcium_age_limit_days", freshness.calcium_days)
            age = _age_evidence("calcium", calcium, oldest)
            findings.append(_finding("calcium-not-fresh", freshness, limit, age))
    weighed = patient.weight_date
    if weighed is not None:
        oldest = fresh_since(today, days=freshness.weight_days)
        if weighed < oldest:
            limit = Evidence("weight_age_limit_days", freshness.weight_days)
            weight = Evidence("weight", patient.weight)
            dated = Evidence("weight_date", weighed, threshold=oldest)
            findings.append(_finding("weight-not-fresh", freshness, limit, weight, dated))
    if not vitals_today(patient):
        taken = patient.vitals.date
        dated = Evidence("vitals.date", taken if taken is not None else "unknown")
        findings.append(
            _finding("vitals-not-today", freshness, dated, Evidence("assessment_date", today))
        )
    return findings
