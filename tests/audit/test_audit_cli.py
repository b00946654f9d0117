"""``bisphos audit``: the table of verdicts, the summary document, exit codes, progress."""

from __future__ import annotations

import io
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

from bisphos import cli
from bisphos.audit import judge_frame
from bisphos.audit.command import ProgressLine
from bisphos.audit.history import TABLES
from bisphos.engine import Engine
from tests.audit._histories import tables, zol

ENGINE = Engine.create(entry_points=False)
COURSE = [zol("2020-01-15", 0.25), zol("2020-04-15", 0.5), zol("2020-10-15", 1.2)]


def _history(directory: Path, frames: tuple[pd.DataFrame, ...]) -> Path:
    directory.mkdir()
    for name, frame in zip(TABLES, frames, strict=True):
        frame.to_csv(directory / f"{name}.csv", index=False)
    return directory


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv), engine=ENGINE)
    out, err = capsys.readouterr()
    return code, out, err


def _validate(document: dict[str, Any]) -> None:
    schema = json.loads(files("bisphos").joinpath("schemas/audit.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_the_table_is_written_and_the_summary_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    frames = tables(COURSE)
    history = _history(tmp_path / "history", frames)
    target = tmp_path / f"verdicts{suffix}"
    code, out, err = _run(capsys, "audit", str(history), "-o", str(target), "--format", "json")
    assert (code, err) == (1, "")
    document = json.loads(out)
    _validate(document)
    assert document["verdicts"] == {"ok": 2, "deviation": 1, "not_assessable": 0}
    assert document["deviations"] == [
        {"code": "zoledronic-acid-over-per-kg", "rule_ids": ["P-ZOL-DOSE"], "count": 1}
    ]
    assert document["rule_ids"] == ["P-ZOL-DOSE"]
    assert document["per_year"] == [{"year": 2020, "administrations": 3, "deviations": 1}]
    expected = judge_frame(*frames)
    if suffix == ".parquet":
        written = pd.read_parquet(target)
        pd.testing.assert_frame_equal(written, expected, check_dtype=False)
    else:
        written = pd.read_csv(target, keep_default_na=False)
        assert written["rule_ids"].tolist() == expected["rule_ids"].tolist()
        assert written["date"].tolist() == ["2020-01-15", "2020-04-15", "2020-10-15"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history", target.name]


def test_a_history_within_the_protocol_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = _history(tmp_path / "history", tables(COURSE[:2]))
    code, out, _ = _run(capsys, "audit", str(history))
    assert code == 0
    assert "2 administrations of 1 patients" in out
    assert "ok 2, deviation 0, not assessable 0" in out


def test_a_bad_value_exits_2_naming_file_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frames = tables(COURSE)
    given = frames[1].copy()
    given["dose_mg"] = given["dose_mg"].astype(object)
    given.loc[1, "dose_mg"] = "0,5"
    history = _history(tmp_path / "history", (frames[0], given, frames[2]))
    code, out, err = _run(capsys, "audit", str(history), "-o", str(tmp_path / "out.parquet"))
    assert (code, out) == (2, "")
    assert "administrations.csv, row 2, dose_mg: not a finite number" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.parquet").exists()


def test_an_output_that_is_not_parquet_or_csv_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = _history(tmp_path / "history", tables(COURSE))
    code, _, err = _run(capsys, "audit", str(history), "-o", str(tmp_path / "out.xlsx"))
    assert code == 2
    assert "--output: the audit writes Parquet or CSV" in err


def test_progress_shows_rate_and_expected_end_after_a_second() -> None:
    stream = io.StringIO()
    now = iter([0.0, 0.5, 2.0, 4.0])
    line = ProgressLine(stream, clock=lambda: next(now))
    line(100_000, 400_000)  # half a second in: nothing yet
    assert stream.getvalue() == ""
    line(200_000, 400_000)
    line(400_000, 400_000)
    line.close()
    shown = stream.getvalue()
    assert "\r200,000 of 400,000 administrations, 100,000 per second, about 2 s left" in shown
    assert "\r400,000 of 400,000 administrations, 100,000 per second, about 0 s left" in shown
    assert shown.endswith("\n")


def test_the_front_door_takes_a_directory_frames_or_a_history(tmp_path: Path) -> None:
    frames = tables(COURSE)
    history = _history(tmp_path / "history", frames)
    import bisphos.audit.columnar  # the package's name then holds the package: still callable

    by_path = bisphos.audit(history)
    pd.testing.assert_frame_equal(by_path, bisphos.audit(frames))
    assert by_path["deviations"].tolist() == ["", "", "zoledronic-acid-over-per-kg"]
    with pytest.raises(bisphos.BisphosError, match="not a history"):
        bisphos.audit(42)  # type: ignore[arg-type]
