"""The national pediatric plan over columns: the same decisions and doses, vectorised.

For the common case — protocol ``nl-pediatric-iv-bp-2024``, default request and options, no
plugins — every decision of a plan that matters for dosing is a comparison of canonical magnitudes
and every dose is integer arithmetic, so they vectorise:

- thresholds compare whole steps of their resolution, ``rint(value / step)``, as
  :class:`~bisphos.pediatric.thresholds.Resolution` does with ``round`` (both round half to even
  on the same float quotient);
- doses are exact: a dose per kg in 1e-5 mg/kg times the weight in mg gives the dose in 1e-11 mg,
  the decimal product :mod:`bisphos.pediatric.limits` computes; it is clipped to every limit and
  rounded down in those units, and divided once into mg (the float nearest the decimal, as
  ``float(Decimal)`` gives);
- the weight is taken to the nearest mg as :func:`~bisphos.pediatric.limits.dosing_weight_kg`
  does; where a float could round the other way than the decimal (a weight within a millionth of
  a milligram of half a milligram), that one weight is taken by the scalar function itself;
- dates use the calendar-month convention of :func:`bisphos.dates.add_months`.

The constants come from the library's own tables (daily caps, per-kg maxima, rounding steps,
default options, thresholds). The property tests check that this path and
:meth:`bisphos.engine.Engine.plan` give the same summary for any patient.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from bisphos.batch.columns import BLOCK_CODES, LAB_COLUMNS
from bisphos.model import MAX_AGE_YEARS, PLAUSIBLE_RANGES, Diagnosis, Drug
from bisphos.pediatric.dosing import DEFAULT_OPTIONS
from bisphos.pediatric.indication import INDICATED_DIAGNOSES
from bisphos.pediatric.infusion import (
    DEFAULT_PREPARATION,
    PAMIDRONATE_CONCENTRATION,
    PAMIDRONATE_DURATION,
    ZOLEDRONIC_DURATION,
)
from bisphos.pediatric.limits import (
    DAILY_CAPS,
    DEFAULT_PRECISION,
    Phase,
    dosing_weight_kg,
    exact,
    max_per_kg,
)
from bisphos.pediatric.renal import schwartz_40
from bisphos.pediatric.schedule import Horizon
from bisphos.pediatric.thresholds import (
    FEVER,
    FX_A_MIN_COUNT,
    FX_B_MIN_COUNT,
    FX_C_MIN_COUNT,
    HYPOCALCAEMIA,
    REDUCED_BMD,
    SCOPE_AGE_YEARS,
    VITAMIN_D_DEFICIENCY,
    ZOLEDRONIC_ACID_GFR,
    Threshold,
)
from bisphos.units import magnitude_in, quantity

__all__ = ["HORIZON", "output_columns", "plan_arrays"]

# Arrays of any dtype: the columns are checked by name, not by numpy's generic types.
Array = npt.NDArray[Any]
_Bool = Array
_Int = Array
_Float = Array
_Dates = Array

#: Infusions planned per patient: the default horizon.
HORIZON: Final = Horizon().infusions or 6

# Integer units of the dose arithmetic.
_PER_KG_SCALE: Final = 10**5  # a dose per kg in 1e-5 mg/kg
_MG_SCALE: Final = 10**11  # a dose in 1e-11 mg (per kg unit x weight in mg)


def _scaled(value: float, scale: int) -> int:
    """``value`` in integer units of 1/scale; refuses a value that is not a whole number of them."""
    scaled = exact(value) * scale
    if scaled != scaled.to_integral_value():
        msg = f"{value!r} is not a whole number of 1/{scale}"
        raise ValueError(msg)
    return int(scaled)


def _mg(value: object) -> float:
    return float(magnitude_in(value, "milligram"))  # type: ignore[arg-type]


def _per_kg(value: object) -> int:
    return _scaled(float(magnitude_in(value, "milligram / kilogram")), _PER_KG_SCALE)  # type: ignore[arg-type]


_ZOL, _PAM = Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE
_CAP: Final = {drug: _scaled(_mg(DAILY_CAPS[drug].dose), _MG_SCALE) for drug in Drug}
_STEP: Final = {drug: _scaled(_mg(DEFAULT_PRECISION[drug]), _MG_SCALE) for drug in Drug}
_MAXIMUM: Final = {
    (drug, phase): _per_kg(max_per_kg(drug, phase).per_kg) for drug in Drug for phase in Phase
}
# P-ZOL-FIRST (default option), P-ZOL-FIRST second infusion, P-ZOL-DOSE, P-ZOL-LOW/COMPL,
# P-PAM-DOSE; the first pamidronate infusion is half of it (P-PAM-FIRST).
_ZOL_FIRST: Final = _per_kg(DEFAULT_OPTIONS.zoledronic_first_per_kg)
_ZOL_SECOND: Final = _scaled(0.025, _PER_KG_SCALE)
_ZOL_REGULAR: Final = _scaled(0.05, _PER_KG_SCALE)
_ZOL_LOW: Final = _scaled(0.025, _PER_KG_SCALE)
_PAM_REGULAR: Final = _scaled(2.0, _PER_KG_SCALE)
_HUNGRY_INFUSIONS: Final = DEFAULT_OPTIONS.hungry_bones_infusions
# Preparation (P-ZOL-DOSE, P-PAM-DOSE): zoledronic acid in the default volume over 1 hour;
# pamidronate at 0.1 mg/ml over 4 hours, so 1 ml per 0.1 mg step.
_ZOL_VOLUME_ML: Final = float(magnitude_in(DEFAULT_PREPARATION.zoledronic_volume, "milliliter"))
_ZOL_RATE_ML_H: Final = _ZOL_VOLUME_ML / float(magnitude_in(ZOLEDRONIC_DURATION, "hour"))
_PAM_ML_PER_STEP: Final = _mg(DEFAULT_PRECISION[_PAM]) / float(
    magnitude_in(PAMIDRONATE_CONCENTRATION, "milligram / milliliter")
)
_PAM_HOURS: Final = float(magnitude_in(PAMIDRONATE_DURATION, "hour"))
if Decimal(repr(_PAM_ML_PER_STEP)) != 1:  # the whole-millilitre reading below relies on it
    msg = "pamidronate steps no longer make whole millilitres"
    raise ValueError(msg)

_MONTHS_TO_SCOPE_END: Final = 12 * SCOPE_AGE_YEARS
_MONTHS_TO_TWO: Final = 24  # P-ZOL-LOW: under 2 years on the infusion date


def _limit_steps(threshold: Threshold) -> int:
    return threshold.resolution.steps(threshold.limit)


def _steps(values: _Float, threshold: Threshold) -> _Float:
    """Whole steps of the threshold's resolution; NaN stays NaN."""
    return np.rint(values / threshold.resolution.step)


_DAYS_IN_MONTH: Final = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_NAT_DAYS: Final = np.datetime64("NaT", "D").astype(np.int64)


def _civil(days: _Int) -> tuple[_Int, _Int, _Int]:
    """Year, month (1-12) and day of days since 1970-01-01 (proleptic Gregorian calendar).

    Integer arithmetic on whole eras of 400 years (H. Hinnant's ``civil_from_days``); numpy's
    own datetime conversions do the same per element, several times slower.
    """
    shifted = days + 719468  # days since 0000-03-01
    era = shifted // 146097
    of_era = shifted - era * 146097
    year_of_era = (of_era - of_era // 1460 + of_era // 36524 - of_era // 146096) // 365
    of_year = of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * of_year + 2) // 153  # March is 0
    day = of_year - (153 * shifted_month + 2) // 5 + 1
    month = np.where(shifted_month < 10, shifted_month + 3, shifted_month - 9)
    year = year_of_era + era * 400 + (month <= 2)
    return year, month, day


def _days(year: _Int, month: _Int, day: _Int) -> _Int:
    """Days since 1970-01-01 of a civil date (H. Hinnant's ``days_from_civil``)."""
    year = year - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + of_year
    result: _Int = era * 146097 + of_era - 719468
    return result


def add_months(dates: _Dates, months: _Int | int) -> _Dates:
    """Vectorised :func:`bisphos.dates.add_months`: keep the day, or the month's last day."""
    days = dates.astype("datetime64[D]", copy=False).astype(np.int64)
    year, month, day = _civil(days)
    index = year * 12 + (month - 1) + months
    year, month = index // 12, index % 12 + 1
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS_IN_MONTH[month - 1] + (leap & (month == 2))
    result = _days(year, month, np.minimum(day, last))
    result = np.where(days == _NAT_DAYS, _NAT_DAYS, result)
    dated: _Dates = result.astype("datetime64[D]")
    return dated


def _weight_mg(weight_kg: _Float) -> _Int:
    """The dosing weight in whole mg, as ``dosing_weight_kg`` takes it (half to even)."""
    scaled = weight_kg * 1e6
    result = np.rint(scaled).astype(np.int64)
    ambiguous = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    for index in np.flatnonzero(ambiguous):  # rare: let the scalar function decide
        kg = dosing_weight_kg(quantity(float(weight_kg[index]), "kilogram"))
        result[index] = _scaled(kg, 10**6)
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
    # Over 120 years (the model's limit): from the 121st birthday on; only old rows need the
    # calendar, so the days decide first.
    old = (today - birth) > np.timedelta64(365 * MAX_AGE_YEARS, "D")
    if old.any():
        old[old] = today[old] >= add_months(birth[old], 12 * (MAX_AGE_YEARS + 1))
    refuse(old, f"birth_date: age over {MAX_AGE_YEARS} years")
    refuse(diagnoses < 0, "diagnosis: not known")
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
    refuse((z < -10) | (z > 10), "lowest_bmd_z: a Z-score is from -10 to 10")
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
    indicated = in_scope.copy()
    blocked = np.zeros(size, dtype=bool)
    for code in BLOCK_CODES:
        blocked |= blocks[code]
        if code.startswith("not-indicated"):
            indicated &= ~blocks[code]

    # P-GFR: simplified Schwartz, k = 40, in the order the estimator multiplies.
    with np.errstate(invalid="ignore", divide="ignore"):
        gfr = schwartz_40.k * columns["height_cm"] / columns["creatinine_umol_l"]
    gfr = np.where(in_scope, gfr, np.nan)
    gate = _steps(gfr, ZOLEDRONIC_ACID_GFR) > _limit_steps(ZOLEDRONIC_ACID_GFR)

    # Status by code, then as text: one pass of pointers rather than strings per row.
    code = valid.astype(np.int8)  # 0 invalid, 1 out of scope
    code += in_scope  # 2 not indicated
    code += indicated  # 3 ready
    code += indicated & blocked  # 4 blocked

    # The course is computed for the indicated rows only, and written into full columns.
    rows = np.flatnonzero(indicated)
    course = _course(
        {name: columns[name][rows] for name in _COURSE_COLUMNS},
        gate=gate[rows],
        birth=birth[rows],
        today=today[rows],
        scope_end=scope_end[rows],
    )
    failed = rows[course.pop("error")]
    if len(failed):
        code[failed] = 5
        errors[failed] = "dose: the dose rounds down to zero"
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
        fill = empty.get(name, np.datetime64("NaT") if values.dtype.kind == "M" else np.nan)
        full = np.full(size, fill, dtype=values.dtype)
        full[rows] = values
        output[name] = full
    return output


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
    }


_STATUSES: Final = np.array(
    ["invalid", "out_of_scope", "not_indicated", "ready", "blocked", "error"], dtype=object
)
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


def _course(
    columns: Mapping[str, Array],
    *,
    gate: _Bool,
    birth: _Dates,
    today: _Dates,
    scope_end: _Dates,
) -> dict[str, Array]:
    """Drug, dates, doses, volumes and rates of the course of indicated rows, by output name."""
    size = len(gate)
    zol = gate
    given = np.where(zol, columns["zoledronic_acid_given"], columns["pamidronate_given"])
    last = np.where(zol, columns["last_zoledronic_acid_date"], columns["last_pamidronate_date"])
    number = given + 1
    interval = np.where(~zol | (number == 2), 3, 6)
    due = add_months(last, interval)
    from_last = (given > 0) & (due >= today)
    base = np.where(from_last, last, today)
    months = np.where(from_last, interval, 0)
    weight_mg = _weight_mg(columns["weight_kg"])
    two_years = add_months(birth, _MONTHS_TO_TWO)
    low = columns["low_bone_turnover"] | columns["complication_after_infusion"]
    immobile = columns["prolonged_immobilisation"]
    cap = np.where(zol, _CAP[_ZOL], _CAP[_PAM])
    step = np.where(zol, _STEP[_ZOL], _STEP[_PAM])
    steps_per_mg = np.where(zol, _MG_SCALE // _STEP[_ZOL], _MG_SCALE // _STEP[_PAM])
    zol_maxima = (
        _MAXIMUM[_ZOL, Phase.FIRST],
        _MAXIMUM[_ZOL, Phase.SECOND],
        _MAXIMUM[_ZOL, Phase.REGULAR],
    )
    pam_maxima = (
        _MAXIMUM[_PAM, Phase.FIRST],
        _MAXIMUM[_PAM, Phase.SECOND],
        _MAXIMUM[_PAM, Phase.REGULAR],
    )

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
        regular = np.where(
            zol,
            np.where(low | (date < two_years), _ZOL_LOW, _ZOL_REGULAR),
            _PAM_REGULAR,
        )
        first, second = number == 1, number == 2
        per_kg = np.where(
            zol,
            np.where(first, _ZOL_FIRST, np.where(second, _ZOL_SECOND, regular)),
            np.where(first, regular // 2, regular),
        )
        limit = np.where(~zol & first, cap // 2, cap)
        phase = np.where(first, 0, np.where(second, 1, 2))
        maximum = np.where(zol, np.choose(phase, zol_maxima), np.choose(phase, pam_maxima))
        # P-HUNGRY: a quarter of the regular dose, capped at a quarter of the cap, when lower.
        quarter = regular // 4
        quarter_limit = cap // 4
        hungry = (
            immobile
            & (number <= _HUNGRY_INFUSIONS)
            & (
                np.minimum(quarter * weight_mg, quarter_limit)
                < np.minimum(per_kg * weight_mg, limit)
            )
        )
        per_kg = np.where(hungry, quarter, per_kg)
        limit = np.where(hungry, quarter_limit, limit)
        bounded = np.minimum(
            np.minimum(per_kg * weight_mg, limit), np.minimum(cap, maximum * weight_mg)
        )
        dose_steps = bounded // step
        errors |= planned & (dose_steps <= 0)
        volume_ml = np.where(zol, _ZOL_VOLUME_ML, dose_steps * _PAM_ML_PER_STEP)
        result[f"date_{index}"] = np.where(planned, date, np.datetime64("NaT"))
        result[f"dose_{index}_mg"] = np.where(planned, dose_steps / steps_per_mg, np.nan)
        result[f"volume_{index}_ml"] = np.where(planned, volume_ml, np.nan)
        result[f"rate_{index}_ml_h"] = np.where(
            planned, np.where(zol, _ZOL_RATE_ML_H, volume_ml / _PAM_HOURS), np.nan
        )
        number = number + 1
        months = months + np.where(~zol | (number == 2), 3, 6)
    result["infusions"] = count
    result["error"] = errors
    return result
