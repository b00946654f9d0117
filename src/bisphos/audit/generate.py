"""Seeded histories of a hospital, with labelled deviations, for tests and benchmarks.

:func:`generate` makes ``patients`` children treated over ``years`` years:

- each child has a sex, a condition of P-IND-A, an age at the first infusion of 2 to 16 years,
  and a weight that follows the CDC 2000 weight-for-age reference at the child's own Z-score
  (:mod:`bisphos.pediatric.growth`); the height follows from the weight and the BMI for the age
  at the same Z-score, the creatinine from the height and a normal GFR (the Schwartz-40 formula
  inverted);
- a course of zoledronic acid (first infusion, the second after 3 months, then every 6 months),
  of pamidronate (every 3 months), or of pamidronate then zoledronic acid; the dates a few days
  later than due, never earlier; the course ends before the 19th birthday;
- each dose as the guideline gives it (the doses per kg of the phase, the caps, the rounding
  steps of :mod:`bisphos.pediatric.table`, exactly), in the guideline's volume and time;
- the weight, height, creatinine, calcium and temperature measured on the day of each infusion
  (the weight sometimes a few days before), the labs of P-PRE-LABS some days before the first.

A fraction ``deviation_rate`` of the administrations gets one deviation of a kind of
:data:`INJECTED`, made so that it breaks that rule only; the administrations table carries the
codes expected (``expected_deviations``) and their rule ids (``expected_rule_ids``),
``;``-joined and sorted, as the audit writes them. Injected values are set against the table's
numbers and the thresholds (a calcium below the hypocalcaemia threshold, a creatinine giving a
GFR below the gate), never as numbers of their own.

The tables come sorted as the audit sorts them, so the labels align row by row with its result.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from bisphos.audit import rules as r
from bisphos.audit.history import LAB_MEASUREMENTS
from bisphos.audit.rules import Code
from bisphos.dates import add_months, birthday
from bisphos.model import Diagnosis, Drug, Sex
from bisphos.pediatric import growth
from bisphos.pediatric import table as t
from bisphos.pediatric.indication import INDICATED_DIAGNOSES
from bisphos.pediatric.renal import schwartz_40
from bisphos.pediatric.thresholds import (
    FEVER_TEMPERATURE,
    HYPOCALCAEMIA_CALCIUM,
    PAMIDRONATE_MIN_GFR,
    SCOPE_AGE_YEARS,
    VITAMIN_D_MINIMUM,
    ZOLEDRONIC_ACID_MIN_GFR,
)

__all__ = ["INJECTED", "Generated", "generate"]

Array = npt.NDArray[Any]

#: The kinds of deviation the generator injects.
INJECTED: Final = (
    Code.ZOLEDRONIC_ACID_OVER_PER_KG,
    Code.PAMIDRONATE_OVER_PER_KG,
    Code.ZOLEDRONIC_ACID_FIRST_OVER_PER_KG,
    Code.PAMIDRONATE_FIRST_OVER_PER_KG,
    Code.PAMIDRONATE_OVER_CAP,
    Code.ZOLEDRONIC_ACID_TOO_FAST,
    Code.PAMIDRONATE_TOO_CONCENTRATED,
    Code.PAMIDRONATE_TOO_FAST,
    Code.PAMIDRONATE_TOO_FAST_RENAL,
    Code.PAMIDRONATE_GFR_TOO_LOW,
    Code.ZOLEDRONIC_ACID_GFR_TOO_LOW,
    Code.CREATININE_NOT_FRESH,
    Code.AFTER_19TH_BIRTHDAY,
    Code.INTERVAL_TOO_SHORT,
    Code.HYPOCALCAEMIA,
    Code.FEVER,
    Code.VITAMIN_D_DEFICIENT,
    Code.FIRST_LABS_MISSING,
    Code.NOT_INDICATED,
)

_Z, _P = Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE
_SCALE: Final = 10**11  # doses in 1e-11 mg, per-kg doses in 1e-5 mg/kg times weight in mg
_PER_KG: Final = 10**5
_WEIGHT: Final = 10**6


def _units(value: float, scale: int) -> int:
    return round(Fraction(repr(value)) * scale)


_CAP: Final = {drug: _units(t.DAILY_CAP_MG[drug].value, _SCALE) for drug in Drug}
_STEP: Final = {drug: _units(t.ROUNDING_STEP_MG[drug].value, _SCALE) for drug in Drug}
_ZOL_FIRST: Final = _units(t.ZOLEDRONIC_ACID_FIRST_MG_PER_KG.value, _PER_KG)
_ZOL_SECOND: Final = _units(t.ZOLEDRONIC_ACID_SECOND_MG_PER_KG.value, _PER_KG)
_ZOL_REGULAR: Final = _units(t.ZOLEDRONIC_ACID_REGULAR_MG_PER_KG.value, _PER_KG)
_PAM: Final = _units(t.PAMIDRONATE_MG_PER_KG.value, _PER_KG)
_PAM_HALF: Final = t.PAMIDRONATE_FIRST_FRACTION
_MAX: Final = {key: number.value for key, number in t.PER_KG_MAXIMUM_MG_PER_KG.items()}
_ZOL_MINUTES: Final = t.ZOLEDRONIC_ACID_DURATION_H.value * 60
_ZOL_VOLUMES: Final = tuple(volume.value for volume in t.ZOLEDRONIC_ACID_VOLUME_ML)
_PAM_MINUTES: Final = t.PAMIDRONATE_DURATION_H.value * 60
_PAM_MG_ML: Final = t.PAMIDRONATE_CONCENTRATION_MG_ML.value
_PAM_LABEL_MG_ML: Final = t.PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML.value
_PAM_LABEL_MG_H: Final = t.PAMIDRONATE_LABEL_MAX_RATE_MG_H.value
_PAM_RENAL_MG_H: Final = t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.value
_ZOL_LABEL_MINUTES: Final = t.ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN.value
_INTERVAL: Final = t.INTERVAL_MONTHS
_SCHWARTZ_K: Final = float(schwartz_40.k)
_GFR_GATE: Final = float(ZOLEDRONIC_ACID_MIN_GFR.magnitude)
_GFR_PAM: Final = float(PAMIDRONATE_MIN_GFR.magnitude)
_CALCIUM: Final = float(HYPOCALCAEMIA_CALCIUM.magnitude)
_FEVER: Final = float(FEVER_TEMPERATURE.magnitude)
_VITAMIN_D: Final = float(VITAMIN_D_MINIMUM.magnitude)
_SCOPE_YEARS: Final = SCOPE_AGE_YEARS
_CONDITIONS: Final = sorted(d.value for d in INDICATED_DIAGNOSES)
_PANEL_ONLY: Final = tuple(
    name for name in LAB_MEASUREMENTS if name not in ("creatinine", "calcium")
)
# Normal values of the labs the rules do not judge beyond their presence, in canonical units.
_NORMAL: Final = {
    "phosphate": (1.2, 1.8),
    "alkaline_phosphatase": (150.0, 400.0),
    "urea": (2.5, 6.0),
    "albumin": (35.0, 48.0),
    "vitamin_d_25oh": (_VITAMIN_D * 1.2, _VITAMIN_D * 2.5),
    "pth": (1.5, 6.0),
}


@attrs.frozen
class Generated:
    """A generated history: the three tables, the administrations labelled.

    Attributes:
        patients: The patients table.
        administrations: The administrations, with ``expected_deviations`` and
            ``expected_rule_ids``.
        measurements: The measurements table.
    """

    patients: pd.DataFrame = attrs.field(eq=False)
    administrations: pd.DataFrame = attrs.field(eq=False)
    measurements: pd.DataFrame = attrs.field(eq=False)

    @property
    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The three tables, the administrations without their labels."""
        given = self.administrations.drop(columns=["expected_deviations", "expected_rule_ids"])
        return self.patients, given, self.measurements


@attrs.define
class _Infusion:
    patient: int
    date: dt.date
    drug: Drug
    number: int  # of this drug
    after_pause: bool = False
    labels: set[Code] = attrs.Factory(set)


def _lms_table(measure: str) -> dict[str, tuple[Array, Array, Array]]:
    """L, M and S of ``measure`` at each half month from 24.5 to 240.5 months, by sex."""
    months = np.arange(24.5, 240.5, 1.0)
    result = {}
    for sex in (Sex.FEMALE, Sex.MALE):
        rows = [growth.lms(measure, sex, float(m)) for m in months]
        result[sex.value] = (
            np.array([row.l for row in rows if row is not None]),
            np.array([row.m for row in rows if row is not None]),
            np.array([row.s for row in rows if row is not None]),
        )
    return result


def _reference(
    table: dict[str, tuple[Array, Array, Array]], sex: Array, months: Array, z: Array
) -> Array:
    """The value at ``z`` of the LMS curve at ``months`` (clipped to the reference's ages)."""
    index = np.clip(np.floor(months - 24.5).astype(np.int64), 0, table["male"][0].size - 1)
    male = sex == Sex.MALE.value
    l_ = np.where(male, table["male"][0][index], table["female"][0][index])
    m = np.where(male, table["male"][1][index], table["female"][1][index])
    s = np.where(male, table["male"][2][index], table["female"][2][index])
    result: Array = m * (1 + l_ * s * z) ** (1 / l_)
    return result


def _due(previous: _Infusion, given_of_last: int) -> int:
    """Months from ``previous`` to the next infusion, as P-HIST-INTERVAL reads the schedule."""
    if previous.drug is _Z:
        interval = _INTERVAL["zoledronic_acid_second" if given_of_last == 1 else "zoledronic_acid"]
    else:
        interval = _INTERVAL["pamidronate"]
    return interval.months


def _course(
    rng: np.random.Generator,
    *,
    patient: int,
    first: dt.date,
    end: dt.date,
    switch: bool,
    drug: Drug,
    rate: float,
) -> list[_Infusion]:
    """One child's infusions from ``first`` until before ``end``."""
    infusions: list[_Infusion] = []
    counts = dict.fromkeys(Drug, 0)
    date, current = first, (_P if switch else drug)
    switch_after = int(rng.integers(4, 12)) if switch else -1
    while date < end:
        counts[current] += 1
        infusions.append(_Infusion(patient, date, current, counts[current]))
        previous = infusions[-1]
        months = _due(previous, counts[current])
        if len(infusions) == switch_after:
            current = _Z
        jitter = dt.timedelta(days=int(rng.integers(0, 15)))
        date = add_months(previous.date, months) + jitter
        roll = rng.random()
        if roll < rate / len(INJECTED):
            # Too early: a few weeks before the last drug's own interval allows.
            date = add_months(previous.date, months) - dt.timedelta(days=int(rng.integers(7, 40)))
            date = max(date, previous.date + dt.timedelta(days=1))
            pending = Code.INTERVAL_TOO_SHORT
        elif roll < 2 * rate / len(INJECTED) and current is _Z and counts[_Z] >= 1:
            # A pause longer than the creatinine's freshness: the creatinine not measured again.
            date = add_months(previous.date, 14) + jitter
            pending = Code.CREATININE_NOT_FRESH
        else:
            pending = None
        if pending is not None and date < end:
            counts[current] += 1
            infusions.append(
                _Infusion(
                    patient,
                    date,
                    current,
                    counts[current],
                    after_pause=pending is Code.CREATININE_NOT_FRESH,
                    labels={pending},
                )
            )
            previous = infusions[-1]
            if len(infusions) == switch_after:
                current = _Z
            date = add_months(previous.date, _due(previous, counts[previous.drug])) + jitter
    return infusions


def _schedule(
    rng: np.random.Generator, patients: int, years: int, start: dt.date, rate: float
) -> tuple[pd.DataFrame, list[_Infusion]]:
    window_end = add_months(start, 12 * years)
    sexes, births, diagnoses = [], [], []
    infusions: list[_Infusion] = []
    for patient in range(patients):
        sex = Sex.FEMALE if rng.random() < 0.5 else Sex.MALE
        age_months = int(rng.integers(24, 16 * 12))
        first = start + dt.timedelta(days=int(rng.integers(0, max(1, (years * 365) - 200))))
        birth = add_months(first, -age_months) - dt.timedelta(days=int(rng.integers(0, 28)))
        scope_end = birthday(birth, _SCOPE_YEARS)
        stop = add_months(first, int(rng.integers(24, 12 * 10)))
        end = min(window_end, stop, add_months(scope_end, -1))
        roll = rng.random()
        switch = roll < 0.1
        drug = _P if roll < 0.35 else _Z
        course = _course(
            rng, patient=patient, first=first, end=end, switch=switch, drug=drug, rate=rate
        )
        diagnosis = str(rng.choice(_CONDITIONS))
        if course and rng.random() < rate / len(INJECTED):
            diagnosis = Diagnosis.OTHER.value
            for infusion in course:
                infusion.labels.add(Code.NOT_INDICATED)
        if course and rng.random() < rate / len(INJECTED) * 4:
            # One infusion after the 19th birthday, long after the course.
            late = scope_end + dt.timedelta(days=int(rng.integers(0, 60)))
            last = course[-1]
            if late < window_end and late >= add_months(last.date, 12):
                labels = {Code.AFTER_19TH_BIRTHDAY, *(last.labels & {Code.NOT_INDICATED})}
                course.append(_Infusion(patient, late, last.drug, last.number + 1, labels=labels))
        sexes.append(sex.value)
        births.append(birth)
        diagnoses.append(diagnosis)
        infusions += course
    frame = pd.DataFrame(
        {
            "patient_id": [f"P{patient:06d}" for patient in range(patients)],
            "birth_date": np.array(births, dtype="datetime64[D]"),
            "sex": sexes,
            "diagnosis": diagnoses,
        }
    )
    return frame, infusions


def _floor(units: Array, step: Array) -> Array:
    result: Array = units // step * step
    return result


def generate(
    *,
    patients: int,
    years: int,
    start: dt.date = dt.date(2010, 1, 1),
    seed: int = 0,
    deviation_rate: float = 0.05,
) -> Generated:
    """A history of ``patients`` children treated over ``years`` years from ``start``.

    Args:
        patients: How many children.
        years: How many years the history spans.
        start: The first day of the history.
        seed: The seed: the same arguments give the same history.
        deviation_rate: About this fraction of the administrations carries an injected deviation.

    Returns:
        The three tables, the administrations labelled with the deviations injected.
    """
    rng = np.random.default_rng(seed)
    table, infusions = _schedule(rng, patients, years, start, deviation_rate)
    n = len(infusions)
    pid = np.array([i.patient for i in infusions], dtype=np.int64)
    days = np.array([i.date for i in infusions], dtype="datetime64[D]")
    zol = np.array([i.drug is _Z for i in infusions], dtype=bool)
    number = np.array([i.number for i in infusions], dtype=np.int64)
    paused = np.array([i.after_pause for i in infusions], dtype=bool)
    labels: list[set[Code]] = [set(i.labels) for i in infusions]
    sex = table["sex"].to_numpy(dtype=object)[pid]
    births = table["birth_date"].to_numpy(dtype="datetime64[D]")[pid]
    months = (days - births).astype(np.int64) / 30.4375
    # Weight on the day: the reference at the child's own Z-score; the height from the BMI at
    # that Z-score; the creatinine from a normal GFR (Schwartz-40 inverted).
    z = np.clip(rng.normal(-0.4, 0.9, patients), -2.5, 2.5)[pid] + rng.normal(0, 0.05, n)
    weight_kg = np.round(_reference(_lms_table("weight"), sex, months, z), 1)
    bmi = _reference(_lms_table("bmi"), sex, months, z)  # a heavier child is broader, not taller
    height_cm = np.round(100 * np.sqrt(weight_kg / bmi), 1)
    gfr = rng.uniform(_GFR_GATE * 1.12, _GFR_GATE * 1.7, n)
    weight_mg = np.rint(weight_kg * _WEIGHT).astype(np.int64)

    dose_mg = _doses(rng, zol=zol, number=number, weight_mg=weight_mg)
    values: dict[str, Array] = {
        "dose_mg": dose_mg,
        "volume_ml": np.where(zol, rng.choice(_ZOL_VOLUMES, n), np.round(dose_mg / _PAM_MG_ML, 6)),
        "duration_min": np.where(zol, _ZOL_MINUTES, _PAM_MINUTES).astype(np.float64),
        "gfr": gfr,
        "calcium": rng.uniform(_CALCIUM + 0.1, _CALCIUM + 0.45, n),
        "temperature": rng.uniform(_FEVER - 2.3, _FEVER - 1.0, n),
        **{name: rng.uniform(*_NORMAL[name], n) for name in _PANEL_ONLY},
        "drop_panel": np.full(n, "", dtype=object),
    }
    weighed = days - np.where(rng.random(n) < 0.2, rng.integers(1, 8, n), 0).astype(
        "timedelta64[D]"
    )
    first_of_patient = np.r_[True, pid[1:] != pid[:-1]] if n else np.zeros(0, bool)
    # A row before an infusion without its own creatinine keeps a normal one.
    before_pause = np.zeros(n, dtype=bool)
    before_pause[:-1] = paused[1:] & (pid[1:] == pid[:-1])
    _inject_rows(
        rng,
        rate=deviation_rate,
        labels=labels,
        values=values,
        weight_kg=weight_kg,
        zol=zol,
        number=number,
        first_of_patient=first_of_patient,
        before_pause=before_pause,
    )
    dose_mg, volume_ml, duration_min = (
        values["dose_mg"],
        values["volume_ml"],
        values["duration_min"],
    )
    gfr, calcium, temperature = values["gfr"], values["calcium"], values["temperature"]
    panel = {name: values[name] for name in _PANEL_ONLY}
    dropped_panel = values["drop_panel"]
    drop_creatinine = paused
    creatinine = np.round(_SCHWARTZ_K * height_cm / gfr, 1)

    patient_ids = table["patient_id"].to_numpy(dtype=object)[pid]
    drugs = np.where(zol, _Z.value, _P.value).astype(object)
    given = pd.DataFrame(
        {
            "patient_id": patient_ids,
            "date": days,
            "drug": drugs,
            "dose_mg": dose_mg,
            "volume_ml": volume_ml,
            "duration_min": duration_min,
            "expected_deviations": [";".join(sorted(c.value for c in label)) for label in labels],
            "expected_rule_ids": [";".join(r.rule_ids(tuple(label))) for label in labels],
        }
    )
    measured = _measurements(
        patient_ids=patient_ids,
        days=days,
        weighed=weighed,
        weight_kg=weight_kg,
        height_cm=height_cm,
        creatinine=creatinine,
        drop_creatinine=drop_creatinine,
        calcium=calcium,
        temperature=temperature,
        first=first_of_patient,
        panel=panel,
        dropped_panel=dropped_panel,
        rng=rng,
    )
    return Generated(
        patients=table.sort_values("patient_id", ignore_index=True),
        administrations=given.sort_values(
            ["patient_id", "date", "drug", "dose_mg", "volume_ml", "duration_min"],
            kind="stable",
            ignore_index=True,
        ),
        measurements=measured,
    )


def _doses(rng: np.random.Generator, *, zol: Array, number: Array, weight_mg: Array) -> Array:
    """The dose of the phase, exactly as the guideline gives it, in mg.

    Zoledronic acid: the first at 0.0125 (or 0.025 on request) mg/kg, the second at 0.025,
    later ones at 0.05; pamidronate 2 mg/kg, half for the first with half the cap; capped and
    rounded down to the step.
    """
    n = number.size
    first_choice = np.where(rng.random(n) < 0.2, _ZOL_SECOND, _ZOL_FIRST)
    zol_per_kg = np.where(
        number == 1, first_choice, np.where(number == 2, _ZOL_SECOND, _ZOL_REGULAR)
    )
    pam_first = ~zol & (number == 1)
    per_kg = np.where(zol, zol_per_kg, _PAM)
    cap = np.where(zol, _CAP[_Z], _CAP[_P])
    half = _PAM_HALF
    ceiling = np.where(pam_first, cap * half.numerator // half.denominator, cap)
    proposed = per_kg * weight_mg
    proposed = np.where(pam_first, proposed * half.numerator // half.denominator, proposed)
    step = np.where(zol, _STEP[_Z], _STEP[_P])
    result: Array = _floor(np.minimum(proposed, ceiling), step) / _SCALE
    return result


def _inject_rows(
    rng: np.random.Generator,
    *,
    rate: float,
    labels: list[set[Code]],
    values: dict[str, Array],
    weight_kg: Array,
    zol: Array,
    number: Array,
    first_of_patient: Array,
    before_pause: Array,
) -> None:
    """One deviation on a fraction of the administrations without a structural one."""
    structural = {Code.INTERVAL_TOO_SHORT, Code.CREATININE_NOT_FRESH, Code.AFTER_19TH_BIRTHDAY}
    free = np.array([not (label & structural) for label in labels], dtype=bool) & ~before_pause
    chosen = free & (rng.random(free.size) < rate)
    kinds = [code for code in INJECTED if code not in (*structural, Code.NOT_INDICATED)]
    picks = rng.integers(0, len(kinds), free.size)
    for row in np.flatnonzero(chosen):
        applied = _inject(
            kinds[int(picks[row])],
            rng,
            weight_kg=float(weight_kg[row]),
            dose_mg=float(values["dose_mg"][row]),
            zol=bool(zol[row]),
            number=int(number[row]),
            first_of_patient=bool(first_of_patient[row]),
        )
        if applied is None:
            continue
        changes, label = applied
        for name, value in changes.items():
            values[name][row] = value
        labels[row].add(label)


def _inject(
    code: Code,
    rng: np.random.Generator,
    *,
    weight_kg: float,
    dose_mg: float,
    zol: bool,
    number: int,
    first_of_patient: bool,
) -> tuple[dict[str, float | str], Code] | None:
    """The change that makes an administration break ``code``'s rule only, or ``None``."""
    regular_zol = zol and number > t.ZOLEDRONIC_ACID_FIRST_INFUSIONS
    if code is Code.ZOLEDRONIC_ACID_OVER_PER_KG and regular_zol:
        over = math.ceil(_MAX[_Z, t.Phase.REGULAR] * weight_kg * 1.3 * 1000) / 1000
        return ({"dose_mg": over}, code) if over <= t.DAILY_CAP_MG[_Z].value else None
    if code is Code.ZOLEDRONIC_ACID_FIRST_OVER_PER_KG and zol and number == 1:
        over = math.floor(_MAX[_Z, t.Phase.REGULAR] * weight_kg * 1000) / 1000
        limit = _MAX[_Z, t.Phase.FIRST] * weight_kg
        return ({"dose_mg": over}, code) if limit < over <= t.DAILY_CAP_MG[_Z].value else None
    if code is Code.PAMIDRONATE_OVER_PER_KG and not zol and number > 1:
        over = math.ceil(_MAX[_P, t.Phase.REGULAR] * weight_kg * 1.2 * 10) / 10
        if over > t.DAILY_CAP_MG[_P].value:
            return None
        return {"dose_mg": over, "volume_ml": round(over / _PAM_MG_ML, 6)}, code
    if code is Code.PAMIDRONATE_FIRST_OVER_PER_KG and not zol and number == 1:
        over = math.floor(_MAX[_P, t.Phase.REGULAR] * weight_kg * 10) / 10
        half_cap = t.DAILY_CAP_MG[_P].value * float(_PAM_HALF)
        if not _MAX[_P, t.Phase.FIRST] * weight_kg < over <= half_cap:
            return None
        return {"dose_mg": over, "volume_ml": round(over / _PAM_MG_ML, 6)}, code
    if code is Code.PAMIDRONATE_OVER_CAP and not zol and number > 1:
        over = t.DAILY_CAP_MG[_P].value + 5
        if over > _MAX[_P, t.Phase.REGULAR] * weight_kg:
            return None
        return {"dose_mg": over, "volume_ml": round(over / _PAM_MG_ML, 6)}, code
    if code is Code.ZOLEDRONIC_ACID_TOO_FAST and zol:
        return {"duration_min": _ZOL_LABEL_MINUTES * 2 / 3}, code
    if code is Code.PAMIDRONATE_TOO_CONCENTRATED and not zol:
        return {"volume_ml": round(dose_mg / (_PAM_LABEL_MG_ML * 1.25), 3) + 0.0}, code
    if code is Code.PAMIDRONATE_TOO_FAST and not zol:
        minutes = math.floor(dose_mg / (_PAM_LABEL_MG_H * 1.25) * 60)
        if minutes < 1:
            return None
        return {"duration_min": float(minutes)}, code
    if code is Code.PAMIDRONATE_TOO_FAST_RENAL and not zol:
        minutes = math.floor(dose_mg / ((_PAM_RENAL_MG_H + _PAM_LABEL_MG_H) / 2) * 60)
        gfr = float(rng.uniform(_GFR_PAM * 1.3, _GFR_GATE * 0.9))
        return ({"duration_min": float(minutes), "gfr": gfr}, code) if minutes >= 1 else None
    if code is Code.PAMIDRONATE_GFR_TOO_LOW and not zol:
        if dose_mg > _PAM_RENAL_MG_H * _PAM_MINUTES / 60:
            return None  # the renal rate would be broken too
        return {"gfr": float(rng.uniform(_GFR_PAM * 0.5, _GFR_PAM * 0.9))}, code
    if code is Code.ZOLEDRONIC_ACID_GFR_TOO_LOW and zol:
        return {"gfr": float(rng.uniform(_GFR_GATE * 0.6, _GFR_GATE * 0.95))}, code
    if code is Code.HYPOCALCAEMIA:
        return {"calcium": float(rng.uniform(_CALCIUM - 0.4, _CALCIUM - 0.05))}, code
    if code is Code.FEVER:
        return {"temperature": float(rng.uniform(_FEVER + 0.2, _FEVER + 1.5))}, code
    if code is Code.VITAMIN_D_DEFICIENT and first_of_patient:
        return {"vitamin_d_25oh": float(rng.uniform(_VITAMIN_D * 0.3, _VITAMIN_D * 0.9))}, code
    if code is Code.FIRST_LABS_MISSING and first_of_patient:
        return {"drop_panel": str(rng.choice(_PANEL_ONLY))}, code
    return None


def _measurements(
    *,
    patient_ids: Array,
    days: Array,
    weighed: Array,
    weight_kg: Array,
    height_cm: Array,
    creatinine: Array,
    drop_creatinine: Array,
    calcium: Array,
    temperature: Array,
    first: Array,
    panel: dict[str, Array],
    dropped_panel: Array,
    rng: np.random.Generator,
) -> pd.DataFrame:
    parts: list[tuple[Array, Array, str, Array]] = [
        (patient_ids, weighed, "weight_kg", weight_kg),
        (patient_ids, weighed, "height_cm", height_cm),
        (
            patient_ids[~drop_creatinine],
            days[~drop_creatinine],
            LAB_MEASUREMENTS["creatinine"],
            creatinine[~drop_creatinine],
        ),
        (patient_ids, days, LAB_MEASUREMENTS["calcium"], np.round(calcium, 2)),
        (patient_ids, days, "temperature_c", np.round(temperature, 1)),
    ]
    before = days[first] - rng.integers(1, 30, int(first.sum())).astype("timedelta64[D]")
    for name in (*_PANEL_ONLY, "creatinine", "calcium"):
        values = panel.get(name)
        if values is None:
            source = creatinine if name == "creatinine" else calcium
            values = source
        keep = dropped_panel[first] != name
        parts.append(
            (
                patient_ids[first][keep],
                before[keep],
                LAB_MEASUREMENTS[name],
                np.round(values[first][keep], 2),
            )
        )
    frame = pd.DataFrame(
        {
            "patient_id": np.concatenate([p[0] for p in parts]),
            "date": np.concatenate([p[1] for p in parts]),
            "kind": np.concatenate([np.full(p[0].size, p[2], dtype=object) for p in parts]),
            "value": np.concatenate([p[3] for p in parts]),
        }
    )
    return frame.sort_values(["patient_id", "kind", "date"], kind="stable", ignore_index=True)
