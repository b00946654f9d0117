"""Small verdict tables written by hand, in the audit's columns, for the report's tests."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from bisphos.audit.report import VERDICT_COLUMNS

NAN = math.nan


def row(
    patient_id: str,
    date: dt.date,
    drug: str,
    dose_mg: float,
    weight_kg: float,
    *,
    limit_mg_per_kg: float,
    interval_days: float = NAN,
    verdict: str = "ok",
    rule_ids: str = "",
) -> dict[str, Any]:
    """One administration's verdict row; the derived columns computed as the audit does."""
    zoledronic = drug == "zoledronic_acid"
    return {
        "patient_id": patient_id,
        "date": date,
        "year": date.year,
        "drug": drug,
        "dose_mg": dose_mg,
        "volume_ml": 100.0 if zoledronic else dose_mg * 10,
        "duration_min": 60.0 if zoledronic else 240.0,
        "weight_kg": weight_kg,
        "dose_mg_per_kg": dose_mg / weight_kg if not math.isnan(weight_kg) else NAN,
        "limit_mg_per_kg": limit_mg_per_kg,
        "cap_mg": 4.0 if zoledronic else 90.0,
        "interval_days": interval_days,
        "min_interval_days": NAN if math.isnan(interval_days) else 91.0,
        "verdict": verdict,
        "rule_ids": rule_ids,
    }


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The verdict table of ``rows``, its columns in the contract's order."""
    return pd.DataFrame(rows, columns=list(VERDICT_COLUMNS))


def five() -> pd.DataFrame:
    """Three patients, five administrations: two ok, two deviations, one not assessable."""
    zoledronic, pamidronate = "zoledronic_acid", "pamidronate"
    return frame(
        [
            row("p1", dt.date(2023, 1, 10), zoledronic, 0.5, 20.0, limit_mg_per_kg=0.025),
            row(
                "p1",
                dt.date(2023, 3, 1),
                zoledronic,
                0.5,
                20.0,
                limit_mg_per_kg=0.025,
                interval_days=50.0,
                verdict="deviation",
                rule_ids="P-HIST-INTERVAL",
            ),
            row("p2", dt.date(2024, 2, 5), pamidronate, 30.0, 30.0, limit_mg_per_kg=1.0),
            row(
                "p2",
                dt.date(2024, 5, 20),
                pamidronate,
                95.0,
                40.0,
                limit_mg_per_kg=2.0,
                interval_days=105.0,
                verdict="deviation",
                rule_ids="P-HARD;P-PAM-CAP",
            ),
            row(
                "p3",
                dt.date(2024, 7, 1),
                zoledronic,
                0.3,
                NAN,
                limit_mg_per_kg=0.025,
                verdict="not_assessable",
                rule_ids="P-FRESH",
            ),
        ]
    )
