"""What the gate knows of the patient, read before any protocol or plugin runs."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

import attrs

from bisphos.dates import birthday
from bisphos.findings import Finding
from bisphos.gate._dates import cycle_starts, earliest_after
from bisphos.gate._gfr import (
    PAM_GFR_STEPS,
    SCHWARTZ_K,
    ZOL_GFR_STEPS,
    estimate_local_gfr,
    gfr_steps,
)
from bisphos.gate._preparation import PAM_MAX_MG_PER_H
from bisphos.gate._read import (
    CM,
    KG,
    MG,
    UMOL_L,
    read_date,
    read_decimal,
    read_drug,
    read_magnitude,
)
from bisphos.model import Drug, Patient
from bisphos.pediatric.assessment import core_contraindications
from bisphos.pediatric.limits import WEIGHT_RESOLUTION_KG
from bisphos.pediatric.renal import GfrEstimator
from bisphos.pediatric.table import RenalFunction
from bisphos.pediatric.thresholds import SCOPE_AGE_YEARS
from bisphos.protocols import MinimumInterval


@attrs.frozen
class Given:
    """An infusion of the patient's history, as the gate reads it.

    Attributes:
        drug: The drug.
        date: The day, a plain date.
        dose_mg: The dose, in mg.
    """

    drug: Drug
    date: dt.date
    dose_mg: Decimal


@attrs.frozen
class PatientFacts:
    """What the gate knows of the patient, read before any protocol or plugin runs.

    Attributes:
        birth_date: The birth date, a plain date.
        assessment_date: The assessment date, a plain date.
        weight_kg: The body weight to the nearest milligram, in kg.
        schwartz_gfr: The protocol's Schwartz-40 GFR, or ``None`` without height or creatinine.
        local_gfr: A local estimator's GFR, or ``None`` without one.
        history: The infusions already given.
        blocks: The core's contraindications (``P-CI-*``) that block today.
    """

    birth_date: dt.date
    assessment_date: dt.date
    weight_kg: Decimal
    schwartz_gfr: float | None
    local_gfr: float | None
    history: tuple[Given, ...]
    blocks: tuple[Finding, ...]

    @property
    def end_of_scope(self) -> dt.date | None:
        """The 19th birthday (P-SCOPE-1), or ``None`` beyond the calendar."""
        try:
            return birthday(self.birth_date, SCOPE_AGE_YEARS)
        except (ValueError, OverflowError):
            return None

    @property
    def in_scope(self) -> bool:
        """Whether the patient is younger than 19 on the assessment date."""
        end = self.end_of_scope
        return end is None or self.assessment_date < end

    @property
    def zoledronic_acid_allowed(self) -> bool:
        """P-GFR, P-GFR-LOCAL: Schwartz-40 above 90, and the local estimate, if any, too."""
        if self.schwartz_gfr is None or gfr_steps(self.schwartz_gfr) <= ZOL_GFR_STEPS:
            return False
        return self.local_gfr is None or gfr_steps(self.local_gfr) > ZOL_GFR_STEPS

    @property
    def pamidronate_allowed(self) -> bool:
        """P-PAM-RENAL: no pamidronate with a Schwartz-40 GFR below 30 (unknown: allowed)."""
        return self.schwartz_gfr is None or gfr_steps(self.schwartz_gfr) >= PAM_GFR_STEPS

    @property
    def renal_function(self) -> RenalFunction:
        """P-PAM-RENAL: the kidneys by the Schwartz-40 GFR (above 90, 90 or less, none)."""
        if self.schwartz_gfr is None:
            return RenalFunction.UNKNOWN
        if gfr_steps(self.schwartz_gfr) <= ZOL_GFR_STEPS:
            return RenalFunction.IMPAIRED
        return RenalFunction.NORMAL

    @property
    def pamidronate_rate_limited(self) -> bool:
        """P-PAM-RENAL: a Schwartz-40 GFR of 90 or less, or none, limits pamidronate to 20 mg/h."""
        return PAM_MAX_MG_PER_H[self.renal_function][0] < PAM_MAX_MG_PER_H[RenalFunction.NORMAL][0]

    def earliest_start(self, interval: MinimumInterval) -> dt.date | None:
        """The first day a new cycle may start after the history (P-HIST-INTERVAL).

        ``None`` without a history, or when that day is beyond the calendar.
        """
        starts = cycle_starts([given.date for given in self.history], interval)
        if not starts:
            return None
        return earliest_after(starts[-1], interval)


def read_patient(patient: Patient, estimator: GfrEstimator | None = None) -> PatientFacts:
    """Read what the gate needs of ``patient``, before any protocol or plugin runs.

    Args:
        patient: The caller's patient.
        estimator: A local GFR estimator from a plugin (a :class:`LocalEstimator`), or ``None``.

    Raises:
        PluginError: a value of the patient cannot be read, or the local estimator failed or
            gave an estimate P-GFR-LOCAL refuses.
    """
    weight = read_decimal(patient.weight, KG, "weight")
    weight_kg = weight.quantize(WEIGHT_RESOLUTION_KG, rounding=ROUND_HALF_EVEN)
    creatinine = patient.labs.creatinine
    height = patient.height
    schwartz = None
    local = None
    if height is not None and creatinine is not None:
        height_cm = read_magnitude(height, CM, "height")
        creatinine_umol_l = read_magnitude(creatinine.value, UMOL_L, "labs.creatinine")
        if height_cm > 0 and creatinine_umol_l > 0:
            schwartz = SCHWARTZ_K * height_cm / creatinine_umol_l
        if estimator is not None:
            local = estimate_local_gfr(estimator, height_cm, creatinine_umol_l)
    history = tuple(
        Given(
            read_drug(record.drug, f"infusions[{index}].drug"),
            read_date(record.date, f"infusions[{index}].date"),
            read_decimal(record.dose, MG, f"infusions[{index}].dose"),
        )
        for index, record in enumerate(patient.infusions)
    )
    return PatientFacts(
        birth_date=read_date(patient.birth_date, "birth_date"),
        assessment_date=read_date(patient.assessment_date, "assessment_date"),
        weight_kg=weight_kg,
        schwartz_gfr=schwartz,
        local_gfr=local,
        history=history,
        blocks=core_contraindications(patient),
    )
