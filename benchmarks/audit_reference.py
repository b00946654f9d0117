"""The audit's checks in bare numpy: the baseline of the audit benchmark.

The same checks as ``bisphos.audit.judge_frame`` on the same three tables, written directly:
the numbers as literals, no checks of the input, no library code; the tables are taken as the
generator gives them (sorted by patient, date and drug; measurements by patient, kind and date).
It gives the deviation codes, the verdict, the weight and the intervals of every administration;
the benchmark asserts they are the library's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy_reference import add_months

Array = npt.NDArray[Any]

CODES = (
    "zoledronic-acid-over-cap",
    "pamidronate-over-cap",
    "zoledronic-acid-first-over-per-kg",
    "zoledronic-acid-over-per-kg",
    "pamidronate-first-over-per-kg",
    "pamidronate-over-per-kg",
    "pamidronate-first-over-half-cap",
    "zoledronic-acid-day-over-per-kg",
    "pamidronate-day-over-per-kg",
    "zoledronic-acid-too-fast",
    "pamidronate-too-concentrated",
    "pamidronate-too-fast",
    "pamidronate-too-fast-renal",
    "pamidronate-gfr-too-low",
    "zoledronic-acid-gfr-too-low",
    "creatinine-not-fresh",
    "after-19th-birthday",
    "interval-too-short",
    "hypocalcaemia",
    "fever",
    "vitamin-d-deficient",
    "first-labs-missing",
    "not-indicated",
)
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


def _starts(*keys: Array) -> Array:
    change = np.zeros(keys[0].size, dtype=bool)
    change[0:1] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return change


def _first(starts: Array) -> Array:
    return np.maximum.accumulate(np.where(starts, np.arange(starts.size), 0))  # type: ignore[no-any-return]


def audit(  # noqa: PLR0915 - one straight computation, as numpy_reference.plan
    patients: pd.DataFrame, given: pd.DataFrame, measured: pd.DataFrame
) -> pd.DataFrame:
    """The deviations, verdict, weight and intervals of every administration."""
    index = pd.Index(patients["patient_id"].to_numpy(dtype=object))
    code = index.get_indexer(given["patient_id"].to_numpy(dtype=object))
    mcode = index.get_indexer(measured["patient_id"].to_numpy(dtype=object))
    n = code.size
    day = given["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    zol = given["drug"].to_numpy(dtype=object) == "zoledronic_acid"
    pam = ~zol
    dose = np.rint(given["dose_mg"].to_numpy() * 1e6).astype(np.int64) * 10**5  # 1e-11 mg
    volume = np.rint(given["volume_ml"].to_numpy() * 1e6).astype(np.int64)  # 1e-6 ml
    minutes = np.rint(given["duration_min"].to_numpy() * 1e6).astype(np.int64)  # 1e-6 min
    birth = patients["birth_date"].to_numpy().astype("datetime64[D]").astype(np.int64)[code]
    other = (patients["diagnosis"].to_numpy(dtype=object) == "other")[code]

    number = np.arange(n) - _first(_starts(code)) + 1
    order = np.lexsort((np.arange(n), zol, code))
    drug_number = np.empty(n, dtype=np.int64)
    drug_number[order] = np.arange(n) - _first(_starts(code[order], zol[order])) + 1
    first = np.where(zol, drug_number <= 2, drug_number == 1)

    mday = measured["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    kind = measured["kind"].to_numpy(dtype=object)
    mvalue = measured["value"].to_numpy(dtype=np.float64)
    wanted = code * (1 << 22) + day + (1 << 21)

    def latest(name: str) -> tuple[Array, Array]:
        rows = np.flatnonzero(kind == name)
        keys = mcode[rows] * (1 << 22) + mday[rows] + (1 << 21)
        at = np.searchsorted(keys, wanted, side="right") - 1
        hit = rows[np.maximum(at, 0)]
        found = (at >= 0) & (mcode[hit] == code)
        return np.where(found, mvalue[hit], np.nan), np.where(found, mday[hit], -1)

    weight, weighed = latest("weight_kg")
    height, _ = latest("height_cm")
    creatinine, creatinine_day = latest("creatinine_umol_l")
    has_weight = ~np.isnan(weight)
    weight_mg = np.rint(np.nan_to_num(weight) * 1e6).astype(np.int64)
    flags = {}

    maximum = np.where(zol, np.where(first, 2500, 5000), np.where(first, 100000, 200000))
    over = has_weight & (dose > maximum * weight_mg)
    flags["zoledronic-acid-first-over-per-kg"] = over & zol & first
    flags["zoledronic-acid-over-per-kg"] = over & zol & ~first
    flags["pamidronate-first-over-per-kg"] = over & pam & first
    flags["pamidronate-over-per-kg"] = over & pam & ~first
    flags["pamidronate-first-over-half-cap"] = pam & first & (dose > 45 * 10**11)
    running = np.cumsum(dose)
    day_first = _first(_starts(code, day, zol))
    day_total = running - running[day_first] + dose[day_first]
    cap = np.where(zol, 4 * 10**11, 90 * 10**11)
    flags["zoledronic-acid-over-cap"] = zol & (day_total > cap)
    flags["pamidronate-over-cap"] = pam & (day_total > cap)
    highest = np.where(zol, 5000, 200000)
    several = has_weight & (day_total > dose) & (day_total > highest * weight_mg)
    flags["zoledronic-acid-day-over-per-kg"] = zol & several
    flags["pamidronate-day-over-per-kg"] = pam & several

    flags["zoledronic-acid-too-fast"] = zol & (minutes < 15 * 10**6)
    flags["pamidronate-too-concentrated"] = pam & (dose > 36000 * volume)
    per_hour = dose * 60
    flags["pamidronate-too-fast"] = pam & (per_hour > 6000000 * minutes)
    with np.errstate(invalid="ignore", divide="ignore"):
        gfr = 40.0 * height / creatinine
    steps = np.rint(gfr / 0.001)
    known = ~np.isnan(gfr)
    flags["pamidronate-too-fast-renal"] = (
        pam & (~known | (steps <= 90000)) & (per_hour > 2000000 * minutes)
    )
    flags["pamidronate-gfr-too-low"] = pam & known & (steps < 30000)
    flags["zoledronic-acid-gfr-too-low"] = zol & ~(known & (steps > 90000))
    year_ago = add_months(day.astype("datetime64[D]"), -12).astype(np.int64)
    flags["creatinine-not-fresh"] = zol & ~np.isnan(creatinine) & (creatinine_day < year_ago)

    scope_end = add_months(birth.astype("datetime64[D]"), 19 * 12).astype(np.int64)
    flags["after-19th-birthday"] = day >= scope_end
    previous = np.maximum(np.arange(n) - 1, 0)
    months = np.where(zol[previous] & (drug_number[previous] != 1), 6, 3)
    earliest = add_months(day[previous].astype("datetime64[D]"), months).astype(np.int64)
    has_previous = number > 1
    flags["interval-too-short"] = has_previous & (day < earliest)

    calcium, calcium_day = latest("calcium_mmol_l")
    flags["hypocalcaemia"] = (
        ~np.isnan(calcium) & (calcium_day >= day - 90) & (np.rint(calcium / 0.001) < 2200)
    )
    temperature, measured_day = latest("temperature_c")
    flags["fever"] = (
        ~np.isnan(temperature) & (measured_day == day) & (np.rint(temperature / 0.001) > 38500)
    )
    is_first = number == 1
    missing = np.zeros(n, dtype=bool)
    for name in LABS:
        value, when = latest(name)
        fresh = ~np.isnan(value) & (when >= day - 90)
        missing |= ~fresh
        if name == "vitamin_d_25oh_nmol_l":
            flags["vitamin-d-deficient"] = is_first & fresh & (np.rint(value / 0.001) < 50000)
    flags["first-labs-missing"] = is_first & missing
    flags["not-indicated"] = other

    mask = np.zeros(n, dtype=np.int64)
    for bit, name in enumerate(CODES):
        mask |= np.where(flags[name], 1 << bit, 0)
    unassessed = np.where(~has_weight, 2, np.where(weighed < day - 30, 1, 0))
    unique, inverse = np.unique(mask, return_inverse=True)
    names = np.array(
        [";".join(sorted(c for b, c in enumerate(CODES) if m >> b & 1)) for m in unique.tolist()],
        dtype=object,
    )
    return pd.DataFrame(
        {
            "deviations": names[inverse],
            "verdict": np.where(
                mask != 0, "deviation", np.where(unassessed != 0, "not_assessable", "ok")
            ),
            "unassessed": np.array(["", "weight-not-fresh", "weight-missing"], dtype=object)[
                unassessed
            ],
            "weight_kg": weight,
            "interval_days": np.where(has_previous, day - day[previous], np.nan),
            "min_interval_days": np.where(has_previous, earliest - day[previous], np.nan),
        }
    )
