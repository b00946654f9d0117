"""Preparation of an infusion: fluid, volume, duration and pump rate for a final dose.

Zoledronic acid (P-ZOL-DOSE): the dose in 50–100 ml NaCl 0.9 % over 1 hour. The volume is an
option; the default is 50 ml, the smallest fluid load the guideline allows, which matters most
for the smallest children. The pump rate is the volume per hour.

Pamidronate (P-PAM-DOSE): diluted in NaCl 0.9 % to 0.1 mg/ml and given over 4 hours, so
volume = dose / 0.1 mg/ml and rate = volume / 4 h (invariant 8). A dose rounded to 0.1 mg gives a
whole number of millilitres. The label limits the catalogue names for plausibility checks of
local regimens — at most 60 mg/h and at most 90 mg per 250 ml (0.36 mg/ml) — are checked on every
preparation; the protocol's own preparation always passes them (90 mg over 4 hours is 22.5 mg/h at
0.1 mg/ml), so a failure can only come from a local regimen, and it blocks the infusion.

The arithmetic is decimal, on the shortest decimal form of each float, so that 45.3 mg becomes
453 ml and not 452.99999999999994 ml. Only a final dose is prepared: a dose above the daily cap,
NaN, zero or negative raises :class:`~bisphos.errors.HardLimitError`.
"""

from __future__ import annotations

from decimal import Context, Decimal
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.errors import InvalidValueError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Drug
from bisphos.pediatric import table as t
from bisphos.pediatric.dosing import Choice
from bisphos.pediatric.kernel import pamidronate_volume_ml, rate_per_h
from bisphos.pediatric.limits import canonical_magnitude, exact, final_mg
from bisphos.units import (
    Quantity,
    Unit,
    format_quantity,
    quantity,
    ureg,
)

__all__ = [
    "DEFAULT_PREPARATION",
    "DILUENT",
    "PAMIDRONATE_CONCENTRATION",
    "PAMIDRONATE_DURATION",
    "PAMIDRONATE_LABEL_MAX_CONCENTRATION",
    "PAMIDRONATE_LABEL_MAX_RATE",
    "ZOLEDRONIC_DURATION",
    "LabelCheck",
    "Preparation",
    "PreparationOptions",
    "pamidronate_label_checks",
    "pamidronate_label_failures",
    "prepare_infusion",
]

#: The carrier fluid of both drugs (P-ZOL-DOSE, P-PAM-DOSE).
DILUENT: Final = "NaCl 0.9 %"


def _of(number: t.Number) -> Quantity:
    return quantity(number.value, number.unit)


#: Infusion time of zoledronic acid (P-ZOL-DOSE).
ZOLEDRONIC_DURATION: Final = _of(t.ZOLEDRONIC_ACID_DURATION_H)
#: Concentration pamidronate is diluted to (P-PAM-DOSE).
PAMIDRONATE_CONCENTRATION: Final = _of(t.PAMIDRONATE_CONCENTRATION_MG_ML)
#: Infusion time of pamidronate (P-PAM-DOSE).
PAMIDRONATE_DURATION: Final = _of(t.PAMIDRONATE_DURATION_H)
#: Highest pamidronate infusion rate of the label (P-PAM-DOSE), a hard limit, in mg/h.
PAMIDRONATE_LABEL_MAX_RATE: Final = _of(t.PAMIDRONATE_LABEL_MAX_RATE_MG_H)
#: Highest pamidronate infusion rate of the label in renal impairment (P-PAM-RENAL), in mg/h.
PAMIDRONATE_RENAL_MAX_RATE: Final = _of(t.PAMIDRONATE_RENAL_MAX_RATE_MG_H)
#: Highest pamidronate concentration of the label, 90 mg per 250 ml (P-PAM-DOSE), a hard limit.
PAMIDRONATE_LABEL_MAX_CONCENTRATION: Final = _of(t.PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML)

_ZOL_VOLUME_RANGE: Final = tuple(volume.value for volume in t.ZOLEDRONIC_ACID_VOLUME_ML)
#: Decimal arithmetic at 40 digits, without entering a context for every preparation.
_CONTEXT: Final = Context(prec=40)


_UNITS: Final[dict[str, Unit]] = {
    name: ureg.Unit(name)
    for name in (
        "milliliter",
        "milliliter / hour",
        "milligram / hour",
        "milligram / milliliter",
        "hour",
    )
}


def _quantity(value: Decimal, unit: str) -> Quantity:
    return ureg.Quantity(float(value), _UNITS[unit])


_ZOL_HOURS: Final = f"{t.ZOLEDRONIC_ACID_DURATION_H.value:g}"
_ZOL_OVER: Final = f"over {_ZOL_HOURS} hour; rate = volume / {_ZOL_HOURS} h"
_PER_ML: Final = f"{t.PAMIDRONATE_CONCENTRATION_MG_ML.value:g}"
_PAM_HOURS: Final = f"{t.PAMIDRONATE_DURATION_H.value:g}"


def _text(value: Decimal) -> str:
    """Write a decimal plainly: ``50``, ``113.25``, never ``5E+1``."""
    return format(value.normalize(), "f")


def _zoledronic_volume(value: object) -> Quantity:
    volume = q.VOLUME.conform(value, field="options.zoledronic_volume")
    low, high = _ZOL_VOLUME_RANGE
    if not low <= float(volume.magnitude) <= high:
        raise InvalidValueError(
            f"zoledronic acid is given in {low:g} to {high:g} ml NaCl 0.9 % (P-ZOL-DOSE)",
            field="options.zoledronic_volume",
            value=format_quantity(volume),
            expected=f"a volume from {low:g} to {high:g} ml",
        )
    return volume


@attrs.frozen
class PreparationOptions:
    """The choices the guideline leaves open in the preparation.

    Attributes:
        zoledronic_volume: Volume of NaCl 0.9 % for zoledronic acid, 50 to 100 ml; default
            50 ml, the smallest fluid load (P-ZOL-DOSE).
    """

    zoledronic_volume: Quantity = attrs.field(
        default=_of(t.ZOLEDRONIC_ACID_VOLUME_ML[0]), converter=_zoledronic_volume
    )


#: The default preparation options.
DEFAULT_PREPARATION: Final = PreparationOptions()


@attrs.frozen
class LabelCheck:
    """One plausibility check of a pamidronate regimen against its label (P-PAM-DOSE).

    Attributes:
        name: What is checked, e.g. ``"rate"``.
        value: The regimen's value.
        limit: The label's highest value.
        passed: Whether ``value`` is within ``limit``.
    """

    name: str
    value: Quantity
    limit: Quantity
    passed: bool

    def finding(self) -> Finding:
        """Return the check as a finding: ``info`` when passed, ``block`` when not."""
        evidence = (Evidence(name=self.name, value=self.value, threshold=self.limit),)
        rule_ids = ("P-PAM-DOSE", "P-PAM-LABEL") + (
            ("P-PAM-RENAL",) if self.name == "renal-rate" else ()
        )
        if self.passed:
            return Finding(
                code=f"pamidronate-label-{self.name}",
                rule_ids=rule_ids,
                severity=Severity.INFO,
                message=f"pamidronate {self.name.replace('-', ' ')} within the label limit",
                evidence=evidence,
            )
        return Finding(
            code=f"pamidronate-label-{self.name}",
            rule_ids=rule_ids,
            severity=Severity.BLOCK,
            message=f"pamidronate {self.name.replace('-', ' ')} above the label limit",
            evidence=evidence,
            action="correct the local regimen: dilute further or infuse more slowly",
            variant="above",
        )


def pamidronate_label_checks(
    dose: Quantity, volume: Quantity, duration: Quantity, *, renal_rate: bool = False
) -> tuple[LabelCheck, ...]:
    """Check a pamidronate regimen against the label's rate and concentration limits.

    Plugins with a local regimen (another dilution or infusion time) call this too.

    Args:
        dose: The dose of one infusion.
        volume: The volume it is diluted in.
        duration: The infusion time.
        renal_rate: Renal impairment (P-PAM-RENAL): the rate is checked against 20 mg/h too.
    """
    return _label_checks(
        exact(canonical_magnitude(q.DOSE, dose, field="dose")),
        exact(canonical_magnitude(q.VOLUME, volume, field="volume")),
        exact(canonical_magnitude(q.DURATION, duration, field="duration")),
        renal_rate=renal_rate,
    )


def pamidronate_label_failures(
    dose: Quantity, volume: Quantity, duration: Quantity, *, renal_rate: bool = False
) -> tuple[LabelCheck, ...]:
    """The checks of :func:`pamidronate_label_checks` that fail (P-PAM-LABEL), in its order.

    A regimen within the label gives none, and then no check is built.
    """
    dose_mg = exact(canonical_magnitude(q.DOSE, dose, field="dose"))
    volume_ml = exact(canonical_magnitude(q.VOLUME, volume, field="volume"))
    hours = exact(canonical_magnitude(q.DURATION, duration, field="duration"))
    _, _, passed = _label_values(dose_mg, volume_ml, hours)
    if all(passed[: 3 if renal_rate else 2]):
        return ()
    checks = _label_checks(dose_mg, volume_ml, hours, renal_rate=renal_rate)
    return tuple(check for check in checks if not check.passed)


def _label_values(
    dose_mg: Decimal, volume_ml: Decimal, hours: Decimal
) -> tuple[Decimal, Decimal, tuple[bool, bool, bool]]:
    """Rate (mg/h), concentration (mg/ml), and whether each is within its label limit.

    The three flags: the rate within 60 mg/h, the concentration within 0.36 mg/ml, the rate
    within the renal 20 mg/h.
    """
    rate_mg_h = rate_per_h(dose_mg, hours)
    concentration_mg_ml = _CONTEXT.divide(dose_mg, volume_ml)
    return (
        rate_mg_h,
        concentration_mg_ml,
        (
            rate_mg_h <= t.PAMIDRONATE_LABEL_MAX_RATE_MG_H.decimal,
            concentration_mg_ml <= t.PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML.decimal,
            rate_mg_h <= t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.decimal,
        ),
    )


def _label_checks(
    dose_mg: Decimal, volume_ml: Decimal, hours: Decimal, *, renal_rate: bool = False
) -> tuple[LabelCheck, ...]:
    """:func:`pamidronate_label_checks` on canonical magnitudes."""
    rate_mg_h, concentration_mg_ml, (rate_ok, concentration_ok, renal_ok) = _label_values(
        dose_mg, volume_ml, hours
    )
    rate = _quantity(rate_mg_h, "milligram / hour")
    return (
        LabelCheck(name="rate", value=rate, limit=PAMIDRONATE_LABEL_MAX_RATE, passed=rate_ok),
        LabelCheck(
            name="concentration",
            value=_quantity(concentration_mg_ml, "milligram / milliliter"),
            limit=PAMIDRONATE_LABEL_MAX_CONCENTRATION,
            passed=concentration_ok,
        ),
    ) + (
        (
            LabelCheck(
                name="renal-rate", value=rate, limit=PAMIDRONATE_RENAL_MAX_RATE, passed=renal_ok
            ),
        )
        if renal_rate
        else ()
    )


@attrs.frozen
class Preparation:
    """How one infusion is prepared and run.

    Attributes:
        drug: The drug.
        dose: The final dose.
        diluent: The carrier fluid.
        volume: The total volume infused.
        concentration: The dose per ml of the infusion.
        duration: The infusion time.
        rate: The pump rate.
        choices: Why each value was chosen, with its rule and option.
        checks: Plausibility checks against the label (pamidronate).
        rule_ids: Every rule the preparation rests on.
    """

    drug: Drug
    dose: Quantity
    diluent: str
    volume: Quantity
    concentration: Quantity
    duration: Quantity
    rate: Quantity
    choices: tuple[Choice, ...]
    checks: tuple[LabelCheck, ...]
    rule_ids: tuple[str, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The label checks as findings (``block`` for a failed one)."""
        return tuple(check.finding() for check in self.checks)


def prepare_infusion(
    drug: Drug,
    dose: Quantity,
    *,
    options: PreparationOptions = DEFAULT_PREPARATION,
    max_rate: Quantity | None = None,
    renal_rate: bool = False,
) -> Preparation:
    """Return the preparation of a final ``dose`` of ``drug``.

    Args:
        drug: Zoledronic acid or pamidronate.
        dose: The final dose (e.g. :attr:`bisphos.pediatric.dosing.Dose.value`).
        options: The zoledronic acid volume.
        max_rate: For pamidronate, the highest rate in mg/h (P-PAM-RENAL: 20 mg/h): the
            duration becomes the longer of 4 hours and the dose over this rate.
        renal_rate: Renal impairment (P-PAM-RENAL): pamidronate at most 20 mg/h (``max_rate``
            20 mg/h unless a lower one is given), and the label check of that rate is added.

    Raises:
        HardLimitError: ``dose`` is not a finite, positive dose within the daily cap.
        DimensionError: ``dose`` is not a mass.
    """
    drug = drug if type(drug) is Drug else Drug(drug)
    dose_mg = exact(final_mg(drug, dose))
    dose = q.DOSE.conform(dose, field="dose")  # checked: the same quantity when already in mg
    if drug is Drug.ZOLEDRONIC_ACID:
        return _zoledronic(dose, dose_mg, options)
    if renal_rate:
        max_rate = max_rate or PAMIDRONATE_RENAL_MAX_RATE
    if max_rate is None:
        return _pamidronate(dose, dose_mg)
    rate_mg_h = exact(float(max_rate.m_as(_UNITS["milligram / hour"])))
    hours = _CONTEXT.divide(dose_mg, rate_mg_h)
    if hours <= t.PAMIDRONATE_DURATION_H.decimal:
        return _pamidronate(dose, dose_mg, renal_checks=renal_rate)
    return _pamidronate(dose, dose_mg, hours=hours, rule_id="P-PAM-RENAL", renal_checks=renal_rate)


def _zoledronic(dose: Quantity, dose_mg: Decimal, options: PreparationOptions) -> Preparation:
    volume_ml = exact(options.zoledronic_volume.magnitude)  # canonical: its converter
    volume, rate, choices = _zoledronic_in(volume_ml)
    concentration = _CONTEXT.divide(dose_mg, volume_ml)
    return Preparation(
        drug=Drug.ZOLEDRONIC_ACID,
        dose=dose,
        diluent=DILUENT,
        volume=volume,
        concentration=_quantity(concentration, "milligram / milliliter"),
        duration=ZOLEDRONIC_DURATION,
        rate=rate,
        choices=choices,
        checks=(),
        rule_ids=("P-ZOL-DOSE",),
    )


def _zoledronic_in(volume_ml: Decimal) -> tuple[Quantity, Quantity, tuple[Choice, ...]]:
    """Volume, rate and their choices for a zoledronic acid volume."""
    hours = t.ZOLEDRONIC_ACID_DURATION_H.decimal
    default = volume_ml == t.ZOLEDRONIC_ACID_VOLUME_ML[0].decimal
    rate = rate_per_h(volume_ml, hours)
    choices = (
        Choice(
            "P-ZOL-DOSE",
            f"{_text(volume_ml)} ml {DILUENT}"
            + (
                f", the smallest volume the guideline allows ({_ZOL_VOLUME_RANGE[0]:g}–"
                f"{_ZOL_VOLUME_RANGE[1]:g} ml)"
                if default
                else ""
            ),
            option=f"zoledronic_volume = {_text(volume_ml)} ml" + (" (default)" if default else ""),
        ),
        Choice("P-ZOL-DOSE", _ZOL_OVER),
    )
    return _quantity(volume_ml, "milliliter"), _quantity(rate, "milliliter / hour"), choices


def _pamidronate(
    dose: Quantity,
    dose_mg: Decimal,
    *,
    hours: Decimal | None = None,
    rule_id: str = "",
    renal_checks: bool = False,
) -> Preparation:
    """The pamidronate preparation of ``dose``, over ``hours`` when longer than 4 hours.

    With ``renal_checks`` the label's checks include the renal rate (P-PAM-RENAL), on the volume
    and duration as the preparation shows them.
    """
    volume_ml = pamidronate_volume_ml(dose_mg)
    volume = _quantity(volume_ml, "milliliter")
    if hours is None:
        rate = rate_per_h(volume_ml, t.PAMIDRONATE_DURATION_H.decimal)
        choices = _pamidronate_choices(volume_ml, rate)
        duration = PAMIDRONATE_DURATION
    else:  # P-PAM-RENAL: at most 20 mg/h, so longer than 4 hours
        rate = rate_per_h(volume_ml, hours)
        duration = _quantity(hours, "hour")
        choices = (
            _pamidronate_choices(volume_ml, rate)[0],
            Choice(
                rule_id,
                f"over {_text(hours)} hours, at most 20 mg/h with reduced renal function: "
                f"rate = volume / {_text(hours)} h = {_text(rate)} ml/h",
            ),
        )
    rule_ids = ("P-PAM-DOSE", rule_id) if rule_id else ("P-PAM-DOSE",)
    if renal_checks:
        shown_ml, shown_hours = exact(volume.magnitude), exact(duration.magnitude)
        checks = _label_checks(dose_mg, shown_ml, shown_hours, renal_rate=True)
        rule_ids = tuple(dict.fromkeys((*rule_ids, "P-PAM-LABEL", "P-PAM-RENAL")))
    else:
        checks = _label_checks(
            dose_mg, volume_ml, t.PAMIDRONATE_DURATION_H.decimal if hours is None else hours
        )
    return Preparation(
        drug=Drug.PAMIDRONATE,
        dose=dose,
        diluent=DILUENT,
        volume=volume,
        concentration=PAMIDRONATE_CONCENTRATION,
        duration=duration,
        rate=_quantity(rate, "milliliter / hour"),
        choices=choices,
        checks=checks,
        rule_ids=rule_ids,
    )


def _pamidronate_choices(volume_ml: Decimal, rate: Decimal) -> tuple[Choice, ...]:
    """The choices of a pamidronate preparation."""
    return (
        Choice(
            "P-PAM-DOSE",
            f"diluted in {DILUENT} to {_PER_ML} mg/ml: volume = dose / {_PER_ML} mg/ml = "
            f"{_text(volume_ml)} ml",
        ),
        Choice(
            "P-PAM-DOSE",
            f"over {_PAM_HOURS} hours: rate = volume / {_PAM_HOURS} h = {_text(rate)} ml/h",
        ),
    )
