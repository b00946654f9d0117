"""The national pediatric plan over columns: the same decisions and doses, vectorised.

For the common case — protocol ``nl-pediatric-iv-bp-2024``, default request and options, no
plugins — every decision of a plan that matters for dosing is a comparison of canonical magnitudes
and every dose is integer arithmetic, so they vectorise. This module is a driver: it holds no
clinical number and no rule of its own.

- The doses, limits, rounding and intervals are the functions of :mod:`bisphos.pediatric.kernel`,
  the ones the one-patient path calls, here on arrays of integers (:class:`Integers`): a dose per
  kg in 1e-5 mg/kg times the weight in mg gives the dose in 1e-11 mg, the decimal product the
  one-patient path computes; it is clipped and rounded down in those units and divided once into
  mg (the float nearest the decimal, as ``float(Decimal)`` gives).
- The numbers are those of :mod:`bisphos.pediatric.table` (doses, caps, per-kg maxima, steps,
  intervals, preparation), of the thresholds (:mod:`bisphos.pediatric.thresholds`), of the
  plausibility ranges (:data:`bisphos.model.PLAUSIBLE_RANGES`) and of the default options.
- Thresholds compare whole steps of their resolution, ``rint(value / step)``, as
  :class:`~bisphos.pediatric.thresholds.Resolution` does with ``round`` (both round half to even
  on the same float quotient).
- The weight is taken to the nearest mg as :func:`~bisphos.pediatric.kernel.nearest_mg_kg` does;
  where a float could round the other way than the decimal (a weight within a millionth of a
  milligram of half a milligram), that one weight is taken by the scalar function itself.
- Dates use the calendar-month convention of :func:`bisphos.dates.add_months`
  (:mod:`bisphos.batch.dates`).

The property tests check that this path and :meth:`bisphos.engine.Engine.plan` give the same
summary for any patient.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from bisphos.batch.columns import BLOCK_CODES, LAB_COLUMNS
from bisphos.batch.dates import add_months
from bisphos.dates import DAYS_PER_MONTH
from bisphos.model import MAX_AGE_YEARS, PLAUSIBLE_RANGES, Z_SCORE_LIMIT, Diagnosis, Drug, Sex
from bisphos.pediatric import kernel
from bisphos.pediatric import table as t
from bisphos.pediatric.dosing import DEFAULT_OPTIONS
from bisphos.pediatric.freshness import DEFAULT_FRESHNESS
from bisphos.pediatric.growth import check_arrays
from bisphos.pediatric.indication import INDICATED_DIAGNOSES
from bisphos.pediatric.infusion import DEFAULT_PREPARATION
from bisphos.pediatric.renal import schwartz_40
from bisphos.pediatric.schedule import Horizon
from bisphos.pediatric.table import Number, Phase
from bisphos.pediatric.thresholds import (
    FEVER,
    FX_A_MIN_COUNT,
    FX_B_MIN_COUNT,
    FX_C_MIN_COUNT,
    HYPOCALCAEMIA,
    PAMIDRONATE_RENAL_IMPAIRMENT,
    PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT,
    REDUCED_BMD,
    SCOPE_AGE_YEARS,
    VITAMIN_D_DEFICIENCY,
    ZOLEDRONIC_ACID_GFR,
    Threshold,
)
from bisphos.quantities import DOSE_PER_KG, VOLUME

__all__ = ["HORIZON", "Integers", "output_columns", "plan_arrays"]

# Arrays of any dtype: the columns are checked by name, not by numpy's generic types.
Array = npt.NDArray[Any]
_Bool = Array
_Int = Array
_Float = Array
_Dates = Array

#: Infusions planned per patient: the default horizon.
HORIZON: Final = Horizon().infusions or 1

# Integer units of the dose arithmetic: a weight in mg (the dosing resolution), a dose per kg
# in 1e-5 mg/kg, and their product, a dose in 1e-11 mg.
_WEIGHT_SCALE: Final = int(1 / kernel.WEIGHT_RESOLUTION_KG)
_PER_KG_SCALE: Final = 10**5
_MG_SCALE: Final = _PER_KG_SCALE * _WEIGHT_SCALE
_MONTHS_PER_YEAR: Final = 12


def _scaled(value: float, scale: int) -> int:
    """``value`` in integer units of 1/scale; refuses a value that is not a whole number of them."""
    scaled = kernel.exact(value) * scale
    if scaled != scaled.to_integral_value():
        msg = f"{value!r} is not a whole number of 1/{scale}"
        raise ValueError(msg)
    return int(scaled)


def _value(number: Number | float) -> float:
    return number.value if isinstance(number, Number) else number


class Integers:
    """The kernel's arithmetic on numpy arrays of integers (1e-5 mg/kg, mg of weight, 1e-11 mg).

    Every number of the table is a whole number of these units, and so are its halves and
    quarters (checked when the module is imported), so the arithmetic is exact.
    """

    def per_kg(self, value: Number | float) -> np.int64:
        """A dose per kg in 1e-5 mg/kg."""
        return np.int64(_scaled(_value(value), _PER_KG_SCALE))

    def mg(self, value: Number | float) -> np.int64:
        """A mass in 1e-11 mg."""
        return np.int64(_scaled(_value(value), _MG_SCALE))

    def times_weight(self, per_kg: Any, weight: Any) -> Any:
        """1e-5 mg/kg times mg of weight: 1e-11 mg."""
        return per_kg * weight

    def fraction(self, value: Any, fraction: Fraction) -> Any:
        """An exact half or quarter."""
        return value * fraction.numerator // fraction.denominator

    def where(self, condition: Any, then: Any, otherwise: Any) -> Any:
        """:func:`numpy.where`."""
        return np.where(condition, then, otherwise)

    def minimum(self, first: Any, second: Any) -> Any:
        """:func:`numpy.minimum`."""
        return np.minimum(first, second)

    def floor_to(self, value: Any, step: Any) -> Any:
        """Down to a whole number of steps."""
        return value // step * step

    def less(self, first: Any, second: Any) -> Any:
        """Elementwise ``<``."""
        return first < second

    def both(self, first: Any, second: Any) -> Any:
        """Elementwise ``&``."""
        return first & second

    def negate(self, condition: Any) -> Any:
        """Elementwise ``~``."""
        return ~condition


_A: Final = Integers()
_ZOL, _PAM = Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE


def _check_exact_fractions() -> None:
    """The halves and quarters the kernel takes of the table's doses and caps are exact."""
    values = [
        _A.per_kg(t.ZOLEDRONIC_ACID_REGULAR_MG_PER_KG),
        _A.per_kg(t.ZOLEDRONIC_ACID_REDUCED_MG_PER_KG),
        _A.per_kg(t.PAMIDRONATE_MG_PER_KG),
        *(_A.mg(cap) for cap in t.DAILY_CAP_MG.values()),
    ]
    for fraction in (t.PAMIDRONATE_FIRST_FRACTION, t.HUNGRY_BONES_FRACTION):
        for value in values:
            if (int(value) * fraction).denominator != 1:
                msg = f"{value} has no exact {fraction} in the batch arithmetic"
                raise ValueError(msg)


_check_exact_fractions()

_CAP: Final = {drug: _A.mg(t.DAILY_CAP_MG[drug]) for drug in Drug}
_STEP: Final = {drug: _A.mg(t.ROUNDING_STEP_MG[drug]) for drug in Drug}
_MAXIMUM: Final = {key: _A.per_kg(value) for key, value in t.PER_KG_MAXIMUM_MG_PER_KG.items()}
_ZOL_FIRST: Final = _A.per_kg(
    DOSE_PER_KG.magnitude(DEFAULT_OPTIONS.zoledronic_first_per_kg, field="first")
)
_HUNGRY_INFUSIONS: Final = DEFAULT_OPTIONS.hungry_bones_infusions
# Preparation (P-ZOL-DOSE, P-PAM-DOSE): zoledronic acid in the default volume over its time;
# pamidronate at its concentration over its time.
_ZOL_VOLUME_ML: Final = VOLUME.magnitude(DEFAULT_PREPARATION.zoledronic_volume, field="volume")
_ZOL_RATE_ML_H: Final = float(
    kernel.rate_per_h(kernel.exact(_ZOL_VOLUME_ML), t.ZOLEDRONIC_ACID_DURATION_H.decimal)
)
_PAM_CONCENTRATION: Final = _A.mg(t.PAMIDRONATE_CONCENTRATION_MG_ML)  # 1e-11 mg per ml
_PAM_HOURS: Final = t.PAMIDRONATE_DURATION_H.value
# P-PAM-RENAL: 20 mg/h at 0.1 mg/ml is 200 ml/h; below a GFR of 30 no pamidronate.
_PAM_RENAL_ML_H: Final = float(
    t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.decimal / t.PAMIDRONATE_CONCENTRATION_MG_ML.decimal
)
_PAM_MIN_GFR_STEPS: Final = round(t.PAMIDRONATE_MIN_GFR.value / ZOLEDRONIC_ACID_GFR.resolution.step)

_MONTHS_TO_SCOPE_END: Final = _MONTHS_PER_YEAR * SCOPE_AGE_YEARS
_MONTHS_TO_REDUCED_AGE: Final = _MONTHS_PER_YEAR * t.ZOLEDRONIC_ACID_REDUCED_BELOW_AGE_YEARS
# P-PAM-RENAL: at most 20 mg/h; a dose that takes longer than 4 h at that rate runs at 20 mg/h,
# 200 ml/h at 0.1 mg/ml.
_PAM_RENAL_RATE_ML_H: Final = float(kernel.pamidronate_renal_rate_ml_h())


def _limit_steps(threshold: Threshold) -> int:
    return threshold.resolution.steps(threshold.limit)


def _steps(values: _Float, threshold: Threshold) -> _Float:
    """Whole steps of the threshold's resolution; NaN stays NaN."""
    return np.rint(values / threshold.resolution.step)


def _weight_mg(weight_kg: _Float) -> _Int:
    """The dosing weight in whole mg, as ``nearest_mg_kg`` takes it (half to even)."""
    scaled = weight_kg * _WEIGHT_SCALE
    result: _Int = np.rint(scaled).astype(np.int64)
    ambiguous = np.abs(scaled - np.floor(scaled) - 0.5) < 1 / _WEIGHT_SCALE
    for index in np.flatnonzero(ambiguous):  # rare: let the scalar function decide
        result[index] = _scaled(kernel.nearest_mg_kg(float(weight_kg[index])), _WEIGHT_SCALE)
    return result


_DIAGNOSIS_CODES: Final = {diagnosis.value: index for index, diagnosis in enumerate(Diagnosis)}
_NOT_INDICATED_CODES: Final = [
    _DIAGNOSIS_CODES[d.value] for d in Diagnosis if d not in INDICATED_DIAGNOSES
]
_code_of: Final = np.frompyfunc(_DIAGNOSIS_CODES.get, 2, 1)


def diagnosis_codes(diagnoses: Array) -> _Int:
    """The index of each diagnosis in :class:`~bisphos.model.Diagnosis`; -1 for an unknown one."""
    codes: _Int = np.asarray(_code_of(diagnoses, -1), dtype=np.int64)
    return codes


def _invalid(columns: Mapping[str, Array], diagnoses: _Int) -> npt.NDArray[np.object_]:
    """An error text per row: empty when the row is valid (the first reason found)."""
    size = len(columns["weight_kg"])
    reasons = [""]
    first = np.zeros(size, dtype=np.int64)  # index into reasons; 0: none yet

    def refuse(mask: _Bool, text: str) -> None:
        reasons.append(text)
        first[mask & (first == 0)] = len(reasons) - 1

    birth, today = columns["birth_date"], columns["assessment_date"]
    refuse(np.isnat(birth) | np.isnat(today), "birth_date, assessment_date: a date is required")
    refuse(birth > today, "birth_date: the birth date is after the assessment date")
    # Over 120 years (the model's limit): from the 121st birthday on.
    old = today >= add_months(birth, _MONTHS_PER_YEAR * (MAX_AGE_YEARS + 1))
    refuse(old, f"birth_date: age over {MAX_AGE_YEARS} years")
    refuse(diagnoses < 0, "diagnosis: not known")
    refuse(
        ~np.isin(columns["sex"], [sex.value for sex in Sex]), "sex: not a bisphos.model.Sex value"
    )
    plausible = {
        "weight_kg": "weight",
        "height_cm": "height",
        "temperature_c": "temperature",
        **{column: name for name, column in LAB_COLUMNS.items()},
    }
    for column, name in plausible.items():
        values = columns[column]
        limits = PLAUSIBLE_RANGES[name]
        # NaN (missing) is outside for the weight, which is required, and allowed otherwise.
        inside = (values >= limits.low) & (values <= limits.high)
        outside = ~inside if column == "weight_kg" else ~inside & ~np.isnan(values)
        refuse(outside, f"{column}: outside the plausible range {limits.low:g} to {limits.high:g}")
    z = columns["lowest_bmd_z"]
    refuse(
        (z < -Z_SCORE_LIMIT) | (z > Z_SCORE_LIMIT),
        f"lowest_bmd_z: a Z-score is from {-Z_SCORE_LIMIT:g} to {Z_SCORE_LIMIT:g}",
    )
    for column in (
        "vertebral_fractures",
        "long_bone_fractures_before_10",
        "long_bone_fractures_before_19",
        "zoledronic_acid_given",
        "pamidronate_given",
    ):
        refuse(columns[column] < 0, f"{column}: a count cannot be negative")
    return np.array(reasons, dtype=object)[first]


def output_columns() -> tuple[str, ...]:
    """The names of the output columns, in order (``patient_id`` first when given)."""
    per_infusion = [
        f"{name}_{number}{unit}"
        for number in range(1, HORIZON + 1)
        for name, unit in (("date", ""), ("dose", "_mg"), ("volume", "_ml"), ("rate", "_ml_h"))
    ]
    return (
        "status",
        "error",
        "in_scope",
        "indicated",
        "zoledronic_acid_allowed",
        "gfr_ml_min_1_73m2",
        "drug",
        *(f"block_{code.replace('-', '_')}" for code in BLOCK_CODES),
        "infusions",
        *per_infusion,
    )


def plan_arrays(columns: Mapping[str, Array]) -> dict[str, Array]:
    """Plan every row of ``columns`` (see :data:`~bisphos.batch.columns.INPUT_COLUMNS`).

    Returns the output columns of :func:`output_columns`. A row that fails the plausibility
    checks has status ``"invalid"`` and its reason in ``error``; nothing else is planned for it.
    """
    size = len(columns["weight_kg"])
    birth, today = columns["birth_date"], columns["assessment_date"]
    diagnoses = diagnosis_codes(columns["diagnosis"])
    errors = _invalid(columns, diagnoses)
    valid = errors == ""
    scope_end = add_months(birth, _MONTHS_TO_SCOPE_END)
    in_scope = valid & (today < scope_end)

    blocks = {
        "out-of-scope": valid & ~in_scope,
        **_indication(columns, in_scope, diagnoses),
        **_today(columns, in_scope),
    }
    blocks["weight-implausible"] = _implausible_weight(
        columns, in_scope & ~_any_not_indicated(blocks)
    )
    indicated = in_scope.copy()
    blocked = np.zeros(size, dtype=bool)
    for code in BLOCK_CODES:
        if code in _COURSE_BLOCK_CODES:  # decided below, once the indication is known
            continue
        blocked |= blocks[code]
        if code.startswith("not-indicated"):
            indicated &= ~blocks[code]

    # P-GFR: simplified Schwartz, k = 40, in the order the estimator multiplies.
    with np.errstate(invalid="ignore", divide="ignore"):
        gfr = schwartz_40.k * columns["height_cm"] / columns["creatinine_umol_l"]
    gfr = np.where(in_scope, gfr, np.nan)
    gate = _steps(gfr, ZOLEDRONIC_ACID_GFR) > _limit_steps(ZOLEDRONIC_ACID_GFR)
    gate &= _creatinine_fresh(columns)
    contraindicated, refused, renal_rate = _kidneys_and_permanent(
        columns, indicated=indicated, gate=gate, gfr=gfr, blocks=blocks, blocked=blocked
    )

    # Status by its index in _STATUSES, then as text: one pass of pointers, not strings per row.
    # Each condition moves a row one status on: invalid, out of scope, not indicated, ready,
    # blocked.
    code = valid.astype(np.int8)
    code += in_scope
    code += indicated
    code += indicated & blocked
    code[contraindicated] = _CONTRAINDICATED
    code[refused] = _REFUSED

    # The course is computed for the planned rows only, and written into full columns.
    rows = np.flatnonzero(indicated & ~contraindicated & ~refused)
    course = _course(
        {name: columns[name][rows] for name in _COURSE_COLUMNS},
        gate=gate[rows],
        renal_rate=renal_rate[rows],
        birth=birth[rows],
        today=today[rows],
        scope_end=scope_end[rows],
    )
    failed = rows[course.pop("error")]
    if len(failed):
        code[failed] = _ERROR
        errors[failed] = "dose: the dose rounds down to zero"
    tied = rows[course.pop("tied")]
    if len(tied):
        code[tied] = _ERROR
        errors[tied] = (
            "infusions: both drugs on the last day of the history; which came last is not known"
        )
    decided: dict[str, Array] = {
        "status": _STATUSES[code],
        "error": errors,
        "in_scope": in_scope,
        "indicated": indicated,
        "zoledronic_acid_allowed": gate,
        "gfr_ml_min_1_73m2": gfr,
        **{f"block_{code.replace('-', '_')}": blocks[code] for code in BLOCK_CODES},
    }
    empty: dict[str, object] = {"drug": _DRUGS[0], "infusions": 0}
    output: dict[str, Array] = {}
    for name in output_columns():
        if name in decided:
            output[name] = decided[name]
            continue
        values = course[name]
        # None is NaT in a date column and NaN in a number column.
        full = np.full(size, empty.get(name), dtype=values.dtype)
        full[rows] = values
        output[name] = full
    return output


def _any_not_indicated(blocks: Mapping[str, _Bool]) -> _Bool:
    out = np.zeros(len(blocks["out-of-scope"]), dtype=bool)
    for code, value in blocks.items():
        if code.startswith("not-indicated"):
            out |= value
    return out


def _implausible_weight(columns: Mapping[str, Array], rows: _Bool) -> _Bool:
    """P-WEIGHT-PLAUSIBLE for the indicated rows, by the one implementation over arrays."""
    birth, today = columns["birth_date"], columns["assessment_date"]
    months = (today - birth).astype("timedelta64[D]").astype(float) / DAYS_PER_MONTH
    checks = check_arrays(
        columns["sex"][rows],
        months[rows],
        columns["weight_kg"][rows].astype(float),
        columns["height_cm"][rows].astype(float),
    )
    out = np.zeros(len(rows), dtype=bool)
    out[rows] = checks.implausible
    return out


def _kidneys_and_permanent(
    columns: Mapping[str, Array],
    *,
    indicated: _Bool,
    gate: _Bool,
    gfr: _Float,
    blocks: dict[str, _Bool],
    blocked: _Bool,
) -> tuple[_Bool, _Bool, _Bool]:
    """P-PAM-RENAL and P-CI-PERMANENT: (contraindicated, refused, renal rate) per row.

    No pamidronate below a GFR of 30; at most 20 mg/h at 90 or less, or without a GFR.
    Hypersensitivity and a known pregnancy date nothing; then no drug the kidneys allow refuses
    the plan (the assessment's P-PAM-RENAL block comes first). Adds their blocks to ``blocks``
    and marks those rows in ``blocked``.
    """
    unknown = np.isnan(gfr)
    severe = _steps(gfr, PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT) < _limit_steps(
        PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT
    )
    pamidronate_allowed = unknown | ~severe
    renal_rate = unknown | (
        _steps(gfr, PAMIDRONATE_RENAL_IMPAIRMENT) <= _limit_steps(PAMIDRONATE_RENAL_IMPAIRMENT)
    )
    blocks["pamidronate-gfr-below-30"] = indicated & ~gate & ~pamidronate_allowed
    blocks["contraindicated-hypersensitivity"] = (
        indicated & columns["bisphosphonate_hypersensitivity"]
    )
    blocks["contraindicated-pregnancy"] = indicated & columns["pregnant"]
    contraindicated = (
        blocks["contraindicated-hypersensitivity"] | blocks["contraindicated-pregnancy"]
    )
    refused = indicated & ~contraindicated & ~gate & ~pamidronate_allowed
    blocks["no-drug-allowed"] = refused
    for name in _COURSE_BLOCK_CODES:
        blocked |= blocks[name]
    return contraindicated, refused, renal_rate


def _indication(columns: Mapping[str, Array], in_scope: _Bool, diagnoses: _Int) -> dict[str, _Bool]:
    """The reasons of P-IND-A, P-IND-GENE, P-IND-RECOVERY and P-IND-B (P-FX-a/b/c, P-BMD)."""
    condition = np.isin(diagnoses, _NOT_INDICATED_CODES)
    z_steps = np.rint(columns["lowest_bmd_z"] / REDUCED_BMD.resolution.step)
    reduced = ~np.isnan(z_steps) & (z_steps <= _limit_steps(REDUCED_BMD))
    vertebral = columns["vertebral_fractures"] >= FX_A_MIN_COUNT
    history = (
        vertebral
        | (columns["long_bone_fractures_before_10"] >= FX_B_MIN_COUNT)
        | (columns["long_bone_fractures_before_19"] >= FX_C_MIN_COUNT)
    )
    return {
        "not-indicated-condition": in_scope & condition,
        "not-indicated-gene": in_scope & columns["excluded_gene_variant"],
        "not-indicated-recovery": in_scope & columns["expected_spontaneous_recovery"],
        "not-indicated-criteria": in_scope & ~(vertebral | (history & reduced)),
    }


def _today(columns: Mapping[str, Array], in_scope: _Bool) -> dict[str, _Bool]:
    """Today's blocks: P-CI-*, and before the first infusion P-PRE-LABS and P-PRE-VITD."""
    first = in_scope & ((columns["zoledronic_acid_given"] + columns["pamidronate_given"]) == 0)
    labs_missing = np.zeros(len(in_scope), dtype=bool)
    for column in LAB_COLUMNS.values():
        labs_missing |= np.isnan(columns[column])
    vitamin_d = _steps(columns["vitamin_d_25oh_nmol_l"], VITAMIN_D_DEFICIENCY)
    calcium = _steps(columns["calcium_mmol_l"], HYPOCALCAEMIA)
    return {
        "fever": in_scope & (_steps(columns["temperature_c"], FEVER) > _limit_steps(FEVER)),
        "hypocalcaemia": in_scope & (calcium < _limit_steps(HYPOCALCAEMIA)),
        "hypersensitivity": in_scope & columns["bisphosphonate_hypersensitivity"],
        "pregnancy": in_scope & columns["pregnant"],
        "labs-missing": first & labs_missing,
        "vitamin-d-deficient": first & (vitamin_d < _limit_steps(VITAMIN_D_DEFICIENCY)),
        "labs-not-fresh": first & _labs_not_fresh(columns),
    }


def _labs_not_fresh(columns: Mapping[str, Array]) -> _Bool:
    """P-FRESH: a present lab undated, or the oldest older than the first-infusion limit."""
    today = columns["assessment_date"].astype("datetime64[D]")
    oldest_allowed = today - np.timedelta64(DEFAULT_FRESHNESS.first_labs_days, "D")
    oldest = columns["oldest_lab_date"].astype("datetime64[D]")
    stale = ~np.isnat(oldest) & (oldest < oldest_allowed)
    undated: _Bool = np.asarray(columns["undated_lab"], dtype=bool)
    out: _Bool = undated | stale
    return out


def _creatinine_fresh(columns: Mapping[str, Array]) -> _Bool:
    """P-FRESH: the creatinine of the gate is not older than its limit (undated: not refused)."""
    today = columns["assessment_date"].astype("datetime64[D]")
    dated = columns["creatinine_date"].astype("datetime64[D]")
    oldest_allowed = add_months(today, -DEFAULT_FRESHNESS.creatinine_months)
    fresh: _Bool = np.isnat(dated) | (dated >= oldest_allowed)
    return fresh


_STATUSES: Final = np.array(
    [
        "invalid",
        "out_of_scope",
        "not_indicated",
        "ready",
        "blocked",
        "error",
        "contraindicated",
        "refused",
    ],
    dtype=object,
)
#: The blocks decided after the assessment (P-PAM-RENAL, P-CI-PERMANENT), in the plan's order.
_COURSE_BLOCK_CODES: Final = (
    "pamidronate-gfr-below-30",
    "contraindicated-hypersensitivity",
    "contraindicated-pregnancy",
    "no-drug-allowed",
)
_ERROR: Final = list(_STATUSES).index("error")
_CONTRAINDICATED: Final = list(_STATUSES).index("contraindicated")
_REFUSED: Final = list(_STATUSES).index("refused")
_DRUGS: Final = np.array(["", Drug.ZOLEDRONIC_ACID.value, Drug.PAMIDRONATE.value], dtype=object)

_COURSE_COLUMNS: Final = (
    "zoledronic_acid_given",
    "pamidronate_given",
    "last_zoledronic_acid_date",
    "last_pamidronate_date",
    "weight_kg",
    "low_bone_turnover",
    "complication_after_infusion",
    "prolonged_immobilisation",
)


def _start(
    columns: Mapping[str, Array], *, gate: _Bool, today: _Dates
) -> tuple[_Bool, _Int, _Dates, _Int, _Bool]:
    """(zoledronic acid, first infusion number, base date, months from it, tied) per row.

    P-DRUG-CONTINUITY: the drug given last while allowed, else zoledronic acid where the gate
    allows it. P-HIST-INTERVAL: the first date is due the last drug's own interval after its
    last infusion, whichever drug is planned; an overdue one is planned today. ``tied``: both
    drugs on the last day of the history, so which came last is not known.
    """
    zol_given, pam_given = columns["zoledronic_acid_given"], columns["pamidronate_given"]
    last_zol, last_pam = columns["last_zoledronic_acid_date"], columns["last_pamidronate_date"]
    history = (zol_given + pam_given) > 0
    last_is_zol = (zol_given > 0) & ((pam_given == 0) | (last_zol > last_pam))
    tied = (zol_given > 0) & (pam_given > 0) & (last_zol == last_pam)
    zol = gate & ~(history & ~last_is_zol)
    number = np.where(zol, zol_given, pam_given) + 1
    last = np.where(last_is_zol, last_zol, last_pam)
    last_count = np.where(last_is_zol, zol_given, pam_given)
    interval = kernel.history_interval_months(
        _A, last_zoledronic=last_is_zol, given_of_last=last_count
    )
    _, base, months = kernel.after_history(
        _A, add_months, history=history, last=last, months=interval, start=today
    )
    return zol, number, base, months, tied


def _course(
    columns: Mapping[str, Array],
    *,
    gate: _Bool,
    renal_rate: _Bool,
    birth: _Dates,
    today: _Dates,
    scope_end: _Dates,
) -> dict[str, Array]:
    """Drug, dates, doses, volumes and rates of the course of planned rows, by output name.

    The drug and the first date come from :func:`_start` (P-DRUG-CONTINUITY, P-HIST-INTERVAL).
    """
    size = len(gate)
    zol, number, base, months, tied = _start(columns, gate=gate, today=today)
    weight_mg = _weight_mg(columns["weight_kg"])
    reduced_age = add_months(birth, _MONTHS_TO_REDUCED_AGE)
    low = columns["low_bone_turnover"] | columns["complication_after_infusion"]
    immobile = columns["prolonged_immobilisation"]
    cap = np.where(zol, _CAP[_ZOL], _CAP[_PAM])
    step = np.where(zol, _STEP[_ZOL], _STEP[_PAM])
    phases = (Phase.FIRST, Phase.SECOND, Phase.REGULAR)
    zol_maxima = tuple(_MAXIMUM[_ZOL, phase] for phase in phases)
    pam_maxima = tuple(_MAXIMUM[_PAM, phase] for phase in phases)

    result: dict[str, Array] = {
        "drug": _DRUGS[np.where(zol, 1, 2)],
    }
    planned = np.ones(size, dtype=bool)
    count = np.zeros(size, dtype=np.int64)
    errors = np.zeros(size, dtype=bool)
    for index in range(1, HORIZON + 1):
        date = add_months(base, months)
        planned &= date < scope_end  # P-SCOPE-1: no infusion from the 19th birthday on
        count += planned
        regular = kernel.regular_per_kg(_A, zoledronic=zol, reduced=low | (date < reduced_age))
        first, second = number == 1, number == 2
        per_kg, limit = kernel.phase_dose(
            _A,
            zoledronic=zol,
            first=first,
            second=second,
            regular=regular,
            zoledronic_first=_ZOL_FIRST,
            cap=cap,
        )
        phase = np.where(first, 0, np.where(second, 1, 2))
        maximum = np.where(zol, np.choose(phase, zol_maxima), np.choose(phase, pam_maxima))
        _, per_kg, limit, _, _ = kernel.hungry_bones(
            _A,
            applies=immobile & (number <= _HUNGRY_INFUSIONS),
            per_kg=per_kg,
            limit=limit,
            regular=regular,
            cap=cap,
            weight=weight_mg,
        )
        dose, _, _ = kernel.limited_dose(
            _A,
            proposed=_A.times_weight(per_kg, weight_mg),
            ceiling=limit,
            maximum_per_kg=maximum,
            weight=weight_mg,
            cap=cap,
            step=step,
        )
        errors |= planned & (dose <= 0)
        volume_ml = np.where(zol, _ZOL_VOLUME_ML, dose / _PAM_CONCENTRATION)
        result[f"date_{index}"] = np.where(planned, date, np.datetime64("NaT"))
        result[f"dose_{index}_mg"] = np.where(planned, dose / _MG_SCALE, np.nan)
        result[f"volume_{index}_ml"] = np.where(planned, volume_ml, np.nan)
        # P-PAM-RENAL: at most 20 mg/h, so over dose / 20 mg/h when that is longer than 4 h.
        slower = ~zol & renal_rate & kernel.renal_slower(_A, dose=dose)
        pam_rate = np.where(slower, _PAM_RENAL_RATE_ML_H, volume_ml / _PAM_HOURS)
        result[f"rate_{index}_ml_h"] = np.where(
            planned, np.where(zol, _ZOL_RATE_ML_H, pam_rate), np.nan
        )
        number = number + 1
        months = months + kernel.interval_months(_A, zoledronic=zol, number=number)
    result["infusions"] = count
    result["error"] = errors & ~tied
    result["tied"] = tied
    return result
