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
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Patient, Sex
from bisphos.pediatric.thresholds import BMI_PLAUSIBLE_KG_M2, WEIGHT_PLAUSIBLE_SDS
from bisphos.units import quantity, ureg

__all__ = [
    "REFERENCE",
    "GrowthCheck",
    "Lms",
    "age_in_months",
    "check_values",
    "check_weight",
    "lms",
    "modified_z_score",
    "value_at",
    "weight_finding",
    "z_score",
]

_BMI_UNIT: Final = ureg.Unit("kg/m**2")

#: The growth reference named in every finding (its words are in the message catalogue).
REFERENCE: Final = "cdc-2000"


@attrs.frozen
class Lms:
    """The LMS parameters of one measure at one age: Box-Cox power, median, variation."""

    l: float  # noqa: E741 - the LMS method's own name
    m: float
    s: float


@functools.cache
def _table() -> Mapping[tuple[str, str], tuple[tuple[float, ...], tuple[Lms, ...]]]:
    """The reference table, read once: (measure, sex) to the ages in months and their LMS."""
    raw = files("bisphos.pediatric").joinpath("data/cdc2000_lms.csv").read_text(encoding="utf-8")
    rows: dict[tuple[str, str], list[tuple[float, Lms]]] = {}
    for row in csv.DictReader(io.StringIO(raw)):
        key = (row["measure"], row["sex"])
        lms_row = Lms(float(row["L"]), float(row["M"]), float(row["S"]))
        rows.setdefault(key, []).append((float(row["age_months"]), lms_row))
    table = {}
    for key, value in rows.items():
        ordered = sorted(value, key=lambda item: item[0])
        table[key] = (tuple(age for age, _ in ordered), tuple(item for _, item in ordered))
    return table


def age_in_months(birth_date: dt.date, on: dt.date) -> float:
    """The age in months (of 30.4375 days) on ``on``, as the CDC tables count it."""
    return (on - birth_date).days / 30.4375


def lms(measure: str, sex: Sex, months: float) -> Lms | None:
    """Return the LMS of ``measure`` (``"bmi"`` or ``"weight"``) at ``months``, or ``None``.

    ``None`` outside the reference's ages (24 to 240.5 months; 24 to 24.5 months take the first
    row) or for sex ``other``.
    """
    entry = _table().get((measure, sex.value))
    if entry is None:
        return None
    ages, rows = entry
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


def check_values(sex: Sex, months: float, weight_kg: float, height_cm: float | None) -> GrowthCheck:
    """Judge a weight in kg at an age in months, with a height in cm or ``None``.

    The one implementation of P-WEIGHT-PLAUSIBLE: :func:`check_weight` and the batch path
    (:mod:`bisphos.batch.vector`) both call it.
    """
    reasons: list[str] = []
    bmi = z_bmi = z_weight = None
    if height_cm is not None:
        bmi = weight_kg / (height_cm / 100) ** 2
        low, high = BMI_PLAUSIBLE_KG_M2
        if not low <= bmi <= high:
            reasons.append(f"BMI {bmi:.1f} kg/m² outside {low:g}-{high:g} kg/m²")
        z_bmi = _z_for("bmi", sex, months, bmi)
        if z_bmi is not None and abs(z_bmi) > WEIGHT_PLAUSIBLE_SDS:
            reasons.append(f"BMI-for-age {z_bmi:+.1f} SDS, beyond ±{WEIGHT_PLAUSIBLE_SDS:g} SDS")
    else:
        z_weight = _z_for("weight", sex, months, weight_kg)
        if z_weight is not None and abs(z_weight) > WEIGHT_PLAUSIBLE_SDS:
            reasons.append(
                f"weight-for-age {z_weight:+.1f} SDS, beyond ±{WEIGHT_PLAUSIBLE_SDS:g} SDS"
            )
    return GrowthCheck(
        plausible=not reasons,
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
