"""Every threshold of the pediatric decisions, and the one way values are compared with them.

Each limit is a named constant carrying the rule ids it comes from. Measured values are compared
in the canonical unit of their kind (:mod:`bisphos.quantities`), after rounding both the value and
the limit to a whole number of *steps* of a fixed resolution (:func:`steps`). The resolution is
finer than anything a thermometer or a laboratory reports, and far coarser than the noise of float
arithmetic, so a unit conversion can never flip a decision: 101.3 °F converts to
38.50000000000006 °C, which is 38 500 steps of 0.001 °C, exactly the limit, and is not a fever.
Rounding is to the nearest step (ties to even); only values given more finely than the resolution
are affected by it.

================================  ====================  ===========================================
Value                             Resolution            Threshold (rule ids)
================================  ====================  ===========================================
Temperature                       0.001 °C              > 38.5 °C (P-CI-FEVER, P-MON-CALL)
Total calcium                     0.001 mmol/l          < 2.2 mmol/l (P-CI-HYPOCA, P-PRE-CA)
GFR (Schwartz)                    0.001 ml/min/1.73 m²  > 90 allows zoledronic acid (P-GFR)
GFR (Schwartz k = 40)             0.001 ml/min/1.73 m²  < 30 no pamidronate; ≤ 90 at most 20 mg/h
                                                        (P-PAM-RENAL)
25-OH vitamin D                   0.001 nmol/l          < 50 nmol/l (P-PRE-VITD)
PTH                               0.001 pmol/l          > laboratory upper limit (P-PRE-CA)
Heart rate                        0.001 /min            > 20 % from baseline (P-MON-CALL)
Systolic and diastolic pressure   0.001 mmHg            > 20 % from baseline (P-MON-CALL)
DXA Z-score                       0.001 SDS             ≤ -2.0 (P-BMD)
Age at a fracture, when no date   0.001 year (≈ 9 h)    < 10 (P-FX-b), < 19 (P-FX-c)
================================  ====================  ===========================================

Ages decided on dates are counted in calendar years (:func:`bisphos.dates.is_younger_than`): on
the 10th birthday a child is no longer younger than 10, and on the 19th birthday a patient is out
of scope (P-SCOPE-1).
"""

from __future__ import annotations

import datetime as dt
import enum
import operator
from collections.abc import Callable
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.errors import InvalidValueError
from bisphos.findings import Evidence
from bisphos.model import Fracture
from bisphos.pediatric import table as t
from bisphos.pediatric._calendar import is_younger_than
from bisphos.quantities import QuantityKind
from bisphos.units import Quantity, is_quantity, magnitude_in, quantity

__all__ = [
    "AGE_RESOLUTION",
    "BLOOD_PRESSURE_RESOLUTION",
    "BMI_PLAUSIBLE_KG_M2",
    "CALCIUM_RESOLUTION",
    "DAIRY_PORTIONS_PER_DAY",
    "FEVER",
    "FEVER_TEMPERATURE",
    "FRESH_CALCIUM_DAYS",
    "FRESH_CREATININE_MONTHS",
    "FRESH_FIRST_LABS_DAYS",
    "FRESH_WEIGHT_DAYS",
    "FX_A_MIN_COUNT",
    "FX_B_AGE_YEARS",
    "FX_B_MIN_COUNT",
    "FX_C_AGE_YEARS",
    "FX_C_MIN_COUNT",
    "GFR_RESOLUTION",
    "HEART_RATE_RESOLUTION",
    "HYPOCALCAEMIA",
    "HYPOCALCAEMIA_CALCIUM",
    "MAINTENANCE_DXA_MAX_AGE_MONTHS",
    "PAMIDRONATE_MIN_GFR",
    "PAMIDRONATE_RENAL_IMPAIRMENT",
    "PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT",
    "PAYNE_ALBUMIN_REFERENCE",
    "PAYNE_CALCIUM_PER_ALBUMIN",
    "PREGNANCY_AVOIDANCE_MONTHS",
    "PREGNANCY_COUNSELLING_AGE_YEARS",
    "PTH_RESOLUTION",
    "REDUCED_BMD",
    "REDUCED_BMD_Z_SCORE",
    "RENAL_IMPAIRMENT_MAX_GFR",
    "SCOPE_AGE_YEARS",
    "TEMPERATURE_RESOLUTION",
    "THRESHOLDS",
    "VITAL_SIGN_CHANGE",
    "VITAMIN_D_DAILY",
    "VITAMIN_D_DAILY_RAISED",
    "VITAMIN_D_DEFICIENCY",
    "VITAMIN_D_MINIMUM",
    "VITAMIN_D_RESOLUTION",
    "WEIGHT_PLAUSIBLE_SDS",
    "ZOLEDRONIC_ACID_GFR",
    "ZOLEDRONIC_ACID_MIN_GFR",
    "Z_SCORE_RESOLUTION",
    "Comparison",
    "Resolution",
    "Threshold",
    "at_least",
    "at_most",
    "below",
    "exceeds",
    "fracture_before_age",
    "steps",
    "vital_sign_band",
]


@attrs.frozen
class Resolution:
    """The step at which values of one kind are compared.

    Attributes:
        kind: The kind of value, which fixes the unit of ``step``; ``None`` for a unitless score
            (a DXA Z-score).
        step: The step, in the kind's canonical unit.
        label: The step in words, e.g. ``"0.001 °C"``.
    """

    kind: QuantityKind | None
    step: float
    label: str

    def steps(self, value: Quantity | float) -> int:
        """Return ``value`` as a whole number of steps (rounded to the nearest step).

        Raises:
            InvalidValueError: a quantity given for a unitless score, or the reverse.
            UnitError: the quantity does not fit the kind.
        """
        if self.kind is None:
            if is_quantity(value) or isinstance(value, bool):
                raise InvalidValueError(
                    "a score without unit was expected", value=str(value), expected="a number"
                )
            magnitude = float(value)
        else:
            magnitude = self.kind.magnitude(value, field=self.kind.name)
        return round(magnitude / self.step)


def steps(value: Quantity | float, resolution: Resolution) -> int:
    """Return ``value`` as a whole number of ``resolution`` steps."""
    return resolution.steps(value)


def exceeds(value: Quantity | float, limit: Quantity | float, resolution: Resolution) -> bool:
    """Return whether ``value`` is above ``limit`` at ``resolution`` (equal is not above)."""
    return resolution.steps(value) > resolution.steps(limit)


def below(value: Quantity | float, limit: Quantity | float, resolution: Resolution) -> bool:
    """Return whether ``value`` is below ``limit`` at ``resolution`` (equal is not below)."""
    return resolution.steps(value) < resolution.steps(limit)


def at_most(value: Quantity | float, limit: Quantity | float, resolution: Resolution) -> bool:
    """Return whether ``value`` is at or below ``limit`` at ``resolution``."""
    return resolution.steps(value) <= resolution.steps(limit)


def at_least(value: Quantity | float, limit: Quantity | float, resolution: Resolution) -> bool:
    """Return whether ``value`` is at or above ``limit`` at ``resolution``."""
    return resolution.steps(value) >= resolution.steps(limit)


#: Temperature, compared in steps of 0.001 °C (thermometers show 0.1 °C).
TEMPERATURE_RESOLUTION: Final = Resolution(q.TEMPERATURE, 0.001, "0.001 °C")
#: Total calcium, in steps of 0.001 mmol/l (laboratories report 0.01 mmol/l).
CALCIUM_RESOLUTION: Final = Resolution(q.CALCIUM, 0.001, "0.001 mmol/l")
#: GFR, in steps of 0.001 ml/min/1.73 m² (reported as whole numbers).
GFR_RESOLUTION: Final = Resolution(q.GFR, 0.001, "0.001 ml/min/1.73 m²")
#: 25-OH vitamin D, in steps of 0.001 nmol/l (reported as whole numbers).
VITAMIN_D_RESOLUTION: Final = Resolution(q.VITAMIN_D_25OH, 0.001, "0.001 nmol/l")
#: PTH, in steps of 0.001 pmol/l (reported to 0.1 pmol/l).
PTH_RESOLUTION: Final = Resolution(q.PTH, 0.001, "0.001 pmol/l")
#: Heart rate, in steps of 0.001 per minute (counted as whole beats).
HEART_RATE_RESOLUTION: Final = Resolution(q.HEART_RATE, 0.001, "0.001 /min")
#: Blood pressure, in steps of 0.001 mmHg (read to 1 mmHg).
BLOOD_PRESSURE_RESOLUTION: Final = Resolution(q.BLOOD_PRESSURE, 0.001, "0.001 mmHg")
#: DXA Z-scores, in steps of 0.001 SDS (reported to 0.1 SDS).
Z_SCORE_RESOLUTION: Final = Resolution(None, 0.001, "0.001 SDS")
#: An age given as a quantity (no date), in steps of 0.001 year, about 9 hours.
AGE_RESOLUTION: Final = Resolution(q.AGE, 0.001, "0.001 year")


class Comparison(enum.StrEnum):
    """How a value is compared with a limit; equality is decided by the rule's wording."""

    ABOVE = ">"
    BELOW = "<"
    AT_MOST = "<="
    AT_LEAST = ">="


# What each comparison means on whole steps (exceeds, below, at_most and at_least above).
_OPERATOR: Final[dict[Comparison, Callable[[int, int], bool]]] = {
    Comparison.ABOVE: operator.gt,
    Comparison.BELOW: operator.lt,
    Comparison.AT_MOST: operator.le,
    Comparison.AT_LEAST: operator.ge,
}


@attrs.frozen
class Threshold:
    """One limit of the protocol: the value is compared as ``value <comparison> limit``.

    Attributes:
        name: What is compared, e.g. ``"temperature"``.
        limit: The limit, a quantity (or a number for a unitless score).
        comparison: ``>``, ``<``, ``<=`` or ``>=``; :meth:`met` is true when it holds.
        resolution: The step at which value and limit are compared.
        rule_ids: The rules the limit comes from.
    """

    name: str
    limit: Quantity | float
    comparison: Comparison
    resolution: Resolution
    rule_ids: tuple[str, ...]
    # The limit in steps, counted once: a threshold is checked several times per assessment.
    _limit_steps: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_limit_steps", self.resolution.steps(self.limit))

    def met(self, value: Quantity | float) -> bool:
        """Return whether ``value <comparison> limit`` holds at the threshold's resolution."""
        return _OPERATOR[self.comparison](self.resolution.steps(value), self._limit_steps)

    def evidence(self, value: Quantity | float, name: str = "") -> Evidence:
        """Return ``value`` as evidence with this threshold's limit."""
        return Evidence(name=name or self.name, value=value, threshold=self.limit)


#: P-CI-FEVER, P-MON-CALL: a temperature above this postpones an infusion or calls the physician.
FEVER_TEMPERATURE: Final = quantity(38.5, "degC")
#: P-CI-HYPOCA, P-PRE-CA: a total calcium below this is hypocalcaemia.
HYPOCALCAEMIA_CALCIUM: Final = quantity(2.2, "mmol/L")
#: P-GFR: zoledronic acid needs a GFR above this; a hard gate.
ZOLEDRONIC_ACID_MIN_GFR: Final = quantity(90.0, "mL_min_1_73m2")
#: P-PRE-VITD: a 25-OH vitamin D below this is a deficiency.
VITAMIN_D_MINIMUM: Final = quantity(50.0, "nmol/L")
#: P-BMD: a DXA Z-score at or below this (in SDS) is a reduced bone mineral density.
REDUCED_BMD_Z_SCORE: Final = -2.0

#: A temperature above 38.5 °C; exactly 38.5 °C is not a fever.
FEVER: Final = Threshold(
    "temperature",
    FEVER_TEMPERATURE,
    Comparison.ABOVE,
    TEMPERATURE_RESOLUTION,
    ("P-CI-FEVER", "P-MON-CALL"),
)
#: A total calcium below 2.2 mmol/l; exactly 2.2 mmol/l is not hypocalcaemia.
HYPOCALCAEMIA: Final = Threshold(
    "total calcium",
    HYPOCALCAEMIA_CALCIUM,
    Comparison.BELOW,
    CALCIUM_RESOLUTION,
    ("P-CI-HYPOCA", "P-PRE-CA"),
)
#: Met when the GFR allows zoledronic acid: above 90; exactly 90 does not.
ZOLEDRONIC_ACID_GFR: Final = Threshold(
    "GFR", ZOLEDRONIC_ACID_MIN_GFR, Comparison.ABOVE, GFR_RESOLUTION, ("P-GFR",)
)
#: A 25-OH vitamin D below 50 nmol/l; it blocks the first infusion.
VITAMIN_D_DEFICIENCY: Final = Threshold(
    "25-OH vitamin D",
    VITAMIN_D_MINIMUM,
    Comparison.BELOW,
    VITAMIN_D_RESOLUTION,
    ("P-PRE-VITD",),
)
#: A DXA Z-score of -2.0 SDS or lower; exactly -2.0 is reduced.
REDUCED_BMD: Final = Threshold(
    "DXA Z-score", REDUCED_BMD_Z_SCORE, Comparison.AT_MOST, Z_SCORE_RESOLUTION, ("P-BMD",)
)

#: P-PAM-RENAL: pamidronate needs a Schwartz-40 GFR of at least this (labels: not recommended in
#: severe renal impairment).
PAMIDRONATE_MIN_GFR: Final = quantity(t.PAMIDRONATE_MIN_GFR.value, t.PAMIDRONATE_MIN_GFR.unit)
#: P-PAM-RENAL: a Schwartz-40 GFR at or below this is renal impairment for pamidronate (its rate
#: at most 20 mg/h); the same 90 as the zoledronic acid gate, where exactly 90 does not pass.
RENAL_IMPAIRMENT_MAX_GFR: Final = ZOLEDRONIC_ACID_MIN_GFR
#: Met when the GFR forbids pamidronate: below 30; exactly 30 allows it (with the renal rate).
PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT: Final = Threshold(
    "GFR", PAMIDRONATE_MIN_GFR, Comparison.BELOW, GFR_RESOLUTION, ("P-PAM-RENAL",)
)
#: Met when pamidronate is given at the renal rate (at most 20 mg/h): a GFR of 90 or less.
PAMIDRONATE_RENAL_IMPAIRMENT: Final = Threshold(
    "GFR", RENAL_IMPAIRMENT_MAX_GFR, Comparison.AT_MOST, GFR_RESOLUTION, ("P-PAM-RENAL",)
)
#: P-MAINT-BAND: a latest DXA older than this many months leaves the maintenance band uncertain.
MAINTENANCE_DXA_MAX_AGE_MONTHS: Final = 18

#: Every threshold object, for documentation.
THRESHOLDS: Final = (
    FEVER,
    HYPOCALCAEMIA,
    ZOLEDRONIC_ACID_GFR,
    PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT,
    PAMIDRONATE_RENAL_IMPAIRMENT,
    VITAMIN_D_DEFICIENCY,
    REDUCED_BMD,
)

#: In scope while younger than 19 years (P-SCOPE-1).
SCOPE_AGE_YEARS: Final = 19
#: P-FX-a: at least one vertebral compression fracture.
FX_A_MIN_COUNT: Final = 1
#: P-FX-b: at least two long-bone fractures before the age of 10.
FX_B_MIN_COUNT: Final = 2
#: P-FX-b: the age before which the fractures count.
FX_B_AGE_YEARS: Final = 10
#: P-FX-c: at least three long-bone fractures before the age of 19.
FX_C_MIN_COUNT: Final = 3
#: P-FX-c: the age before which the fractures count.
FX_C_AGE_YEARS: Final = 19

#: P-MON-CALL: heart rate or blood pressure changing more than this from baseline.
VITAL_SIGN_CHANGE: Final = quantity(20.0, "percent")
_VITAL_SIGN_FRACTION: Final = float(magnitude_in(VITAL_SIGN_CHANGE, "dimensionless"))

#: P-SUPP-VITD: vitamin D at least 400 IU (10 µg) per day.
VITAMIN_D_DAILY: Final = quantity(400.0, "IU")
#: P-SUPP-VITD: at least 800 IU per day with a dark skin or little time outdoors.
VITAMIN_D_DAILY_RAISED: Final = quantity(800.0, "IU")
#: P-SUPP-CA: at least two to three dairy portions per day, depending on age.
DAIRY_PORTIONS_PER_DAY: Final = (2, 3)

#: P-CI-PREG: pregnancy is avoided until this many months after the last dose.
PREGNANCY_AVOIDANCE_MONTHS: Final = 12
#: P-CI-PREG: when not recorded, female patients of this age or older are counselled.
PREGNANCY_COUNSELLING_AGE_YEARS: Final = 10

#: Payne's correction (information only, P-CI-HYPOCA): mmol/l calcium per g/l albumin.
PAYNE_CALCIUM_PER_ALBUMIN: Final = 0.02
#: Payne's correction: the albumin, in g/l, at which corrected and total calcium agree.
PAYNE_ALBUMIN_REFERENCE: Final = quantity(40.0, "g/L")


def vital_sign_band(baseline: Quantity, kind: QuantityKind) -> tuple[Quantity, Quantity]:
    """Return the lowest and highest values within 20 % of ``baseline`` (P-MON-CALL).

    A value outside is more than 20 % from baseline when it is :func:`below` the low end or
    :func:`exceeds` the high end; the ends themselves are within the band. The ends are rounded
    to 0.001 of the canonical unit, the resolution at which vital signs are compared.
    """
    base = kind.magnitude(baseline, field=kind.name)
    low = _canonical(round(base * (1 - _VITAL_SIGN_FRACTION), 3), kind)
    high = _canonical(round(base * (1 + _VITAL_SIGN_FRACTION), 3), kind)
    return low, high


def _canonical(magnitude: float, kind: QuantityKind) -> Quantity:
    return kind.of(magnitude)


def fracture_before_age(fracture: Fracture, birth_date: dt.date, years: int) -> bool:
    """Return whether ``fracture`` happened before the patient's birthday number ``years``.

    With a date, calendar birthdays decide: a fracture on the 10th birthday is not before 10.
    With only an age at the fracture, the age is compared at :data:`AGE_RESOLUTION`.
    """
    if fracture.date is not None:
        return is_younger_than(birth_date, years, fracture.date)
    if fracture.age_at_fracture is None:  # the model guarantees one of the two
        raise InvalidValueError("a fracture needs a date or an age", field="fracture")
    return below(fracture.age_at_fracture, quantity(float(years), q.AGE.canonical), AGE_RESOLUTION)


# Readings of December 2026: the course as a whole (P-WEIGHT-PLAUSIBLE, P-FRESH, P-PREP-PRODUCT).

#: P-WEIGHT-PLAUSIBLE: a weight beyond this many SDS of the growth reference is implausible.
WEIGHT_PLAUSIBLE_SDS: Final = 5.0
#: P-WEIGHT-PLAUSIBLE: the plausible body mass index, in kg/m², where no reference applies (and
#: as a backstop where one does: the LMS curves flatten at extreme values).
BMI_PLAUSIBLE_KG_M2: Final = (8.0, 60.0)
#: P-FRESH: the labs of P-PRE-LABS clear a first infusion when at most this many days old.
FRESH_FIRST_LABS_DAYS: Final = 90
#: P-FRESH: the creatinine of the zoledronic acid gate, at most this many months old (P-FU-LABS).
FRESH_CREATININE_MONTHS: Final = 12
#: P-FRESH: the calcium before a later infusion, at most this many days old (else WARN).
FRESH_CALCIUM_DAYS: Final = 90
#: P-FRESH: the dosing weight, at most this many days old (else WARN "weigh before the infusion").
FRESH_WEIGHT_DAYS: Final = 30
