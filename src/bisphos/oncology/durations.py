"""Durations in the unit a clinician uses: minutes, hours, days, weeks or months.

Quantities of time are stored in the registry's canonical hour; nobody reads "1461.0 h" as a life
expectancy. :func:`clinical_duration` returns the same duration in the unit a clinician would
write: an infusion in minutes or hours, an interval in days or whole weeks, anything from about
eight weeks on in months (a month being the registry's twelfth of a Julian year). Display only:
no rule compares the result.
"""

from __future__ import annotations

from typing import Final

from bisphos.units import Quantity, ureg

__all__ = ["clinical_duration"]

_HOURS_PER_DAY: Final = 24.0
_DAYS_PER_WEEK: Final = 7.0
#: Up to this many days a duration of whole weeks is shown in weeks.
_WEEKS_UP_TO_DAYS: Final = 84.0
#: Below this many days a duration that is not whole weeks is shown in days; from it, in months.
_DAYS_UP_TO: Final = 56.0
_DECIMALS: Final = 6


def _round(value: float) -> float:
    # Conversions leave float noise (2 months = 1460.9999999 h); a display needs none of it.
    return round(value, _DECIMALS) + 0.0


def clinical_duration(value: Quantity) -> Quantity:
    """Return ``value`` in minutes, hours, days, weeks or months, as a clinician writes it.

    Below an hour: minutes; below a day: hours; whole weeks up to 12 weeks; other durations below
    8 weeks in days; the rest in months, to a tenth: ``clinical_duration(quantity(1461.0, "h"))``
    is 2.0 months.
    """
    hours = float(value.m_as("hour"))
    if hours < 1.0:
        return ureg.Quantity(_round(hours * 60.0), "minute")
    if hours < _HOURS_PER_DAY:
        return ureg.Quantity(_round(hours), "hour")
    days = hours / _HOURS_PER_DAY
    weeks = _round(days / _DAYS_PER_WEEK)
    if days <= _WEEKS_UP_TO_DAYS and weeks.is_integer():
        return ureg.Quantity(weeks, "week")
    if days < _DAYS_UP_TO:
        return ureg.Quantity(_round(days), "day")
    # A tenth of a month (three days) is as fine as a clinician counts months.
    return ureg.Quantity(round(float(value.m_as("month")), 1) + 0.0, "month")
