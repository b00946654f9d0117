"""The hard-limit gate: P-HARD on every plan and assessment, after the protocol and every plugin.

The engine (:class:`bisphos.engine.Engine`) reads the patient with :func:`read_patient` *before*
any protocol or plugin runs, and passes every plan through :func:`check_plan` and every
assessment through :func:`check_assessment` after the protocol returns — the national protocol,
a local one that overrides ``plan()``, or one a plugin registered or wrapped. The national
pipeline (:func:`bisphos.pediatric.plan.make_plan`) calls :func:`check_course` on its own course
too, so a plan made without an engine is checked by the same arithmetic.

The gate judges the plan's own numbers, never its labels:

- **doses** — zoledronic acid at most 4 mg per calendar day (P-ZOL-CAP) and 0.05 mg/kg per
  infusion (P-ZOL-DOSE), 0.025 mg/kg for the first two infusions of the drug (P-ZOL-FIRST);
  pamidronate at most 90 mg per calendar day (P-PAM-CAP) and 2 mg/kg per day (P-PAM-DOSE), 1 mg/kg
  and 45 mg for the first infusion of the drug (P-PAM-FIRST). Which infusion of the drug it is
  follows from its date among the patient's history of that drug and the plan's earlier
  infusions; a phase written by the protocol is not read. Doses of one day add up, the history's
  included. The weight is the patient's own, to the nearest milligram.
- **preparation** — concentration and rate recomputed from the dose, the volume and the
  duration: pamidronate at most 0.36 mg/ml and 60 mg/h (P-PAM-LABEL), 20 mg/h with a Schwartz-40
  GFR of 30 to 90 or with none (P-PAM-RENAL: renal function unknown is read as impaired, the
  table's :data:`~bisphos.pediatric.table.PAMIDRONATE_MAX_RATE_MG_H`), no pamidronate below 30;
  zoledronic acid over at least 15 minutes.
- **renal gate** — no zoledronic acid unless the protocol's Schwartz-40 GFR (computed here from
  the patient's height and creatinine) is above 90, and a local estimate, when a plugin gives
  one, is above 90 too (P-GFR, P-GFR-LOCAL).
- **contraindications** — the core's P-CI-* blocks, computed from the patient by the core, are in
  the plan as blocks and nothing is cleared today while one holds.
- **dates** — no infusion before the assessment date or on or after the 19th birthday
  (P-SCOPE-1); no two infusions of any bisphosphonate, history included, closer than the
  protocol's declared :class:`~bisphos.protocols.MinimumInterval` (P-HIST-INTERVAL).

Values are read by the gate itself: a quantity must be exactly a quantity of
:data:`bisphos.units.ureg` with a finite, non-negative ``float`` or ``int`` magnitude, converted
here to the gate's unit; a date is rebuilt as a plain :class:`datetime.date` from its year, month
and day (each an ``int``), so a subclass that lies in its comparisons decides nothing; every
object the gate reads is of the exact library class (a spoofed ``__class__`` is not), and
nothing the plan holds is asked to describe itself. A plan that breaks a limit is refused as a
whole with a :class:`~bisphos.errors.HardLimitError` naming the rule, the limit, the infusion
and the values.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Final, TypeVar

import attrs
from pint.util import UnitsContainer

from bisphos._contain import contained, describe
from bisphos.dates import add_months, birthday
from bisphos.errors import BisphosError, HardLimitError, PluginError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Drug, Patient
from bisphos.pediatric.assessment import Assessment, core_contraindications
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.indication import Indication
from bisphos.pediatric.infusion import (
    PAMIDRONATE_LABEL_MAX_CONCENTRATION,
    Preparation,
)
from bisphos.pediatric.kernel import day_limit_mg, due_after, per_kg_limit_mg
from bisphos.pediatric.limits import (
    DAILY_CAPS,
    LOCAL_GFR_RANGE,
    PAMIDRONATE_FIRST_MAX,
    PAMIDRONATE_MIN_GFR,
    WEIGHT_RESOLUTION_KG,
    ZOLEDRONIC_FIRST_INFUSIONS,
    ZOLEDRONIC_MIN_DURATION,
    LimitedDose,
    Phase,
    max_per_kg,
)
from bisphos.pediatric.plan_types import Plan, PlanStatus
from bisphos.pediatric.renal import GfrEstimate, GfrEstimator, schwartz_40
from bisphos.pediatric.schedule import Course, PlannedInfusion
from bisphos.pediatric.table import PAMIDRONATE_MAX_RATE_MG_H, RenalFunction
from bisphos.pediatric.thresholds import GFR_RESOLUTION, SCOPE_AGE_YEARS, ZOLEDRONIC_ACID_MIN_GFR
from bisphos.protocols import NATIONAL_INTERVAL, MinimumInterval
from bisphos.units import Quantity, format_quantity, ureg

__all__ = [
    "Gated",
    "Given",
    "LocalEstimator",
    "PatientFacts",
    "check_assessment",
    "check_course",
    "check_plan",
    "read_patient",
]

_T = TypeVar("_T")

_QUANTITY: Final = ureg.Quantity
_CONTEXT: Final = Context(prec=60)


# -- Reading values the gate's own way ------------------------------------------------------


def _units(unit: str) -> UnitsContainer:
    container: UnitsContainer = ureg.parse_units(unit)._units
    return container


#: The unit the gate reads each kind of value in.
_MG: Final = _units("milligram")
_KG: Final = _units("kilogram")
_ML: Final = _units("milliliter")
_HOUR: Final = _units("hour")
_CM: Final = _units("centimeter")
_UMOL_L: Final = _units("micromole / liter")
_GFR: Final = _units("mL_min_1_73m2")
_MG_PER_KG: Final = _units("milligram / kilogram")
_MG_PER_ML: Final = _units("milligram / milliliter")
_MG_PER_H: Final = _units("milligram / hour")


def _refuse(message: str, field: str, value: object = None, expected: str = "") -> PluginError:
    return PluginError(message, field=field, value=describe(value), expected=expected)


def _magnitude(value: object, unit: UnitsContainer, field: str) -> float:
    """The magnitude of ``value`` in ``unit``: finite, not negative, read without its methods.

    Raises:
        PluginError: ``value`` is not exactly a quantity of the registry with a float or int
            magnitude, is in a unit that is not ``unit``'s dimension, or is not finite and
            non-negative.
    """
    if type(value) is not _QUANTITY:
        raise _refuse("not a quantity of the bisphos unit registry", field, value)
    state = vars(value)
    magnitude = state.get("_magnitude")
    units = state.get("_units")
    if type(magnitude) not in (float, int) or type(units) is not UnitsContainer:
        raise _refuse("a quantity's magnitude is not a plain number", field, magnitude)
    try:
        number = float(magnitude)  # type: ignore[arg-type]
        if units != unit:
            number = float(ureg.convert(number, units, unit))
    except (OverflowError, ArithmeticError, ValueError, TypeError, BisphosError) as error:
        raise _refuse(
            f"a value the gate cannot read in {unit} ({type(error).__name__})", field
        ) from None
    except Exception:
        raise _refuse(f"a value not convertible to {unit}", field) from None
    if not math.isfinite(number) or number < 0:
        raise _refuse("a value must be finite and not negative", field, number)
    return number


def _decimal(number: float) -> Decimal:
    """The shortest decimal that reads back as ``number``."""
    return Decimal(repr(float(number)))


def _exact_decimal(value: object, unit: UnitsContainer, field: str) -> Decimal:
    return _decimal(_magnitude(value, unit, field))


def _plain_date(value: object, field: str) -> dt.date:
    """``value`` rebuilt as a plain date from its year, month and day, each a plain ``int``."""
    parts = []
    for name in ("year", "month", "day"):
        part = contained(field, lambda name=name: getattr(value, name))  # type: ignore[misc]
        if type(part) is not int:
            raise _refuse("not a calendar date", field, value, "a datetime.date")
        parts.append(part)
    try:
        return dt.date(*parts)
    except (ValueError, OverflowError):
        raise _refuse("not a calendar date", field, None, "a datetime.date") from None


def _exact(value: object, kind: type[_T], field: str) -> _T:
    if type(value) is not kind:
        raise _refuse(
            f"not a {kind.__name__} of bisphos", field, value, f"{kind.__module__}.{kind.__name__}"
        )
    return value


def _drug(value: object, field: str) -> Drug:
    if type(value) is not Drug:
        raise _refuse("not a bisphos Drug", field, value, "a bisphos.model.Drug")
    return value


def _tuple(value: object, field: str) -> tuple[object, ...]:
    if type(value) is not tuple:
        raise _refuse("not a tuple", field, value)
    return value


# -- The limits, read once from the named constants -----------------------------------------


def _constant(value: Quantity, unit: UnitsContainer) -> Decimal:
    return _exact_decimal(value, unit, "constant")


_CAP_MG: Final = {drug: _constant(cap.dose, _MG) for drug, cap in DAILY_CAPS.items()}
_CAP_RULE: Final = {drug: cap.rule_id for drug, cap in DAILY_CAPS.items()}
_CAP_TEXT: Final = {drug: format_quantity(cap.dose) for drug, cap in DAILY_CAPS.items()}
_ZOL_FIRST_PER_KG: Final = _constant(
    max_per_kg(Drug.ZOLEDRONIC_ACID, Phase.FIRST).per_kg, _MG_PER_KG
)
_ZOL_PER_KG: Final = _constant(max_per_kg(Drug.ZOLEDRONIC_ACID, Phase.REGULAR).per_kg, _MG_PER_KG)
_PAM_FIRST_PER_KG: Final = _constant(max_per_kg(Drug.PAMIDRONATE, Phase.FIRST).per_kg, _MG_PER_KG)
_PAM_PER_KG: Final = _constant(max_per_kg(Drug.PAMIDRONATE, Phase.REGULAR).per_kg, _MG_PER_KG)
_PAM_FIRST_MG: Final = _constant(PAMIDRONATE_FIRST_MAX, _MG)
_PAM_MAX_MG_PER_ML: Final = _constant(PAMIDRONATE_LABEL_MAX_CONCENTRATION, _MG_PER_ML)
#: P-PAM-RENAL, P-PAM-LABEL: the highest pamidronate rate (mg/h) and the rule a refusal names,
#: by renal function, read from the table's one entry (unknown: the renal limit).
_PAM_MAX_MG_PER_H: Final = {
    renal: (number.decimal, number.rule_ids[0])
    for renal, number in PAMIDRONATE_MAX_RATE_MG_H.items()
}
_ZOL_MIN_HOURS: Final = _constant(ZOLEDRONIC_MIN_DURATION, _HOUR)
_GFR_STEP: Final = GFR_RESOLUTION.step
_ZOL_GFR_STEPS: Final = round(_magnitude(ZOLEDRONIC_ACID_MIN_GFR, _GFR, "constant") / _GFR_STEP)
_PAM_GFR_STEPS: Final = round(_magnitude(PAMIDRONATE_MIN_GFR, _GFR, "constant") / _GFR_STEP)
_LOCAL_GFR_LOW: Final = _magnitude(LOCAL_GFR_RANGE[0], _GFR, "constant")
_LOCAL_GFR_HIGH: Final = _magnitude(LOCAL_GFR_RANGE[1], _GFR, "constant")
_SCHWARTZ_K: Final = float(schwartz_40.k)


def _show(value: Decimal) -> str:
    """A decimal written plainly: ``0.5``, ``20``, never ``0.500000000`` or ``2E+1``."""
    return format(value.normalize(), "f")


def _steps(gfr: float) -> int:
    return round(gfr / _GFR_STEP)


# -- The patient, read before any protocol runs ---------------------------------------------


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
        if self.schwartz_gfr is None or _steps(self.schwartz_gfr) <= _ZOL_GFR_STEPS:
            return False
        return self.local_gfr is None or _steps(self.local_gfr) > _ZOL_GFR_STEPS

    @property
    def pamidronate_allowed(self) -> bool:
        """P-PAM-RENAL: no pamidronate with a Schwartz-40 GFR below 30 (unknown: allowed)."""
        return self.schwartz_gfr is None or _steps(self.schwartz_gfr) >= _PAM_GFR_STEPS

    @property
    def renal_function(self) -> RenalFunction:
        """P-PAM-RENAL: the kidneys by the Schwartz-40 GFR (above 90, 90 or less, none)."""
        if self.schwartz_gfr is None:
            return RenalFunction.UNKNOWN
        if _steps(self.schwartz_gfr) <= _ZOL_GFR_STEPS:
            return RenalFunction.IMPAIRED
        return RenalFunction.NORMAL

    @property
    def pamidronate_rate_limited(self) -> bool:
        """P-PAM-RENAL: a Schwartz-40 GFR of 90 or less, or none, limits pamidronate to 20 mg/h."""
        return (
            _PAM_MAX_MG_PER_H[self.renal_function][0] < _PAM_MAX_MG_PER_H[RenalFunction.NORMAL][0]
        )

    def earliest_start(self, interval: MinimumInterval) -> dt.date | None:
        """The first day a new cycle may start after the history (P-HIST-INTERVAL).

        ``None`` without a history, or when that day is beyond the calendar.
        """
        starts = _cycle_starts([given.date for given in self.history], interval)
        if not starts:
            return None
        return _earliest(starts[-1], interval)


def read_patient(patient: Patient, estimator: GfrEstimator | None = None) -> PatientFacts:
    """Read what the gate needs of ``patient``, before any protocol or plugin runs.

    Args:
        patient: The caller's patient.
        estimator: A local GFR estimator from a plugin (a :class:`LocalEstimator`), or ``None``.

    Raises:
        PluginError: a value of the patient cannot be read, or the local estimator failed or
            gave an estimate P-GFR-LOCAL refuses.
    """
    weight = _exact_decimal(patient.weight, _KG, "weight")
    weight_kg = weight.quantize(WEIGHT_RESOLUTION_KG, rounding=ROUND_HALF_EVEN)
    creatinine = patient.labs.creatinine
    height = patient.height
    schwartz = None
    local = None
    if height is not None and creatinine is not None:
        height_cm = _magnitude(height, _CM, "height")
        creatinine_umol_l = _magnitude(creatinine.value, _UMOL_L, "labs.creatinine")
        if height_cm > 0 and creatinine_umol_l > 0:
            schwartz = _SCHWARTZ_K * height_cm / creatinine_umol_l
        if estimator is not None:
            local = _local_gfr(estimator, height_cm, creatinine_umol_l)
    history = tuple(
        Given(
            _drug(record.drug, f"infusions[{index}].drug"),
            _plain_date(record.date, f"infusions[{index}].date"),
            _exact_decimal(record.dose, _MG, f"infusions[{index}].dose"),
        )
        for index, record in enumerate(patient.infusions)
    )
    return PatientFacts(
        birth_date=_plain_date(patient.birth_date, "birth_date"),
        assessment_date=_plain_date(patient.assessment_date, "assessment_date"),
        weight_kg=weight_kg,
        schwartz_gfr=schwartz,
        local_gfr=local,
        history=history,
        blocks=core_contraindications(patient),
    )


def _local_gfr(estimator: GfrEstimator, height_cm: float, creatinine_umol_l: float) -> float:
    estimate = estimator(
        height=ureg.Quantity(height_cm, _CM), creatinine=ureg.Quantity(creatinine_umol_l, _UMOL_L)
    )
    return _magnitude(estimate.value, _GFR, "gfr")


@attrs.frozen
class LocalEstimator:
    """A plugin's GFR estimator, contained (P-GFR-LOCAL).

    Each call gives the estimator fresh quantities (it cannot change the patient's), turns
    anything it raises into a :class:`~bisphos.errors.PluginError`, and accepts only an estimate
    of 1 to 250 ml/min/1.73 m² computed from the height and creatinine it was given.

    Attributes:
        estimator: The plugin's estimator.
        name: Its name, read once.
    """

    estimator: object
    name: str

    @classmethod
    def of(cls, estimator: object, where: str) -> LocalEstimator:
        """Contain ``estimator``, reading its name once.

        Raises:
            PluginError: it is not callable or has no name of text.
        """
        name = contained(where, lambda: getattr(estimator, "name", None))
        if type(name) is not str or not contained(where, lambda: callable(estimator)):
            raise _refuse(
                "a GFR estimator must be callable and have a name",
                where,
                estimator,
                "a bisphos.pediatric.renal.GfrEstimator",
            )
        return cls(estimator, name)

    def __call__(self, *, height: Quantity, creatinine: Quantity) -> GfrEstimate:
        """Return the plugin's estimate, checked and rebuilt from the values the gate read.

        Raises:
            PluginError: the estimator failed, returned no GfrEstimate, an estimate outside
                1-250 ml/min/1.73 m², or one from another height or creatinine.
        """
        height_cm = _magnitude(height, _CM, "height")
        creatinine_umol_l = _magnitude(creatinine, _UMOL_L, "labs.creatinine")
        where = "bisphos_gfr_estimator"
        call: Callable[[], object] = self.estimator  # type: ignore[assignment]
        result = contained(
            where,
            lambda: call(  # type: ignore[call-arg]
                height=ureg.Quantity(height_cm, _CM),
                creatinine=ureg.Quantity(creatinine_umol_l, _UMOL_L),
            ),
        )
        estimate = _exact(result, GfrEstimate, "gfr")
        value = _magnitude(estimate.value, _GFR, "gfr")
        if not _LOCAL_GFR_LOW <= value <= _LOCAL_GFR_HIGH:
            raise PluginError(
                f"the local GFR estimate of {self.name} is outside 1-250 ml/min/1.73 m² "
                "(P-GFR-LOCAL)",
                field="gfr",
                value=value,
                expected="an estimate from 1 to 250 ml/min/1.73 m²",
            )
        used = (
            _magnitude(estimate.height, _CM, "gfr.height"),
            _magnitude(estimate.creatinine, _UMOL_L, "gfr.creatinine"),
        )
        if not (_close(used[0], height_cm) and _close(used[1], creatinine_umol_l)):
            raise PluginError(
                f"the local GFR estimate of {self.name} is computed from another height or "
                "creatinine than the patient's (P-GFR-LOCAL)",
                field="gfr",
                value=f"{used[0]:g} cm, {used[1]:g} µmol/l",
                expected=f"{height_cm:g} cm, {creatinine_umol_l:g} µmol/l",
            )
        constant = estimate.constant
        return GfrEstimate(
            value=ureg.Quantity(value, _GFR),
            estimator=self.name,
            constant=float(constant) if type(constant) in (float, int) else None,  # type: ignore[arg-type]
            height=ureg.Quantity(height_cm, _CM),
            creatinine=ureg.Quantity(creatinine_umol_l, _UMOL_L),
            rule_ids=("P-GFR", "P-GFR-LOCAL"),
        )


def _close(used: float, actual: float) -> bool:
    """Equal up to a conversion's rounding (one part in a billion)."""
    return abs(used - actual) <= 1e-9 * max(abs(actual), 1.0)


# -- The plan's own numbers -----------------------------------------------------------------


@attrs.frozen
class _Infusion:
    """One planned infusion as the gate reads it."""

    index: int
    drug: Drug
    date: dt.date
    dose_mg: Decimal
    volume_ml: Decimal
    hours: Decimal


def _read_infusion(index: int, value: object) -> _Infusion:
    field = f"infusions[{index}]"
    planned = _exact(value, PlannedInfusion, field)
    dose = _exact(planned.dose, Dose, f"{field}.dose")
    limited = _exact(dose.limited, LimitedDose, f"{field}.dose")
    preparation = _exact(planned.preparation, Preparation, f"{field}.preparation")
    drug = _drug(dose.drug, f"{field}.dose.drug")
    if _drug(preparation.drug, f"{field}.preparation.drug") is not drug:
        raise PluginError(
            "a planned infusion's preparation is of another drug than its dose",
            field=f"{field}.preparation.drug",
            value=preparation.drug.value,
            expected=drug.value,
        )
    dose_mg = _exact_decimal(limited.dose, _MG, f"{field}.dose")
    _within_cap(drug, dose_mg, index, f"{field}.dose")
    prepared_mg = _exact_decimal(preparation.dose, _MG, f"{field}.preparation")
    _within_cap(drug, prepared_mg, index, f"{field}.preparation")
    if not dose_mg > 0:
        raise _limit(
            "a planned dose must be positive", index, "P-HARD", "a positive dose", dose_mg, "mg"
        )
    if prepared_mg != dose_mg:
        raise HardLimitError(
            "the preparation is not of the planned dose",
            field=f"{field}.preparation.dose",
            value=f"{_show(prepared_mg)} mg",
            expected=f"{_show(dose_mg)} mg",
            rule_id="P-HARD",
            limit="the planned dose",
            infusion=index,
        )
    volume_ml = _exact_decimal(preparation.volume, _ML, f"{field}.preparation.volume")
    hours = _exact_decimal(preparation.duration, _HOUR, f"{field}.preparation.duration")
    if not volume_ml > 0 or not hours > 0:
        raise _limit(
            "an infusion needs a positive volume and duration",
            index,
            "P-HARD",
            "a positive volume and duration",
            min(volume_ml, hours),
            "ml or h",
        )
    return _Infusion(
        index=index,
        drug=drug,
        date=_plain_date(planned.date, f"{field}.date"),
        dose_mg=dose_mg,
        volume_ml=volume_ml,
        hours=hours,
    )


def _limit(
    message: str, index: int | None, rule_id: str, limit: str, *values: Decimal | str
) -> HardLimitError:
    value, unit = values
    field = "infusions" if index is None else f"infusions[{index}]"
    return HardLimitError(
        f"{message} ({rule_id})",
        field=field,
        value=f"{value} {unit}",
        expected=f"{limit} ({rule_id})",
        rule_id=rule_id,
        limit=limit,
        infusion=index,
    )


def _within_cap(drug: Drug, dose_mg: Decimal, index: int, field: str) -> None:
    cap, rule = _CAP_MG[drug], _CAP_RULE[drug]
    if dose_mg > cap:
        raise HardLimitError(
            f"the dose is above the daily cap ({rule})",
            field=field,
            value=f"{_show(dose_mg)} mg",
            expected=f"at most {_CAP_TEXT[drug]}",
            rule_id=rule,
            limit=f"{_show(cap)} mg per calendar day",
            infusion=index,
        )


def _per_kg(drug: Drug, number: int, weight_kg: Decimal) -> tuple[Decimal, str, str]:
    """The most of one infusion by its place among the drug's infusions: mg, rule, words.

    The place, never a label, gives the phase whose per-kg maximum applies (the kernel's
    arithmetic, :func:`bisphos.pediatric.kernel.per_kg_limit_mg`).
    """
    if drug is Drug.ZOLEDRONIC_ACID:
        if number <= ZOLEDRONIC_FIRST_INFUSIONS:
            phase, rule = Phase.FIRST, "P-ZOL-FIRST"
        else:
            phase, rule = Phase.REGULAR, "P-ZOL-DOSE"
        per_kg = max_per_kg(drug, phase).per_kg
        return per_kg_limit_mg(drug, phase, weight_kg), rule, f"{format_quantity(per_kg)}"
    if number == 1:
        limit = min(per_kg_limit_mg(drug, Phase.FIRST, weight_kg), _PAM_FIRST_MG)
        words = f"{_show(_PAM_FIRST_PER_KG)} mg/kg (and {_show(_PAM_FIRST_MG)} mg)"
        return limit, "P-PAM-FIRST", words
    return (
        per_kg_limit_mg(drug, Phase.REGULAR, weight_kg),
        "P-PAM-DOSE",
        f"{_show(_PAM_PER_KG)} mg/kg",
    )


def _check_doses(infusions: Sequence[_Infusion], facts: PatientFacts) -> None:
    weight = facts.weight_kg
    counts = dict.fromkeys(Drug, 0)
    for given in facts.history:
        counts[given.drug] += 1
    per_day: dict[tuple[Drug, dt.date], Decimal] = {}
    for given in facts.history:
        key = (given.drug, given.date)
        per_day[key] = per_day.get(key, Decimal(0)) + given.dose_mg
    for item in sorted(infusions, key=lambda i: (i.date, i.index)):
        counts[item.drug] += 1
        limit_mg, rule, words = _per_kg(item.drug, counts[item.drug], weight)
        if item.dose_mg > limit_mg:
            raise HardLimitError(
                "a planned dose is above a hard limit",
                field=f"infusions[{item.index}].dose",
                value=f"{_show(item.dose_mg)} mg",
                expected=f"at most {words} x {_show(weight)} kg = {_show(limit_mg)} mg ({rule}, "
                f"infusion {counts[item.drug]} of {item.drug.value}, counted from the history)",
                rule_id=rule,
                limit=f"{_show(limit_mg)} mg",
                infusion=item.index,
            )
        key = (item.drug, item.date)
        per_day[key] = per_day.get(key, Decimal(0)) + item.dose_mg
        per_kg = _ZOL_PER_KG if item.drug is Drug.ZOLEDRONIC_ACID else _PAM_PER_KG
        day_limit = day_limit_mg(item.drug, weight)
        if per_day[key] > day_limit:
            rule = _CAP_RULE[item.drug]
            raise HardLimitError(
                "a planned dose is above a hard limit",
                field=f"infusions[{item.index}]",
                value=f"{_show(per_day[key])} mg",
                expected=f"at most {_show(day_limit)} mg on {item.date.isoformat()} ({rule}, the "
                f"daily per-kg maximum of {_show(per_kg)} mg/kg): the doses planned on one day "
                "add up above it, the history's included",
                rule_id=rule,
                limit=f"{_show(day_limit)} mg per calendar day",
                infusion=item.index,
            )


def _check_preparation(item: _Infusion, facts: PatientFacts) -> None:
    index = item.index
    if item.drug is Drug.ZOLEDRONIC_ACID:
        if item.hours < _ZOL_MIN_HOURS:
            raise _limit(
                "zoledronic acid infused too fast",
                index,
                "P-HARD",
                f"over at least {_show(_ZOL_MIN_HOURS)} h (15 minutes)",
                item.hours,
                "h",
            )
        return
    # Concentration and rate recomputed: dose / volume and dose / duration, in decimal.
    if item.dose_mg > _CONTEXT.multiply(_PAM_MAX_MG_PER_ML, item.volume_ml):
        concentration = _CONTEXT.divide(item.dose_mg, item.volume_ml)
        raise _limit(
            "pamidronate concentration above the label's limit",
            index,
            "P-PAM-LABEL",
            f"at most {_show(_PAM_MAX_MG_PER_ML)} mg/ml",
            f"{concentration:.4g}",
            "mg/ml",
        )
    rate_limit, rule = _PAM_MAX_MG_PER_H[facts.renal_function]
    if item.dose_mg > _CONTEXT.multiply(rate_limit, item.hours):
        rate = _CONTEXT.divide(item.dose_mg, item.hours)
        raise _limit(
            "pamidronate infused faster than the label allows",
            index,
            rule,
            f"at most {_show(rate_limit)} mg/h",
            f"{rate:.4g}",
            "mg/h",
        )


def _check_renal(item: _Infusion, facts: PatientFacts) -> None:
    gfr = facts.schwartz_gfr
    if item.drug is Drug.ZOLEDRONIC_ACID and not facts.zoledronic_acid_allowed:
        local = facts.local_gfr
        shown = "none" if gfr is None else f"{gfr:.1f}"
        if local is not None:
            shown += f", local estimate {local:.1f}"
        raise _limit(
            "zoledronic acid planned without a GFR above 90 ml/min/1.73 m²",
            item.index,
            "P-GFR-LOCAL" if local is not None else "P-GFR",
            "Schwartz-40 GFR and any local estimate above 90 ml/min/1.73 m²",
            shown,
            "ml/min/1.73 m²",
        )
    if item.drug is Drug.PAMIDRONATE and gfr is not None and not facts.pamidronate_allowed:
        raise _limit(
            "pamidronate planned with a Schwartz-40 GFR below 30 ml/min/1.73 m²",
            item.index,
            "P-PAM-RENAL",
            "no pamidronate below 30 ml/min/1.73 m²",
            f"{gfr:.1f}",
            "ml/min/1.73 m²",
        )


def _check_dates(item: _Infusion, facts: PatientFacts) -> None:
    if item.date < facts.assessment_date:
        raise _limit(
            "an infusion is dated before the assessment date",
            item.index,
            "P-SCOPE-1",
            f"on or after {facts.assessment_date.isoformat()}",
            item.date.isoformat(),
            "",
        )
    end = facts.end_of_scope
    if end is not None and not item.date < end:
        raise _limit(
            "an infusion is dated on or after the 19th birthday",
            item.index,
            "P-SCOPE-1",
            f"before {end.isoformat()}",
            item.date.isoformat(),
            "",
        )


def _earliest(start: dt.date, interval: MinimumInterval) -> dt.date | None:
    try:
        return due_after(add_months, start, interval.months, interval.days)
    except (ValueError, OverflowError):
        return None


def _cycles(
    events: Sequence[tuple[dt.date, int | None]], interval: MinimumInterval
) -> Iterator[tuple[dt.date, int | None, dt.date | None]]:
    """Walk ``events`` (date, infusion index or ``None`` for the history) in date order.

    Yields each event that starts a new cycle with the first day of the cycle before it (or
    ``None`` for the first); infusions on consecutive days continue a cycle of at most
    ``interval.cycle_days``.
    """
    start: dt.date | None = None
    length = 0
    previous: dt.date | None = None
    for date, index in sorted(
        events, key=lambda event: (event[0], -1 if event[1] is None else event[1])
    ):
        if previous is not None and (date - previous).days == 1 and length < interval.cycle_days:
            length += 1
        else:
            yield date, index, start
            start, length = date, 1
        previous = date


def _cycle_starts(dates: Sequence[dt.date], interval: MinimumInterval) -> list[dt.date]:
    """The first day of each cycle of ``dates``, as the interval groups them."""
    return [date for date, _, _ in _cycles([(date, None) for date in dates], interval)]


def _check_intervals(
    infusions: Sequence[_Infusion], facts: PatientFacts, interval: MinimumInterval
) -> None:
    """P-HIST-INTERVAL: every bisphosphonate counts, the history's and the plan's."""
    events: list[tuple[dt.date, int | None]] = [(given.date, None) for given in facts.history]
    events += [(item.date, item.index) for item in infusions]
    for date, index, before in _cycles(events, interval):
        if index is None or before is None:
            continue
        earliest = _earliest(before, interval)
        if earliest is None or date < earliest:
            raise _limit(
                "two bisphosphonate infusions closer than the protocol's interval",
                index,
                "P-HIST-INTERVAL",
                f"a new cycle no earlier than {interval.months} months {interval.days} days "
                f"after {before.isoformat()} (cycles of at most {interval.cycle_days} days)",
                date.isoformat(),
                "",
            )


#: The types of a value shown to a reader that need no further look (exact types only).
_PLAIN_TYPES: Final = frozenset({str, int, float, bool, type(None), dt.date})


def _plain(value: object, field: str) -> None:
    """A value shown to a reader: text, a number, a flag, a plain date or a plain quantity."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return
    if kind is _QUANTITY:
        state = vars(value)
        if (
            type(state.get("_magnitude")) in (float, int)
            and type(state.get("_units")) is UnitsContainer
        ):
            return
    raise _refuse("a value to show is not a plain value", field, value)


def _findings(value: object, field: str) -> tuple[Finding, ...]:
    """Findings of bisphos's exact class, each field a plain value (no foreign object).

    The field names of an error are written only when one is raised.
    """
    findings = _tuple(value, field)
    plain = _PLAIN_TYPES
    for index, finding in enumerate(findings):
        if type(finding) is not Finding:
            _exact(finding, Finding, f"{field}[{index}]")
        item: Finding = finding  # type: ignore[assignment]
        if type(item.severity) is not Severity:
            raise _refuse("a finding's severity is not a bisphos Severity", f"{field}[{index}]")
        if type(item.code) is not str or type(item.message) is not str:
            _texts(item, f"{field}[{index}]")
        if type(item.action) is not str:
            _texts(item, f"{field}[{index}]")
        rules = item.rule_ids
        if type(rules) is not tuple or any(type(rule) is not str for rule in rules):
            for rule in _tuple(rules, f"{field}[{index}].rule_ids"):
                if type(rule) is not str:
                    raise _refuse("a rule id is not text", f"{field}[{index}].rule_ids")
        evidence = item.evidence
        if type(evidence) is not tuple:
            _tuple(evidence, f"{field}[{index}].evidence")
        for number, shown in enumerate(evidence):
            if type(shown) is not Evidence:
                _exact(shown, Evidence, f"{field}[{index}].evidence[{number}]")
            if type(shown.name) not in plain:
                _plain(shown.name, f"{field}[{index}].evidence[{number}].name")
            if type(shown.value) not in plain:
                _plain(shown.value, f"{field}[{index}].evidence[{number}].value")
            if type(shown.threshold) not in plain:
                _plain(shown.threshold, f"{field}[{index}].evidence[{number}].threshold")
    return findings  # type: ignore[return-value]


def _texts(item: Finding, where: str) -> None:
    """A finding's code, message and action are text."""
    for name in ("code", "message", "action"):
        if type(getattr(item, name)) is not str:
            raise _refuse(f"a finding's {name} is not text", f"{where}.{name}")


def _check_blocks(
    findings: tuple[Finding, ...], *, cleared: bool, planned: bool, facts: PatientFacts
) -> None:
    """Nothing is cleared while a core P-CI-* block holds; the block is kept, as a block.

    ``planned`` says whether anything is planned (or assessed in scope): then each block must be
    among the findings.
    """
    present = {f.code for f in findings if f.severity is Severity.BLOCK}
    for block in facts.blocks:
        if cleared or (planned and block.code not in present):
            raise HardLimitError(
                "a core contraindication was removed, demoted or cleared",
                field="findings",
                value=block.code,
                expected=f"a BLOCK {block.code} and nothing cleared today ({block.rule_ids[0]})",
                rule_id=block.rule_ids[0],
                limit="no infusion cleared with a contraindication",
            )
    if cleared and not facts.in_scope:
        raise HardLimitError(
            "a patient of 19 or older is cleared",
            field="status",
            value="cleared",
            expected="out of scope, nothing cleared (P-SCOPE-1)",
            rule_id="P-SCOPE-1",
            limit="younger than 19 on the assessment date",
        )


def check_course(
    course: Course, facts: PatientFacts, interval: MinimumInterval = NATIONAL_INTERVAL
) -> Course:
    """Check every planned infusion of ``course`` against the hard limits of P-HARD.

    Returns ``course`` with every date rebuilt as a plain date.

    Raises:
        HardLimitError: an infusion breaks a hard limit (the rule, limit, index and values are
            named).
        PluginError: a value of the course cannot be read as the gate reads it.
    """
    course = _exact(course, Course, "course")
    drug = _drug(course.drug, "course.drug")
    _findings(course.findings, "course.findings")
    raw = _tuple(course.infusions, "course.infusions")
    infusions = [_read_infusion(index, item) for index, item in enumerate(raw)]
    for item in infusions:
        if item.drug is not drug:
            raise PluginError(
                "a planned infusion is of another drug than its course",
                field=f"infusions[{item.index}]",
                value=item.drug.value,
                expected=drug.value,
            )
        _check_dates(item, facts)
        _check_renal(item, facts)
        _check_preparation(item, facts)
    _check_doses(infusions, facts)
    _check_intervals(infusions, facts, interval)
    planned: tuple[PlannedInfusion, ...] = raw  # type: ignore[assignment]
    if all(type(p.date) is dt.date for p in planned):
        return course
    plain = tuple(
        attrs.evolve(p, date=item.date) for p, item in zip(planned, infusions, strict=True)
    )
    return attrs.evolve(course, infusions=plain)


@attrs.frozen
class Gated:
    """What the engine holds of a registered protocol, read once at registration.

    Attributes:
        protocol_id: The id, as registered.
        version: The version, as registered.
        interval: The declared minimum interval.
        builtin: Whether the engine constructed it (a built-in protocol).
    """

    protocol_id: str
    version: str
    interval: MinimumInterval
    builtin: bool = False


def check_assessment(assessment: object, facts: PatientFacts) -> Assessment:
    """Check an assessment: core blocks kept, nothing cleared out of scope, the renal gate.

    Raises:
        HardLimitError: a core contraindication is missing or cleared, a patient out of scope
            is cleared, or zoledronic acid is allowed without the GFR gate.
        PluginError: the assessment is not one bisphos can read.
    """
    checked = _exact(assessment, Assessment, "assessment")
    findings = _findings(checked.findings, "assessment.findings")
    drugs = _tuple(checked.allowed_drugs, "assessment.allowed_drugs")
    for index, drug in enumerate(drugs):
        _drug(drug, f"assessment.allowed_drugs[{index}]")
    if type(checked.in_scope) is not bool:
        raise _refuse("an assessment's scope is not a flag", "assessment.in_scope")
    indication = checked.indication
    if indication is not None:
        indication = _exact(indication, Indication, "assessment.indication")
        if type(indication.indicated) is not bool:
            raise _refuse("an indication is not a flag", "assessment.indication")
    indicated = indication is not None and indication.indicated
    blocked = any(f.severity is Severity.BLOCK for f in findings)
    cleared = checked.in_scope and indicated and bool(drugs) and not blocked
    _check_blocks(findings, cleared=cleared, planned=checked.in_scope, facts=facts)
    if Drug.ZOLEDRONIC_ACID in drugs and not facts.zoledronic_acid_allowed:
        raise HardLimitError(
            "zoledronic acid allowed without a GFR above 90 ml/min/1.73 m²",
            field="assessment.allowed_drugs",
            value=Drug.ZOLEDRONIC_ACID.value,
            expected="Schwartz-40 GFR and any local estimate above 90 (P-GFR, P-GFR-LOCAL)",
            rule_id="P-GFR-LOCAL" if facts.local_gfr is not None else "P-GFR",
            limit="GFR above 90 ml/min/1.73 m²",
        )
    return checked


def check_plan(
    plan: object, facts: PatientFacts, interval: MinimumInterval = NATIONAL_INTERVAL
) -> Plan:
    """Check a whole plan against P-HARD; return it (dates rebuilt plain) or refuse it.

    Raises:
        HardLimitError: the plan breaks a hard limit; it is refused as a whole.
        PluginError: the plan is not one bisphos can read (a foreign class, a spoofed value).
    """
    checked = _exact(plan, Plan, "plan")
    status = _exact(checked.status, PlanStatus, "status")
    findings = _findings(checked.findings, "findings")
    course = checked.course
    planned = course is not None and bool(_tuple(_exact(course, Course, "course").infusions, "x"))
    _check_blocks(findings, cleared=status is PlanStatus.READY, planned=planned, facts=facts)
    if status is PlanStatus.READY and any(f.severity is Severity.BLOCK for f in findings):
        raise HardLimitError(
            "a plan with a blocking finding is ready",
            field="status",
            value=status.value,
            expected="blocked",
            rule_id="P-HARD",
            limit="nothing cleared with a block",
        )
    check_assessment(checked.assessment, facts)
    if course is None:
        return checked
    gated = check_course(course, facts, interval)
    return checked if gated is course else attrs.evolve(checked, course=gated)
