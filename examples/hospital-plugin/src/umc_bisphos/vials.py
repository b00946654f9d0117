"""Rounding a dose down to a volume of the ward's stock solution (UMC-VIAL-1).

The presentations are those of the products' Dutch summaries of product characteristics (SmPC):

- zoledronic acid 4 mg/100 ml solution for infusion, ready to use (0.04 mg/ml), as Zometa
  4 mg/100 ml; the paediatric dose is drawn from the bottle;
- pamidronate disodium 3 mg/ml concentrate for solution for infusion, in vials of 15 mg/5 ml,
  30 mg/10 ml, 60 mg/20 ml and 90 mg/30 ml; the dose is drawn from the vials and diluted to
  0.1 mg/ml (P-PAM-DOSE).

The steps are the ward's choice, not the guideline's: a volume the nurses measure with the
syringes they use (1.25 ml or 0.25 ml of the zoledronic acid solution; 0.5 ml or 0.1 ml of the
pamidronate concentrate). The coarsest step that takes at most 5 % off the dose is used; when even
the finest takes more (the smallest children), the protocol's dose is kept and measured as it is.
Rounding is always down, so the rounded dose is never above the protocol's.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Final

import attrs
from bisphos.model import Drug

__all__ = ["MAX_REDUCTION", "PRESENTATIONS", "Presentation", "Rounded", "round_down"]

#: The most a rounding may take off a dose.
MAX_REDUCTION: Final = Decimal("0.05")


@attrs.frozen
class Presentation:
    """A stock solution and the volumes the ward measures of it.

    Attributes:
        drug: The drug.
        product: The product, as on the label.
        concentration_mg_per_ml: Its concentration.
        steps_ml: The volume steps, coarsest first.
    """

    drug: Drug
    product: str
    concentration_mg_per_ml: Decimal
    steps_ml: tuple[Decimal, ...]

    def steps_mg(self) -> tuple[Decimal, ...]:
        """The dose steps, coarsest first."""
        return tuple(step * self.concentration_mg_per_ml for step in self.steps_ml)


#: The ward's stock solutions, by drug.
PRESENTATIONS: Final = {
    Drug.ZOLEDRONIC_ACID: Presentation(
        Drug.ZOLEDRONIC_ACID,
        "zoledronic acid 4 mg/100 ml solution for infusion",
        Decimal("0.04"),
        (Decimal("1.25"), Decimal("0.25")),
    ),
    Drug.PAMIDRONATE: Presentation(
        Drug.PAMIDRONATE,
        "pamidronate disodium 3 mg/ml concentrate (15 mg/5 ml, 30 mg/10 ml, 60 mg/20 ml, "
        "90 mg/30 ml)",
        Decimal(3),
        (Decimal("0.5"), Decimal("0.1")),
    ),
}


@attrs.frozen
class Rounded:
    """A dose rounded down to a measurable volume.

    Attributes:
        dose_mg: The rounded dose, in mg.
        volume_ml: Its volume of the stock solution, in ml.
        step_ml: The volume step used.
        presentation: The stock solution.
    """

    dose_mg: Decimal
    volume_ml: Decimal
    step_ml: Decimal
    presentation: Presentation


def round_down(drug: Drug, dose_mg: Decimal) -> Rounded | None:
    """Round ``dose_mg`` down to the coarsest step that takes at most 5 % off it.

    Returns ``None`` when the dose is already on that step, or when every step would take more
    than 5 % off (then the dose is measured as it is).
    """
    presentation = PRESENTATIONS[drug]
    if dose_mg <= 0:
        return None
    for step_ml, step_mg in zip(presentation.steps_ml, presentation.steps_mg(), strict=True):
        rounded = (dose_mg / step_mg).to_integral_value(rounding=ROUND_FLOOR) * step_mg
        if rounded > 0 and dose_mg - rounded <= MAX_REDUCTION * dose_mg:
            if rounded == dose_mg:
                return None
            volume = rounded / presentation.concentration_mg_per_ml
            return Rounded(rounded, volume, step_ml, presentation)
    return None
