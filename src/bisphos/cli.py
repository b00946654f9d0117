"""The ``bisphos`` command line.

Exit codes: 0 the command answered, 2 the input was invalid (problems are printed as
``path: problem`` lines, never as a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from bisphos._version import __version__
from bisphos.errors import PatientInputError
from bisphos.io import load_patient, patient_to_dict
from bisphos.model import Patient

__all__ = ["main"]

EXIT_OK = 0
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
    print(_show(patient))
    return EXIT_OK
