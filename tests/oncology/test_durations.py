"""Durations in the unit a clinician uses (O-SRE-OTHER, O-INTERVAL, O-LABEL)."""

from __future__ import annotations

import pytest

from bisphos.i18n import show
from bisphos.oncology.durations import clinical_duration
from bisphos.units import quantity


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (15.0, "min", "15 min"),
        (4.5, "h", "4.5 h"),
        (1461.0, "h", "2 months"),  # the life expectancy once shown as "1461.0 h"
        (28.0, "day", "4 weeks"),
        (1.0, "day", "1 day"),
        (10.0, "day", "10 days"),
        (3.0, "month", "3 months"),
        (366.0, "day", "12 months"),
    ],
)
def test_clinical_duration(value: float, unit: str, shown: str) -> None:
    """O-SRE-OTHER, O-INTERVAL: minutes, hours, days, whole weeks, months — never hours for a
    life expectancy."""
    assert show(clinical_duration(quantity(value, unit)), "en") == shown
