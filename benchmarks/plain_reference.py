"""The plan of the pediatric protocol in plain Python: the baseline every figure is a ratio to.

Floats, ints, dicts, tuples and ``datetime`` only — no Pint, no attrs, no finding objects, no
evidence, no messages, no rule ids, no checks of the input. Two references share the arithmetic:

- :func:`plain_plan`, the decisions and doses: scope (P-SCOPE-1), indication (P-IND-*, P-FX-*,
  P-BMD), the blocks of today's infusion (P-CI-*, P-PRE-LABS, P-PRE-VITD), the GFR gate (P-GFR),
  the drug, and the dose, volume, rate and date of every planned infusion (P-ZOL-*, P-PAM-*,
  P-HUNGRY, hard limits rounded down). Its result has the content of
  ``bisphos.batch.summarise(plan)``.
- :func:`plain_plan_full`, the whole plan content: the same, and the code and severity of every
  finding of the plan (contraindications, first-infusion checks, renal gate, supplements,
  monitoring, P-PRE-CA, P-PRE-DXA, and the course's notes), the phase, due date and duration of
  every infusion, the follow-up (P-FU-DXA, P-FU-LABS, P-FU-CENTRE), the date pregnancy is to be
  avoided until (P-CI-PREG), and a last check of the hard limits (:func:`check_hard_limits`).

Both know the age limits of P-FRESH: the labs of a first infusion at most 90 days old (undated:
unknown age, not cleared), the creatinine of the zoledronic acid gate at most 12 months, the
calcium before a later infusion at most 90 days, the weight at most 30 days, vital signs of the
assessment date. And P-PAM-RENAL (no pamidronate below a Schwartz-40 GFR of 30: the plan is
refused; up to 90, at most 20 mg/h) and P-HIST-INTERVAL (a course starts no earlier than 3 months
after the last infusion of either drug).

Doses are computed exactly on integers: a dose in units of 1e-11 mg is a dose per kg in units of
1e-5 mg/kg times the weight in mg, which is what the library's decimal arithmetic gives.

A patient is a plain dict (see :func:`population.plain_patient`), its infusions in date order.
"""

from __future__ import annotations

import bisect
import calendar
import csv
import datetime as dt
import math
from pathlib import Path
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

# P-FRESH, the protocol's ages.
_FIRST_LABS_DAYS = 90
_CREATININE_MONTHS = 12
_CALCIUM_DAYS = 90
_WEIGHT_DAYS = 30
# P-HIST-INTERVAL, the national least interval after any bisphosphonate, in months.
_MIN_INTERVAL_MONTHS = 3
# P-PAM-RENAL, in steps of 0.001 ml/min/1.73 m2, and the highest rate in mg/h.
_PAM_MIN_GFR = 30000
_PAM_RENAL_MG_H = 20
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


def _growth_table() -> dict[tuple[str, str], list[tuple[float, float, float, float]]]:
    """The CDC 2000 LMS rows of the package's data file: (measure, sex) to (age, L, M, S)."""
    path = Path(__file__).resolve().parent.parent / "src/bisphos/pediatric/data/cdc2000_lms.csv"
    table: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["measure"], row["sex"])
            age, lms = float(row["age_months"]), (float(row["L"]), float(row["M"]), float(row["S"]))
            table.setdefault(key, []).append((age, *lms))
    return {key: sorted(rows) for key, rows in table.items()}


_GROWTH = _growth_table()


def _modified_z(measure: str, sex: str, months: float, value: float) -> float | None:
    rows = _GROWTH.get((measure, sex))
    if rows is None or not 24.0 <= months <= rows[-1][0]:
        return None
    if months <= rows[0][0]:
        lms = rows[0][1:]
    else:
        index = bisect.bisect_left([row[0] for row in rows], months)
        a, b = rows[index - 1], rows[index]
        t = (months - a[0]) / (b[0] - a[0])
        lms = tuple(a[i] + t * (b[i] - a[i]) for i in (1, 2, 3))
    l, m, s = lms  # noqa: E741 - the method's names
    side = 2.0 if value >= m else -2.0
    at = m * math.exp(s * side) if l == 0 else float(m * (1 + l * s * side) ** (1 / l))
    return (value - m) / (abs(at - m) / 2)


def weight_implausible(p: Plain) -> bool:
    """P-WEIGHT-PLAUSIBLE: BMI outside 8-60 or beyond 5 SDS for age; without a height, weight-
    for-age beyond 5 SDS (CDC 2000, modified Z-scores, 2 to 20 years)."""
    months = (p["today"] - p["birth"]).days / 30.4375
    weight, height = p["weight_kg"], p["height_cm"]
    if height is not None:
        bmi = weight / (height / 100) ** 2
        z = _modified_z("bmi", p["sex"], months, bmi)
        return not 8.0 <= bmi <= 60.0 or (z is not None and abs(z) > 5.0)
    z = _modified_z("weight", p["sex"], months, weight)
    return z is not None and abs(z) > 5.0


def _labs_not_fresh(p: Plain) -> bool:
    """P-FRESH: a lab of a first infusion undated or older than 90 days."""
    oldest = p["today"] - dt.timedelta(days=_FIRST_LABS_DAYS)
    for name in _LABS:
        if p["labs"][name] is not None:
            date = p["lab_dates"][name]
            if date is None or date < oldest:
                return True
    return False


def _creatinine_fresh(p: Plain) -> bool:
    """P-FRESH: the creatinine of the zoledronic acid gate at most 12 months old (undated: yes)."""
    date = p["lab_dates"]["creatinine"]
    return date is None or date >= add_months(p["today"], -_CREATININE_MONTHS)


def _today_blocks(p: Plain, *, indicated: bool) -> list[str]:
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
    if indicated and weight_implausible(p):
        blocks.append("weight-implausible")
    if first:
        if any(labs[name] is None for name in _LABS):
            blocks.append("labs-missing")
        vitamin_d = labs["vitamin_d_25oh"]
        if vitamin_d is not None and steps(vitamin_d) < 50000:
            blocks.append("vitamin-d-deficient")
        if _labs_not_fresh(p):
            blocks.append("labs-not-fresh")
    return blocks


def _gfr(p: Plain) -> float | None:
    height, creatinine = p["height_cm"], p["labs"]["creatinine"]
    if height is None or creatinine is None:
        return None
    gfr: float = 40.0 * height / creatinine
    return gfr


def _start(p: Plain) -> dt.date:
    """P-HIST-INTERVAL: today, or the last given drug's own interval after its last infusion."""
    if not p["infusions"]:
        return p["today"]
    return max(p["today"], add_months(_last_given(p)[1], _last_interval_months(p)))


def _last_interval_months(p: Plain) -> int:
    """The last drug's own interval: zoledronic acid 3 months after its first, 6 after later
    ones; pamidronate 3."""
    drug = _last_given(p)[0]
    given = sum(1 for record in p["infusions"] if record[0] == drug)
    return 6 if drug == "zoledronic_acid" and given >= 2 else _MIN_INTERVAL_MONTHS


def _national_start(p: Plain) -> dt.date:
    """The follow-up's start: today, or the national minimum of 3 months after the last infusion
    of either drug (the plan counts its follow-up from there, its dates from the last drug's own
    interval)."""
    if not p["infusions"]:
        return p["today"]
    return max(p["today"], add_months(_last_given(p)[1], _MIN_INTERVAL_MONTHS))


def _drug(p: Plain, *, zoledronic: bool) -> str:
    """P-DRUG-CONTINUITY: the drug given last while it is allowed, else zoledronic acid where
    ``zoledronic`` (P-GFR with a fresh creatinine) allows it, else pamidronate."""
    if p["infusions"] and (_last_given(p)[0] == "pamidronate" or zoledronic):
        return _last_given(p)[0]
    return "zoledronic_acid" if zoledronic else "pamidronate"


def _permanent(p: Plain) -> list[tuple[str, str]]:
    """P-CI-PERMANENT: hypersensitivity to bisphosphonates, a known pregnancy (with its
    counselling)."""
    findings = []
    if p["risks"]["bisphosphonate_hypersensitivity"]:
        findings.append(("contraindicated-hypersensitivity", BLOCK))
    if p["risks"]["pregnant"]:
        findings += [("contraindicated-pregnancy", BLOCK), ("pregnancy-no-infusion", INFO)]
    return findings


def _maintenance_prompt(p: Plain) -> list[tuple[str, str]]:
    """P-MAINT-PROMPT during an active course: the band's reading (P-MAINT-BAND: the lower of
    the latest lumbar-spine and the latest TBLH score, dated by the older of the two) made after
    the first infusion and above -2; with it, the band's DXA older than 18 months."""
    latest: list[tuple[float, dt.date | None]] = []
    for site in ("lumbar_spine", "total_body_less_head"):
        scans = [scan for scan in p["bmd"] if scan[0] == site]
        if scans:
            dated = [scan[3] for scan in scans if scan[3] is not None]
            last = max(dated) if dated else None
            chosen = [scan for scan in scans if scan[3] == last]
            corrected = [scan[1] for scan in chosen if scan[2]]
            latest.append((min(corrected or [scan[1] for scan in chosen]), last))
    if not p["infusions"] or not latest or any(date is None for _, date in latest):
        return []
    z_score = min(z for z, _ in latest)
    date = min(date for _, date in latest if date is not None)
    if date <= p["infusions"][0][1] or z_score <= -2:
        return []
    prompt = [("maintenance-to-be-considered", WARN)]
    if date < add_months(p["today"], -18):
        prompt.append(("maintenance-band-dxa-old", WARN))
    return prompt


def _last_given(p: Plain) -> tuple[str, dt.date]:
    """P-HIST-INTERVAL: the drug and date of the last infusion in the history."""
    drug, date = p["infusions"][-1][:2]
    return drug, date


def _pamidronate_refused(gfr: float | None) -> bool:
    """P-PAM-RENAL: no pamidronate with a Schwartz-40 GFR below 30 (unknown: allowed)."""
    return gfr is not None and steps(gfr) < _PAM_MIN_GFR


def _pamidronate_renal_findings(p: Plain, gfr: float | None) -> list[tuple[str, str]]:
    """P-PAM-RENAL's findings when pamidronate is the candidate: below 30 a block, 30 to 90 a
    warning, no creatinine before a later infusion a warning."""
    if gfr is None:
        missing = p["labs"]["creatinine"] is None and bool(p["infusions"])
        return [("pamidronate-creatinine-missing", WARN)] if missing else []
    if _pamidronate_refused(gfr):
        return [("pamidronate-gfr-below-30", BLOCK)]
    return [("pamidronate-renal-impairment", WARN)] if _rate_limited(gfr) else []


def _rate_limited(gfr: float | None) -> bool:
    """P-PAM-RENAL: a Schwartz-40 GFR of 90 or less limits pamidronate to 20 mg/h."""
    return gfr is not None and steps(gfr) <= 90000


def _pamidronate_rate(units: int, volume: float, *, limited: bool) -> tuple[float, float]:
    """(ml/h, hours) of a pamidronate dose (1e-11 mg) of ``volume`` ml: 4 h, or longer at
    20 mg/h with reduced renal function."""
    if limited and units > 4 * _PAM_RENAL_MG_H * _MG:
        return int(volume) * _PAM_RENAL_MG_H * _MG / units, units / (_PAM_RENAL_MG_H * _MG)
    return volume / 4, 4.0


def _dose_units(
    drug: str, number: int, date: dt.date, weight_mg: int, *, p: Plain, complication: bool
) -> int:
    """The final dose of infusion ``number`` of ``drug`` on ``date``, in units of 1e-11 mg."""
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
    return bounded // step * step


def _out_of_scope(in_scope: bool) -> Plain:
    """The decisions and doses of a plan before anything is decided but the scope."""
    return {
        "status": "out_of_scope",
        "in_scope": in_scope,
        "indicated": False,
        "zoledronic_acid_allowed": False,
        "drug": None,
        "blocks": ("out-of-scope",),
        "dates": (),
        "doses_mg": (),
        "volumes_ml": (),
        "rates_ml_h": (),
    }


def plain_plan(p: Plain) -> Plain:
    """Plan one plain patient: the decisions and the course, as plain values."""
    birth, today = p["birth"], p["today"]
    result = _out_of_scope(younger(birth, 19, today))
    if not result["in_scope"]:
        return result
    indicated, blocks = _indication(p)
    blocks += _today_blocks(p, indicated=indicated)
    gfr = _gfr(p)
    zoledronic = gfr is not None and steps(gfr) > 90000
    result.update(blocks=tuple(blocks), zoledronic_acid_allowed=zoledronic and _creatinine_fresh(p))
    if not indicated:
        result["status"] = "not_indicated"
        return result
    permanent = _permanent(p)
    if permanent:  # P-CI-PERMANENT: nothing dated, no drug of the class
        # The assessment's P-PAM-RENAL block (the candidate's) comes before the permanent ones.
        renal = not (zoledronic and _creatinine_fresh(p)) and _pamidronate_refused(gfr)
        codes = ("pamidronate-gfr-below-30",) if renal else ()
        codes += tuple(code for code, severity in permanent if severity == BLOCK)
        result.update(status="contraindicated", indicated=True, blocks=(*blocks, *codes))
        return result
    drug = _drug(p, zoledronic=zoledronic and _creatinine_fresh(p))
    if drug == "pamidronate" and _pamidronate_refused(gfr):
        refusal = ("pamidronate-gfr-below-30", "no-drug-allowed")  # P-PAM-RENAL, then no drug
        result.update(status="refused", indicated=True, blocks=(*blocks, *refusal))
        return result
    limited = drug == "pamidronate" and (gfr is None or _rate_limited(gfr))
    weight_mg = round(p["weight_kg"] * 1_000_000)
    dates, _dues, _phases, units = _course(p, drug, weight_mg)
    # An int divided by an int is the float nearest the exact quotient.
    doses = [dose / _MG for dose in units]
    if drug == "zoledronic_acid":
        volumes = [50.0] * len(doses)
        rates = volumes
    else:
        volumes = [float(round(dose * 10)) for dose in doses]  # 0.1 mg/ml: a whole number of ml
        rates = [
            _pamidronate_rate(u, v, limited=limited)[0] for u, v in zip(units, volumes, strict=True)
        ]
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


# The whole plan content: every finding, the phase, due date and duration of each infusion, the
# follow-up, the pregnancy counselling date, and the hard limits checked once more at the end.

BLOCK, WARN, INFO = "block", "warn", "info"

_EXCLUSIONS = {"not-indicated-condition", "not-indicated-gene", "not-indicated-recovery"}
_FOLLOW_UP_LABS = (
    "calcium",
    "phosphate",
    "alkaline_phosphatase",
    "creatinine",
    "vitamin_d_25oh",
    "pth",
)
_SIGNS = ("heart_rate", "systolic_bp", "diastolic_bp")
_HOURS = {"zoledronic_acid": 1.0, "pamidronate": 4.0}
_CAPS = {"zoledronic_acid": _ZOL_CAP, "pamidronate": _PAM_CAP}
# The highest dose per kg of each drug and phase, in 1e-5 mg/kg (P-ZOL-*, P-PAM-*).
_PER_KG_MAXIMA = {
    ("zoledronic_acid", "first"): 2500,
    ("zoledronic_acid", "second"): 2500,
    ("zoledronic_acid", "regular"): 5000,
    ("pamidronate", "first"): 100_000,
    ("pamidronate", "second"): 200_000,
    ("pamidronate", "regular"): 200_000,
}
_DAY_PER_KG = {"zoledronic_acid": 5000, "pamidronate": 200_000}


class HardLimitExceeded(ValueError):  # noqa: N818 - named for what it reports
    """A planned dose above a daily cap or a per-kg maximum (P-ZOL-CAP, P-PAM-CAP)."""


def _assessment_findings(p: Plain, *, first: bool) -> tuple[bool, list[tuple[str, str]]]:
    """Indication, contraindications and first-infusion findings, in the library's order."""
    indicated, blocks = _indication(p)
    findings = [(code, BLOCK) for code in blocks]
    if indicated:
        findings.append(("indicated", INFO))
    labs, risks = p["labs"], p["risks"]
    temperature = p["temperature_c"]
    if temperature is None:
        findings.append(("temperature-not-recorded", WARN))
    elif steps(temperature) > 38500:
        findings.append(("fever", BLOCK))
    calcium, albumin = labs["calcium"], labs["albumin"]
    low_calcium = calcium is not None and steps(calcium) < 2200
    if calcium is None:
        if not first:  # before the first infusion it is a missing required lab
            findings.append(("calcium-not-known", WARN))
    else:
        if low_calcium:
            findings.append(("hypocalcaemia", BLOCK))
        # Payne's correction is shown, never decides.
        if albumin is not None and (low_calcium or steps(calcium + 0.02 * (40.0 - albumin)) < 2200):
            findings.append(("albumin-corrected-calcium", INFO))
    if risks["bisphosphonate_hypersensitivity"]:
        findings.append(("hypersensitivity", BLOCK))
    if risks["pregnant"]:
        findings.append(("pregnancy", BLOCK))
    if indicated and weight_implausible(p):
        findings.append(("weight-implausible", BLOCK))
    vitamin_d = labs["vitamin_d_25oh"]
    deficient = vitamin_d is not None and steps(vitamin_d) < 50000
    if first:
        if any(labs[name] is None for name in _LABS):
            findings.append(("labs-missing", BLOCK))
        if deficient:
            findings.append(("vitamin-d-deficient", BLOCK))
        if low_calcium:
            findings.append(("calcium-consult", WARN))
            upper, pth = p["pth_upper_limit"], labs["pth"]
            if pth is not None and upper is not None and steps(pth) > steps(upper):
                findings.append(("calcium-supplementation", WARN))
        if not _EXCLUSIONS.intersection(blocks):
            wanted = {"lumbar_spine", "total_body_less_head"}
            if risks["prolonged_immobilisation"] or p["diagnosis"] == "secondary_immobility":
                wanted.add("femur")
            if not wanted <= {scan[0] for scan in p["bmd"]}:
                findings.append(("dxa-needed", WARN))
    elif deficient:
        findings.append(("vitamin-d-low", WARN))
    findings += _freshness_findings(p, first=first)
    return indicated, findings


def _freshness_findings(p: Plain, *, first: bool) -> list[tuple[str, str]]:
    """The findings of P-FRESH for the infusion on the assessment date."""
    today, labs, dates = p["today"], p["labs"], p["lab_dates"]
    findings = []
    if first and _labs_not_fresh(p):
        findings.append(("labs-not-fresh", BLOCK))
    if labs["creatinine"] is not None:
        if not _creatinine_fresh(p):
            findings.append(("creatinine-not-fresh", WARN))
        if not first and dates["creatinine"] is None:
            findings.append(("creatinine-age-unknown", WARN))
    if not first and labs["calcium"] is not None:
        date = dates["calcium"]
        if date is None or date < today - dt.timedelta(days=_CALCIUM_DAYS):
            findings.append(("calcium-not-fresh", WARN))
    weighed = p["weight_date"]
    if weighed is not None and weighed < today - dt.timedelta(days=_WEIGHT_DAYS):
        findings.append(("weight-not-fresh", WARN))
    if p["vitals_date"] not in (None, today):
        findings.append(("vitals-not-today", WARN))
    return findings


_SECONDARY = {
    "secondary_corticosteroids",
    "secondary_immobility",
    "secondary_intestinal_failure",
    "secondary_other",
}


def _counselling(p: Plain, *, first: bool) -> list[tuple[str, str]]:
    """P-FX-RECENT, P-SE-ACUTE, P-LONGTERM, P-HUNGRY-CA, P-TURNOVER-PROMPT (indicated only)."""
    findings = []
    since = p["today"] - dt.timedelta(days=42)
    recent = any(f[2] is not None and f[2] >= since for f in p["fractures"])
    risks = p["risks"]
    if recent:
        if risks.get("impaired_fracture_healing", False) or p["diagnosis"] in _SECONDARY:
            findings.append(("recent-fracture-consult", WARN))
        elif p["diagnosis"] == "osteogenesis_imperfecta":
            findings.append(("recent-fracture-no-delay", INFO))
    if first:
        findings += [("side-effects", INFO), ("long-term-effects", INFO)]
    if risks["prolonged_immobilisation"]:
        findings.append(("calcium-check-after-infusion", INFO))
    if (
        p["diagnosis"] in ("secondary_corticosteroids", "secondary_immobility")
        and not risks["low_bone_turnover"]
    ):
        findings.append(("bone-turnover-not-recorded", INFO))
    return findings


def _no_baseline(p: Plain) -> bool:
    """Whether a vital sign has no baseline: neither recorded as one nor measured today."""
    baseline, today = p["baseline_vitals"] or {}, p["vitals"]
    return any(baseline.get(sign) is None and today[sign] is None for sign in _SIGNS)


def _yearly(anchor: dt.date | None, start: dt.date, end: dt.date) -> list[dt.date]:
    """Yearly dates from ``anchor`` up to ``end``; an unknown or overdue first one on ``start``."""
    base, months = start, 0
    if anchor is not None and add_months(anchor, 12) >= start:
        base, months = anchor, 12
    dates = []
    date = add_months(base, months)
    while date <= end:
        dates.append(date)
        months += 12
        date = add_months(base, months)
    return dates


def _labs_anchor(p: Plain) -> dt.date | None:
    """The oldest of the latest follow-up labs, or ``None`` when one is missing or undated."""
    dates: list[dt.date] = []
    for name in _FOLLOW_UP_LABS:
        date = p["lab_dates"][name]
        if date is None or p["labs"][name] is None:
            return None
        dates.append(date)
    return min(dates)


def _follow_up(
    p: Plain, drug: str, dates: list[dt.date], start: dt.date
) -> tuple[tuple[dt.date, str], ...]:
    """DXA, labs and expertise-centre entries (P-FU-*) from the course's start, by date, in that
    order on one day."""
    end = max(dates[-1], start) if dates else start
    scans = [scan[3] for scan in p["bmd"] if scan[3] is not None]
    entries = [(date, "dxa") for date in _yearly(max(scans) if scans else None, start, end)]
    labs = set(_yearly(_labs_anchor(p), start, end))
    history = p["infusions"]
    if dates and (not history or history[-1][0] != drug):  # a start or a switch of treatment
        labs.add(dates[0])
    entries += [(date, "labs") for date in sorted(labs)]
    entries += [(date, "centre") for date in _yearly(start, start, end)]
    # A stable sort by date keeps dxa, labs, centre on one day; no kind repeats a date.
    entries.sort(key=lambda entry: entry[0])
    return tuple(entries)


def _pregnancy_until(p: Plain, dates: list[dt.date]) -> dt.date | None:
    """12 months after the last planned (or else given) dose, if counselled (P-CI-PREG)."""
    last: dt.date
    if dates:
        last = dates[-1]
    elif p["infusions"]:
        last = p["infusions"][-1][1]
    else:
        return None
    recorded = p["could_become_pregnant"]
    until = add_months(last, 12)
    if p["risks"]["pregnant"]:
        return until
    if recorded is False:
        return None
    if recorded is None and (p["sex"] != "female" or younger(p["birth"], 10, until)):
        return None
    return until


def check_hard_limits(
    drug: str, phases: list[str], dates: list[dt.date], doses: list[int], weight_mg: int
) -> None:
    """Check every dose (1e-11 mg) once more against the hard limits, as the library does last.

    Each dose is at most the daily cap and the phase's per-kg maximum times the weight; the doses
    of one calendar day together are at most the cap and the drug's highest per-kg maximum.

    Raises:
        HardLimitExceeded: a dose, or the doses of one day, above a limit.
    """
    cap = _CAPS[drug]
    per_day: dict[dt.date, int] = {}
    for phase, date, dose in zip(phases, dates, doses, strict=True):
        if not 0 < dose <= cap or dose > _PER_KG_MAXIMA[drug, phase] * weight_mg:
            raise HardLimitExceeded(f"{drug} {dose / _MG} mg ({phase}) on {date}")
        per_day[date] = per_day.get(date, 0) + dose
    day_limit = min(cap, _DAY_PER_KG[drug] * weight_mg)
    for date, total in per_day.items():
        if total > day_limit:
            raise HardLimitExceeded(f"{drug} {total / _MG} mg on {date}")


def _course(
    p: Plain, drug: str, weight_mg: int
) -> tuple[list[dt.date], list[dt.date], list[str], list[int]]:
    """Dates, due dates, phases and doses (1e-11 mg) of the planned infusions of ``drug``."""
    start, history = _start(p), p["infusions"]
    given = [record for record in history if record[0] == drug]
    complication = any(record[2] in ("moderate", "severe") for record in history)
    number = len(given) + 1
    months, base, due = 0, start, start
    if given:
        interval = 3 if drug == "pamidronate" or number == 2 else 6
        last = given[-1][1]
        due = add_months(last, interval)
        if due >= start:  # else overdue: planned on the start date
            base, months = last, interval
    elif history:
        # A switch (P-HIST-INTERVAL): due the last given drug's own interval after its last
        # infusion, and counted from there unless overdue.
        last = _last_given(p)[1]
        due = add_months(last, _last_interval_months(p))
        if due >= start:
            base, months = last, _last_interval_months(p)
    end = add_months(p["birth"], 12 * 19)
    dates: list[dt.date] = []
    dues: list[dt.date] = []
    phases: list[str] = []
    units: list[int] = []
    date = add_months(base, months)
    while len(dates) < 6 and date < end:
        dates.append(date)
        dues.append(due)
        phases.append("first" if number == 1 else "second" if number == 2 else "regular")
        units.append(_dose_units(drug, number, date, weight_mg, p=p, complication=complication))
        number += 1
        months += 3 if drug == "pamidronate" or number == 2 else 6
        date = due = add_months(base, months)
    return dates, dues, phases, units


def plain_plan_full(p: Plain) -> Plain:  # noqa: PLR0915 - the whole plan, read top to bottom
    """Plan one plain patient: the whole plan content, as plain values.

    The keys of :func:`plain_plan`, and ``findings`` (the sorted (code, severity) pairs of
    every finding), per infusion ``phases``, ``due_dates`` and ``durations_h``, ``follow_up``
    ((date, kind) in order) and ``avoid_pregnancy_until``.

    Raises:
        HardLimitExceeded: a planned dose above a hard limit (never, if the plan is right).
    """
    birth, today = p["birth"], p["today"]
    result: Plain = {
        **_out_of_scope(younger(birth, 19, today)),
        "findings": (("out-of-scope", BLOCK),),
        "phases": (),
        "due_dates": (),
        "durations_h": (),
        "follow_up": (),
        "avoid_pregnancy_until": None,
    }
    if not result["in_scope"]:
        return result
    history = p["infusions"]
    indicated, findings = _assessment_findings(p, first=not history)
    gfr = _gfr(p)
    zoledronic = gfr is not None and steps(gfr) > 90000
    if gfr is None:
        findings.append(("gfr-unavailable", WARN))
    else:
        findings.append(("gfr-above-90", INFO) if zoledronic else ("gfr-not-above-90", WARN))
    blocks = tuple(code for code, severity in findings if severity == BLOCK)
    result.update(blocks=blocks, zoledronic_acid_allowed=zoledronic and _creatinine_fresh(p))
    if not indicated:
        result.update(status="not_indicated", findings=tuple(sorted(findings)))
        return result
    findings += [
        ("vitamin-d-supplementation", INFO),
        ("calcium-intake", INFO),
        ("monitoring", INFO),
    ]
    if _no_baseline(p):
        findings.append(("no-baseline-vitals", WARN))
    findings.append(("hypocalcaemia-warning", INFO))
    findings += _counselling(p, first=not history)
    if not (zoledronic and _creatinine_fresh(p)):  # the assessment's pamidronate candidate
        findings += _pamidronate_renal_findings(p, gfr)
    permanent = _permanent(p)
    if permanent:  # P-CI-PERMANENT: nothing dated, no drug of the class
        # The assessment's P-PAM-RENAL block (the candidate's) comes before the permanent ones.
        codes = tuple(code for code, severity in findings + permanent if severity == BLOCK)
        result.update(
            status="contraindicated",
            indicated=True,
            blocks=codes,
            findings=tuple(sorted(findings + permanent)),
        )
        return result

    drug = _drug(p, zoledronic=zoledronic and _creatinine_fresh(p))
    if drug == "pamidronate" and _pamidronate_refused(gfr):
        findings.append(("no-drug-allowed", BLOCK))
        result.update(
            status="refused",
            indicated=True,
            blocks=(*blocks, "pamidronate-gfr-below-30", "no-drug-allowed"),
            findings=tuple(sorted(findings)),
        )
        return result
    findings += _maintenance_prompt(p)
    if history and _last_given(p)[0] != drug:
        findings.append(("drug-switch", WARN))  # P-DRUG-CONTINUITY: never silent
    weight_mg = round(p["weight_kg"] * 1_000_000)
    dates, dues, phases, units = _course(p, drug, weight_mg)
    check_hard_limits(drug, phases, dates, units, weight_mg)
    doses = [dose / _MG for dose in units]
    durations = [_HOURS[drug]] * len(doses)
    if drug == "zoledronic_acid":
        volumes = [50.0] * len(doses)
        rates = volumes
    else:
        volumes = [float(round(dose * 10)) for dose in doses]  # 0.1 mg/ml: whole ml
        # 20 mg/h with a GFR of 90 or less, and with renal function unknown (P-PAM-RENAL).
        limited = gfr is None or _rate_limited(gfr)
        timed = [
            _pamidronate_rate(u, v, limited=limited) for u, v in zip(units, volumes, strict=True)
        ]
        rates = [rate for rate, _hours in timed]
        durations = [hours for _rate, hours in timed]
    if len(dates) > 1:
        findings.append(("dose-uses-current-weight", INFO))
    if len(dates) < 6:  # the course stopped at the 19th birthday
        findings.append(("course-ends-at-scope", INFO))
    until = _pregnancy_until(p, dates)
    if until is not None:
        findings.append(("pregnancy-avoidance", INFO))
    result.update(
        status="blocked" if blocks else "ready",
        indicated=True,
        drug=drug,
        dates=tuple(dates),
        doses_mg=tuple(doses),
        volumes_ml=tuple(volumes),
        rates_ml_h=tuple(rates),
        findings=tuple(sorted(findings)),
        phases=tuple(phases),
        due_dates=tuple(dues),
        durations_h=tuple(durations),
        follow_up=_follow_up(p, drug, dates, _national_start(p)),
        avoid_pregnancy_until=until,
    )
    return result
