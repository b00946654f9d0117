"""The preparation limits of P-HARD, recomputed from dose, volume and duration.

Pamidronate at most 0.36 mg/ml and the rate of the table's one entry by renal function
(P-PAM-LABEL, P-PAM-RENAL: 60 mg/h, 20 mg/h with a GFR of 90 or less or unknown); zoledronic
acid over at least 15 minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from bisphos.gate._read import CONTEXT, HOUR, MG_PER_ML, constant, show
from bisphos.gate._refusal import refusal
from bisphos.model import Drug
from bisphos.pediatric.infusion import (
    PAMIDRONATE_LABEL_MAX_CONCENTRATION,
)
from bisphos.pediatric.limits import (
    ZOLEDRONIC_MIN_DURATION,
)
from bisphos.pediatric.table import PAMIDRONATE_MAX_RATE_MG_H

if TYPE_CHECKING:
    from bisphos.gate._facts import PatientFacts
    from bisphos.gate._infusions import Infusion


PAM_MAX_MG_PER_ML: Final = constant(PAMIDRONATE_LABEL_MAX_CONCENTRATION, MG_PER_ML)


#: P-PAM-RENAL, P-PAM-LABEL: the highest pamidronate rate (mg/h) and the rule a refusal names,
#: by renal function, read from the table's one entry (unknown: the renal limit).
PAM_MAX_MG_PER_H: Final = {
    renal: (number.decimal, number.rule_ids[0])
    for renal, number in PAMIDRONATE_MAX_RATE_MG_H.items()
}


ZOL_MIN_HOURS: Final = constant(ZOLEDRONIC_MIN_DURATION, HOUR)


def check_preparation(item: Infusion, facts: PatientFacts) -> None:
    index = item.index
    if item.drug is Drug.ZOLEDRONIC_ACID:
        if item.hours < ZOL_MIN_HOURS:
            raise refusal(
                "zoledronic acid infused too fast",
                index,
                "P-HARD",
                f"over at least {show(ZOL_MIN_HOURS)} h (15 minutes)",
                item.hours,
                "h",
                message_id="gate.zoledronic-acid-too-fast",
                params=(("hours", float(ZOL_MIN_HOURS)),),
            )
        return
    # Concentration and rate recomputed: dose / volume and dose / duration, in decimal.
    if item.dose_mg > CONTEXT.multiply(PAM_MAX_MG_PER_ML, item.volume_ml):
        concentration = CONTEXT.divide(item.dose_mg, item.volume_ml)
        raise refusal(
            "pamidronate concentration above the label's limit",
            index,
            "P-PAM-LABEL",
            f"at most {show(PAM_MAX_MG_PER_ML)} mg/ml",
            f"{concentration:.4g}",
            "mg/ml",
            message_id="gate.pamidronate-concentration",
            params=(("limit", float(PAM_MAX_MG_PER_ML)),),
        )
    rate_limit, rule = PAM_MAX_MG_PER_H[facts.renal_function]
    if item.dose_mg > CONTEXT.multiply(rate_limit, item.hours):
        rate = CONTEXT.divide(item.dose_mg, item.hours)
        raise refusal(
            "pamidronate infused faster than the label allows",
            index,
            rule,
            f"at most {show(rate_limit)} mg/h",
            f"{rate:.4g}",
            "mg/h",
            message_id="gate.pamidronate-rate",
            params=(("limit", float(rate_limit)),),
        )
