"""A default adult patient for the oncology tests, changed per test with keyword overrides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bisphos.oncology.patient import AdultPatient
from bisphos.units import Quantity, quantity

#: The assessment date of every default patient.
TODAY = dt.date(2024, 5, 1)


def adult(**overrides: Any) -> AdultPatient:
    """Return a 64-year-old woman of 70 kg with breast cancer bone metastases, changed as given.

    Her creatinine of 80 µmol/l gives a Cockcroft-Gault clearance of
    (140 - 64) x 70 x 0.85 / (72 x 80 / 88.4) = 69.40 ml/min (zoledronic acid 4 mg, full dose).
    """
    values: dict[str, Any] = {
        "birth_date": dt.date(1960, 1, 15),
        "assessment_date": TODAY,
        "sex": "female",
        "weight": quantity(70.0, "kg"),
        "setting": "bone_metastases",
        "tumour": "breast",
        "serum_creatinine": quantity(80.0, "umol/L"),
        "dental_evaluation_done": True,
    }
    values.update(overrides)
    return AdultPatient(**values)


def count(value: float) -> Quantity:
    """Return a blood count in 10^9/l."""
    return quantity(value, "ten_to_the_9 / liter")
