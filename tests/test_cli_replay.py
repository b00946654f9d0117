"""The command line writes decision records and replays them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bisphos.cli import EXIT_INPUT_ERROR, EXIT_NOT_CLEARED, EXIT_OK, main
from bisphos.engine import Engine

EXAMPLE = Path(__file__).parent.parent / "examples" / "patients" / "oi-girl-20kg.json"
ENGINE = Engine.create(entry_points=False)


def write_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["plan", str(EXAMPLE), "--format", "record"], engine=ENGINE) == EXIT_OK
    path = tmp_path / "record.json"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    return path


def test_record_replays_byte_for_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_record(tmp_path, capsys)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["provenance"]["protocol_id"] == "nl-pediatric-iv-bp-2024"
    assert main(["replay", str(path)], engine=ENGINE) == EXIT_OK
    first, signature = capsys.readouterr().out.strip().splitlines()
    assert first == "Reproduced byte for byte."
    assert signature.startswith("Signature: unsigned: the record carries no signature")


def test_record_of_a_requested_drug_is_reproduced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A request naming its drug is recorded as text and reproduced (the drug is no enum twice)."""
    argv = ["plan", str(EXAMPLE), "--drug", "zoledronic_acid", "--format", "record"]
    assert main(argv, engine=ENGINE) == EXIT_OK
    path = tmp_path / "record.json"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["replay", str(path), "--format", "json"], engine=ENGINE) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["reproduced"] is True
    assert report["differences"] == []


def test_edited_record_reports_the_differing_dose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """P-ZOL-FIRST: 0.0125 mg/kg x 20 kg is 0.25 mg; a record claiming 0.3 mg is not reproduced."""
    path = write_record(tmp_path, capsys)
    path.write_text(path.read_text(encoding="utf-8").replace('"0.25 mg"', '"0.3 mg"'), "utf-8")
    assert main(["replay", str(path), "--format", "json"], engine=ENGINE) == EXIT_NOT_CLEARED
    report = json.loads(capsys.readouterr().out)
    assert report["reproduced"] is False
    assert {
        "path": "result.infusions[0].dose",
        "recorded": '"0.3 mg"',
        "replayed": '"0.25 mg"',
    } in (report["differences"])


def test_unreadable_record_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = tmp_path / "absent.json"
    assert main(["replay", str(absent)], engine=ENGINE) == EXIT_INPUT_ERROR
    assert f"{absent}: cannot read the file" in capsys.readouterr().err
