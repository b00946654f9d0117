"""Auditing a hospital's history: every administered infusion judged with the patient's state then.

Requires pandas and pyarrow (``pip install 'bisphos[audit]'``).

- :mod:`bisphos.audit.history`: the input format (three tables: patients, administrations,
  measurements), read from CSV or Parquet and checked at the boundary.
- :mod:`bisphos.audit.rules`: each kind of deviation with its rule ids, and the numbers of the
  table and kernel it is judged by.
- :mod:`bisphos.audit.columnar`: :func:`judge_frame`, every administration at once (numpy).
- :mod:`bisphos.audit.one_by_one`: the reference, each administration alone.
"""

from __future__ import annotations

from bisphos.audit.columnar import OUTPUT_COLUMNS, judge_frame, judge_history
from bisphos.audit.history import History, history_from_frames, read_history
from bisphos.audit.one_by_one import judge_one_by_one
from bisphos.audit.rules import DEVIATIONS, Code, Verdict

__all__ = [
    "DEVIATIONS",
    "OUTPUT_COLUMNS",
    "Code",
    "History",
    "Verdict",
    "history_from_frames",
    "judge_frame",
    "judge_history",
    "judge_one_by_one",
    "read_history",
]
