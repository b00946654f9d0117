"""The order check behind the order hooks: :func:`bisphos.check_order`, as a card shows it.

A draft ``MedicationRequest`` that names a bisphosphonate (an ATC code of M05BA or M05BB, or a
medication by reference) is read by :func:`bisphos.fhir.order.order_from_medication_request` and
judged by :func:`bisphos.check_order` with the service's engine; any other order is no concern of
the service. The verdicts map to cards (:mod:`bisphos.service.cards`): within the protocol,
outside a soft limit (with the coded reasons of P-OVERRIDE), or refused by a hard limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from bisphos.engine import Engine
from bisphos.export.evidence import evidence_line
from bisphos.fhir.codes import ATC_SYSTEM, BISPHOSPHONATE_ATC, DRUG_CODES
from bisphos.fhir.order import order_from_medication_request
from bisphos.model import Patient
from bisphos.orders import OrderCheck, Verdict, check_order
from bisphos.pediatric.overrides import SOFT_LIMITS
from bisphos.service.cards import OrderView, override_reasons
from bisphos.service.cards import Verdict as CardVerdict

__all__ = ["check", "names_a_bisphosphonate"]

_VERDICTS: Final = {
    Verdict.WITHIN: CardVerdict.WITHIN,
    Verdict.OUTSIDE_SOFT_LIMIT: CardVerdict.SOFT,
    Verdict.REFUSED: CardVerdict.HARD,
}
_RANK: Final = {Verdict.WITHIN: 0, Verdict.OUTSIDE_SOFT_LIMIT: 1, Verdict.REFUSED: 2}
_DRUG_CODINGS: Final = frozenset(
    (system, code) for codes in DRUG_CODES.values() for system, code, _ in codes
)


def names_a_bisphosphonate(order: Mapping[str, Any]) -> bool:
    """Whether a draft order may be of a bisphosphonate: the service checks it then.

    An order by ``medicationReference`` is checked too: the reader resolves it, or says why not.
    """
    if order.get("medicationReference") is not None:
        return True
    concept = order.get("medicationCodeableConcept")
    codings = concept.get("coding") if isinstance(concept, Mapping) else None
    for coding in codings if isinstance(codings, list) else []:
        if not isinstance(coding, Mapping):
            return True  # malformed: the reader names the problem
        system, code = coding.get("system"), coding.get("code")
        if (system, code) in _DRUG_CODINGS:
            return True
        if system == ATC_SYSTEM and isinstance(code, str) and code.startswith(BISPHOSPHONATE_ATC):
            return True
    return False


def check(
    engine: Engine,
    patient: Patient,
    order: Mapping[str, Any],
    on: dt.date,
    context: Sequence[Mapping[str, Any]] = (),
) -> OrderView | None:
    """Judge one draft ``MedicationRequest``; ``None`` when it orders no bisphosphonate.

    Args:
        engine: The service's engine.
        patient: The patient, read on the assessment date ``on``.
        order: The draft order.
        on: The assessment date.
        context: The other resources of ``draftOrders`` (a referenced ``Medication``).

    Raises:
        FhirInputError: the order cannot be read (each problem with its element).
    """
    if not names_a_bisphosphonate(order):
        return None
    source = f"MedicationRequest/{order.get('id', '')}"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": order}, *({"resource": r} for r in context)],
    }
    ordered = order_from_medication_request(bundle, source=source)
    try:
        result = check_order(patient, ordered, engine=engine)
    except IndexError:
        # check_order finds no infusion to judge for a patient outside the protocol's scope;
        # P-HARD: no infusion at age 19 or later (P-SCOPE-1), so the order is refused.
        scope = [f for f in engine.assess(patient).findings if "P-SCOPE-1" in f.rule_ids]
        if engine.assess(patient).in_scope or not scope:
            raise
        return OrderView(
            order=order,
            drug=ordered.drug,
            ordered=ordered.dose,
            verdict=CardVerdict.HARD,
            message=scope[0].message,
            rule_ids=scope[0].rule_ids,
            evidence=tuple(evidence_line(item, "en") for item in scope[0].evidence),
        )
    return _view(order, result)


def _verdict(rule_ids: tuple[str, ...], verdict: Verdict) -> Verdict:
    """A refusal that rests on soft limits only is outside a soft limit.

    P-OVERRIDE lets a clinician override P-WEIGHT-PLAUSIBLE and P-MAINT-ENTRY with a coded reason.
    """
    if verdict is Verdict.REFUSED and rule_ids and set(rule_ids) <= set(SOFT_LIMITS):
        return Verdict.OUTSIDE_SOFT_LIMIT
    return verdict


def _view(resource: Mapping[str, Any], result: OrderCheck) -> OrderView:
    judged = [(j, _verdict(j.rule_ids, j.verdict)) for j in result.judgements]
    worst = max((v for _, v in judged), key=_RANK.__getitem__, default=Verdict.WITHIN)
    concerns = [j for j, v in judged if v is worst]
    message = (
        "The order is what the protocol gives, or a choice the guideline leaves open."
        if worst is Verdict.WITHIN
        else concerns[0].message
    )
    evidence = tuple(
        f"{j.aspect} ({', '.join(j.rule_ids)}): {v.value}: ordered {j.ordered}; allowed {j.allowed}"
        for j, v in judged
    )
    soft = worst is Verdict.OUTSIDE_SOFT_LIMIT
    return OrderView(
        order=resource,
        drug=result.order.drug,
        ordered=result.order.dose,
        verdict=_VERDICTS[worst],
        message=message,
        rule_ids=tuple(dict.fromkeys(r for j in concerns for r in j.rule_ids)) or result.rule_ids,
        evidence=evidence,
        protocol=result.planned,
        override_reasons=override_reasons() if soft else (),
        plan=result.plan,
    )
