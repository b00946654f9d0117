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
from decimal import Decimal
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.errors import InvalidValueError
from bisphos.findings import Evidence
from bisphos.model import PLAUSIBLE_RANGES, ComplicationGrade, Drug, InfusionRecord, Patient
from bisphos.pediatric import table as t
from bisphos.pediatric._calendar import is_younger_than
from bisphos.pediatric.kernel import EXACT, exact, hungry_bones, phase_dose
from bisphos.pediatric.limits import (
    DEFAULT_PRECISION,
    DailyCap,
    LimitedDose,
    Phase,
    _limit,
    canonical_magnitude,
    daily_cap,
    dosing_weight_kg,
)
from bisphos.units import Quantity, format_unit

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
    "compute_doses",
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


_ZOL_FIRST_CHOICES: Final = (
    t.ZOLEDRONIC_ACID_FIRST_MG_PER_KG.value,
    t.ZOLEDRONIC_ACID_FIRST_ON_REQUEST_MG_PER_KG.value,
)
_ZOL_HIGH_RANGE: Final = (
    t.ZOLEDRONIC_ACID_MAINTENANCE_HIGH_MG_PER_KG[0].value,
    t.ZOLEDRONIC_ACID_MAINTENANCE_HIGH_MG_PER_KG[1].value,
)
_ZOL_REGULAR: Final = t.ZOLEDRONIC_ACID_REGULAR_MG_PER_KG.value
_ZOL_REDUCED: Final = t.ZOLEDRONIC_ACID_REDUCED_MG_PER_KG.value
_ZOL_MID: Final = t.ZOLEDRONIC_ACID_MAINTENANCE_MID_MG_PER_KG.value
_PAM: Final = t.PAMIDRONATE_MG_PER_KG.value
#: Relative tolerance when an option given in another unit (µg/kg) is matched to a choice.
_TOLERANCE: Final = 1e-9


_per_kg: Final = q.DOSE_PER_KG.of
_mg: Final = q.DOSE.of


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


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidValueError(
            "not true or false",
            field=f"options.{attribute.name}",
            value=repr(value)[:80],
            expected="true or false",
        )


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
        zoledronic_second_infusion: Give the second zoledronic acid infusion 3 months after the
            first at 0.025 mg/kg (default, P-ZOL-FIRST); ``False`` omits it, and the second
            infusion follows after the regular 6 months (P-ZOL-SECOND), at 0.025 mg/kg: the hard
            limit of the first two infusions of the drug (P-HARD) holds; the regular dose from
            the third.
    """

    zoledronic_first_per_kg: Quantity = attrs.field(
        default=_per_kg(_ZOL_FIRST_CHOICES[0]), converter=_zol_first
    )
    zoledronic_high_band_per_kg: Quantity = attrs.field(
        default=_per_kg(_ZOL_HIGH_RANGE[0]), converter=_zol_high
    )
    hungry_bones_infusions: int = attrs.field(
        default=t.HUNGRY_BONES_INFUSIONS, validator=_hungry_count
    )
    zoledronic_precision: Quantity = attrs.field(
        default=DEFAULT_PRECISION[Drug.ZOLEDRONIC_ACID], converter=_zol_precision
    )
    pamidronate_precision: Quantity = attrs.field(
        default=DEFAULT_PRECISION[Drug.PAMIDRONATE], converter=_pam_precision
    )
    zoledronic_second_infusion: bool = attrs.field(default=True, validator=_flag)

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


_Z, _P = Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE
_ZOL_SECOND: Final = t.ZOLEDRONIC_ACID_SECOND_MG_PER_KG.value
_PAM_FIRST: Final = float(_PAM * t.PAMIDRONATE_FIRST_FRACTION)
_RANGES: Final[dict[tuple[Drug, Phase], PerKgRange]] = {
    (_Z, Phase.FIRST): _range(*_ZOL_FIRST_CHOICES, "P-ZOL-FIRST"),
    (_Z, Phase.SECOND): _range(_ZOL_SECOND, _ZOL_SECOND, "P-ZOL-FIRST"),
    (_Z, Phase.REGULAR): _range(
        _ZOL_REDUCED, _ZOL_REGULAR, "P-ZOL-DOSE", "P-ZOL-LOW", "P-ZOL-COMPL"
    ),
    (_Z, Phase.MAINTENANCE): _range(_ZOL_HIGH_RANGE[0], _ZOL_MID, "P-MAINT-MID", "P-MAINT-HIGH"),
    (_P, Phase.FIRST): _range(_PAM_FIRST, _PAM_FIRST, "P-PAM-FIRST"),
    (_P, Phase.SECOND): _range(_PAM, _PAM, "P-PAM-FIRST", "P-PAM-DOSE"),
    (_P, Phase.REGULAR): _range(_PAM, _PAM, "P-PAM-DOSE"),
    (_P, Phase.MAINTENANCE): _range(_PAM, _PAM, "P-MAINT-MID", "P-MAINT-HIGH"),
}


def _allowed(drug: Drug, phase: Phase, band: MaintenanceBand | None) -> PerKgRange:
    if phase is Phase.MAINTENANCE and band is not None:
        if drug is Drug.ZOLEDRONIC_ACID and band is MaintenanceBand.MID:
            return _range(_ZOL_MID, _ZOL_MID, band.rule_id)
        if drug is Drug.ZOLEDRONIC_ACID:
            return _range(*_ZOL_HIGH_RANGE, band.rule_id)
        return _range(_PAM, _PAM, band.rule_id)
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
    weight_kg = dosing_weight_kg(weight)
    return weight if weight.magnitude == weight_kg else q.WEIGHT.of(weight_kg)


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
    #: The weight in kg, read once from ``weight``: what the dose arithmetic computes with.
    weight_kg: float = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "weight_kg", float(self.weight.magnitude))

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
                under_two_years=is_younger_than(
                    patient.birth_date, t.ZOLEDRONIC_ACID_REDUCED_BELOW_AGE_YEARS, date
                ),
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
    """A dose per kg with the limit that applies to it (the cap, or a fraction of it)."""

    per_kg: Decimal
    limit_mg: Decimal
    limit_rule_ids: tuple[str, ...]


#: How :func:`~bisphos.units.format_quantity` writes the unit of a dose (mg).
_MG_SPELLING: Final = format_unit(q.DOSE.canonical)


def _mg_text(dose: Quantity) -> str:
    """``dose``, a quantity in mg (the library's own), as :func:`format_quantity` writes it."""
    return f"{float(dose.magnitude)!r} {_MG_SPELLING}"


def _evidence(name: str, value: Quantity | dt.date | int | bool | str) -> Evidence:
    return Evidence(name=name, value=value)


# Choices without evidence or options are the same for every dose: frozen values.
_ZOL_REGULAR_CHOICE: Final = Choice(
    "P-ZOL-DOSE", f"{_ZOL_REGULAR:g} mg/kg: the regular zoledronic acid dose"
)
_MAINT_MID_CHOICE: Final = Choice("P-MAINT-MID", f"maintenance with −2 < Z ≤ 0: {_ZOL_MID:g} mg/kg")
_PAM_REGULAR_CHOICE: Final = Choice(
    "P-PAM-DOSE", f"{_PAM:g} mg/kg/day: the regular pamidronate dose"
)
_ZOL_SECOND_CHOICE: Final = Choice(
    "P-ZOL-FIRST",
    f"second infusion, {t.INTERVAL_MONTHS['zoledronic_acid_second'].months} months after the "
    f"first: {t.ZOLEDRONIC_ACID_SECOND_MG_PER_KG.value:g} mg/kg",
)
_PAM_SECOND_CHOICE: Final = Choice("P-PAM-FIRST", "second infusion: the normal dose")
_REDUCED: Final = f"{_ZOL_REDUCED:g} mg/kg instead of {_ZOL_REGULAR:g} mg/kg"
_ZOL_SECOND_OMITTED_CHOICE: Final = Choice(
    "P-ZOL-SECOND",
    f"the {t.INTERVAL_MONTHS['zoledronic_acid_second'].months}-month second infusion is omitted: "
    f"this infusion follows after {t.INTERVAL_MONTHS['zoledronic_acid_second_omitted'].months} "
    "months, still at the second infusion's dose (the hard limit of the first two infusions)",
    option="zoledronic_second_infusion = false",
)


def _regular_zoledronic(facts: DoseFacts) -> tuple[float, Choice]:
    """The regular (third and later) zoledronic acid dose per kg, and why."""
    if facts.under_two_years:
        return _ZOL_REDUCED, Choice(
            "P-ZOL-LOW",
            f"{_REDUCED}: under {t.ZOLEDRONIC_ACID_REDUCED_BELOW_AGE_YEARS} years old on the "
            "infusion date",
            evidence=(_evidence("date", facts.date), Evidence(name="under_two_years", value=True)),
        )
    if facts.low_bone_turnover:
        return _ZOL_REDUCED, Choice(
            "P-ZOL-LOW",
            f"{_REDUCED}: osteoporosis with low bone turnover",
            evidence=(Evidence(name="risks.low_bone_turnover", value=True),),
        )
    if facts.complication is not None:
        record = facts.complication
        return _ZOL_REDUCED, Choice(
            "P-ZOL-COMPL",
            f"{_REDUCED}: more than mild complication after an earlier dose",
            evidence=(
                _evidence("complication", record.complication.value),
                _evidence("complication.date", record.date),
                _evidence("complication.drug", record.drug.value),
            ),
        )
    return _ZOL_REGULAR, _ZOL_REGULAR_CHOICE


def _regular(
    drug: Drug, facts: DoseFacts, band: MaintenanceBand | None, options: DosingOptions
) -> tuple[float, Choice]:
    """The full dose per kg of the course the infusion belongs to (active or maintenance)."""
    if band is not None and drug is Drug.ZOLEDRONIC_ACID:
        if band is MaintenanceBand.MID:
            return _ZOL_MID, _MAINT_MID_CHOICE
        value = float(options.zoledronic_high_band_per_kg.magnitude)  # canonical: its converter
        low, high = _ZOL_HIGH_RANGE
        default = " (default, the lower end)" if value == low else ""
        return value, Choice(
            "P-MAINT-HIGH",
            f"maintenance with Z > 0: {value:g} mg/kg of the range {low:g}–{high:g} mg/kg",
            option=f"zoledronic_high_band_per_kg = {value:g} mg/kg{default}",
        )
    if band is not None:
        return _PAM, Choice(band.rule_id, f"maintenance ({band.value} band): {_PAM:g} mg/kg/day")
    if drug is Drug.ZOLEDRONIC_ACID:
        return _regular_zoledronic(facts)
    return _PAM, _PAM_REGULAR_CHOICE


def _phase_candidate(
    *,
    drug: Drug,
    phase: Phase,
    regular: Decimal,
    cap_mg: Decimal,
    cap_rule: str,
    options: DosingOptions,
    first_of_drug: bool = False,
) -> tuple[_Candidate, Choice | None]:
    """The phase's own dose per kg and limit, and the choice that set it (if not the regular)."""
    first_value = float(options.zoledronic_first_per_kg.magnitude)  # canonical: its converter
    pamidronate_first = phase is Phase.FIRST or first_of_drug
    per_kg, limit = phase_dose(
        EXACT,
        zoledronic=drug is Drug.ZOLEDRONIC_ACID,
        first=phase is Phase.FIRST or (drug is Drug.PAMIDRONATE and pamidronate_first),
        second=phase is Phase.SECOND,
        regular=regular,
        zoledronic_first=exact(first_value),
        cap=cap_mg,
    )
    if drug is Drug.ZOLEDRONIC_ACID and phase is Phase.FIRST:
        default = " (default)" if first_value == _ZOL_FIRST_CHOICES[0] else " (on request)"
        return _Candidate(per_kg, limit, (cap_rule,)), Choice(
            "P-ZOL-FIRST",
            f"first infusion: {first_value:g} mg/kg (acute-phase reaction, hypocalcaemia risk)",
            option=f"zoledronic_first_per_kg = {first_value:g} mg/kg{default}",
        )
    if drug is Drug.ZOLEDRONIC_ACID and phase is Phase.SECOND:
        return _Candidate(per_kg, limit, (cap_rule,)), _ZOL_SECOND_CHOICE
    if drug is Drug.PAMIDRONATE and pamidronate_first:
        # P-HIST-INTERVAL: the first infusion of the drug is halved, a maintenance one too.
        return _Candidate(per_kg, limit, ("P-PAM-FIRST", cap_rule)), Choice(
            "P-PAM-FIRST",
            "first infusion: half the regular dose, the cap applied before halving (at most "
            f"{float(limit):g} mg)",
        )
    choice = _PAM_SECOND_CHOICE if drug is Drug.PAMIDRONATE and phase is Phase.SECOND else None
    return _Candidate(per_kg, limit, (cap_rule,)), choice


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
    omitted = (
        phase is Phase.SECOND
        and drug is Drug.ZOLEDRONIC_ACID
        and not options.zoledronic_second_infusion
    )
    weight_kg = facts.weight_kg
    weight = exact(weight_kg)
    cap = daily_cap(drug)
    cap_mg = t.DAILY_CAP_MG[drug].decimal
    regular, regular_choice = _regular(drug, facts, band, options)
    candidate, phase_choice = _phase_candidate(
        drug=drug,
        phase=phase,
        regular=exact(regular),
        cap_mg=cap_mg,
        cap_rule=cap.rule_id,
        options=options,
        first_of_drug=facts.infusion_number == 1,
    )
    choices = [regular_choice] if phase is Phase.REGULAR or phase is Phase.MAINTENANCE else []
    if omitted:
        choices.append(_ZOL_SECOND_OMITTED_CHOICE)
    if phase_choice is not None:
        choices.append(phase_choice)
    hungry = _hungry(
        facts=facts,
        options=options,
        regular=regular,
        candidate=candidate,
        cap_mg=cap_mg,
        cap_rule=cap.rule_id,
        weight=weight,
    )
    if hungry is not None:
        replacement, choice = hungry
        candidate = candidate if replacement is None else replacement
        choices.append(choice)
    computed_mg = float(EXACT.times_weight(candidate.per_kg, weight))
    limited, *last_choices = _limited(
        drug,
        phase,
        proposed_mg=computed_mg,
        weight_kg=weight_kg,
        ceiling_mg=float(candidate.limit_mg),
        ceiling_rule_ids=candidate.limit_rule_ids,
        step_mg=float(options.precision(drug).magnitude),  # canonical: its converter
    )
    choices.extend(last_choices)
    dose_rule = "P-ZOL-DOSE" if drug is Drug.ZOLEDRONIC_ACID else "P-PAM-DOSE"
    rule_ids = tuple(dict.fromkeys([dose_rule, *(c.rule_id for c in choices), *limited.rule_ids]))
    return Dose(
        drug=drug,
        phase=phase,
        band=band,
        facts=facts,
        per_kg=_per_kg(float(candidate.per_kg)),
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
    precision = _mg_text(limited.precision)
    return _cap_choice(limited), Choice(
        limited.daily_cap.rule_id,
        f"rounded down to {precision}: {_mg_text(limited.dose)}",
        option=f"{drug.value}_precision = {precision}",
    )


def _hungry(
    *,
    facts: DoseFacts,
    options: DosingOptions,
    regular: float,
    candidate: _Candidate,
    cap_mg: Decimal,
    cap_rule: str,
    weight: Decimal,
) -> tuple[_Candidate | None, Choice] | None:
    """The hungry-bones choice, when P-HUNGRY is considered, and the quarter if it is lower."""
    count = options.hungry_bones_infusions
    if not facts.prolonged_immobilisation or facts.infusion_number > count:
        return None
    lower, per_kg, limit, quarter_mg, phase_mg = hungry_bones(
        EXACT,
        applies=True,
        per_kg=candidate.per_kg,
        limit=candidate.limit_mg,
        regular=exact(regular),
        cap=cap_mg,
        weight=weight,
    )
    evidence = (
        Evidence(name="risks.prolonged_immobilisation", value=True),
        _evidence("infusion_number", facts.infusion_number),
        _evidence("quarter_of_regular", _mg(float(quarter_mg))),
        _evidence("phase_dose", _mg(float(phase_mg))),
    )
    default = count == t.HUNGRY_BONES_INFUSIONS
    option = f"hungry_bones_infusions = {count}" + (" (default)" if default else "")
    if lower:
        return _Candidate(per_kg, limit, ("P-HUNGRY", cap_rule)), Choice(
            "P-HUNGRY",
            f"prolonged immobilisation: a quarter of the regular dose ({float(per_kg):g} mg/kg, "
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
            f"capped at {_mg_text(limited.ceiling)} ({', '.join(limited.ceiling_rule_ids)})",
            evidence=evidence,
        )
    return Choice(
        limited.daily_cap.rule_id,
        f"not capped: within the lowest limit {_mg_text(limited.ceiling)} "
        f"({', '.join(limited.ceiling_rule_ids)}) and the daily cap "
        f"{_mg_text(limited.daily_cap.dose)}",
        evidence=evidence,
    )


def compute_doses(
    drug: Drug | str,
    series: Sequence[DoseFacts],
    *,
    band: MaintenanceBand | str | None = None,
    options: DosingOptions = DEFAULT_OPTIONS,
) -> tuple[Dose, ...]:
    """Return the doses of consecutive infusions of one course, in order (:func:`compute_dose`).

    A dose depends on its infusion's date only through the age (P-ZOL-LOW: under 2 years) and on
    its number only through the phase and hungry bones (P-HUNGRY). An infusion in the phase of
    the one before, of the same patient facts, neither under 2 nor a hungry-bones infusion, has
    the numbers of the one before: its dose is that dose with its own facts.
    """
    drug = drug if type(drug) is Drug else Drug(drug)
    band = band if band is None or type(band) is MaintenanceBand else MaintenanceBand(band)
    doses: list[Dose] = []
    for facts in series:
        if doses and _same_numbers(doses[-1].facts, facts, band, options):
            doses.append(attrs.evolve(doses[-1], facts=facts))
        else:
            doses.append(compute_dose(drug, facts, band=band, options=options))
    return tuple(doses)


def _same_numbers(
    before: DoseFacts, facts: DoseFacts, band: MaintenanceBand | None, options: DosingOptions
) -> bool:
    """Whether ``facts`` give the dose ``before`` gave (see :func:`compute_doses`)."""
    hungry = options.hungry_bones_infusions
    return (
        phase_of(before.infusion_number, band) is phase_of(facts.infusion_number, band)
        and not before.under_two_years
        and not facts.under_two_years
        and not (before.prolonged_immobilisation and before.infusion_number <= hungry)
        and not (facts.prolonged_immobilisation and facts.infusion_number <= hungry)
        and before.weight_kg == facts.weight_kg
        and before.low_bone_turnover == facts.low_bone_turnover
        and before.prolonged_immobilisation == facts.prolonged_immobilisation
        and before.complication == facts.complication
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
