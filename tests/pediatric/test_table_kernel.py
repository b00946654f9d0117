"""The table of the pediatric numbers and the kernel that computes with them, pinned.

Every number is the guideline's (P-ZOL-DOSE, P-ZOL-FIRST, P-ZOL-LOW, P-ZOL-COMPL, P-MAINT-MID,
P-MAINT-HIGH, P-PAM-DOSE, P-PAM-FIRST, P-HUNGRY, P-ZOL-CAP, P-PAM-CAP, P-ZOL-FREQ, P-PAM-FREQ)
or the label's (pamidronate 0.36 mg/ml and 60 mg/h, 20 mg/h in renal impairment; zoledronic acid
over at least 15 minutes), and every kernel result is the guideline's arithmetic on them, worked
by hand: 0.0125 mg/kg x 2.8 kg is 0.035 mg, not 0.034; 45.3 mg pamidronate is 453 ml over 4 h,
113.25 ml/h. The batch arithmetic (integers of 1e-5 mg/kg, mg of weight and 1e-11 mg) gives what
the exact arithmetic gives, for every dose of the table and weights across the range.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.batch import vector
from bisphos.batch.dates import add_months as array_add_months
from bisphos.dates import add_months
from bisphos.model import Drug
from bisphos.pediatric import kernel
from bisphos.pediatric import table as t
from bisphos.pediatric.kernel import EXACT, exact
from bisphos.pediatric.table import Interval, Number, Phase

Z, P = Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE
D = Decimal
#: Conditions, named (a bare True in a call says nothing).
HOLDS, FAILS = True, False


def test_doses_per_kg_are_the_guidelines() -> None:
    """P-ZOL-FIRST 0.0125 (or 0.025 on request) and 0.025 mg/kg, P-ZOL-DOSE 0.05, P-ZOL-LOW and
    P-ZOL-COMPL 0.025, P-MAINT-MID 0.025, P-MAINT-HIGH 0.0125 to 0.025, P-PAM-DOSE 2 mg/kg."""
    assert (
        Number("zoledronic acid, first infusion", 0.0125, "mg/kg", ("P-ZOL-FIRST",))
        == t.ZOLEDRONIC_ACID_FIRST_MG_PER_KG
    )
    assert t.ZOLEDRONIC_ACID_FIRST_ON_REQUEST_MG_PER_KG.value == 0.025
    assert t.ZOLEDRONIC_ACID_FIRST_ON_REQUEST_MG_PER_KG.rule_ids == ("P-ZOL-FIRST",)
    assert (
        t.ZOLEDRONIC_ACID_SECOND_MG_PER_KG.value,
        t.ZOLEDRONIC_ACID_SECOND_MG_PER_KG.rule_ids,
    ) == (
        0.025,
        ("P-ZOL-FIRST",),
    )
    assert t.ZOLEDRONIC_ACID_REGULAR_MG_PER_KG.value == 0.05
    assert t.ZOLEDRONIC_ACID_REGULAR_MG_PER_KG.rule_ids == ("P-ZOL-DOSE",)
    assert t.ZOLEDRONIC_ACID_REDUCED_MG_PER_KG.value == 0.025
    assert t.ZOLEDRONIC_ACID_REDUCED_MG_PER_KG.rule_ids == ("P-ZOL-LOW", "P-ZOL-COMPL")
    assert t.ZOLEDRONIC_ACID_MAINTENANCE_MID_MG_PER_KG.value == 0.025
    assert t.ZOLEDRONIC_ACID_MAINTENANCE_MID_MG_PER_KG.rule_ids == ("P-MAINT-MID",)
    low, high = t.ZOLEDRONIC_ACID_MAINTENANCE_HIGH_MG_PER_KG
    assert (low.value, high.value, low.rule_ids, high.rule_ids) == (
        0.0125,
        0.025,
        ("P-MAINT-HIGH",),
        ("P-MAINT-HIGH",),
    )
    assert t.PAMIDRONATE_MG_PER_KG.value == 2.0
    assert t.PAMIDRONATE_MG_PER_KG.rule_ids == ("P-PAM-DOSE", "P-MAINT-MID", "P-MAINT-HIGH")
    assert Fraction(1, 2) == t.PAMIDRONATE_FIRST_FRACTION
    assert Fraction(1, 4) == t.HUNGRY_BONES_FRACTION
    assert t.HUNGRY_BONES_INFUSIONS == 2
    assert t.ZOLEDRONIC_ACID_REDUCED_BELOW_AGE_YEARS == 2
    for number in t.NUMBERS:
        assert number.unit in {"mg/kg", "mg", "mL", "h", "mg/mL", "mg/h", "min", "mL_min_1_73m2"}, (
            number
        )
        assert number.rule_ids, number
        assert number.decimal == Decimal(repr(number.value))


def test_caps_maxima_and_steps_are_the_guidelines() -> None:
    """P-ZOL-CAP 4 mg, P-PAM-CAP 90 mg a day; per-kg maxima 0.025/0.025/0.05/0.025 mg/kg of
    zoledronic acid and 1/2/2/2 mg/kg of pamidronate by phase; steps 0.001 and 0.1 mg."""
    assert {d: (c.value, c.unit, c.rule_ids) for d, c in t.DAILY_CAP_MG.items()} == {
        Z: (4.0, "mg", ("P-ZOL-CAP",)),
        P: (90.0, "mg", ("P-PAM-CAP",)),
    }
    maxima = {key: (m.value, m.rule_ids) for key, m in t.PER_KG_MAXIMUM_MG_PER_KG.items()}
    assert maxima == {
        (Z, Phase.FIRST): (0.025, ("P-ZOL-FIRST",)),
        (Z, Phase.SECOND): (0.025, ("P-ZOL-FIRST",)),
        (Z, Phase.REGULAR): (0.05, ("P-ZOL-DOSE",)),
        (Z, Phase.MAINTENANCE): (0.025, ("P-MAINT-MID", "P-MAINT-HIGH")),
        (P, Phase.FIRST): (1.0, ("P-PAM-FIRST",)),
        (P, Phase.SECOND): (2.0, ("P-PAM-FIRST", "P-PAM-DOSE")),
        (P, Phase.REGULAR): (2.0, ("P-PAM-DOSE",)),
        (P, Phase.MAINTENANCE): (2.0, ("P-MAINT-MID", "P-MAINT-HIGH")),
    }
    assert all(m.unit == "mg/kg" for m in t.PER_KG_MAXIMUM_MG_PER_KG.values())
    assert {d: (s.value, s.unit) for d, s in t.ROUNDING_STEP_MG.items()} == {
        Z: (0.001, "mg"),
        P: (0.1, "mg"),
    }


def test_intervals_preparation_and_label_limits() -> None:
    """3 months to the second zoledronic acid infusion (P-ZOL-FIRST), then 6 (P-ZOL-FREQ);
    6 without the optional second (P-ZOL-SECOND); pamidronate every 3 (P-PAM-FREQ); maintenance
    6 and 12 months; 50-100 ml over 1 h; 0.1 mg/ml
    over 4 h; the label's 0.36 mg/ml (90 mg in 250 ml), 60 mg/h, 20 mg/h and 15 minutes."""
    assert dict(t.INTERVAL_MONTHS) == {
        "zoledronic_acid_second": Interval(3, "P-ZOL-FIRST"),
        "zoledronic_acid_second_omitted": Interval(6, "P-ZOL-SECOND"),
        "zoledronic_acid": Interval(6, "P-ZOL-FREQ"),
        "pamidronate": Interval(3, "P-PAM-FREQ"),
        "maintenance_mid": Interval(6, "P-MAINT-MID"),
        "maintenance_high": Interval(12, "P-MAINT-HIGH"),
    }
    smallest, largest = t.ZOLEDRONIC_ACID_VOLUME_ML
    assert (smallest.value, largest.value, smallest.unit) == (50.0, 100.0, "mL")
    assert (t.ZOLEDRONIC_ACID_DURATION_H.value, t.ZOLEDRONIC_ACID_DURATION_H.unit) == (1.0, "h")
    assert t.PAMIDRONATE_CONCENTRATION_MG_ML.value == 0.1
    assert t.PAMIDRONATE_CONCENTRATION_MG_ML.unit == "mg/mL"
    assert (t.PAMIDRONATE_DURATION_H.value, t.PAMIDRONATE_DURATION_H.unit) == (4.0, "h")
    assert t.PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML.value == 90 / 250 == 0.36
    assert t.PAMIDRONATE_LABEL_MAX_RATE_MG_H.value == 60.0
    assert t.PAMIDRONATE_LABEL_MAX_RATE_MG_H.unit == "mg/h"
    assert t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.value == 20.0
    assert t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.rule_ids == (
        "P-PAM-RENAL",
        "P-PAM-LABEL",
        "P-CI-RENAL",
    )
    # P-PAM-RENAL: renal function unknown is read as impaired, 20 mg/h (one entry, the gate's
    # and the schedule's).
    rates = {renal: (n.value, n.rule_ids[0]) for renal, n in t.PAMIDRONATE_MAX_RATE_MG_H.items()}
    assert rates == {
        t.RenalFunction.NORMAL: (60.0, "P-PAM-LABEL"),
        t.RenalFunction.IMPAIRED: (20.0, "P-PAM-RENAL"),
        t.RenalFunction.UNKNOWN: (20.0, "P-PAM-RENAL"),
    }
    minimum = t.ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN
    assert (minimum.value, minimum.unit) == (15.0, "min")
    # P-PAM-RENAL, P-GFR-LOCAL, P-HIST-INTERVAL: the gate's own numbers (bisphos.gate).
    assert (t.PAMIDRONATE_MIN_GFR.value, t.PAMIDRONATE_MIN_GFR.rule_ids) == (30.0, ("P-PAM-RENAL",))
    assert [n.value for n in t.LOCAL_GFR_RANGE] == [1.0, 250.0]
    assert t.Interval(3, "P-HIST-INTERVAL") == t.MINIMUM_INTERVAL
    assert t.ZOLEDRONIC_ACID_FIRST_INFUSIONS == 2
    assert len(t.NUMBERS) == len(set(t.NUMBERS)) == 43


def test_the_default_products_and_syringe_are_the_readings() -> None:
    """P-PREP-PRODUCT: zoledronic acid concentrate 4 mg/5 ml = 0.8 mg/ml in a 5 ml vial,
    pamidronate disodium concentrate 3 mg/ml, a syringe resolution of 0.01 ml (at most 1 ml)."""
    product = t.ZOLEDRONIC_ACID_PRODUCT_MG_ML
    vial = t.ZOLEDRONIC_ACID_PRODUCT_VIAL_ML
    assert (product.value, product.unit, vial.value) == (0.8, "mg/mL", 5.0)
    assert product.decimal * vial.decimal == Decimal(4)
    assert (t.PAMIDRONATE_PRODUCT_MG_ML.value, t.PAMIDRONATE_PRODUCT_MG_ML.unit) == (3.0, "mg/mL")
    assert (t.SYRINGE_RESOLUTION_ML.value, t.SYRINGE_RESOLUTION_MAX_ML.value) == (0.01, 1.0)
    ranges = {d: [n.value for n in r] for d, r in t.PRODUCT_CONCENTRATION_RANGE_MG_ML.items()}
    assert ranges == {Drug.ZOLEDRONIC_ACID: [0.04, 0.8], Drug.PAMIDRONATE: [0.1, 15.0]}


def test_exact_is_the_shortest_decimal() -> None:
    """0.1 is 0.1 exactly, and the sign of zero is kept."""
    assert exact(0.1) == D("0.1")
    assert str(exact(0.1)) == "0.1"
    assert str(exact(-0.0)) == "-0.0"
    assert exact(2) == D("2.0")


def test_exact_arithmetic() -> None:
    """The one-patient arithmetic: decimals, exactly."""
    assert EXACT.per_kg(t.ZOLEDRONIC_ACID_REGULAR_MG_PER_KG) == D("0.05")
    assert EXACT.per_kg(0.0125) == D("0.0125")
    assert EXACT.mg(t.DAILY_CAP_MG[P]) == D("90")
    assert EXACT.mg(0.1) == D("0.1")
    assert EXACT.times_weight(D("0.0125"), D("2.8")) == D("0.035")
    assert EXACT.fraction(D("90"), Fraction(1, 2)) == D("45")
    assert EXACT.fraction(D("0.05"), Fraction(1, 4)) == D("0.0125")
    assert EXACT.fraction(D("3"), Fraction(3, 4)) == D("2.25")
    assert EXACT.where(HOLDS, D(1), D(2)) == 1
    assert EXACT.where(FAILS, D(1), D(2)) == 2
    assert EXACT.minimum(D(1), D(2)) == 1
    assert EXACT.minimum(D(2), D(1)) == 1
    assert str(EXACT.minimum(D("4.0"), D("4"))) == "4.0"  # of equal ones, the first
    assert EXACT.floor_to(D("0.0349999"), D("0.001")) == D("0.034")
    assert EXACT.floor_to(D("45.37"), D("0.1")) == D("45.3")
    assert EXACT.floor_to(D("0.035"), D("0.001")) == D("0.035")
    assert EXACT.less(D(1), D(2)) is True
    assert EXACT.less(D(2), D(2)) is False
    assert EXACT.both(HOLDS, HOLDS) is True
    assert EXACT.both(HOLDS, FAILS) is False
    assert EXACT.both(FAILS, HOLDS) is False
    assert EXACT.negate(FAILS) is True
    assert EXACT.negate(HOLDS) is False


def test_regular_and_phase_doses() -> None:
    """P-ZOL-DOSE 0.05, reduced 0.025 (P-ZOL-LOW, P-ZOL-COMPL), P-PAM-DOSE 2 mg/kg; the first
    zoledronic acid infusion at the chosen first dose and the second at 0.025 (P-ZOL-FIRST), both
    under the 4 mg cap; the first pamidronate infusion 1 mg/kg under 45 mg (P-PAM-FIRST)."""
    a = EXACT
    assert kernel.regular_per_kg(a, zoledronic=True, reduced=False) == D("0.05")
    assert kernel.regular_per_kg(a, zoledronic=True, reduced=True) == D("0.025")
    assert kernel.regular_per_kg(a, zoledronic=False, reduced=True) == D("2.0")
    assert kernel.regular_per_kg(a, zoledronic=False, reduced=False) == D("2.0")
    zol_cap, pam_cap = D("4.0"), D("90.0")

    def phase(zoledronic: bool, number: int, regular: str) -> tuple[Decimal, Decimal]:
        return kernel.phase_dose(
            a,
            zoledronic=zoledronic,
            first=number == 1,
            second=number == 2,
            regular=D(regular),
            zoledronic_first=D("0.0125"),
            cap=zol_cap if zoledronic else pam_cap,
        )

    assert phase(HOLDS, 1, "0.05") == (D("0.0125"), zol_cap)
    assert phase(HOLDS, 2, "0.05") == (D("0.025"), zol_cap)
    assert phase(HOLDS, 3, "0.05") == (D("0.05"), zol_cap)
    assert phase(HOLDS, 3, "0.025") == (D("0.025"), zol_cap)
    assert phase(FAILS, 1, "2.0") == (D("1.0"), D("45.0"))
    assert phase(FAILS, 2, "2.0") == (D("2.0"), pam_cap)
    assert phase(FAILS, 3, "2.0") == (D("2.0"), pam_cap)


def test_hungry_bones_quarter_only_where_lower() -> None:
    """P-HUNGRY: a quarter of the regular dose with a quarter of the cap, where that is lower
    than the phase's dose: 20 kg pamidronate first infusion 10 mg instead of 20 mg; 100 kg
    22.5 mg (a quarter of 90) instead of 45 mg; zoledronic acid 20 kg first infusion 0.25 mg is
    not lower than 0.25 mg; never when it does not apply."""
    a = EXACT

    def hungry(  # noqa: PLR0917 - the kernel's six inputs, in its order
        applies: bool, per_kg: str, limit: str, regular: str, cap: str, weight: str
    ) -> tuple[bool, Decimal, Decimal, Decimal, Decimal]:
        result = kernel.hungry_bones(
            a,
            applies=applies,
            per_kg=D(per_kg),
            limit=D(limit),
            regular=D(regular),
            cap=D(cap),
            weight=D(weight),
        )
        return (bool(result[0]), *result[1:])

    assert hungry(HOLDS, "1.0", "45", "2.0", "90", "20") == (
        True,
        D("0.5"),
        D("22.5"),
        D("10.00"),
        D("20.00"),
    )
    assert hungry(HOLDS, "1.0", "45", "2.0", "90", "100") == (
        True,
        D("0.5"),
        D("22.5"),
        D("22.5"),
        D("45"),
    )
    assert hungry(HOLDS, "0.0125", "4", "0.05", "4", "20") == (
        False,
        D("0.0125"),
        D("4"),
        D("0.2500"),
        D("0.2500"),
    )
    assert hungry(FAILS, "1.0", "45", "2.0", "90", "20")[:3] == (False, D("1.0"), D("45"))


def test_limited_dose_clips_to_every_limit_and_rounds_down() -> None:
    """Invariants 1-3: 0.05 mg/kg at 100 kg is 5 mg, capped at 4 (P-ZOL-CAP); the per-kg
    maximum 0.025 mg/kg at 20 kg holds a proposed 1 mg at 0.5 mg; a lower ceiling holds; 0.035 mg
    stays 0.035 mg at a step of 0.001 mg, 45.37 mg becomes 45.3 mg at 0.1 mg."""

    def limited(  # noqa: PLR0917 - the kernel's six inputs, in its order
        proposed: str, ceiling: str, maximum: str, weight: str, cap: str, step: str
    ) -> tuple[Decimal, Decimal, Decimal]:
        return kernel.limited_dose(
            EXACT,
            proposed=D(proposed),
            ceiling=D(ceiling),
            maximum_per_kg=D(maximum),
            weight=D(weight),
            cap=D(cap),
            step=D(step),
        )

    assert limited("5.0", "4", "0.05", "100", "4", "0.001") == (D("4.000"), D("4"), D("5.00"))
    assert limited("1.0", "4", "0.025", "20", "4", "0.001") == (D("0.500"), D("0.500"), D("0.500"))
    assert limited("1.0", "0.3", "0.05", "20", "4", "0.001") == (D("0.300"), D("0.3"), D("1.00"))
    assert limited("0.035", "4", "0.025", "2.8", "4", "0.001") == (
        D("0.035"),
        D("0.0700"),
        D("0.0700"),
    )
    assert limited("45.37", "45", "2.0", "30", "90", "0.1")[0] == D("45.0")
    assert limited("40.37", "45", "2.0", "30", "90", "0.1")[0] == D("40.3")


def test_intervals_from_the_kernel() -> None:
    """3 months before the second zoledronic acid infusion, 6 otherwise; pamidronate 3."""
    a = EXACT
    assert kernel.interval_months(a, zoledronic=True, number=2) == 3
    assert kernel.interval_months(a, zoledronic=True, number=3) == 6
    assert kernel.interval_months(a, zoledronic=True, number=1) == 6
    assert kernel.interval_months(a, zoledronic=False, number=2) == 3
    assert kernel.interval_months(a, zoledronic=False, number=5) == 3

    def itself(interval: Interval) -> Interval:
        return interval

    assert kernel.interval_months(a, zoledronic=True, number=2, of=itself) == Interval(
        3, "P-ZOL-FIRST"
    )
    assert kernel.interval_months(a, zoledronic=False, number=2, of=itself) == Interval(
        3, "P-PAM-FREQ"
    )


def test_p_hist_interval_after_history_one_patient_and_batch() -> None:
    """P-HIST-INTERVAL: after a last infusion on 31 August, 6 months is due on 28 February and
    counted from 31 August (so the day is kept); due before the start (overdue): counted from
    the start; without a history: from the start. The batch arithmetic on arrays of dates
    gives the same; the gate's 3 months and 1 day after 30 November is 1 March."""
    last, start = dt.date(2026, 8, 31), dt.date(2026, 12, 1)
    assert kernel.after_history(
        EXACT, add_months, history=True, last=last, months=6, start=start
    ) == (dt.date(2027, 2, 28), last, 6)
    assert kernel.after_history(
        EXACT, add_months, history=True, last=last, months=3, start=start
    ) == (dt.date(2026, 11, 30), start, 0)
    assert kernel.after_history(EXACT, add_months, history=False, last=last, months=6, start=start)[
        1:
    ] == (start, 0)
    assert kernel.due_after(add_months, dt.date(2026, 11, 30), 3, 1) == dt.date(2027, 3, 1)
    lasts = np.array([last, last, last, "NaT"], dtype="datetime64[D]")
    starts = np.array([start] * 4, dtype="datetime64[D]")
    history = np.array([True, True, False, False])
    due, base, months = kernel.after_history(
        vector._A,
        array_add_months,
        history=history,
        last=lasts,
        months=np.array([6, 3, 6, 6]),
        start=starts,
    )
    assert due[:3].tolist() == [dt.date(2027, 2, 28), dt.date(2026, 11, 30), dt.date(2027, 2, 28)]
    assert base.tolist() == [last, start, start, start]
    assert months.tolist() == [6, 0, 0, 0]


def test_preparation_arithmetic() -> None:
    """P-PAM-DOSE: 45.3 mg at 0.1 mg/ml is 453 ml, over 4 h 113.25 ml/h; 50 ml over 1 h."""
    assert kernel.pamidronate_volume_ml(D("45.3")) == D("453")
    assert kernel.rate_per_h(D("453"), D("4.0")) == D("113.25")
    assert kernel.rate_per_h(D("50.0"), D("1.0")) == D("50")


def test_weight_to_the_nearest_milligram() -> None:
    """Half a milligram goes to the even milligram; binary noise of a converted weight goes."""
    assert kernel.nearest_mg_kg(19.999999999999996) == 20.0
    assert kernel.nearest_mg_kg(20.0000005) == 20.0
    assert kernel.nearest_mg_kg(20.0000015) == 20.000002
    assert kernel.nearest_mg_kg(20.0000004) == 20.0
    assert kernel.nearest_mg_kg(20.0000006) == 20.000001
    assert D("0.000001") == kernel.WEIGHT_RESOLUTION_KG


def test_the_weight_is_rounded_half_to_even_whatever_the_decimal_context() -> None:
    """The caller's decimal context does not change the dosing weight: half a milligram goes to
    the even milligram even where the context would round up or down (P-ZOL-DOSE)."""
    for rounding in (ROUND_UP, ROUND_DOWN, ROUND_HALF_UP):
        with localcontext() as context:
            context.rounding = rounding
            assert kernel.nearest_mg_kg(20.0000005) == 20.0
            assert kernel.nearest_mg_kg(20.0000015) == 20.000002


def test_per_kg_and_day_limits() -> None:
    """The phase's per-kg maximum times the weight (invariant 2), and the most per calendar day:
    the cap or the highest per-kg maximum times the weight, whichever is lower."""
    assert kernel.per_kg_limit_mg(Z, Phase.FIRST, D("20")) == D("0.500")
    assert kernel.per_kg_limit_mg(Z, Phase.REGULAR, D("20")) == D("1.00")
    assert kernel.per_kg_limit_mg(P, Phase.FIRST, D("20")) == D("20.0")
    assert kernel.day_limit_mg(Z, D("100")) == D("4.0")
    assert kernel.day_limit_mg(Z, D("20")) == D("1.00")
    assert kernel.day_limit_mg(P, D("20")) == D("40.0")
    assert kernel.day_limit_mg(P, D("50")) == D("90.0")


def test_batch_integers() -> None:
    """The batch arithmetic: 0.05 mg/kg is 5000 units of 1e-5 mg/kg, 4 mg is 4e11 units of
    1e-11 mg; halves, quarters, rounding down and the element-wise choices."""
    a = vector.Integers()
    assert a.per_kg(t.ZOLEDRONIC_ACID_REGULAR_MG_PER_KG) == 5000
    assert a.per_kg(0.0125) == 1250
    assert a.mg(t.DAILY_CAP_MG[Z]) == 4 * 10**11
    assert a.mg(0.001) == 10**8
    assert a.times_weight(np.int64(1250), np.int64(20_000_000)) == 25_000_000_000
    assert a.fraction(np.int64(9 * 10**12), Fraction(1, 2)) == 45 * 10**11
    assert a.fraction(np.int64(10), Fraction(3, 4)) == 7
    assert a.floor_to(np.int64(3_499_999_999), np.int64(10**8)) == 3_400_000_000
    assert list(a.where(np.array([True, False]), 1, 2)) == [1, 2]
    assert list(a.minimum(np.array([1, 5]), np.array([3, 2]))) == [1, 2]
    assert list(a.less(np.array([1, 2]), np.array([2, 2]))) == [True, False]
    assert list(a.both(np.array([True, True]), np.array([True, False]))) == [True, False]
    assert list(a.negate(np.array([True, False]))) == [False, True]
    with pytest.raises(ValueError, match="not a whole number of 1/100000"):
        a.per_kg(0.000001)


def test_batch_refuses_a_table_without_exact_halves(monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch path relies on exact halves and quarters of the doses and caps."""
    odd = Number("pamidronate, dose per day", 0.00001, "mg/kg", ("P-PAM-DOSE",))
    monkeypatch.setattr(t, "PAMIDRONATE_MG_PER_KG", odd)
    with pytest.raises(ValueError, match=r"^1 has no exact 1/2 in the batch arithmetic$"):
        vector._check_exact_fractions()


_PER_KG = st.sampled_from(
    [
        t.ZOLEDRONIC_ACID_FIRST_MG_PER_KG.value,
        t.ZOLEDRONIC_ACID_SECOND_MG_PER_KG.value,
        t.ZOLEDRONIC_ACID_REGULAR_MG_PER_KG.value,
        t.ZOLEDRONIC_ACID_REDUCED_MG_PER_KG.value,
        t.PAMIDRONATE_MG_PER_KG.value,
    ]
)


@given(
    zoledronic=st.booleans(),
    number=st.integers(min_value=1, max_value=8),
    reduced=st.booleans(),
    immobile=st.booleans(),
    weight_mg=st.integers(min_value=400_000, max_value=250_000_000),
)
def test_batch_and_one_patient_kernels_agree(
    zoledronic: bool, number: int, reduced: bool, immobile: bool, weight_mg: int
) -> None:
    """Invariants 1-3 on both arithmetics: the kernel on the batch's integers gives the exact
    decimal dose of the one-patient path, for every drug, phase, P-ZOL-LOW/P-ZOL-COMPL, P-HUNGRY
    and weight from 0.4 to 250 kg at mg resolution; and the dose is within the cap and the
    phase's per-kg maximum times the weight, computed here from the table."""
    drug = Z if zoledronic else P
    phase = Phase.FIRST if number == 1 else Phase.SECOND if number == 2 else Phase.REGULAR
    results = []
    a: Any
    weight: Any
    for a, weight, scale in (
        (EXACT, D(weight_mg) / 10**6, D(1)),
        (vector.Integers(), np.int64(weight_mg), D(10) ** 11),
    ):
        cap = a.mg(t.DAILY_CAP_MG[drug])
        regular = kernel.regular_per_kg(a, zoledronic=zoledronic, reduced=reduced)
        per_kg, limit = kernel.phase_dose(
            a,
            zoledronic=zoledronic,
            first=number == 1,
            second=number == 2,
            regular=regular,
            zoledronic_first=a.per_kg(t.ZOLEDRONIC_ACID_FIRST_MG_PER_KG),
            cap=cap,
        )
        _, per_kg, limit, _, _ = kernel.hungry_bones(
            a,
            applies=immobile and number <= 2,
            per_kg=per_kg,
            limit=limit,
            regular=regular,
            cap=cap,
            weight=weight,
        )
        dose, _, _ = kernel.limited_dose(
            a,
            proposed=a.times_weight(per_kg, weight),
            ceiling=limit,
            maximum_per_kg=a.per_kg(t.PER_KG_MAXIMUM_MG_PER_KG[drug, phase]),
            weight=weight,
            cap=cap,
            step=a.mg(t.ROUNDING_STEP_MG[drug]),
        )
        results.append(D(int(dose)) / scale if scale != 1 else dose)
    assert results[0] == results[1]
    cap_mg = D(repr(t.DAILY_CAP_MG[drug].value))
    maximum = D(repr(t.PER_KG_MAXIMUM_MG_PER_KG[drug, phase].value)) * D(weight_mg) / 10**6
    assert 0 <= results[0] <= min(cap_mg, maximum)
