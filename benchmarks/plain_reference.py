"""The plan of the pediatric protocol in plain Python: the baseline every figure is a ratio to.

Floats, ints, dicts, tuples and ``datetime`` only — no Pint, no attrs, no findings, no evidence,
no rule ids, no checks of the input. It computes what a plan decides for dosing: scope (P-SCOPE-1),
indication (P-IND-*, P-FX-*, P-BMD), the blocks of today's infusion (P-CI-*, P-PRE-LABS,
P-PRE-VITD), the GFR gate (P-GFR), the drug, and the course: the dose, volume, rate and date of
every planned infusion (P-ZOL-*, P-PAM-*, P-HUNGRY, hard limits rounded down).

Doses are computed exactly on integers: a dose in units of 1e-11 mg is a dose per kg in units of
1e-5 mg/kg times the weight in mg, which is what the library's decimal arithmetic gives.

A patient is a plain dict (see :func:`population.plain_patient`); the result is a plain dict with
the same content as ``bisphos.batch.summarise(plan)``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

Plain = dict[str, Any]

_LABS = (
    "calcium",
    "phosphate",
    "alkaline_phosphatase",
    "urea",
    "creatinine",
    "albumin",
    "vitamin_d_25oh",
    "pth",
)
_INDICATED = {
    "osteogenesis_imperfecta",
    "primary_osteoporosis",
    "idiopathic_juvenile_osteoporosis",
    "secondary_corticosteroids",
    "secondary_immobility",
    "secondary_intestinal_failure",
    "secondary_other",
}

# Dose arithmetic on integers: per kg in 1e-5 mg/kg, weights in mg, doses in 1e-11 mg.
_MG = 10**11
_ZOL_CAP = 4 * _MG
_PAM_CAP = 90 * _MG
_ZOL_STEP = _MG // 1000  # 0.001 mg
_PAM_STEP = _MG // 10  # 0.1 mg


def add_months(start: dt.date, months: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def younger(birth: dt.date, years: int, on: dt.date) -> bool:
    return on < add_months(birth, 12 * years)


def steps(value: float) -> int:
    """Thresholds compare whole steps of 0.001 of the canonical unit."""
    return round(value / 0.001)


def _fracture_before(fracture: tuple[Any, ...], birth: dt.date, years: int) -> bool:
    _site, _trauma, date, age_years = fracture
    if date is not None:
        return younger(birth, years, date)
    return steps(age_years) < steps(float(years))


def fracture_counts(p: Plain) -> tuple[int, int, int]:
    """Vertebral (P-FX-a), long-bone before 10 (P-FX-b) and before 19 (P-FX-c) fractures."""
    vertebral = before_10 = before_19 = 0
    for fracture in p["fractures"]:
        site, trauma = fracture[0], fracture[1]
        if trauma == "high":
            continue
        if site == "vertebral_compression":
            vertebral += 1
        elif site == "long_bone":
            before_10 += _fracture_before(fracture, p["birth"], 10)
            before_19 += _fracture_before(fracture, p["birth"], 19)
    return vertebral, before_10, before_19


def lowest_z(p: Plain) -> float | None:
    """The lowest LS or TBLH Z-score, size-corrected where one is given for the scan (P-BMD)."""
    scans: dict[tuple[str, Any], list[tuple[float, bool]]] = {}
    for site, z, corrected, date in p["bmd"]:
        if site in ("lumbar_spine", "total_body_less_head"):
            scans.setdefault((site, date), []).append((z, corrected))
    lowest = None
    for scan in scans.values():
        counted = [z for z, corrected in scan if corrected] or [z for z, _ in scan]
        low = min(counted)
        lowest = low if lowest is None or low < lowest else lowest
    return lowest


def _indication(p: Plain) -> tuple[bool, list[str]]:
    vertebral, before_10, before_19 = fracture_counts(p)
    lowest = lowest_z(p)
    reduced = lowest is not None and steps(lowest) <= -2000
    history = vertebral >= 1 or before_10 >= 2 or before_19 >= 3
    blocks = []
    if p["diagnosis"] not in _INDICATED:
        blocks.append("not-indicated-condition")
    if "WNT1" in p["genes"] or "LRP5" in p["genes"]:
        blocks.append("not-indicated-gene")
    if p["risks"]["expected_spontaneous_recovery"]:
        blocks.append("not-indicated-recovery")
    if not (vertebral >= 1 or (history and reduced)):
        blocks.append("not-indicated-criteria")
    return not blocks, blocks


def _today_blocks(p: Plain) -> list[str]:
    labs, risks = p["labs"], p["risks"]
    first = not p["infusions"]
    blocks = []
    if p["temperature_c"] is not None and steps(p["temperature_c"]) > 38500:
        blocks.append("fever")
    if labs["calcium"] is not None and steps(labs["calcium"]) < 2200:
        blocks.append("hypocalcaemia")
    if risks["bisphosphonate_hypersensitivity"]:
        blocks.append("hypersensitivity")
    if risks["pregnant"]:
        blocks.append("pregnancy")
    if first:
        if any(labs[name] is None for name in _LABS):
            blocks.append("labs-missing")
        vitamin_d = labs["vitamin_d_25oh"]
        if vitamin_d is not None and steps(vitamin_d) < 50000:
            blocks.append("vitamin-d-deficient")
    return blocks


def _gfr(p: Plain) -> float | None:
    height, creatinine = p["height_cm"], p["labs"]["creatinine"]
    if height is None or creatinine is None:
        return None
    return 40.0 * height / creatinine


def _dose(
    drug: str, number: int, date: dt.date, weight_mg: int, *, p: Plain, complication: bool
) -> float:
    """The final dose in mg of infusion ``number`` of ``drug`` on ``date``."""
    immobile = p["risks"]["prolonged_immobilisation"]
    if drug == "zoledronic_acid":
        low = younger(p["birth"], 2, date) or p["risks"]["low_bone_turnover"] or complication
        regular = 2500 if low else 5000
        per_kg = 1250 if number == 1 else 2500 if number == 2 else regular
        limit, cap, step = _ZOL_CAP, _ZOL_CAP, _ZOL_STEP
        maximum = 2500 if number <= 2 else 5000
    else:
        regular = 200_000
        per_kg = 100_000 if number == 1 else regular
        limit = _PAM_CAP // 2 if number == 1 else _PAM_CAP
        cap, step = _PAM_CAP, _PAM_STEP
        maximum = 100_000 if number == 1 else 200_000
    if immobile and number <= 2:
        quarter, quarter_limit = regular // 4, cap // 4
        if min(quarter * weight_mg, quarter_limit) < min(per_kg * weight_mg, limit):
            per_kg, limit = quarter, quarter_limit
    bounded = min(per_kg * weight_mg, limit, cap, maximum * weight_mg)
    return (bounded // step) / (_MG // step)


def plain_plan(p: Plain) -> Plain:
    """Plan one plain patient: the decisions and the course, as plain values."""
    birth, today = p["birth"], p["today"]
    result: Plain = {
        "status": "out_of_scope",
        "in_scope": younger(birth, 19, today),
        "indicated": False,
        "zoledronic_acid_allowed": False,
        "drug": None,
        "blocks": ("out-of-scope",),
        "dates": (),
        "doses_mg": (),
        "volumes_ml": (),
        "rates_ml_h": (),
    }
    if not result["in_scope"]:
        return result
    indicated, blocks = _indication(p)
    blocks += _today_blocks(p)
    gfr = _gfr(p)
    zoledronic = gfr is not None and steps(gfr) > 90000
    result.update(blocks=tuple(blocks), zoledronic_acid_allowed=zoledronic)
    if not indicated:
        result["status"] = "not_indicated"
        return result
    drug = "zoledronic_acid" if zoledronic else "pamidronate"
    history = [record for record in p["infusions"] if record[0] == drug]
    complication = any(record[2] in ("moderate", "severe") for record in p["infusions"])
    number = len(history) + 1
    months, base = 0, p["today"]
    if history:
        interval = 3 if drug == "pamidronate" or number == 2 else 6
        last = history[-1][1]
        if add_months(last, interval) >= today:
            base, months = last, interval
    end = add_months(birth, 12 * 19)
    weight_mg = round(p["weight_kg"] * 1_000_000)
    dates, doses, volumes, rates = [], [], [], []
    date = add_months(base, months)
    while len(dates) < 6 and date < end:
        dose = _dose(drug, number, date, weight_mg, p=p, complication=complication)
        dates.append(date)
        doses.append(dose)
        if drug == "zoledronic_acid":
            volumes.append(50.0)
            rates.append(50.0)
        else:
            volume = round(dose * 10)  # 0.1 mg/ml: a whole number of ml
            volumes.append(float(volume))
            rates.append(volume / 4)
        number += 1
        months += 3 if drug == "pamidronate" or number == 2 else 6
        date = add_months(base, months)
    result.update(
        status="blocked" if blocks else "ready",
        indicated=True,
        drug=drug,
        dates=tuple(dates),
        doses_mg=tuple(doses),
        volumes_ml=tuple(volumes),
        rates_ml_h=tuple(rates),
    )
    return result
