"""The command line's JSON documents, ``--output``, standard input and shell completion."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from bisphos import cli
from bisphos.engine import Engine
from bisphos.export.command_json import COMMANDS, command_schema_json
from bisphos.export.plan_json import plan_schema
from bisphos.oncology.export import recommendation_schema

ROOT = Path(__file__).parent.parent
PATIENTS = ROOT / "examples" / "patients"
EXAMPLES = sorted(path for path in PATIENTS.glob("*.*") if path.suffix in {".json", ".toml"})
ENGINE = Engine.create(entry_points=False)
EXAMPLE = PATIENTS / "oi-girl-20kg.json"
ADULTS = sorted((PATIENTS / "oncology").glob("*.*"))


def _registry() -> Registry[Any]:
    patient = json.loads(files("bisphos").joinpath("patient.schema.json").read_text("utf-8"))
    adult = json.loads(
        files("bisphos.oncology").joinpath("adult-patient.schema.json").read_text("utf-8")
    )
    resources = [plan_schema(), patient, adult]
    return Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in resources
    )


REGISTRY = _registry()


def _validate(document: dict[str, Any], command: str) -> None:
    schema = json.loads(files("bisphos").joinpath(f"schemas/{command}.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, registry=REGISTRY)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]]


def _run(
    capsys: pytest.CaptureFixture[str], *argv: str, engine: Engine = ENGINE
) -> tuple[int, str, str]:
    code = cli.main(list(argv), engine=engine)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", COMMANDS)
def test_shipped_schema_equals_its_generator(command: str) -> None:
    shipped = files("bisphos").joinpath(f"schemas/{command}.schema.json").read_text("utf-8")
    assert shipped == command_schema_json(command), "regenerate with command_schema_json"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_check_and_show_documents_validate_for_every_example(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    code, out, _ = _run(capsys, "check", str(path), "--format", "json")
    document = json.loads(out)
    _validate(document, "check")
    # The exit code is the document's own verdict.
    assert code == (0 if document["cleared_today"] else 1)
    code, out, _ = _run(capsys, "show", str(path), "--format", "json")
    assert code == 0
    _validate(json.loads(out), "show")


@pytest.mark.parametrize("path", ADULTS, ids=lambda path: path.name)
def test_check_and_show_documents_of_adult_files_validate(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    """An adult oncology file: check writes the recommendation document (its schema), show the
    show document with the adult patient."""
    code, out, _ = _run(capsys, "check", str(path), "--format", "json")
    document = json.loads(out)
    errors = list(jsonschema.Draft202012Validator(recommendation_schema()).iter_errors(document))
    assert not errors, [e.message for e in errors[:3]]
    assert code == (0 if document["status"] == "ready" else 1)
    code, out, _ = _run(capsys, "show", str(path), "--format", "json")
    assert code == 0
    shown = json.loads(out)
    _validate(shown, "show")
    assert shown["patient"]["kind"] == "adult-oncology"


def test_keygen_document_names_the_files_and_the_public_key_fingerprint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptography.hazmat.primitives import serialization

    private, public = tmp_path / "signing.pem", tmp_path / "signing.pub.pem"
    code, out, _ = _run(capsys, "keygen", str(private), str(public), "--format", "json")
    assert code == 0
    document = json.loads(out)
    _validate(document, "keygen")
    assert (document["private_key"], document["public_key"]) == (str(private), str(public))
    key = serialization.load_pem_public_key(public.read_bytes())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert document["public_key_sha256"] == hashlib.sha256(raw).hexdigest()
    # A second run refuses to replace the files: exit 2, no document.
    code, out, err = _run(capsys, "keygen", str(private), str(public), "--format", "json")
    assert (code, out) == (2, "")
    assert "cannot create the key file" in err


@pytest.mark.parametrize("shell", cli.SHELLS)
def test_completion_document_holds_the_script(
    capsys: pytest.CaptureFixture[str], shell: str
) -> None:
    code, script, _ = _run(capsys, "completion", shell)
    assert code == 0
    code, out, _ = _run(capsys, "completion", shell, "--format", "json")
    assert code == 0
    document = json.loads(out)
    _validate(document, "completion")
    assert document["shell"] == shell
    assert document["script"] == script


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(commands.choices)


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_every_command_help_lists_its_formats_and_its_own_exit_codes(name: str) -> None:
    """Over cli.build_parser(): the help ends with the --format choices, the JSON Schema that is
    shipped for a JSON document, and the command's exit codes with the shared 2 and 130."""
    sub = _subparsers()[name]
    text = sub.format_help()
    choices: list[str] = next(
        (list(a.choices or ()) for a in sub._actions if "--format" in a.option_strings), []
    )
    formats = text[text.index("Formats: ") : text.index("Exit codes:")]
    if choices:
        assert formats.startswith(f"Formats: {', '.join(choices)}")
    else:
        assert name == "serve"
        assert "decision record" in formats
    if "json" in choices:
        schemas = re.findall(r"bisphos/[\w/.-]+\.schema\.json", " ".join(formats.split()))
        assert schemas
        for schema in schemas:
            package, _, resource = schema.rpartition("/")
            if package.endswith("schemas"):
                package, resource = package.rpartition("/")[0], f"schemas/{resource}"
            module = package.replace("/", ".")
            assert files(module).joinpath(resource).is_file(), schema
        assert name in {*COMMANDS, "plan", "recommend"}
    codes = [int(m) for m in re.findall(r"^  (\d+) ", text[text.index("Exit codes:") :], re.M)]
    assert codes[0] == 0
    assert codes[-2:] == [cli.EXIT_INPUT_ERROR, cli.EXIT_INTERRUPTED]
    assert codes == sorted(set(codes))


def test_check_document_carries_the_assessment(capsys: pytest.CaptureFixture[str]) -> None:
    """The 20 kg girl of the README: Schwartz 40 x 112 cm / 35.36 umol/l = 126.7 (P-GFR)."""
    _, out, _ = _run(capsys, "check", str(EXAMPLE), "--format", "json")
    document = json.loads(out)
    assert document["status"] == "cleared"
    assert document["allowed_drugs"] == ["zoledronic_acid", "pamidronate"]
    assert document["gfr"]["value"] == pytest.approx(40 * 112 / 35.36, abs=0.05)
    assert "P-GFR" in document["rule_ids"]


@pytest.mark.parametrize("command", ["rules", "invariants", "plugins"])
def test_listing_documents_validate(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = _run(capsys, command, "--format", "json")
    assert code == 0
    document = json.loads(out)
    _validate(document, command)
    if command == "rules":
        ids = {rule["id"] for p in document["protocols"] for rule in p["rules"]}
        assert {"P-GFR", "P-ZOL-CAP", "P-PAM-CAP"} <= ids
    if command == "invariants":
        pediatric = next(p for p in document["protocols"] if p["id"] == "nl-pediatric-iv-bp-2024")
        assert all(item["tests"] for item in pediatric["invariants"])


def test_replay_document_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = tmp_path / "record.json"
    assert _run(capsys, "plan", str(EXAMPLE), "--format", "record", "-o", str(record))[0] == 0
    code, out, _ = _run(capsys, "replay", str(record), "--format", "json")
    document = json.loads(out)
    _validate(document, "replay")
    assert code == 0
    assert document["identical"] is True


def test_output_writes_the_file_and_nothing_to_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "plan.json"
    code, out, _ = _run(capsys, "plan", str(EXAMPLE), "--format", "json", "--output", str(target))
    assert (code, out) == (0, "")
    _, printed, _ = _run(capsys, "plan", str(EXAMPLE), "--format", "json")
    assert target.read_text(encoding="utf-8") == printed
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_output_after_an_error_leaves_the_earlier_file_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "plan.txt"
    target.write_text("earlier\n", encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"weight": "20 kg"}', encoding="utf-8")
    code, out, err = _run(capsys, "plan", str(bad), "--output", str(target))
    assert code == 2
    assert out == ""
    assert err
    assert target.read_text(encoding="utf-8") == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "plan.txt"]


def test_output_into_a_missing_directory_is_a_typed_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "rules", "--output", str(tmp_path / "no" / "such" / "rules.txt"))
    assert code == 2
    assert err.startswith("--output: cannot write the output file")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "path", [EXAMPLE, PATIENTS / "corticosteroid-boy-70kg.toml"], ids=["json", "toml"]
)
def test_standard_input_gives_the_plan_of_the_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    file_code, from_file, _ = _run(capsys, "plan", str(path), "--format", "json")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    code, from_stdin, _ = _run(capsys, "plan", "-", "--format", "json")
    assert code == file_code
    assert json.loads(from_stdin)["infusions"]
    assert from_stdin == from_file


def test_standard_input_over_the_size_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BISPHOS_MAX_INPUT_BYTES", "1000")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b" " * 5000)))
    code, _, err = _run(capsys, "check", "-")
    assert code == 2
    assert err.startswith("-: standard input is larger than the limit of 1000 bytes")


def _command_names() -> list[str]:
    parser = cli.build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(commands.choices)


@pytest.mark.parametrize("name", _command_names())
def test_every_command_help_lists_its_exit_codes(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, _ = _run(capsys, name, "--help")
    assert code == 0
    assert "Exit codes" in out
    assert "--output" in out


def test_bash_completion_offers_commands_formats_and_files(tmp_path: Path) -> None:
    script = tmp_path / "bisphos.bash"
    buffer = io.StringIO()
    original = sys.stdout
    sys.stdout = buffer
    try:
        assert cli.main(["completion", "bash"], engine=ENGINE) == 0
    finally:
        sys.stdout = original
    script.write_text(buffer.getvalue(), encoding="utf-8")
    (tmp_path / "girl.json").write_text("{}", encoding="utf-8")

    def complete(*words: str) -> list[str]:
        line = " ".join(words)
        program = (
            f"source {script}; COMP_WORDS=({' '.join(repr(w) for w in words)}); "
            f"COMP_CWORD={len(words) - 1}; COMP_LINE={line!r}; COMP_POINT={len(line)}; "
            '_shtab_bisphos; printf "%s\\n" "${COMPREPLY[@]}"'
        )
        done = subprocess.run(
            ["bash", "-c", program], cwd=tmp_path, capture_output=True, text=True, check=True
        )
        return done.stdout.split()

    assert complete("bisphos", "pl") == ["plan", "plugins"]
    assert set(complete("bisphos", "")) >= set(_subparsers())
    assert complete("bisphos", "keygen", "--format", "") == ["text", "json"]
    assert complete("bisphos", "completion", "") == list(cli.SHELLS)
    assert complete("bisphos", "plan", "--format", "") == ["text", "json", "record", "fhir", "ics"]
    assert "girl.json" in complete("bisphos", "check", "gi")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_check_order_documents_validate_for_every_example(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    """The protocol's own first infusion (or a fixed order where nothing is planned) and four
    times its dose (above every first-infusion range and daily cap): each document validates
    against check-order.schema.json, and the exit code is its verdict's."""
    from bisphos.io import load_patient
    from bisphos.units import format_quantity, quantity

    plan = ENGINE.plan(load_patient(path))
    if plan.infusions:
        first = plan.infusions[0]
        drug, dose = first.dose.drug.value, first.dose.value
        volume = format_quantity(first.preparation.volume)
        duration = format_quantity(first.preparation.duration)
        # Four times the dose, within the plausible range (at most 200 mg) an order may have.
        orders = [(dose, 0), (min(dose * 4, quantity(199.0, "mg")), 1)]
    else:
        drug, volume, duration = "zoledronic_acid", "50 mL", "1 h"
        orders = [("1 mg", 1)]
    for ordered, expected in orders:
        argv = ["check-order", str(path), "--drug", drug, "--volume", volume]
        argv += ["--dose", format_quantity(ordered) if not isinstance(ordered, str) else ordered]
        argv += ["--duration", duration, "--format", "json"]
        code, out, _ = _run(capsys, *argv)
        document = json.loads(out)
        _validate(document, "check-order")
        assert code == (0 if document["verdict"] == "within" else 1)
        if expected:
            assert document["verdict"] != "within"
