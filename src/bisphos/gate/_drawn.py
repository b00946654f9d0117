"""The volume drawn up of a planned infusion and the dose it delivers (P-PREP-PRODUCT).

The delivered dose is recomputed here as the volume of the product drawn up times the product's
concentration: the product must be of the infusion's drug with a concentration the drug's real
products have, the syringe resolution above 0 and at most 1 ml, and the preparation's stated
delivered dose that product (up to a float's rounding). Every dose, concentration and rate limit
judges the larger of the planned and the delivered dose (:mod:`bisphos.gate._infusions`); after
them the volume drawn up must fit in the final volume and lie within one syringe step of the
planned dose.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from bisphos.errors import PluginError
from bisphos.gate._doses import within_cap
from bisphos.gate._read import CONTEXT, MG, MG_PER_ML, ML, read_decimal, read_drug, read_exact, show
from bisphos.gate._refusal import refusal
from bisphos.model import Drug
from bisphos.pediatric import table as t
from bisphos.pediatric.formulary import Product

if TYPE_CHECKING:
    from bisphos.gate._infusions import Infusion
    from bisphos.pediatric.infusion import Preparation

_RULE: Final = "P-PREP-PRODUCT"
_PRODUCT_RANGE: Final = {
    drug: (low.decimal, high.decimal)
    for drug, (low, high) in t.PRODUCT_CONCENTRATION_RANGE_MG_ML.items()
}
_COARSEST_ML: Final = t.SYRINGE_RESOLUTION_MAX_ML.decimal
#: A stated delivered dose may differ from the gate's product by a float's rounding, no more.
_STATED: Final = Decimal("1e-12")


@attrs.frozen
class Drawn:
    """The volume drawn up of one infusion as the gate reads it (P-PREP-PRODUCT)."""

    planned_mg: Decimal
    delivered_mg: Decimal
    concentrate_ml: Decimal
    strength_mg_ml: Decimal
    resolution_ml: Decimal


def same_drug(value: object, drug: Drug, field: str, what: str) -> None:
    """A planned infusion's preparation, or its product, must be of the infusion's drug.

    Raises:
        PluginError: it is of another drug, or not a bisphos Drug.
    """
    found = read_drug(value, field)
    if found is not drug:
        raise PluginError(
            f"{what} is of another drug than the planned infusion",
            field=field,
            value=found.value,
            expected=drug.value,
        )


def read_drawn(preparation: Preparation, drug: Drug, dose_mg: Decimal, index: int) -> Drawn:
    """The volume drawn up and the dose it delivers, read and recomputed.

    Raises:
        HardLimitError: the product's concentration is not one the drug's products have, the
            syringe resolution is not above 0 and at most 1 ml, the stated delivered dose is not
            the recomputed one, or it is above the daily cap.
        PluginError: a value cannot be read as the gate reads it, or the product is of another
            drug.
    """
    field = f"infusions[{index}].preparation"
    product = read_exact(preparation.product, Product, f"{field}.product")
    same_drug(product.drug, drug, f"{field}.product.drug", "the product drawn up")
    strength = read_decimal(product.concentration, MG_PER_ML, f"{field}.product.concentration")
    low, high = _PRODUCT_RANGE[drug]
    if not low <= strength <= high:
        raise refusal(
            "a product concentration no product of the drug has",
            index,
            _RULE,
            f"from {show(low)} to {show(high)} mg/ml",
            show(strength),
            "mg/ml",
            message_id="gate.product-concentration",
            params=(("low", float(low)), ("high", float(high))),
        )
    resolution = read_decimal(preparation.syringe_resolution, ML, f"{field}.syringe_resolution")
    if not 0 < resolution <= _COARSEST_ML:
        raise refusal(
            "a syringe resolution outside 0 to 1 ml",
            index,
            _RULE,
            f"above 0 and at most {show(_COARSEST_ML)} ml",
            show(resolution),
            "ml",
            message_id="gate.syringe-resolution",
            params=(("coarsest", float(_COARSEST_ML)),),
        )
    concentrate_ml = read_decimal(preparation.concentrate_volume, ML, f"{field}.concentrate_volume")
    delivered = CONTEXT.multiply(concentrate_ml, strength)
    stated = read_decimal(preparation.delivered, MG, f"{field}.delivered")
    if abs(stated - delivered) > CONTEXT.multiply(_STATED, delivered):
        raise refusal(
            "the delivered dose shown is not the volume drawn up times the concentration",
            index,
            _RULE,
            f"{show(concentrate_ml)} ml x {show(strength)} mg/ml = {show(delivered)} mg",
            show(stated),
            "mg",
            message_id="gate.delivered-shown",
            params=(
                ("volume", float(concentrate_ml)),
                ("strength", float(strength)),
                ("delivered", float(delivered)),
            ),
        )
    within_cap(drug, stated, index, f"{field}.delivered")
    # The dose shown and recorded: the recomputed one up to a float's rounding.
    return Drawn(dose_mg, stated, concentrate_ml, strength, resolution)


def check_drawn(item: Infusion) -> None:
    """Drawn up within the final volume, within one syringe step of the planned dose.

    Checked after the dose, renal and preparation limits, which judge the larger of the planned
    and the delivered dose: a plan above a limit is refused for that limit.

    Raises:
        HardLimitError: either is not so (P-PREP-PRODUCT).
    """
    drawn = item.drawn
    if not 0 < drawn.concentrate_ml <= item.volume_ml:
        raise refusal(
            "the volume drawn up is not within the final volume",
            item.index,
            _RULE,
            f"above 0 and at most {show(item.volume_ml)} ml",
            show(drawn.concentrate_ml),
            "ml",
            message_id="gate.drawn-volume",
            params=(("volume", float(item.volume_ml)),),
        )
    step_mg = CONTEXT.multiply(drawn.resolution_ml, drawn.strength_mg_ml)
    tolerance = CONTEXT.multiply(_STATED, drawn.planned_mg)
    if abs(drawn.delivered_mg - drawn.planned_mg) > step_mg + tolerance:
        raise refusal(
            "the volume drawn up is more than one syringe step from the planned dose",
            item.index,
            _RULE,
            f"within {show(step_mg)} mg ({show(drawn.resolution_ml)} ml x "
            f"{show(drawn.strength_mg_ml)} mg/ml) of {show(drawn.planned_mg)} mg",
            show(drawn.delivered_mg),
            "mg",
            message_id="gate.drawn-step",
            params=(("step", float(step_mg)), ("planned", float(drawn.planned_mg))),
        )
