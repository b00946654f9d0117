"""Calendar arithmetic used by every rule that speaks of months, years or ages.

One convention everywhere: adding months keeps the day of the month, and where that day does not
exist in the target month it becomes the month's last day. So 31 August + 6 months is 28 February
(29 in a leap year), 29 February + 12 months is 28 February, and a child born on 29 February turns
10 on 28 February of a common year. Ages in whole years are therefore decided by calendar dates,
never by dividing days by 365.25, and never by reading a clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Final

__all__ = [
    "DAYS_PER_MONTH",
    "add_months",
    "add_years",
    "age_in_years",
    "birthday",
    "is_younger_than",
]

#: The days of one month of age: a year of 365.25 days over 12 months, 30.4375 days, the month
#: the CDC 2000 growth tables count ages in (P-WEIGHT-PLAUSIBLE).
DAYS_PER_MONTH: Final = 365.25 / 12


def add_months(start: dt.date, months: int) -> dt.date:
    """Return the date ``months`` calendar months after ``start`` (before it when negative).

    The day of the month is kept, or clamped to the last day of the target month.

    >>> add_months(dt.date(2025, 8, 31), 6)
    datetime.date(2026, 2, 28)
    >>> add_months(dt.date(2027, 8, 31), 6)
    datetime.date(2028, 2, 29)
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last_day))


def add_years(start: dt.date, years: int) -> dt.date:
    """Return the date ``years`` calendar years after ``start`` (29 February becomes 28)."""
    return add_months(start, 12 * years)


def birthday(birth_date: dt.date, years: int) -> dt.date:
    """Return the date on which someone born on ``birth_date`` turns ``years`` old."""
    return add_years(birth_date, years)


def is_younger_than(birth_date: dt.date, years: int, on: dt.date) -> bool:
    """Return whether someone born on ``birth_date`` is under ``years`` years old on ``on``.

    On the birthday itself the person is no longer younger: a fracture on the 10th birthday is
    not a fracture "before 10".
    """
    return on < birthday(birth_date, years)


def age_in_years(birth_date: dt.date, on: dt.date) -> int:
    """Return the age in completed calendar years on ``on``."""
    years = on.year - birth_date.year
    return years if on >= birthday(birth_date, years) else years - 1
