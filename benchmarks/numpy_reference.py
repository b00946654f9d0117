"""The national plan over columns in bare numpy: the baseline of the batch figure.

The same arithmetic as ``bisphos.batch.plan_columns`` on the same input columns, written
directly: no checks of the input, no library constants, no fallback. It must give the same
output columns (the benchmark compares them); the ratio of the two times is what the library's
own work costs (plausibility checks, output assembly).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Columns = dict[str, npt.NDArray[Any]]
LABS = (
    "calcium_mmol_l",
    "phosphate_mmol_l",
    "alkaline_phosphatase_u_l",
    "urea_mmol_l",
    "creatinine_umol_l",
    "albumin_g_l",
    "vitamin_d_25oh_nmol_l",
    "pth_pmol_l",
)
ZOL_CAP, PAM_CAP = 4 * 10**11, 90 * 10**11  # in 1e-11 mg


def add_months(dates: npt.NDArray[Any], months: Any) -> npt.NDArray[Any]:
    month = dates.astype("datetime64[M]")
    day = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    first = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - first).astype(np.int64)
    return first + np.minimum(day, length - 1)  # type: ignore[no-any-return]


def plan(c: Columns) -> Columns:  # noqa: PLR0915 - one straight computation
    birth, today = c["birth_date"], c["assessment_date"]
    end = add_months(birth, 228)
    in_scope = today < end
    condition = c["diagnosis"] == "other"
    reduced = np.rint(c["lowest_bmd_z"] / 0.001) <= -2000
    vertebral = c["vertebral_fractures"] >= 1
    history = (
        vertebral
        | (c["long_bone_fractures_before_10"] >= 2)
        | (c["long_bone_fractures_before_19"] >= 3)
    )
    criteria = ~(vertebral | (history & reduced))
    gene, recovery = c["excluded_gene_variant"], c["expected_spontaneous_recovery"]
    indicated = in_scope & ~(condition | gene | recovery | criteria)
    first = (c["zoledronic_acid_given"] + c["pamidronate_given"]) == 0
    missing = np.zeros(len(birth), dtype=bool)
    for name in LABS:
        missing |= np.isnan(c[name])
    out: Columns = {
        "block_out_of_scope": ~in_scope,
        "block_not_indicated_condition": in_scope & condition,
        "block_not_indicated_gene": in_scope & gene,
        "block_not_indicated_recovery": in_scope & recovery,
        "block_not_indicated_criteria": in_scope & criteria,
        "block_fever": in_scope & (np.rint(c["temperature_c"] / 0.001) > 38500),
        "block_hypocalcaemia": in_scope & (np.rint(c["calcium_mmol_l"] / 0.001) < 2200),
        "block_hypersensitivity": in_scope & c["bisphosphonate_hypersensitivity"],
        "block_pregnancy": in_scope & c["pregnant"],
        "block_labs_missing": in_scope & first & missing,
        "block_vitamin_d_deficient": in_scope
        & first
        & (np.rint(c["vitamin_d_25oh_nmol_l"] / 0.001) < 50000),
    }
    blocked = np.logical_or.reduce([out[name] for name in out])
    with np.errstate(invalid="ignore", divide="ignore"):
        gfr = np.where(in_scope, 40.0 * c["height_cm"] / c["creatinine_umol_l"], np.nan)
    zol = np.rint(gfr / 0.001) > 90000
    status = np.where(
        ~in_scope,
        "out_of_scope",
        np.where(~indicated, "not_indicated", np.where(blocked, "blocked", "ready")),
    )
    given = np.where(zol, c["zoledronic_acid_given"], c["pamidronate_given"])
    last = np.where(zol, c["last_zoledronic_acid_date"], c["last_pamidronate_date"])
    number = given + 1
    interval = np.where(~zol | (number == 2), 3, 6)
    from_last = (given > 0) & (add_months(last, interval) >= today)
    base = np.where(from_last, last, today)
    months = np.where(from_last, interval, 0)
    weight_mg = np.rint(c["weight_kg"] * 1e6).astype(np.int64)
    two = add_months(birth, 24)
    low = c["low_bone_turnover"] | c["complication_after_infusion"]
    immobile = c["prolonged_immobilisation"]
    cap = np.where(zol, ZOL_CAP, PAM_CAP)
    step = np.where(zol, 10**8, 10**10)
    planned = indicated.copy()
    count = np.zeros(len(birth), dtype=np.int64)
    for index in range(1, 7):
        date = add_months(base, months)
        planned &= date < end
        count += planned
        regular = np.where(zol, np.where(low | (date < two), 2500, 5000), 200_000)
        one, two_ = number == 1, number == 2
        per_kg = np.where(
            zol,
            np.where(one, 1250, np.where(two_, 2500, regular)),
            np.where(one, 100_000, 200_000),
        )
        limit = np.where(~zol & one, cap // 2, cap)
        maximum = np.where(
            zol, np.where(number <= 2, 2500, 5000), np.where(one, 100_000, 200_000)
        )
        quarter = regular // 4
        hungry = (
            immobile
            & (number <= 2)
            & (np.minimum(quarter * weight_mg, cap // 4) < np.minimum(per_kg * weight_mg, limit))
        )
        per_kg = np.where(hungry, quarter, per_kg)
        limit = np.where(hungry, cap // 4, limit)
        bounded = np.minimum(np.minimum(per_kg * weight_mg, limit), np.minimum(cap, maximum * weight_mg))
        steps = bounded // step
        dose = steps / np.where(zol, 1000, 10)
        volume = np.where(zol, 50.0, steps * 1.0)
        rate = np.where(zol, 50.0, volume / 4.0)
        out[f"date_{index}"] = np.where(planned, date, np.datetime64("NaT"))
        out[f"dose_{index}_mg"] = np.where(planned, dose, np.nan)
        out[f"volume_{index}_ml"] = np.where(planned, volume, np.nan)
        out[f"rate_{index}_ml_h"] = np.where(planned, rate, np.nan)
        number = number + 1
        months = months + np.where(~zol | (number == 2), 3, 6)
    out["status"] = status
    out["indicated"] = indicated
    out["zoledronic_acid_allowed"] = zol
    out["drug"] = np.where(indicated, np.where(zol, "zoledronic_acid", "pamidronate"), "")
    out["infusions"] = count
    return out
