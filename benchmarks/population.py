"""A reproducible population of pediatric patients, as plain dicts and as bisphos patients.

Patients are drawn with ``random.Random(seed)`` so every run times the same people: ages 0 to
20 years, 2 to 110 kg, every diagnosis, fractures with dates or ages, DXA scans, labs that cross
every threshold (some missing), fever, flags, and an infusion history for about a third of them.
What only the whole plan content depends on (lab dates and the PTH upper limit, heart rate and
blood pressure today and as baseline, whether the patient could become pregnant) is drawn from a
second stream, so the first stream, and every patient's other values, stay those of earlier runs.
The dates of the weight and of today's vital signs (P-FRESH) come from a third stream, for the
same reason.
:func:`plain_patient` is the plain-Python reference's input; :func:`to_patient` builds the same
patient for bisphos.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from bisphos.model import (
    BmdMeasurement,
    Fracture,
    InfusionRecord,
    LabResult,
    Labs,
    Patient,
    RiskFlags,
    VitalSigns,
)
from bisphos.units import quantity

Plain = dict[str, Any]

TODAY = dt.date(2026, 1, 15)
DIAGNOSES = (
    "osteogenesis_imperfecta",
    "primary_osteoporosis",
    "idiopathic_juvenile_osteoporosis",
    "secondary_corticosteroids",
    "secondary_immobility",
    "secondary_intestinal_failure",
    "secondary_other",
    "other",
)
LAB_RANGES = {
    "calcium": (1.9, 2.7, "mmol/L"),
    "phosphate": (0.8, 2.0, "mmol/L"),
    "alkaline_phosphatase": (80.0, 900.0, "U/L"),
    "urea": (2.0, 9.0, "mmol/L"),
    "creatinine": (15.0, 120.0, "umol/L"),
    "albumin": (30.0, 50.0, "g/L"),
    "vitamin_d_25oh": (25.0, 120.0, "nmol/L"),
    "pth": (1.5, 12.0, "pmol/L"),
}


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def plain_patient(
    rng: random.Random,
    index: int,
    details: random.Random | None = None,
    dated: random.Random | None = None,
) -> Plain:
    """Draw one patient as plain values in canonical units.

    ``details`` draws the values only the whole plan content needs (:func:`_details`), ``dated``
    the dates of the weight and vital signs (:func:`_measured_on`); ``rng`` when not given.
    """
    birth = TODAY - dt.timedelta(days=rng.randint(30, 20 * 365))
    age_days = (TODAY - birth).days
    weight = round(min(110.0, max(2.0, 3.5 + age_days / 365.25 * 3.3 * rng.uniform(0.7, 1.4))), 1)
    fractures: list[tuple[str, str, dt.date | None, float | None]] = []
    for _ in range(rng.choice((0, 1, 2, 3, 3, 4))):
        site = rng.choice(("long_bone", "long_bone", "vertebral_compression", "other"))
        trauma = rng.choice(("minimal", "low", "low", "high"))
        if rng.random() < 0.7:
            fractures.append((site, trauma, _date(rng, birth, TODAY), None))
        else:
            # Rounded down: an age rounded up could be above the current age.
            age = math.floor(rng.uniform(0, age_days / 365.25) * 100) / 100
            fractures.append((site, trauma, None, age))
    bmd = []
    for site in ("lumbar_spine", "total_body_less_head", "femur"):
        if rng.random() < 0.8:
            date = _date(rng, max(birth, TODAY - dt.timedelta(days=400)), TODAY)
            bmd.append((site, round(rng.uniform(-4.5, 0.5), 1), rng.random() < 0.2, date))
    labs = {
        name: (round(rng.uniform(low, high), 2) if rng.random() < 0.93 else None)
        for name, (low, high, _unit) in LAB_RANGES.items()
    }
    infusions = []
    if rng.random() < 0.35:
        drug = rng.choice(("zoledronic_acid", "pamidronate"))
        start = max(birth, TODAY - dt.timedelta(days=900))
        dates = sorted(_date(rng, start, TODAY) for _ in range(rng.randint(1, 4)))
        for date in dates:
            grade = rng.choice(("none", "none", "mild", "moderate", "severe"))
            dose = 0.5 if drug == "zoledronic_acid" else 20.0
            infusions.append((drug, date, grade, dose))
    patient = {
        "id": f"p{index}",
        "birth": birth,
        "today": TODAY,
        "sex": rng.choice(("female", "male")),
        "weight_kg": weight,
        "height_cm": round(45 + age_days / 365.25 * 6.5, 1) if rng.random() < 0.9 else None,
        "diagnosis": rng.choice(DIAGNOSES),
        "genes": [rng.choice(("COL1A1", "COL1A2", "PLS3", "WNT1", "LRP5"))]
        if rng.random() < 0.4
        else [],
        "fractures": fractures,
        "bmd": bmd,
        "labs": labs,
        "temperature_c": round(rng.uniform(36.0, 39.5), 1) if rng.random() < 0.85 else None,
        "risks": {
            "prolonged_immobilisation": rng.random() < 0.15,
            "low_bone_turnover": rng.random() < 0.1,
            "pregnant": rng.random() < 0.02,
            "expected_spontaneous_recovery": rng.random() < 0.05,
            "bisphosphonate_hypersensitivity": rng.random() < 0.03,
        },
        "infusions": infusions,
    }
    patient.update(_details(details or rng, patient))
    patient.update(_measured_on(dated or rng, patient))
    return patient


def _measured_on(rng: random.Random, p: Plain) -> Plain:
    """The dates of the weight and of today's vital signs (P-FRESH); ``None`` is today.

    About half are undated; of the dated weights some are older than 30 days, of the dated vital
    signs half are of an earlier day.
    """
    birth, today = p["birth"], p["today"]
    weight_date = (
        None if rng.random() < 0.5 else max(birth, today - dt.timedelta(days=rng.randint(0, 60)))
    )
    draw = rng.random()
    vitals_date = (
        None
        if draw < 0.5
        else today
        if draw < 0.75
        else max(birth, today - dt.timedelta(days=rng.randint(1, 5)))
    )
    return {"weight_date": weight_date, "vitals_date": vitals_date}


def _vital_signs(rng: random.Random, share: float) -> dict[str, float | None]:
    """Heart rate and blood pressure, each measured with probability ``share``."""
    heart_rate = float(rng.randint(60, 140)) if rng.random() < share else None
    pressure = rng.random() < share
    return {
        "heart_rate": heart_rate,
        "systolic_bp": float(rng.randint(85, 130)) if pressure else None,
        "diastolic_bp": float(rng.randint(45, 85)) if pressure else None,
    }


def _details(rng: random.Random, p: Plain) -> Plain:
    """The values only the whole plan content needs: dates of labs, PTH limit, vitals, pregnancy.

    Most labs share one sampling date, some are older, a few undated, so the yearly labs of the
    follow-up count from a date for about a third of the patients.
    """
    birth, today = p["birth"], p["today"]
    panel = _date(rng, max(birth, today - dt.timedelta(days=500)), today)
    lab_dates: dict[str, dt.date | None] = {}
    for name, value in p["labs"].items():
        draw = rng.random()
        if value is None or draw < 0.05:
            lab_dates[name] = None
        elif draw < 0.85:
            lab_dates[name] = panel
        else:
            lab_dates[name] = _date(rng, max(birth, today - dt.timedelta(days=800)), today)
    upper = round(rng.uniform(5.0, 8.0), 1) if rng.random() < 0.6 else None
    baseline = _vital_signs(rng, 0.8) if rng.random() < 0.5 else None
    could_become = rng.choice((None, None, True, False))
    return {
        "lab_dates": lab_dates,
        "pth_upper_limit": None if p["labs"]["pth"] is None else upper,
        "vitals": _vital_signs(rng, 0.6),
        "baseline_vitals": baseline,
        # Drawn apart from a known pregnancy, so that contradicting records occur too.
        "could_become_pregnant": could_become,
    }


def population(count: int, seed: int = 20260115) -> list[Plain]:
    """Draw ``count`` plain patients, the same ones for the same seed."""
    rng, details = random.Random(seed), random.Random(f"{seed}-details")
    dated = random.Random(f"{seed}-dated")
    return [plain_patient(rng, index, details, dated) for index in range(count)]


def to_patient(p: Plain) -> Patient:
    """Build the bisphos patient of a plain patient (outside any timing)."""
    fractures = [
        Fracture(site=site, trauma=trauma, date=date)
        if date is not None
        else Fracture(site=site, trauma=trauma, age_at_fracture=quantity(age, "year"))
        for site, trauma, date, age in p["fractures"]
    ]
    labs = {
        name: LabResult(
            value=quantity(value, LAB_RANGES[name][2]),
            date=p["lab_dates"][name],
            upper_limit=None
            if name != "pth" or p["pth_upper_limit"] is None
            else quantity(p["pth_upper_limit"], "pmol/L"),
        )
        for name, value in p["labs"].items()
        if value is not None
    }
    temperature = p["temperature_c"]
    baseline = p["baseline_vitals"]
    return Patient(
        patient_id=p["id"],
        birth_date=p["birth"],
        assessment_date=p["today"],
        sex=p["sex"],
        weight=quantity(p["weight_kg"], "kg"),
        weight_date=p["weight_date"],
        height=None if p["height_cm"] is None else quantity(p["height_cm"], "cm"),
        diagnosis=p["diagnosis"],
        gene_variants=tuple(p["genes"]),
        fractures=tuple(fractures),
        bmd=tuple(
            BmdMeasurement(site=site, z_score=z, size_corrected=corrected, date=date)
            for site, z, corrected, date in p["bmd"]
        ),
        labs=Labs(**labs),
        vitals=VitalSigns(
            temperature=None if temperature is None else quantity(temperature, "degC"),
            date=p["vitals_date"],
            **_vitals(p["vitals"]),
        ),
        baseline_vitals=None if baseline is None else VitalSigns(**_vitals(baseline)),
        infusions=tuple(
            InfusionRecord(drug=drug, date=date, dose=quantity(dose, "mg"), complication=grade)
            for drug, date, grade, dose in p["infusions"]
        ),
        risks=RiskFlags(could_become_pregnant=p["could_become_pregnant"], **p["risks"]),
    )


_VITAL_UNITS = {"heart_rate": "1/min", "systolic_bp": "mmHg", "diastolic_bp": "mmHg"}


def _vitals(signs: dict[str, float | None]) -> dict[str, Any]:
    """Heart rate and blood pressure as quantities, for :class:`bisphos.model.VitalSigns`."""
    return {
        name: None if value is None else quantity(value, _VITAL_UNITS[name])
        for name, value in signs.items()
    }


def plain_columns(patients: list[Plain]) -> dict[str, Any]:
    """The input columns of ``bisphos.batch.plan_columns`` for plain patients, in plain Python.

    The fracture and BMD columns are counted as the plain reference counts them.
    """
    import numpy as np  # noqa: PLC0415 - only the batch figures need numpy
    from plain_reference import fracture_counts, lowest_z  # noqa: PLC0415

    rows: dict[str, list[Any]] = {}

    def put(name: str, value: Any) -> None:
        rows.setdefault(name, []).append(value)

    for p in patients:
        vertebral, before_10, before_19 = fracture_counts(p)
        lowest = lowest_z(p)
        put("patient_id", p["id"])
        put("birth_date", p["birth"])
        put("assessment_date", p["today"])
        put("weight_kg", p["weight_kg"])
        put("height_cm", float("nan") if p["height_cm"] is None else p["height_cm"])
        put("diagnosis", p["diagnosis"])
        put("sex", p["sex"])
        put("excluded_gene_variant", "WNT1" in p["genes"] or "LRP5" in p["genes"])
        put("vertebral_fractures", vertebral)
        put("long_bone_fractures_before_10", before_10)
        put("long_bone_fractures_before_19", before_19)
        put("lowest_bmd_z", float("nan") if lowest is None else lowest)
        t = p["temperature_c"]
        put("temperature_c", float("nan") if t is None else t)
        for name, (_low, _high, unit) in LAB_RANGES.items():
            value = p["labs"][name]
            column = f"{name}_{unit.replace('/', '_').lower()}"
            put(column, float("nan") if value is None else value)
        dates = [p["lab_dates"][name] for name in LAB_RANGES if p["labs"][name] is not None]
        known = [date for date in dates if date is not None]
        put("oldest_lab_date", min(known) if known else None)
        put("undated_lab", None in dates)
        put("creatinine_date", p["lab_dates"]["creatinine"])
        for flag, value in p["risks"].items():
            put(flag, value)
        for drug in ("zoledronic_acid", "pamidronate"):
            dates = [date for d, date, _grade, _dose in p["infusions"] if d == drug]
            put(f"{drug}_given", len(dates))
            put(f"last_{drug}_date", dates[-1] if dates else None)
        put(
            "complication_after_infusion",
            any(grade in ("moderate", "severe") for _d, _date, grade, _dose in p["infusions"]),
        )
    columns: dict[str, Any] = {}
    for name, values in rows.items():
        if name.endswith("_date"):
            columns[name] = np.array(
                [np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in values],
                dtype="datetime64[D]",
            )
        elif name in ("patient_id", "diagnosis", "sex"):
            columns[name] = np.array(values, dtype=object)
        else:
            columns[name] = np.array(values)
    return columns
