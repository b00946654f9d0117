"""The dose of zoledronic acid or pamidronate for one infusion of the pediatric protocol.

The dose depends on the drug, the phase of the infusion, the body weight, the age on the infusion
date, two risk flags and the infusion history; :class:`DoseFacts` gathers exactly these from a
patient, and :func:`compute_dose` turns them into a :class:`Dose`. :func:`dose_for` does both.

Zoledronic acid (mg/kg, P-ZOL-DOSE, P-ZOL-FIRST):

- first infusion 0.0125 mg/kg by default, 0.025 mg/kg on request (option);
- second infusion, 3 months later, 0.025 mg/kg;
- later infusions 0.05 mg/kg, or 0.025 mg/kg when P-ZOL-LOW (age under 2 years on the infusion
  date, or low bone turnover) or P-ZOL-COMPL (a more than mild complication after an earlier
  infusion) applies;
- maintenance 0.025 mg/kg with BMD Z from −2 (exclusive) to 0 (P-MAINT-MID), 0.0125–0.025 mg/kg
  with Z above 0 (P-MAINT-HIGH; option, default 0.0125 mg/kg).

Pamidronate (P-PAM-DOSE, P-PAM-FIRST): 2 mg/kg per day; the first infusion is half of the capped
regular dose, so at most 45 mg.

Hungry bones (P-HUNGRY): with prolonged immobilisation, the first infusions of the drug (two by
default, an option) get a quarter of the patient's regular dose, capped first — a quarter of
0.05 mg/kg zoledronic acid (or of 0.025 mg/kg when P-ZOL-LOW or P-ZOL-COMPL applies), a quarter
of 2 mg/kg pamidronate — where that is lower than the phase's own dose. It is never a quarter of
an already reduced first dose. In maintenance the maintenance dose plays the part of the regular
dose.

Readings (conservative, i.e. less drug): infusion numbers count the infusions *of the same drug*,
so a switch of drug starts again with the first-dose reduction; P-ZOL-COMPL looks at every earlier
infusion, of either drug. The hard limits of :mod:`bisphos.pediatric.limits` are applied last,
and they round the dose down once.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Sequence
from decimal import Context
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.errors import InvalidValueError
from bisphos.findings import Evidence
from bisphos.model import PLAUSIBLE_RANGES, ComplicationGrade, Drug, InfusionRecord, Patient
from bisphos.pediatric._calendar import is_younger_than
from bisphos.pediatric.limits import (
    DEFAULT_PRECISION,
    DailyCap,
    LimitedDose,
    Phase,
    _limit,
    canonical_magnitude,
    daily_cap,
    dosing_weight_kg,
    enforce,
    exact,
)
from bisphos.units import Quantity, format_quantity, ureg

__all__ = [
    "DEFAULT_OPTIONS",
    "Choice",
    "Dose",
    "DoseFacts",
    "DosingOptions",
    "MaintenanceBand",
    "PerKgRange",
    "Phase",
    "compute_dose",
    "dose_for",
    "first_complication",
    "phase_of",
]


class MaintenanceBand(enum.StrEnum):
    """The BMD band of maintenance treatment.

    ``MID``: −2 < Z ≤ 0 SDS (P-MAINT-MID); ``HIGH``: Z > 0 SDS (P-MAINT-HIGH).
    """

    MID = "mid"
    HIGH = "high"

    @property
    def rule_id(self) -> str:
        """The rule of this band."""
        return "P-MAINT-MID" if self is MaintenanceBand.MID else "P-MAINT-HIGH"


_MG_PER_KG: Final = "milligram / kilogram"
_ZOL_FIRST_CHOICES: Final = (0.0125, 0.025)
_ZOL_HIGH_RANGE: Final = (0.0125, 0.025)
#: Relative tolerance when an option given in another unit (µg/kg) is matched to a choice.
_TOLERANCE: Final = 1e-9
#: Decimal arithmetic at 40 digits, without entering a context for every dose.
_CONTEXT: Final = Context(prec=40)


_MG_PER_KG_UNIT: Final = ureg.Unit(_MG_PER_KG)
_MG_UNIT: Final = ureg.Unit("milligram")
_KG_UNIT: Final = ureg.Unit("kilogram")


def _per_kg(value: float) -> Quantity:
    return ureg.Quantity(value, _MG_PER_KG_UNIT)


def _mg(value: float) -> Quantity:
    return ureg.Quantity(value, _MG_UNIT)


def _magnitude(kind: q.QuantityKind, value: Quantity) -> float:
    """The magnitude of a value the library made, in its kind's canonical unit."""
    return canonical_magnitude(kind, value, field=kind.name)


def _zol_first(value: object) -> Quantity:
    given = canonical_magnitude(q.DOSE_PER_KG, value, field="options.zoledronic_first_per_kg")
    for choice in _ZOL_FIRST_CHOICES:
        if math.isclose(given, choice, rel_tol=_TOLERANCE):
            return _per_kg(choice)
    raise InvalidValueError(
        "the first zoledronic acid dose is 0.0125 or 0.025 mg/kg (P-ZOL-FIRST)",
        field="options.zoledronic_first_per_kg",
        value=str(value),
        expected="0.0125 mg/kg or 0.025 mg/kg",
    )


def _zol_high(value: object) -> Quantity:
    given = canonical_magnitude(q.DOSE_PER_KG, value, field="options.zoledronic_high_band_per_kg")
    low, high = _ZOL_HIGH_RANGE
    if not low * (1 - _TOLERANCE) <= given <= high * (1 + _TOLERANCE):
        raise InvalidValueError(
            "maintenance zoledronic acid with Z > 0 is 0.0125 to 0.025 mg/kg (P-MAINT-HIGH)",
            field="options.zoledronic_high_band_per_kg",
            value=str(value),
            expected="a dose from 0.0125 to 0.025 mg/kg",
        )
    # Within the tolerance a value may lie a hair outside the range: keep it inside.
    return _per_kg(min(max(given, low), high))


def _hungry_count(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise InvalidValueError(
            "hungry bones applies to at least the first infusion (P-HUNGRY)",
            field=f"options.{attribute.name}",
            value=value,
            expected="a whole number of infusions from 1 to 12",
        )


def _step(value: object, field: str) -> Quantity:
    step = q.DOSE.conform(value, field=field)
    if not step.magnitude > 0:
        raise InvalidValueError(
            "a rounding step must be positive",
            field=field,
            value=str(value),
            expected="e.g. 0.001 mg",
        )
    return step


def _zol_precision(value: object) -> Quantity:
    return _step(value, "options.zoledronic_precision")


def _pam_precision(value: object) -> Quantity:
    return _step(value, "options.pamidronate_precision")


@attrs.frozen
class DosingOptions:
    """The choices the guideline leaves open, each with its documented default.

    Attributes:
        zoledronic_first_per_kg: First zoledronic acid dose, 0.0125 mg/kg (default) or
            0.025 mg/kg (P-ZOL-FIRST).
        zoledronic_high_band_per_kg: Maintenance zoledronic acid with Z > 0, from 0.0125 to
            0.025 mg/kg; default 0.0125 mg/kg, the lower end (P-MAINT-HIGH).
        hungry_bones_infusions: How many first infusions of the drug get a quarter of the regular
            dose with prolonged immobilisation; default 2 (P-HUNGRY).
        zoledronic_precision: Rounding step (down) of zoledronic acid doses; default 0.001 mg.
        pamidronate_precision: Rounding step (down) of pamidronate doses; default 0.1 mg.
    """

    zoledronic_first_per_kg: Quantity = attrs.field(default=_per_kg(0.0125), converter=_zol_first)
    zoledronic_high_band_per_kg: Quantity = attrs.field(
        default=_per_kg(0.0125), converter=_zol_high
    )
    hungry_bones_infusions: int = attrs.field(default=2, validator=_hungry_count)
    zoledronic_precision: Quantity = attrs.field(
        default=DEFAULT_PRECISION[Drug.ZOLEDRONIC_ACID], converter=_zol_precision
    )
    pamidronate_precision: Quantity = attrs.field(
        default=DEFAULT_PRECISION[Drug.PAMIDRONATE], converter=_pam_precision
    )

    def precision(self, drug: Drug) -> Quantity:
        """Return the rounding step of ``drug``."""
        if drug is Drug.ZOLEDRONIC_ACID:
            return self.zoledronic_precision
        return self.pamidronate_precision


#: The defaults of every option.
DEFAULT_OPTIONS: Final = DosingOptions()


@attrs.frozen
class Choice:
    """One choice that shaped a dose: which rule, which option, and why.

    Attributes:
        rule_id: The rule applied.
        decision: What was decided, in words.
        option: The option and its value, when an option made the choice; empty otherwise.
        evidence: The values the choice rests on.
    """

    rule_id: str
    decision: str
    option: str = ""
    evidence: tuple[Evidence, ...] = ()


@attrs.frozen
class PerKgRange:
    """The doses per kg the guideline allows for one drug and phase.

    Attributes:
        low: The lowest per-kg dose the phase names (before a hungry-bones quarter).
        high: The highest; no dose of the phase exceeds it per kg (invariant 2).
        rule_ids: The rules that set the range.
    """

    low: Quantity
    high: Quantity
    rule_ids: tuple[str, ...]


def _range(low: float, high: float, *rules: str) -> PerKgRange:
    return PerKgRange(_per_kg(low), _per_kg(high), rules)


_RANGES: Final[dict[tuple[Drug, Phase], PerKgRange]] = {
    (Drug.ZOLEDRONIC_ACID, Phase.FIRST): _range(0.0125, 0.025, "P-ZOL-FIRST"),
    (Drug.ZOLEDRONIC_ACID, Phase.SECOND): _range(0.025, 0.025, "P-ZOL-FIRST"),
    (Drug.ZOLEDRONIC_ACID, Phase.REGULAR): _range(
        0.025, 0.05, "P-ZOL-DOSE", "P-ZOL-LOW", "P-ZOL-COMPL"
    ),
    (Drug.ZOLEDRONIC_ACID, Phase.MAINTENANCE): _range(0.0125, 0.025, "P-MAINT-MID", "P-MAINT-HIGH"),
    (Drug.PAMIDRONATE, Phase.FIRST): _range(1.0, 1.0, "P-PAM-FIRST"),
    (Drug.PAMIDRONATE, Phase.SECOND): _range(2.0, 2.0, "P-PAM-FIRST", "P-PAM-DOSE"),
    (Drug.PAMIDRONATE, Phase.REGULAR): _range(2.0, 2.0, "P-PAM-DOSE"),
    (Drug.PAMIDRONATE, Phase.MAINTENANCE): _range(2.0, 2.0, "P-MAINT-MID", "P-MAINT-HIGH"),
}


def _allowed(drug: Drug, phase: Phase, band: MaintenanceBand | None) -> PerKgRange:
    if phase is Phase.MAINTENANCE and band is not None:
        if drug is Drug.ZOLEDRONIC_ACID and band is MaintenanceBand.MID:
            return _range(0.025, 0.025, band.rule_id)
        if drug is Drug.ZOLEDRONIC_ACID:
            return _range(*_ZOL_HIGH_RANGE, band.rule_id)
        return _range(2.0, 2.0, band.rule_id)
    return _RANGES[drug, phase]


def phase_of(infusion_number: int, band: MaintenanceBand | None = None) -> Phase:
    """Return the phase of the ``infusion_number``-th infusion of a drug (1 is the first).

    With a maintenance ``band`` every infusion is a maintenance infusion.
    """
    if band is not None:
        return Phase.MAINTENANCE
    if infusion_number == 1:
        return Phase.FIRST
    if infusion_number == 2:
        return Phase.SECOND
    return Phase.REGULAR


def _number(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(
            "infusions are numbered from 1",
            field=attribute.name,
            value=value,
            expected="a whole number of at least 1",
        )


_PLAUSIBLE_WEIGHT: Final = PLAUSIBLE_RANGES["weight"]


def _weight(value: object) -> Quantity:
    weight = q.WEIGHT.conform(value, field="weight")
    if not _PLAUSIBLE_WEIGHT.low <= weight.magnitude <= _PLAUSIBLE_WEIGHT.high:
        _PLAUSIBLE_WEIGHT.check(weight, field="weight")  # raises, naming the plausible range
    return ureg.Quantity(dosing_weight_kg(weight), _KG_UNIT)


@attrs.frozen
class DoseFacts:
    """What a dose depends on, for one infusion of one drug.

    Attributes:
        weight: Body weight, taken to the nearest milligram
            (:func:`~bisphos.pediatric.limits.dosing_weight_kg`).
        infusion_number: Which infusion of the drug this is (1 is the first).
        date: The infusion date.
        under_two_years: Age under 2 years on ``date`` (P-ZOL-LOW).
        low_bone_turnover: Osteoporosis with low bone turnover (P-ZOL-LOW).
        prolonged_immobilisation: Hungry-bones risk (P-HUNGRY).
        complication: The first earlier infusion followed by a more than mild complication
            (P-ZOL-COMPL), if any.
    """

    weight: Quantity = attrs.field(converter=_weight)
    infusion_number: int = attrs.field(validator=_number)
    date: dt.date
    under_two_years: bool = False
    low_bone_turnover: bool = False
    prolonged_immobilisation: bool = False
    complication: InfusionRecord | None = None

    @classmethod
    def of(
        cls,
        patient: Patient,
        drug: Drug | str,
        *,
        infusion_number: int | None = None,
        on: dt.date | None = None,
    ) -> DoseFacts:
        """Gather the facts from ``patient`` for an infusion of ``drug``.

        Args:
            patient: The patient; the weight is the weight on the assessment date.
            drug: The drug.
            infusion_number: Which infusion of ``drug`` this is; by default the one after the
                infusions of ``drug`` in the history.
            on: The infusion date; by default the assessment date.
        """
        drug = drug if type(drug) is Drug else Drug(drug)
        date = patient.assessment_date if on is None else on
        if infusion_number is None:
            infusion_number = sum(1 for record in patient.infusions if record.drug is drug) + 1
        return cls.series(patient, ((infusion_number, date),))[0]

    @classmethod
    def series(
        cls, patient: Patient, infusions: Iterable[tuple[int, dt.date]]
    ) -> tuple[DoseFacts, ...]:
        """Gather the facts of several infusions of one patient: ``(number, date)`` each.

        The facts of the patient (weight, flags, the first complication) are read once; the age
        on each date is the infusion's own.
        """
        complication = first_complication(patient.infusions)
        risks = patient.risks
        return tuple(
            cls(
                weight=patient.weight,
                infusion_number=number,
                date=date,
                under_two_years=is_younger_than(patient.birth_date, 2, date),
                low_bone_turnover=risks.low_bone_turnover,
                prolonged_immobilisation=risks.prolonged_immobilisation,
                complication=complication,
            )
            for number, date in infusions
        )


_MORE_THAN_MILD: Final = frozenset({ComplicationGrade.MODERATE, ComplicationGrade.SEVERE})


def first_complication(history: Sequence[InfusionRecord]) -> InfusionRecord | None:
    """Return the first infusion in ``history`` followed by a more than mild complication."""
    for record in sorted(history, key=lambda record: record.date):
        if record.complication in _MORE_THAN_MILD:
            return record
    return None


@attrs.frozen
class Dose:
    """The dose of one infusion, with everything that made it.

    Attributes:
        drug: The drug.
        phase: First, second, regular or maintenance.
        band: The maintenance band, for a maintenance dose.
        facts: The facts the dose was computed from (weight, infusion number, date, flags).
        per_kg: The dose per kg applied, before the cap (e.g. 0.0125 mg/kg).
        allowed_per_kg: The range the guideline allows for the phase.
        computed: ``per_kg`` times the weight, before any cap and rounding.
        limited: The hard limits and the rounding applied to ``computed``.
        choices: Every choice made, in order, with its rule and option.
        rule_ids: Every rule the dose rests on.
    """

    drug: Drug
    phase: Phase
    band: MaintenanceBand | None
    facts: DoseFacts
    per_kg: Quantity
    allowed_per_kg: PerKgRange
    computed: Quantity
    limited: LimitedDose
    choices: tuple[Choice, ...]
    rule_ids: tuple[str, ...]

    @property
    def value(self) -> Quantity:
        """The final dose in mg: capped and rounded down."""
        return self.limited.dose

    @property
    def daily_cap(self) -> DailyCap:
        """The drug's daily cap (P-ZOL-CAP, P-PAM-CAP)."""
        return self.limited.daily_cap

    @property
    def ceiling(self) -> Quantity:
        """The lowest limit that applied (the cap, or half or a quarter of it, or per-kg)."""
        return self.limited.ceiling

    @property
    def cap_applied(self) -> bool:
        """Whether ``computed`` was above the ceiling and was brought down to it."""
        return self.limited.capped

    @property
    def precision(self) -> Quantity:
        """The rounding step; rounding is always down."""
        return self.limited.precision

    @property
    def effective_per_kg(self) -> Quantity:
        """The final dose divided by the weight."""
        return _per_kg(_magnitude(q.DOSE, self.value) / _magnitude(q.WEIGHT, self.facts.weight))

    @property
    def infusion_number(self) -> int:
        """Which infusion of the drug this is."""
        return self.facts.infusion_number


@attrs.frozen
class _Candidate:
    """A per-kg dose with the limit that applies to it (the cap, or a fraction of it)."""

    per_kg: float
    limit_mg: float
    limit_rule_ids: tuple[str, ...]

    def amount(self, weight_kg: float) -> float:
        return min(_times(self.per_kg, weight_kg), self.limit_mg)


def _times(per_kg: float, weight_kg: float) -> float:
    """``per_kg`` x ``weight_kg`` in decimal: 0.0125 x 2.8 is 0.035, not 0.034999999999999996."""
    return float(_CONTEXT.multiply(exact(per_kg), exact(weight_kg)))


def _evidence(name: str, value: Quantity | dt.date | int | bool | str) -> Evidence:
    return Evidence(name=name, value=value)


# Choices without evidence or options are the same for every dose: frozen, made once.
_ZOL_REGULAR_CHOICE: Final = Choice("P-ZOL-DOSE", "0.05 mg/kg: the regular zoledronic acid dose")
_MAINT_MID_CHOICE: Final = Choice("P-MAINT-MID", "maintenance with −2 < Z ≤ 0: 0.025 mg/kg")
_PAM_REGULAR_CHOICE: Final = Choice("P-PAM-DOSE", "2 mg/kg/day: the regular pamidronate dose")
_ZOL_SECOND_CHOICE: Final = Choice(
    "P-ZOL-FIRST", "second infusion, 3 months after the first: 0.025 mg/kg"
)
_PAM_SECOND_CHOICE: Final = Choice("P-PAM-FIRST", "second infusion: the normal dose")


def _regular_zoledronic(facts: DoseFacts) -> tuple[float, Choice]:
    """The regular (third and later) zoledronic acid dose per kg, and why."""
    if facts.under_two_years:
        return 0.025, Choice(
            "P-ZOL-LOW",
            "0.025 mg/kg instead of 0.05 mg/kg: under 2 years old on the infusion date",
            evidence=(_evidence("date", facts.date), Evidence(name="under_two_years", value=True)),
        )
    if facts.low_bone_turnover:
        return 0.025, Choice(
            "P-ZOL-LOW",
            "0.025 mg/kg instead of 0.05 mg/kg: osteoporosis with low bone turnover",
            evidence=(Evidence(name="risks.low_bone_turnover", value=True),),
        )
    if facts.complication is not None:
        record = facts.complication
        return 0.025, Choice(
            "P-ZOL-COMPL",
            "0.025 mg/kg instead of 0.05 mg/kg: more than mild complication after an earlier dose",
            evidence=(
                _evidence("complication", record.complication.value),
                _evidence("complication.date", record.date),
                _evidence("complication.drug", record.drug.value),
            ),
        )
    return 0.05, _ZOL_REGULAR_CHOICE


def _regular(
    drug: Drug, facts: DoseFacts, band: MaintenanceBand | None, options: DosingOptions
) -> tuple[float, Choice]:
    """The full dose per kg of the course the infusion belongs to (active or maintenance)."""
    if band is not None and drug is Drug.ZOLEDRONIC_ACID:
        if band is MaintenanceBand.MID:
            return 0.025, _MAINT_MID_CHOICE
        value = _magnitude(q.DOSE_PER_KG, options.zoledronic_high_band_per_kg)
        default = " (default, the lower end)" if value == _ZOL_HIGH_RANGE[0] else ""
        return value, Choice(
            "P-MAINT-HIGH",
            f"maintenance with Z > 0: {value:g} mg/kg of the range 0.0125–0.025 mg/kg",
            option=f"zoledronic_high_band_per_kg = {value:g} mg/kg{default}",
        )
    if band is not None:
        return 2.0, Choice(band.rule_id, f"maintenance ({band.value} band): 2 mg/kg/day")
    if drug is Drug.ZOLEDRONIC_ACID:
        return _regular_zoledronic(facts)
    return 2.0, _PAM_REGULAR_CHOICE


def _phase_candidate(
    *,
    drug: Drug,
    phase: Phase,
    regular: float,
    cap_mg: float,
    cap_rule: str,
    options: DosingOptions,
) -> tuple[_Candidate, Choice | None]:
    """The phase's own dose per kg and limit, and the choice that set it (if not the regular)."""
    full = _Candidate(regular, cap_mg, (cap_rule,))
    if drug is Drug.ZOLEDRONIC_ACID and phase is Phase.FIRST:
        value = _magnitude(q.DOSE_PER_KG, options.zoledronic_first_per_kg)
        default = " (default)" if value == _ZOL_FIRST_CHOICES[0] else " (on request)"
        return _Candidate(value, cap_mg, (cap_rule,)), Choice(
            "P-ZOL-FIRST",
            f"first infusion: {value:g} mg/kg (acute-phase reaction, hypocalcaemia risk)",
            option=f"zoledronic_first_per_kg = {value:g} mg/kg{default}",
        )
    if drug is Drug.ZOLEDRONIC_ACID and phase is Phase.SECOND:
        return _Candidate(0.025, cap_mg, (cap_rule,)), _ZOL_SECOND_CHOICE
    if drug is Drug.PAMIDRONATE and phase is Phase.FIRST:
        return _Candidate(regular / 2, cap_mg / 2, ("P-PAM-FIRST", cap_rule)), Choice(
            "P-PAM-FIRST",
            "first infusion: half the regular dose, the cap applied before halving (at most "
            f"{cap_mg / 2:g} mg)",
        )
    if drug is Drug.PAMIDRONATE and phase is Phase.SECOND:
        return full, _PAM_SECOND_CHOICE
    return full, None


def compute_dose(
    drug: Drug | str,
    facts: DoseFacts,
    *,
    band: MaintenanceBand | str | None = None,
    options: DosingOptions = DEFAULT_OPTIONS,
) -> Dose:
    """Return the dose of ``drug`` for the infusion described by ``facts``.

    Args:
        drug: Zoledronic acid or pamidronate.
        facts: Weight, infusion number, date and the flags the dose depends on.
        band: The BMD band for a maintenance infusion; ``None`` for active treatment, whose
            phase follows from the infusion number.
        options: The choices the guideline leaves open.

    Raises:
        HardLimitError: the dose cannot be brought within the hard limits (it rounds to zero
            with a coarse rounding step).
    """
    drug = drug if type(drug) is Drug else Drug(drug)
    band = band if band is None or type(band) is MaintenanceBand else MaintenanceBand(band)
    phase = phase_of(facts.infusion_number, band)
    weight_kg = _magnitude(q.WEIGHT, facts.weight)
    cap = daily_cap(drug)
    cap_mg = _magnitude(q.DOSE, cap.dose)
    regular, regular_choice = _regular(drug, facts, band, options)
    candidate, phase_choice = _phase_candidate(
        drug=drug,
        phase=phase,
        regular=regular,
        cap_mg=cap_mg,
        cap_rule=cap.rule_id,
        options=options,
    )
    choices = [regular_choice] if phase is Phase.REGULAR or phase is Phase.MAINTENANCE else []
    if phase_choice is not None:
        choices.append(phase_choice)
    hungry = _hungry(
        facts=facts,
        options=options,
        regular=regular,
        candidate=candidate,
        cap_mg=cap_mg,
        cap_rule=cap.rule_id,
        weight_kg=weight_kg,
    )
    if hungry is not None:
        replacement, choice = hungry
        candidate = candidate if replacement is None else replacement
        choices.append(choice)
    computed_mg = _times(candidate.per_kg, weight_kg)
    if 0 < computed_mg < math.inf:
        # What enforce() does once the magnitudes are checked: facts.weight is a dosing weight
        # already, the options' step and the candidate's limit are positive masses.
        limited, *last_choices = _limited(
            drug,
            phase,
            proposed_mg=computed_mg,
            weight_kg=weight_kg,
            ceiling_mg=candidate.limit_mg,
            ceiling_rule_ids=candidate.limit_rule_ids,
            step_mg=_magnitude(q.DOSE, options.precision(drug)),
        )
    else:  # enforce() refuses it, with its own error
        limited = enforce(
            drug,
            _mg(computed_mg),
            weight=facts.weight,
            phase=phase,
            ceiling=_mg(candidate.limit_mg),
            ceiling_rule_ids=candidate.limit_rule_ids,
            precision=options.precision(drug),
        )
        last_choices = list(_last_choices(drug, limited))
    choices.extend(last_choices)
    dose_rule = "P-ZOL-DOSE" if drug is Drug.ZOLEDRONIC_ACID else "P-PAM-DOSE"
    rule_ids = tuple(dict.fromkeys([dose_rule, *(c.rule_id for c in choices), *limited.rule_ids]))
    return Dose(
        drug=drug,
        phase=phase,
        band=band,
        facts=facts,
        per_kg=_per_kg(candidate.per_kg),
        allowed_per_kg=_allowed(drug, phase, band),
        computed=_mg(computed_mg),
        limited=limited,
        choices=tuple(choices),
        rule_ids=rule_ids,
    )


def _limited(
    drug: Drug,
    phase: Phase,
    *,
    proposed_mg: float,
    weight_kg: float,
    ceiling_mg: float,
    ceiling_rule_ids: tuple[str, ...],
    step_mg: float,
) -> tuple[LimitedDose, Choice, Choice]:
    """The limited dose and its two choices."""
    limited = _limit(
        drug,
        phase,
        proposed_mg=proposed_mg,
        weight_kg=weight_kg,
        ceiling_mg=ceiling_mg,
        ceiling_rule_ids=ceiling_rule_ids,
        step_mg=step_mg,
    )
    return (limited, *_last_choices(drug, limited))


def _last_choices(drug: Drug, limited: LimitedDose) -> tuple[Choice, Choice]:
    """The cap's choice and the rounding's choice of a limited dose."""
    precision = format_quantity(limited.precision)
    return _cap_choice(limited), Choice(
        limited.daily_cap.rule_id,
        f"rounded down to {precision}: {format_quantity(limited.dose)}",
        option=f"{drug.value}_precision = {precision}",
    )


def _hungry(
    *,
    facts: DoseFacts,
    options: DosingOptions,
    regular: float,
    candidate: _Candidate,
    cap_mg: float,
    cap_rule: str,
    weight_kg: float,
) -> tuple[_Candidate | None, Choice] | None:
    """The hungry-bones choice, when P-HUNGRY is considered, and the quarter if it is lower."""
    count = options.hungry_bones_infusions
    if not facts.prolonged_immobilisation or facts.infusion_number > count:
        return None
    quarter = _Candidate(regular / 4, cap_mg / 4, ("P-HUNGRY", cap_rule))
    evidence = (
        Evidence(name="risks.prolonged_immobilisation", value=True),
        _evidence("infusion_number", facts.infusion_number),
        _evidence("quarter_of_regular", _mg(quarter.amount(weight_kg))),
        _evidence("phase_dose", _mg(candidate.amount(weight_kg))),
    )
    option = f"hungry_bones_infusions = {count}" + (" (default)" if count == 2 else "")
    if quarter.amount(weight_kg) < candidate.amount(weight_kg):
        return quarter, Choice(
            "P-HUNGRY",
            f"prolonged immobilisation: a quarter of the regular dose ({regular / 4:g} mg/kg, "
            "capped at a quarter of the cap) replaces the lower-than-regular phase dose",
            option=f"applied; {option}",
            evidence=evidence,
        )
    return None, Choice(
        "P-HUNGRY",
        "prolonged immobilisation: a quarter of the regular dose is not lower than this "
        "infusion's dose, which is kept",
        option=f"not lower; {option}",
        evidence=evidence,
    )


def _cap_choice(limited: LimitedDose) -> Choice:
    evidence = (
        _evidence("proposed", limited.proposed),
        _evidence("ceiling", limited.ceiling),
        _evidence("daily_cap", limited.daily_cap.dose),
    )
    if limited.capped:
        return Choice(
            limited.daily_cap.rule_id,
            f"capped at {format_quantity(limited.ceiling)} ({', '.join(limited.ceiling_rule_ids)})",
            evidence=evidence,
        )
    return Choice(
        limited.daily_cap.rule_id,
        f"not capped: within the lowest limit {format_quantity(limited.ceiling)} "
        f"({', '.join(limited.ceiling_rule_ids)}) and the daily cap "
        f"{format_quantity(limited.daily_cap.dose)}",
        evidence=evidence,
    )


def dose_for(
    patient: Patient,
    drug: Drug,
    *,
    infusion_number: int | None = None,
    on: dt.date | None = None,
    band: MaintenanceBand | None = None,
    options: DosingOptions = DEFAULT_OPTIONS,
) -> Dose:
    """Return the dose of ``drug`` for ``patient``'s next (or ``infusion_number``-th) infusion.

    Args:
        patient: The patient (weight, birth date, risk flags, infusion history).
        drug: Zoledronic acid or pamidronate.
        infusion_number: Which infusion of ``drug``; by default the one after the history's.
        on: The infusion date (for the age in P-ZOL-LOW); by default the assessment date.
        band: The BMD band for a maintenance infusion; ``None`` for active treatment.
        options: The choices the guideline leaves open.
    """
    facts = DoseFacts.of(patient, drug, infusion_number=infusion_number, on=on)
    return compute_dose(drug, facts, band=band, options=options)
