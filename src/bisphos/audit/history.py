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

from collections.abc import Mapping
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
_KINDS: Final = sorted(MEASUREMENT_KINDS)


@attrs.frozen
class History:
    """A hospital's history in canonical columns (see the module's description).

    Build it with :func:`read_history` or :func:`history_from_frames`; its frames are checked
    and canonical: the patients sorted by ``patient_id``; the administrations by patient, date,
    drug, dose, volume and time, and the measurements by patient, kind, date and value, each
    with ``patient_row``, the row of its patient in the patients table; ``kind`` a categorical
    of the sorted kinds; text columns of Python strings.

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


def _coded(
    frame: pd.DataFrame, column: Column, source: str
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The column as codes into its distinct texts, and those texts; a missing text refused.

    Codes are read without turning every value into a Python object (``pandas.factorize``); a
    coded column's texts must be among its accepted values.
    """
    codes, distinct = pd.factorize(frame[column.name], use_na_sentinel=True)
    texts = np.array([str(text) for text in np.asarray(distinct, dtype=object)], dtype=object)
    codes = np.asarray(codes, dtype=np.int64)
    empty = np.append(texts == "", True)[codes]  # code -1 (missing) reads the last entry
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
        accepted = pd.Index(list(column.values)).get_indexer(pd.Index(texts))
        where = _first_bad(accepted[codes] < 0)
        if where is not None:
            raise _error(
                *_at(frame, source, where),
                column.name,
                texts[codes[where]],
                message="not an accepted value",
                expected="one of " + ", ".join(column.values),
            )
    return codes, texts


def _text(frame: pd.DataFrame, column: Column, source: str) -> np.ndarray[Any, Any]:
    codes, texts = _coded(frame, column, source)
    result: np.ndarray[Any, Any] = texts[codes]
    return result


def _objects(values: np.ndarray[Any, Any]) -> pd.Series[Any]:
    """A column of text kept as Python strings (pandas would convert it to its string type)."""
    return pd.Series(values, dtype=object, copy=False)


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
    codes, texts = _coded(frame, columns["patient_id"], source)
    ids = texts[codes]
    where = _first_bad(pd.Series(codes).duplicated().to_numpy())
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            "patient_id",
            ids[where],
            message="a patient is listed twice",
            expected="each patient_id once",
        )
    table = {
        "patient_id": ids,
        "birth_date": _dates(frame, columns["birth_date"], source),
        "sex": _text(frame, columns["sex"], source),
        "diagnosis": _text(frame, columns["diagnosis"], source),
    }
    order = np.argsort(ids, kind="stable")
    return pd.DataFrame(
        {
            name: _objects(values[order]) if values.dtype == object else values[order]
            for name, values in table.items()
        }
    )


def _patient_rows(frame: pd.DataFrame, patients: pd.DataFrame, source: str) -> np.ndarray[Any, Any]:
    """The row of each row's patient in the patients table (sorted by patient_id)."""
    codes, texts = _coded(frame, TABLES["administrations"][0], source)
    known = pd.Index(patients["patient_id"].to_numpy(dtype=object)).get_indexer(pd.Index(texts))
    rows: np.ndarray[Any, Any] = np.append(known, -1)[codes]
    where = _first_bad(rows < 0)
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            "patient_id",
            texts[codes[where]],
            message="a patient not in the patients table",
            expected="a patient_id of the patients table",
        )
    return rows


def _not_before_birth(
    frame: pd.DataFrame,
    rows: np.ndarray[Any, Any],
    dates: np.ndarray[Any, Any],
    patients: pd.DataFrame,
    source: str,
) -> None:
    born = patients["birth_date"].to_numpy(dtype="datetime64[D]")[rows]
    where = _first_bad(dates < born)
    if where is not None:
        raise _error(
            *_at(frame, source, where),
            "date",
            str(dates[where]),
            message="dated before the patient's birth",
            expected=f"on or after {born[where]}",
        )


def _order(*keys: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | slice:
    """The rows in the order of ``keys`` (the first the most significant), stable.

    Rows that are in that order already (as a hospital's export often is) are kept as they are.
    """
    undecided = np.ones(max(keys[0].size - 1, 0), dtype=bool)
    ordered = True
    for key in keys:
        before, after = key[:-1], key[1:]
        if (undecided & (before > after)).any():
            ordered = False
            break
        undecided &= before == after
    if ordered:
        return slice(None)
    order: np.ndarray[Any, Any] = np.lexsort(tuple(reversed(keys)))
    return order


def _administrations(frame: pd.DataFrame, patients: pd.DataFrame, source: str) -> pd.DataFrame:
    columns = {c.name: c for c in TABLES["administrations"]}
    rows = _patient_rows(frame, patients, source)
    dates = _dates(frame, columns["date"], source)
    _not_before_birth(frame, rows, dates, patients, source)
    drug_codes, drug_texts = _coded(frame, columns["drug"], source)
    result: dict[str, Any] = {
        "patient_row": rows,
        "date": dates,
        "drug": drug_texts[drug_codes],
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
    # Sorted by patient, date, drug, dose, volume and time: the audit's order.
    drugs = np.append(pd.Index(sorted(_DRUGS)).get_indexer(pd.Index(drug_texts)), -1)[drug_codes]
    order = _order(
        rows,
        dates.astype(np.int64),
        drugs,
        result["dose_mg"],
        result["volume_ml"],
        result["duration_min"],
    )
    return _canonical(result, order, patients)


def _measurements(frame: pd.DataFrame, patients: pd.DataFrame, source: str) -> pd.DataFrame:
    columns = {c.name: c for c in TABLES["measurements"]}
    rows = _patient_rows(frame, patients, source)
    dates = _dates(frame, columns["date"], source)
    _not_before_birth(frame, rows, dates, patients, source)
    kind_codes, kind_texts = _coded(frame, columns["kind"], source)
    # The index of each row's kind in the sorted kinds.
    kind_index = np.append(pd.Index(_KINDS).get_indexer(pd.Index(kind_texts)), -1)[kind_codes]
    values = _numbers(frame, "value", source, "a number in the unit the kind names")
    for position, name in enumerate(_KINDS):
        kind = MEASUREMENT_KINDS[name]
        plausible = PLAUSIBLE_RANGES[kind.plausible]
        _in_range(
            frame,
            values,
            kind_index == position,
            column="value",
            source=source,
            low=plausible.low,
            high=plausible.high,
            unit=kind.unit,
            reason=f"{name}: {plausible.reason}",
        )
    weights = kind_index == _KINDS.index("weight_kg")
    values = np.where(weights, _resolved(values), values)
    # Sorted by patient, kind, date and value: the latest of a kind is the last before a date.
    order = _order(rows, kind_index, dates.astype(np.int64), values)
    kinds = pd.Categorical.from_codes(kind_index[order], dtype=pd.CategoricalDtype(_KINDS))
    measured = _canonical({"patient_row": rows, "date": dates, "value": values}, order, patients)
    measured.insert(3, "kind", pd.Series(kinds))
    return measured[["patient_row", "patient_id", "date", "kind", "value"]]


def _canonical(
    columns: dict[str, np.ndarray[Any, Any]],
    order: np.ndarray[Any, Any] | slice,
    patients: pd.DataFrame,
) -> pd.DataFrame:
    """The columns in ``order``, with the patient's id taken from the patients table."""
    rows = columns["patient_row"][order]
    ids = patients["patient_id"].to_numpy(dtype=object)[rows]
    result = {"patient_row": rows, "patient_id": _objects(ids)}
    for name, values in columns.items():
        if name != "patient_row":
            ordered = values[order]
            result[name] = _objects(ordered) if ordered.dtype == object else ordered
    return pd.DataFrame(result)


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
    return History(patients=checked, administrations=given, measurements=measured, source=source)


# ---- reading files ----------------------------------------------------------------------------


def _read_file(path: Path) -> pd.DataFrame:
    """One CSV or Parquet file, every column as read (CSV: as text)."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq  # noqa: PLC0415 - only with Parquet input

            frame: pd.DataFrame = pq.read_table(path).to_pandas(date_as_object=False)
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


def _bundles(path: Path) -> bool:
    """Whether ``path`` is a FHIR Bundle file, or a directory of Bundles and no tables."""
    if path.is_file():
        return path.suffix == ".json"
    if not path.is_dir() or any((path / name).exists() for name in TABLES):
        return False
    tables = [path / f"{name}{suffix}" for name in TABLES for suffix in _SUFFIXES]
    return not any(p.exists() for p in tables) and any(path.glob("*.json"))


def read_history(path: str | Path) -> History:
    """Read a history from a directory of CSV or Parquet tables, or from FHIR Bundles.

    The directory holds ``patients``, ``administrations`` and ``measurements``, each as
    ``NAME.parquet``, ``NAME.csv`` or a directory ``NAME/`` of part files (``*.parquet``,
    ``*.csv``), with the columns of :data:`TABLES`. A ``.json`` file, or a directory of ``.json``
    files and no tables, is read as FHIR R4 Bundles, one per patient
    (:mod:`bisphos.audit.fhir`).

    Raises:
        TableInputError: a table is missing or cannot be read, or a value is not accepted (the
            file, row, column and value are named).
    """
    directory = Path(path)
    if _bundles(directory):
        from bisphos.audit.fhir import read_bundles  # noqa: PLC0415 - FHIR input only

        return read_bundles(directory)
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
