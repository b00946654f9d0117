"""Determinism: the same input gives the same assessment and course, byte for byte.

The design asks that the same input, protocol version and plugins give identical output, so a
stored decision can be replayed. The results are compared through a canonical JSON form (every
attrs value with its type name, quantities written with ``format_quantity``, floats with
``repr``, sets sorted), across repeated runs in one process, across fresh interpreters with
different hash seeds (set and dict order must not leak into a decision), and across threads.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import cast

import attrs
import pint
import pytest

from bisphos.errors import BisphosError
from bisphos.io import load_patient
from bisphos.model import Drug, Patient
from bisphos.pediatric.assessment import assess
from bisphos.pediatric.schedule import Horizon, plan_course
from bisphos.units import format_quantity, is_quantity

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.*"))


def canonical(value: object) -> object:
    """Return ``value`` as plain JSON data whose text does not depend on the process."""
    if attrs.has(type(value)):
        fields = attrs.fields(cast("type[attrs.AttrsInstance]", type(value)))
        return {"__type__": type(value).__qualname__} | {
            field.name: canonical(getattr(value, field.name)) for field in fields
        }
    if is_quantity(value):
        return format_quantity(value)  # type: ignore[arg-type]
    if isinstance(value, pint.Unit):
        return str(value)
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(canonical(item), sort_keys=True) for item in value)
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in value.items()}
    if value is None or isinstance(value, (str, int)):
        return value
    msg = f"no canonical form for {type(value).__name__}"
    raise TypeError(msg)


def to_json(value: object) -> str:
    """Return the canonical JSON text of ``value``."""
    return json.dumps(canonical(value), sort_keys=True, ensure_ascii=False)


def _outcome(call: Callable[[], object]) -> object:
    """The result of ``call``, or its BisphosError (type and text) when it refuses."""
    try:
        return call()
    except BisphosError as error:
        return {"error": type(error).__name__, "message": str(error)}


def _course(patient: Patient, drug: Drug, infusions: int) -> object:
    return _outcome(lambda: plan_course(patient, drug, horizon=Horizon(infusions=infusions)))


def decisions(patient: Patient) -> dict[str, object]:
    """Every decision for ``patient``: the assessment and a course of each drug."""
    return {
        "assessment": _outcome(lambda: assess(patient)),
        **{f"course-{drug.value}": _course(patient, drug, 4) for drug in Drug},
    }


@cache
def _patients() -> tuple[Patient, ...]:
    return tuple(load_patient(path) for path in EXAMPLES)


@cache
def report() -> str:
    """The canonical JSON of every example patient's decisions, one line per patient."""
    return "\n".join(
        f"{path.name}\t{to_json(decisions(patient))}"
        for path, patient in zip(EXAMPLES, _patients(), strict=True)
    )


def test_examples_cover_assessments_and_courses() -> None:
    """The report covers at least 20 example patients, with assessments, doses and refusals."""
    text = report()
    assert len(text.splitlines()) == len(EXAMPLES) >= 20
    assert '"__type__": "Assessment"' in text
    assert '"__type__": "PlannedInfusion"' in text
    assert '"P-ZOL-CAP"' in text


def test_canonical_form_refuses_unknown_types() -> None:
    """The canonical form names what it cannot write instead of guessing."""
    with pytest.raises(TypeError, match=r"^no canonical form for object$"):
        canonical(object())


def test_repeated_runs_in_one_process_are_identical() -> None:
    """Three runs over every example, the last on patients loaded again from their files, give
    the same canonical JSON and the same repr."""
    runs = [_patients(), _patients(), tuple(load_patient(path) for path in EXAMPLES)]
    first_json: list[str] = []
    first_repr: list[str] = []
    for run, patients in enumerate(runs):
        results = [decisions(patient) for patient in patients]
        texts = [to_json(result) for result in results]
        reprs = [repr(result) for result in results]
        if run == 0:
            first_json, first_repr = texts, reprs
        assert texts == first_json
        assert reprs == first_repr


_SCRIPT = "from tests.test_determinism import report; import sys; sys.stdout.write(report())"


def _fresh_process(hash_seed: str) -> str:
    environment = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONIOENCODING="utf-8")
    completed = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=120,
    )
    return completed.stdout


def test_two_fresh_processes_with_different_hash_seeds_agree() -> None:
    """The same decisions, byte for byte, in two new interpreters with hash seeds 0 and 4242
    (no decision depends on set or dict order), and equal to this process's."""
    first = _fresh_process("0")
    second = _fresh_process("4242")
    assert first == second
    assert first == report()


def test_concurrent_threads_give_identical_decisions() -> None:
    """8 threads x 20 assessments and courses each: every result equals the sequential one."""
    patients = _patients()
    drugs = tuple(Drug)

    def key(index: int) -> tuple[int, int]:
        return index % len(patients), index % len(drugs)

    def decide(which: tuple[int, int]) -> str:
        patient, drug = patients[which[0]], drugs[which[1]]
        assessment = _outcome(lambda: assess(patient))
        return to_json([assessment, _course(patient, drug, 3)])

    expected = {which: decide(which) for which in sorted({key(index) for index in range(160)})}

    def work(thread: int) -> list[tuple[int, str]]:
        return [(index, decide(key(index))) for index in range(thread * 20, thread * 20 + 20)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = [item for batch in pool.map(work, range(8)) for item in batch]
    assert len(outcomes) == 160
    for index, text in outcomes:
        assert text == expected[key(index)]
