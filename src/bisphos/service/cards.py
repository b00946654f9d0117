"""Cards: what the order check and the plan decide, as CDS Hooks cards.

The mapping (documented in ``docs/service.md``):

- one card per checked order: ``info`` when the order is within the protocol, ``warning`` when
  it is outside a soft limit (with the ``overrideReasons`` the order check names), ``critical``
  when it breaks a hard limit (never with override reasons); a dose that is not the protocol's
  comes with a suggestion that replaces the order's dose with the protocol's;
- one ``critical`` card when the plan blocks an infusion today or refuses the request (every
  block with its rule ids, values and action), one ``warning`` card when treatment is not
  indicated or the patient is outside the protocol's scope, and one ``warning`` card with the
  plan's warnings;
- ``patient-view`` adds an ``info`` card with the next planned infusion.

Every card has a summary of at most 140 characters, a detail in Markdown naming the rule ids and
the values that triggered them, the guideline as its source, and the decision under the extension
key :data:`DECISION_EXTENSION` (status, drug, rule ids, the next infusion), which a test compares
with ``bisphos plan``.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any, Final

import attrs

from bisphos.export.evidence import evidence_line
from bisphos.findings import Finding, Severity
from bisphos.model import Drug
from bisphos.pediatric.overrides import SOFT_LIMITS, OverrideReason
from bisphos.pediatric.plan import Plan, PlanStatus
from bisphos.pediatric.schedule import PlannedInfusion
from bisphos.protocols import ProtocolInfo
from bisphos.units import Quantity, format_quantity

__all__ = [
    "DECISION_EXTENSION",
    "OVERRIDE_REASON_SYSTEM",
    "SUMMARY_LIMIT",
    "OrderView",
    "ReasonCoding",
    "Verdict",
    "decision_of",
    "order_card",
    "override_reasons",
    "plan_cards",
    "source_of",
    "summary",
    "with_protocol",
]

#: CDS Hooks: "summary ... SHOULD be under a 140-character limit".
SUMMARY_LIMIT: Final = 140
#: The card extension key holding the decision the card shows.
DECISION_EXTENSION: Final = "org.bisphos.decision"
#: The code system of :attr:`ProtocolInfo.protocol_id` in a card's source topic.
PROTOCOL_SYSTEM: Final = "https://bisphos.invalid/fhir/CodeSystem/protocol"
#: The code system of the override reasons (:class:`bisphos.pediatric.overrides.OverrideReason`).
OVERRIDE_REASON_SYSTEM: Final = "https://bisphos.invalid/fhir/CodeSystem/override-reason"
_REASON_DISPLAY: Final = {
    OverrideReason.VALUE_CONFIRMED: "The value was measured again and is right",
    OverrideReason.SPECIALIST_ADVICE: "Advice of the expertise centre or treating specialist",
    OverrideReason.TEAM_DECISION: "Decided by the multidisciplinary team",
    OverrideReason.CLINICAL_JUDGEMENT: "The clinician's judgement of this patient",
}
#: The finding codes of the soft limits (P-OVERRIDE): a block of one of them may be overridden.
_SOFT_CODES: Final = frozenset(code for limit in SOFT_LIMITS.values() for code in limit.codes)


class Verdict:
    """The three verdicts of an order check."""

    WITHIN: Final = "within"
    SOFT: Final = "soft"
    HARD: Final = "hard"


_INDICATOR: Final = {Verdict.WITHIN: "info", Verdict.SOFT: "warning", Verdict.HARD: "critical"}


@attrs.frozen
class ReasonCoding:
    """A coded reason a clinician may give to go past a soft limit (a FHIR Coding)."""

    system: str
    code: str
    display: str

    def to_dict(self) -> dict[str, str]:
        """The reason as a CDS Hooks ``overrideReasons`` Coding."""
        return {"system": self.system, "code": self.code, "display": self.display}


def override_reasons() -> tuple[ReasonCoding, ...]:
    """The coded reasons of P-OVERRIDE, as the ``overrideReasons`` of a soft-limit card."""
    return tuple(
        ReasonCoding(OVERRIDE_REASON_SYSTEM, reason.value, _REASON_DISPLAY[reason])
        for reason in OverrideReason
    )


@attrs.frozen
class OrderView:
    """What the order check says of one draft order, as a card shows it.

    Attributes:
        order: The draft ``MedicationRequest`` (a FHIR resource as JSON).
        drug: The drug ordered.
        ordered: The dose ordered.
        verdict: ``within``, ``soft`` or ``hard`` (:class:`Verdict`).
        message: What the verdict means, in words.
        rule_ids: The rules of the verdict.
        evidence: The values that decided it (``"dose = 0.4 mg (limit 0.25 mg)"``).
        protocol: The infusion the protocol gives for this order (its dose, volume, infusion
            time and rate), when it gives one.
        override_reasons: The reasons that may override a soft limit (none for a hard one).
        plan: The plan the order was judged against, if the check made one; the cards and the
            decision record are then that plan's.
    """

    order: Mapping[str, Any]
    drug: Drug
    ordered: Quantity | None
    verdict: str
    message: str
    rule_ids: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    protocol: PlannedInfusion | None = attrs.field(default=None, eq=False, repr=False)
    override_reasons: tuple[ReasonCoding, ...] = ()
    plan: Plan | None = attrs.field(default=None, eq=False, repr=False)


def summary(text: str) -> str:
    """``text`` cut to :data:`SUMMARY_LIMIT` characters (an ellipsis marks a cut)."""
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip() + "…"


def _fit(head: str, tail: str) -> str:
    """``head + tail`` within the summary limit, cutting ``head`` (the rule ids stay whole)."""
    room = SUMMARY_LIMIT - len(tail)
    if len(head) > room:
        head = head[: max(0, room - 1)].rstrip() + "…"
    return summary(head + tail)


def source_of(info: ProtocolInfo) -> dict[str, Any]:
    """The card source: the guideline the protocol encodes, and the protocol as its topic."""
    return {
        "label": summary(info.source),
        "topic": {
            "system": PROTOCOL_SYSTEM,
            "code": info.protocol_id,
            "display": f"{info.title} ({info.protocol_id} {info.version})",
        },
    }


def decision_of(plan: Plan) -> dict[str, Any]:
    """The decision a card carries: what ``bisphos plan`` decides, in its JSON words."""
    first = plan.infusions[0] if plan.infusions else None
    return {
        "protocol": plan.protocol,
        "protocol_version": plan.protocol_version,
        "status": plan.status.value,
        "cleared_today": plan.cleared_today,
        "drug": None if plan.drug is None else plan.drug.value,
        "blocks": sorted({rule for f in plan.blocks for rule in f.rule_ids}),
        "next_infusion": None
        if first is None
        else {
            "date": first.date.isoformat(),
            "dose": format_quantity(first.dose.value),
            "rule_ids": list(first.dose.rule_ids),
        },
    }


def _finding_line(finding: Finding) -> str:
    line = f"- **{', '.join(finding.rule_ids)}**: {finding.message}"
    if finding.evidence:
        line += " (" + "; ".join(evidence_line(item, "en") for item in finding.evidence) + ")"
    if finding.action:
        line += f" — {finding.action}"
    return line


def _card(
    indicator: str,
    text: str,
    detail: str,
    source: Mapping[str, Any],
    decision: Mapping[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": summary(text),
        "indicator": indicator,
        "detail": detail,
        "source": dict(source),
    }
    card.update(extra)
    card["extension"] = {DECISION_EXTENSION: dict(decision)}
    return card


def _ucum(value: Quantity, unit: str) -> dict[str, Any]:
    return {
        "value": float(value.to(unit).magnitude),
        "unit": unit,
        "system": "http://unitsofmeasure.org",
        "code": unit,
    }


def _first(container: dict[str, Any], key: str) -> dict[str, Any]:
    items = container.get(key)
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        items = [{}]
        container[key] = items
    return items[0]  # type: ignore[no-any-return]


def with_protocol(order: Mapping[str, Any], planned: PlannedInfusion) -> dict[str, Any]:
    """A copy of the draft order with the protocol's infusion; everything else as ordered.

    The dose in mg, the rate in mL/h, the infusion time in hours and the volume in mL (UCUM).
    """
    resource = copy.deepcopy(dict(order))
    preparation = planned.preparation
    dosage = _first(resource, "dosageInstruction")
    amounts = _first(dosage, "doseAndRate")
    amounts.pop("doseRange", None)
    amounts.pop("rateRatio", None)
    amounts.pop("rateRange", None)
    amounts["doseQuantity"] = _ucum(planned.dose.value, "mg")
    amounts["rateQuantity"] = _ucum(preparation.rate, "mL/h")
    timing = dosage.setdefault("timing", {})
    repeat = timing.setdefault("repeat", {})
    repeat["duration"] = float(preparation.duration.to("h").magnitude)
    repeat["durationUnit"] = "h"
    dispense = resource.setdefault("dispenseRequest", {})
    dispense["quantity"] = _ucum(preparation.volume, "mL")
    return resource


def order_card(
    view: OrderView, source: Mapping[str, Any], decision: Mapping[str, Any]
) -> dict[str, Any]:
    """The card of one checked order (see the module's mapping)."""
    ordered = "no dose" if view.ordered is None else format_quantity(view.ordered)
    rules = ", ".join(view.rule_ids)
    drug = _drug_words(view.drug)
    if view.verdict == Verdict.WITHIN:
        text = f"{drug} {ordered}: within the protocol ({rules})"
    elif view.verdict == Verdict.HARD:
        text = f"{drug} {ordered} breaks a hard limit ({rules}): not to be given"
    else:
        text = f"{drug} {ordered} is outside the protocol ({rules}): override needs a reason"
    lines = [view.message, "", f"Rules: {rules}"]
    if view.evidence:
        lines += ["", "Values:", *(f"- {item}" for item in view.evidence)]
    extra: dict[str, Any] = {}
    planned = view.protocol
    if planned is not None and view.verdict != Verdict.WITHIN:
        preparation = planned.preparation
        infusion = (
            f"{format_quantity(planned.dose.value)} in {format_quantity(preparation.volume)} over "
            f"{format_quantity(preparation.duration)}"
        )
        lines += ["", f"The protocol's infusion: {infusion} ({', '.join(planned.rule_ids)})."]
        order_id = view.order.get("id", "")
        extra["suggestions"] = [
            {
                "label": summary(f"Order the protocol's infusion: {infusion}"),
                "uuid": str(uuid.uuid4()),
                "isRecommended": True,
                "actions": [
                    {
                        "type": "update",
                        "description": f"Set MedicationRequest/{order_id} to {infusion}",
                        "resource": with_protocol(view.order, planned),
                    }
                ],
            }
        ]
        extra["selectionBehavior"] = "at-most-one"
    if view.verdict == Verdict.SOFT and view.override_reasons:
        extra["overrideReasons"] = [reason.to_dict() for reason in view.override_reasons]
    return _card(_INDICATOR[view.verdict], text, "\n".join(lines), source, decision, **extra)


def _findings_card(
    indicator: str,
    prefix: str,
    findings: tuple[Finding, ...],
    source: Mapping[str, Any],
    decision: Mapping[str, Any],
) -> dict[str, Any]:
    """One card for ``findings``: the first in the summary, every one in the detail."""
    first = findings[0]
    more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
    return _card(
        indicator,
        _fit(f"{prefix}{first.message}", f" ({', '.join(first.rule_ids)}){more}"),
        "\n".join(_finding_line(f) for f in findings),
        source,
        decision,
    )


def plan_cards(
    plan: Plan, source: Mapping[str, Any], decision: Mapping[str, Any], *, overview: bool = False
) -> list[dict[str, Any]]:
    """The cards of the plan itself: blocks, refusal, scope, warnings; ``overview`` adds one.

    Args:
        plan: The plan.
        source: The card source (:func:`source_of`).
        decision: The decision (:func:`decision_of`).
        overview: Add an ``info`` card with the next infusion (``patient-view``).
    """
    cards: list[dict[str, Any]] = []
    blocks = plan.blocks
    if plan.status is PlanStatus.REFUSED:
        refusal = blocks or tuple(f for f in plan.findings if f.severity is not Severity.INFO)
        first = refusal[0] if refusal else None
        head = "the request is refused" if first is None else first.message
        cards.append(
            _card(
                "critical",
                f"Not planned: {head} ({', '.join(first.rule_ids) if first else plan.protocol})",
                "\n".join(_finding_line(f) for f in refusal) or "The request is refused.",
                source,
                decision,
            )
        )
    else:
        hard = tuple(f for f in blocks if f.code not in _SOFT_CODES)
        soft = tuple(f for f in blocks if f.code in _SOFT_CODES)
        if hard:
            cards.append(_findings_card("critical", "No infusion today: ", hard, source, decision))
        if soft:
            card = _findings_card("warning", "Override needs a reason: ", soft, source, decision)
            card["overrideReasons"] = [reason.to_dict() for reason in override_reasons()]
            cards.append(card)
    if plan.status in (PlanStatus.NOT_INDICATED, PlanStatus.OUT_OF_SCOPE):
        reasons = tuple(f for f in plan.findings if f.severity is not Severity.INFO)
        word = "not indicated" if plan.status is PlanStatus.NOT_INDICATED else "out of scope"
        head = reasons[0].message if reasons else word
        cards.append(
            _card(
                "warning",
                f"Treatment {word} under the protocol: {head}",
                "\n".join(_finding_line(f) for f in reasons) or word,
                source,
                decision,
            )
        )
    warnings = tuple(f for f in plan.findings if f.severity is Severity.WARN)
    if warnings and plan.status not in (PlanStatus.NOT_INDICATED, PlanStatus.OUT_OF_SCOPE):
        cards.append(_findings_card("warning", "", warnings, source, decision))
    if overview:
        cards.append(_overview(plan, source, decision))
    return cards


def _drug_words(drug: Drug) -> str:
    return drug.value.replace("_", " ").capitalize()


def _overview(plan: Plan, source: Mapping[str, Any], decision: Mapping[str, Any]) -> dict[str, Any]:
    drug = "no drug" if plan.drug is None else _drug_words(plan.drug).lower()
    if plan.infusions:
        first = plan.infusions[0]
        text = (
            f"Next {drug} infusion {first.date.isoformat()}: {format_quantity(first.dose.value)} "
            f"({', '.join(first.dose.rule_ids[:3])}); status {plan.status.value}"
        )
    else:
        text = f"No infusion planned: status {plan.status.value}"
    lines = [
        f"- {p.date.isoformat()}: {format_quantity(p.dose.value)} {drug}, "
        f"{format_quantity(p.preparation.volume)} over {format_quantity(p.preparation.duration)}"
        f" ({', '.join(p.rule_ids)})"
        for p in plan.infusions
    ]
    infos = [f for f in plan.findings if f.severity is Severity.INFO]
    lines += [_finding_line(f) for f in infos]
    return _card("info", text, "\n".join(lines) or text, source, decision)
