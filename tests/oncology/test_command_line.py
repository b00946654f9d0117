"""Every oncology example through the command line in every format and both languages.

``bisphos plan FILE`` chooses the protocol by the file's kind; ``bisphos recommend FILE`` is the
same command. JSON validates against the shipped schema, FHIR against the R4 models, calendars
are RFC 5545 text, records replay byte for byte.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from fhir.resources.R4B.bundle import Bundle

from bisphos.cli import main
from bisphos.engine import Engine
from bisphos.oncology.export import (
    RECOMMENDATION_SCHEMA_RESOURCE,
    recommendation_schema,
    recommendation_schema_json,
)

ROOT = Path(__file__).resolve().parents[2]
ONCOLOGY = sorted((ROOT / "examples" / "patients" / "oncology").glob("*.*"))
ENGINE = Engine.create(entry_points=False)
VALIDATOR = jsonschema.Draft202012Validator(recommendation_schema())

#: The status of each example: 0 a regimen can be given, 1 not today or not at all.
EXPECTED_EXIT = {
    "breast-no-dental-evaluation.json": 1,
    "child-out-of-scope.json": 1,
    "lung-life-expectancy-2-months.json": 1,
    "myeloma-may-stop-after-2-years.json": 1,
    "myeloma-without-osteopenia.json": 1,
    "prevention-of-metastases-breast.json": 1,
    "prevention-of-metastases-prostate.json": 1,
    "renal-cell-risk-not-recorded.json": 1,
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), engine=ENGINE)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_shipped_recommendation_schema_equals_the_generated_one() -> None:
    shipped = files("bisphos.oncology").joinpath(RECOMMENDATION_SCHEMA_RESOURCE).read_text("utf-8")
    assert shipped == recommendation_schema_json()
    jsonschema.Draft202012Validator.check_schema(recommendation_schema())


@pytest.mark.parametrize("path", ONCOLOGY, ids=lambda p: p.name)
def test_every_example_in_every_format_and_language(
    path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """O-CAT, O-LABEL: text, JSON (valid against the schema), record (replayed byte for byte),
    FHIR (valid R4) and calendar in English and Dutch, with one exit code for all."""
    expected = EXPECTED_EXIT.get(path.name, 0)
    for lang in ("en", "nl"):
        code, out, err = run(capsys, "plan", str(path), "--lang", lang)
        assert (code, err) == (expected, "")
        assert "nl-oncology-bone-2016" in out
        code, out, _ = run(capsys, "recommend", str(path), "--format", "json", "--lang", lang)
        document = json.loads(out)
        VALIDATOR.validate(document)
        assert code == expected
        assert document["lang"] == lang
        code, out, _ = run(capsys, "plan", str(path), "--format", "fhir", "--lang", lang)
        Bundle.model_validate(json.loads(out))
        code, out, err = run(capsys, "plan", str(path), "--format", "ics", "--lang", lang)
        assert code == expected
        if out:
            assert out.startswith("BEGIN:VCALENDAR\r\n")
            assert out.endswith("END:VCALENDAR\r\n")
            assert all(len(line.encode()) <= 75 for line in out.split("\r\n"))
        else:
            assert err
    code, out, _ = run(capsys, "plan", str(path), "--format", "record")
    record = tmp_path / "record.json"
    record.write_text(out, encoding="utf-8")
    code, replayed, _ = run(capsys, "replay", str(record))
    assert code == 0
    assert replayed.startswith("Reproduced byte for byte.\n")


def test_an_edited_record_is_not_reproduced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A record whose patient was edited by hand is reported, with the edit named."""
    path = ROOT / "examples/patients/oncology/myeloma-clearance-45.json"
    _, out, _ = run(capsys, "plan", str(path), "--format", "record")
    record = tmp_path / "record.json"
    data = json.loads(out)
    data["input"]["patient"]["weight"] = "90 kg"
    record.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    code, report, _ = run(capsys, "replay", str(record))
    assert code == 1
    assert "the record was edited" in report


def test_myeloma_with_a_clearance_of_27_in_text(capsys: pytest.CaptureFixture[str]) -> None:
    """O-LABEL: the text names the refused pamidronate, its label and source, and the deck's
    statement beside it; denosumab 120 mg is offered (registered for myeloma since 2018)."""
    path = ROOT / "examples/patients/oncology/myeloma-clearance-27.json"
    code, out, _ = run(capsys, "plan", str(path))
    assert code == 0
    assert "1. pamidronate (Pamipro, APD), start: refused" in out
    assert "3. denosumab (Xgeva), alternative: offered" in out
    assert "pamidronate disodium SmPC, sections 4.2 and 4.4, 2024" in out
    assert "the deck names no renal figure for pamidronate" in out


def test_the_interval_is_every_4_weeks_with_the_deck_wording(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """O-INTERVAL: zoledronic acid 4 mg every 4 weeks (the deck: 1x/maand), 13 a year."""
    path = ROOT / "examples/patients/oncology/breast-bone-metastases.json"
    _, out, _ = run(capsys, "plan", str(path))
    assert "dose 4 mg every 4 weeks (the deck: 1x/maand)" in out
    assert "cost € 1859.00 a year (13 administrations, 2016 list prices)" in out
    _, dutch, _ = run(capsys, "plan", str(path), "--lang", "nl")
    assert "dosis 4 mg elke 4 weken (presentatie: 1x/maand)" in dutch
    _, calendar, _ = run(capsys, "plan", str(path), "--format", "ics")
    assert calendar.count("BEGIN:VEVENT") == 13


def test_life_expectancy_is_shown_in_months_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """O-SRE-OTHER: "life expectancy: 2 months (limit 3 months)", never hours."""
    path = ROOT / "examples/patients/oncology/lung-life-expectancy-2-months.json"
    _, out, _ = run(capsys, "plan", str(path))
    assert "life expectancy: 2 months (limit 3 months)" in out
    assert " h " not in out.replace("h (", "")


def test_pediatric_options_are_refused_with_an_adult_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(ROOT / "examples/patients/oncology/myeloma-start.json")
    code, _, err = run(capsys, "plan", path, "--maintenance")
    assert code == 2
    assert err.startswith("--maintenance: applies to a pediatric plan only")


def test_the_protocol_must_fit_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    """An adult file under the pediatric protocol, and a child's under the oncology one, are
    typed errors naming the protocol; an unknown protocol is one too."""
    adult = str(ROOT / "examples/patients/oncology/myeloma-start.json")
    child = str(ROOT / "examples/patients/oi-girl-20kg.json")
    for path, protocol in (
        (adult, "nl-pediatric-iv-bp-2024"),
        (child, "nl-oncology-bone-2016"),
        (adult, "no-such-protocol"),
    ):
        code, out, err = run(capsys, "plan", path, "--protocol", protocol)
        assert (code, out) == (2, "")
        assert err.startswith("protocol_id: ")
    code, out, _ = run(capsys, "plan", child, "--protocol", "nl-pediatric-iv-bp-2024")
    assert code == 0
    assert out.startswith("bisphos plan — nl-pediatric-iv-bp-2024")


def test_an_absurd_adult_file_is_a_typed_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "absurd.json"
    path.write_text(
        json.dumps({"kind": "adult-oncology", "weight": "700 kg", "sex": "female"}),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "plan", str(path))
    assert (code, out) == (2, "")
    assert "weight: body weight outside the plausible range" in err
    assert "Traceback" not in err


def test_show_and_check_read_adult_files(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples/patients/oncology/zoledronic-acid-no-creatinine.json")
    code, out, _ = run(capsys, "show", path)
    assert code == 0
    assert '"kind": "adult-oncology"' in out
    assert out.rstrip().endswith("missing for a decision: serum_creatinine")
    code, out, _ = run(capsys, "check", path)
    assert code == 0
    assert "no creatinine clearance" in out


def test_a_calendar_without_a_dated_entry_is_a_typed_error() -> None:
    """A recommendation with nothing to date (a child) has no calendar: a BisphosError."""
    from bisphos.errors import InvalidValueError
    from bisphos.oncology.calendar import has_calendar, recommendation_to_ics
    from bisphos.oncology.patient_file import load_adult_patient

    result = ENGINE.recommend(
        load_adult_patient(ROOT / "examples/patients/oncology/child-out-of-scope.json")
    )
    assert not has_calendar(result)
    with pytest.raises(InvalidValueError, match="no dated entry"):
        recommendation_to_ics(result)


def test_an_adult_file_on_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`bisphos plan -` reads the file's kind and the patient from one standard input (JSON)."""
    import io

    path = ROOT / "examples/patients/oncology/myeloma-start.json"
    stdin = io.TextIOWrapper(io.BytesIO(path.read_bytes()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    code, out, _ = run(capsys, "plan", "-", "--format", "json")
    assert code == 0
    assert json.loads(out)["patient_id"] == "onc-mm-01"
