"""Many patients at once: plans one by one, or the national protocol vectorised over columns.

Requires numpy (the ``batch`` extra: ``pip install 'bisphos[batch]'``).

Two ways in:

- :func:`plan_many` takes patients and returns one :class:`PlanSummary` per patient. With the
  national protocol, the default request and no plugins beyond the built-in ones, it plans them
  together on the vectorised path; otherwise (a local protocol, a request with options, a
  hospital plugin) it makes each plan with :meth:`bisphos.engine.Engine.plan` and summarises it.
  Either way the summaries are the same.
- :func:`plan_columns` takes a table — a pandas DataFrame or a mapping of column name to numpy
  array, with the columns of :data:`INPUT_COLUMNS` in canonical units — and returns a table of
  the same kind with one output row per input row (:func:`output_columns`). It is the national
  protocol with its defaults and without plugins, by definition. It is a pure function of its
  input: no global state, no plugin manager, no I/O, nothing read but the partition, so it runs
  unchanged in ``dask.dataframe.DataFrame.map_partitions(plan_columns)`` or in Spark's
  ``mapInPandas`` (one DataFrame per batch), and the rows of a table can be split across workers
  in any way. :func:`columns_from_patients` turns patients into such a table.

The vectorised path gives exactly the doses, dates and decisions of the one-by-one path; the
property tests of this package check it on generated patients.

Typical use, re-checking a whole history after a protocol change::

    table = columns_from_patients(patients)  # once, e.g. stored as Parquet
    plans = plan_columns(table)  # dict of numpy arrays, one row per patient

    # Dask: the same function on every partition (a pandas DataFrame in, one out)
    plans = dask_frame.map_partitions(plan_columns)

    # Spark: pandas batches in, pandas batches out
    plans = spark_frame.mapInPandas(lambda batches: map(plan_columns, batches), schema)

Flags must be booleans and counts whole numbers without missing values; a measured value may be
missing (NaN) where the patient model allows it. A row outside the plausible ranges of
:data:`bisphos.model.PLAUSIBLE_RANGES` gets status ``"invalid"`` and the reason in ``error``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from bisphos.batch.columns import (
    BLOCK_CODES,
    COUNT_COLUMNS,
    FLAG_COLUMNS,
    INPUT_COLUMNS,
    LAB_COLUMNS,
    columns_from_patients,
)
from bisphos.batch.summary import PlanSummary, summarise
from bisphos.batch.vector import output_columns, plan_arrays
from bisphos.engine import Engine, default_engine
from bisphos.model import Drug, Patient
from bisphos.pediatric.plan import PlanRequest, PlanStatus
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.pediatric.rules import PROTOCOL_ID
from bisphos.plugins.manager import BUILTIN_PLUGINS
from bisphos.units import ureg

__all__ = [
    "BLOCK_CODES",
    "INPUT_COLUMNS",
    "LAB_COLUMNS",
    "PlanSummary",
    "columns_from_patients",
    "is_common_case",
    "output_columns",
    "plan_columns",
    "plan_many",
    "summarise",
]

_Table = TypeVar("_Table")
_DEFAULT_REQUEST = PlanRequest()


def is_common_case(
    engine: Engine, request: PlanRequest | None = None, *, protocol_id: str = PROTOCOL_ID
) -> bool:
    """Return whether plans of ``engine`` can take the vectorised path.

    They can for the national protocol itself (not a subclass), the default request, and an
    engine with no plugin beyond the built-in ones. Checked once per batch, never per patient.
    """
    protocol = engine.protocols.get(protocol_id)
    return (
        protocol_id == PROTOCOL_ID
        and type(protocol) is PediatricProtocol
        and (request is None or request == _DEFAULT_REQUEST)
        and all(record.name in BUILTIN_PLUGINS for record in engine.plugins)
    )


def plan_many(
    patients: Iterable[Patient],
    request: PlanRequest | None = None,
    *,
    engine: Engine | None = None,
    protocol_id: str = PROTOCOL_ID,
) -> list[PlanSummary]:
    """Plan every patient and return their summaries, in order.

    Args:
        patients: The patients.
        request: What to plan for each; the protocol's defaults when ``None``.
        engine: The engine whose protocols and plugins plan; :func:`default_engine` by default.
        protocol_id: The pediatric protocol to plan under.

    Raises:
        BisphosError: as :meth:`bisphos.engine.Engine.plan` raises for a patient, on either path.
    """
    engine = default_engine() if engine is None else engine
    chosen = list(patients)
    if not is_common_case(engine, request, protocol_id=protocol_id):
        return [summarise(engine.plan(p, request, protocol_id=protocol_id)) for p in chosen]
    # Python lists: reading them row by row is cheaper than reading numpy scalars.
    table = {
        name: values.tolist() for name, values in plan_arrays(columns_from_patients(chosen)).items()
    }
    return [
        # A row the vectorised path refused (a dose rounding to zero; no drug the kidneys
        # allow) is planned one by one, which raises the library's own error or says why.
        _summary(table, row, patient)
        if not table["error"][row] and table["status"][row] != "refused"
        else summarise(engine.plan(patient, request, protocol_id=protocol_id))
        for row, patient in enumerate(chosen)
    ]


def plan_columns(partition: _Table) -> _Table:
    """Plan every row of ``partition`` under the national protocol, vectorised.

    Args:
        partition: A pandas DataFrame, or a mapping of column name to numpy array, with the
            columns of :data:`INPUT_COLUMNS`.

    Returns:
        The output columns of :func:`output_columns`, in a DataFrame with the same index for a
        DataFrame (``patient_id`` first when the input has it), else in a dict of numpy arrays.
    """
    frame = _is_frame(partition)
    columns = _from_frame(partition) if frame else _from_mapping(partition)  # type: ignore[arg-type]
    output = plan_arrays(columns)
    if "patient_id" in columns:
        output = {"patient_id": columns["patient_id"], **output}
    if not frame:
        return output  # type: ignore[return-value]
    # The partition's own class builds the result: pandas is the caller's, never imported here.
    result: _Table = type(partition)(output, index=partition.index)  # type: ignore[attr-defined,call-arg]
    return result


def _is_frame(value: object) -> bool:
    return type(value).__module__.split(".")[0] == "pandas" and hasattr(value, "columns")


def _from_frame(frame: Any) -> dict[str, npt.NDArray[Any]]:
    columns = {}
    for name in INPUT_COLUMNS:
        if name not in frame.columns:
            continue
        values = frame[name].to_numpy()
        columns[name] = _normalised(name, values)
    return _require(columns)


def _from_mapping(mapping: Mapping[str, object]) -> dict[str, npt.NDArray[Any]]:
    columns = {
        name: _normalised(name, np.asarray(mapping[name]))
        for name in INPUT_COLUMNS
        if name in mapping
    }
    return _require(columns)


def _normalised(name: str, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A column in the dtype the vectorised path computes with; flags and counts complete."""
    kind = values.dtype.kind
    if name.endswith("_date"):
        return values.astype("datetime64[D]", copy=False)
    if name in {"patient_id", "diagnosis", "sex"}:
        return values
    if name in FLAG_COLUMNS and kind in "biu":
        return values.astype(bool, copy=False)
    if name in COUNT_COLUMNS and kind in "iu":
        return values.astype(np.int64, copy=False)
    if name in FLAG_COLUMNS or name in COUNT_COLUMNS:
        msg = f"column {name!r} must hold {'booleans' if name in FLAG_COLUMNS else 'whole numbers'}"
        msg += f" without missing values, not {values.dtype}"
        raise TypeError(msg)
    return values.astype(np.float64, copy=False)


def _require(columns: dict[str, npt.NDArray[Any]]) -> dict[str, npt.NDArray[Any]]:
    missing = [name for name in INPUT_COLUMNS if name != "patient_id" and name not in columns]
    if missing:
        msg = f"missing input columns: {', '.join(missing)}"
        raise KeyError(msg)
    return columns


_MG = ureg.Unit("milligram")
_ML = ureg.Unit("milliliter")
_ML_PER_H = ureg.Unit("milliliter / hour")


_BLOCK_COLUMNS = tuple((code, f"block_{code.replace('-', '_')}") for code in BLOCK_CODES)
_STATUSES = {status.value: status for status in PlanStatus}
_DRUGS: dict[str, Drug | None] = {"": None, **{drug.value: drug for drug in Drug}}


def _summary(table: dict[str, list[Any]], row: int, patient: Patient) -> PlanSummary:
    numbers = range(1, table["infusions"][row] + 1)
    return PlanSummary(
        patient_id=patient.patient_id,
        status=_STATUSES[table["status"][row]],
        in_scope=table["in_scope"][row],
        indicated=table["indicated"][row],
        zoledronic_acid_allowed=table["zoledronic_acid_allowed"][row],
        drug=_DRUGS[table["drug"][row]],
        blocks=tuple(code for code, column in _BLOCK_COLUMNS if table[column][row]),
        dates=tuple(table[f"date_{n}"][row] for n in numbers),
        doses=tuple(ureg.Quantity(table[f"dose_{n}_mg"][row], _MG) for n in numbers),
        volumes=tuple(ureg.Quantity(table[f"volume_{n}_ml"][row], _ML) for n in numbers),
        rates=tuple(ureg.Quantity(table[f"rate_{n}_ml_h"][row], _ML_PER_H) for n in numbers),
    )
