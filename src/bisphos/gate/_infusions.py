"""One planned infusion as the gate reads it: drug, date, dose, volume, duration, drawn up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from bisphos.errors import HardLimitError
from bisphos.gate._doses import within_cap
from bisphos.gate._drawn import Drawn, read_drawn, same_drug
from bisphos.gate._read import HOUR, MG, ML, read_date, read_decimal, read_drug, read_exact, show
from bisphos.gate._refusal import refusal
from bisphos.model import Drug
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.infusion import (
    Preparation,
)
from bisphos.pediatric.limits import (
    LimitedDose,
)
from bisphos.pediatric.schedule import PlannedInfusion


@attrs.frozen
class Infusion:
    """One planned infusion as the gate reads it.

    ``dose_mg`` is the larger of the planned dose and the dose the volume drawn up delivers
    (P-PREP-PRODUCT): every limit judges it.
    """

    index: int
    drug: Drug
    date: dt.date
    dose_mg: Decimal
    volume_ml: Decimal
    hours: Decimal
    drawn: Drawn


def read_infusion(index: int, value: object) -> Infusion:
    field = f"infusions[{index}]"
    planned = read_exact(value, PlannedInfusion, field)
    dose = read_exact(planned.dose, Dose, f"{field}.dose")
    limited = read_exact(dose.limited, LimitedDose, f"{field}.dose")
    preparation = read_exact(planned.preparation, Preparation, f"{field}.preparation")
    drug = read_drug(dose.drug, f"{field}.dose.drug")
    same_drug(preparation.drug, drug, f"{field}.preparation.drug", "its preparation")
    dose_mg = read_decimal(limited.dose, MG, f"{field}.dose")
    within_cap(drug, dose_mg, index, f"{field}.dose")
    prepared_mg = read_decimal(preparation.dose, MG, f"{field}.preparation")
    within_cap(drug, prepared_mg, index, f"{field}.preparation")
    if not dose_mg > 0:
        raise refusal(
            "a planned dose must be positive",
            index,
            "P-HARD",
            "a positive dose",
            dose_mg,
            "mg",
            message_id="gate.dose-not-positive",
        )
    if prepared_mg != dose_mg:
        raise HardLimitError(
            "the preparation is not of the planned dose",
            field=f"{field}.preparation.dose",
            value=f"{show(prepared_mg)} mg",
            expected=f"{show(dose_mg)} mg",
            rule_id="P-HARD",
            limit="the planned dose",
            infusion=index,
            message_id="gate.preparation-dose",
            params=(("dose", float(dose_mg)),),
        )
    volume_ml = read_decimal(preparation.volume, ML, f"{field}.preparation.volume")
    hours = read_decimal(preparation.duration, HOUR, f"{field}.preparation.duration")
    if not volume_ml > 0 or not hours > 0:
        raise refusal(
            "an infusion needs a positive volume and duration",
            index,
            "P-HARD",
            "a positive volume and duration",
            min(volume_ml, hours),
            "ml or h",
            message_id="gate.volume-duration",
        )
    drawn = read_drawn(preparation, drug, dose_mg, index)
    return Infusion(
        index=index,
        drug=drug,
        date=read_date(planned.date, f"{field}.date"),
        dose_mg=max(dose_mg, drawn.delivered_mg),
        volume_ml=volume_ml,
        hours=hours,
        drawn=drawn,
    )
