"""Time a complete pediatric course with bisphos against the same arithmetic on plain floats.

A course here is 6 infusions of zoledronic acid and 6 of pamidronate for one patient: the dose of
each infusion (phase, option defaults, cap, round-down), its preparation (volume, rate) and its
date. The plain version below uses floats, ``datetime`` and ``calendar`` only — no Pint, no attrs,
no rule ids, no checks — and must give the same numbers, which the script asserts before timing.

Run: ``python benchmarks/bench_dose.py``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import time
from collections.abc import Callable

from bisphos import quantities as q
from bisphos.model import Drug, Patient, RiskFlags
from bisphos.pediatric.dosing import DoseFacts, compute_dose
from bisphos.pediatric.infusion import prepare_infusion
from bisphos.pediatric.limits import canonical_magnitude
from bisphos.pediatric.schedule import Horizon, interval_before, plan_course
from bisphos.units import ureg

WEIGHT_KG = 23.7
START = dt.date(2025, 8, 31)
BORN = dt.date(2016, 2, 29)
INFUSIONS = 6
Row = tuple[int, dt.date, float, float, float]


# ---- plain floats -----------------------------------------------------------------------------
def plain_add_months(start: dt.date, months: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def plain_floor(value: float, step: float) -> float:
    # The tiny tolerance absorbs binary noise (0.0125 x 20 = 0.25, not 0.2499...).
    return round(math.floor(value / step + 1e-9) * step, 10)


def plain_course(drug: str, weight_kg: float, start: dt.date, count: int) -> list[Row]:
    rows: list[Row] = []
    months = 0
    for number in range(1, count + 1):
        if number > 1:
            months += 3 if drug == "pamidronate" or number == 2 else 6
        date = plain_add_months(start, months)
        if drug == "zoledronic_acid":
            per_kg = 0.0125 if number == 1 else 0.025 if number == 2 else 0.05
            dose = plain_floor(min(per_kg * weight_kg, 4.0, 0.05 * weight_kg), 0.001)
            volume, rate = 50.0, 50.0
        else:
            regular = min(2.0 * weight_kg, 90.0)
            dose = plain_floor(regular / 2 if number == 1 else regular, 0.1)
            volume = round(dose / 0.1, 10)
            rate = round(volume / 4.0, 10)
        rows.append((number, date, dose, volume, rate))
    return rows


# ---- bisphos ----------------------------------------------------------------------------------
def patient() -> Patient:
    return Patient(
        birth_date=BORN,
        assessment_date=START,
        sex="female",
        weight=ureg.Quantity(WEIGHT_KG, "kilogram"),
        diagnosis="osteogenesis_imperfecta",
        risks=RiskFlags(could_become_pregnant=False),
        still_growing=True,
    )


def library_core(subject: Patient, drug: Drug, count: int) -> list[Row]:
    """Doses, preparations and dates only, as the plain version computes them."""
    rows: list[Row] = []
    months = 0
    for number in range(1, count + 1):
        if number > 1:
            months += interval_before(drug, number).months
        date = plain_add_months(subject.assessment_date, months)
        dose = compute_dose(drug, DoseFacts.of(subject, drug, infusion_number=number, on=date))
        preparation = prepare_infusion(drug, dose.value)
        rows.append(
            (
                number,
                date,
                canonical_magnitude(q.DOSE, dose.value, field="dose"),
                canonical_magnitude(q.VOLUME, preparation.volume, field="volume"),
                canonical_magnitude(q.INFUSION_RATE, preparation.rate, field="rate"),
            )
        )
    return rows


def library_course(subject: Patient, drug: Drug, count: int) -> list[Row]:
    """The whole course as plan_course gives it (with follow-up and findings)."""
    course = plan_course(subject, drug, horizon=Horizon(infusions=count))
    return [
        (
            p.number,
            p.date,
            canonical_magnitude(q.DOSE, p.dose.value, field="dose"),
            canonical_magnitude(q.VOLUME, p.preparation.volume, field="volume"),
            canonical_magnitude(q.INFUSION_RATE, p.preparation.rate, field="rate"),
        )
        for p in course.infusions
    ]


def best_of(run: Callable[[], object], repeat: int = 5, number: int = 200) -> float:
    """The best mean time of one call, in seconds."""
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        for _ in range(number):
            run()
        times.append((time.perf_counter() - begin) / number)
    return min(times)


def main() -> None:
    subject = patient()
    drugs = (Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE)
    for drug in drugs:
        plain = plain_course(drug.value, WEIGHT_KG, START, INFUSIONS)
        assert library_core(subject, drug, INFUSIONS) == plain, drug
        assert library_course(subject, drug, INFUSIONS) == plain, drug
        for row in plain:
            print(
                f"{drug.value:16} #{row[0]} {row[1]}  {row[2]:g} mg  {row[3]:g} ml  {row[4]:g} ml/h"
            )

    def run_plain() -> None:
        for drug in drugs:
            plain_course(drug.value, WEIGHT_KG, START, INFUSIONS)

    def run_core() -> None:
        for drug in drugs:
            library_core(subject, drug, INFUSIONS)

    def run_course() -> None:
        for drug in drugs:
            library_course(subject, drug, INFUSIONS)

    plain_s = best_of(run_plain, number=2000)
    core_s = best_of(run_core)
    course_s = best_of(run_course)
    print()
    print(f"same numbers: yes ({2 * INFUSIONS} infusions, {WEIGHT_KG} kg, from {START})")
    print(f"plain floats:                      {plain_s * 1e6:9.1f} µs per course pair")
    ratio_core, ratio_course = core_s / plain_s, course_s / plain_s
    print(f"bisphos doses+preparation+dates:   {core_s * 1e6:9.1f} µs  ratio {ratio_core:6.0f}x")
    print(
        f"bisphos plan_course (+follow-up):  {course_s * 1e6:9.1f} µs  ratio {ratio_course:6.0f}x"
    )


if __name__ == "__main__":
    main()
