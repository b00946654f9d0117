"""No float noise in what people read: every evidence value of every example patient's plan, in
the JSON plan and the text, in English and Dutch, is shown to its field's display precision.

The detector is this test's own: a quantity of evidence has at most 3 decimals (the 0.001 the
thresholds decide to; 4 for mg/kg and mg/mL), a plain number at most 6 significant digits, and
no text line of findings' values or of the ledger holds a number with more than 4 decimals or 7
significant digits (114.99999999999999 cm or 19.999999 kg would fail). The decision record keeps
the exact values (P-FRESH, P-GFR, P-LEDGER evidence among them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bisphos.engine import Engine
from bisphos.export.plan_json import plan_to_json
from bisphos.io import load_patient
from bisphos.records.plan import record
from bisphos.report import render_plan

PATIENTS = sorted(
    p for p in (Path(__file__).parents[1] / "examples" / "patients").iterdir() if p.is_file()
)
ENGINE = Engine.create(entry_points=False)
#: Decimals of a quantity of evidence, by unit; every other unit 3.
FINER = {"mg/kg": 4, "mg/mL": 4}
NUMBER = re.compile(r"(?<![\w.,])-?\d+(?:[.,](\d+))?")


def _decimals(value: float) -> int:
    text = repr(float(value))
    if "e" in text:
        return 99
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def _significant(value: float) -> int:
    digits = repr(abs(float(value))).replace(".", "").lstrip("0").rstrip("0")
    return 99 if "e" in digits else len(digits)


def _evidence(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for finding in document["findings"]:
        for item in finding["evidence"]:
            for key in ("value", "threshold"):
                if item[key] is not None:
                    yield f"{finding['code']}.{item['name']}.{key}", item[key]


def _noisy_json(document: dict[str, Any]) -> list[str]:
    found = []
    for where, typed in _evidence(document):
        value = typed["value"]
        if typed["type"] == "quantity" and _decimals(value) > FINER.get(typed["unit"], 3):
            found.append(f"{where}: {value} {typed['unit']}")
        if typed["type"] == "number" and isinstance(value, float) and _significant(value) > 6:
            found.append(f"{where}: {value}")
    return found


def _noisy_text(text: str) -> list[str]:
    words = ("values:", "waarden:", "mg/kg of", "mg/kg bij")
    found = []
    for line in text.splitlines():
        if not any(word in line for word in words):
            continue
        for match in NUMBER.finditer(line):
            decimals = match.group(1) or ""
            digits = match.group(0).lstrip("-").replace(".", "").replace(",", "").lstrip("0")
            if len(decimals) > 4 or len(digits) > 7:
                found.append(f"{match.group(0)} in {line.strip()}")
    return found


def test_the_detector_finds_the_noise_it_is_for() -> None:
    """The detector flags 114.99999999999999 cm and 19.999999 kg, and passes 115 and 20."""
    noisy = {"type": "quantity", "value": 114.99999999999999, "unit": "cm"}
    heavy = {"type": "quantity", "value": 19.999999, "unit": "kg"}
    clean = {"type": "quantity", "value": 115.0, "unit": "cm"}
    evidence = [{"name": n, "value": v, "threshold": None} for n, v in (("h", noisy), ("w", heavy))]
    assert len(_noisy_json({"findings": [{"code": "x", "evidence": evidence}]})) == 2
    ok = [{"name": "h", "value": clean, "threshold": None}]
    assert _noisy_json({"findings": [{"code": "x", "evidence": ok}]}) == []
    assert _noisy_text("    values: height: 114.99999999999999 cm") != []
    assert _noisy_text("    waarden: gewicht: 19,999999 kg") != []
    assert _noisy_text("    values: height: 115 cm; weight: 20 kg (limit 0.025 mg/kg)") == []


@pytest.mark.parametrize("path", PATIENTS, ids=[p.stem for p in PATIENTS])
def test_no_float_noise_in_the_evidence_people_read(path: Path) -> None:
    """Every example patient, JSON and text, English and Dutch: evidence and ledger numbers to
    their display precision; the decision record keeps the exact evidence."""
    plan = ENGINE.plan(load_patient(path))
    for lang in ("en", "nl"):
        assert _noisy_json(json.loads(plan_to_json(plan, lang))) == [], lang
        assert _noisy_text(render_plan(plan, lang)) == [], lang
    kept = json.dumps(record(plan)["result"]["findings"])
    exact = [
        repr(float(e.value.magnitude))
        for f in plan.findings
        for e in f.evidence
        if hasattr(e.value, "magnitude")
    ]
    assert all(number in kept for number in exact)
