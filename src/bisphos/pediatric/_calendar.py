"""The calendar arithmetic of :mod:`bisphos.dates`, remembered for the pediatric rules.

A plan asks the same questions of the calendar many times — the 2nd, 10th and 19th birthdays,
the same month counts from the same dates — so the answers of :func:`bisphos.dates.birthday` and
:func:`bisphos.dates.add_months` are kept. The convention itself stays in :mod:`bisphos.dates`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Final

from bisphos import dates

__all__ = ["add_months", "birthday", "is_younger_than"]

#: :func:`bisphos.dates.add_months`, remembered.
add_months: Final = lru_cache(maxsize=8192)(dates.add_months)
#: :func:`bisphos.dates.birthday`, remembered.
birthday: Final = lru_cache(maxsize=8192)(dates.birthday)


def is_younger_than(birth_date: dt.date, years: int, on: dt.date) -> bool:
    """:func:`bisphos.dates.is_younger_than`: ``on`` is before birthday number ``years``."""
    return on < birthday(birth_date, years)
