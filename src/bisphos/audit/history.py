"""The audit's input: a hospital's history in three tables, read and checked at the boundary.

A history is three tables (:data:`TABLES` documents every column, its type and its unit):

- **patients**: ``patient_id``, ``birth_date``, ``sex``, ``diagnosis`` (P-IND-A);
- **administrations**: the infusions given: ``patient_id``, ``date``, ``drug``
  (``zoledronic_acid`` or ``pamidronate``), ``dose_mg``, ``volume_ml``, ``duration_min``;
- **measurements**: ``patient_id``, ``date``, ``kind`` (one of :data:`MEASUREMENT_KINDS`, each
  named with its unit: ``weight_kg``, ``creatinine_umol_l``, ...) and ``value``, in that unit.

They are read from CSV or Parquet files (:func:`read_history`: a directory holding
``patients``, ``administrations`` and ``measurements``, each a file or a directory of part files)
or built from pandas DataFrames (:func:`history_from_frames`). Every value is checked once, here:
a bad one is an :class:`~bisphos.errors.TableInputError` naming the file, the row, the column,
the value and what was expected. The values inside a :class:`History` are canonical: dates are
calendar days, magnitudes are floats in the unit their name gives, within the plausible ranges of
:data:`bisphos.model.PLAUSIBLE_RANGES`, and doses, volumes, durations and weights are taken to a
millionth of their unit (a weight to the nearest milligram, as the gate doses it).

Requires pandas and pyarrow (the ``audit`` extra).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from bisphos import quantities as q
from bisphos.errors import TableInputError
from bisphos.model import LAB_KINDS, PLAUSIBLE_RANGES, Diagnosis, Drug, Sex
from bisphos.pediatric.kernel import WEIGHT_RESOLUTION_KG

__all__ = [
    "MEASUREMENT_KINDS",
    "RESOLUTION",
    "TABLES",
    "Column",
    "History",
    "MeasurementKind",
    "arrow_schema",
    "history_from_frames",
    "json_schema",
    "read_history",
]


@attrs.frozen
class Column:
    """One column of an input table.

    Attributes:
        name: The column's name; a magnitude's name ends in its unit (``dose_mg``).
        type: ``"string"``, ``"date"`` (ISO 8601 ``YYYY-MM-DD``) or ``"number"``.
        unit: The unit of a number, as the registry spells it; ``""`` otherwise.
        description: What it holds.
        values: The accepted values of a coded string column; empty for any text.
    """

    name: str
    type: str
    unit: str
    description: str
    values: tuple[str, ...] = ()


@attrs.frozen
class MeasurementKind:
    """A kind of measurement: its name (with the unit), its quantity kind and plausible range.

    Attributes:
        name: The value of the ``kind`` column, e.g. ``"creatinine_umol_l"``.
        kind: The quantity kind of :mod:`bisphos.quantities`; its canonical unit is the unit of
            ``value``.
        plausible: The key of :data:`bisphos.model.PLAUSIBLE_RANGES` that bounds it.
    """

    name: str
    kind: q.QuantityKind
    plausible: str

    @property
    def unit(self) -> str:
        """The unit of the value, as the registry spells it."""
        return f"{self.kind.canonical:~}"


def _lab_name(name: str, kind: q.QuantityKind) -> str:
    unit = f"{kind.canonical:~}".replace(" ", "").replace("/", "_").replace("µ", "u")
    return f"{name}_{unit.lower()}"


#: The measurements an audit reads, by the name of the ``kind`` column.
MEASUREMENT_KINDS: Final[Mapping[str, MeasurementKind]] = {
    kind.name: kind
    for kind in (
        MeasurementKind("weight_kg", q.WEIGHT, "weight"),
        MeasurementKind("height_cm", q.HEIGHT, "height"),
        MeasurementKind("temperature_c", q.TEMPERATURE, "temperature"),
        *(MeasurementKind(_lab_name(name, kind), kind, name) for name, kind in LAB_KINDS.items()),
    )
}

#: The kind of each lab of :data:`bisphos.model.LAB_KINDS` (``"creatinine"`` ->
#: ``"creatinine_umol_l"``).
LAB_MEASUREMENTS: Final[Mapping[str, str]] = {
    name: _lab_name(name, kind) for name, kind in LAB_KINDS.items()
}

_DRUGS: Final = tuple(drug.value for drug in Drug)

#: The columns of each table, in order.
TABLES: Final[Mapping[str, tuple[Column, ...]]] = {
    "patients": (
        Column("patient_id", "string", "", "the patient's identifier, unique in the table"),
        Column("birth_date", "date", "", "the date of birth"),
        Column("sex", "string", "", "the sex as recorded", tuple(s.value for s in Sex)),
        Column(
            "diagnosis",
            "string",
            "",
            "the underlying condition (P-IND-A)",
            tuple(d.value for d in Diagnosis),
        ),
    ),
    "administrations": (
        Column("patient_id", "string", "", "the patient (a patient_id of the patients table)"),
        Column("date", "date", "", "the day of the infusion"),
        Column("drug", "string", "", "the bisphosphonate given", _DRUGS),
        Column("dose_mg", "number", "mg", "the dose given, in mg (above zero)"),
        Column("volume_ml", "number", "mL", "the volume infused, in ml (above zero)"),
        Column("duration_min", "number", "min", "the infusion time, in minutes (above zero)"),
    ),
    "measurements": (
        Column("patient_id", "string", "", "the patient (a patient_id of the patients table)"),
        Column("date", "date", "", "the day the value was measured or the sample taken"),
        Column(
            "kind",
            "string",
            "",
            "what was measured; the name ends in the unit of value",
            tuple(MEASUREMENT_KINDS),
        ),
        Column("value", "number", "", "the value, in the unit the kind names"),
    ),
}

#: Doses, volumes, durations and weights are taken to this many parts of their unit at the
#: boundary: a weight to the nearest milligram
#: (:data:`bisphos.pediatric.kernel.WEIGHT_RESOLUTION_KG`), as the gate doses it.
RESOLUTION: Final = int(1 / WEIGHT_RESOLUTION_KG)

_SUFFIXES: Final = (".parquet", ".csv")


@attrs.frozen
class History:
    """A hospital's history in canonical columns (see the module's description).

    Build it with :func:`read_history` or :func:`history_from_frames`; its frames are checked
    and canonical, sorted by patient and date.

    Attributes:
        patients: One row per patient.
        administrations: One row per infusion given.
        measurements: One row per measured value.
        source: Where it was read from, named in errors and reports.
    """

    patients: pd.DataFrame = attrs.field(eq=False)
    administrations: pd.DataFrame = attrs.field(eq=False)
    measurements: pd.DataFrame = attrs.field(eq=False)
    source: str = ""


# ---- checking one table ------------------------------------------------------------------------


def _error(
    source: str, row: int | None, column: str, value: object, *, message: str, expected: str
) -> TableInputError:
    return TableInputError(
        message, source=source, row=row, column=column, value=value, expected=expected
    )


def _at(frame: pd.DataFrame, source: str, position: int) -> tuple[str, int]:
    """The file and its row (1 = the first data row) of the table's row ``position``.

    A table read from part files carries ``attrs["parts"]``: each file with its number of rows.
    """
    for path, count in frame.attrs.get("parts", ()):
        if position < count:
            return path, position + 1
        position -= count
    return source, position + 1


def _first_bad(mask: np.ndarray[Any, Any]) -> int | None:
    bad = np.flatnonzero(mask)
    return int(bad[0]) if bad.size else None


def _text(frame: pd.DataFrame, column: Column, source: str) -> np.ndarray[Any, Any]:
    raw = frame[column.name]
    missing = raw.isna().to_numpy()
    values = raw.astype("string").str.strip().to_numpy(dtype=object, na_value="")
    empty = missing | (values == "")
    where = _first_bad(empty)
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            column.name,
            None,
            message="a value is missing",
            expected=column.description,
        )
    if column.values:
        known = np.isin(values, np.asarray(column.values, dtype=object))
        where = _first_bad(~known)
        if where is not None:
            raise _error(
                *_at(frame, source, where),
                column.name,
                values[where],
                message="not an accepted value",
                expected="one of " + ", ".join(column.values),
            )
    return values


def _dates(frame: pd.DataFrame, column: Column, source: str) -> np.ndarray[Any, Any]:
    raw = frame[column.name]
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        parsed = raw
    else:
        text = raw.astype("string").str.strip()
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    days = parsed.to_numpy(dtype="datetime64[D]")
    bad = np.isnat(days)
    where = _first_bad(bad)
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            column.name,
            None if pd.isna(raw.iloc[where]) else str(raw.iloc[where]),
            message="not a calendar date",
            expected="a date as YYYY-MM-DD",
        )
    result: np.ndarray[Any, Any] = days
    return result


def _numbers(frame: pd.DataFrame, column: str, source: str, expected: str) -> np.ndarray[Any, Any]:
    raw = frame[column]
    numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    where = _first_bad(~np.isfinite(numbers))
    if where is not None:
        value = raw.iloc[where]
        raise _error(
            *_at(frame, source, where),
            column,
            None if pd.isna(value) else value,
            message="not a finite number",
            expected=expected,
        )
    return numbers


def _in_range(
    frame: pd.DataFrame,
    numbers: np.ndarray[Any, Any],
    mask: np.ndarray[Any, Any],
    *,
    column: str,
    source: str,
    low: float,
    high: float,
    unit: str,
    reason: str,
) -> None:
    outside = mask & ((numbers < low) | (numbers > high))
    where = _first_bad(outside)
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            column,
            float(numbers[where]),
            message=f"outside the plausible range ({reason})",
            expected=f"{low:g} to {high:g} {unit}",
        )


def _resolved(numbers: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Numbers taken to a millionth of their unit (half to even, as the gate takes a weight)."""
    result: np.ndarray[Any, Any] = np.rint(numbers * RESOLUTION) / RESOLUTION
    return result


def _positive(
    frame: pd.DataFrame, numbers: np.ndarray[Any, Any], column: str, source: str, unit: str
) -> None:
    where = _first_bad(~(numbers > 0))
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            column,
            float(numbers[where]),
            message="must be above zero",
            expected=f"a positive number of {unit}",
        )


def _require_columns(frame: object, table: str, source: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise _error(
            source,
            None,
            "",
            type(frame).__name__,
            message="not a table",
            expected="a pandas DataFrame",
        )
    names = [column.name for column in TABLES[table]]
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise _error(
            source,
            None,
            missing[0],
            None,
            message=f"the {table} table has no column {missing[0]}",
            expected="the columns " + ", ".join(names),
        )
    return frame


def _patients(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    columns = dict(zip((c.name for c in TABLES["patients"]), TABLES["patients"], strict=True))
    ids = _text(frame, columns["patient_id"], source)
    duplicated = pd.Series(ids).duplicated().to_numpy()
    where = _first_bad(duplicated)
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            "patient_id",
            ids[where],
            message="a patient is listed twice",
            expected="each patient_id once",
        )
    return pd.DataFrame(
        {
            "patient_id": ids,
            "birth_date": _dates(frame, columns["birth_date"], source),
            "sex": _text(frame, columns["sex"], source),
            "diagnosis": _text(frame, columns["diagnosis"], source),
        }
    )


def _known_patients(
    frame: pd.DataFrame, ids: np.ndarray[Any, Any], patients: pd.DataFrame, source: str
) -> None:
    known = np.isin(ids, patients["patient_id"].to_numpy(dtype=object))
    where = _first_bad(~known)
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            "patient_id",
            ids[where],
            message="a patient not in the patients table",
            expected="a patient_id of the patients table",
        )


def _not_before_birth(
    frame: pd.DataFrame,
    ids: np.ndarray[Any, Any],
    dates: np.ndarray[Any, Any],
    patients: pd.DataFrame,
    source: str,
) -> None:
    births = pd.Series(
        patients["birth_date"].to_numpy(dtype="datetime64[D]"),
        index=patients["patient_id"].to_numpy(dtype=object),
    )
    born = births.reindex(ids).to_numpy(dtype="datetime64[D]")
    where = _first_bad(dates < born)
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            "date",
            str(dates[where]),
            message="dated before the patient's birth",
            expected=f"on or after {born[where]}",
        )


def _administrations(frame: pd.DataFrame, patients: pd.DataFrame, source: str) -> pd.DataFrame:
    columns = {c.name: c for c in TABLES["administrations"]}
    ids = _text(frame, columns["patient_id"], source)
    _known_patients(frame, ids, patients, source)
    dates = _dates(frame, columns["date"], source)
    _not_before_birth(frame, ids, dates, patients, source)
    result: dict[str, Any] = {
        "patient_id": ids,
        "date": dates,
        "drug": _text(frame, columns["drug"], source),
    }
    dose_range = PLAUSIBLE_RANGES["dose"]
    for name in ("dose_mg", "volume_ml", "duration_min"):
        unit = columns[name].unit
        numbers = _numbers(frame, name, source, f"a number of {unit}")
        _positive(frame, numbers, name, source, unit)
        if name == "dose_mg":
            everywhere = np.ones(numbers.shape, dtype=bool)
            _in_range(
                frame,
                numbers,
                everywhere,
                column=name,
                source=source,
                low=dose_range.low,
                high=dose_range.high,
                unit=unit,
                reason=dose_range.reason,
            )
        result[name] = _resolved(numbers)
    _positive(frame, result["volume_ml"], "volume_ml", source, "mL")
    _positive(frame, result["duration_min"], "duration_min", source, "min")
    return pd.DataFrame(result)


def _measurements(frame: pd.DataFrame, patients: pd.DataFrame, source: str) -> pd.DataFrame:
    columns = {c.name: c for c in TABLES["measurements"]}
    ids = _text(frame, columns["patient_id"], source)
    _known_patients(frame, ids, patients, source)
    dates = _dates(frame, columns["date"], source)
    _not_before_birth(frame, ids, dates, patients, source)
    kinds = _text(frame, columns["kind"], source)
    values = _numbers(frame, "value", source, "a number in the unit the kind names")
    for name, kind in MEASUREMENT_KINDS.items():
        plausible = PLAUSIBLE_RANGES[kind.plausible]
        _in_range(
            frame,
            values,
            kinds == name,
            column="value",
            source=source,
            low=plausible.low,
            high=plausible.high,
            unit=kind.unit,
            reason=f"{name}: {plausible.reason}",
        )
    weights = kinds == "weight_kg"
    values = np.where(weights, _resolved(values), values)
    return pd.DataFrame({"patient_id": ids, "date": dates, "kind": kinds, "value": values})


def _sorted(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    return frame.sort_values(list(keys), kind="stable", ignore_index=True)


def history_from_frames(
    patients: pd.DataFrame,
    administrations: pd.DataFrame,
    measurements: pd.DataFrame,
    *,
    source: str = "",
    sources: Mapping[str, str] | None = None,
) -> History:
    """Check three tables and return them as a canonical :class:`History`.

    Args:
        patients: The patients table (:data:`TABLES`).
        administrations: The infusions given.
        measurements: The measured values.
        source: Where the history comes from (named in errors).
        sources: The file each table was read from, by table name (named in errors).

    Raises:
        TableInputError: a column is missing, or a value is missing, not of its type, not an
            accepted value, outside its plausible range, or of a patient not in the patients
            table; the error names the table (or file), row, column and value.
    """
    where = {name: (sources or {}).get(name) or f"{source or 'history'}: {name}" for name in TABLES}
    checked = _patients(
        _require_columns(patients, "patients", where["patients"]), where["patients"]
    )
    given = _administrations(
        _require_columns(administrations, "administrations", where["administrations"]),
        checked,
        where["administrations"],
    )
    measured = _measurements(
        _require_columns(measurements, "measurements", where["measurements"]),
        checked,
        where["measurements"],
    )
    return History(
        patients=_sorted(checked, ["patient_id"]),
        administrations=_sorted(
            given, ["patient_id", "date", "drug", "dose_mg", "volume_ml", "duration_min"]
        ),
        measurements=_sorted(measured, ["patient_id", "kind", "date", "value"]),
        source=source,
    )


# ---- reading files ----------------------------------------------------------------------------


def _read_file(path: Path) -> pd.DataFrame:
    """One CSV or Parquet file, every column as read (CSV: as text)."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq  # noqa: PLC0415 - only with Parquet input

            frame: pd.DataFrame = pq.read_table(path).to_pandas()
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as error:
        raise _error(
            str(path),
            None,
            "",
            None,
            message=f"cannot be read ({type(error).__name__}: {error})",
            expected="",
        ) from None
    return frame


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in _SUFFIXES and p.is_file())
    return [path]


def _table(directory: Path, name: str) -> tuple[pd.DataFrame, str]:
    candidates = [directory / f"{name}{suffix}" for suffix in _SUFFIXES] + [directory / name]
    found = [path for path in candidates if path.exists()]
    if not found:
        raise _error(
            str(directory),
            None,
            "",
            None,
            message=f"the history has no {name} table",
            expected=f"{name}.parquet, {name}.csv or a directory {name}/ of such files",
        )
    path = found[0]
    parts = _files(path)
    if not parts:
        raise _error(
            str(path), None, "", None, message="holds no table", expected="CSV or Parquet files"
        )
    if len(parts) == 1:
        return _read_file(parts[0]), str(parts[0])
    frames = [_read_file(part) for part in parts]
    joined = pd.concat(frames, ignore_index=True)
    # An error names the part file and its row.
    joined.attrs["parts"] = tuple(
        (str(part), len(f)) for part, f in zip(parts, frames, strict=True)
    )
    return joined, str(path)


def read_history(path: str | Path) -> History:
    """Read a history from a directory of CSV or Parquet tables.

    The directory holds ``patients``, ``administrations`` and ``measurements``, each as
    ``NAME.parquet``, ``NAME.csv`` or a directory ``NAME/`` of part files (``*.parquet``,
    ``*.csv``), with the columns of :data:`TABLES`.

    Raises:
        TableInputError: a table is missing or cannot be read, or a value is not accepted (the
            file, row, column and value are named).
    """
    directory = Path(path)
    if not directory.is_dir():
        raise _error(
            str(directory),
            None,
            "",
            None,
            message="not a directory of tables",
            expected="a directory with patients, administrations and measurements",
        )
    read = {name: _table(directory, name) for name in TABLES}
    return history_from_frames(
        read["patients"][0],
        read["administrations"][0],
        read["measurements"][0],
        source=str(directory),
        sources={name: where for name, (_, where) in read.items()},
    )


# ---- the schema, for readers of the format ----------------------------------------------------


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of one row of each table, by table name."""

    def column(spec: Column) -> dict[str, Any]:
        entry: dict[str, Any] = {"description": spec.description}
        if spec.type == "number":
            entry["type"] = "number"
            if spec.unit:
                entry["description"] += f" (unit: {spec.unit})"
        elif spec.type == "date":
            entry.update(type="string", format="date")
        else:
            entry["type"] = "string"
            if spec.values:
                entry["enum"] = list(spec.values)
        return entry

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "bisphos audit history",
        "type": "object",
        "properties": {
            table: {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {spec.name: column(spec) for spec in columns},
                    "required": [spec.name for spec in columns],
                },
            }
            for table, columns in TABLES.items()
        },
        "required": list(TABLES),
    }


def arrow_schema(table: str) -> Any:
    """The Arrow schema of one table (``pyarrow.Schema``), its units in the field metadata."""
    import pyarrow as pa  # noqa: PLC0415 - only where the schema is asked for

    types = {"string": pa.string(), "date": pa.date32(), "number": pa.float64()}
    return pa.schema(
        [
            pa.field(
                spec.name,
                types[spec.type],
                nullable=False,
                metadata={"unit": spec.unit, "description": spec.description},
            )
            for spec in TABLES[table]
        ]
    )
