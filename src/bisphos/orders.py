"""Checking an order: is the infusion a prescriber typed within what the protocol allows?

:func:`check_order` judges one order of an intravenous bisphosphonate (drug, dose, volume,
duration or rate, date) for one patient against the pediatric protocol, and answers with one of
three verdicts, each judgement naming its rules and values:

- **within** the protocol: what the protocol plans for that date, or another choice the
  guideline leaves open (a dose per kg in the range of the phase, a zoledronic acid volume of
  50 to 100 ml);
- **outside a soft limit**: the guideline's own figures (the dose range of the phase, the volume,
  the concentration, the infusion time, the date of the schedule, the indication) are not met
  but no hard limit is broken; the check says what the protocol would give and which override
  applies (a clinician's coded reason);
- **refused**: a hard limit is broken (the daily caps, the per-kg maxima from the patient's
  history, the label's concentration, rate and infusion time, the GFR gates, the dates and
  intervals, a contraindication), named with its limit. The hard limits are those of the engine's
  gate (:mod:`bisphos.gate`): the order is judged by the same function that judges every plan, on
  the order's own numbers.

The order is checked as it is: nothing is rounded, capped or corrected.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

import attrs

from bisphos import quantities as q
from bisphos.dates import birthday
from bisphos.errors import BisphosError, HardLimitError, InvalidValueError, MissingValueError
from bisphos.export.evidence import evidence_to_dict
from bisphos.findings import Evidence, Finding, MessageValue, Severity
from bisphos.i18n import Language, evidence_text, localize, text, word
from bisphos.model import PLAUSIBLE_RANGES, Drug, Patient
from bisphos.pediatric import table as t
from bisphos.pediatric.kernel import exact, nearest_mg_kg
from bisphos.pediatric.limits import dosing_weight_kg
from bisphos.pediatric.overrides import OverrideReason
from bisphos.pediatric.plan import Plan, PlanRequest, PlanStatus
from bisphos.pediatric.schedule import Course, Horizon, PlannedInfusion, plan_course
from bisphos.pediatric.thresholds import SCOPE_AGE_YEARS
from bisphos.units import Quantity, format_quantity, quantity, ureg

if TYPE_CHECKING:
    from bisphos.engine import Engine

# The units the order is read in, built once (a conversion to a unit object parses no text).
_MG: Final = ureg.Unit("milligram")
_ML: Final = ureg.Unit("milliliter")
_HOUR: Final = ureg.Unit("hour")
_ML_PER_H: Final = ureg.Unit("milliliter / hour")
_MG_PER_KG: Final = ureg.Unit("milligram / kilogram")
_MG_PER_ML: Final = ureg.Unit("milligram / milliliter")

__all__ = [
    "Judgement",
    "Order",
    "OrderCheck",
    "Verdict",
    "check_order",
]

#: Two durations or rates closer than this are the same (a pump is set to the minute).
_SAME_FRACTION: Final = Decimal("0.01")
#: Contraindications that hold on every date, not only today (P-CI-ALLERGY, P-CI-PREG).
_PERMANENT: Final = frozenset({"P-CI-ALLERGY", "P-CI-PREG"})


class Verdict(enum.StrEnum):
    """What the protocol says of an order, from best to worst."""

    WITHIN = "within"
    OUTSIDE_SOFT_LIMIT = "outside-soft-limit"
    REFUSED = "refused"


_RANK: Final = {Verdict.WITHIN: 0, Verdict.OUTSIDE_SOFT_LIMIT: 1, Verdict.REFUSED: 2}


def _dose(value: object) -> Quantity:
    return PLAUSIBLE_RANGES["dose"].check(value, field="dose")  # type: ignore[arg-type]


def _volume(value: object) -> Quantity:
    return _positive(q.VOLUME.conform(value, field="volume"), "volume")


def _optional_duration(value: object) -> Quantity | None:
    if value is None:
        return None
    return _positive(q.DURATION.conform(value, field="duration"), "duration")


def _optional_rate(value: object) -> Quantity | None:
    if value is None:
        return None
    return _positive(q.INFUSION_RATE.conform(value, field="rate"), "rate")


def _positive(value: Quantity, field: str) -> Quantity:
    if not float(value.magnitude) > 0:
        raise InvalidValueError(
            "must be above zero", field=field, value=format_quantity(value), expected="> 0"
        )
    return value


def _plain_date(instance: object, attribute: attrs.Attribute[dt.date], value: object) -> None:
    if type(value) is not dt.date:
        raise InvalidValueError(
            "not a date", field=attribute.name, value=repr(value), expected="a datetime.date"
        )


@attrs.frozen
class Order:
    """One ordered infusion, as a prescriber typed it.

    Attributes:
        drug: Zoledronic acid or pamidronate.
        dose: The dose (a mass; text such as ``"1.2 mg"`` is read as a file is).
        date: The day of the infusion.
        volume: The volume infused.
        duration: The infusion time; give it or the rate (or both, when they agree).
        rate: The pump rate, a volume per time.
        source: Where the order came from (``MedicationRequest/abc``), named in the answer.
    """

    drug: Drug = attrs.field(converter=Drug)
    dose: Quantity = attrs.field(converter=_dose)
    date: dt.date = attrs.field(validator=_plain_date)
    volume: Quantity = attrs.field(converter=_volume)
    duration: Quantity | None = attrs.field(default=None, converter=_optional_duration)
    rate: Quantity | None = attrs.field(default=None, converter=_optional_rate)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if self.duration is None and self.rate is None:
            raise MissingValueError(
                "an order needs its infusion time or its rate",
                field="duration",
                expected="a duration such as '1 h' or a rate such as '50 mL/h'",
            )
        if self.duration is not None and self.rate is not None:
            implied = self.volume_ml / self.duration_h
            if abs(implied - self.rate_ml_h) > _SAME_FRACTION * self.rate_ml_h:
                raise InvalidValueError(
                    "the rate does not give the volume in the infusion time",
                    field="rate",
                    value=format_quantity(self.rate),
                    expected=f"{implied:g} mL/h (volume / duration)",
                )

    @property
    def dose_mg(self) -> Decimal:
        """The dose in mg, as the shortest decimal of its float."""
        return exact(float(self.dose.m_as(_MG)))

    @property
    def volume_ml(self) -> Decimal:
        """The volume in ml."""
        return exact(float(self.volume.m_as(_ML)))

    @property
    def duration_h(self) -> Decimal:
        """The infusion time in hours, given or from the volume and the rate."""
        if self.duration is not None:
            return exact(float(self.duration.m_as(_HOUR)))
        assert self.rate is not None  # checked when constructed
        return self.volume_ml / exact(float(self.rate.m_as(_ML_PER_H)))

    @property
    def rate_ml_h(self) -> Decimal:
        """The pump rate in ml/h, given or from the volume and the infusion time."""
        if self.rate is not None:
            return exact(float(self.rate.m_as(_ML_PER_H)))
        return self.volume_ml / self.duration_h


@attrs.frozen
class Judgement:
    """One aspect of an order judged against one rule.

    The words of ``message``, ``ordered`` and ``allowed`` come from the message catalogue
    (``order.*`` and the gate's ``gate.*`` ids) with the values in ``params``: the English
    ones are stored, :meth:`texts` writes them in any language.

    Attributes:
        aspect: What was judged: ``dose``, ``volume``, ``concentration``, ``duration``,
            ``date``, ``indication``, ``contraindication``, or the hard limit's field.
        verdict: Within, outside a soft limit, or refused.
        message: What it means, in words (English).
        ordered: The ordered value, with its unit.
        allowed: What the protocol allows (a range, a limit, what it would give).
        rule_ids: The rules the judgement rests on.
        message_id: The catalogue id of the message, or ``""`` (then ``message`` as it is).
        ordered_id: The catalogue id of the ordered value's words, or ``""``.
        allowed_id: The catalogue id of what is allowed, or ``""``.
        params: The values the three texts name.
        finding: The contraindication a judgement reports, written in the reader's language.
        evidence: The values that decided it, where a finding gave them (a contraindication's).
    """

    aspect: str
    verdict: Verdict
    message: str
    ordered: str
    allowed: str
    rule_ids: tuple[str, ...]
    message_id: str = ""
    ordered_id: str = ""
    allowed_id: str = ""
    params: tuple[tuple[str, MessageValue], ...] = ()
    finding: Finding | None = attrs.field(default=None, eq=False, repr=False)
    evidence: tuple[Evidence, ...] = ()

    def texts(self, lang: Language) -> tuple[str, str, str]:
        """Return the message, the ordered value and what is allowed, in ``lang``."""
        values: dict[str, object] = dict(self.params)
        if self.finding is not None:
            local = localize(self.finding, lang)
            values["finding"] = local.message
            values["evidence"] = "; ".join(local.evidence) or self.finding.code
        return (
            text(self.message_id, lang, **values) if self.message_id else self.message,
            text(self.ordered_id, lang, **values) if self.ordered_id else self.ordered,
            text(self.allowed_id, lang, **values) if self.allowed_id else self.allowed,
        )


def _judgement(
    aspect: str,
    verdict: Verdict,
    rule_ids: tuple[str, ...],
    *,
    message_id: str,
    ordered: str = "",
    ordered_id: str = "",
    allowed_id: str = "",
    finding: Finding | None = None,
    given: tuple[tuple[str, MessageValue], ...] = (),
    **params: MessageValue,
) -> Judgement:
    """A judgement whose English words are the catalogue's, with ``params`` (and ``given``)."""
    shell = Judgement(
        aspect,
        verdict,
        "",
        ordered,
        "",
        rule_ids,
        message_id=message_id,
        ordered_id=ordered_id,
        allowed_id=allowed_id,
        params=(*given, *params.items()),
        finding=finding,
    )
    message, shown, allowed = shell.texts("en")
    return attrs.evolve(shell, message=message, ordered=shown, allowed=allowed)


@attrs.frozen
class OrderCheck:
    """The answer of :func:`check_order`.

    Attributes:
        verdict: The worst verdict of the judgements.
        order: The order judged.
        judgements: Every judgement, hard limits first.
        plan: The plan the protocol makes for the patient with the order's drug (not compared).
        planned: What the protocol would give on the order's date, or its next infusion; ``None``
            when it plans none.
        overrides: For an order outside a soft limit: the rules whose soft limits a clinician
            may override with a coded reason (P-OVERRIDE); empty otherwise.
    """

    verdict: Verdict
    order: Order
    judgements: tuple[Judgement, ...]
    plan: Plan = attrs.field(eq=False, repr=False)
    planned: PlannedInfusion | None = attrs.field(eq=False, repr=False)
    overrides: tuple[str, ...] = ()

    @property
    def override_reasons(self) -> tuple[OverrideReason, ...]:
        """The coded reasons an override of :attr:`overrides` may give (P-OVERRIDE)."""
        return tuple(OverrideReason) if self.overrides else ()

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule the judgements rest on, each once."""
        return tuple(dict.fromkeys(rule for j in self.judgements for rule in j.rule_ids))

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON values."""
        planned = self.planned
        return {
            "verdict": self.verdict.value,
            "order": {
                "drug": self.order.drug.value,
                "dose": format_quantity(self.order.dose),
                "date": self.order.date.isoformat(),
                "volume": format_quantity(self.order.volume),
                "duration_h": float(self.order.duration_h),
                "rate_ml_h": float(self.order.rate_ml_h),
                "source": self.order.source,
            },
            "judgements": [
                {
                    "aspect": j.aspect,
                    "verdict": j.verdict.value,
                    "message": j.message,
                    "ordered": j.ordered,
                    "allowed": j.allowed,
                    "rule_ids": list(j.rule_ids),
                    "evidence": [evidence_to_dict(item, "en") for item in j.evidence],
                }
                for j in self.judgements
            ],
            "protocol_would_give": None
            if planned is None
            else {
                "date": planned.date.isoformat(),
                "dose": format_quantity(planned.dose.value),
                "volume": format_quantity(planned.preparation.volume),
                "duration": format_quantity(planned.preparation.duration),
                "rate": format_quantity(planned.preparation.rate),
                "rule_ids": list(planned.rule_ids),
            },
            "overrides": list(self.overrides),
            "override_reasons": [reason.value for reason in self.override_reasons],
            "rule_ids": list(self.rule_ids),
        }

    def explain(self, lang: Language = "en") -> str:
        """The answer as text in ``lang``: the verdict, then one line per judgement and rules."""
        lines = [text("order.header", lang, verdict=word("verdict", self.verdict.value, lang))]
        for j in self.judgements:
            message, ordered, allowed = j.texts(lang)
            lines.append(
                text(
                    "order.line",
                    lang,
                    verdict=word("verdict-short", j.verdict.value, lang),
                    aspect=word("aspect", j.aspect, lang),
                    message=message,
                    ordered=ordered,
                    allowed=allowed,
                    rules=", ".join(j.rule_ids),
                )
            )
        if self.planned is not None:
            p = self.planned
            prep = p.preparation
            lines.append(
                text(
                    "order.would-give",
                    lang,
                    dose=p.dose.value,
                    volume=prep.volume,
                    duration=prep.duration,
                    date=p.date,
                    rules=", ".join(p.rule_ids),
                )
            )
        if self.overrides:
            reasons = ", ".join(reason.value for reason in self.override_reasons)
            lines.append(
                text("order.may-override", lang, rules=", ".join(self.overrides), reasons=reasons)
            )
        return "\n".join(lines)


def _mg(value: Quantity) -> Decimal:
    return exact(float(value.m_as(_MG)))


# ---- the hard limits: the gate's, on the order's own numbers -------------------------------------


def _as_planned(template: PlannedInfusion, order: Order) -> PlannedInfusion:
    """The template infusion with the order's drug, dose, date, volume, time and rate."""
    dose = quantity(float(order.dose_mg), _MG)
    volume = quantity(float(order.volume_ml), _ML)
    hours = quantity(float(order.duration_h), _HOUR)
    rate = quantity(float(order.rate_ml_h), _ML_PER_H)
    limited = attrs.evolve(template.dose.limited, dose=dose)
    # The order is judged on the amount ordered: the product's volume that holds it exactly
    # (P-PREP-PRODUCT), not yet rounded to a syringe step.
    strength = exact(float(template.preparation.product.concentration.m_as("mg/mL")))
    concentrate_ml = order.dose_mg / strength
    preparation = attrs.evolve(
        template.preparation,
        dose=dose,
        volume=volume,
        concentration=quantity(float(order.dose_mg / order.volume_ml), _MG_PER_ML),
        duration=hours,
        rate=rate,
        concentrate_volume=quantity(float(concentrate_ml), "milliliter"),
        delivered=dose,
        diluent_volume=quantity(float(max(order.volume_ml - concentrate_ml, Decimal(0))), "mL"),
        dose_rate=quantity(float(order.dose_mg / order.duration_h), "milligram / hour"),
    )
    return attrs.evolve(
        template,
        date=order.date,
        dose=attrs.evolve(template.dose, limited=limited),
        preparation=preparation,
    )


def _hard(patient: Patient, course: Course, engine: Engine) -> list[Judgement]:
    """The gate's judgement of the order, the last infusion of ``course``."""
    judgements: list[Judgement] = []
    try:
        engine.check_course(patient, course)
    except HardLimitError as error:
        limit = error.limit or error.expected
        aspect = re.sub(r"^infusions(\[\d+\])?\.?", "", error.field) or "order"
        rules = (error.rule_id or "P-HARD",)
        if error.message_id:
            # The gate's refusal in the order's words ("the order's dose ..."), not the plan's.
            judgements.append(
                _judgement(
                    aspect,
                    Verdict.REFUSED,
                    rules,
                    message_id=error.message_id,
                    ordered=str(error.value),
                    allowed_id=f"{error.message_id}.limit",
                    given=tuple((key, cast("MessageValue", value)) for key, value in error.params),
                )
            )
        else:
            judgements.append(
                Judgement(aspect, Verdict.REFUSED, error.message, str(error.value), limit, rules)
            )
    return judgements


def _scope(patient: Patient, order: Order) -> list[Judgement]:
    """P-SCOPE-1 (a hard limit of P-HARD): no infusion from the 19th birthday on."""
    end = birthday(patient.birth_date, SCOPE_AGE_YEARS)
    if order.date < end:
        return []
    return [
        _judgement(
            "date",
            Verdict.REFUSED,
            ("P-SCOPE-1", "P-HARD"),
            message_id="order.scope",
            ordered=order.date.isoformat(),
            allowed_id="order.before",
            date=end,
        )
    ]


def _contraindications(
    order: Order, blocks: tuple[Finding, ...], today: dt.date
) -> list[Judgement]:
    """P-CI-*: a block refuses today's order, and a permanent one an order of any date."""
    judgements = []
    for finding in blocks:
        if finding.severity is not Severity.BLOCK:
            continue
        permanent = bool(_PERMANENT & set(finding.rule_ids))
        values = "; ".join(evidence_text(e, "en") for e in finding.evidence) or finding.code
        refused = order.date == today or permanent
        judgement = _judgement(
            "contraindication",
            Verdict.REFUSED if refused else Verdict.WITHIN,
            finding.rule_ids,
            message_id="order.contraindication" if refused else "order.to-be-cleared",
            ordered_id="order.evidence",
            allowed_id="order.while-it-holds" if refused else "order.checked-again",
            finding=finding,
            date=order.date,
        )
        # The library's own words of the finding and its evidence, as before, in English.
        judgements.append(attrs.evolve(judgement, ordered=values, evidence=finding.evidence))
    return judgements


# ---- the soft limits: the guideline's own figures ------------------------------------------------


def _soft(order: Order, plan: Plan, planned: PlannedInfusion | None) -> list[Judgement]:
    judgements: list[Judgement] = []
    if plan.status is not PlanStatus.READY and plan.status is not PlanStatus.BLOCKED:
        judgements.append(
            _judgement(
                "indication",
                Verdict.OUTSIDE_SOFT_LIMIT,
                message_id="order.no-infusion-planned",
                ordered_id="order.drug",
                allowed_id="order.an-infusion-planned",
                status=plan.status.value,
                drug=order.drug.value,
                rule_ids=tuple(
                    dict.fromkeys(
                        r
                        for f in plan.findings
                        if f.severity is not Severity.INFO
                        for r in f.rule_ids
                    )
                )
                or ("P-IND-A",),
            )
        )
    if planned is None:
        if plan.infusions:
            judgements.append(
                _judgement(
                    "date",
                    Verdict.OUTSIDE_SOFT_LIMIT,
                    plan.infusions[-1].rule_ids,
                    message_id="order.after-last-infusion",
                    ordered=order.date.isoformat(),
                    allowed_id="order.on-or-before",
                    date=plan.infusions[-1].date,
                )
            )
        return judgements
    if planned.date != order.date:
        judgements.append(
            _judgement(
                "date",
                Verdict.OUTSIDE_SOFT_LIMIT,
                planned.rule_ids,
                message_id="order.not-a-schedule-date",
                ordered=order.date.isoformat(),
                allowed_id="order.schedule-date",
                date=planned.date,
                reason=planned.date_reason,
            )
        )
    judgements.append(_dose_judgement(order, planned))
    judgements += _preparation_judgements(order, planned)
    return judgements


def _dose_judgement(order: Order, planned: PlannedInfusion) -> Judgement:
    """The dose against the per-kg range the guideline gives for the phase (and the plan's)."""
    dose = planned.dose
    weight_kg = exact(nearest_mg_kg(dosing_weight_kg(dose.facts.weight)))
    allowed = dose.allowed_per_kg
    low = exact(float(allowed.low.m_as(_MG_PER_KG))) * weight_kg
    high = exact(float(allowed.high.m_as(_MG_PER_KG))) * weight_kg
    planned_mg = _mg(dose.value)
    ceiling_mg = _mg(dose.limited.ceiling)
    low_mg, high_mg = min(low, planned_mg), max(planned_mg, min(high, ceiling_mg))
    ordered = order.dose_mg
    per_kg = (ordered / weight_kg).quantize(Decimal("0.0001"))
    rules = tuple(dict.fromkeys((*allowed.rule_ids, *dose.rule_ids)))
    if ordered == planned_mg:
        verdict, message_id = Verdict.WITHIN, "order.dose-protocol"
    elif low_mg <= ordered <= high_mg:
        verdict, message_id = Verdict.WITHIN, "order.dose-within-range"
    else:
        side = "above" if ordered > high_mg else "below"
        verdict, message_id = Verdict.OUTSIDE_SOFT_LIMIT, f"order.dose-{side}-range"
    return _judgement(
        "dose",
        verdict,
        rules,
        message_id=message_id,
        ordered_id="order.dose-ordered",
        allowed_id="order.dose-span",
        dose=_number(ordered),
        per_kg=_number(per_kg),
        weight=_number(weight_kg),
        low=_number(low_mg),
        high=_number(high_mg),
        planned=_number(planned_mg),
        phase=dose.phase.value,
    )


def _number(value: Decimal) -> float:
    """A decimal as the float a message writes (every digit of a dose, a volume, a time)."""
    return float(value.normalize())


def _same(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= _SAME_FRACTION * max(abs(a), abs(b))


def _preparation_judgements(order: Order, planned: PlannedInfusion) -> list[Judgement]:
    prep = planned.preparation
    judgements = []
    if order.drug is Drug.ZOLEDRONIC_ACID:
        smallest, largest = t.ZOLEDRONIC_ACID_VOLUME_ML
        inside = smallest.decimal <= order.volume_ml <= largest.decimal
        judgements.append(
            _judgement(
                "volume",
                Verdict.WITHIN if inside else Verdict.OUTSIDE_SOFT_LIMIT,
                smallest.rule_ids,
                message_id="order.volume" if inside else "order.volume-outside",
                ordered_id="order.volume-ordered",
                allowed_id="order.volume-span",
                volume=_number(order.volume_ml),
                low=float(smallest.value),
                high=float(largest.value),
            )
        )
    else:
        figure = t.PAMIDRONATE_CONCENTRATION_MG_ML
        concentration = order.dose_mg / order.volume_ml
        inside = _same(concentration, figure.decimal)
        judgements.append(
            _judgement(
                "concentration",
                Verdict.WITHIN if inside else Verdict.OUTSIDE_SOFT_LIMIT,
                figure.rule_ids,
                message_id="order.dilution" if inside else "order.dilution-outside",
                ordered_id="order.concentration-ordered",
                allowed_id="order.concentration-span",
                concentration=_number(concentration.quantize(Decimal("0.001"))),
                figure=float(figure.value),
                dose=_number(order.dose_mg),
                volume=_number(order.dose_mg / figure.decimal),
            )
        )
    hours = exact(float(prep.duration.m_as(_HOUR)))
    inside = order.duration_h >= hours or _same(order.duration_h, hours)
    judgements.append(
        _judgement(
            "duration",
            Verdict.WITHIN if inside else Verdict.OUTSIDE_SOFT_LIMIT,
            tuple(dict.fromkeys(c.rule_id for c in prep.choices)) or prep.rule_ids,
            message_id="order.duration" if inside else "order.duration-faster",
            ordered_id="order.duration-ordered",
            allowed_id="order.duration-span",
            hours=_number(order.duration_h.quantize(Decimal("0.01"))),
            minimum=_number(hours),
        )
    )
    return judgements


# ---- the check -----------------------------------------------------------------------------------

#: How far past the order's date the protocol's plan is made, to find its next infusion.
_LOOK_AHEAD: Final = dt.timedelta(days=400)


def _course_with(patient: Patient, plan: Plan, order: Order) -> Course | None:
    """The plan's infusions before the order, then the order in place of the one on its date.

    The gate judges the order as the protocol's plan would give it: after the infusions the
    plan gives before that date (so the order's place in the history of the drug is the plan's).
    Without a course of the order's drug, a course of one infusion is planned for it.
    """
    course = plan.course
    if course is None or course.drug is not order.drug or not course.infusions:
        start = max(order.date, patient.assessment_date)
        try:
            course = plan_course(patient, order.drug, start=start, horizon=Horizon(infusions=1))
        except BisphosError:
            return None
        if not course.infusions:  # nothing can be planned for the drug (e.g. out of scope)
            return None
    earlier = tuple(p for p in course.infusions if p.date < order.date)
    template = next((p for p in course.infusions if p.date >= order.date), course.infusions[-1])
    return attrs.evolve(course, infusions=(*earlier, _as_planned(template, order)))


def check_order(
    patient: Patient,
    order: Order,
    *,
    engine: Engine | None = None,
    request: PlanRequest | None = None,
) -> OrderCheck:
    """Judge ``order`` for ``patient`` against the pediatric protocol on the order's date.

    The protocol's plan is made from the assessment date with the order's drug; an order for a
    later date is judged as the infusion that plan gives on that date, after the plan's earlier
    infusions.

    Args:
        patient: The patient, on the assessment date the order is checked on.
        order: The ordered infusion.
        engine: The engine whose protocol and plugins plan (default: the installed ones).
        request: The plan request the protocol's plan is made with (its options); the drug is
            the order's.

    Returns:
        The verdict with every judgement, what the protocol would give, and the overrides that
        apply.

    Raises:
        BisphosError: the patient or the order cannot be read (typed, with the field).
    """
    if engine is None:
        from bisphos.engine import default_engine  # noqa: PLC0415 - plugins load on first use

        engine = default_engine()
    base = request or PlanRequest()
    today = patient.assessment_date
    horizon = Horizon(infusions=None, until=max(order.date, today) + _LOOK_AHEAD)
    plan = engine.plan(patient, attrs.evolve(base, drug=order.drug, start=None, horizon=horizon))
    planned = next((p for p in plan.infusions if p.date == order.date), None)
    reference = planned or next((p for p in plan.infusions if p.date > order.date), None)
    course = _course_with(patient, plan, order)
    judgements = [] if course is None else _hard(patient, course, engine)
    judgements += _scope(patient, order)
    judgements += _contraindications(order, plan.blocks, today)
    judgements += _soft(order, plan, reference)
    verdict = max((j.verdict for j in judgements), key=_RANK.__getitem__, default=Verdict.WITHIN)
    overrides: tuple[str, ...] = ()
    if verdict is Verdict.OUTSIDE_SOFT_LIMIT:
        soft = [j for j in judgements if j.verdict is Verdict.OUTSIDE_SOFT_LIMIT]
        overrides = tuple(dict.fromkeys(rule for j in soft for rule in j.rule_ids))
    ordered = sorted(judgements, key=lambda j: -_RANK[j.verdict])
    return OrderCheck(verdict, order, tuple(ordered), plan, reference, overrides)
