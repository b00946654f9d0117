"""Course dates across month ends and leap years: P-ZOL-FIRST, P-ZOL-FREQ, P-PAM-FREQ,
P-MAINT-MID and P-MAINT-HIGH, with months counted by ``dates.add_months``."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.dates import add_months
from bisphos.model import Drug
from bisphos.pediatric.dosing import MaintenanceBand
from bisphos.pediatric.schedule import Horizon, interval_before, plan_course
from tests.pediatric._dosing_helpers import child
from tests.pediatric._dosing_helpers import given as given_infusion

ZOL = Drug.ZOLEDRONIC_ACID
PAM = Drug.PAMIDRONATE
D = dt.date


def dates_of(drug: Drug, start: dt.date, **kwargs: object) -> list[dt.date]:
    patient = child(20, born=D(2015, 1, 10), assessed=start)
    course = plan_course(patient, drug, **kwargs)  # type: ignore[arg-type]
    return [planned.date for planned in course.infusions]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (
            D(2025, 8, 31),
            [D(2025, 8, 31), D(2025, 11, 30), D(2026, 5, 31), D(2026, 11, 30), D(2027, 5, 31)],
        ),
        (
            D(2028, 2, 29),
            [D(2028, 2, 29), D(2028, 5, 29), D(2028, 11, 29), D(2029, 5, 29), D(2029, 11, 29)],
        ),
        (
            D(2025, 12, 31),
            [D(2025, 12, 31), D(2026, 3, 31), D(2026, 9, 30), D(2027, 3, 31), D(2027, 9, 30)],
        ),
    ],
)
def test_zoledronic_dates_month_ends(start: dt.date, expected: list[dt.date]) -> None:
    """P-ZOL-FIRST: second after 3 months; P-ZOL-FREQ: then every 6; month ends are clamped
    without drift (31 Aug → 30 Nov → 31 May)."""
    assert dates_of(ZOL, start, horizon=Horizon(infusions=5)) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (
            D(2025, 8, 31),
            [D(2025, 8, 31), D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 31), D(2026, 8, 31)],
        ),
        (
            D(2027, 8, 31),
            [D(2027, 8, 31), D(2027, 11, 30), D(2028, 2, 29), D(2028, 5, 31), D(2028, 8, 31)],
        ),
        (
            D(2028, 2, 29),
            [D(2028, 2, 29), D(2028, 5, 29), D(2028, 8, 29), D(2028, 11, 29), D(2029, 2, 28)],
        ),
        (
            D(2025, 12, 31),
            [D(2025, 12, 31), D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30), D(2026, 12, 31)],
        ),
    ],
)
def test_pamidronate_dates_month_ends_and_leap_years(
    start: dt.date, expected: list[dt.date]
) -> None:
    """P-PAM-FREQ: every 3 months; 31 Aug + 6 months = 28 Feb (29 Feb in 2028)."""
    assert dates_of(PAM, start, horizon=Horizon(infusions=5)) == expected


def test_maintenance_high_from_29_february_history() -> None:
    """P-MAINT-HIGH: every 12 months, counted from 29 Feb 2024: 28 Feb 2025, 2026, 2027,
    then 29 Feb 2028."""
    history = [given_infusion(ZOL, D(2024, 2, 29), 0.5)]
    patient = child(20, born=D(2015, 1, 10), assessed=D(2024, 6, 1), infusions=history)
    course = plan_course(patient, ZOL, band=MaintenanceBand.HIGH, horizon=Horizon(infusions=4))
    assert [p.date for p in course.infusions] == [
        D(2025, 2, 28),
        D(2026, 2, 28),
        D(2027, 2, 28),
        D(2028, 2, 29),
    ]
    assert all("P-MAINT-HIGH" in p.rule_ids for p in course.infusions)


def test_maintenance_mid_every_6_months_from_31_august() -> None:
    """P-MAINT-MID: every 6 months from 31 Aug 2025: 28 Feb, 31 Aug, 28 Feb, 31 Aug."""
    history = [given_infusion(PAM, D(2025, 8, 31), 40)]
    patient = child(20, born=D(2015, 1, 10), assessed=D(2025, 9, 1), infusions=history)
    course = plan_course(patient, PAM, band=MaintenanceBand.MID, horizon=Horizon(infusions=4))
    assert [p.date for p in course.infusions] == [
        D(2026, 2, 28),
        D(2026, 8, 31),
        D(2027, 2, 28),
        D(2027, 8, 31),
    ]


def test_until_horizon_is_inclusive() -> None:
    """P-PAM-FREQ: with an end date, infusions up to and including it."""
    dates = dates_of(PAM, D(2026, 1, 15), horizon=Horizon(infusions=None, until=D(2026, 10, 15)))
    assert dates == [D(2026, 1, 15), D(2026, 4, 15), D(2026, 7, 15), D(2026, 10, 15)]


@st.composite
def starts(draw: st.DrawFn) -> dt.date:
    return draw(st.dates(min_value=D(2024, 1, 1), max_value=D(2031, 12, 31)))


@given(starts(), st.sampled_from(Drug), st.sampled_from([None, *MaintenanceBand]))
def test_course_intervals_match_the_rules(
    start: dt.date, drug: Drug, band: MaintenanceBand | None
) -> None:
    """P-ZOL-FIRST, P-ZOL-FREQ, P-PAM-FREQ, P-MAINT-MID, P-MAINT-HIGH: every planned date is
    the start plus the running total of the rule intervals, by add_months; dates strictly
    increase and each names its interval rule."""
    patient = child(20, born=D(2016, 1, 1), assessed=start)
    course = plan_course(patient, drug, band=band, horizon=Horizon(infusions=4))
    months = 0
    for planned in course.infusions:
        if planned.number > 1:
            interval = interval_before(drug, planned.number, band)
            months += interval.months
            assert interval.rule_id in planned.rule_ids
        assert planned.date == add_months(start, months)
    dates = [p.date for p in course.infusions]
    assert dates == sorted(set(dates))
