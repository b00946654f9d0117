"""Renal function for the pediatric protocol: the GFR estimate and the zoledronic acid gate (P-GFR).

The protocol estimates the GFR with the simplified Schwartz formula
``GFR = 40 × height (cm) / serum creatinine (µmol/l)`` in ml/min/1.73 m². Creatinine reported in
mg/dl has already been converted (× 88.4) by the patient model. The estimator is a replaceable
component (:class:`GfrEstimator`): a hospital may use, for example, the bedside Schwartz constant
36.5 for IDMS-traceable creatinine. The gate itself, GFR above 90 ml/min/1.73 m² for zoledronic
acid (:func:`zoledronic_acid_allowed`), is not replaceable: exactly 90 is not enough, and without a
height or a creatinine there is no GFR and no zoledronic acid (invariant 4).

Pamidronate (P-PAM-RENAL, the reading of P-CI-RENAL for pamidronate, after its labels): with the
protocol's Schwartz-40 GFR below 30 ml/min/1.73 m² no pamidronate is given; from 30 to 90 it is
given with a warning at a rate of at most 20 mg/h (:func:`pamidronate_renal`). A local estimator
does not change this reading. Without a GFR the renal rate applies too (conservative: the table's
one entry :data:`~bisphos.pediatric.table.PAMIDRONATE_MAX_RATE_MG_H`, which the gate enforces);
a missing creatinine before a later pamidronate infusion is a warning (before the first,
P-PRE-LABS blocks).
"""

from __future__ import annotations

import math
from typing import Final, Protocol

import attrs

from bisphos import quantities as q
from bisphos.errors import PluginError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Patient
from bisphos.pediatric import table as t
from bisphos.pediatric.limits import PAMIDRONATE_MAX_RATE
from bisphos.pediatric.table import RenalFunction
from bisphos.pediatric.thresholds import (
    PAMIDRONATE_RENAL_IMPAIRMENT,
    PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT,
    ZOLEDRONIC_ACID_GFR,
)
from bisphos.units import Quantity, format_quantity, ureg

__all__ = [
    "GfrEstimate",
    "GfrEstimator",
    "PamidronateRenal",
    "RenalAssessment",
    "SchwartzEstimator",
    "assess_renal",
    "pamidronate_renal",
    "schwartz_40",
    "zoledronic_acid_allowed",
]


def _gfr(value: Quantity) -> Quantity:
    return q.GFR.conform(value, field="gfr")


@attrs.frozen
class GfrEstimate:
    """An estimated GFR and how it was obtained.

    Attributes:
        value: The GFR, in ml/min/1.73 m².
        estimator: The estimator's name, e.g. ``"schwartz-40"``.
        constant: The estimator's constant where it has one (Schwartz k, in ml/min/1.73 m² per
            cm of height per µmol/l of creatinine); ``None`` otherwise.
        height: The height used.
        creatinine: The serum creatinine used, in µmol/l.
        rule_ids: The rules the estimate serves.
    """

    value: Quantity = attrs.field(converter=_gfr)
    estimator: str
    constant: float | None
    height: Quantity
    creatinine: Quantity
    rule_ids: tuple[str, ...] = ("P-GFR",)

    def evidence(self) -> tuple[Evidence, ...]:
        """Return the estimate, its inputs and its estimator as evidence."""
        items = [
            Evidence("gfr", self.value, threshold=ZOLEDRONIC_ACID_GFR.limit),
            Evidence("height", self.height),
            Evidence("labs.creatinine", self.creatinine),
            Evidence("gfr_estimator", self.estimator),
        ]
        if self.constant is not None:
            items.append(Evidence("gfr_estimator_constant", self.constant))
        return tuple(items)


class GfrEstimator(Protocol):
    """A GFR estimator: a name, and a call from height and creatinine to a :class:`GfrEstimate`.

    Both inputs arrive as quantities in canonical units (cm, µmol/l). An estimator may be
    replaced by a local one; its result still passes the > 90 gate of P-GFR.
    """

    @property
    def name(self) -> str:
        """The estimator's name, carried on every estimate."""
        ...

    def __call__(self, *, height: Quantity, creatinine: Quantity) -> GfrEstimate:
        """Return the GFR estimated from ``height`` and serum ``creatinine``."""
        ...


@attrs.frozen
class SchwartzEstimator:
    """The simplified Schwartz estimator ``GFR = k × height (cm) / creatinine (µmol/l)``.

    Attributes:
        name: The estimator's name.
        k: The constant, in ml/min/1.73 m² per cm of height per µmol/l of creatinine.
    """

    name: str
    k: float

    def __call__(self, *, height: Quantity, creatinine: Quantity) -> GfrEstimate:
        """Return ``k × height / creatinine`` in ml/min/1.73 m²."""
        # Each input converted once: a conformed quantity's magnitude is its canonical float.
        height = q.HEIGHT.conform(height, field="height")
        creatinine = q.CREATININE.conform(creatinine, field="labs.creatinine")
        height_cm, creatinine_umol_l = float(height.magnitude), float(creatinine.magnitude)
        return GfrEstimate(
            value=ureg.Quantity(self.k * height_cm / creatinine_umol_l, q.GFR.canonical),
            estimator=self.name,
            constant=self.k,
            height=height,
            creatinine=creatinine,
        )


#: The protocol's estimator: the simplified Schwartz formula with k = 40 (P-GFR).
schwartz_40: Final = SchwartzEstimator(name="schwartz-40", k=40.0)


def zoledronic_acid_allowed(estimate: GfrEstimate | None) -> bool:
    """Return whether the GFR allows zoledronic acid: above 90 ml/min/1.73 m² (P-GFR).

    No estimate (a missing height or creatinine) never allows it.
    """
    return estimate is not None and ZOLEDRONIC_ACID_GFR.met(estimate.value)


@attrs.frozen
class RenalAssessment:
    """The renal part of an assessment.

    Attributes:
        estimate: The GFR estimate, or ``None`` when height or creatinine is missing.
        estimator: The name of the estimator used.
        missing: The inputs that are missing (``"height"``, ``"labs.creatinine"``).
        zoledronic_acid_allowed: Whether the GFR gate allows zoledronic acid.
        findings: What the renal check says, each with its rule ids.
    """

    estimate: GfrEstimate | None
    estimator: str
    missing: tuple[str, ...]
    zoledronic_acid_allowed: bool
    findings: tuple[Finding, ...]


def _estimate(estimator: GfrEstimator, height: Quantity, creatinine: Quantity) -> GfrEstimate:
    """Call ``estimator`` and refuse a result the gate cannot judge."""
    name = estimator.name
    try:
        result = estimator(height=height, creatinine=creatinine)
    except Exception as error:  # a local estimator's failure is one typed error
        raise PluginError(
            f"the GFR estimator {name!r} failed: {type(error).__name__}: {error}",
            field="gfr",
            value=name,
        ) from error
    if not isinstance(result, GfrEstimate):
        raise PluginError(
            f"the GFR estimator {name!r} did not return a GfrEstimate",
            field="gfr",
            value=repr(result),
            expected="a bisphos.pediatric.renal.GfrEstimate",
        )
    magnitude = float(result.value.magnitude)
    if not math.isfinite(magnitude) or magnitude <= 0:
        raise PluginError(
            f"the GFR estimator {name!r} returned an impossible GFR",
            field="gfr",
            value=format_quantity(result.value),
            expected="a positive, finite GFR in ml/min/1.73 m²",
        )
    return result


def assess_renal(patient: Patient, estimator: GfrEstimator = schwartz_40) -> RenalAssessment:
    """Estimate the GFR and decide whether it allows zoledronic acid (P-GFR, P-CI-RENAL).

    Raises:
        PluginError: the estimator failed or returned something other than a positive GFR.
    """
    creatinine = patient.labs.creatinine
    missing = tuple(
        name
        for name, value in (("height", patient.height), ("labs.creatinine", creatinine))
        if value is None
    )
    name = estimator.name
    if patient.height is None or creatinine is None:
        finding = Finding(
            code="gfr-unavailable",
            rule_ids=("P-GFR",),
            severity=Severity.WARN,
            message=(
                f"No GFR can be estimated without {' and '.join(missing)}: "
                "zoledronic acid is not allowed."
            ),
            evidence=tuple(Evidence(item, "missing") for item in missing),
            action=f"Measure {' and '.join(missing)} to decide on zoledronic acid.",
        )
        return RenalAssessment(
            None, name, missing, zoledronic_acid_allowed=False, findings=(finding,)
        )
    estimate = _estimate(estimator, patient.height, creatinine.value)
    allowed = zoledronic_acid_allowed(estimate)
    shown = f"{float(estimate.value.magnitude):.1f} ml/min/1.73 m²"
    if allowed:
        finding = Finding(
            code="gfr-above-90",
            rule_ids=("P-GFR",),
            severity=Severity.INFO,
            message=(
                f"GFR {shown} ({estimate.estimator}) is above 90: the renal gate allows "
                "zoledronic acid."
            ),
            evidence=estimate.evidence(),
        )
    else:
        finding = Finding(
            code="gfr-not-above-90",
            rule_ids=("P-GFR", "P-CI-RENAL"),
            severity=Severity.WARN,
            message=(
                f"GFR {shown} ({estimate.estimator}) is not above 90: no zoledronic acid; "
                "pamidronate only, with caution for renal function."
            ),
            evidence=estimate.evidence(),
            action="Give no zoledronic acid; consider pamidronate with caution.",
        )
    return RenalAssessment(estimate, name, (), zoledronic_acid_allowed=allowed, findings=(finding,))


@attrs.frozen
class PamidronateRenal:
    """What the kidneys allow for pamidronate (P-PAM-RENAL).

    Attributes:
        estimate: The protocol's Schwartz-40 GFR, or ``None`` without height or creatinine.
        allowed: Whether pamidronate may be planned (no: a GFR below 30 ml/min/1.73 m²).
        renal_function: The kidneys as P-PAM-RENAL reads them: normal (a GFR above 90),
            impaired (90 or less) or unknown (no GFR).
        findings: The warning or block, with the GFR; empty with a GFR above 90.
    """

    estimate: GfrEstimate | None
    allowed: bool
    renal_function: RenalFunction
    findings: tuple[Finding, ...]

    @property
    def max_rate(self) -> Quantity:
        """The highest pamidronate rate for these kidneys, from the table's one entry.

        :data:`bisphos.pediatric.table.PAMIDRONATE_MAX_RATE_MG_H`, which the gate reads too:
        60 mg/h with a GFR above 90, 20 mg/h with 90 or less or with none.
        """
        return PAMIDRONATE_MAX_RATE[self.renal_function]

    @property
    def renal_rate(self) -> bool:
        """Whether a rate below the label's applies (20 mg/h: a GFR of 90 or less, or none)."""
        number = t.PAMIDRONATE_MAX_RATE_MG_H[self.renal_function]
        return number.decimal < t.PAMIDRONATE_LABEL_MAX_RATE_MG_H.decimal


def pamidronate_renal(patient: Patient, *, estimate: GfrEstimate | None = None) -> PamidronateRenal:
    """Decide pamidronate by the protocol's Schwartz-40 GFR (P-PAM-RENAL).

    Below 30 ml/min/1.73 m²: not allowed (a BLOCK). From 30 to 90: allowed at a rate of at most
    20 mg/h (a WARN). No GFR: allowed at the renal rate; a missing creatinine before a later
    infusion is a WARN (before the first, P-PRE-LABS blocks already).

    Args:
        patient: The patient.
        estimate: The patient's Schwartz-40 estimate when the caller has just made it with
            :data:`schwartz_40` (the assessment does); made here otherwise.
    """
    creatinine = patient.labs.creatinine
    if patient.height is None or creatinine is None:
        findings: tuple[Finding, ...] = ()
        if creatinine is None and patient.infusions:
            findings = (
                Finding(
                    code="pamidronate-creatinine-missing",
                    rule_ids=("P-PAM-RENAL",),
                    severity=Severity.WARN,
                    message=(
                        "No creatinine before this pamidronate infusion: renal function is not "
                        "known; pamidronate at most 20 mg/h."
                    ),
                    evidence=(Evidence("labs.creatinine", "missing"),),
                    action="Measure creatinine before the infusion.",
                ),
            )
        return PamidronateRenal(
            None, allowed=True, renal_function=RenalFunction.UNKNOWN, findings=findings
        )
    if estimate is None:
        estimate = schwartz_40(height=patient.height, creatinine=creatinine.value)
    evidence = estimate.evidence()[:3]
    gfr = estimate.value
    shown = f"{float(gfr.magnitude):.1f} ml/min/1.73 m²"
    if PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT.met(gfr):
        finding = Finding(
            code="pamidronate-gfr-below-30",
            rule_ids=("P-PAM-RENAL", "P-CI-RENAL"),
            severity=Severity.BLOCK,
            message=(
                f"GFR {shown} (schwartz-40) is below 30: no pamidronate (severe renal impairment)."
            ),
            evidence=(PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT.evidence(gfr, "gfr"), *evidence[1:]),
            action="Give no bisphosphonate; consult the paediatric nephrologist.",
        )
        return PamidronateRenal(
            estimate, allowed=False, renal_function=RenalFunction.IMPAIRED, findings=(finding,)
        )
    if PAMIDRONATE_RENAL_IMPAIRMENT.met(gfr):
        finding = Finding(
            code="pamidronate-renal-impairment",
            rule_ids=("P-PAM-RENAL", "P-CI-RENAL"),
            severity=Severity.WARN,
            message=(
                f"GFR {shown} (schwartz-40) is 90 or less: pamidronate with caution, at most "
                "20 mg/h, over the longer of 4 hours and the dose / 20 mg/h."
            ),
            evidence=(
                PAMIDRONATE_RENAL_IMPAIRMENT.evidence(gfr, "gfr"),
                *evidence[1:],
                Evidence("max_rate", PAMIDRONATE_MAX_RATE[RenalFunction.IMPAIRED]),
            ),
            action="Infuse pamidronate at most at 20 mg/h and check creatinine before each dose.",
        )
        return PamidronateRenal(
            estimate, allowed=True, renal_function=RenalFunction.IMPAIRED, findings=(finding,)
        )
    return PamidronateRenal(
        estimate, allowed=True, renal_function=RenalFunction.NORMAL, findings=()
    )
