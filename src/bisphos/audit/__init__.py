"""Auditing a hospital's history: every administered infusion judged with the patient's state then.

Requires pandas and pyarrow (``pip install 'bisphos[audit]'``).

- :mod:`bisphos.audit.history`: the input format (three tables: patients, administrations,
  measurements), read from CSV or Parquet and checked at the boundary.
- :mod:`bisphos.audit.rules`: each kind of deviation with its rule ids, and the numbers of the
  table and kernel it is judged by.
- :mod:`bisphos.audit.columnar`: :func:`judge_frame`, every administration at once (numpy).
- :mod:`bisphos.audit.one_by_one`: the reference, each administration alone.
- :mod:`bisphos.audit.run`: :func:`audit`, the front door (``bisphos.audit(history)``), in parts
  of whole patients with progress; :func:`summary`.
- :mod:`bisphos.audit.generate`: seeded histories with labelled deviations.

The package is itself callable: ``bisphos.audit(history)`` is :func:`audit`, whichever of the
two the name ``bisphos.audit`` holds (the function the package exports, or this package once a
module of it is imported).
"""

from __future__ import annotations

import sys
import types

import pandas as pd

from bisphos.audit.columnar import OUTPUT_COLUMNS, judge_frame, judge_history
from bisphos.audit.history import History, history_from_frames, read_history
from bisphos.audit.one_by_one import judge_one_by_one
from bisphos.audit.rules import DEVIATIONS, Code, Verdict
from bisphos.audit.run import Progress, Source, audit, summary

__all__ = [
    "DEVIATIONS",
    "OUTPUT_COLUMNS",
    "Code",
    "History",
    "Verdict",
    "audit",
    "history_from_frames",
    "judge_frame",
    "judge_history",
    "judge_one_by_one",
    "read_history",
    "summary",
]


class _Package(types.ModuleType):
    """This package, callable as its front door."""

    def __call__(self, history: Source, *, progress: Progress | None = None) -> pd.DataFrame:
        """``bisphos.audit(history)``: :func:`bisphos.audit.run.audit`."""
        return audit(history, progress=progress)


sys.modules[__name__].__class__ = _Package
