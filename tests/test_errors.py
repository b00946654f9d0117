"""The one exception hierarchy."""

from __future__ import annotations

import inspect
import pickle

import pytest

from bisphos import errors
from bisphos.errors import BisphosError, InputError, PatientInputError, UnknownUnitError


def test_every_error_is_a_bisphos_error() -> None:
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__
    ]
    assert {c.__name__ for c in classes} == set(errors.__all__)
    assert all(issubclass(c, BisphosError) for c in classes)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.InputError, ValueError),
        (errors.UnitError, ValueError),
        (errors.ProtocolConflictError, ValueError),
        (errors.UnknownProtocolError, LookupError),
        (errors.HardLimitError, ArithmeticError),
    ],
)
def test_errors_that_match_a_builtin_subclass_it(cls: type[BisphosError], builtin: type) -> None:
    assert issubclass(cls, builtin)


def test_message_names_field_value_and_expectation() -> None:
    error = UnknownUnitError("unit 'cc' is not accepted", field="dose", value="5 cc", expected="mg")
    assert str(error) == "dose: unit 'cc' is not accepted; got '5 cc'; expected mg"
    moved = error.at("infusions[0]")
    assert moved.field == "infusions[0].dose"
    assert str(moved).startswith("infusions[0].dose: ")
    assert error.field == "dose"


def test_patient_input_error_lists_every_problem_and_pickles() -> None:
    problems = [InputError("bad", field="a"), InputError("worse", field="b", value=3)]
    error = PatientInputError(problems, source="p.json")
    assert str(error) == "2 problems in p.json:\n  a: bad\n  b: worse; got 3"
    clone = pickle.loads(pickle.dumps(error))
    assert [p.field for p in clone.problems] == ["a", "b"]
    assert clone.source == "p.json"
