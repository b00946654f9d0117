"""Write the FHIR Bundle of each example patient: ``python examples/fhir/make_bundles.py``.

Each file of ``examples/patients`` becomes ``examples/fhir/patients/<name>.bundle.json``, written
by :func:`bisphos.fhir.patient_to_bundle_json`; a test keeps them equal to what it writes now and
checks that each plans, byte for byte, as its patient file does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bisphos.fhir import patient_to_bundle_json
from bisphos.io import load_patient

EXAMPLES = Path(__file__).resolve().parent.parent / "patients"
OUT = Path(__file__).resolve().parent / "patients"


def bundle_path(patient_file: Path) -> Path:
    """The Bundle file of one example patient file."""
    return OUT / f"{patient_file.stem}.bundle.json"


def main() -> int:
    """Write every Bundle; return 0."""
    OUT.mkdir(exist_ok=True)
    for patient_file in sorted(EXAMPLES.glob("*.*")):
        text = patient_to_bundle_json(load_patient(patient_file))
        bundle_path(patient_file).write_text(text, encoding="utf-8")
        sys.stdout.write(f"{bundle_path(patient_file).name}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
