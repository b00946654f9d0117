"""Yearly costs at the deck's 2016 list prices (O-CAT)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bisphos.errors import DimensionError, ImplausibleValueError
from bisphos.oncology.cost import yearly_cost
from bisphos.oncology.regimens import ListPrice, load_regimens
from bisphos.units import quantity

EXPECTED = {
    "alendronic-acid-10mg-daily": "54.75",  # 0.15 x 365
    "alendronic-acid-70mg-weekly": "5.72",  # 0.11 x 52
    "risedronic-acid-5mg-daily": "40.15",
    "risedronic-acid-35mg-weekly": "1.04",
    "pamidronate-90mg-4-weekly": "1898.00",  # 146 x 13
    "ibandronic-acid-50mg-daily": "1956.40",
    "ibandronic-acid-150mg-monthly": "21.00",
    "ibandronic-acid-3mg-iv-3-monthly": "292.00",
    "zoledronic-acid-5mg-yearly": "101.00",
    "zoledronic-acid-4mg-monthly": "1859.00",  # O-INTERVAL: 143 x 13, every 4 weeks
    "denosumab-60mg-6-monthly": "440.00",
    "denosumab-120mg-monthly": "4797.00",  # O-INTERVAL: 369 x 13
}


def test_yearly_cost_of_every_priced_regimen() -> None:
    """O-CAT, O-INTERVAL: yearly cost = price per administration x the whole intervals in 365.25
    days (every 4 weeks: 13), labelled with the count and the 2016 price year; radium-223 has no
    price in the deck."""
    costs = {}
    for row in load_regimens():
        if row.price is None:
            assert row.id == "radium-223-4-weekly"
            continue
        cost = yearly_cost(row.price, row.interval, administrations=row.administrations)
        costs[row.id] = str(cost.amount)
        assert cost.label.endswith(f"({cost.administrations} administrations, 2016 list prices)")
    assert costs == EXPECTED


def test_a_course_is_counted_at_most_once() -> None:
    """O-CAT: 6 injections every 4 weeks cost 6 administrations a year, not 13."""
    price = ListPrice(Decimal("100.00"), "EUR", 2016, "test")
    cost = yearly_cost(price, quantity(4.0, "week"), administrations=6)
    assert cost.administrations == 6
    assert cost.amount == Decimal("600.00")
    assert str(cost) == "€ 600.00 per year (6 administrations, 2016 list prices)"


def test_every_4_weeks_is_13_administrations_a_year() -> None:
    """O-INTERVAL: "1x/maand" is every 28 days, 13 administrations a year, not 12 or 13.04."""
    price = ListPrice(Decimal("143.00"), "EUR", 2016, "test")
    cost = yearly_cost(price, quantity(28.0, "day"))
    assert cost.administrations == 13
    assert cost.amount == Decimal("1859.00")
    assert yearly_cost(price, quantity(1.0, "month")).administrations == 12


def test_interval_must_be_a_positive_duration() -> None:
    """O-CAT: an interval in mg or of zero days is refused."""
    price = ListPrice(Decimal("1.00"), "EUR", 2016, "test")
    with pytest.raises(DimensionError):
        yearly_cost(price, quantity(1.0, "mg"))
    with pytest.raises(ImplausibleValueError):
        yearly_cost(price, quantity(0.0, "day"))
