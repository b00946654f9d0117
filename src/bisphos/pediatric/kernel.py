"""The dose, limit and interval arithmetic of the pediatric protocol, written once.

Every function here computes on canonical magnitudes only (doses per kg in mg/kg, weights in kg,
doses in mg, months) with the numbers of :mod:`bisphos.pediatric.table`, through an
:class:`Arithmetic`: the one-patient path (:mod:`~bisphos.pediatric.dosing`,
:mod:`~bisphos.pediatric.limits`, the plan's last check) uses :data:`EXACT`, decimal arithmetic on
the shortest decimal form of each float, and the batch path (:mod:`bisphos.batch.vector`) passes
its own arithmetic on numpy arrays of integers. The rules are the same code for both: what a
dose is, how it is limited and rounded, when the next infusion is due.

- :func:`regular_per_kg`: 0.05 mg/kg zoledronic acid, or 0.025 mg/kg with P-ZOL-LOW or
  P-ZOL-COMPL; 2 mg/kg pamidronate (P-ZOL-DOSE, P-PAM-DOSE).
- :func:`phase_dose`: the first zoledronic acid infusion at the chosen first dose, the second at
  0.025 mg/kg (P-ZOL-FIRST); the first pamidronate infusion half the regular dose with half the
  cap as its limit (P-PAM-FIRST).
- :func:`hungry_bones`: a quarter of the regular dose, with a quarter of the cap, when that is
  lower than the phase's dose (P-HUNGRY).
- :func:`limited_dose`: the dose clipped to the daily cap, the phase's per-kg maximum times the
  weight and any lower ceiling, and rounded down to the step (invariants 1 to 3).
- :func:`interval_months`: 3 months before the second zoledronic acid infusion, 6 after; 3 for
  pamidronate (P-ZOL-FIRST, P-ZOL-FREQ, P-PAM-FREQ).
- :func:`pamidronate_volume_ml` and :func:`rate_per_h`: the preparation (P-PAM-DOSE);
  :func:`pamidronate_hours`, :func:`renal_slower` and :func:`pamidronate_renal_rate_ml_h`: the
  infusion time in renal impairment, at most 20 mg/h (P-PAM-RENAL).
- :func:`history_interval_months`: the interval the last drug given sets after its last
  infusion, whatever drug comes next (P-HIST-INTERVAL); with the second zoledronic acid
  infusion omitted, 6 months before the second (P-ZOL-SECOND). :func:`after_history` and
  :func:`due_after`: the day that interval gives after the last infusion of any drug, and where
  the first infusion is counted from (an overdue one: the start) — the one computation of the
  schedule, the batch path and the hard-limit gate.
- :func:`per_kg_limit_mg` and :func:`day_limit_mg`: the hard limits a plan is checked against
  last.
- :func:`syringe_steps`: the volume of a product to draw up, in whole syringe steps: the nearest
  step to the planned dose, or the step below where the nearest would pass a limit
  (P-PREP-PRODUCT).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from typing import Any, Final, Generic, Protocol, TypeVar, cast

from bisphos.model import Drug
from bisphos.pediatric import table as t
from bisphos.pediatric.table import Interval, Number, Phase

__all__ = [
    "EXACT",
    "WEIGHT_RESOLUTION_KG",
    "Arithmetic",
    "Exact",
    "after_history",
    "daily_cap_mg",
    "day_limit_mg",
    "due_after",
    "exact",
    "history_interval_months",
    "hungry_bones",
    "interval_months",
    "limited_dose",
    "nearest_mg_kg",
    "pamidronate_hours",
    "pamidronate_renal_rate_ml_h",
    "pamidronate_volume_ml",
    "per_kg_limit_mg",
    "phase_dose",
    "rate_per_h",
    "regular_per_kg",
    "renal_slower",
    "syringe_steps",
]

N = TypeVar("N")
#: A date, or an array of dates.
D = TypeVar("D")
#: A condition: a bool for one patient, an array of bools for many.
Condition = Any


class Arithmetic(Protocol, Generic[N]):
    """How the kernel's numbers are represented and combined: one patient, or arrays of them."""

    def per_kg(self, value: Number | float) -> N:
        """A dose per kg (mg/kg) of the table, or an option's value."""
        ...

    def mg(self, value: Number | float) -> N:
        """A mass (mg) of the table."""
        ...

    def times_weight(self, per_kg: N, weight: Any) -> N:
        """A dose per kg times the weight: a mass."""
        ...

    def fraction(self, value: N, fraction: Fraction) -> N:
        """``value`` x ``fraction`` (exact: a half, a quarter)."""
        ...

    def where(self, condition: Condition, then: N, otherwise: N) -> N:
        """``then`` where ``condition`` holds, ``otherwise`` elsewhere."""
        ...

    def minimum(self, first: N, second: N) -> N:
        """The lower of two values."""
        ...

    def floor_to(self, value: N, step: N) -> N:
        """``value`` rounded down to a whole number of ``step``."""
        ...

    def less(self, first: N, second: N) -> Condition:
        """Whether ``first`` is below ``second``."""
        ...

    def both(self, first: Condition, second: Condition) -> Condition:
        """Whether both conditions hold."""
        ...

    def negate(self, condition: Condition) -> Condition:
        """Whether the condition does not hold."""
        ...


#: Decimal arithmetic at 60 digits: every product and quotient of the table's numbers is exact.
_CONTEXT: Final = Context(prec=60)


def exact(value: float) -> Decimal:
    """Return the shortest decimal that reads back as ``value`` (``0.1`` is ``Decimal("0.1")``).

    The limits compare and round on these decimals; tests use the same function to state the
    invariants exactly.
    """
    return Decimal(repr(float(value)))


class Exact:
    """The arithmetic of one patient: decimals of the shortest form of each float, exactly."""

    def per_kg(self, value: Number | float) -> Decimal:
        """The decimal of a dose per kg."""
        return value.decimal if isinstance(value, Number) else exact(value)

    def mg(self, value: Number | float) -> Decimal:
        """The decimal of a mass."""
        return value.decimal if isinstance(value, Number) else exact(value)

    def times_weight(self, per_kg: Decimal, weight: Decimal) -> Decimal:
        """The exact product."""
        return _CONTEXT.multiply(per_kg, weight)

    def fraction(self, value: Decimal, fraction: Fraction) -> Decimal:
        """The exact product with a half or a quarter."""
        return _CONTEXT.divide(value * fraction.numerator, Decimal(fraction.denominator))

    def where(self, condition: Condition, then: Decimal, otherwise: Decimal) -> Decimal:
        """``then`` if ``condition`` else ``otherwise``."""
        return then if condition else otherwise

    def minimum(self, first: Decimal, second: Decimal) -> Decimal:
        """The lower; the first of two equal ones."""
        return second if second < first else first

    def floor_to(self, value: Decimal, step: Decimal) -> Decimal:
        """Down to a whole number of steps, exactly."""
        whole = _CONTEXT.divide(value, step).to_integral_value(rounding=ROUND_FLOOR)
        return _CONTEXT.multiply(whole, step)

    def less(self, first: Decimal, second: Decimal) -> bool:
        """``first < second``."""
        return first < second

    def both(self, first: Condition, second: Condition) -> bool:
        """``first and second``."""
        return bool(first and second)

    def negate(self, condition: Condition) -> bool:
        """``not condition``."""
        return not condition


#: The arithmetic of the one-patient path.
EXACT: Final = Exact()


def regular_per_kg(a: Arithmetic[N], *, zoledronic: Condition, reduced: Condition) -> N:
    """The regular dose per kg of active treatment (P-ZOL-DOSE, P-ZOL-LOW/COMPL, P-PAM-DOSE).

    Args:
        a: The arithmetic.
        zoledronic: Zoledronic acid (else pamidronate).
        reduced: P-ZOL-LOW or P-ZOL-COMPL applies (under 2 years on the infusion date, low bone
            turnover, or a more than mild complication after an earlier infusion).
    """
    zoledronic_acid = a.where(
        reduced,
        a.per_kg(t.ZOLEDRONIC_ACID_REDUCED_MG_PER_KG),
        a.per_kg(t.ZOLEDRONIC_ACID_REGULAR_MG_PER_KG),
    )
    return a.where(zoledronic, zoledronic_acid, a.per_kg(t.PAMIDRONATE_MG_PER_KG))


def phase_dose(
    a: Arithmetic[N],
    *,
    zoledronic: Condition,
    first: Condition,
    second: Condition,
    regular: N,
    zoledronic_first: N,
    cap: N,
) -> tuple[N, N]:
    """The phase's dose per kg and its limit in mg (P-ZOL-FIRST, P-PAM-FIRST).

    Zoledronic acid: the first infusion at ``zoledronic_first`` (0.0125 mg/kg by default, an
    option), the second at 0.025 mg/kg, both under the cap. Pamidronate: the first infusion at
    half the regular dose, with half the cap as its limit (the cap applied before halving).
    Otherwise the regular dose under the cap.
    """
    zoledronic_acid = a.where(
        first,
        zoledronic_first,
        a.where(second, a.per_kg(t.ZOLEDRONIC_ACID_SECOND_MG_PER_KG), regular),
    )
    half = t.PAMIDRONATE_FIRST_FRACTION
    pamidronate = a.where(first, a.fraction(regular, half), regular)
    per_kg = a.where(zoledronic, zoledronic_acid, pamidronate)
    limit = a.where(a.both(a.negate(zoledronic), first), a.fraction(cap, half), cap)
    return per_kg, limit


def hungry_bones(
    a: Arithmetic[N],
    *,
    applies: Condition,
    per_kg: N,
    limit: N,
    regular: N,
    cap: N,
    weight: Any,
) -> tuple[Condition, N, N, N, N]:
    """P-HUNGRY: a quarter of the regular dose, with a quarter of the cap, where it is lower.

    Returns whether the quarter replaces the phase's dose, the dose per kg and the limit that
    then apply, and the two amounts compared (the quarter's and the phase's, each under its
    limit).
    """
    quarter = a.fraction(regular, t.HUNGRY_BONES_FRACTION)
    quarter_limit = a.fraction(cap, t.HUNGRY_BONES_FRACTION)
    quarter_amount = a.minimum(a.times_weight(quarter, weight), quarter_limit)
    phase_amount = a.minimum(a.times_weight(per_kg, weight), limit)
    lower = a.both(applies, a.less(quarter_amount, phase_amount))
    return (
        lower,
        a.where(lower, quarter, per_kg),
        a.where(lower, quarter_limit, limit),
        quarter_amount,
        phase_amount,
    )


def limited_dose(
    a: Arithmetic[N],
    *,
    proposed: N,
    ceiling: N,
    maximum_per_kg: N,
    weight: Any,
    cap: N,
    step: N,
) -> tuple[N, N, N]:
    """The dose within every hard limit, rounded down (invariants 1 to 3).

    The limits are the daily ``cap``, ``maximum_per_kg`` times the weight and ``ceiling`` (a
    caller's lower limit: half or a quarter of the cap). Returns the rounded dose, the lowest
    limit and the per-kg limit in mg. A dose that rounds to zero is the caller's to refuse.
    """
    per_kg_limit = a.times_weight(maximum_per_kg, weight)
    lowest = a.minimum(a.minimum(cap, per_kg_limit), ceiling)
    return a.floor_to(a.minimum(proposed, lowest), step), lowest, per_kg_limit


def _months(interval: Interval) -> int:
    return interval.months


def interval_months(
    a: Arithmetic[Any],
    *,
    zoledronic: Condition,
    number: Any,
    of: Callable[[Interval], Any] = _months,
    second_infusion: bool = True,
) -> Any:
    """The interval from infusion ``number − 1`` to infusion ``number`` of active treatment.

    Zoledronic acid: 3 months before the second (P-ZOL-FIRST), 6 months otherwise (P-ZOL-FREQ);
    without the optional 3-month second infusion, 6 months before the second too
    (P-ZOL-SECOND); pamidronate: 3 months (P-PAM-FREQ). ``of`` takes what is wanted of the
    table's :class:`~bisphos.pediatric.table.Interval`: its months by default, or the interval
    itself.
    """
    intervals = t.INTERVAL_MONTHS
    second = intervals[
        "zoledronic_acid_second" if second_infusion else "zoledronic_acid_second_omitted"
    ]
    zoledronic_acid = a.where(number == 2, of(second), of(intervals["zoledronic_acid"]))
    return a.where(zoledronic, zoledronic_acid, of(intervals["pamidronate"]))


def history_interval_months(
    a: Arithmetic[Any],
    *,
    last_zoledronic: Condition,
    given_of_last: Any,
    of: Callable[[Interval], Any] = _months,
    second_infusion: bool = True,
) -> Any:
    """The interval after the last infusion in the history, whatever drug comes next.

    P-HIST-INTERVAL: the last given drug's own schedule sets it, as if its next infusion
    followed: ``given_of_last`` is how many infusions of that drug the history holds. A
    maintenance band's interval, where one applies, replaces it (the caller's).
    """
    return interval_months(
        a,
        zoledronic=last_zoledronic,
        number=given_of_last + 1,
        of=of,
        second_infusion=second_infusion,
    )


def due_after(add_months: Callable[[D, Any], D], last: D, months: Any, days: int = 0) -> D:
    """The day ``months`` calendar months and ``days`` days after ``last`` (P-HIST-INTERVAL).

    ``add_months`` is the calendar of the caller: :func:`bisphos.dates.add_months` for one date,
    :func:`bisphos.batch.dates.add_months` for an array of them (a month-end day is kept, or the
    shorter month's last day taken).
    """
    due: Any = add_months(last, months)
    if days:
        due = due + dt.timedelta(days=days)
    return cast("D", due)


def after_history(
    a: Arithmetic[Any],
    add_months: Callable[[D, Any], D],
    *,
    history: Condition,
    last: D,
    months: Any,
    start: D,
) -> tuple[D, D, Any]:
    """Where the first infusion after the history is counted from (P-HIST-INTERVAL).

    The next infusion of any bisphosphonate is due ``months`` after ``last``, the last infusion
    of any drug (``months``: the last given drug's own interval, :func:`history_interval_months`,
    or a maintenance band's), so a switch of drug never shortens it. When that day is before
    ``start`` (overdue), or there is no ``history``, the course is counted from ``start``.

    Returns:
        ``(due, base, months from base)``: the first date is ``months from base`` after
        ``base``, so that the day of the month of the last infusion is kept.
    """
    due = due_after(add_months, last, months)
    counted = a.both(history, a.negate(a.less(due, start)))
    return due, a.where(counted, last, start), a.where(counted, months, 0)


def pamidronate_hours(dose_mg: Decimal, *, renal: bool) -> Decimal:
    """The pamidronate infusion time: 4 h, or dose / 20 mg/h where longer in renal impairment.

    P-PAM-DOSE, P-PAM-RENAL: the rate is at most 20 mg/h where the Schwartz-40 GFR is 90 or
    less (or unknown).
    """
    hours = t.PAMIDRONATE_DURATION_H.decimal
    if not renal:
        return hours
    renal_hours = _CONTEXT.divide(dose_mg, t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.decimal)
    return renal_hours if renal_hours > hours else hours


def renal_slower(a: Arithmetic[N], *, dose: N) -> Condition:
    """Whether a pamidronate dose (a mass) takes longer than 4 h at 20 mg/h (P-PAM-RENAL)."""
    longest = _CONTEXT.multiply(
        t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.decimal, t.PAMIDRONATE_DURATION_H.decimal
    )
    return a.less(a.mg(float(longest)), dose)


def pamidronate_renal_rate_ml_h() -> Decimal:
    """The pump rate of pamidronate at 20 mg/h and 0.1 mg/ml: 200 ml/h (P-PAM-RENAL)."""
    return _CONTEXT.divide(
        t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.decimal, t.PAMIDRONATE_CONCENTRATION_MG_ML.decimal
    )


def pamidronate_volume_ml(dose_mg: Decimal) -> Decimal:
    """The volume of a pamidronate dose at the protocol's concentration (P-PAM-DOSE)."""
    return _CONTEXT.divide(dose_mg, t.PAMIDRONATE_CONCENTRATION_MG_ML.decimal)


def rate_per_h(amount: Decimal, hours: Decimal) -> Decimal:
    """An amount (ml or mg) per hour over ``hours``."""
    return _CONTEXT.divide(amount, hours)


#: The resolution a body weight is taken to before dosing: 1 mg (0.000001 kg).
WEIGHT_RESOLUTION_KG: Final = Decimal("0.000001")


def nearest_mg_kg(weight_kg: float) -> float:
    """``weight_kg`` to the nearest milligram (half to even), in decimal."""
    return float(exact(weight_kg).quantize(WEIGHT_RESOLUTION_KG, rounding=ROUND_HALF_EVEN))


def daily_cap_mg(drug: Drug) -> Decimal:
    """The daily cap of ``drug`` in mg (P-ZOL-CAP, P-PAM-CAP; invariant 1)."""
    return t.DAILY_CAP_MG[drug].decimal


def per_kg_limit_mg(drug: Drug, phase: Phase, weight_kg: Decimal) -> Decimal:
    """The phase's per-kg maximum times the dosing weight, in mg (invariant 2)."""
    return EXACT.times_weight(t.PER_KG_MAXIMUM_MG_PER_KG[drug, phase].decimal, weight_kg)


def day_limit_mg(drug: Drug, weight_kg: Decimal) -> Decimal:
    """The most of ``drug`` on one calendar day (P-ZOL-CAP, P-PAM-CAP).

    The lower of the drug's cap and its highest per-kg maximum times the weight.
    """
    highest = max(per_kg_limit_mg(drug, phase, weight_kg) for phase in Phase)
    return EXACT.minimum(daily_cap_mg(drug), highest)


def syringe_steps(
    dose_mg: Decimal, limit_mg: Decimal, concentration_mg_ml: Decimal, resolution_ml: Decimal
) -> tuple[int, int]:
    """The syringe steps of a product to draw up for ``dose_mg`` (P-PREP-PRODUCT).

    One step is ``resolution_ml`` of the product, ``resolution_ml x concentration_mg_ml`` mg.
    The volume is the nearest whole step to the dose (a half step down: less drug), or the step
    below where the nearest would deliver more than ``limit_mg`` (the lowest hard limit of the
    infusion). Returns the steps drawn up and the nearest steps; the steps drawn are never more
    than the nearest and never deliver more than ``limit_mg``. Zero steps is the caller's to
    refuse.
    """
    step_mg = _CONTEXT.multiply(resolution_ml, concentration_mg_ml)
    nearest = int(_CONTEXT.divide(dose_mg, step_mg).to_integral_value(rounding=ROUND_HALF_DOWN))
    most = int(_CONTEXT.divide(limit_mg, step_mg).to_integral_value(rounding=ROUND_FLOOR))
    return min(nearest, most), nearest
