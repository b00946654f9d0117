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
from bisphos.pediatric.dosing import Choice
from bisphos.pediatric.limits import canonical_magnitude, check_final, exact
from bisphos.units import (
    Quantity,
    Unit,
    format_quantity,
    magnitude_in,
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
    "prepare_infusion",
]

#: The carrier fluid of both drugs (P-ZOL-DOSE, P-PAM-DOSE).
DILUENT: Final = "NaCl 0.9 %"
#: Infusion time of zoledronic acid (P-ZOL-DOSE).
ZOLEDRONIC_DURATION: Final = quantity(1.0, "hour")
#: Concentration pamidronate is diluted to (P-PAM-DOSE).
PAMIDRONATE_CONCENTRATION: Final = quantity(0.1, "milligram / milliliter")
#: Infusion time of pamidronate (P-PAM-DOSE).
PAMIDRONATE_DURATION: Final = quantity(4.0, "hour")
#: Highest pamidronate infusion rate of the label (P-PAM-DOSE), in mg/h.
PAMIDRONATE_LABEL_MAX_RATE: Final = quantity(60.0, "milligram / hour")
#: Highest pamidronate concentration of the label, 90 mg per 250 ml (P-PAM-DOSE).
PAMIDRONATE_LABEL_MAX_CONCENTRATION: Final = quantity(90.0 / 250.0, "milligram / milliliter")

_ZOL_VOLUME_RANGE: Final = (50.0, 100.0)
#: Decimal arithmetic at 40 digits, without entering a context for every preparation.
_CONTEXT: Final = Context(prec=40)


_UNITS: Final[dict[str, Unit]] = {
    name: ureg.Unit(name)
    for name in ("milliliter", "milliliter / hour", "milligram / hour", "milligram / milliliter")
}


def _quantity(value: Decimal, unit: str) -> Quantity:
    return ureg.Quantity(float(value), _UNITS[unit])


def _text(value: Decimal) -> str:
    """Write a decimal plainly: ``50``, ``113.25``, never ``5E+1``."""
    return format(value.normalize(), "f")


def _zoledronic_volume(value: object) -> Quantity:
    volume = q.VOLUME.conform(value, field="options.zoledronic_volume")
    low, high = _ZOL_VOLUME_RANGE
    if not low <= magnitude_in(volume, "milliliter") <= high:
        raise InvalidValueError(
            "zoledronic acid is given in 50 to 100 ml NaCl 0.9 % (P-ZOL-DOSE)",
            field="options.zoledronic_volume",
            value=format_quantity(volume),
            expected="a volume from 50 to 100 ml",
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
        default=quantity(50.0, "milliliter"), converter=_zoledronic_volume
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
        if self.passed:
            return Finding(
                code=f"pamidronate-label-{self.name}",
                rule_ids=("P-PAM-DOSE",),
                severity=Severity.INFO,
                message=f"pamidronate {self.name} within the label limit",
                evidence=evidence,
            )
        return Finding(
            code=f"pamidronate-label-{self.name}",
            rule_ids=("P-PAM-DOSE",),
            severity=Severity.BLOCK,
            message=f"pamidronate {self.name} above the label limit",
            evidence=evidence,
            action="correct the local regimen: dilute further or infuse more slowly",
        )


def pamidronate_label_checks(
    dose: Quantity, volume: Quantity, duration: Quantity
) -> tuple[LabelCheck, ...]:
    """Check a pamidronate regimen against the label's rate and concentration limits.

    Plugins with a local regimen (another dilution or infusion time) call this too.

    Args:
        dose: The dose of one infusion.
        volume: The volume it is diluted in.
        duration: The infusion time.
    """
    dose_mg = exact(canonical_magnitude(q.DOSE, dose, field="dose"))
    volume_ml = exact(canonical_magnitude(q.VOLUME, volume, field="volume"))
    hours = exact(canonical_magnitude(q.DURATION, duration, field="duration"))
    rate = _quantity(_CONTEXT.divide(dose_mg, hours), "milligram / hour")
    concentration = _quantity(_CONTEXT.divide(dose_mg, volume_ml), "milligram / milliliter")
    return (
        LabelCheck(
            name="rate",
            value=rate,
            limit=PAMIDRONATE_LABEL_MAX_RATE,
            passed=_at_most(rate, PAMIDRONATE_LABEL_MAX_RATE),
        ),
        LabelCheck(
            name="concentration",
            value=concentration,
            limit=PAMIDRONATE_LABEL_MAX_CONCENTRATION,
            passed=_at_most(concentration, PAMIDRONATE_LABEL_MAX_CONCENTRATION),
        ),
    )


def _at_most(value: Quantity, limit: Quantity) -> bool:
    """``value <= limit``; in one unit that is Pint's own comparison of the magnitudes."""
    return bool(value <= limit)


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
    drug: Drug, dose: Quantity, *, options: PreparationOptions = DEFAULT_PREPARATION
) -> Preparation:
    """Return the preparation of a final ``dose`` of ``drug``.

    Args:
        drug: Zoledronic acid or pamidronate.
        dose: The final dose (e.g. :attr:`bisphos.pediatric.dosing.Dose.value`).
        options: The zoledronic acid volume.

    Raises:
        HardLimitError: ``dose`` is not a finite, positive dose within the daily cap.
        DimensionError: ``dose`` is not a mass.
    """
    drug = drug if type(drug) is Drug else Drug(drug)
    dose = check_final(drug, dose)
    dose_mg = exact(canonical_magnitude(q.DOSE, dose, field="dose"))
    if drug is Drug.ZOLEDRONIC_ACID:
        return _zoledronic(dose, dose_mg, options)
    return _pamidronate(dose, dose_mg)


def _zoledronic(dose: Quantity, dose_mg: Decimal, options: PreparationOptions) -> Preparation:
    volume_ml = exact(canonical_magnitude(q.VOLUME, options.zoledronic_volume, field="volume"))
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
    hours = exact(canonical_magnitude(q.DURATION, ZOLEDRONIC_DURATION, field="duration"))
    default = volume_ml == exact(_ZOL_VOLUME_RANGE[0])
    rate = _CONTEXT.divide(volume_ml, hours)
    choices = (
        Choice(
            "P-ZOL-DOSE",
            f"{_text(volume_ml)} ml {DILUENT}"
            + (", the smallest volume the guideline allows (50–100 ml)" if default else ""),
            option=f"zoledronic_volume = {_text(volume_ml)} ml" + (" (default)" if default else ""),
        ),
        Choice("P-ZOL-DOSE", "over 1 hour; rate = volume / 1 h"),
    )
    return _quantity(volume_ml, "milliliter"), _quantity(rate, "milliliter / hour"), choices


def _pamidronate(dose: Quantity, dose_mg: Decimal) -> Preparation:
    volume_ml = _CONTEXT.divide(dose_mg, _PAMIDRONATE_PER_ML)
    rate = _CONTEXT.divide(volume_ml, _PAMIDRONATE_HOURS)
    volume = _quantity(volume_ml, "milliliter")
    choices = _pamidronate_choices(volume_ml, rate)
    return Preparation(
        drug=Drug.PAMIDRONATE,
        dose=dose,
        diluent=DILUENT,
        volume=volume,
        concentration=PAMIDRONATE_CONCENTRATION,
        duration=PAMIDRONATE_DURATION,
        rate=_quantity(rate, "milliliter / hour"),
        choices=choices,
        checks=pamidronate_label_checks(dose, volume, PAMIDRONATE_DURATION),
        rule_ids=("P-PAM-DOSE",),
    )


# The protocol's constants as decimals, read once.
_PAMIDRONATE_PER_ML: Final = exact(
    canonical_magnitude(q.CONCENTRATION, PAMIDRONATE_CONCENTRATION, field="concentration")
)
_PAMIDRONATE_HOURS: Final = exact(
    canonical_magnitude(q.DURATION, PAMIDRONATE_DURATION, field="duration")
)


def _pamidronate_choices(volume_ml: Decimal, rate: Decimal) -> tuple[Choice, ...]:
    """The choices of a pamidronate preparation."""
    return (
        Choice(
            "P-PAM-DOSE",
            f"diluted in {DILUENT} to 0.1 mg/ml: volume = dose / 0.1 mg/ml = {_text(volume_ml)} ml",
        ),
        Choice("P-PAM-DOSE", f"over 4 hours: rate = volume / 4 h = {_text(rate)} ml/h"),
    )
