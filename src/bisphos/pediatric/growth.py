"""The plausible weight for the child's age, sex and height (P-WEIGHT-PLAUSIBLE).

The growth reference is the CDC 2000 growth charts of the US National Center for Health
Statistics (Kuczmarski et al., Vital Health Stat 11(246), 2002): the LMS parameters of
weight-for-age and BMI-for-age from 24 to 240.5 months, by sex, carried as package data
(``data/cdc2000_lms.csv``, public domain, the published tables ``wtage`` and ``bmiage``
unchanged). L, M and S are interpolated linearly between the monthly rows.

The Z-score judged is the *modified* Z-score the CDC uses to flag biologically implausible
values: the distance from the median in units of half the distance between the median and the
value at ±2 SDS of the LMS curve (``M * (1 + L * S * z) ** (1 / L)``), on the side of the value.
The LMS Z-score itself (Cole 1990) flattens at the extremes — for weight and BMI it cannot
exceed about +5 at most ages however heavy the child — so it cannot carry a ±5 SDS bound; the
modified score extends the spread near ±2 SDS linearly.

The reading: with a height, the body mass index decides — BMI-for-age within ±5 SDS of the
reference from 2 to 20 years, and a BMI within 8–60 kg/m² at every age (where no reference
applies, and as a backstop where one does: the LMS curves of BMI flatten at the extremes, so a
Z-score alone cannot exceed about +5 however heavy the child). Without a height, weight-for-age
within ±5 SDS from 2 to 20 years; below 2 years without a height nothing is judged here (the
model's plausible range of 0.4–250 kg still holds). Sex ``other`` is judged against both
references and is implausible only when implausible for both.

An implausible weight is not dosed today: a BLOCK finding ``weight-implausible``, which a
clinician's override of P-WEIGHT-PLAUSIBLE with a coded reason releases (P-OVERRIDE).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import io
import math
from collections.abc import Mapping
from importlib.resources import files
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from bisphos import quantities as q
from bisphos.dates import DAYS_PER_MONTH
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Patient, Sex
from bisphos.pediatric.thresholds import BMI_PLAUSIBLE_KG_M2, WEIGHT_PLAUSIBLE_SDS
from bisphos.units import quantity, ureg

__all__ = [
    "REFERENCE",
    "GrowthCheck",
    "GrowthChecks",
    "Lms",
    "age_in_months",
    "check_arrays",
    "check_values",
    "check_weight",
    "lms",
    "modified_z_score",
    "value_at",
    "weight_finding",
    "z_score",
]

_BMI_UNIT: Final = ureg.Unit("kg/m**2")
_Floats = npt.NDArray[np.float64]
_Texts = npt.NDArray[Any]
_Columns = tuple[_Floats, _Floats, _Floats, _Floats]

#: The growth reference named in every finding (its words are in the message catalogue).
REFERENCE: Final = "cdc-2000"


@attrs.frozen
class Lms:
    """The LMS parameters of one measure at one age: Box-Cox power, median, variation."""

    l: float  # noqa: E741 - the LMS method's own name
    m: float
    s: float


@functools.cache
def _table() -> Mapping[tuple[str, str], tuple[tuple[float, ...], tuple[Lms, ...], _Columns]]:
    """The reference table, read once: (measure, sex) to the ages in months and their LMS.

    Each also as arrays (ages, L, M and S), for :func:`check_arrays`.
    """
    raw = files("bisphos.pediatric").joinpath("data/cdc2000_lms.csv").read_text(encoding="utf-8")
    rows: dict[tuple[str, str], list[tuple[float, Lms]]] = {}
    for row in csv.DictReader(io.StringIO(raw)):
        key = (row["measure"], row["sex"])
        lms_row = Lms(float(row["L"]), float(row["M"]), float(row["S"]))
        rows.setdefault(key, []).append((float(row["age_months"]), lms_row))
    table = {}
    for key, value in rows.items():
        ordered = sorted(value, key=lambda item: item[0])
        ages = tuple(age for age, _ in ordered)
        lms_rows = tuple(item for _, item in ordered)
        columns = (
            np.array(ages),
            np.array([r.l for r in lms_rows]),
            np.array([r.m for r in lms_rows]),
            np.array([r.s for r in lms_rows]),
        )
        table[key] = (ages, lms_rows, columns)
    return table


def age_in_months(birth_date: dt.date, on: dt.date) -> float:
    """The age in months on ``on``, as the CDC tables count it.

    A month is :data:`~bisphos.dates.DAYS_PER_MONTH` (30.4375) days.
    """
    return (on - birth_date).days / DAYS_PER_MONTH


def lms(measure: str, sex: Sex, months: float) -> Lms | None:
    """Return the LMS of ``measure`` (``"bmi"`` or ``"weight"``) at ``months``, or ``None``.

    ``None`` outside the reference's ages (24 to 240.5 months; 24 to 24.5 months take the first
    row) or for sex ``other``.
    """
    entry = _table().get((measure, sex.value))
    if entry is None:
        return None
    ages, rows, _ = entry
    if not 24.0 <= months <= ages[-1]:
        return None
    if months <= ages[0]:
        return rows[0]
    index = bisect.bisect_left(ages, months)
    age_a, age_b, a, b = ages[index - 1], ages[index], rows[index - 1], rows[index]
    t = (months - age_a) / (age_b - age_a)
    return Lms(a.l + t * (b.l - a.l), a.m + t * (b.m - a.m), a.s + t * (b.s - a.s))


def z_score(value: float, parameters: Lms) -> float:
    """The LMS Z-score of ``value`` (Cole 1990); L = 0 is the log-normal limit."""
    if parameters.l == 0:
        return math.log(value / parameters.m) / parameters.s
    power: float = (value / parameters.m) ** parameters.l
    return (power - 1) / (parameters.l * parameters.s)


def value_at(z: float, parameters: Lms) -> float:
    """The value at Z-score ``z`` of the LMS curve."""
    l, m, s = parameters.l, parameters.m, parameters.s  # noqa: E741 - the method's names
    if l == 0:
        return m * math.exp(s * z)
    return float(m * (1 + l * s * z) ** (1 / l))


def modified_z_score(value: float, parameters: Lms) -> float:
    """The CDC's modified Z-score of ``value``: linear beyond the median, scaled at ±2 SDS."""
    median = parameters.m
    side = 2.0 if value >= median else -2.0
    spread = abs(value_at(side, parameters) - median) / 2
    return (value - median) / spread


@attrs.frozen
class GrowthCheck:
    """The plausibility of a weight (P-WEIGHT-PLAUSIBLE).

    Attributes:
        plausible: Whether the weight is plausible.
        weight_kg: The weight.
        height_cm: The height, when known.
        bmi_kg_m2: The body mass index, when the height is known.
        z_bmi: BMI-for-age modified Z-score, when the reference applies.
        z_weight: Weight-for-age modified Z-score, when the reference applies and no height is
            known.
        reasons: Why the weight is implausible (empty when plausible).
    """

    plausible: bool
    weight_kg: float
    height_cm: float | None
    bmi_kg_m2: float | None
    z_bmi: float | None
    z_weight: float | None
    reasons: tuple[str, ...]


def _z_for(measure: str, sex: Sex, months: float, value: float) -> float | None:
    """The Z-score; for sex ``other`` the one nearer to 0 of both references (the milder)."""
    sexes = (Sex.FEMALE, Sex.MALE) if sex is Sex.OTHER else (sex,)
    scores = [
        modified_z_score(value, parameters)
        for each in sexes
        if (parameters := lms(measure, each, months)) is not None
    ]
    return min(scores, key=abs) if scores else None


def check_weight(patient: Patient) -> GrowthCheck:
    """Judge the patient's weight against age, sex and height (P-WEIGHT-PLAUSIBLE)."""
    return check_values(
        patient.sex,
        age_in_months(patient.birth_date, patient.assessment_date),
        q.WEIGHT.magnitude(patient.weight, field="weight"),
        None if patient.height is None else q.HEIGHT.magnitude(patient.height, field="height"),
    )


def _modified_z(measure: str, sex: str, months: _Floats, value: _Floats) -> _Floats:
    """:func:`modified_z_score` of :func:`lms` over arrays; NaN outside the reference's ages."""
    entry = _table().get((measure, sex))
    if entry is None:
        return np.full(len(months), np.nan)
    ages, ls, ms, ss = entry[2]
    inside = (months >= 24.0) & (months <= ages[-1])
    index = np.clip(np.searchsorted(ages, months, side="left"), 1, len(ages) - 1)
    first = months <= ages[0]
    t = (months - ages[index - 1]) / (ages[index] - ages[index - 1])

    def at(values: _Floats) -> _Floats:
        a, b = values[index - 1], values[index]
        interpolated: _Floats = np.where(first, values[0], a + t * (b - a))
        return interpolated

    l, m, s = at(ls), at(ms), at(ss)  # noqa: E741 - the LMS method's own names
    side = np.where(value >= m, 2.0, -2.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_normal = m * np.exp(s * side)
        box_cox = m * (1 + l * s * side) ** (1 / np.where(l == 0, 1.0, l))
        spread = np.abs(np.where(l == 0, log_normal, box_cox) - m) / 2
        z: _Floats = np.where(inside, (value - m) / spread, np.nan)
    return z


def _z_arrays(measure: str, sexes: _Texts, months: _Floats, value: _Floats) -> _Floats:
    """The modified Z-score of each row; for sex ``other`` the one nearer to 0 of both."""
    female = _modified_z(measure, Sex.FEMALE.value, months, value)
    male = _modified_z(measure, Sex.MALE.value, months, value)
    milder = np.where(
        np.isnan(female) | (np.abs(male) < np.abs(female)), male, female
    )  # min by abs, the first of equals (female)
    return np.where(
        sexes == Sex.FEMALE.value,
        female,
        np.where(sexes == Sex.MALE.value, male, milder),
    )


@attrs.frozen
class GrowthChecks:
    """P-WEIGHT-PLAUSIBLE over arrays of children (NaN where a value does not apply).

    Attributes:
        implausible: Whether each weight is implausible.
        bmi_kg_m2: The body mass index, where the height is known.
        z_bmi: BMI-for-age modified Z-score, where the height is known and the reference applies.
        z_weight: Weight-for-age modified Z-score, without a height where the reference applies.
    """

    implausible: npt.NDArray[np.bool_]
    bmi_kg_m2: _Floats
    z_bmi: _Floats
    z_weight: _Floats


def check_arrays(
    sexes: _Texts, months: _Floats, weight_kg: _Floats, height_cm: _Floats
) -> GrowthChecks:
    """Judge weights in kg at ages in months, with heights in cm (NaN: unknown), by sex value.

    The one implementation of P-WEIGHT-PLAUSIBLE, over the LMS tables as arrays: the batch path
    (:mod:`bisphos.batch.vector`) calls it with its columns, :func:`check_values` with one row.
    """
    measured = ~np.isnan(height_cm)
    with np.errstate(invalid="ignore"):
        bmi = np.where(measured, weight_kg / (height_cm / 100) ** 2, np.nan)
    low, high = BMI_PLAUSIBLE_KG_M2
    z_bmi = np.where(measured, _z_arrays("bmi", sexes, months, bmi), np.nan)
    z_weight = np.where(measured, np.nan, _z_arrays("weight", sexes, months, weight_kg))
    beyond = WEIGHT_PLAUSIBLE_SDS
    with np.errstate(invalid="ignore"):
        implausible = (
            (measured & ~((bmi >= low) & (bmi <= high)))
            | (np.abs(z_bmi) > beyond)
            | (np.abs(z_weight) > beyond)
        )
    return GrowthChecks(implausible, bmi, z_bmi, z_weight)


def _number(value: np.float64) -> float | None:
    return None if np.isnan(value) else float(value)


def check_values(sex: Sex, months: float, weight_kg: float, height_cm: float | None) -> GrowthCheck:
    """Judge a weight in kg at an age in months, with a height in cm or ``None``.

    :func:`check_arrays` on one row, with the reasons in words: :func:`check_weight` calls it.
    """
    checks = check_arrays(
        np.array([sex.value]),
        np.array([months]),
        np.array([weight_kg]),
        np.array([np.nan if height_cm is None else height_cm]),
    )
    bmi, z_bmi = _number(checks.bmi_kg_m2[0]), _number(checks.z_bmi[0])
    z_weight = _number(checks.z_weight[0])
    reasons: list[str] = []
    low, high = BMI_PLAUSIBLE_KG_M2
    if bmi is not None and not low <= bmi <= high:
        reasons.append(f"BMI {bmi:.1f} kg/m² outside {low:g}-{high:g} kg/m²")
    if z_bmi is not None and abs(z_bmi) > WEIGHT_PLAUSIBLE_SDS:
        reasons.append(f"BMI-for-age {z_bmi:+.1f} SDS, beyond ±{WEIGHT_PLAUSIBLE_SDS:g} SDS")
    if z_weight is not None and abs(z_weight) > WEIGHT_PLAUSIBLE_SDS:
        reasons.append(f"weight-for-age {z_weight:+.1f} SDS, beyond ±{WEIGHT_PLAUSIBLE_SDS:g} SDS")
    return GrowthCheck(
        plausible=not bool(checks.implausible[0]),
        weight_kg=weight_kg,
        height_cm=height_cm,
        bmi_kg_m2=bmi,
        z_bmi=z_bmi,
        z_weight=z_weight,
        reasons=tuple(reasons),
    )


def weight_finding(patient: Patient) -> Finding | None:
    """Return the BLOCK finding ``weight-implausible``, or ``None`` for a plausible weight."""
    check = check_weight(patient)
    if check.plausible:
        return None
    evidence = [Evidence("weight", patient.weight)]
    if patient.height is not None:
        evidence.append(Evidence("height", patient.height))
    if check.bmi_kg_m2 is not None:
        evidence.append(Evidence("bmi", quantity(round(check.bmi_kg_m2, 1), _BMI_UNIT)))
    for name, z in (("bmi_for_age_z", check.z_bmi), ("weight_for_age_z", check.z_weight)):
        if z is not None:
            evidence.append(Evidence(name, round(z, 1), threshold=WEIGHT_PLAUSIBLE_SDS))
    evidence.append(Evidence("growth_reference", REFERENCE))
    return Finding(
        code="weight-implausible",
        rule_ids=("P-WEIGHT-PLAUSIBLE",),
        severity=Severity.BLOCK,
        message=(
            "The weight is implausible for the age, sex and height (beyond ±5 SDS of the growth "
            "reference, or a BMI outside 8-60 kg/m²): not dosed today."
        ),
        evidence=tuple(evidence),
        action=(
            "Check the weight: weigh the child again and correct the entry; a clinician who "
            "confirms it overrides P-WEIGHT-PLAUSIBLE with a coded reason."
        ),
    )
