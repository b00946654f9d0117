"""The calendar arithmetic of :mod:`bisphos.dates` as the pediatric rules use it.

The convention itself (calendar months, calendar birthdays) lives in :mod:`bisphos.dates`.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from bisphos import dates

__all__ = ["add_months", "birthday", "is_younger_than"]

#: :func:`bisphos.dates.add_months`.
add_months: Final = dates.add_months
#: :func:`bisphos.dates.birthday`.
birthday: Final = dates.birthday


def is_younger_than(birth_date: dt.date, years: int, on: dt.date) -> bool:
    """:func:`bisphos.dates.is_younger_than`: ``on`` is before birthday number ``years``."""
    return on < birthday(birth_date, years)
