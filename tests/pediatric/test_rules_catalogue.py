"""The pediatric rule catalogue: every rule id is declared once, tested, and only declared ids are
named by tests (P-SCOPE-1 .. P-FU-CENTRE, invariants 1 to 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bisphos.catalogue import Rule, UnknownRuleError, build_rules
from bisphos.errors import BisphosError
from bisphos.pediatric.rules import (
    DECISION_RULE_IDS,
    INVARIANTS,
    PROTOCOL_ID,
    PROTOCOL_VERSION,
    RULES,
    rule,
)

TESTS = Path(__file__).resolve().parents[1]
# A rule id, not a family written with a wildcard ("P-MON-*").
RULE_ID = re.compile(r"\bP-[A-Z]+(?:-[A-Za-z0-9]+)*\b(?!-\*)")

#: Every id of the catalogue's P section, in its order (the December 2026 readings within their
#: sections, the readings of the course as a whole after the follow-up).
CATALOGUE_IDS = (
    "P-SCOPE-1",
    "P-IND-A",
    "P-IND-GENE",
    "P-IND-RECOVERY",
    "P-IND-B",
    "P-FX-a",
    "P-FX-b",
    "P-FX-c",
    "P-BMD",
    "P-CI-FEVER",
    "P-CI-HYPOCA",
    "P-CI-ALLERGY",
    "P-CI-RENAL",
    "P-CI-PREG",
    "P-PRE-LABS",
    "P-PRE-VITD",
    "P-PRE-CA",
    "P-GFR",
    "P-PRE-DXA",
    "P-SUPP-VITD",
    "P-SUPP-CA",
    "P-MON-CHECKS",
    "P-MON-CALL",
    "P-MON-HYPOCA",
    "P-ZOL-DOSE",
    "P-ZOL-CAP",
    "P-ZOL-FREQ",
    "P-ZOL-FIRST",
    "P-ZOL-COMPL",
    "P-ZOL-LOW",
    "P-ZOL-SECOND",
    "P-HUNGRY",
    "P-PAM-DOSE",
    "P-PAM-CAP",
    "P-PAM-FREQ",
    "P-PAM-FIRST",
    "P-MAINT-ENTRY",
    "P-MAINT-BAND",
    "P-MAINT-PROMPT",
    "P-MAINT-MID",
    "P-MAINT-HIGH",
    "P-MAINT-STOP",
    "P-FU-DXA",
    "P-FU-LABS",
    "P-FU-CENTRE",
    "P-HARD",
    "P-GFR-LOCAL",
    "P-HIST-INTERVAL",
    "P-FRESH",
    "P-WEIGHT-PLAUSIBLE",
    "P-PAM-RENAL",
    "P-PAM-LABEL",
    "P-OVERRIDE",
    "P-FX-RECENT",
    "P-SE-ACUTE",
    "P-LONGTERM",
    "P-HUNGRY-CA",
    "P-TURNOVER-PROMPT",
    "P-DRUG-CONTINUITY",
    "P-CI-PERMANENT",
    "P-PREP-PRODUCT",
    "P-LEDGER",
)


def _ids_named_in_tests() -> dict[str, set[str]]:
    """Return each P-… id named in the test sources, with the files that name it."""
    named: dict[str, set[str]] = {}
    for path in TESTS.rglob("*.py"):
        for rule_id in RULE_ID.findall(path.read_text(encoding="utf-8")):
            named.setdefault(rule_id, set()).add(path.relative_to(TESTS).as_posix())
    return named


def test_rules_are_the_catalogues_p_section_in_order() -> None:
    """Every P-… id of the catalogue is declared, in catalogue order, and no other."""
    assert tuple(RULES) == CATALOGUE_IDS


def test_decision_rule_ids_are_the_decision_sections() -> None:
    """P-SCOPE-1 .. P-MON-HYPOCA: the decisions cover Scope to During the infusion."""
    assert CATALOGUE_IDS[: CATALOGUE_IDS.index("P-MON-HYPOCA") + 1] == DECISION_RULE_IDS
    sections = {RULES[rule_id].section for rule_id in DECISION_RULE_IDS}
    assert sections == {
        "Scope",
        "Indication",
        "Contraindications",
        "Before the first infusion",
        "During the infusion",
    }


@pytest.mark.parametrize("rule_id", CATALOGUE_IDS)
def test_each_rule_is_complete(rule_id: str) -> None:
    """Each rule names the protocol, a section, our statement and the Dutch phrase it rests on."""
    item = RULES[rule_id]
    assert item.id == rule_id
    assert item.protocol == PROTOCOL_ID == "nl-pediatric-iv-bp-2024"
    assert item.section
    assert item.statement.endswith(".")
    assert len(item.source) >= 10
    assert rule(rule_id) is item


@pytest.mark.parametrize(
    ("rule_id", "words"),
    [
        ("P-SCOPE-1", "younger than 19"),
        ("P-FX-b", "10th birthday no longer counts"),
        ("P-FX-c", "high-energy trauma never count"),
        ("P-BMD", "exactly -2.0 is reduced"),
        ("P-CI-FEVER", "Exactly 38.5 °C is not above"),
        ("P-CI-HYPOCA", "never clears"),
        ("P-PRE-VITD", "blocks the first infusion"),
        ("P-GFR", "Exactly 90 is not above 90"),
        ("P-MON-CALL", "Exactly 20 % from baseline is not more than 20 %"),
        ("P-ZOL-CAP", "hard limit"),
        ("P-PAM-FIRST", "at most 45 mg"),
        ("P-HUNGRY", "never a quarter of an already reduced first dose"),
        ("P-MAINT-MID", "-2 < Z ≤ 0"),
        ("P-ZOL-LOW", "on or after it the regular dose"),
        ("P-ZOL-SECOND", "the hard limit of the first two infusions of the drug holds"),
        ("P-MAINT-BAND", "older than 18 months"),
        ("P-MAINT-ENTRY", "unless the request carries a clinician's override"),
        ("P-HIST-INTERVAL", "never shortens the interval"),
        ("P-CI-PERMANENT", "to be cleared on its day"),
        ("P-LEDGER", "Shown, not enforced"),
    ],
)
def test_readings_state_the_catalogues_decisions(rule_id: str, words: str) -> None:
    """The reading of each ambiguous rule states the catalogue's Decision."""
    assert words in RULES[rule_id].reading


def test_protocol_version_is_the_source_date() -> None:
    """P-SCOPE-1: the version names the guideline's version date, May 2024."""
    assert PROTOCOL_VERSION.startswith("2024.05")


def test_unknown_rule_id_is_refused() -> None:
    """An id outside the catalogue is a typed error, and a duplicate id is refused."""
    with pytest.raises(UnknownRuleError, match="P-NOPE"):
        rule("P-NOPE")
    duplicate = Rule(id="P-GFR", protocol=PROTOCOL_ID, section="x", statement="x.", source="x")
    with pytest.raises(BisphosError, match="duplicate"):
        build_rules([RULES["P-GFR"], duplicate])


def test_invariants_are_numbered_in_order_and_name_known_rules() -> None:
    """The nine invariants of the catalogue and those of the later readings, numbered 1, 2, ...
    without a gap, each naming existing rule ids."""
    assert [i.number for i in INVARIANTS] == list(range(1, len(INVARIANTS) + 1))
    assert len(INVARIANTS) >= 19
    for invariant in INVARIANTS:
        assert invariant.protocol == PROTOCOL_ID
        assert set(invariant.rule_ids) <= set(RULES)
    assert INVARIANTS[3].rule_ids == ("P-GFR", "P-CI-RENAL")
    assert "GFR" in INVARIANTS[3].statement
    assert "units" in INVARIANTS[6].statement


def test_every_decision_rule_is_named_by_a_test() -> None:
    """Every id of DECISION_RULE_IDS is named by at least one test file other than this one."""
    named = _ids_named_in_tests()
    this = Path(__file__).name
    untested = [
        rule_id
        for rule_id in DECISION_RULE_IDS
        if not named.get(rule_id, set()) - {f"pediatric/{this}"}
    ]
    assert untested == []


def test_every_p_id_named_in_tests_exists() -> None:
    """Every P-… id a test names is a rule of the catalogue (no typo, no invented id); this file
    names an unknown id on purpose and is left out."""
    this = f"pediatric/{Path(__file__).name}"
    unknown = {
        rule_id: files - {this}
        for rule_id, files in _ids_named_in_tests().items()
        if rule_id not in RULES and files - {this}
    }
    assert unknown == {}
