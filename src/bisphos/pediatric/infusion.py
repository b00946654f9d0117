"""Preparation of an infusion: product, volume drawn up, fluid, duration and pump rate.

Zoledronic acid (P-ZOL-DOSE): the dose in 50–100 ml NaCl 0.9 % over 1 hour. The volume is an
option; the default is 50 ml, the smallest fluid load the guideline allows, which matters most
for the smallest children. The pump rate is the volume per hour.

Pamidronate (P-PAM-DOSE): diluted in NaCl 0.9 % to 0.1 mg/ml and given over 4 hours, so
volume = dose / 0.1 mg/ml and rate = volume / 4 h (invariant 8). A dose rounded to 0.1 mg gives a
whole number of millilitres. The label limits the catalogue names for plausibility checks of
local regimens — at most 60 mg/h and at most 90 mg per 250 ml (0.36 mg/ml) — are checked on every
preparation; the protocol's own preparation always passes them (90 mg over 4 hours is 22.5 mg/h at
0.1 mg/ml), so a failure can only come from a local regimen, and it blocks the infusion.

The product (P-PREP-PRODUCT): every preparation names the product it is drawn up from
(:mod:`bisphos.pediatric.formulary`: by default zoledronic acid concentrate 4 mg/5 ml and
pamidronate disodium concentrate 3 mg/ml, or the hospital's formulary), the volume of it to draw
up in whole steps of the syringe resolution (0.01 ml by default) and the dose that volume
delivers, beside the planned dose. The volume is the nearest step to the planned dose, or the step
below where the nearest would deliver more than a limit: the dose's lowest hard limit (its
per-kg maximum, the cap or a lower ceiling, :attr:`~bisphos.pediatric.limits.LimitedDose.ceiling`)
and the daily cap, and for pamidronate the label's concentration and rate. The concentrate is made
up with the diluent to the final volume (the diluent's volume is the final volume less the
concentrate's); the final concentration and the rate in mg/h are of the delivered dose. So
|delivered - planned| is at most one syringe step times the product's concentration, and the
delivered dose never passes the limit (the gate, :mod:`bisphos.gate`, checks both on the
preparation's own numbers). A 20 kg child's first zoledronic acid dose of 0.25 mg is 0.3125 ml
of 0.8 mg/ml: 0.31 ml is drawn up and delivers 0.248 mg, made up with 49.69 ml NaCl 0.9 % to
50 ml (0.00496 mg/ml, 50 ml/h = 0.248 mg/h).

The arithmetic is decimal, on the shortest decimal form of each float, so that 45.3 mg becomes
453 ml and not 452.99999999999994 ml. Only a final dose is prepared: a dose above the daily cap,
NaN, zero or negative raises :class:`~bisphos.errors.HardLimitError`, and so does a dose the
product cannot deliver in whole syringe steps (less than half a step).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Context, Decimal
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.errors import HardLimitError, InvalidValueError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Drug
from bisphos.pediatric import table as t
from bisphos.pediatric.dosing import Choice
from bisphos.pediatric.formulary import DEFAULT_FORMULARY, Formulary, Product
from bisphos.pediatric.kernel import pamidronate_volume_ml, rate_per_h, syringe_steps
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
    "draw_up",
    "pamidronate_label_checks",
    "pamidronate_label_failures",
    "prepare_infusion",
    "significant",
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
        "milligram",
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
        dose: The planned dose (the final dose of :mod:`bisphos.pediatric.dosing`).
        diluent: The carrier fluid.
        volume: The final volume infused: the concentrate made up with the diluent.
        concentration: The final concentration: the delivered dose per ml of the infusion.
        duration: The infusion time.
        rate: The pump rate, in ml/h.
        choices: Why each value was chosen, with its rule and option.
        checks: Plausibility checks against the label (pamidronate), on the delivered dose.
        rule_ids: Every rule the preparation rests on.
        product: The product drawn up (P-PREP-PRODUCT).
        concentrate_volume: The volume of the product to draw up, a whole number of
            ``syringe_resolution``.
        syringe_resolution: The smallest volume the syringe measures.
        delivered: The dose that volume delivers: concentrate volume x product concentration.
        diluent_volume: The diluent added: the final volume less the concentrate volume.
        dose_rate: The delivered dose per hour, in mg/h.
        vials: The vials of the product to open.
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
    product: Product
    concentrate_volume: Quantity
    syringe_resolution: Quantity
    delivered: Quantity
    diluent_volume: Quantity
    dose_rate: Quantity
    vials: int

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
    formulary: Formulary = DEFAULT_FORMULARY,
    limit: Quantity | None = None,
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
        formulary: The products and the syringe the dose is drawn up with (P-PREP-PRODUCT).
        limit: The most the drawn-up volume may deliver (the dose's lowest hard limit,
            :attr:`bisphos.pediatric.limits.LimitedDose.ceiling`); the planned dose when not
            given, so that the volume never delivers more than planned.

    Raises:
        HardLimitError: ``dose`` is not a finite, positive dose within the daily cap, or the
            product cannot deliver it in whole syringe steps (P-PREP-PRODUCT).
        DimensionError: ``dose`` is not a mass.
    """
    drug = drug if type(drug) is Drug else Drug(drug)
    checked_mg = final_mg(drug, dose)
    dose_mg = exact(checked_mg)
    limit_mg = dose_mg if limit is None else exact(final_mg(drug, limit, field="limit"))
    draw = _Draw(formulary, limit_mg)
    if drug is Drug.ZOLEDRONIC_ACID:
        volume_ml = exact(options.zoledronic_volume.magnitude)  # canonical: its converter
        return _zoledronic(dose_mg, volume_ml, draw)
    if renal_rate:
        max_rate = max_rate or PAMIDRONATE_RENAL_MAX_RATE
    if max_rate is None:
        return _pamidronate(dose_mg, draw, renal=renal_rate)
    rate_mg_h = exact(float(max_rate.m_as(_UNITS["milligram / hour"])))
    hours = _CONTEXT.divide(dose_mg, rate_mg_h)
    draw = attrs.evolve(draw, max_rate_mg_h=rate_mg_h)
    if hours <= t.PAMIDRONATE_DURATION_H.decimal:
        return _pamidronate(dose_mg, draw, renal=renal_rate)
    return _pamidronate(dose_mg, draw, hours=hours, rule_id="P-PAM-RENAL", renal=renal_rate)


@attrs.frozen
class _Draw:
    """What the draw-up needs besides the dose: the formulary, the limit, the rate limit."""

    formulary: Formulary
    limit_mg: Decimal
    max_rate_mg_h: Decimal | None = None


def draw_up(
    preparation: Preparation,
    formulary: Formulary = DEFAULT_FORMULARY,
    *,
    limit: Quantity | None = None,
    max_rate: Quantity | None = None,
) -> Preparation:
    """Return ``preparation`` drawn up from ``formulary``'s product (P-PREP-PRODUCT).

    The final volume and the infusion time stay the preparation's (the protocol's, an option's,
    a plugin's volume, the rate of P-PAM-RENAL); the product, the volume drawn up, the dose it
    delivers, the diluent's volume, the final concentration, the rates and the label checks are
    computed anew.

    Args:
        preparation: The preparation of the planned dose.
        formulary: The hospital's formulary (checked by
            :func:`~bisphos.pediatric.formulary.read_formulary`).
        limit: The most the volume drawn up may deliver; the planned dose when not given.
        max_rate: For pamidronate, the highest rate in mg/h the delivered dose must keep
            (P-PAM-RENAL); the label's 60 mg/h always holds.

    Raises:
        HardLimitError: the product cannot deliver the dose in whole syringe steps.
    """
    drug = preparation.drug
    dose_mg = exact(final_mg(drug, preparation.dose))
    limit_mg = dose_mg if limit is None else exact(final_mg(drug, limit, field="limit"))
    rate_mg_h = (
        None if max_rate is None else exact(float(max_rate.m_as(_UNITS["milligram / hour"])))
    )
    own = tuple(c for c in preparation.choices if c.rule_id != _RULE)
    rule_ids = tuple(r for r in preparation.rule_ids if r != _RULE)
    renal = any(check.name == "renal-rate" for check in preparation.checks)
    return _drawn(
        drug,
        dose_mg,
        volume_ml=exact(float(preparation.volume.m_as(_UNITS["milliliter"]))),
        hours=exact(float(preparation.duration.m_as(_UNITS["hour"]))),
        choices=own,
        rule_ids=rule_ids,
        draw=_Draw(formulary, limit_mg, rate_mg_h),
        renal=renal,
    )


#: The rule of the product, the volume drawn up and the dilution.
_RULE: Final = "P-PREP-PRODUCT"


def significant(value: Decimal, digits: int = 4) -> Decimal:
    """``value`` to ``digits`` significant digits (half even), for people to read."""
    if not value:
        return value
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent)).normalize()


def _drawn(
    drug: Drug,
    dose_mg: Decimal,
    *,
    volume_ml: Decimal,
    hours: Decimal,
    choices: tuple[Choice, ...],
    rule_ids: tuple[str, ...],
    draw: _Draw,
    renal: bool,
) -> Preparation:
    """The preparation of ``dose_mg`` in ``volume_ml`` over ``hours``, drawn up (P-PREP-PRODUCT).

    The volume drawn up is the nearest whole syringe step, or the step below where the nearest
    would deliver more than the limit: the dose's own limit and the daily cap, and for
    pamidronate the label's 0.36 mg/ml of the final volume and its rate (60 mg/h, or the lower
    rate of P-PAM-RENAL) over the infusion time.
    """
    formulary = draw.formulary
    product = formulary.product(drug)
    strength = exact(float(product.concentration.m_as(_UNITS["milligram / milliliter"])))
    resolution = exact(float(formulary.syringe_resolution.m_as(_UNITS["milliliter"])))
    limit_mg = min(draw.limit_mg, t.DAILY_CAP_MG[drug].decimal)
    if drug is Drug.PAMIDRONATE:
        rate_limit = t.PAMIDRONATE_LABEL_MAX_RATE_MG_H.decimal
        if renal:
            rate_limit = min(rate_limit, t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.decimal)
        if draw.max_rate_mg_h is not None:
            rate_limit = min(rate_limit, draw.max_rate_mg_h)
        limit_mg = min(
            limit_mg,
            _CONTEXT.multiply(t.PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML.decimal, volume_ml),
            _CONTEXT.multiply(rate_limit, hours),
        )
    steps, nearest = syringe_steps(dose_mg, limit_mg, strength, resolution)
    step_mg = _CONTEXT.multiply(resolution, strength)
    if steps < 1:
        raise HardLimitError(
            f"the dose cannot be drawn up in whole syringe steps of {_text(resolution)} ml of "
            f"{product.name} ({_RULE})",
            field="preparation.concentrate_volume",
            value=f"{_text(dose_mg)} mg",
            expected=f"a dose of at least half a step, {_text(step_mg / 2)} mg, within "
            f"{_text(limit_mg)} mg: a finer syringe or a more dilute product",
            rule_id=_RULE,
            limit=f"{_text(limit_mg)} mg",
        )
    concentrate_ml = _CONTEXT.multiply(Decimal(steps), resolution)
    delivered_mg = _CONTEXT.multiply(concentrate_ml, strength)
    final_ml = max(volume_ml, concentrate_ml)
    diluent_ml = final_ml - concentrate_ml
    concentration = _CONTEXT.divide(delivered_mg, final_ml)
    rate_ml_h = rate_per_h(final_ml, hours)
    rate_mg_h = rate_per_h(delivered_mg, hours)
    vial_ml = exact(float(product.vial.m_as(_UNITS["milliliter"])))
    vials = int(_CONTEXT.divide(concentrate_ml, vial_ml).to_integral_value(rounding=ROUND_CEILING))
    below = steps < nearest
    how = (
        f"the {_text(resolution)} ml step below the nearest, which would deliver more than "
        f"{_text(limit_mg)} mg"
        if below
        else f"the nearest {_text(resolution)} ml step"
    )
    source = f"formulary of {formulary.source}" if formulary.source else "default formulary"
    drawn = (
        Choice(
            _RULE,
            f"draw up {_text(concentrate_ml)} ml of {product.name} ({_text(strength)} mg/ml), "
            f"{how}: delivers {_text(delivered_mg)} mg (planned {_text(dose_mg)} mg); "
            f"{vials} x {_text(vial_ml)} ml vial",
            option=f"syringe_resolution = {_text(resolution)} ml ({source})",
        ),
        Choice(
            _RULE,
            f"add {_text(diluent_ml)} ml {formulary.diluent} to {_text(final_ml)} ml: "
            f"{_text(significant(concentration))} mg/ml, {_text(significant(rate_ml_h))} ml/h = "
            f"{_text(significant(rate_mg_h))} mg/h",
        ),
    )
    return Preparation(
        drug=drug,
        dose=q.DOSE.of(float(dose_mg)),
        diluent=formulary.diluent,
        volume=_quantity(final_ml, "milliliter"),
        concentration=_quantity(concentration, "milligram / milliliter"),
        duration=_quantity(hours, "hour"),
        rate=_quantity(rate_ml_h, "milliliter / hour"),
        choices=(*choices, *drawn),
        checks=(
            _label_checks(delivered_mg, final_ml, hours, renal_rate=renal)
            if drug is Drug.PAMIDRONATE
            else ()
        ),
        rule_ids=tuple(dict.fromkeys((*rule_ids, _RULE))),
        product=product,
        concentrate_volume=_quantity(concentrate_ml, "milliliter"),
        syringe_resolution=_quantity(resolution, "milliliter"),
        delivered=_quantity(delivered_mg, "milligram"),
        diluent_volume=_quantity(diluent_ml, "milliliter"),
        dose_rate=_quantity(rate_mg_h, "milligram / hour"),
        vials=vials,
    )


def _zoledronic(dose_mg: Decimal, volume_ml: Decimal, draw: _Draw) -> Preparation:
    choices = _zoledronic_choices(volume_ml)
    hours = t.ZOLEDRONIC_ACID_DURATION_H.decimal
    return _drawn(
        Drug.ZOLEDRONIC_ACID,
        dose_mg,
        volume_ml=volume_ml,
        hours=hours,
        choices=choices,
        rule_ids=("P-ZOL-DOSE",),
        draw=draw,
        renal=False,
    )


def _zoledronic_choices(volume_ml: Decimal) -> tuple[Choice, ...]:
    """The choices of a zoledronic acid volume."""
    default = volume_ml == t.ZOLEDRONIC_ACID_VOLUME_ML[0].decimal
    return (
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


def _pamidronate(
    dose_mg: Decimal,
    draw: _Draw,
    *,
    hours: Decimal | None = None,
    rule_id: str = "",
    renal: bool = False,
) -> Preparation:
    """The pamidronate preparation of ``dose_mg``, over ``hours`` when longer than 4 hours.

    With ``renal`` the label's checks include the renal rate (P-PAM-RENAL), and the volume
    drawn up keeps within it.
    """
    volume_ml = pamidronate_volume_ml(dose_mg)
    if hours is None:
        hours = t.PAMIDRONATE_DURATION_H.decimal
        choices = _pamidronate_choices(volume_ml, rate_per_h(volume_ml, hours))
    else:  # P-PAM-RENAL: at most 20 mg/h, so longer than 4 hours
        rate = rate_per_h(volume_ml, hours)
        choices = (
            _pamidronate_choices(volume_ml, rate)[0],
            Choice(
                rule_id,
                f"over {_text(hours)} hours, at most 20 mg/h with reduced renal function: "
                f"rate = volume / {_text(hours)} h = {_text(rate)} ml/h",
            ),
        )
    rule_ids = ("P-PAM-DOSE", rule_id) if rule_id else ("P-PAM-DOSE",)
    if renal:
        rule_ids = tuple(dict.fromkeys((*rule_ids, "P-PAM-LABEL", "P-PAM-RENAL")))
    return _drawn(
        Drug.PAMIDRONATE,
        dose_mg,
        volume_ml=volume_ml,
        hours=hours,
        choices=choices,
        rule_ids=rule_ids,
        draw=draw,
        renal=renal,
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
