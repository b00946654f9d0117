"""Hostile inputs, one class a test: each is refused with a typed error, quickly, or read right.

Every class of the hardening review has a test here, named after it: unbounded reads (a symbolic
link to ``/dev/zero``, a FIFO, a directory, a file over the size limit, too many fractures),
tracebacks (a lone surrogate, integers of 401 and 5,000 digits, year-9999 dates, ``--start
9999-06-01``, a record horizon ending 9999-12-31, nesting 100,000 deep, a plugin that fails on
import), silent acceptance (ISO week dates, ``"pregnant": null``, digits of other scripts, a
body weight in mg), spoofing (``patient_id`` with newlines, escape sequences, a carriage return)
and records with duplicate keys.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from bisphos import cli
from bisphos import engine as engine_module
from bisphos.engine import Engine
from bisphos.errors import BisphosError, InputLimitError, InvalidValueError, PatientInputError
from bisphos.io import load_patient, patient_from_dict, patient_from_text
from bisphos.model import MAX_ITEMS, Patient
from bisphos.pediatric.plan import PlanRequest
from bisphos.pediatric.schedule import Horizon
from bisphos.plugins.manager import get_plugin_manager
from bisphos.records import load_record, record_json, replay
from bisphos.units import parse_quantity
from bisphos.validation import (
    MAX_INPUT_BYTES_ENV,
    check_text,
    parse_iso_date,
    read_bounded,
)

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "patients" / "oi-girl-20kg.json"
ENGINE = Engine.create(entry_points=False)


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def problems(data: object) -> list[str]:
    """The ``path: problem`` lines of the PatientInputError that ``data`` must raise."""
    with pytest.raises(PatientInputError) as caught:
        patient_from_dict(data)
    return [str(problem) for problem in caught.value.problems]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv), engine=ENGINE)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail (rather than hang) when the test takes more than 10 seconds."""

    def expire(signum: int, frame: object) -> None:
        raise AssertionError("took more than 10 seconds: an unbounded read")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# --- unbounded reads ----------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_symlink_to_dev_zero_is_refused_at_once(tmp_path: Path, deadline: None) -> None:
    link = tmp_path / "patient.json"
    link.symlink_to("/dev/zero")
    started = time.process_time()
    with pytest.raises(PatientInputError, match="not a regular file"):
        load_patient(link)
    assert time.process_time() - started < 1.0


def test_fifo_is_refused_without_blocking(tmp_path: Path, deadline: None) -> None:
    fifo = tmp_path / "patient.json"
    os.mkfifo(fifo)
    with pytest.raises(PatientInputError, match="not a regular file"):
        load_patient(fifo)
    with pytest.raises(InvalidValueError, match="not a regular file"):
        read_bounded(fifo)


def test_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "patient.json"
    folder.mkdir()
    with pytest.raises(PatientInputError, match="not a regular file"):
        load_patient(folder)


def test_file_over_the_size_limit_is_refused_by_parameter_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "patient.json"
    path.write_bytes(EXAMPLE.read_bytes())
    size = path.stat().st_size
    assert isinstance(load_patient(path, max_bytes=size), Patient)
    with pytest.raises(PatientInputError) as caught:
        load_patient(path, max_bytes=size - 1)
    (problem,) = caught.value.problems
    assert isinstance(problem, InputLimitError)
    assert problem.limit == MAX_INPUT_BYTES_ENV
    assert f"larger than the limit of {size - 1} bytes" in str(problem)
    monkeypatch.setenv(MAX_INPUT_BYTES_ENV, str(size - 1))
    with pytest.raises(PatientInputError, match="larger than the limit"):
        load_patient(path)
    monkeypatch.setenv(MAX_INPUT_BYTES_ENV, "lots")
    with pytest.raises(PatientInputError, match=MAX_INPUT_BYTES_ENV):
        load_patient(path)


def test_a_file_of_two_mebibytes_is_refused_by_the_default_limit(tmp_path: Path) -> None:
    path = tmp_path / "patient.json"
    path.write_bytes(b" " * (2 * 1024 * 1024) + EXAMPLE.read_bytes())
    with pytest.raises(PatientInputError, match="larger than the limit of 1048576 bytes"):
        load_patient(path)


def test_too_many_fractures_names_the_limit() -> None:
    data = example()
    fracture = {"site": "long_bone", "trauma": "low", "date": "2022-06-02"}
    data["fractures"] = [fracture] * (MAX_ITEMS["fractures"] + 1)
    (line,) = problems(data)
    assert line.startswith("fractures: more than 1000 items")
    # 873,813 fractures: refused by the same limit, without reading any of them.
    data["fractures"] = [fracture] * 873_813
    started = time.process_time()
    assert problems(data)[0].startswith("fractures: more than 1000 items")
    assert time.process_time() - started < 1.0


@pytest.mark.parametrize(("key", "item"), [("bmd", "bmd"), ("infusions", "infusions")])
def test_too_many_items_of_each_list_are_refused(key: str, item: str) -> None:
    data = example()
    entry: dict[str, object] = (
        {"site": "femur", "z_score": -1.0}
        if key == "bmd"
        else {"drug": "zoledronic_acid", "date": "2024-01-01", "dose": "0.2 mg"}
    )
    data[key] = [entry] * (MAX_ITEMS[item] + 1)
    assert any(f"more than {MAX_ITEMS[item]}" in line for line in problems(data))


# --- tracebacks that must be typed errors -------------------------------------------------------


def test_lone_surrogate_in_patient_id_is_refused_by_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("example-oi-girl", "\\ud800x")
    path = tmp_path / "patient.json"
    path.write_text(text, encoding="utf-8")
    for argv in (
        ["plan", str(path)],
        *(["plan", str(path), "--format", f] for f in ("json", "record", "fhir", "ics")),
        ["check", str(path)],
        ["show", str(path)],
    ):
        code, out, err = run(capsys, *argv)
        assert code == cli.EXIT_INPUT_ERROR, argv
        assert out == ""
        assert "patient_id: holds a lone surrogate (not encodable as UTF-8) U+D800" in err
        assert "Traceback" not in err


@pytest.mark.parametrize("digits", [401, 5000])
def test_huge_integer_z_score_is_a_typed_error(digits: int) -> None:
    """A 401-digit integer overflowed float(); one of over 4,300 digits broke int parsing."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("-2.8", "9" * digits)
    with pytest.raises(PatientInputError) as caught:
        patient_from_text(text, file_format="json")
    (problem,) = caught.value.problems
    assert isinstance(problem, InputLimitError)
    assert "an integer of more than 20 digits" in str(problem)
    data = example()
    data["bmd"][0]["z_score"] = 10**digits
    assert "an integer of more than 63 bits" in problems(data)[0]


def test_huge_integer_in_toml_is_a_typed_error() -> None:
    toml = 'schema_version = 1\nbirth_date = 2019-03-14\nweight = "20 kg"\n'
    toml += "[[bmd]]\nsite = 'femur'\nz_score = " + "9" * 401 + "\n"
    with pytest.raises(PatientInputError, match=r"integer|not valid TOML"):
        patient_from_text(toml, file_format="toml")


def test_an_error_about_a_huge_integer_can_be_written() -> None:
    with pytest.raises(InvalidValueError) as caught:
        Horizon(infusions=10**5000)
    assert "bits" in str(caught.value)


@pytest.mark.parametrize("day", ["9999-12-31", "2200-01-01", "1899-12-31"])
def test_dates_outside_the_accepted_range_are_refused(day: str) -> None:
    data = example()
    data["assessment_date"] = day
    assert any(line.startswith("assessment_date: the date is outside") for line in problems(data))


def test_start_in_year_9999_is_a_typed_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "plan", str(EXAMPLE), "--start", "9999-06-01")
    assert code == cli.EXIT_INPUT_ERROR
    assert err.startswith("--start: the date is outside the range bisphos accepts")
    with pytest.raises(InvalidValueError, match="start: the date is outside"):
        PlanRequest(start=parse_iso_date("2199-12-31", field="start").replace(year=9999))


def test_record_horizon_ending_9999_12_31_is_a_typed_error() -> None:
    plan = ENGINE.plan(load_patient(EXAMPLE))
    data = json.loads(record_json(plan))
    data["input"]["request"]["horizon"]["until"] = "9999-12-31"
    report = replay(json.dumps(data, indent=2), engine=ENGINE)
    assert not report.reproduced
    assert "horizon.until: the date is outside the range bisphos accepts" in report.error


@pytest.mark.parametrize("kind", ["json", "toml"])
def test_nesting_100000_deep_is_a_typed_error(kind: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    text = f'{{"fractures": {deep}}}' if kind == "json" else f"fractures = {deep}\n"
    with pytest.raises(PatientInputError, match=r"nested deeper|not valid TOML"):
        patient_from_text(text, file_format=kind)


def test_record_nested_100000_deep_is_a_typed_error() -> None:
    text = '{"format": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(InputLimitError, match="record: nested deeper than 16 levels"):
        load_record(text)


def _broken_distribution(root: Path, error: str) -> None:
    (root / "broken_bisphos_plugin.py").write_text(f"raise {error}\n", encoding="utf-8")
    info = root / "broken_bisphos_plugin-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-bisphos-plugin\nVersion: 1.2.3\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[bisphos]\nbroken = broken_bisphos_plugin\n", encoding="utf-8"
    )


@pytest.mark.parametrize(
    "error", ["RuntimeError('boom')", "ZeroDivisionError", "SystemExit(3)", "SyntaxError('x')"]
)
def test_plugin_that_fails_on_import_is_a_plugin_error_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: str,
) -> None:
    _broken_distribution(tmp_path, error)
    monkeypatch.setattr(engine_module, "_DEFAULT", [])  # no engine built before this test
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "broken_bisphos_plugin", raising=False)
    with pytest.raises(BisphosError) as caught:
        get_plugin_manager()
    message = str(caught.value)
    assert "plugin 'broken' of distribution 'broken-bisphos-plugin' 1.2.3 failed to load" in message
    assert caught.value.field == "plugins.broken"
    code = cli.main(["rules"])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INPUT_ERROR
    assert captured.err.startswith("plugins.broken: plugin 'broken' of distribution")
    assert "Traceback" not in captured.err
    # Blocking it by name lets every command run again.
    monkeypatch.setenv("BISPHOS_DISABLE_PLUGINS", "broken")
    monkeypatch.setattr(engine_module, "_DEFAULT", [])
    assert cli.main(["rules"]) == cli.EXIT_OK


# --- silent acceptance --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        "2019-W11-4",  # an ISO week date, 10 characters like a calendar date
        "2019-W11",
        "2019-070",  # an ordinal date
        "20190314",  # the basic format
        "2019-03-14T00:00",  # a time
        "2019-03-14 ",
        "２０19-03-14",  # digits of another script
        "2019-02-30",  # no such day
        "+2019-03-14",
    ],
)
def test_only_iso_calendar_dates_are_accepted(day: str) -> None:
    data = example()
    data["birth_date"] = day
    assert problems(data) == [
        f"birth_date: not a date; got {day!r}; expected an ISO date YYYY-MM-DD"
    ]


def test_pregnant_null_is_not_recorded_and_reported() -> None:
    """P-CI-PREG: "pregnant": null is not read as "not pregnant"; it is a finding."""
    data = example()
    data["risks"] = {"pregnant": None, "could_become_pregnant": True}
    patient = patient_from_dict(data)
    assert patient.risks.pregnant is None
    findings = {f.code: f for f in ENGINE.assess(patient).findings}
    finding = findings["pregnancy-not-recorded"]
    assert finding.rule_ids == ("P-CI-PREG",)
    assert [str(e) for e in finding.evidence] == ["risks.pregnant = not recorded"]
    # A patient who cannot become pregnant needs no such finding.
    data["risks"]["could_become_pregnant"] = False
    assert "pregnancy-not-recorded" not in {
        f.code for f in ENGINE.assess(patient_from_dict(data)).findings
    }


@pytest.mark.parametrize(
    ("path", "key"),
    [(("risks",), "bisphosphonate_hypersensitivity"), (("bmd", 0), "size_corrected")],
)
def test_null_for_a_true_false_value_is_never_read_as_false(
    path: tuple[str | int, ...], key: str
) -> None:
    data = example()
    target: Any = data
    for step in path:
        target = target[step]
    target[key] = None
    dotted = ".".join(str(p) for p in path).replace(".0", "[0]")
    assert f"{dotted}.{key}: not recorded (null) is not accepted here" in problems(data)[0]


@pytest.mark.parametrize("text", ["２０ kg", "٢٠ kg", "20 k𝟎g", "۲۰ kg"])
def test_digits_of_other_scripts_are_refused_and_the_error_says_so(text: str) -> None:
    with pytest.raises(InvalidValueError, match="only the ASCII digits 0-9 are accepted"):
        parse_quantity(text)
    data = example()
    data["weight"] = text
    assert "weight: only the ASCII digits 0-9" in problems(data)[0]


@pytest.mark.parametrize("weight", ["500000 mg", "20000000 ug", "705 oz"])
def test_a_body_weight_in_mg_or_ug_is_refused(weight: str) -> None:
    """P-WEIGHT-PLAUSIBLE, its unit part: a body weight in kg, g or lb, never mg or µg."""
    data = example()
    data["weight"] = weight
    (line,) = problems(data)
    assert "does not fit a body weight" in line
    assert line.endswith("expected a body weight in kg (units accepted: g, kg, lb)")


@pytest.mark.parametrize(("weight", "kg"), [("20 kg", 20.0), ("20000 g", 20.0), ("44.1 lb", 20.0)])
def test_a_body_weight_in_kg_g_or_lb_is_accepted(weight: str, kg: float) -> None:
    data = example()
    data["weight"] = weight
    assert patient_from_dict(data).weight.m_as("kg") == pytest.approx(kg, abs=0.01)


# --- spoofing -----------------------------------------------------------------------------------

SPOOFS = [
    "x\nstatus: ready\nNothing blocks",
    "x\x1b[2J\x1b[Hstatus: ready",
    "x\rstatus: ready",
    "x\u2028status: ready",
    "x\u202estatus",
    "x\u200b",
    "x\x85",
    "x\x9b2J",
    "x\t",
    "x" * 65,
]


@pytest.mark.parametrize("patient_id", SPOOFS, ids=repr)
def test_patient_id_cannot_spoof_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], patient_id: str
) -> None:
    data = example()
    data["patient_id"] = patient_id
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    for command in ("plan", "check", "show"):
        code, out, err = run(capsys, command, str(path))
        assert code == cli.EXIT_INPUT_ERROR
        assert out == ""
        (line,) = err.splitlines()  # one line: the value cannot start another
        assert line.startswith("patient_id: ")
        assert line.isprintable()
    with pytest.raises(InvalidValueError):
        attrs.evolve(load_patient(EXAMPLE), patient_id=patient_id)


def test_a_carriage_return_never_reaches_the_calendar() -> None:
    with pytest.raises(InvalidValueError, match=r"U\+000D"):
        attrs.evolve(load_patient(EXAMPLE), patient_id="a\rb")


def test_hostile_keys_and_file_names_are_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = example()
    data["\x1b[2Jstatus"] = 1
    path = tmp_path / "pa\x1btient.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = run(capsys, "plan", str(path))
    assert code == cli.EXIT_INPUT_ERROR
    assert "\x1b" not in err
    assert "\\x1b[2Jstatus" in err


def test_refused_text_characters() -> None:
    for text in SPOOFS[:-1]:
        with pytest.raises(InvalidValueError):
            check_text(text, field="f")
    assert check_text('Ünïcödé – 20 µg ≤ 4 mg; a,b\\c "q"', field="f")


# --- records ------------------------------------------------------------------------------------


def test_record_with_a_duplicate_key_is_refused() -> None:
    """The visible dose said 40 mg; replay read the last key, 0.25 mg, and exited 0."""
    text = record_json(ENGINE.plan(load_patient(EXAMPLE)))
    edited = text.replace('"dose": "0.25 mg",', '"dose": "40 mg",\n      "dose": "0.25 mg",', 1)
    assert edited != text
    with pytest.raises(InvalidValueError, match="a key appears twice in one object"):
        replay(edited, engine=ENGINE)


def test_patient_with_a_duplicate_key_is_refused() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace('"weight"', '"weight": "40 kg", "weight"')
    with pytest.raises(PatientInputError, match="a key appears twice"):
        patient_from_text(text, file_format="json")


def test_regular_file_check_follows_the_opened_file(tmp_path: Path) -> None:
    path = tmp_path / "patient.json"
    path.write_bytes(EXAMPLE.read_bytes())
    assert stat.S_ISREG(path.stat().st_mode)
    assert read_bounded(path) == EXAMPLE.read_bytes()


def test_fifo_named_like_a_bundle_is_refused_by_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deadline: None
) -> None:
    """A .json patient file may be a FHIR Bundle: telling which reads it once, bounded."""
    from bisphos.fhir.reader import load_bundle

    fifo = tmp_path / "patient.json"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "plan", str(fifo))
    assert code == cli.EXIT_INPUT_ERROR
    expected = "a regular file (not a FIFO, device, socket or directory)"
    assert err == f"{fifo}: cannot read the file: not a regular file; expected {expected}\n"
    with pytest.raises(BisphosError, match="not a regular file"):
        load_bundle(fifo)


def test_start_long_after_the_assessment_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """An assessment is no basis for a course starting years later (here 2199, 173 years on)."""
    code, _, err = run(capsys, "plan", str(EXAMPLE), "--start", "2199-12-31")
    assert code == cli.EXIT_INPUT_ERROR
    assert err.startswith("start: a course cannot start more than 2 years after the assessment")
    assert run(capsys, "plan", str(EXAMPLE), "--start", "2028-11-23")[0] != cli.EXIT_INPUT_ERROR


def test_replay_of_data_nested_100000_deep_is_a_typed_error() -> None:
    data: dict[str, object] = {}
    inner = data
    for _ in range(100_000):
        inner["x"] = {}
        inner = inner["x"]  # type: ignore[assignment]
    with pytest.raises(InvalidValueError, match="record"):
        replay(data, engine=ENGINE)


@pytest.mark.parametrize("value", [b"patient.json", 3, None, ["a.json"]])
def test_loaders_given_another_type_raise_a_typed_error(value: object) -> None:
    with pytest.raises(PatientInputError):
        load_patient(value)  # type: ignore[arg-type]
    with pytest.raises(PatientInputError):
        patient_from_text(value, file_format="json")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError):
        load_record(value)  # type: ignore[arg-type]


_MIB = 1024 * 1024
#: Files of just under the size limit, each built to cost the most of one resource.
_LARGEST = {
    "brackets": "[" * (_MIB // 2 - 1) + "]" * (_MIB // 2 - 1),
    "many empty lists": '{"fractures": [' + ",".join(["[]"] * (_MIB // 3 - 10)) + "]}",
    "one long text": '{"patient_id": "' + "x" * (_MIB - 40) + '"}',
    "many keys": "{" + ",".join(f'"k{i}": 0' for i in range(80_000)) + "}",
    "long numbers": '{"bmd": [' + ",".join(["1" * 19] * 50_000) + "]}",
}


@pytest.mark.parametrize("name", sorted(_LARGEST))
def test_the_largest_hostile_files_are_refused_in_bounded_time(tmp_path: Path, name: str) -> None:
    """Whatever a file of the largest accepted size holds, reading it is a typed error within
    seconds: the work is linear in a size the limit bounds."""
    path = tmp_path / "patient.json"
    path.write_text(_LARGEST[name], encoding="utf-8")
    assert path.stat().st_size <= _MIB
    started = time.process_time()
    with pytest.raises(PatientInputError):
        load_patient(path)
    assert time.process_time() - started < 5.0


def test_the_costliest_hostile_file_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """The file that makes the parser build the most objects (a third of a million empty lists
    in 1 MiB) peaks below 64 MiB: memory is bounded by the size limit too. (Traced allocation
    slows the parse about fourfold, so only this case is traced.)"""
    import tracemalloc

    path = tmp_path / "patient.json"
    path.write_text(_LARGEST["many empty lists"], encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(PatientInputError, match="more than 1000 items"):
            load_patient(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * _MIB


_OVERRIDE = ("--override", "P-WEIGHT-PLAUSIBLE=value-confirmed")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--clinician", "Dr A\nstatus: ready"),
        ("--clinician", "Dr A\x1b[2J"),
        ("--override-note", "checked\rNothing blocks"),
        ("--override-note", "ok\u202e"),
    ],
)
def test_override_texts_cannot_spoof_a_report(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    """P-OVERRIDE: the clinician's name and the note reach every output, so they are printable."""
    options = {"--clinician": "Dr A", "--override-time": "2026-11-23T09:30", option: value}
    argv = ["plan", str(EXAMPLE), *_OVERRIDE, *(part for item in options.items() for part in item)]
    code, out, err = run(capsys, *argv)
    assert code == cli.EXIT_INPUT_ERROR
    assert out == ""
    (line,) = err.splitlines()
    assert "holds the" in line


@pytest.mark.parametrize(
    "when",
    [
        "2026-W48-1T09:30",
        "2026-11-23",
        "2026-11-23 09:30",
        "9999-12-31T09:30",
        "２０26-11-23T09:30",
    ],
)
def test_override_time_is_an_iso_date_and_time_in_range(
    capsys: pytest.CaptureFixture[str], when: str
) -> None:
    argv = ["plan", str(EXAMPLE), *_OVERRIDE, "--clinician", "Dr A", "--override-time", when]
    code, _, err = run(capsys, *argv)
    assert code == cli.EXIT_INPUT_ERROR
    assert err.startswith("--override-time: ")


ADULT = ROOT / "examples" / "patients" / "oncology" / "zoledronic-acid-band-3-5-mg.json"


@pytest.mark.parametrize("patient_id", SPOOFS[:4], ids=repr)
def test_adult_patient_id_cannot_spoof_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], patient_id: str
) -> None:
    """The adult oncology file's texts are checked as the child's are."""
    data = json.loads(ADULT.read_text(encoding="utf-8"))
    data["patient_id"] = patient_id
    path = tmp_path / "adult.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    for command in ("plan", "check", "show"):
        code, out, err = run(capsys, command, str(path))
        assert code == cli.EXIT_INPUT_ERROR, command
        assert out == ""
        (line,) = err.splitlines()
        assert line.startswith("patient_id: holds the")


def test_adult_file_limits_are_the_patient_limits(tmp_path: Path) -> None:
    from bisphos.oncology.patient_file import adult_patient_from_dict

    data = json.loads(ADULT.read_text(encoding="utf-8"))
    data["weight"] = 10**5000
    with pytest.raises(PatientInputError, match="an integer of more than 63 bits"):
        adult_patient_from_dict(data)
