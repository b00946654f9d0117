"""A reference patient for the decision tests, changed one field at a time.

The reference is a 9-year-old boy with osteogenesis imperfecta, a vertebral compression fracture,
a reduced lumbar spine Z-score, every P-PRE-LABS value normal and dated 14 days before (P-FRESH),
normal vitals and no infusion yet: indicated and cleared for a first infusion of either drug
(Schwartz GFR 40 x 125 / 40 = 125).
"""

from __future__ import annotations

import copy
from typing import Any

from bisphos.io import patient_from_dict
from bisphos.model import Patient

LAB_DATE = "2026-02-16"

REFERENCE: dict[str, Any] = {
    "patient_id": "reference",
    "birth_date": "2016-05-10",
    "assessment_date": "2026-03-02",
    "sex": "male",
    "weight": "25 kg",
    "height": "125 cm",
    "diagnosis": "osteogenesis_imperfecta",
    "fractures": [{"site": "vertebral_compression", "trauma": "minimal", "date": "2025-11-03"}],
    "bmd": [
        {"site": "lumbar_spine", "z_score": -2.5, "date": "2026-01-20"},
        {"site": "total_body_less_head", "z_score": -2.1, "date": "2026-01-20"},
    ],
    "labs": {
        "calcium": "2.40 mmol/L",
        "phosphate": "1.40 mmol/L",
        "alkaline_phosphatase": "250 U/L",
        "urea": "4.0 mmol/L",
        "creatinine": "40 umol/L",
        "albumin": "42 g/L",
        "vitamin_d_25oh": "70 nmol/L",
        "pth": {"value": "4.0 pmol/L", "upper_limit": "7.0 pmol/L"},
    },
    "vitals": {
        "temperature": "36.8 degC",
        "heart_rate": "90 /min",
        "systolic_bp": "100 mmHg",
        "diastolic_bp": "60 mmHg",
    },
    "baseline_vitals": {
        "temperature": "36.8 degC",
        "heart_rate": "100 /min",
        "systolic_bp": "100 mmHg",
        "diastolic_bp": "60 mmHg",
    },
}

#: An infusion history entry: with it, the assessment is not for the first infusion.
EARLIER_INFUSION: dict[str, Any] = {
    "drug": "zoledronic_acid",
    "date": "2025-12-01",
    "dose": "0.3 mg",
}


def patient_data(**changes: Any) -> dict[str, Any]:
    """Return the reference data with ``changes``; ``a__b=v`` sets ``data[a][b]``, None removes."""
    data = copy.deepcopy(REFERENCE)
    for key, value in changes.items():
        *parents, last = key.split("__")
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    # P-FRESH: a lab given as a bare value is dated LAB_DATE, 14 days before the assessment.
    labs = data.get("labs")
    if isinstance(labs, dict):
        for name, value in labs.items():
            if isinstance(value, str):
                labs[name] = {"value": value, "date": LAB_DATE}
            elif isinstance(value, dict) and "date" not in value:
                labs[name] = {**value, "date": LAB_DATE}
    return data


def patient(**changes: Any) -> Patient:
    """Return the reference patient with ``changes`` (see :func:`patient_data`)."""
    return patient_from_dict(patient_data(**changes))


def later(**changes: Any) -> Patient:
    """Return the reference patient with one infusion already given, and ``changes``."""
    return patient(infusions=[EARLIER_INFUSION], **changes)
