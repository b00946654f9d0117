"""The rule catalogue of nl-oncology-bone-2016, and that every rule is verified by a test."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bisphos.catalogue import UnknownRuleError
from bisphos.oncology import PROTOCOL_ID, PROTOCOL_VERSION, RULES
from bisphos.oncology.rules import rule

_ID = re.compile(r"\bO-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
_CATALOGUE_IDS = (
    "O-CAT",
    "O-SE-BP",
    "O-SE-DMAB",
    "O-ONJ",
    "O-SRE-BREAST",
    "O-SRE-PROSTATE",
    "O-SRE-OTHER",
    "O-SRE-MM",
    "O-PREV-BREAST",
    "O-PREV-PROSTATE",
    "O-OP-GENERAL",
    "O-OP-BREAST",
    "O-OP-PROSTATE",
    "O-RA223",
    "O-RENAL",
    "O-DMAB-AGE",
    "O-EVIDENCE",
    "O-INTERVAL",
    "O-LABEL",
)


def _ids_named_by_tests() -> dict[str, list[str]]:
    named: dict[str, list[str]] = {}
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                for rule_id in _ID.findall(ast.get_docstring(node) or ""):
                    named.setdefault(rule_id, []).append(f"{path.name}::{node.name}")
    return named


def test_protocol_id_and_version() -> None:
    assert PROTOCOL_ID == "nl-oncology-bone-2016"
    assert PROTOCOL_VERSION == "1.1.0"


def test_every_catalogue_rule_is_declared() -> None:
    """Every O-rule of the shared catalogue is in RULES, plus O-SCOPE, which bisphos adds."""
    assert set(RULES) == {*_CATALOGUE_IDS, "O-SCOPE"}
    for rule_id, item in RULES.items():
        assert item.id == rule_id
        assert item.protocol == PROTOCOL_ID
        assert item.section
        assert item.statement
        assert item.source


def test_rule_lookup_refuses_unknown_ids() -> None:
    assert rule("O-RENAL").section.startswith("Veel gebruikte bisfosfonaten")
    with pytest.raises(UnknownRuleError) as caught:
        rule("O-NOPE")
    assert caught.value.field == "rule_id"
    assert caught.value.value == "O-NOPE"


def test_every_rule_is_named_by_a_test() -> None:
    """Every id in RULES is named in the docstring of at least one test of this package."""
    named = _ids_named_by_tests()
    assert sorted(set(RULES) - set(named)) == []


def test_tests_name_only_declared_rules() -> None:
    """A test docstring that names an O-id names one that exists: a misspelt id fails here."""
    assert sorted(set(_ids_named_by_tests()) - set(RULES)) == []
