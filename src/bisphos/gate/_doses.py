"""The dose limits of P-HARD: daily caps and per-kg maxima.

The per-kg maximum follows from the infusion's place in the history of its drug, never from a
label (P-ZOL-CAP, P-PAM-CAP, P-ZOL-FIRST, P-ZOL-DOSE, P-PAM-FIRST, P-PAM-DOSE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from bisphos.gate._read import MG, MG_PER_KG, constant, show
from bisphos.gate._refusal import refusal
from bisphos.model import Drug
from bisphos.pediatric.kernel import day_limit_mg, per_kg_limit_mg
from bisphos.pediatric.limits import (
    DAILY_CAPS,
    PAMIDRONATE_FIRST_MAX,
    ZOLEDRONIC_FIRST_INFUSIONS,
    Phase,
    max_per_kg,
)
from bisphos.units import format_quantity

if TYPE_CHECKING:
    from bisphos.gate._facts import PatientFacts
    from bisphos.gate._infusions import Infusion


CAP_MG: Final = {drug: constant(cap.dose, MG) for drug, cap in DAILY_CAPS.items()}


CAP_RULE: Final = {drug: cap.rule_id for drug, cap in DAILY_CAPS.items()}


CAP_TEXT: Final = {drug: format_quantity(cap.dose) for drug, cap in DAILY_CAPS.items()}


ZOL_FIRST_PER_KG: Final = constant(max_per_kg(Drug.ZOLEDRONIC_ACID, Phase.FIRST).per_kg, MG_PER_KG)


ZOL_PER_KG: Final = constant(max_per_kg(Drug.ZOLEDRONIC_ACID, Phase.REGULAR).per_kg, MG_PER_KG)


PAM_FIRST_PER_KG: Final = constant(max_per_kg(Drug.PAMIDRONATE, Phase.FIRST).per_kg, MG_PER_KG)


PAM_PER_KG: Final = constant(max_per_kg(Drug.PAMIDRONATE, Phase.REGULAR).per_kg, MG_PER_KG)


PAM_FIRST_MG: Final = constant(PAMIDRONATE_FIRST_MAX, MG)


#: The per-kg maximum each dose rule gives, for the words of a refusal.
_PER_KG_BY_RULE: Final = {
    "P-ZOL-FIRST": ZOL_FIRST_PER_KG,
    "P-ZOL-DOSE": ZOL_PER_KG,
    "P-PAM-FIRST": PAM_FIRST_PER_KG,
    "P-PAM-DOSE": PAM_PER_KG,
}


def within_cap(drug: Drug, dose_mg: Decimal, index: int, field: str) -> None:
    cap, rule = CAP_MG[drug], CAP_RULE[drug]
    if dose_mg > cap:
        raise refusal(
            "the dose is above the daily cap",
            index,
            rule,
            f"{show(cap)} mg per calendar day",
            show(dose_mg),
            "mg",
            field=field,
            expected=f"at most {CAP_TEXT[drug]}",
            message_id="gate.daily-cap",
            params=(("cap", float(cap)),),
        )


def per_kg_limit(drug: Drug, number: int, weight_kg: Decimal) -> tuple[Decimal, str, str]:
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
        limit = min(per_kg_limit_mg(drug, Phase.FIRST, weight_kg), PAM_FIRST_MG)
        words = f"{show(PAM_FIRST_PER_KG)} mg/kg (and {show(PAM_FIRST_MG)} mg)"
        return limit, "P-PAM-FIRST", words
    return (
        per_kg_limit_mg(drug, Phase.REGULAR, weight_kg),
        "P-PAM-DOSE",
        f"{show(PAM_PER_KG)} mg/kg",
    )


def check_doses(infusions: Sequence[Infusion], facts: PatientFacts) -> None:
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
        limit_mg, rule, words = per_kg_limit(item.drug, counts[item.drug], weight)
        if item.dose_mg > limit_mg:
            raise refusal(
                "a planned dose, or the dose its volume drawn up delivers, is above a hard limit",
                item.index,
                rule,
                f"{show(limit_mg)} mg",
                show(item.dose_mg),
                "mg",
                field=f"infusions[{item.index}].dose",
                expected=f"at most {words} x {show(weight)} kg = {show(limit_mg)} mg ({rule}, "
                f"infusion {counts[item.drug]} of {item.drug.value}, counted from the history)",
                message_id="gate.per-kg",
                params=(
                    ("limit", float(limit_mg)),
                    ("per_kg", float(_PER_KG_BY_RULE[rule])),
                    ("weight", float(weight)),
                    ("number", counts[item.drug]),
                    ("drug", item.drug.value),
                ),
            )
        key = (item.drug, item.date)
        per_day[key] = per_day.get(key, Decimal(0)) + item.dose_mg
        per_kg = ZOL_PER_KG if item.drug is Drug.ZOLEDRONIC_ACID else PAM_PER_KG
        day_limit = day_limit_mg(item.drug, weight)
        if per_day[key] > day_limit:
            rule = CAP_RULE[item.drug]
            raise refusal(
                "a planned dose, or the dose its volume drawn up delivers, is above a hard limit",
                item.index,
                rule,
                f"{show(day_limit)} mg per calendar day",
                show(per_day[key]),
                "mg",
                expected=f"at most {show(day_limit)} mg on {item.date.isoformat()} ({rule}, the "
                f"daily per-kg maximum of {show(per_kg)} mg/kg): the doses planned on one day "
                "add up above it, the history's included",
                message_id="gate.daily-per-kg",
                params=(
                    ("limit", float(day_limit)),
                    ("date", item.date),
                    ("per_kg", float(per_kg)),
                ),
            )
