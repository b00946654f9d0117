"""The local rules of UMC: every local finding, dose and adjustment names one of these ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bisphos.catalogue import Rule, build_rules
from bisphos.pediatric.rules import RULES as NATIONAL_RULES

__all__ = ["ALL_RULES", "LOCAL_RULES", "PROTOCOL_ID", "PROTOCOL_VERSION"]

#: The id of the local cyclical pamidronate protocol.
PROTOCOL_ID: Final = "umc-pamidronate-cyclical-2025"

#: The version of its encoding.
PROTOCOL_VERSION: Final = "2025.1"

_SOURCE = "UMC local protocol 'Cyclisch pamidronaat', 2025"


def _rule(rule_id: str, section: str, statement: str, reading: str = "") -> Rule:
    return Rule(
        id=rule_id,
        protocol=PROTOCOL_ID,
        section=section,
        statement=statement,
        source=_SOURCE,
        reading=reading,
    )


#: The local rules, by id.
LOCAL_RULES: Final[Mapping[str, Rule]] = build_rules(
    [
        _rule(
            "UMC-PAM-CYC-1",
            "Cyclical pamidronate",
            "Pamidronate 1 mg/kg/day on 3 consecutive days, every 4 months, at most 90 mg per "
            "day (P-PAM-CAP).",
            "A cycle is never split: the horizon counts whole cycles. The next cycle is due "
            "4 months after the first day of the last cycle given.",
        ),
        _rule(
            "UMC-PAM-CYC-2",
            "Cyclical pamidronate",
            "The first day of the first cycle is half the daily dose, 0.5 mg/kg, at most 45 mg "
            "(as P-PAM-FIRST: the cap applied before halving).",
        ),
        _rule(
            "UMC-CI-1",
            "Local contraindications",
            "No infusion within 6 weeks after an orthopaedic procedure (osteotomy, "
            "intramedullary rodding): bisphosphonates delay osteotomy healing.",
            "Within 6 weeks: fewer than 42 days from the procedure to the assessment date; "
            "on day 42 the infusion is no longer blocked.",
        ),
        _rule(
            "UMC-GFR-1",
            "Renal function",
            "The GFR is estimated with the bedside Schwartz formula, k = 36.5, for the "
            "laboratory's IDMS-traceable enzymatic creatinine; the > 90 gate of P-GFR stays.",
        ),
        _rule(
            "UMC-VIAL-1",
            "Preparation",
            "Doses are rounded down to a volume of the ward's stock solution that can be "
            "measured: zoledronic acid 4 mg/100 ml in 1.25 ml (0.05 mg) or 0.25 ml (0.01 mg) "
            "steps; pamidronate 3 mg/ml in 0.5 ml (1.5 mg) or 0.1 ml (0.3 mg) steps; the "
            "coarsest step that takes at most 5 % off the dose, else the dose is kept.",
        ),
        _rule(
            "UMC-PREP-1",
            "Preparation",
            "The ward's formulary (P-PREP-PRODUCT): doses are drawn up from the stock "
            "solutions of UMC-VIAL-1, zoledronic acid 4 mg/100 ml (0.04 mg/ml, a 100 ml bottle) "
            "and pamidronate disodium 3 mg/ml (10 ml vials), with syringes that measure 0.1 ml.",
            "The ready-to-use zoledronic acid solution needs no diluent up to 50 ml: a dose of "
            "more than 2 mg (50 ml) is given undiluted in its own volume.",
        ),
    ]
)

#: The national rules and the local ones: the catalogue of the local protocol.
ALL_RULES: Final[Mapping[str, Rule]] = build_rules(
    [*NATIONAL_RULES.values(), *LOCAL_RULES.values()]
)
