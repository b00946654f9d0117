"""The command line, run in-process with ``main(argv)``: every example in every format and
language, the exit codes, and input errors as ``path: problem`` lines, never a traceback."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import jsonschema
import pytest

from bisphos import cli
from bisphos.engine import Engine
from bisphos.errors import PluginError
from bisphos.export.fhir import validate_bundle
from bisphos.export.plan_json import plan_schema
from bisphos.findings import Finding
from bisphos.io import load_patient
from bisphos.model import Patient
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.rules import INVARIANTS, RULES
from bisphos.plugins import hookimpl
from tests.test_export_ical import parse_ics

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.*"))
ENGINE = Engine.create(entry_points=False)
VALIDATOR = jsonschema.Draft202012Validator(plan_schema())
#: A problem line: a path (a field or the file), a colon, the problem.
PROBLEM = re.compile(r"^[^\s:][^:]*: \S.*$")

#: Example files and the exit code their default plan gives: 0 ready, 1 not cleared today.
KNOWN_EXITS = {
    "oi-girl-20kg.json": 0,
    "corticosteroid-boy-70kg.toml": 0,
    "fever-and-low-calcium.json": 1,
    "ped-hypocalcaemia-2-15.json": 1,
    "ped-twenty-years-old.json": 1,
    "ped-wnt1-variant.json": 1,
    "ped-missing-labs.json": 1,
}


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, engine: Engine = ENGINE
) -> tuple[int, str, str]:
    code = cli.main(list(argv), engine=engine)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def expected_exit(path: Path) -> int:
    return cli.EXIT_OK if ENGINE.plan(load_patient(path)).cleared_today else cli.EXIT_NOT_CLEARED


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_in_every_format_and_language(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0 exactly when the plan is ready; JSON valid, FHIR parses, iCalendar parses."""
    expected = expected_exit(path)
    if path.name in KNOWN_EXITS:
        assert expected == KNOWN_EXITS[path.name]
    plan = ENGINE.plan(load_patient(path))
    for lang in ("en", "nl"):
        code, out, err = run(capsys, "plan", str(path), "--lang", lang)
        assert (code, err) == (expected, "")
        assert plan.protocol in out.splitlines()[0]
        code, out, _ = run(capsys, "plan", str(path), "--format", "json", "--lang", lang)
        assert code == expected
        document = json.loads(out)
        if lang == "en":  # the languages differ in the texts only; validation is slow
            VALIDATOR.validate(document)
        assert document["lang"] == lang
        code, out, _ = run(capsys, "plan", str(path), "--format", "fhir", "--lang", lang)
        assert code == expected
        validate_bundle(json.loads(out))
        code, out, err = run(capsys, "plan", str(path), "--format", "ics", "--lang", lang)
        assert code == expected
        if plan.infusions:
            _, events = parse_ics(out)
            assert len(events) >= len(plan.infusions)
        else:
            assert out == ""
            assert err.strip()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_check_exits_0_exactly_when_an_infusion_is_cleared_today(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment = ENGINE.assess(load_patient(path))
    code, out, err = run(capsys, "check", str(path), "--lang", "nl")
    assert code == (cli.EXIT_OK if assessment.cleared_today else cli.EXIT_NOT_CLEARED)
    assert err == ""
    for block in assessment.blocks:
        assert f"({', '.join(block.rule_ids)})" in out


def test_text_plan_shows_doses_dates_rate_and_rule_ids(capsys: pytest.CaptureFixture[str]) -> None:
    """P-ZOL-FIRST, P-ZOL-DOSE, P-ZOL-CAP: 0.25 mg on 2026-11-23 in 50 ml at 50 ml/h."""
    code, out, _ = run(capsys, "plan", str(ROOT / "examples/patients/oi-girl-20kg.json"))
    assert code == 0
    assert "status: ready   drug: zoledronic acid" in out
    assert "   1. 2026-11-23  first infusion" in out
    assert "dose 0.25 mg (0.0125 mg/kg x 20 kg)" in out
    assert "in 50 ml NaCl 0.9 % over 1 h, rate 50 ml/h" in out
    assert "rules: P-ZOL-FIRST, P-ZOL-DOSE, P-ZOL-CAP" in out
    assert "Nothing blocks an infusion today." in out


def test_text_plan_in_dutch_puts_blocks_and_actions_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-CI-FEVER, P-CI-HYPOCA: the blocks and what to do, in Dutch, before the infusions."""
    path = ROOT / "examples/patients/fever-and-low-calcium.json"
    code, out, _ = run(capsys, "plan", str(path), "--lang", "nl")
    assert code == cli.EXIT_NOT_CLEARED
    assert "status: vandaag geblokkeerd   middel: zoledroninezuur" in out
    blocks = out.index("Wat een infuus vandaag blokkeert:")
    assert blocks < out.index("Geplande infusen:")
    assert "[BLOKKEERT] Temperatuur boven 38,5 °C: stel het infuus uit. (P-CI-FEVER)" in out
    assert "actie: Stel het infuus uit tot de koorts verdwenen is." in out
    assert "waarden: temperatuur: 38,889 °C (grens 38,5 °C)" in out


def test_plan_options_drug_start_infusions_maintenance(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-PAM-FIRST, P-PAM-FREQ: pamidronate from 2027-01-04, 2 infusions 3 months apart."""
    path = str(ROOT / "examples/patients/oi-girl-20kg.json")
    options = ("--drug", "pamidronate", "--start", "2027-01-04", "--infusions", "2")
    code, out, _ = run(capsys, "plan", path, *options, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert [i["date"] for i in document["infusions"]] == ["2027-01-04", "2027-04-04"]
    assert [i["dose"]["value"] for i in document["infusions"]] == [20.0, 40.0]
    assert document["request"]["drug"] == "pamidronate"
    path = str(ROOT / "examples/patients/maintenance-oi.json")
    code, out, _ = run(capsys, "plan", path, "--maintenance", "--format", "json")
    document = json.loads(out)
    assert {i["phase"] for i in document["infusions"]} == {"maintenance"}
    assert "P-MAINT-MID" in document["rule_ids"]


def test_a_refused_drug_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """P-GFR: zoledronic acid asked with a GFR of exactly 90 is refused, not planned."""
    path = str(ROOT / "examples/patients/ped-gfr-exactly-90.json")
    code, out, _ = run(capsys, "plan", path, "--drug", "zoledronic_acid")
    assert code == cli.EXIT_NOT_CLEARED
    assert "status: refused" in out
    assert "zoledronic acid is not allowed for this patient (P-GFR)" in out


BROKEN_FILES = {
    "not-json.json": b"{ this is not json",
    "empty.json": b"",
    "list.json": b"[1, 2]",
    "units.json": b'{"birth_date": "2019-03-14", "assessment_date": "2026-11-23", '
    b'"sex": "female", "weight": "20 KG", "height": "112", '
    b'"diagnosis": "osteogenesis_imperfecta"}',
    "dates.json": b'{"birth_date": "14-03-2019", "assessment_date": "2026-02-30"}',
    "nan.json": b'{"weight": NaN}',
    "duplicate.json": b'{"sex": "female", "sex": "male"}',
    "bad.toml": b"weight = [",
    "binary.json": bytes(range(256)),
    "patient.txt": b"weight: 20 kg",
}


@pytest.mark.parametrize("name", list(BROKEN_FILES))
def test_a_broken_file_exits_2_with_path_problem_lines(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(BROKEN_FILES[name])
    for command in ("plan", "check", "show"):
        code, out, err = run(capsys, command, str(path))
        assert code == cli.EXIT_INPUT_ERROR
        assert out == ""
        lines = err.splitlines()
        assert lines
        assert all(PROBLEM.match(line) for line in lines), err
        assert "Traceback" not in err


def test_every_problem_of_a_file_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "units.json"
    path.write_bytes(BROKEN_FILES["units.json"])
    _, _, err = run(capsys, "plan", str(path))
    assert "weight: unit 'KG' is not accepted" in err
    assert "height: " in err


def test_missing_file_and_directory_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (tmp_path / "absent.json", tmp_path):
        code, _, err = run(capsys, "plan", str(path))
        assert code == cli.EXIT_INPUT_ERROR
        assert err.startswith(f"{path}: cannot read the file")


@pytest.mark.parametrize(
    "options",
    [
        ("--start", "2027-13-01"),
        ("--start", "23-11-2027"),
        ("--start", "2020-01-01"),
        ("--infusions", "0"),
        ("--infusions", "101"),
        ("--infusions", "two"),
        ("--drug", "alendronate"),
        ("--format", "pdf"),
        ("--lang", "de"),
    ],
)
def test_an_invalid_option_exits_2(
    options: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(ROOT / "examples/patients/oi-girl-20kg.json")
    code, out, err = run(capsys, "plan", path, *options)
    assert code == cli.EXIT_INPUT_ERROR
    assert out == ""
    assert "Traceback" not in err
    assert err.splitlines()[-1]


def test_an_option_error_names_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples/patients/oi-girl-20kg.json")
    _, _, err = run(capsys, "plan", path, "--start", "2027-13-01")
    assert err == "--start: not a date; got '2027-13-01'; expected an ISO date YYYY-MM-DD\n"


class _NotAFinding:
    @hookimpl
    def bisphos_extra_findings(self) -> Sequence[object]:
        return ["a string, not a finding"]


class _Failing:
    @hookimpl
    def bisphos_extra_findings(self, patient: Patient, assessment: Assessment) -> Sequence[Finding]:
        raise PluginError("the local formulary is unreachable", field="local.formulary")


@pytest.mark.parametrize("plugin", [_NotAFinding(), _Failing()], ids=["wrong-type", "raises"])
def test_a_plugins_typed_error_exits_2(plugin: object, capsys: pytest.CaptureFixture[str]) -> None:
    engine = Engine.create(entry_points=False, plugins=[("local", plugin)])
    path = str(ROOT / "examples/patients/oi-girl-20kg.json")
    for command in ("plan", "check"):
        code, out, err = run(capsys, command, path, engine=engine)
        assert code == cli.EXIT_INPUT_ERROR
        assert out == ""
        assert all(PROBLEM.match(line) for line in err.splitlines()), err


def test_usage_errors_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys)[0] == cli.EXIT_INPUT_ERROR
    assert run(capsys, "cure")[0] == cli.EXIT_INPUT_ERROR
    code, out, _ = run(capsys, "--version")
    assert (code, out.startswith("bisphos ")) == (0, True)
    code, out, _ = run(capsys, "plan", "--help")
    assert code == 0
    assert "--format {text,json,record,fhir,ics}" in out


def test_exit_codes_are_documented_in_the_help_and_the_module() -> None:
    text = cli.build_parser().format_help()
    doc = cli.__doc__ or ""
    for line in (
        "0  a plan is ready",
        "1  an infusion is blocked today",
        "2  the input was invalid",
    ):
        assert line in text
        assert line in doc
    assert (cli.EXIT_OK, cli.EXIT_NOT_CLEARED, cli.EXIT_INPUT_ERROR) == (0, 1, 2)


def test_rules_lists_every_rule_id_with_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    for rule_id, rule in RULES.items():
        assert f"{rule_id}  [{rule.section}]" in out
    assert "O-RA223" in out
    code, out, _ = run(capsys, "rules", "--protocol", "nl-pediatric-iv-bp-2024")
    assert "O-RA223" not in out
    assert "P-GFR" in out
    assert "Schwartz" in out


def test_rules_of_an_unknown_protocol_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rules", "--protocol", "nl-dental-2030")
    assert code == cli.EXIT_INPUT_ERROR
    assert err.startswith("protocol_id: no protocol is registered under this id")


def test_invariants_are_listed_with_their_rule_ids(capsys: pytest.CaptureFixture[str]) -> None:
    """Invariant 1 (P-ZOL-CAP, P-PAM-CAP) and every other one of the pediatric protocol."""
    code, out, _ = run(capsys, "invariants", "--protocol", "nl-pediatric-iv-bp-2024")
    assert code == 0
    for invariant in INVARIANTS:
        assert f"{invariant.number:>4}. {invariant.statement}" in out
        assert ", ".join(invariant.rule_ids) in out


def test_plugins_lists_built_ins_direct_plugins_and_protocols(
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = Engine.create(entry_points=False, plugins=[("local", _NotAFinding())])
    code, out, _ = run(capsys, "plugins", engine=engine)
    assert code == 0
    assert re.search(r"bisphos\.plugins\.pediatric  bisphos \S+  \(built in\)", out)
    assert "local  -  (registered directly)" in out
    assert "nl-pediatric-iv-bp-2024  2024.05.3" in out
    assert "nl-oncology-bone-2016" in out
    _, dutch, _ = run(capsys, "plugins", "--lang", "nl", engine=engine)
    assert "Geladen plug-ins:" in dutch


def test_show_prints_the_normalised_patient(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", str(ROOT / "examples/patients/oi-girl-20kg.json"))
    assert code == 0
    assert '"value": "20.0 kg"' in out
    assert out.rstrip().endswith("missing for a decision: nothing")


def test_a_command_is_one_registered_function(capsys: pytest.CaptureFixture[str]) -> None:
    """Adding a subcommand is one function with the ``command`` decorator."""

    @cli.command("echo-protocols", "print the protocol ids", cli.LANG)
    def _echo(arguments: object, engine: Engine) -> int:
        sys.stdout.write(" ".join(sorted(engine.protocols)) + "\n")
        return cli.EXIT_OK

    try:
        code, out, _ = run(capsys, "echo-protocols")
        assert (code, out) == (0, "nl-oncology-bone-2016 nl-pediatric-iv-bp-2024\n")
    finally:
        del cli._COMMANDS["echo-protocols"]


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_that_stops_early_gives_exit_1_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert cli.main(["rules"], engine=ENGINE) == cli.EXIT_NOT_CLEARED
    assert capsys.readouterr().err == ""
