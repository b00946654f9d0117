"""Hard dose limits of the pediatric protocol, applied last to every proposed dose.

Two kinds of limit bound every intravenous bisphosphonate dose, whoever proposed it (the protocol's
own dosing, an option, or a hospital plugin):

- the **daily cap** of the drug: zoledronic acid 4 mg per day (P-ZOL-CAP), pamidronate 90 mg per
  day (P-PAM-CAP) — invariant 1;
- the **per-kg maximum of the phase** times the body weight (invariant 2): zoledronic acid 0.025
  mg/kg for the first and second infusion (P-ZOL-FIRST) and in maintenance (P-MAINT-MID,
  P-MAINT-HIGH), 0.05 mg/kg for the regular infusions (P-ZOL-DOSE); pamidronate 1 mg/kg for the
  first infusion (half of 2 mg/kg, P-PAM-FIRST) and 2 mg/kg otherwise (P-PAM-DOSE).

A caller may add a lower ceiling (the first pamidronate infusion is at most half the cap), never a
higher one. :func:`enforce` clips a proposed dose to the lowest of these limits and rounds it.

**Rounding.** A dose is rounded once, here, at the end: *down* to a stated step, zoledronic acid
to 0.001 mg and pamidronate to 0.1 mg by default. Down, because rounding to nearest could carry a
dose that sits at a limit past it, and because the protocol's reading of doubt is "less drug".
The zoledronic acid step is 1 µg rather than 0.01 mg because its doses span 0.002 mg (a 0.4 kg
infant on a quarter dose) to 4 mg: a 0.01 mg step would take nearly half the first dose of a
1.5 kg infant (0.019 mg to 0.01 mg) and round doses under 0.01 mg to nothing. The pamidronate step
of 0.1 mg makes the volume at 0.1 mg/ml a whole number of millilitres (P-PAM-DOSE). Both steps
are options of the dosing. The arithmetic is done in decimal on the shortest decimal form of each
float (``repr``), so that 0.0125 mg/kg x 20 kg is 0.25 mg and not 0.2499999... rounded down to
0.249 mg; the returned float is the one nearest that decimal.

**Refusals.** A proposed dose that is NaN, infinite, zero, negative or that rounds to zero raises
:class:`~bisphos.errors.HardLimitError`; a dose in a unit that is not a mass raises
:class:`~bisphos.errors.DimensionError`; a bare number raises
:class:`~bisphos.errors.MissingUnitError`. No value is ever returned above a limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.catalogue import unique_ids
from bisphos.errors import HardLimitError, ImplausibleValueError
from bisphos.model import Drug
from bisphos.pediatric import table as t
from bisphos.pediatric.kernel import EXACT, WEIGHT_RESOLUTION_KG, exact, limited_dose, nearest_mg_kg
from bisphos.pediatric.table import Phase
from bisphos.units import Quantity, format_quantity, quantity

__all__ = [
    "DAILY_CAPS",
    "DEFAULT_PRECISION",
    "HARD_RULE",
    "LOCAL_GFR_RANGE",
    "NATIONAL_MIN_INTERVAL_MONTHS",
    "PAMIDRONATE_FIRST_MAX",
    "PAMIDRONATE_MAX_RATE",
    "PAMIDRONATE_MIN_GFR",
    "PAMIDRONATE_RENAL_MAX_RATE",
    "WEIGHT_RESOLUTION_KG",
    "ZOLEDRONIC_FIRST_INFUSIONS",
    "ZOLEDRONIC_MIN_DURATION",
    "DailyCap",
    "LimitedDose",
    "PerKgMaximum",
    "Phase",
    "canonical_magnitude",
    "check_final",
    "daily_cap",
    "dosing_weight_kg",
    "enforce",
    "exact",
    "final_mg",
    "max_per_kg",
]


@attrs.frozen
class DailyCap:
    """The most of a drug that may be given in one day.

    Attributes:
        drug: The drug.
        dose: The cap, in mg.
        rule_id: The rule that sets it.
    """

    drug: Drug
    dose: Quantity
    rule_id: str


@attrs.frozen
class PerKgMaximum:
    """The highest dose per kg the protocol gives for one drug in one phase (invariant 2).

    Attributes:
        drug: The drug.
        phase: The phase.
        per_kg: The maximum, in mg/kg.
        rule_ids: The rules that set it.
    """

    drug: Drug
    phase: Phase
    per_kg: Quantity
    rule_ids: tuple[str, ...]


_mg: Final = q.DOSE.of
_mg_per_kg: Final = q.DOSE_PER_KG.of


def canonical_magnitude(kind: q.QuantityKind, value: object, *, field: str) -> float:
    """Return ``value`` as a float in ``kind``'s canonical unit (:meth:`QuantityKind.magnitude`).

    Raises the typed errors of :meth:`QuantityKind.magnitude`.
    """
    return kind.magnitude(value, field=field)


#: The daily caps, P-ZOL-CAP and P-PAM-CAP (invariant 1), from :mod:`bisphos.pediatric.table`.
DAILY_CAPS: Final[Mapping[Drug, DailyCap]] = MappingProxyType(
    {drug: DailyCap(drug, _mg(cap.value), cap.rule_ids[0]) for drug, cap in t.DAILY_CAP_MG.items()}
)

_PER_KG_MAXIMA: Final[Mapping[tuple[Drug, Phase], PerKgMaximum]] = MappingProxyType(
    {
        (drug, phase): PerKgMaximum(drug, phase, _mg_per_kg(maximum.value), maximum.rule_ids)
        for (drug, phase), maximum in t.PER_KG_MAXIMUM_MG_PER_KG.items()
    }
)

# -- P-HARD: the limits every plan of every protocol is checked against (bisphos.gate) -------
# As quantities, from the table (bisphos.pediatric.table), for the gate and the documentation.

#: The rule of the hard limits as a whole: whoever made the plan, on its own numbers.
HARD_RULE: Final = "P-HARD"
#: P-ZOL-FIRST, P-HARD: the first two infusions of zoledronic acid are at most 0.025 mg/kg.
ZOLEDRONIC_FIRST_INFUSIONS: Final = t.ZOLEDRONIC_ACID_FIRST_INFUSIONS
#: P-PAM-FIRST, P-HARD: the first pamidronate infusion is at most half the cap, 45 mg.
PAMIDRONATE_FIRST_MAX: Final = quantity(
    float(
        t.DAILY_CAP_MG[Drug.PAMIDRONATE].decimal
        * t.PAMIDRONATE_FIRST_FRACTION.numerator
        / t.PAMIDRONATE_FIRST_FRACTION.denominator
    ),
    "milligram",
)
#: P-HARD (label): zoledronic acid is infused over at least 15 minutes.
ZOLEDRONIC_MIN_DURATION: Final = quantity(
    t.ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN.value, t.ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN.unit
)
#: P-PAM-RENAL: below this Schwartz-40 GFR no pamidronate.
PAMIDRONATE_MIN_GFR: Final = quantity(t.PAMIDRONATE_MIN_GFR.value, t.PAMIDRONATE_MIN_GFR.unit)
#: P-PAM-RENAL, P-PAM-LABEL: the highest pamidronate rate with a GFR of 30 to 90.
PAMIDRONATE_RENAL_MAX_RATE: Final = quantity(
    t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.value, t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.unit
)
#: P-PAM-RENAL, P-PAM-LABEL: the highest pamidronate rate by renal function, the table's one
#: entry (:data:`bisphos.pediatric.table.PAMIDRONATE_MAX_RATE_MG_H`) as quantities: 60 mg/h,
#: 20 mg/h with a GFR of 90 or less or with renal function unknown.
PAMIDRONATE_MAX_RATE: Final[Mapping[t.RenalFunction, Quantity]] = MappingProxyType(
    {renal: quantity(n.value, n.unit) for renal, n in t.PAMIDRONATE_MAX_RATE_MG_H.items()}
)
#: P-GFR-LOCAL: a local GFR estimate outside this range is a plugin error.
LOCAL_GFR_RANGE: Final = tuple(quantity(n.value, n.unit) for n in t.LOCAL_GFR_RANGE)
#: P-HIST-INTERVAL: the national protocol's least interval between two infusions of any
#: bisphosphonate, in calendar months.
NATIONAL_MIN_INTERVAL_MONTHS: Final = t.MINIMUM_INTERVAL.months

#: The default rounding step of each drug (see the module documentation for why).
DEFAULT_PRECISION: Final[Mapping[Drug, Quantity]] = MappingProxyType(
    {drug: _mg(step.value) for drug, step in t.ROUNDING_STEP_MG.items()}
)


def daily_cap(drug: Drug | str) -> DailyCap:
    """Return the daily cap of ``drug`` (P-ZOL-CAP, P-PAM-CAP); a text value names a drug too."""
    return DAILY_CAPS[drug if type(drug) is Drug else Drug(drug)]


def max_per_kg(drug: Drug | str, phase: Phase | str) -> PerKgMaximum:
    """Return the protocol's highest dose per kg for ``drug`` in ``phase`` (invariant 2).

    ``drug`` and ``phase`` may be given as their text values (``"pamidronate"``, ``"first"``).
    """
    return _PER_KG_MAXIMA[
        drug if type(drug) is Drug else Drug(drug),
        phase if type(phase) is Phase else Phase(phase),
    ]


@attrs.frozen
class LimitedDose:
    """A proposed dose after the hard limits and the rounding.

    Attributes:
        drug: The drug.
        phase: The phase whose per-kg maximum applied.
        proposed: The dose as proposed, in mg.
        dose: The final dose: at most ``ceiling``, rounded down to ``precision``, in mg.
        daily_cap: The drug's daily cap.
        per_kg_maximum: The phase's per-kg maximum.
        per_kg_limit: The per-kg maximum times the body weight, in mg.
        ceiling: The lowest limit that applied (cap, per-kg limit, or a caller's lower ceiling).
        ceiling_rule_ids: The rules that set ``ceiling``.
        capped: Whether the proposed dose was above ``ceiling`` and was brought down to it.
        precision: The rounding step, in mg; rounding is always down.
        rule_ids: Every rule involved: the cap's, the per-kg maximum's and any caller ceiling's.
    """

    drug: Drug
    phase: Phase
    proposed: Quantity
    dose: Quantity
    daily_cap: DailyCap
    per_kg_maximum: PerKgMaximum
    per_kg_limit: Quantity
    ceiling: Quantity
    ceiling_rule_ids: tuple[str, ...]
    capped: bool
    precision: Quantity
    rule_ids: tuple[str, ...]


def _magnitude_mg(value: object, *, field: str) -> float:
    """Return a positive, finite mass in mg, or raise a typed error."""
    try:
        magnitude = canonical_magnitude(q.DOSE, value, field=field)
    except ImplausibleValueError as error:
        # Non-finite magnitudes: no limit can be applied to them.
        raise HardLimitError(
            "a dose must be a finite number of mg",
            field=field,
            value=error.value,
            expected="a finite, positive mass",
        ) from None
    if not magnitude > 0:
        raise HardLimitError(
            "a dose must be positive",
            field=field,
            value=str(value),
            expected="a finite, positive mass",
        )
    return magnitude


def dosing_weight_kg(weight: object) -> float:
    """Return the body weight in kg to the nearest milligram, as every dose computes with it.

    A weight converted between units carries binary noise (20 kg in pounds and back may be
    19.999999999999996 kg); a dose rounded down would then lose a whole rounding step at exactly
    the round weights the guideline's examples use. A milligram is far below what any scale
    resolves, so this changes no real weight, and the same weight in kg, g or lb gives the same
    dose (invariant 7).

    Raises:
        HardLimitError: the weight is NaN, infinite, or not positive at this resolution.
        DimensionError: the weight is not a mass.
    """
    try:
        magnitude = canonical_magnitude(q.WEIGHT, weight, field="weight")
    except ImplausibleValueError as error:
        raise HardLimitError(
            "the body weight must be finite", field="weight", value=error.value
        ) from None
    rounded = nearest_mg_kg(magnitude)
    if not rounded > 0:
        raise HardLimitError("the body weight must be positive", field="weight", value=str(weight))
    return rounded


def enforce(
    drug: Drug | str,
    proposed: object,
    *,
    weight: Quantity,
    phase: Phase | str,
    ceiling: Quantity | None = None,
    ceiling_rule_ids: tuple[str, ...] = (),
    precision: Quantity | None = None,
) -> LimitedDose:
    """Return the safe final dose for a proposed dose: clipped to every limit, rounded down.

    The limits are the drug's daily cap, the phase's per-kg maximum times ``weight`` (to the
    nearest milligram, :func:`dosing_weight_kg`), and
    ``ceiling`` when given. A ceiling above the others changes nothing: a caller can tighten the
    limits, never loosen them.

    Args:
        drug: Zoledronic acid or pamidronate (or its text value).
        proposed: The proposed dose, a mass quantity of :data:`bisphos.units.ureg`.
        weight: The body weight the dose is for.
        phase: The phase of the infusion, which fixes the per-kg maximum (or its text value).
        ceiling: An optional lower limit in mg (e.g. half the cap for a first pamidronate dose).
        ceiling_rule_ids: The rules that set ``ceiling``.
        precision: The rounding step in mg; :data:`DEFAULT_PRECISION` when not given.

    Raises:
        HardLimitError: ``proposed``, ``weight``, ``ceiling`` or ``precision`` is NaN, infinite,
            zero or negative, or the dose rounds down to zero.
        DimensionError: one of them is not in a unit of the right dimension.
        MissingUnitError: one of them is a bare number.
    """
    drug = drug if type(drug) is Drug else Drug(drug)
    phase = phase if type(phase) is Phase else Phase(phase)
    proposed_mg = _magnitude_mg(proposed, field="dose")
    weight_kg = dosing_weight_kg(weight)
    step_quantity = DEFAULT_PRECISION[drug] if precision is None else precision
    step_mg = _magnitude_mg(step_quantity, field="precision")
    ceiling_mg = None if ceiling is None else _magnitude_mg(ceiling, field="ceiling")
    return _limit(
        drug,
        phase,
        proposed_mg=proposed_mg,
        weight_kg=weight_kg,
        ceiling_mg=ceiling_mg,
        ceiling_rule_ids=ceiling_rule_ids,
        step_mg=step_mg,
    )


def _limit(
    drug: Drug,
    phase: Phase,
    *,
    proposed_mg: float,
    weight_kg: float,
    ceiling_mg: float | None,
    ceiling_rule_ids: tuple[str, ...],
    step_mg: float,
) -> LimitedDose:
    """:func:`enforce` on magnitudes already checked: finite, positive, in mg and kg.

    ``weight_kg`` is a dosing weight (:func:`dosing_weight_kg`).
    """
    cap = DAILY_CAPS[drug]
    per_kg = _PER_KG_MAXIMA[drug, phase]
    cap_mg = t.DAILY_CAP_MG[drug].decimal
    ceiling = cap_mg if ceiling_mg is None else exact(ceiling_mg)
    wanted = exact(proposed_mg)
    rounded, lowest, per_kg_limit = limited_dose(
        EXACT,
        proposed=wanted,
        ceiling=ceiling,
        maximum_per_kg=t.PER_KG_MAXIMUM_MG_PER_KG[drug, phase].decimal,
        weight=exact(weight_kg),
        cap=cap_mg,
        step=exact(step_mg),
    )
    # The rules of the lowest limit; of equal limits, the cap's, then the per-kg maximum's.
    lowest_rules = (
        (cap.rule_id,)
        if lowest == cap_mg
        else per_kg.rule_ids
        if lowest == per_kg_limit
        else ceiling_rule_ids
    )
    per_kg_limit_mg = float(per_kg_limit)
    if rounded <= 0:
        raise HardLimitError(
            "the dose rounds down to zero",
            field="dose",
            value=format_quantity(_mg(proposed_mg)),
            expected=f"a dose of at least the rounding step {step_mg:g} mg",
        )
    dose_mg = float(rounded)
    # float() takes the nearest float, which can lie a hair above the decimal; every limit is
    # compared as a decimal, and a float above a float limit would mean an error above.
    if not math.isfinite(dose_mg) or dose_mg > float(cap_mg):
        raise HardLimitError("the dose exceeds the daily cap", field="dose", value=dose_mg)
    return LimitedDose(
        drug=drug,
        phase=phase,
        proposed=_mg(proposed_mg),
        dose=_mg(dose_mg),
        daily_cap=cap,
        per_kg_maximum=per_kg,
        per_kg_limit=_mg(per_kg_limit_mg),
        ceiling=_mg(float(lowest)),
        ceiling_rule_ids=lowest_rules,
        capped=wanted > lowest,
        precision=_mg(step_mg),
        rule_ids=unique_ids((cap.rule_id,), per_kg.rule_ids, ceiling_rule_ids),
    )


def check_final(drug: Drug, dose: object) -> Quantity:
    """Return ``dose`` in mg if it is a finite, positive dose within the drug's daily cap.

    Unlike :func:`enforce` it never changes a dose: it is the last check before a dose is turned
    into a preparation, so a dose that bypassed :func:`enforce` cannot be prepared.

    Raises:
        HardLimitError: the dose is NaN, infinite, zero, negative or above the daily cap.
        DimensionError: the dose is not a mass.
        MissingUnitError: the dose is a bare number.
    """
    return _mg(final_mg(drug, dose))


def final_mg(drug: Drug, dose: object, *, field: str = "dose") -> float:
    """Return ``dose`` as a float in mg after the checks of :func:`check_final`.

    Raises:
        HardLimitError: the dose is NaN, infinite, zero, negative or above the daily cap.
        DimensionError: the dose is not a mass.
        MissingUnitError: the dose is a bare number.
    """
    cap = daily_cap(drug)
    dose_mg = _magnitude_mg(dose, field=field)
    if dose_mg > t.DAILY_CAP_MG[cap.drug].value:
        raise HardLimitError(
            f"the dose is above the daily cap ({cap.rule_id})",
            field=field,
            value=format_quantity(_mg(dose_mg)),
            expected=f"at most {format_quantity(cap.dose)}",
        )
    return dose_mg
