"""Running an audit: a history from wherever it is, judged in parts of whole patients, summarised.

:func:`audit` is the front door (``bisphos.audit(history)``): a directory of tables, three
DataFrames or a checked :class:`~bisphos.audit.history.History` in, one row per administration
out (:func:`bisphos.audit.columnar.judge_frame`). A long history is judged in parts of whole
patients (the result is the same: the audit of a patient reads only that patient's rows), and
a ``progress`` callback hears after each part how many administrations are done.
:func:`summary` counts the verdicts, the deviations and the rules, per year too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from bisphos.audit.columnar import judge_history
from bisphos.audit.history import History, history_from_frames, read_history
from bisphos.audit.rules import DEVIATIONS, Code, Verdict
from bisphos.errors import InvalidValueError

__all__ = ["PART_ROWS", "Progress", "Source", "audit", "parts", "summary"]

#: About this many administrations are judged at once.
PART_ROWS: Final = 250_000

#: What an audit reads: a directory of tables, three DataFrames, or a checked history.
Source = History | str | Path | tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
#: Told after each part: the administrations done and the total.
Progress = Callable[[int, int], None]


def _history(history: Source) -> History:
    if isinstance(history, History):
        return history
    if isinstance(history, str | Path):
        return read_history(history)
    if isinstance(history, tuple):
        return history_from_frames(*history)
    raise InvalidValueError(
        "not a history",
        field="history",
        value=type(history).__name__,
        expected="a directory of tables, (patients, administrations, measurements) "
        "DataFrames or a bisphos.audit.History",
    )


def parts(history: History, rows: int = PART_ROWS) -> Iterator[History]:
    """``history`` in parts of whole patients of about ``rows`` administrations each."""
    given, measured = history.administrations, history.measurements
    given_rows = given["patient_row"].to_numpy(dtype=np.int64)
    if given_rows.size <= rows:
        yield history
        return
    patients = len(history.patients)
    # The first administration of each patient; a part starts at the patient first reaching
    # the next multiple of ``rows``.
    starts = np.searchsorted(given_rows, np.arange(patients), side="left")
    cuts = np.unique(np.searchsorted(starts, np.arange(0, given_rows.size, rows), side="left"))
    measured_rows = measured["patient_row"].to_numpy(dtype=np.int64)
    bounds = {
        "patients": np.append(cuts, patients),
        "administrations": np.append(np.searchsorted(given_rows, cuts), given_rows.size),
        "measurements": np.append(np.searchsorted(measured_rows, cuts), measured_rows.size),
    }
    frames = {"patients": history.patients, "administrations": given, "measurements": measured}
    for index in range(cuts.size):
        first = int(cuts[index])
        part = {
            name: frame.iloc[int(bounds[name][index]) : int(bounds[name][index + 1])].reset_index(
                drop=True
            )
            for name, frame in frames.items()
        }
        for name in ("administrations", "measurements"):
            part[name] = part[name].assign(patient_row=part[name]["patient_row"] - first)
        yield History(
            patients=part["patients"],
            administrations=part["administrations"],
            measurements=part["measurements"],
            source=history.source,
        )


def audit(history: Source, *, progress: Progress | None = None) -> pd.DataFrame:
    """Judge every administration of ``history`` with the patient's state on its date.

    Args:
        history: A directory of tables (:func:`~bisphos.audit.history.read_history`), the three
            tables as DataFrames (patients, administrations, measurements), or a checked
            :class:`~bisphos.audit.history.History`.
        progress: Called after each part with the administrations done and the total.

    Returns:
        One row per administration (:data:`bisphos.audit.columnar.OUTPUT_COLUMNS`), sorted by
        patient, date and drug.

    Raises:
        TableInputError: a table is missing or holds a value that is not accepted.
        InvalidValueError: ``history`` is none of these.
    """
    checked = _history(history)
    total = len(checked.administrations)
    results = []
    done = 0
    for part in parts(checked):
        results.append(judge_history(part))
        done += len(part.administrations)
        if progress is not None:
            progress(done, total)
    if len(results) == 1:
        return results[0]
    return pd.concat(results, ignore_index=True)


def summary(result: pd.DataFrame) -> dict[str, Any]:
    """The counts of an audit's result: verdicts, deviations, unassessed checks, rules, years."""
    verdicts = Counter(result["verdict"].tolist())
    deviations: Counter[str] = Counter()
    for text, count in Counter(result["deviations"].tolist()).items():
        for code in filter(None, text.split(";")):
            deviations[code] += count
    unassessed: Counter[str] = Counter()
    for text, count in Counter(result["unassessed"].tolist()).items():
        for code in filter(None, text.split(";")):
            unassessed[code] += count
    rules: Counter[str] = Counter()
    for text, count in Counter(result["rule_ids"].tolist()).items():
        for rule in filter(None, text.split(";")):
            rules[rule] += count
    years = result.groupby("year")["verdict"].agg(
        administrations="size", deviations=lambda v: int((v == Verdict.DEVIATION.value).sum())
    )
    return {
        "administrations": len(result),
        "patients": int(result["patient_id"].nunique()),
        "verdicts": {verdict.value: verdicts.get(verdict.value, 0) for verdict in Verdict},
        "deviations": [
            {
                "code": code.value,
                "rule_ids": list(DEVIATIONS[code].rule_ids),
                "count": deviations[code.value],
            }
            for code in Code
            if deviations[code.value]
        ],
        "unassessed": [
            {"code": code, "count": count} for code, count in sorted(unassessed.items())
        ],
        "rules": [{"rule_id": rule, "count": count} for rule, count in sorted(rules.items())],
        "per_year": [
            {
                "year": int(year),
                "administrations": int(row["administrations"]),
                "deviations": int(row["deviations"]),
            }
            for year, row in years.iterrows()
        ],
    }
