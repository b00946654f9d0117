"""Local proposals for a course: each checked against the limits, and recorded.

A plugin proposes other dates, doses or volumes through the hooks (:mod:`bisphos.plugins`); each
proposal is checked here and recorded as an :class:`~bisphos.pediatric.adjustments.Adjustment`,
accepted or refused. The gate (:mod:`bisphos.gate`) checks the whole plan once more afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import attrs

from bisphos._contain import describe
from bisphos.errors import BisphosError, PluginError
from bisphos.findings import EvidenceValue
from bisphos.model import Drug, Patient
from bisphos.pediatric.adjustments import (
    REASON_CODE,
    Adjustment,
    DoseProposal,
    ScheduleProposal,
    VolumeProposal,
)
from bisphos.pediatric.dosing import Choice, Dose, phase_of
from bisphos.pediatric.hooks import PlanHooks
from bisphos.pediatric.infusion import Preparation, PreparationOptions, prepare_infusion
from bisphos.pediatric.kernel import daily_cap_mg, per_kg_limit_mg
from bisphos.pediatric.limits import dosing_weight_kg, enforce, exact
from bisphos.pediatric.plan_types import PlanRequest
from bisphos.pediatric.schedule import Course
from bisphos.quantities import DOSE, VOLUME
from bisphos.units import Quantity, format_quantity, ureg
from bisphos.validation import canonical_text

__all__ = ["apply_local"]


def apply_local(
    patient: Patient, course: Course, request: PlanRequest, hooks: PlanHooks
) -> tuple[Course, tuple[Adjustment, ...]]:
    """Apply the hooks' schedule, dose and volume proposals to ``course``, each checked.

    Returns the course (the protocol's own when nothing was proposed) and every proposal's
    record, accepted or refused.

    Raises:
        PluginError: a proposal is not of its hook's type, or its texts are not text.
    """
    records: list[Adjustment] = []
    infusions = list(course.infusions)
    dates = tuple(item.date for item in infusions)
    for schedule in hooks.schedule_proposals(patient, course.drug, dates):
        accepted, record = _check_schedule(schedule, dates)
        records.append(record)
        if accepted is not None:
            dates = accepted
    for index, planned in enumerate(infusions):
        target = f"infusions[{index}]"
        dose = planned.dose
        for dose_proposal in hooks.dose_proposals(patient, dose):
            dose, record = _check_dose(dose_proposal, dose, f"{target}.dose")
            records.append(record)
        preparation = planned.preparation
        if dose is not planned.dose:
            preparation = prepare_infusion(
                dose.drug, dose.value, options=request.preparation, limit=dose.limited.ceiling
            )
        for volume_proposal in hooks.volume_proposals(patient, preparation):
            preparation, record = _check_volume(
                volume_proposal, preparation, f"{target}.volume", dose.limited.ceiling
            )
            records.append(record)
        if (
            dates[index] is not planned.date
            or dose is not planned.dose
            or preparation is not planned.preparation
        ):
            infusions[index] = attrs.evolve(
                planned, date=dates[index], dose=dose, preparation=preparation
            )
    if not records:  # nothing was proposed: the course is the protocol's
        return course, ()
    return attrs.evolve(course, infusions=tuple(infusions)), tuple(records)


def _proposal_text(value: object) -> str:
    """The proposed value in words; a foreign object is named by its type, never asked."""
    if type(value) is ureg.Quantity:
        try:
            return format_quantity(value)
        except (BisphosError, ArithmeticError, AttributeError, TypeError, ValueError):
            pass
    return describe(value)


_P = TypeVar("_P", DoseProposal, VolumeProposal, ScheduleProposal)


def _proposal(
    proposal: object, kind: type[_P], hook: str, noun: str, *texts: str
) -> tuple[_P, tuple[str, ...]]:
    """``proposal`` if it is a ``kind`` whose ``texts`` are text, with them in canonical form.

    A plugin's text (its name, reason, reason code) is kept as :func:`canonical_text` writes it:
    a newline or NUL escaped, a long text cut, so that the plan's outputs encode and its
    decision record replays.

    Returns:
        The proposal with canonical texts, and its own rule ids.

    Raises:
        PluginError: it is another object, or a text field is not text.
    """
    if not isinstance(proposal, kind):
        raise PluginError(
            f"a {noun} proposal is not a {kind.__name__}",
            field=hook,
            value=describe(proposal),
            expected=f"bisphos.pediatric.adjustments.{kind.__name__}",
        )
    own = tuple(canonical_text(rule) for rule in _texts(proposal, hook, *texts))
    canonical = {name: canonical_text(getattr(proposal, name)) for name in texts}
    return attrs.evolve(proposal, **canonical), own  # type: ignore[arg-type]


def _adjustment(
    proposal: DoseProposal | VolumeProposal | ScheduleProposal,
    hook: str,
    target: str,
    values: tuple[EvidenceValue | None, EvidenceValue | None, EvidenceValue | None],
    *,
    why: str,
    rule_ids: tuple[str, ...],
) -> Adjustment:
    """The record of ``proposal``: ``values`` before, proposed and after; refused with ``why``."""
    refused = f" — refused: {why}" if why else ""
    code = getattr(proposal, "reason_code", "")
    # In the order of Adjustment's fields: plugin, hook, target, before, proposed, after,
    # accepted, reason, reason_code, rule_ids.
    return Adjustment(
        proposal.plugin, hook, target, *values, not why, proposal.reason + refused, code, rule_ids
    )


def _texts(proposal: object, hook: str, *names: str) -> tuple[str, ...]:
    """Refuse a proposal whose plugin name, reason, reason code or rule ids are not text.

    Returns the proposal's own rule ids.
    """
    for name in names:
        value = getattr(proposal, name)
        if not isinstance(value, str):
            raise PluginError(
                f"a proposal's {name} is not text",
                field=f"{hook}.{name}",
                value=describe(value),
                expected="a str",
            )
    rule_ids: object = getattr(proposal, "rule_ids", ())
    if not isinstance(rule_ids, tuple) or not all(
        isinstance(rule, str) and rule for rule in rule_ids
    ):
        raise PluginError(
            "a proposal's rule_ids are not a tuple of rule ids",
            field=f"{hook}.rule_ids",
            value=describe(rule_ids),
            expected="a tuple of non-empty str",
        )
    return tuple(rule_ids)


def _check_dose(proposal: object, dose: Dose, target: str) -> tuple[Dose, Adjustment]:
    hook = "bisphos_adjust_dose"
    proposal, own = _proposal(
        proposal, DoseProposal, hook, "dose", "plugin", "reason", "reason_code"
    )
    proposed = _proposal_text(proposal.dose)

    def refuse(
        why: str, rule_ids: tuple[str, ...] = dose.limited.rule_ids
    ) -> tuple[Dose, Adjustment]:
        values = (dose.value, proposed, dose.value)
        return dose, _adjustment(proposal, hook, target, values, why=why, rule_ids=rule_ids)

    try:
        proposed_mg = DOSE.magnitude(proposal.dose, field=target)
    except BisphosError as error:
        return refuse(f"not a valid dose ({error.message})")
    protocol_mg = DOSE.magnitude(dose.value, field=target)
    if not proposed_mg > 0:
        return refuse("a dose must be positive")
    limited = dose.limited
    # The hard limits from the table and the kernel, on the dose's own weight: never the
    # numbers a dose object carries.
    weight_kg = exact(dosing_weight_kg(dose.facts.weight))
    hard_mg = float(
        min(
            daily_cap_mg(dose.drug),
            per_kg_limit_mg(dose.drug, phase_of(dose.facts.infusion_number, dose.band), weight_kg),
        )
    )
    if proposed_mg > hard_mg:
        return refuse(
            f"above the hard limit of {hard_mg:g} mg",
            (limited.daily_cap.rule_id, *limited.per_kg_maximum.rule_ids),
        )
    override = proposed_mg > protocol_mg
    if override and not REASON_CODE.match(proposal.reason_code):
        return refuse(
            "above the protocol's dose without a coded reason (soft limit)", dose.rule_ids
        )
    ceiling = None if override else dose.limited.ceiling
    try:
        result = enforce(
            dose.drug,
            DOSE.conform(proposal.dose, field=target),
            weight=dose.facts.weight,
            phase=dose.phase,
            ceiling=ceiling,
            ceiling_rule_ids=dose.limited.ceiling_rule_ids if ceiling is not None else (),
            precision=dose.limited.precision,
        )
    except BisphosError as error:
        return refuse(f"the hard limits refused it ({error.message})")
    choice = Choice(
        rule_id=dose.limited.daily_cap.rule_id,
        decision=f"local adjustment by {proposal.plugin}: {proposal.reason}",
        option=proposal.reason_code,
    )
    adjusted = attrs.evolve(
        dose,
        limited=result,
        choices=(*dose.choices, choice),
        rule_ids=tuple(dict.fromkeys((*dose.rule_ids, *own, *result.rule_ids))),
    )
    rule_ids = tuple(dict.fromkeys((*own, *result.rule_ids)))
    values = (dose.value, proposed, result.dose)
    return adjusted, _adjustment(proposal, hook, target, values, why="", rule_ids=rule_ids)


def _check_volume(
    proposal: object, preparation: Preparation, target: str, limit: Quantity
) -> tuple[Preparation, Adjustment]:
    hook = "bisphos_infusion_volume"
    proposal, own = _proposal(
        proposal, VolumeProposal, hook, "volume", "plugin", "reason", "reason_code"
    )

    def record(after: Preparation, why: str = "") -> Adjustment:
        values = (preparation.volume, _proposal_text(proposal.volume), after.volume)
        rule_ids = tuple(dict.fromkeys((*own, *after.rule_ids)))
        return _adjustment(proposal, hook, target, values, why=why, rule_ids=rule_ids)

    if preparation.drug is Drug.PAMIDRONATE:
        return preparation, record(preparation, "pamidronate is diluted to 0.1 mg/ml (P-PAM-DOSE)")
    try:
        volume = VOLUME.conform(proposal.volume, field=target)
        options = PreparationOptions(zoledronic_volume=volume)
        changed = prepare_infusion(preparation.drug, preparation.dose, options=options, limit=limit)
    except BisphosError as error:
        return preparation, record(preparation, f"outside 50-100 ml ({error.message})")
    return changed, record(changed)


def _calendar_date(value: object) -> bool:
    # A datetime is a date too, but cannot be compared with one.
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _check_schedule(
    proposal: object, dates: tuple[dt.date, ...]
) -> tuple[tuple[dt.date, ...] | None, Adjustment]:
    hook = "bisphos_adjust_schedule"
    proposal, own = _proposal(proposal, ScheduleProposal, hook, "schedule", "plugin", "reason")
    proposed = proposal.dates
    why = ""
    if len(proposed) != len(dates) or not all(map(_calendar_date, proposed)):
        why = f"needs exactly {len(dates)} dates"
    elif any(new < old for new, old in zip(proposed, dates, strict=True)):
        why = "an infusion may be moved later, never earlier (more drug per year)"
    elif list(proposed) != sorted(proposed):
        why = "the dates must stay in order"
    elif len(set(proposed)) < len(set(dates)):
        why = "two infusions would fall on one day"
    values = (
        ", ".join(d.isoformat() for d in dates),
        ", ".join(str(d) for d in proposed),
        ", ".join(d.isoformat() for d in (dates if why else proposed)),
    )
    rule_ids = (*own, "P-ZOL-FREQ", "P-PAM-FREQ")
    record = _adjustment(proposal, hook, "infusions[*].date", values, why=why, rule_ids=rule_ids)
    return (None if why else tuple(proposed)), record
