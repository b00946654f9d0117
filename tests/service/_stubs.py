"""A stand-in for the order check, until it is part of bisphos: the ordered dose against the plan's.

It reads the drug's ATC code and the first dose of the draft order, nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bisphos.engine import Engine
from bisphos.model import Patient
from bisphos.pediatric.plan import PlanRequest
from bisphos.service.cards import OrderView, Verdict, override_reasons
from bisphos.units import ureg
from tests.service._fhir import ATC

REASONS = override_reasons()


def checker(
    engine: Engine, patient: Patient, order: Mapping[str, Any], on: dt.date
) -> OrderView | None:
    code = order["medicationCodeableConcept"]["coding"][0]["code"]
    drug = next((d for d, (c, _) in ATC.items() if c == code), None)
    if drug is None:
        return None
    value = order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"]
    ordered = ureg.Quantity(value, "mg")
    plan = engine.plan(patient, PlanRequest(drug=drug))
    if not plan.infusions:
        return OrderView(
            order,
            drug,
            ordered,
            Verdict.SOFT,
            "not planned",
            ("P-SCOPE-1",),
            override_reasons=REASONS,
        )
    dose = plan.infusions[0].dose
    cap = dose.daily_cap.dose
    if ordered > cap:
        return OrderView(
            order,
            drug,
            ordered,
            Verdict.HARD,
            "above the daily cap",
            (dose.daily_cap.rule_id,),
            (f"dose = {ordered} (limit {cap})",),
            protocol=plan.infusions[0],
        )
    if abs((ordered - dose.value).to("mg").magnitude) < 1e-9:
        return OrderView(order, drug, ordered, Verdict.WITHIN, "the protocol's dose", dose.rule_ids)
    return OrderView(
        order,
        drug,
        ordered,
        Verdict.SOFT,
        "not the protocol's dose",
        dose.rule_ids,
        (f"dose = {ordered}",),
        override_reasons=REASONS,
        protocol=plan.infusions[0],
    )
