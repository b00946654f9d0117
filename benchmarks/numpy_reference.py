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
from plain_reference import weight_implausible

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


DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
NAT = np.datetime64("NaT", "D").astype(np.int64)


def add_months(dates: npt.NDArray[Any], months: Any) -> npt.NDArray[Any]:
    """Calendar months on integers (civil_from_days / days_from_civil), NaT kept."""
    days = dates.astype(np.int64)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    index = year * 12 + month - 1 + months
    year, month = index // 12, index % 12 + 1
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = np.minimum(day, DAYS_IN_MONTH[month - 1] + (leap & (month == 2)))
    year = year - (month <= 2)
    era = year // 400
    yoe = year - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    result = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    return np.where(days == NAT, NAT, result).astype("datetime64[D]")  # type: ignore[no-any-return]


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
        # P-FRESH: a lab of a first infusion undated or older than 90 days.
        "block_labs_not_fresh": in_scope
        & first
        & (c["undated_lab"] | (c["oldest_lab_date"] < today - np.timedelta64(90, "D"))),
    }
    # P-WEIGHT-PLAUSIBLE for the indicated rows, by the plain reference's check, row by row.
    implausible = np.zeros(len(birth), dtype=bool)
    for row in np.flatnonzero(indicated):
        height = float(c["height_cm"][row])
        implausible[row] = weight_implausible(
            {
                "birth": birth[row].astype("datetime64[D]").item(),
                "today": today[row].astype("datetime64[D]").item(),
                "sex": str(c["sex"][row]),
                "weight_kg": float(c["weight_kg"][row]),
                "height_cm": None if np.isnan(height) else height,
            }
        )
    out["block_weight_implausible"] = implausible
    blocked = np.logical_or.reduce([out[name] for name in out])
    with np.errstate(invalid="ignore", divide="ignore"):
        gfr = np.where(in_scope, 40.0 * c["height_cm"] / c["creatinine_umol_l"], np.nan)
    # P-FRESH: no zoledronic acid on a creatinine older than 12 months (undated: not refused).
    creatinine = c["creatinine_date"]
    zol = (np.rint(gfr / 0.001) > 90000) & (
        np.isnat(creatinine) | (creatinine >= add_months(today, -12))
    )
    # P-CI-PERMANENT: hypersensitivity or a known pregnancy: nothing planned, no drug.
    permanent = indicated & (c["bisphosphonate_hypersensitivity"] | c["pregnant"])
    # P-PAM-RENAL: no pamidronate below a GFR of 30: refused, nothing planned.
    refused = indicated & ~permanent & ~zol & (np.rint(gfr / 0.001) < 30000)
    status = np.where(
        ~in_scope,
        "out_of_scope",
        np.where(
            ~indicated,
            "not_indicated",
            np.where(
                permanent,
                "contraindicated",
                np.where(refused, "refused", np.where(blocked, "blocked", "ready")),
            ),
        ),
    )
    # P-DRUG-CONTINUITY: the drug given last while allowed (pamidronate is, where not refused).
    zol_given, pam_given = c["zoledronic_acid_given"], c["pamidronate_given"]
    last_zol, last_pam = c["last_zoledronic_acid_date"], c["last_pamidronate_date"]
    last_is_pam = (pam_given > 0) & ((zol_given == 0) | (last_pam > last_zol))
    drug_zol = zol & ~last_is_pam
    # The course of the indicated rows only, written into full columns.
    rows = np.flatnonzero(indicated & ~permanent & ~refused)
    size = len(birth)
    for index in range(1, 7):
        out[f"date_{index}"] = np.full(size, np.datetime64("NaT"), dtype="datetime64[D]")
        for name in (f"dose_{index}_mg", f"volume_{index}_ml", f"rate_{index}_ml_h"):
            out[name] = np.full(size, np.nan)
    z = drug_zol[rows]
    given = np.where(z, zol_given[rows], pam_given[rows])
    born, end_, today_ = birth[rows], end[rows], today[rows]
    # P-HIST-INTERVAL: the last given drug's own interval after its last infusion (zoledronic
    # acid 3 months after its first, 6 after later ones; pamidronate 3), counted from there
    # unless overdue.
    pam_last = last_is_pam[rows]
    last = np.where(pam_last, last_pam[rows], last_zol[rows])
    interval = np.where(pam_last | (zol_given[rows] == 1), 3, 6)
    from_last = ((zol_given + pam_given)[rows] > 0) & (add_months(last, interval) >= today_)
    # P-PAM-RENAL: at most 20 mg/h (200 ml/h) up to a GFR of 90, and with renal function unknown.
    limited = ~z & (np.isnan(gfr[rows]) | (np.rint(gfr[rows] / 0.001) <= 90000))
    number = given + 1
    base = np.where(from_last, last, today_)
    months = np.where(from_last, interval, 0)
    weight_mg = np.rint(c["weight_kg"][rows] * 1e6).astype(np.int64)
    two = add_months(born, 24)
    low = c["low_bone_turnover"][rows] | c["complication_after_infusion"][rows]
    immobile = c["prolonged_immobilisation"][rows]
    cap = np.where(z, ZOL_CAP, PAM_CAP)
    step = np.where(z, 10**8, 10**10)
    planned = np.ones(len(rows), dtype=bool)
    count = np.zeros(len(rows), dtype=np.int64)
    for index in range(1, 7):
        date = add_months(base, months)
        planned &= date < end_
        count += planned
        regular = np.where(z, np.where(low | (date < two), 2500, 5000), 200_000)
        one, two_ = number == 1, number == 2
        per_kg = np.where(
            z, np.where(one, 1250, np.where(two_, 2500, regular)), np.where(one, 100_000, 200_000)
        )
        limit = np.where(~z & one, cap // 2, cap)
        maximum = np.where(z, np.where(number <= 2, 2500, 5000), np.where(one, 100_000, 200_000))
        quarter = regular // 4
        hungry = (
            immobile
            & (number <= 2)
            & (np.minimum(quarter * weight_mg, cap // 4) < np.minimum(per_kg * weight_mg, limit))
        )
        per_kg = np.where(hungry, quarter, per_kg)
        limit = np.where(hungry, cap // 4, limit)
        bounded = np.minimum(
            np.minimum(per_kg * weight_mg, limit), np.minimum(cap, maximum * weight_mg)
        )
        steps = bounded // step
        volume = np.where(z, 50.0, steps * 1.0)
        out[f"date_{index}"][rows] = np.where(planned, date, np.datetime64("NaT"))
        out[f"dose_{index}_mg"][rows] = np.where(planned, steps / np.where(z, 1000, 10), np.nan)
        out[f"volume_{index}_ml"][rows] = np.where(planned, volume, np.nan)
        rate = np.where(z, 50.0, np.where(limited, np.minimum(volume / 4.0, 200.0), volume / 4.0))
        out[f"rate_{index}_ml_h"][rows] = np.where(planned, rate, np.nan)
        number = number + 1
        months = months + np.where(~z | (number == 2), 3, 6)
    infusions = np.zeros(size, dtype=np.int64)
    infusions[rows] = count
    out["status"] = status
    out["indicated"] = indicated
    out["zoledronic_acid_allowed"] = zol
    out["drug"] = np.where(
        indicated & ~permanent & ~refused,
        np.where(drug_zol, "zoledronic_acid", "pamidronate"),
        "",
    )
    out["infusions"] = infusions
    return out
