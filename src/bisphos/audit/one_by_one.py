"""The audit's reference: each administration judged alone, with the patient's state on its date.

For every administration, in date order, the patient is read as the gate reads a patient
(:class:`bisphos.gate.PatientFacts`): the birth date, the latest weight to the nearest
milligram, the Schwartz-40 GFR from the latest height and creatinine, and the infusions before
it. The administration is then judged with the gate's own predicates (the GFR gates of P-GFR and
P-PAM-RENAL, the end of scope of P-SCOPE-1) and the kernel's exact decimal arithmetic
(:data:`bisphos.pediatric.kernel.EXACT`: the per-kg maxima of its phase, the daily caps, the
interval the last drug given sets, P-HIST-INTERVAL), the label limits of
:mod:`bisphos.pediatric.table`, the thresholds' own comparisons
(:meth:`bisphos.pediatric.thresholds.Threshold.met`) and the ages of P-FRESH
(:func:`bisphos.pediatric.freshness.fresh_since`). Every deviation found is listed, not only the
first.

It is plain Python, one administration at a time: the reference the columnar path
(:mod:`bisphos.audit.columnar`) is checked against, and slow on purpose.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from bisphos.audit import rules as r
from bisphos.audit.columnar import output_frame
from bisphos.audit.history import (
    LAB_MEASUREMENTS,
    MEASUREMENT_KINDS,
    History,
    history_from_frames,
)
from bisphos.audit.rules import Code, Unassessed, Verdict
from bisphos.dates import add_months, birthday
from bisphos.gate import Given, PatientFacts
from bisphos.model import Diagnosis, Drug
from bisphos.pediatric import kernel
from bisphos.pediatric import table as t
from bisphos.pediatric.freshness import DEFAULT_FRESHNESS, fresh_since
from bisphos.pediatric.indication import INDICATED_DIAGNOSES
from bisphos.pediatric.renal import schwartz_40
from bisphos.pediatric.table import Phase
from bisphos.pediatric.thresholds import (
    FEVER,
    HYPOCALCAEMIA,
    SCOPE_AGE_YEARS,
    VITAMIN_D_DEFICIENCY,
)
from bisphos.units import quantity, ureg

__all__ = ["Judged", "judge_administrations", "judge_one_by_one"]

_E: Final = kernel.EXACT
_Z, _P = Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE
_FRESH: Final = DEFAULT_FRESHNESS
_MINUTES_PER_HOUR: Final = Decimal(round(ureg.Quantity(1, "hour").m_as("minute")))
_SCHWARTZ_K: Final = float(schwartz_40.k)


@attrs.frozen
class Judged:
    """One administration with the state it was judged in and what was found.

    Attributes:
        patient_id: The patient.
        date: The day.
        drug: The drug.
        dose_mg: The dose, in mg.
        volume_ml: The volume, in ml.
        duration_min: The infusion time, in minutes.
        number: Its place among the patient's infusions of any drug (1 is the first).
        drug_number: Its place among the patient's infusions of this drug.
        weight_kg: The latest weight on or before the date, or ``None``.
        weight_date: Its date, or ``None``.
        gfr: The Schwartz-40 GFR from the latest height and creatinine, or ``None``.
        limit_mg_per_kg: The per-kg maximum of the infusion's phase.
        cap_mg: The cap of the infusion: the daily cap, or half of it for a first pamidronate.
        interval_days: Days since the previous infusion of any drug, or ``None``.
        min_interval_days: The least the last drug given allows, or ``None``.
        deviations: The deviations found, in the order of :class:`~bisphos.audit.rules.Code`.
        unassessed: What could not be checked.
    """

    patient_id: str
    date: dt.date
    drug: Drug
    dose_mg: float
    volume_ml: float
    duration_min: float
    number: int
    drug_number: int
    weight_kg: float | None
    weight_date: dt.date | None
    gfr: float | None
    limit_mg_per_kg: float
    cap_mg: float
    interval_days: int | None
    min_interval_days: int | None
    deviations: tuple[Code, ...]
    unassessed: tuple[Unassessed, ...]

    @property
    def verdict(self) -> Verdict:
        """Deviation if any was found; not assessable if a check could not be made; else ok."""
        if self.deviations:
            return Verdict.DEVIATION
        return Verdict.NOT_ASSESSABLE if self.unassessed else Verdict.OK

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The rules of the deviations, sorted, each once."""
        return r.rule_ids(self.deviations)


class _Values:
    """One patient's values of one kind, by date (of several on one day, the highest last)."""

    def __init__(self, rows: list[tuple[dt.date, float]]) -> None:
        rows.sort()
        self.dates = [date for date, _ in rows]
        self.values = [value for _, value in rows]

    def latest(self, on: dt.date) -> tuple[float, dt.date] | None:
        index = bisect.bisect_right(self.dates, on) - 1
        if index < 0:
            return None
        return self.values[index], self.dates[index]


_KINDS: Final = tuple(MEASUREMENT_KINDS)


@attrs.frozen
class _Row:
    patient_id: str
    date: dt.date
    drug: Drug
    dose_mg: float
    volume_ml: float
    duration_min: float


def _dates(values: Any) -> list[dt.date]:
    return [dt.date.fromisoformat(str(day)) for day in values.astype("datetime64[D]")]


def judge_administrations(history: History) -> Iterator[Judged]:
    """Judge each administration of ``history`` alone, in patient, date and drug order."""
    frame = history.patients
    patients = {
        str(patient_id): (birth, Diagnosis(str(diagnosis)))
        for patient_id, birth, diagnosis in zip(
            frame["patient_id"].to_numpy(dtype=object),
            _dates(frame["birth_date"].to_numpy()),
            frame["diagnosis"].to_numpy(dtype=object),
            strict=True,
        )
    }
    frame = history.measurements
    values: dict[tuple[str, str], list[tuple[dt.date, float]]] = defaultdict(list)
    for patient_id, date, kind, value in zip(
        frame["patient_id"].to_numpy(dtype=object),
        _dates(frame["date"].to_numpy()),
        frame["kind"].to_numpy(dtype=object),
        frame["value"].to_numpy(dtype=float).tolist(),
        strict=True,
    ):
        values[str(patient_id), str(kind)].append((date, value))
    series = {key: _Values(rows) for key, rows in values.items()}
    frame = history.administrations
    given: dict[str, list[_Row]] = defaultdict(list)
    for patient_id, date, drug, dose, volume, minutes in zip(
        frame["patient_id"].to_numpy(dtype=object),
        _dates(frame["date"].to_numpy()),
        frame["drug"].to_numpy(dtype=object),
        frame["dose_mg"].to_numpy(dtype=float).tolist(),
        frame["volume_ml"].to_numpy(dtype=float).tolist(),
        frame["duration_min"].to_numpy(dtype=float).tolist(),
        strict=True,
    ):
        given[str(patient_id)].append(
            _Row(str(patient_id), date, Drug(str(drug)), dose, volume, minutes)
        )
    empty = _Values([])
    for patient_id in sorted(given):
        birth, diagnosis = patients[patient_id]
        own = {kind: series.get((patient_id, kind), empty) for kind in _KINDS}
        history_so_far: list[Given] = []
        for row in given[patient_id]:
            yield _judge(row, birth, diagnosis, own, history_so_far)
            history_so_far.append(Given(row.drug, row.date, kernel.exact(row.dose_mg)))


_Value = tuple[float, dt.date] | None


@attrs.frozen
class _State:
    """One administration and the patient's state on its date."""

    row: _Row
    birth: dt.date
    series: dict[str, _Values]
    history: tuple[Given, ...]
    facts: PatientFacts
    weight: _Value
    creatinine: _Value

    def latest(self, kind: str) -> _Value:
        return self.series[kind].latest(self.row.date)

    @property
    def same_drug(self) -> list[Given]:
        return [given for given in self.history if given.drug is self.row.drug]

    @property
    def phase(self) -> Phase:
        return r.phase_of(self.row.drug, len(self.same_drug) + 1)

    @property
    def infusion_cap(self) -> Decimal:
        """The daily cap, or half of it for a first pamidronate infusion (P-PAM-FIRST)."""
        cap = kernel.daily_cap_mg(self.row.drug)
        if self.row.drug is _P and self.phase is Phase.FIRST:
            return _E.fraction(cap, r.PAMIDRONATE_FIRST_CAP_FRACTION)
        return cap


def _doses(state: _State, found: set[Code], unassessed: list[Unassessed]) -> None:
    """P-ZOL-CAP, P-PAM-CAP, the per-kg maxima of the phase, P-PAM-FIRST."""
    row, phase, drug = state.row, state.phase, state.row.drug
    dose = kernel.exact(row.dose_mg)
    earlier = (given.dose_mg for given in state.same_drug if given.date == row.date)
    day_total = dose + sum(earlier, Decimal(0))
    if day_total > kernel.daily_cap_mg(drug):
        found.add(r.cap_code(drug))
    if drug is _P and phase is Phase.FIRST and dose > state.infusion_cap:
        found.add(Code.PAMIDRONATE_FIRST_OVER_HALF_CAP)
    if state.weight is None:
        unassessed.append(Unassessed.WEIGHT_MISSING)
        return
    weight_kg = state.facts.weight_kg
    if dose > kernel.per_kg_limit_mg(drug, phase, weight_kg):
        found.add(r.per_kg_code(drug, phase))
    highest = max(kernel.per_kg_limit_mg(drug, p, weight_kg) for p in Phase)
    if day_total > dose and day_total > highest:
        found.add(r.day_per_kg_code(drug))
    if state.weight[1] < fresh_since(row.date, days=_FRESH.weight_days):
        unassessed.append(Unassessed.WEIGHT_NOT_FRESH)


def _preparation(state: _State, found: set[Code]) -> None:
    """P-PAM-LABEL, P-PAM-RENAL, the label's shortest zoledronic acid infusion (P-HARD)."""
    row, facts = state.row, state.facts
    dose, minutes = kernel.exact(row.dose_mg), kernel.exact(row.duration_min)
    if row.drug is _Z:
        if minutes < t.ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN.decimal:
            found.add(Code.ZOLEDRONIC_ACID_TOO_FAST)
        return
    if dose > t.PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML.decimal * kernel.exact(row.volume_ml):
        found.add(Code.PAMIDRONATE_TOO_CONCENTRATED)
    per_hour = dose * _MINUTES_PER_HOUR
    if per_hour > t.PAMIDRONATE_LABEL_MAX_RATE_MG_H.decimal * minutes:
        found.add(Code.PAMIDRONATE_TOO_FAST)
    renal = t.PAMIDRONATE_RENAL_MAX_RATE_MG_H.decimal * minutes
    if facts.pamidronate_rate_limited and per_hour > renal:
        found.add(Code.PAMIDRONATE_TOO_FAST_RENAL)


def _kidneys(state: _State, found: set[Code]) -> None:
    """The gate's renal gates (P-GFR, P-PAM-RENAL) and the creatinine's age (P-FRESH)."""
    if state.row.drug is _P:
        if not state.facts.pamidronate_allowed:
            found.add(Code.PAMIDRONATE_GFR_TOO_LOW)
        return
    if not state.facts.zoledronic_acid_allowed:
        found.add(Code.ZOLEDRONIC_ACID_GFR_TOO_LOW)
    oldest = fresh_since(state.row.date, months=_FRESH.creatinine_months)
    if state.creatinine is not None and state.creatinine[1] < oldest:
        found.add(Code.CREATININE_NOT_FRESH)


def _dates_and_interval(state: _State, found: set[Code]) -> tuple[int | None, int | None]:
    """P-SCOPE-1 and P-HIST-INTERVAL; the days since the last infusion and the least allowed."""
    date = state.row.date
    if not date < birthday(state.birth, SCOPE_AGE_YEARS):
        found.add(Code.AFTER_19TH_BIRTHDAY)
    if not state.history:
        return None, None
    last = state.history[-1]
    given_of_last = sum(1 for given in state.history if given.drug is last.drug)
    months = kernel.history_interval_months(
        _E, last_zoledronic=last.drug is _Z, given_of_last=given_of_last
    )
    earliest = add_months(last.date, months)
    if date < earliest:
        found.add(Code.INTERVAL_TOO_SHORT)
    return (date - last.date).days, (earliest - last.date).days


def _contraindications_and_labs(state: _State, diagnosis: Diagnosis, found: set[Code]) -> None:
    """Calcium (P-CI-HYPOCA), fever that day (P-CI-FEVER), the first infusion's labs."""
    date = state.row.date
    calcium = state.latest(LAB_MEASUREMENTS["calcium"])
    if (
        calcium is not None
        and calcium[1] >= fresh_since(date, days=_FRESH.calcium_days)
        and HYPOCALCAEMIA.met(quantity(calcium[0], "mmol/L"))
    ):
        found.add(Code.HYPOCALCAEMIA)
    temperature = state.latest("temperature_c")
    if (
        temperature is not None
        and temperature[1] == date
        and FEVER.met(quantity(temperature[0], "degC"))
    ):
        found.add(Code.FEVER)
    if not state.history:
        oldest = fresh_since(date, days=_FRESH.first_labs_days)
        labs = {name: state.latest(kind) for name, kind in LAB_MEASUREMENTS.items()}
        fresh = {name: v for name, v in labs.items() if v is not None and v[1] >= oldest}
        if len(fresh) < len(labs):
            found.add(Code.FIRST_LABS_MISSING)
        vitamin_d = fresh.get("vitamin_d_25oh")
        if vitamin_d is not None and VITAMIN_D_DEFICIENCY.met(quantity(vitamin_d[0], "nmol/L")):
            found.add(Code.VITAMIN_D_DEFICIENT)
    if diagnosis not in INDICATED_DIAGNOSES:
        found.add(Code.NOT_INDICATED)


def _judge(
    row: _Row,
    birth: dt.date,
    diagnosis: Diagnosis,
    series: dict[str, _Values],
    history: list[Given],
) -> Judged:
    weight = series["weight_kg"].latest(row.date)
    height = series["height_cm"].latest(row.date)
    creatinine = series[LAB_MEASUREMENTS["creatinine"]].latest(row.date)
    gfr = None
    if height is not None and creatinine is not None:
        gfr = _SCHWARTZ_K * height[0] / creatinine[0]
    # The patient as the gate reads one: the weight to the nearest mg, the gate's GFR.
    facts = PatientFacts(
        birth_date=birth,
        assessment_date=row.date,
        weight_kg=Decimal(0) if weight is None else kernel.exact(kernel.nearest_mg_kg(weight[0])),
        schwartz_gfr=gfr,
        local_gfr=None,
        history=tuple(history),
        blocks=(),
    )
    state = _State(row, birth, series, tuple(history), facts, weight, creatinine)
    found: set[Code] = set()
    unassessed: list[Unassessed] = []
    _doses(state, found, unassessed)
    _preparation(state, found)
    _kidneys(state, found)
    interval_days, min_interval_days = _dates_and_interval(state, found)
    _contraindications_and_labs(state, diagnosis, found)
    return Judged(
        patient_id=row.patient_id,
        date=row.date,
        drug=row.drug,
        dose_mg=row.dose_mg,
        volume_ml=row.volume_ml,
        duration_min=row.duration_min,
        number=len(history) + 1,
        drug_number=len(state.same_drug) + 1,
        weight_kg=None if weight is None else weight[0],
        weight_date=None if weight is None else weight[1],
        gfr=gfr,
        limit_mg_per_kg=t.PER_KG_MAXIMUM_MG_PER_KG[row.drug, state.phase].value,
        cap_mg=float(state.infusion_cap),
        interval_days=interval_days,
        min_interval_days=min_interval_days,
        deviations=tuple(code for code in Code if code in found),
        unassessed=tuple(unassessed),
    )


def _nan(value: float | int | None) -> float:
    return math.nan if value is None else float(value)


def judge_one_by_one(
    history: History | tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> pd.DataFrame:
    """Judge each administration alone: the columns of :func:`bisphos.audit.columnar.judge_frame`.

    Args:
        history: A checked :class:`~bisphos.audit.history.History`, or its three tables
            (patients, administrations, measurements), checked here.

    Raises:
        TableInputError: a table lacks a column or holds a value that is not accepted.
    """
    if not isinstance(history, History):
        history = history_from_frames(*history)
    judged = list(judge_administrations(history))
    no_date = np.datetime64("NaT", "D")

    def column(read: Any) -> list[Any]:
        return [read(item) for item in judged]

    return output_frame(
        {
            "patient_id": column(lambda j: j.patient_id),
            "date": np.array(column(lambda j: j.date), dtype="datetime64[D]"),
            "year": column(lambda j: j.date.year),
            "drug": column(lambda j: j.drug.value),
            "dose_mg": column(lambda j: j.dose_mg),
            "volume_ml": column(lambda j: j.volume_ml),
            "duration_min": column(lambda j: j.duration_min),
            "weight_kg": column(lambda j: _nan(j.weight_kg)),
            "dose_mg_per_kg": column(lambda j: j.dose_mg / _nan(j.weight_kg)),
            "limit_mg_per_kg": column(lambda j: j.limit_mg_per_kg),
            "cap_mg": column(lambda j: j.cap_mg),
            "interval_days": column(lambda j: _nan(j.interval_days)),
            "min_interval_days": column(lambda j: _nan(j.min_interval_days)),
            "verdict": column(lambda j: j.verdict.value),
            "rule_ids": column(lambda j: ";".join(j.rule_ids)),
            "infusion_number": column(lambda j: j.number),
            "drug_infusion_number": column(lambda j: j.drug_number),
            "weight_date": np.array(
                column(lambda j: no_date if j.weight_date is None else j.weight_date),
                dtype="datetime64[D]",
            ),
            "gfr_ml_min_1_73m2": column(lambda j: _nan(j.gfr)),
            "deviations": column(lambda j: ";".join(sorted(c.value for c in j.deviations))),
            "unassessed": column(lambda j: ";".join(sorted(c.value for c in j.unassessed))),
        }
    )
