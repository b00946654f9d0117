"""Small histories for the audit's tests: one child, full labs, the infusions a test gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd

from bisphos.audit import judge_frame, judge_one_by_one

#: The labs of P-PRE-LABS, each a normal value in its kind's unit.
NORMAL_LABS = {
    "calcium_mmol_l": 2.4,
    "phosphate_mmol_l": 1.4,
    "alkaline_phosphatase_u_l": 250.0,
    "urea_mmol_l": 4.0,
    "creatinine_umol_l": 30.0,
    "albumin_g_l": 42.0,
    "vitamin_d_25oh_nmol_l": 80.0,
    "pth_pmol_l": 3.0,
}

Infusion = tuple[str, str, float, float, float]  # date, drug, dose_mg, volume_ml, duration_min
Measurement = tuple[str, str, float]  # date, kind, value


def zol(date: str, dose_mg: float, *, volume_ml: float = 50.0, minutes: float = 60.0) -> Infusion:
    return (date, "zoledronic_acid", dose_mg, volume_ml, minutes)


def pam(
    date: str, dose_mg: float, *, volume_ml: float | None = None, minutes: float = 240.0
) -> Infusion:
    return (date, "pamidronate", dose_mg, dose_mg * 10 if volume_ml is None else volume_ml, minutes)


def tables(
    infusions: Sequence[Infusion],
    *,
    weight_kg: float | None = 20.0,
    height_cm: float = 120.0,
    birth_date: str = "2012-06-15",
    diagnosis: str = "osteogenesis_imperfecta",
    measurements: Iterable[Measurement] = (),
    labs: dict[str, float] | None = None,
    labs_date: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One child: the weight and height measured on each infusion day, the labs on the first.

    The creatinine and calcium are measured on each later infusion day too; ``measurements``
    adds values, replacing the routine one of the same day and kind.
    """
    patients = pd.DataFrame(
        {
            "patient_id": ["p1"],
            "birth_date": [birth_date],
            "sex": ["female"],
            "diagnosis": [diagnosis],
        }
    )
    given = pd.DataFrame(
        [("p1", *infusion) for infusion in infusions],
        columns=["patient_id", "date", "drug", "dose_mg", "volume_ml", "duration_min"],
    )
    rows: list[tuple[str, str, str, float]] = []
    first = min(i[0] for i in infusions)
    for name, value in (NORMAL_LABS if labs is None else labs).items():
        rows.append(("p1", labs_date or first, name, value))
    for date in sorted({i[0] for i in infusions}):
        if weight_kg is not None:
            rows.append(("p1", date, "weight_kg", weight_kg))
        rows.append(("p1", date, "height_cm", height_cm))
        if date != first:
            rows.append(("p1", date, "creatinine_umol_l", NORMAL_LABS["creatinine_umol_l"]))
            rows.append(("p1", date, "calcium_mmol_l", NORMAL_LABS["calcium_mmol_l"]))
    # A value the test gives replaces the routine one of its day and kind.
    given_values = [("p1", date, kind, value) for date, kind, value in measurements]
    replaced = {(date, kind) for _, date, kind, _ in given_values}
    rows = [row for row in rows if (row[1], row[2]) not in replaced] + given_values
    measured = pd.DataFrame(rows, columns=["patient_id", "date", "kind", "value"])
    return patients, given, measured


def audit_both(
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> pd.DataFrame:
    """The columnar result, after checking the one-by-one path gives the same rows."""
    columnar = judge_frame(*frames)
    one_by_one = judge_one_by_one(frames)
    pd.testing.assert_frame_equal(columnar, one_by_one)
    return columnar


def found(frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], row: int = -1) -> set[str]:
    """The deviation codes of one row (the last by default)."""
    text = str(audit_both(frames)["deviations"].iloc[row])
    return set(filter(None, text.split(";")))


def later(date: str, days: int) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()
