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
from bisphos.model import PLAUSIBLE_RANGES, Diagnosis, Drug
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
from bisphos.units import _magnitude_in, quantity

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
    return float(_magnitude_in(value, "milligram"))  # type: ignore[arg-type]


def _per_kg(value: object) -> int:
    return _scaled(float(_magnitude_in(value, "milligram / kilogram")), _PER_KG_SCALE)  # type: ignore[arg-type]


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
_ZOL_VOLUME_ML: Final = float(_magnitude_in(DEFAULT_PREPARATION.zoledronic_volume, "milliliter"))
_ZOL_RATE_ML_H: Final = _ZOL_VOLUME_ML / float(_magnitude_in(ZOLEDRONIC_DURATION, "hour"))
_PAM_ML_PER_STEP: Final = _mg(DEFAULT_PRECISION[_PAM]) / float(
    _magnitude_in(PAMIDRONATE_CONCENTRATION, "milligram / milliliter")
)
_PAM_HOURS: Final = float(_magnitude_in(PAMIDRONATE_DURATION, "hour"))
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


def add_months(dates: _Dates, months: _Int | int) -> _Dates:
    """Vectorised :func:`bisphos.dates.add_months`: keep the day, or the month's last day."""
    month = dates.astype("datetime64[M]")
    day = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    first = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - first).astype(np.int64)
    result: _Dates = first + np.minimum(day, length - 1)
    return result


def _weight_mg(weight_kg: _Float) -> _Int:
    """The dosing weight in whole mg, as ``dosing_weight_kg`` takes it (half to even)."""
    scaled = weight_kg * 1e6
    result = np.rint(scaled).astype(np.int64)
    ambiguous = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    for index in np.flatnonzero(ambiguous):  # rare: let the scalar function decide
        kg = dosing_weight_kg(quantity(float(weight_kg[index]), "kilogram"))
        result[index] = _scaled(kg, 10**6)
    return result


def _invalid(columns: Mapping[str, Array]) -> npt.NDArray[np.object_]:
    """An error text per row: empty when the row is valid."""
    size = len(columns["weight_kg"])
    errors = np.full(size, "", dtype=object)

    def refuse(mask: _Bool, text: str) -> None:
        errors[mask & (errors == "")] = text

    birth, today = columns["birth_date"], columns["assessment_date"]
    refuse(np.isnat(birth) | np.isnat(today), "birth_date, assessment_date: a date is required")
    refuse(birth > today, "birth_date: the birth date is after the assessment date")
    refuse(add_months(birth, 12 * 120) < today, "birth_date: age over 120 years")
    refuse(~np.isin(columns["diagnosis"], [d.value for d in Diagnosis]), "diagnosis: not known")
    plausible = {
        "weight_kg": "weight",
        "height_cm": "height",
        "temperature_c": "temperature",
        **{column: name for name, column in LAB_COLUMNS.items()},
    }
    for column, name in plausible.items():
        values = columns[column]
        limits = PLAUSIBLE_RANGES[name]
        missing = np.isnan(values)
        outside = ~missing & ~((values >= limits.low) & (values <= limits.high))
        if column == "weight_kg":
            outside |= missing
        refuse(outside, f"{column}: outside the plausible range {limits.low:g} to {limits.high:g}")
    z = columns["lowest_bmd_z"]
    refuse(~np.isnan(z) & ~((z >= -10) & (z <= 10)), "lowest_bmd_z: a Z-score is from -10 to 10")
    for column in (
        "vertebral_fractures",
        "long_bone_fractures_before_10",
        "long_bone_fractures_before_19",
        "zoledronic_acid_given",
        "pamidronate_given",
    ):
        refuse(columns[column] < 0, f"{column}: a count cannot be negative")
    return errors


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
    errors = _invalid(columns)
    valid = errors == ""
    scope_end = add_months(birth, _MONTHS_TO_SCOPE_END)
    in_scope = valid & (today < scope_end)

    # Indication (P-IND-A, P-IND-GENE, P-IND-RECOVERY, P-IND-B with P-FX-a/b/c and P-BMD).
    indicated_diagnoses = [d.value for d in INDICATED_DIAGNOSES]
    condition = ~np.isin(columns["diagnosis"], indicated_diagnoses)
    z_steps = np.rint(columns["lowest_bmd_z"] / REDUCED_BMD.resolution.step)
    reduced = ~np.isnan(z_steps) & (z_steps <= _limit_steps(REDUCED_BMD))
    vertebral = columns["vertebral_fractures"] >= FX_A_MIN_COUNT
    history = (
        vertebral
        | (columns["long_bone_fractures_before_10"] >= FX_B_MIN_COUNT)
        | (columns["long_bone_fractures_before_19"] >= FX_C_MIN_COUNT)
    )
    criteria = ~(vertebral | (history & reduced))
    gene = columns["excluded_gene_variant"]
    recovery = columns["expected_spontaneous_recovery"]
    indicated = in_scope & ~(condition | gene | recovery | criteria)

    # Today's blocks (P-CI-*, and before the first infusion P-PRE-LABS, P-PRE-VITD).
    first = (columns["zoledronic_acid_given"] + columns["pamidronate_given"]) == 0
    fever = _steps(columns["temperature_c"], FEVER) > _limit_steps(FEVER)
    calcium = columns["calcium_mmol_l"]
    hypocalcaemia = _steps(calcium, HYPOCALCAEMIA) < _limit_steps(HYPOCALCAEMIA)
    labs_missing = np.zeros(size, dtype=bool)
    for column in LAB_COLUMNS.values():
        labs_missing |= np.isnan(columns[column])
    vitamin_d = _steps(columns["vitamin_d_25oh_nmol_l"], VITAMIN_D_DEFICIENCY)
    deficient = vitamin_d < _limit_steps(VITAMIN_D_DEFICIENCY)
    blocks = {
        "out-of-scope": valid & ~in_scope,
        "not-indicated-condition": in_scope & condition,
        "not-indicated-gene": in_scope & gene,
        "not-indicated-recovery": in_scope & recovery,
        "not-indicated-criteria": in_scope & criteria,
        "fever": in_scope & fever,
        "hypocalcaemia": in_scope & hypocalcaemia,
        "hypersensitivity": in_scope & columns["bisphosphonate_hypersensitivity"],
        "pregnancy": in_scope & columns["pregnant"],
        "labs-missing": in_scope & first & labs_missing,
        "vitamin-d-deficient": in_scope & first & deficient,
    }
    blocked = np.zeros(size, dtype=bool)
    for code in BLOCK_CODES:
        blocked |= blocks[code]

    # P-GFR: simplified Schwartz, k = 40, in the order the estimator multiplies.
    with np.errstate(invalid="ignore", divide="ignore"):
        gfr = 40.0 * columns["height_cm"] / columns["creatinine_umol_l"]
    gfr = np.where(in_scope, gfr, np.nan)
    gate = _steps(gfr, ZOLEDRONIC_ACID_GFR) > _limit_steps(ZOLEDRONIC_ACID_GFR)

    status = np.full(size, "invalid", dtype=object)
    status[valid] = "out_of_scope"
    status[in_scope] = "not_indicated"
    status[indicated] = "ready"
    status[indicated & blocked] = "blocked"

    course = _course(
        columns, indicated=indicated, gate=gate, birth=birth, today=today, scope_end=scope_end
    )
    status[course["error"] != ""] = "error"
    errors = np.where(course["error"] != "", course["error"], errors)
    output: dict[str, Array] = {
        "status": status,
        "error": errors,
        "in_scope": in_scope,
        "indicated": indicated,
        "zoledronic_acid_allowed": gate,
        "gfr_ml_min_1_73m2": gfr,
        "drug": course["drug"],
    }
    for code in BLOCK_CODES:
        output[f"block_{code.replace('-', '_')}"] = blocks[code]
    output["infusions"] = course["infusions"]
    for number in range(1, HORIZON + 1):
        for name in ("date", "dose", "volume", "rate"):
            key = f"{name}_{number}"
            output[key + {"date": "", "dose": "_mg", "volume": "_ml", "rate": "_ml_h"}[name]] = (
                course[key]
            )
    return output


def _course(
    columns: Mapping[str, Array],
    *,
    indicated: _Bool,
    gate: _Bool,
    birth: _Dates,
    today: _Dates,
    scope_end: _Dates,
) -> dict[str, Array]:
    """Dates, doses, volumes and rates of the course of every indicated row."""
    size = len(indicated)
    zol = gate
    given = np.where(zol, columns["zoledronic_acid_given"], columns["pamidronate_given"])
    last = np.where(zol, columns["last_zoledronic_acid_date"], columns["last_pamidronate_date"])
    number = given + 1
    interval = np.where(~zol | (number == 2), 3, 6)
    due = add_months(last, interval)
    from_last = (given > 0) & (due >= today)
    base = np.where(from_last, last, today)
    months = np.where(from_last, interval, 0)
    weight_mg = _weight_mg(np.where(indicated, columns["weight_kg"], 1.0))
    two_years = add_months(birth, _MONTHS_TO_TWO)
    low = columns["low_bone_turnover"] | columns["complication_after_infusion"]
    immobile = columns["prolonged_immobilisation"]
    cap = np.where(zol, _CAP[_ZOL], _CAP[_PAM])
    step = np.where(zol, _STEP[_ZOL], _STEP[_PAM])
    steps_per_mg = np.where(zol, _MG_SCALE // _STEP[_ZOL], _MG_SCALE // _STEP[_PAM])

    result: dict[str, Array] = {
        "drug": np.where(indicated, np.where(zol, _ZOL.value, _PAM.value), "").astype(object)
    }
    planned = indicated.copy()
    count = np.zeros(size, dtype=np.int64)
    errors = np.full(size, "", dtype=object)
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
        maximum = np.where(
            zol,
            np.where(
                first,
                _MAXIMUM[_ZOL, Phase.FIRST],
                np.where(second, _MAXIMUM[_ZOL, Phase.SECOND], _MAXIMUM[_ZOL, Phase.REGULAR]),
            ),
            np.where(
                first,
                _MAXIMUM[_PAM, Phase.FIRST],
                np.where(second, _MAXIMUM[_PAM, Phase.SECOND], _MAXIMUM[_PAM, Phase.REGULAR]),
            ),
        )
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
        errors[planned & (dose_steps <= 0)] = "dose: the dose rounds down to zero"
        dose_mg = dose_steps / steps_per_mg
        volume_ml = np.where(zol, _ZOL_VOLUME_ML, dose_steps * _PAM_ML_PER_STEP)
        rate = np.where(zol, _ZOL_RATE_ML_H, volume_ml / _PAM_HOURS)
        result[f"date_{index}"] = np.where(planned, date, np.datetime64("NaT"))
        result[f"dose_{index}"] = np.where(planned, dose_mg, np.nan)
        result[f"volume_{index}"] = np.where(planned, volume_ml, np.nan)
        result[f"rate_{index}"] = np.where(planned, rate, np.nan)
        number = number + 1
        months = months + np.where(~zol | (number == 2), 3, 6)
    result["infusions"] = count
    result["error"] = errors
    return result
