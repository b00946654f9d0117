"""Yearly cost of a regimen from the catalogue's list prices (O-CAT).

A year counts the whole intervals in the Julian year of the unit registry (365.25 days): a monthly
regimen 12 administrations, a 4-weekly one 13 (O-INTERVAL: the labels' "every 4 weeks", 13 a
year), a weekly one 52 and a daily one 365; a course of a fixed number of administrations
(radium-223) is counted at most once. Amounts are exact decimals
rounded half-up to the cent, and every cost is labelled with the year of its price list: the deck's
prices are 2016 list prices, not today's.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.errors import ImplausibleValueError
from bisphos.oncology.regimens import ListPrice
from bisphos.units import Quantity

__all__ = ["DAYS_PER_YEAR", "YearlyCost", "yearly_cost"]

#: Days in the year a yearly cost covers (the registry's Julian year).
DAYS_PER_YEAR: Final = Decimal("365.25")
_CENT: Final = Decimal("0.01")
_HOURS_PER_DAY: Final = 24


@attrs.frozen
class YearlyCost:
    """The cost of one year of a regimen at list price.

    Attributes:
        amount: The cost in euro, rounded to the cent.
        administrations: Administrations per year the amount counts.
        price: The list price per administration it is computed from.
        rule_ids: The rules it comes from.
    """

    amount: Decimal
    administrations: Decimal
    price: ListPrice
    rule_ids: tuple[str, ...] = ("O-CAT", "O-INTERVAL")

    @property
    def label(self) -> str:
        """The cost with its count and price year.

        E.g. ``"€ 1859.00 per year (13 administrations, 2016 list prices)"``.
        """
        return (
            f"€ {self.amount:.2f} per year ({self.administrations} administrations, "
            f"{self.price.year} list prices)"
        )

    def __str__(self) -> str:
        return self.label


def yearly_cost(
    price: ListPrice, interval: Quantity, *, administrations: int | None = None
) -> YearlyCost:
    """Return the yearly cost of a regimen given every ``interval`` at ``price``.

    Args:
        price: List price per administration.
        interval: Time between administrations.
        administrations: Number of administrations in a fixed course, if any; a course is counted
            at most once.

    Raises:
        InputError: ``interval`` is not a duration or is not positive.
    """
    hours = q.DURATION.magnitude(interval, field="interval")
    if hours <= 0:
        raise ImplausibleValueError(
            "an interval must be positive", field="interval", value=str(interval)
        )
    # The registry's day, week, month and year are exact binary fractions of a day, so the
    # repr of the float is the exact number of days.
    days = Decimal(repr(hours / _HOURS_PER_DAY))
    # Whole intervals: a regimen every 28 days is given 13 times a year, not 13.04 (O-INTERVAL).
    per_year = (DAYS_PER_YEAR / days).to_integral_value(rounding=ROUND_FLOOR)
    if per_year < 1:
        per_year = Decimal(1)
    if administrations is not None:
        per_year = min(per_year, Decimal(administrations))
    amount = (price.amount * per_year).quantize(_CENT, rounding=ROUND_HALF_UP)
    return YearlyCost(amount=amount, administrations=per_year, price=price)
