"""Calendar arithmetic: month ends, leap years, birthdays."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.dates import add_months, add_years, age_in_years, birthday, is_younger_than

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2025, 12, 31), 3, D(2026, 3, 31)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2025, 5, 31), 1, D(2025, 6, 30)),
        (D(2025, 1, 15), -1, D(2024, 12, 15)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2025, 1, 1), 0, D(2025, 1, 1)),
    ],
)
def test_add_months_keeps_or_clamps_the_day(start: D, months: int, expected: D) -> None:
    assert add_months(start, months) == expected


def test_leap_day_birthday_falls_on_28_february() -> None:
    assert birthday(D(2016, 2, 29), 10) == D(2026, 2, 28)
    assert not is_younger_than(D(2016, 2, 29), 10, D(2026, 2, 28))
    assert is_younger_than(D(2016, 2, 29), 10, D(2026, 2, 27))


def test_on_the_birthday_one_is_no_longer_younger() -> None:
    assert is_younger_than(D(2016, 6, 1), 10, D(2026, 5, 31))
    assert not is_younger_than(D(2016, 6, 1), 10, D(2026, 6, 1))


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 1, 1)), st.integers(-600, 600))
def test_add_months_moves_exactly_that_many_calendar_months(start: D, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or result.day < start.day == min(start.day, 31)


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2060, 1, 1)), st.integers(0, 40))
def test_age_in_years_agrees_with_birthdays(birth: D, years: int) -> None:
    day = add_years(birth, years)
    assert age_in_years(birth, day) == years
    assert age_in_years(birth, day - dt.timedelta(days=1)) == years - 1 or years == 0
