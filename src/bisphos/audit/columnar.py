"""The audit over columns: every administration of a history judged at once, vectorised.

:func:`judge_frame` takes the three tables of a history (:mod:`bisphos.audit.history`) and
returns one row per administration with its verdict (:data:`OUTPUT_COLUMNS`). It is a pure
function of its input: nothing is read but the tables, so it runs unchanged on any subset of
whole patients (every row of each of its patients), e.g. on Dask partitions grouped by
``patient_id``; the result of the whole is the rows of the parts.

It is a driver, like :mod:`bisphos.batch.vector`: the numbers are those of
:mod:`bisphos.audit.rules` (the table's, the kernel's, the thresholds'), the dose arithmetic is
exact on integers (a dose in 1e-11 mg, a per-kg maximum in 1e-5 mg/kg times the weight in mg,
:class:`bisphos.batch.vector.Integers`), thresholds compare whole steps of their resolution,
and dates add calendar months as :func:`bisphos.dates.add_months` does
(:mod:`bisphos.batch.dates`). The reference is :mod:`bisphos.audit.one_by_one`; the property
tests check that both give the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from bisphos.audit import rules as r
from bisphos.audit.history import (
    LAB_MEASUREMENTS,
    MEASUREMENT_KINDS,
    RESOLUTION,
    History,
    history_from_frames,
)
from bisphos.audit.rules import Code, Unassessed, Verdict
from bisphos.batch.dates import add_months
from bisphos.batch.vector import Integers
from bisphos.model import Drug
from bisphos.pediatric import kernel
from bisphos.pediatric import table as t
from bisphos.pediatric.freshness import DEFAULT_FRESHNESS
from bisphos.pediatric.indication import INDICATED_DIAGNOSES
from bisphos.pediatric.renal import schwartz_40
from bisphos.pediatric.table import Number, Phase
from bisphos.pediatric.thresholds import (
    FEVER,
    HYPOCALCAEMIA,
    PAMIDRONATE_RENAL_IMPAIRMENT,
    PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT,
    SCOPE_AGE_YEARS,
    VITAMIN_D_DEFICIENCY,
    ZOLEDRONIC_ACID_GFR,
    Threshold,
)
from bisphos.units import ureg

__all__ = [
    "OUTPUT_COLUMNS",
    "OUTPUT_DTYPES",
    "VERDICT_COLUMNS",
    "judge_frame",
    "judge_history",
    "output_frame",
]

Array = npt.NDArray[Any]

#: The columns every verdict table has, in order: the contract the report and the distributed
#: audit read.
VERDICT_COLUMNS: Final = (
    "patient_id",
    "date",
    "year",
    "drug",
    "dose_mg",
    "volume_ml",
    "duration_min",
    "weight_kg",
    "dose_mg_per_kg",
    "limit_mg_per_kg",
    "cap_mg",
    "interval_days",
    "min_interval_days",
    "verdict",
    "rule_ids",
)
#: The columns of the result, in order: the contract's, then the audit's own detail.
OUTPUT_COLUMNS: Final = (
    *VERDICT_COLUMNS,
    "infusion_number",
    "drug_infusion_number",
    "weight_date",
    "gfr_ml_min_1_73m2",
    "deviations",
    "unassessed",
)

#: The type of each column of the result.
OUTPUT_DTYPES: Final = {
    **dict.fromkeys(OUTPUT_COLUMNS, "float64"),
    **dict.fromkeys(
        ("patient_id", "drug", "verdict", "rule_ids", "deviations", "unassessed"), "object"
    ),
    **dict.fromkeys(("date", "weight_date"), "datetime64[s]"),
    **dict.fromkeys(("year", "infusion_number", "drug_infusion_number"), "int64"),
}

_A: Final = Integers()
_Z, _P = Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE
_DRUGS: Final = tuple(Drug)
_DRUG_CODE: Final = {drug.value: index for index, drug in enumerate(_DRUGS)}
_Z_CODE: Final = _DRUG_CODE[_Z.value]

# Integer units: a dose, volume or duration in millionths of its unit (as the boundary takes
# them), a dose in 1e-11 mg for the per-kg arithmetic of the batch path.
_MICRO: Final = RESOLUTION
_TO_MG_UNITS: Final = int(_A.mg(1.0)) // _MICRO  # 1e-6 mg -> 1e-11 mg
_MINUTES_PER_HOUR: Final = round(ureg.Quantity(1, "hour").m_as("minute"))


def _per_micro(number: Number) -> int:
    """A limit per unit (mg/ml, mg/h) in 1e-5 of it: times millionths gives 1e-11 mg."""
    return int(_A.per_kg(number))


_CAP: Final = np.array([int(_A.mg(t.DAILY_CAP_MG[drug])) for drug in _DRUGS], dtype=np.int64)
_MAXIMUM: Final = {
    phase: np.array([int(_A.per_kg(t.PER_KG_MAXIMUM_MG_PER_KG[drug, phase])) for drug in _DRUGS])
    for phase in (Phase.FIRST, Phase.REGULAR)
}
_MAXIMUM_MG_PER_KG: Final = {
    phase: np.array([t.PER_KG_MAXIMUM_MG_PER_KG[drug, phase].value for drug in _DRUGS])
    for phase in (Phase.FIRST, Phase.REGULAR)
}
_HIGHEST: Final = np.array(
    [
        max(int(_A.per_kg(v)) for (d, _), v in t.PER_KG_MAXIMUM_MG_PER_KG.items() if d is drug)
        for drug in _DRUGS
    ],
    dtype=np.int64,
)
_PAM_FIRST_CAP: Final = int(
    _A.fraction(_A.mg(t.DAILY_CAP_MG[_P]), r.PAMIDRONATE_FIRST_CAP_FRACTION)
)
_PAM_MAX_CONCENTRATION: Final = _per_micro(t.PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML)
_PAM_MAX_RATE: Final = _per_micro(t.PAMIDRONATE_LABEL_MAX_RATE_MG_H)
_PAM_RENAL_RATE: Final = _per_micro(t.PAMIDRONATE_RENAL_MAX_RATE_MG_H)
_ZOL_MIN_MINUTES: Final = round(t.ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN.value * _MICRO)
_SCHWARTZ_K: Final = float(schwartz_40.k)
_FRESH: Final = DEFAULT_FRESHNESS
_SCOPE_MONTHS: Final = 12 * SCOPE_AGE_YEARS
_INDICATED: Final = np.array(sorted(d.value for d in INDICATED_DIAGNOSES), dtype=object)
_DAY_KEY: Final = 1 << 22  # days of a date key: 11 000 years around 1970
_DAY_OFFSET: Final = 1 << 21

_KINDS: Final = sorted(MEASUREMENT_KINDS)
_BIT: Final = {code: np.int64(1) << index for index, code in enumerate(Code)}
_UNASSESSED_BIT: Final = {code: np.int64(1) << index for index, code in enumerate(Unassessed)}


def _limit_steps(threshold: Threshold) -> int:
    return threshold.resolution.steps(threshold.limit)


def _steps(values: Array, threshold: Threshold) -> Array:
    """Whole steps of the threshold's resolution (NaN stays NaN), as ``Resolution.steps``."""
    result: Array = np.rint(values / threshold.resolution.step)
    return result


def _micro(values: Array) -> Array:
    result: Array = np.rint(np.asarray(values, dtype=np.float64) * _MICRO).astype(np.int64)
    return result


def _days(values: Array) -> Array:
    result: Array = np.asarray(values).astype("datetime64[D]").astype(np.int64)
    return result


class _AsOf:
    """The latest measurement of each kind on or before each administration's date.

    The measurements are sorted by patient, kind, date and value (as the history keeps them),
    so one key of the three is sorted too: the latest value of a kind is the last key at or
    before the wanted one, when it is of the same patient and kind.
    """

    def __init__(self, measurements: pd.DataFrame, codes: Array) -> None:
        kinds = pd.Categorical(measurements["kind"].to_numpy(dtype=object), categories=_KINDS)
        self._days = _days(measurements["date"].to_numpy())
        self._series = codes * len(_KINDS) + kinds.codes.astype(np.int64)
        self._keys = self._series * _DAY_KEY + (self._days + _DAY_OFFSET)
        self._values = measurements["value"].to_numpy(dtype=np.float64)

    def latest(self, kind: str, codes: Array, days: Array) -> tuple[Array, Array]:
        """The value and the day of the latest ``kind`` (NaN and -1 where there is none)."""
        series = codes * len(_KINDS) + _KINDS.index(kind)
        index = np.searchsorted(self._keys, series * _DAY_KEY + (days + _DAY_OFFSET), "right") - 1
        safe = np.maximum(index, 0)
        if self._keys.size == 0:
            return np.full(days.shape, np.nan), np.full(days.shape, -1, dtype=np.int64)
        found = (index >= 0) & (self._series[safe] == series)
        values: Array = np.where(found, self._values[safe], np.nan)
        measured: Array = np.where(found, self._days[safe], -1)
        return values, measured


def _segments(*keys: Array) -> Array:
    """Whether each row starts a run of equal keys (rows sorted by them)."""
    starts = np.ones(keys[0].shape, dtype=bool)
    if keys[0].size:
        change = np.zeros(keys[0].size - 1, dtype=bool)
        for key in keys:
            change |= key[1:] != key[:-1]
        starts[1:] = change
    return starts


def _run_index(starts: Array) -> Array:
    """The index of the first row of each row's run."""
    positions = np.arange(starts.size)
    first: Array = np.maximum.accumulate(np.where(starts, positions, 0))
    return first


def _joined(masks: Array, labels: Mapping[int, tuple[str, ...]]) -> Array:
    """``;``-joined labels of each mask's bits, sorted, each once; ``""`` for none."""
    unique, inverse = np.unique(masks, return_inverse=True)
    texts = np.empty(unique.size, dtype=object)
    for position, mask in enumerate(unique.tolist()):
        chosen = {label for bit, group in labels.items() if mask >> bit & 1 for label in group}
        texts[position] = ";".join(sorted(chosen))
    result: Array = texts[inverse.reshape(-1)]
    return result


_CODE_LABELS: Final = {index: (code.value,) for index, code in enumerate(Code)}
_RULE_LABELS: Final = {index: r.DEVIATIONS[code].rule_ids for index, code in enumerate(Code)}
_UNASSESSED_LABELS: Final = {index: (code.value,) for index, code in enumerate(Unassessed)}


@attrs.frozen
class _Rows:
    """The administrations as arrays, sorted by patient, date and drug, with their state."""

    codes: Array  # the patient's index in the patients table
    days: Array  # days since 1970-01-01
    zol: Array  # zoledronic acid (else pamidronate)
    drugs: Array  # the drug's index in Drug
    dose: Array  # 1e-11 mg
    volume: Array  # 1e-6 ml
    minutes: Array  # 1e-6 min
    birth: Array  # days since 1970-01-01
    diagnosis: Array
    number: Array  # place among the patient's infusions of any drug
    drug_number: Array  # place among the patient's infusions of the drug
    first_phase: Array  # the per-kg maximum of the first phase applies
    weight_kg: Array  # NaN where none
    weighed: Array  # the weight's day
    weight_mg: Array  # 0 where none
    gfr: Array  # Schwartz-40, NaN where unknown
    creatinine_day: Array  # -1 where none
    has_creatinine: Array
    as_of: _AsOf

    @property
    def pam(self) -> Array:
        """Pamidronate."""
        result: Array = ~self.zol
        return result

    @property
    def has_weight(self) -> Array:
        """A weight on or before the date."""
        result: Array = ~np.isnan(self.weight_kg)
        return result


def _rows(history: History) -> _Rows:
    patients, given, measured = history.patients, history.administrations, history.measurements
    index = pd.Index(patients["patient_id"].to_numpy(dtype=object))
    codes = index.get_indexer(given["patient_id"].to_numpy(dtype=object)).astype(np.int64)
    measured_codes = index.get_indexer(measured["patient_id"].to_numpy(dtype=object))
    n = len(given)
    days = _days(given["date"].to_numpy())
    zol = given["drug"].to_numpy(dtype=object) == _Z.value
    drugs = np.where(zol, _Z_CODE, _DRUG_CODE[_P.value]).astype(np.int64)
    # Place in the history: of any drug, and of this drug.
    number = np.arange(n) - _run_index(_segments(codes)) + 1
    by_drug = np.lexsort((np.arange(n), drugs, codes))
    drug_number = np.empty(n, dtype=np.int64)
    drug_number[by_drug] = np.arange(n) - _run_index(_segments(codes[by_drug], drugs[by_drug])) + 1
    as_of = _AsOf(measured, measured_codes.astype(np.int64))
    weight_kg, weighed = as_of.latest("weight_kg", codes, days)
    height_cm, _ = as_of.latest("height_cm", codes, days)
    creatinine, creatinine_day = as_of.latest(LAB_MEASUREMENTS["creatinine"], codes, days)
    with np.errstate(invalid="ignore", divide="ignore"):
        gfr = _SCHWARTZ_K * height_cm / creatinine
    return _Rows(
        codes=codes,
        days=days,
        zol=zol,
        drugs=drugs,
        dose=_micro(given["dose_mg"].to_numpy()) * _TO_MG_UNITS,
        volume=_micro(given["volume_ml"].to_numpy()),
        minutes=_micro(given["duration_min"].to_numpy()),
        birth=_days(patients["birth_date"].to_numpy())[codes],
        diagnosis=patients["diagnosis"].to_numpy(dtype=object)[codes],
        number=number,
        drug_number=drug_number,
        first_phase=np.where(
            zol, drug_number <= t.ZOLEDRONIC_ACID_FIRST_INFUSIONS, drug_number == 1
        ),
        weight_kg=weight_kg,
        weighed=weighed,
        weight_mg=np.rint(np.nan_to_num(weight_kg) * _MICRO).astype(np.int64),
        gfr=gfr,
        creatinine_day=creatinine_day,
        has_creatinine=~np.isnan(creatinine),
        as_of=as_of,
    )


_Flags = dict[Code, Array]


def _doses(rows: _Rows) -> _Flags:
    """The phase's per-kg maximum, the daily cap, half the cap for a first pamidronate."""
    zol, pam, first, drugs, dose = rows.zol, rows.pam, rows.first_phase, rows.drugs, rows.dose
    maximum = np.where(first, _MAXIMUM[Phase.FIRST][drugs], _MAXIMUM[Phase.REGULAR][drugs])
    over = rows.has_weight & (dose > maximum * rows.weight_mg)
    # The day's doses so far: this infusion and the earlier ones of the drug that day.
    running = np.cumsum(dose)
    day_first = _run_index(_segments(rows.codes, rows.days, drugs))
    day = running - running[day_first] + dose[day_first] if dose.size else dose
    # Several infusions of the drug on one day: their sum against the highest per-kg maximum.
    over_day = rows.has_weight & (day > dose) & (day > _HIGHEST[drugs] * rows.weight_mg)
    return {
        Code.ZOLEDRONIC_ACID_FIRST_OVER_PER_KG: over & zol & first,
        Code.ZOLEDRONIC_ACID_OVER_PER_KG: over & zol & ~first,
        Code.PAMIDRONATE_FIRST_OVER_PER_KG: over & pam & first,
        Code.PAMIDRONATE_OVER_PER_KG: over & pam & ~first,
        Code.PAMIDRONATE_FIRST_OVER_HALF_CAP: pam & first & (dose > _PAM_FIRST_CAP),
        Code.ZOLEDRONIC_ACID_OVER_CAP: zol & (day > _CAP[drugs]),
        Code.PAMIDRONATE_OVER_CAP: pam & (day > _CAP[drugs]),
        Code.ZOLEDRONIC_ACID_DAY_OVER_PER_KG: zol & over_day,
        Code.PAMIDRONATE_DAY_OVER_PER_KG: pam & over_day,
    }


def _preparation_and_kidneys(rows: _Rows) -> _Flags:
    """Concentration and rate from dose, volume and time; the gate's GFR gates; P-FRESH."""
    zol, pam, dose, minutes = rows.zol, rows.pam, rows.dose, rows.minutes
    per_hour = dose * _MINUTES_PER_HOUR
    known = ~np.isnan(rows.gfr)
    steps = _steps(rows.gfr, ZOLEDRONIC_ACID_GFR)
    zol_allowed = known & (steps > _limit_steps(ZOLEDRONIC_ACID_GFR))
    pam_refused = known & (steps < _limit_steps(PAMIDRONATE_SEVERE_RENAL_IMPAIRMENT))
    # The gate's reading: a GFR of 90 or less, or none known, limits pamidronate to 20 mg/h.
    rate_limited = ~known | (steps <= _limit_steps(PAMIDRONATE_RENAL_IMPAIRMENT))
    oldest = _days(add_months(rows.days.astype("datetime64[D]"), -_FRESH.creatinine_months))
    return {
        Code.ZOLEDRONIC_ACID_TOO_FAST: zol & (minutes < _ZOL_MIN_MINUTES),
        Code.PAMIDRONATE_TOO_CONCENTRATED: pam & (dose > _PAM_MAX_CONCENTRATION * rows.volume),
        Code.PAMIDRONATE_TOO_FAST: pam & (per_hour > _PAM_MAX_RATE * minutes),
        Code.PAMIDRONATE_TOO_FAST_RENAL: pam
        & rate_limited
        & (per_hour > _PAM_RENAL_RATE * minutes),
        Code.ZOLEDRONIC_ACID_GFR_TOO_LOW: zol & ~zol_allowed,
        Code.PAMIDRONATE_GFR_TOO_LOW: pam & pam_refused,
        Code.CREATININE_NOT_FRESH: zol & rows.has_creatinine & (rows.creatinine_day < oldest),
    }


def _intervals(rows: _Rows) -> tuple[_Flags, Array, Array]:
    """P-SCOPE-1 and P-HIST-INTERVAL; the days since the previous infusion and the least."""
    days, n = rows.days, rows.days.size
    scope_end = _days(add_months(rows.birth.astype("datetime64[D]"), _SCOPE_MONTHS))
    has_previous = rows.number > 1
    previous = np.maximum(np.arange(n) - 1, 0)
    months = kernel.history_interval_months(
        _A, last_zoledronic=rows.zol[previous], given_of_last=rows.drug_number[previous]
    )
    previous_day = days[previous]
    earliest = _days(add_months(previous_day.astype("datetime64[D]"), months))
    flags = {
        Code.AFTER_19TH_BIRTHDAY: days >= scope_end,
        Code.INTERVAL_TOO_SHORT: has_previous & (days < earliest),
    }
    interval: Array = np.where(has_previous, days - previous_day, np.nan)
    least: Array = np.where(has_previous, earliest - previous_day, np.nan)
    return flags, interval, least


def _contraindications_and_labs(rows: _Rows) -> _Flags:
    """Calcium, fever on the day, the first infusion's labs and vitamin D, the indication."""
    codes, days, as_of = rows.codes, rows.days, rows.as_of
    calcium, calcium_day = as_of.latest(LAB_MEASUREMENTS["calcium"], codes, days)
    calcium_fresh = calcium_day >= days - _FRESH.calcium_days
    low_calcium = _steps(calcium, HYPOCALCAEMIA) < _limit_steps(HYPOCALCAEMIA)
    temperature, measured = as_of.latest("temperature_c", codes, days)
    fever = _steps(temperature, FEVER) > _limit_steps(FEVER)
    first = rows.number == 1
    oldest = days - _FRESH.first_labs_days
    missing = np.zeros(days.size, dtype=bool)
    deficient = np.zeros(days.size, dtype=bool)
    for name, kind in LAB_MEASUREMENTS.items():
        value, day = as_of.latest(kind, codes, days)
        fresh = ~np.isnan(value) & (day >= oldest)
        missing |= ~fresh
        if name == "vitamin_d_25oh":
            low = _steps(value, VITAMIN_D_DEFICIENCY) < _limit_steps(VITAMIN_D_DEFICIENCY)
            deficient = fresh & low
    return {
        Code.HYPOCALCAEMIA: ~np.isnan(calcium) & calcium_fresh & low_calcium,
        Code.FEVER: ~np.isnan(temperature) & (measured == days) & fever,
        Code.VITAMIN_D_DEFICIENT: first & deficient,
        Code.FIRST_LABS_MISSING: first & missing,
        Code.NOT_INDICATED: ~np.isin(rows.diagnosis, _INDICATED),
    }


def _mask(flags: Mapping[Any, Array], bits: Mapping[Any, np.int64], size: int) -> Array:
    mask = np.zeros(size, dtype=np.int64)
    for code, where in flags.items():
        mask |= np.where(where, bits[code], 0)
    return mask


def judge_history(history: History) -> pd.DataFrame:
    """Judge every administration of a checked history (see :func:`judge_frame`)."""
    rows = _rows(history)
    given = history.administrations
    n = rows.days.size
    intervals, interval_days, min_interval_days = _intervals(rows)
    flags = {
        **_doses(rows),
        **_preparation_and_kidneys(rows),
        **intervals,
        **_contraindications_and_labs(rows),
    }
    deviations = _mask(flags, _BIT, n)
    weight_oldest = rows.days - _FRESH.weight_days
    unassessed = _mask(
        {
            Unassessed.WEIGHT_MISSING: ~rows.has_weight,
            Unassessed.WEIGHT_NOT_FRESH: rows.has_weight & (rows.weighed < weight_oldest),
        },
        _UNASSESSED_BIT,
        n,
    )
    verdict = np.where(
        deviations != 0,
        Verdict.DEVIATION.value,
        np.where(unassessed != 0, Verdict.NOT_ASSESSABLE.value, Verdict.OK.value),
    ).astype(object)
    first, drugs = rows.first_phase, rows.drugs
    limit = np.where(
        first, _MAXIMUM_MG_PER_KG[Phase.FIRST][drugs], _MAXIMUM_MG_PER_KG[Phase.REGULAR][drugs]
    )
    cap_mg = np.where(rows.pam & first, _PAM_FIRST_CAP, _CAP[drugs]) / _A.mg(1.0)
    dose_mg = given["dose_mg"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_kg = dose_mg / rows.weight_kg
    dates = rows.days.astype("datetime64[D]")
    no_date = np.iinfo(np.int64).min  # NaT
    return output_frame(
        {
            "patient_id": given["patient_id"].to_numpy(dtype=object),
            "date": dates,
            "year": dates.astype("datetime64[Y]").astype(np.int64) + 1970,
            "drug": given["drug"].to_numpy(dtype=object),
            "dose_mg": dose_mg,
            "volume_ml": given["volume_ml"].to_numpy(dtype=np.float64),
            "duration_min": given["duration_min"].to_numpy(dtype=np.float64),
            "weight_kg": rows.weight_kg,
            "dose_mg_per_kg": per_kg,
            "limit_mg_per_kg": limit,
            "cap_mg": cap_mg,
            "interval_days": interval_days,
            "min_interval_days": min_interval_days,
            "verdict": verdict,
            "rule_ids": _joined(deviations, _RULE_LABELS),
            "infusion_number": rows.number,
            "drug_infusion_number": rows.drug_number,
            "weight_date": np.where(rows.has_weight, rows.weighed, no_date).astype("datetime64[D]"),
            "gfr_ml_min_1_73m2": rows.gfr,
            "deviations": _joined(deviations, _CODE_LABELS),
            "unassessed": _joined(unassessed, _UNASSESSED_LABELS),
        }
    )


def output_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """The result as a DataFrame: :data:`OUTPUT_COLUMNS` in order, each of its dtype."""
    return pd.DataFrame(
        {name: np.asarray(columns[name], dtype=OUTPUT_DTYPES[name]) for name in OUTPUT_COLUMNS},
        copy=False,
    )


def judge_frame(
    patients: pd.DataFrame, administrations: pd.DataFrame, measurements: pd.DataFrame
) -> pd.DataFrame:
    """Judge every administration of three tables: one row each, with its verdict.

    The tables are those of :data:`bisphos.audit.history.TABLES` (checked here, as
    :func:`~bisphos.audit.history.history_from_frames` does). The result has the columns of
    :data:`OUTPUT_COLUMNS`, sorted by patient, date and drug:

    - the administration: ``patient_id``, ``date``, ``year``, ``drug``, ``dose_mg``,
      ``volume_ml``, ``duration_min``;
    - the patient's state on the date and the limits: ``weight_kg`` (the latest weight on or
      before the date, NaN if none) and ``weight_date``, ``dose_mg_per_kg``,
      ``limit_mg_per_kg`` (the per-kg maximum of the infusion's phase, by its place in the
      drug's history), ``cap_mg`` (the daily cap, or half of it for a first pamidronate
      infusion), ``interval_days`` (since the previous infusion of any drug, NaN for the
      first) and ``min_interval_days`` (the least the last drug given allows),
      ``infusion_number`` and ``drug_infusion_number``, ``gfr_ml_min_1_73m2`` (Schwartz-40);
    - the verdict: ``verdict`` (``ok``, ``deviation`` or ``not_assessable``), ``rule_ids``
      (``;``-joined, sorted, ``""`` when none), ``deviations`` (the codes of
      :class:`bisphos.audit.rules.Code`) and ``unassessed`` (what could not be checked).

    It runs on any subset of whole patients: the rows of a partition holding every row of its
    patients are the rows the whole history gives them.

    Raises:
        TableInputError: a table lacks a column or holds a value that is not accepted.
    """
    return judge_history(history_from_frames(patients, administrations, measurements))
