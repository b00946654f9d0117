"""Calcium and vitamin D for osteoporosis prevention during cancer treatment (O-OP-GENERAL)."""

from __future__ import annotations

from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.units import Quantity

__all__ = ["OSTEOPOROSIS_PREVENTION_SUPPLEMENTS", "Supplement"]


@attrs.frozen
class Supplement:
    """A daily supplement with its dose range.

    Attributes:
        substance: What to give, e.g. ``"calcium"``.
        daily_minimum: The lowest daily dose.
        daily_maximum: The highest daily dose (equal to the minimum for a single figure).
        rule_ids: The rules it comes from.
        source: The study the slide cites.
    """

    substance: str
    daily_minimum: Quantity
    daily_maximum: Quantity
    rule_ids: tuple[str, ...]
    source: str


_SOURCE: Final = "R. Coleman et al. Ann Oncol 2014; 25"

#: Calcium 1000 mg/day and vitamin D 1000-2000 IU/day (O-OP-GENERAL).
OSTEOPOROSIS_PREVENTION_SUPPLEMENTS: Final = (
    Supplement(
        substance="calcium",
        daily_minimum=q.CALCIUM_DOSE.conform("1000 mg", field="calcium"),
        daily_maximum=q.CALCIUM_DOSE.conform("1000 mg", field="calcium"),
        rule_ids=("O-OP-GENERAL",),
        source=_SOURCE,
    ),
    Supplement(
        substance="vitamin D",
        daily_minimum=q.VITAMIN_D_DOSE.conform("1000 IU", field="vitamin_d"),
        daily_maximum=q.VITAMIN_D_DOSE.conform("2000 IU", field="vitamin_d"),
        rule_ids=("O-OP-GENERAL",),
        source=_SOURCE,
    ),
)
