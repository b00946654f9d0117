"""The audit's input format: CSV and Parquet tables, part files, and the errors of bad values."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from bisphos.audit import judge_frame, judge_history, read_history
from bisphos.audit.history import MEASUREMENT_KINDS, TABLES, arrow_schema, json_schema
from bisphos.audit.rules import DEVIATIONS
from bisphos.errors import BisphosError, TableInputError
from tests.audit._histories import tables, zol

DOCS = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
FRAMES = tables([zol("2020-01-15", 0.25), zol("2020-04-15", 0.6)])


def _write(directory: Path, suffix: str, frames: tuple[pd.DataFrame, ...] = FRAMES) -> None:
    for name, frame in zip(TABLES, frames, strict=True):
        if suffix == ".csv":
            frame.to_csv(directory / f"{name}.csv", index=False)
        else:
            frame.to_parquet(directory / f"{name}.parquet", index=False)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_directory_of_tables_reads_as_the_frames_do(tmp_path: Path, suffix: str) -> None:
    _write(tmp_path, suffix)
    result = judge_history(read_history(tmp_path))
    pd.testing.assert_frame_equal(result, judge_frame(*FRAMES))
    assert result["deviations"].tolist() == ["", "zoledronic-acid-first-over-per-kg"]


def test_a_table_may_be_a_directory_of_part_files(tmp_path: Path) -> None:
    _write(tmp_path, ".csv")
    parts = tmp_path / "measurements"
    parts.mkdir()
    measured = pd.read_csv(tmp_path / "measurements.csv")
    (tmp_path / "measurements.csv").unlink()
    measured.iloc[:5].to_parquet(parts / "part-0.parquet", index=False)
    measured.iloc[5:].to_parquet(parts / "part-1.parquet", index=False)
    pd.testing.assert_frame_equal(judge_history(read_history(tmp_path)), judge_frame(*FRAMES))


def _error(tmp_path: Path, table: int, column: str, row: int, value: str) -> TableInputError:
    frames = [frame.copy() for frame in FRAMES]
    frames[table][column] = frames[table][column].astype(object)
    frames[table].loc[row, column] = value
    _write(tmp_path, ".csv", tuple(frames))
    with pytest.raises(TableInputError) as caught:
        read_history(tmp_path)
    return caught.value


@pytest.mark.parametrize(
    ("table", "column", "value", "expected"),
    [
        (1, "dose_mg", "1,5", "a number of mg"),
        (1, "dose_mg", "-1", "a positive number of mg"),
        (1, "dose_mg", "250", "0.001 to 200 mg"),
        (1, "drug", "alendronate", "one of zoledronic_acid, pamidronate"),
        (1, "date", "15/01/2020", "a date as YYYY-MM-DD"),
        (1, "patient_id", "nobody", "a patient_id of the patients table"),
        (2, "value", "NaN", "a number in the unit the kind names"),
        (2, "kind", "weight_lb", "one of weight_kg"),
        (0, "sex", "", "the sex as recorded"),
    ],
)
def test_a_bad_value_names_the_file_row_column_and_what_was_expected(
    tmp_path: Path, table: int, column: str, value: str, expected: str
) -> None:
    error = _error(tmp_path, table, column, 0, value)
    assert error.source.endswith(f"{list(TABLES)[table]}.csv")
    assert error.row == 1
    assert error.column == column
    assert expected in error.expected
    assert f"row 1, {column}" in str(error)
    assert isinstance(error, BisphosError)


def test_a_weight_outside_the_plausible_range_is_refused(tmp_path: Path) -> None:
    frames = [frame.copy() for frame in FRAMES]
    measured = frames[2]
    row = int(measured.index[measured["kind"] == "weight_kg"][0])
    measured.loc[row, "value"] = 300.0
    _write(tmp_path, ".csv", tuple(frames))
    with pytest.raises(TableInputError, match="plausible range") as caught:
        read_history(tmp_path)
    assert caught.value.row == row + 1
    assert "0.4 to 250 kg" in caught.value.expected


def test_a_missing_table_or_column_is_named(tmp_path: Path) -> None:
    _write(tmp_path, ".csv")
    (tmp_path / "measurements.csv").unlink()
    with pytest.raises(TableInputError, match="no measurements table"):
        read_history(tmp_path)
    with pytest.raises(TableInputError, match="no column dose_mg"):
        judge_frame(FRAMES[0], FRAMES[1].drop(columns=["dose_mg"]), FRAMES[2])
    with pytest.raises(TableInputError, match="not a directory"):
        read_history(tmp_path / "nothing")


def test_a_patient_listed_twice_or_a_value_before_birth_is_refused() -> None:
    twice = pd.concat([FRAMES[0], FRAMES[0]], ignore_index=True)
    with pytest.raises(TableInputError, match="listed twice"):
        judge_frame(twice, FRAMES[1], FRAMES[2])
    early = FRAMES[1].copy()
    early.loc[0, "date"] = "2000-01-01"
    with pytest.raises(TableInputError, match="before the patient's birth"):
        judge_frame(FRAMES[0], early, FRAMES[2])


def test_the_schemas_give_every_column_with_its_unit() -> None:
    schema = json_schema()
    given = schema["properties"]["administrations"]["items"]["properties"]
    assert "(unit: mg)" in given["dose_mg"]["description"]
    assert given["drug"]["enum"] == ["zoledronic_acid", "pamidronate"]
    arrow = arrow_schema("administrations")
    assert arrow.field("date").type == pa.date32()
    assert arrow.field("duration_min").metadata[b"unit"] == b"min"


def test_the_page_documents_every_column_kind_and_deviation_with_its_rules() -> None:
    page = DOCS.read_text(encoding="utf-8")
    for columns in TABLES.values():
        for column in columns:
            assert f"| `{column.name}` |" in page, column.name
    for kind in MEASUREMENT_KINDS:
        assert f"`{kind}`" in page, kind
    for code, deviation in DEVIATIONS.items():
        row = re.search(rf"^\| `{code.value}` \| ([^|]+) \|", page, re.MULTILINE)
        assert row is not None, code
        assert row[1].strip() == ", ".join(deviation.rule_ids), code
