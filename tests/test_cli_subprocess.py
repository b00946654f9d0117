"""The console script as a user runs it: a representative few runs in a subprocess.

Most combinations are tested in-process (``tests/test_cli.py``); these check what only a real
process shows: the ``bisphos`` script and ``python -m bisphos`` exist, exit codes reach the
shell, bytes on stdout (CRLF calendars, UTF-8 Dutch), and no traceback on bad input.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from bisphos.export.plan_json import plan_schema

ROOT = Path(__file__).parent.parent
PATIENTS = ROOT / "examples" / "patients"


def bisphos(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bisphos", *argv], capture_output=True, check=False, timeout=60
    )


def test_readme_command_plans_the_example_and_exits_0() -> None:
    """P-ZOL-FIRST: README command (a) with the console script: 0.25 mg, ready today."""
    script = Path(sys.executable).parent / "bisphos"
    result = subprocess.run(
        [str(script), "plan", str(PATIENTS / "oi-girl-20kg.json")],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    out = result.stdout.decode("utf-8")
    assert "status: ready   drug: zoledronic acid" in out
    assert "dose 0.25 mg (0.0125 mg/kg x 20 kg)" in out
    assert result.stderr == b""


def test_blocked_plan_as_dutch_json_exits_1() -> None:
    """P-CI-FEVER, P-CI-HYPOCA: blocked today; the JSON is UTF-8 and valid."""
    result = bisphos(
        "plan", str(PATIENTS / "fever-and-low-calcium.json"), "--format", "json", "--lang", "nl"
    )
    assert result.returncode == 1
    document = json.loads(result.stdout.decode("utf-8"))
    jsonschema.Draft202012Validator(plan_schema()).validate(document)
    fever = next(f for f in document["findings"] if f["code"] == "fever")
    assert fever["text"]["message"] == "Temperatuur boven 38,5 °C: stel het infuus uit."


def test_calendar_bytes_end_every_line_with_crlf() -> None:
    result = bisphos("plan", str(PATIENTS / "oi-girl-20kg.json"), "--format", "ics")
    assert result.returncode == 0
    data = result.stdout
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "patient.json"
    path.write_text('{"weight": "20 KG"}', encoding="utf-8")
    result = bisphos("plan", str(path))
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert "weight: unit 'KG' is not accepted" in err
    assert "birth_date: is required" in err
    assert "Traceback" not in err
    assert result.stdout == b""
