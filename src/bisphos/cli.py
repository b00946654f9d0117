"""The ``bisphos`` command line.

Exit codes: 0 a plan was made and nothing blocks today; 1 the plan is blocked today, not
indicated, out of scope or refused; 2 the input was invalid (problems are printed as
``path: problem`` lines, never as a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from bisphos._version import __version__
from bisphos.engine import default_engine
from bisphos.errors import BisphosError, PatientInputError
from bisphos.io import load_patient, patient_to_dict
from bisphos.model import Patient
from bisphos.report import render_plan

__all__ = ["main"]

EXIT_OK = 0
EXIT_NOT_CLEARED = 1
EXIT_INPUT_ERROR = 2


def _missing_for_decision(patient: Patient) -> list[str]:
    missing = [f"labs.{name}" for name in patient.labs.missing()]
    if patient.height is None:
        missing.append("height")
    if not patient.bmd:
        missing.append("bmd")
    return missing


def _show(patient: Patient) -> str:
    lines = [json.dumps(patient_to_dict(patient), indent=2, ensure_ascii=False)]
    missing = _missing_for_decision(patient)
    lines.append("missing for a decision: " + (", ".join(missing) if missing else "nothing"))
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bisphos", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"bisphos {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the parsed, normalised patient")
    show.add_argument("patient_file")
    plan = commands.add_parser("plan", help="plan the next infusions of a pediatric patient")
    plan.add_argument("patient_file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    arguments = _parser().parse_args(argv)
    try:
        patient = load_patient(arguments.patient_file)
    except PatientInputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT_ERROR
    if arguments.command == "show":
        print(_show(patient))
        return EXIT_OK
    try:
        plan = default_engine().plan(patient)
    except BisphosError as error:
        print(error, file=sys.stderr)
        return EXIT_INPUT_ERROR
    print(render_plan(plan))
    return EXIT_OK if plan.cleared_today else EXIT_NOT_CLEARED
