"""The rule and invariant catalogue: the ids every finding, dose and date names.

Each protocol declares its rules as :class:`Rule` values (id, source sentence, our English
statement, our reading of any ambiguity) and the invariants they imply as :class:`Invariant`
values. Code names rule ids as strings; :func:`rule` looks one up and fails loudly on an unknown
id, and the tests check that every declared id is named by at least one test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from types import MappingProxyType

import attrs

from bisphos.errors import BisphosError

__all__ = ["Invariant", "Rule", "UnknownRuleError", "build_rules", "rule_maker", "unique_ids"]


class UnknownRuleError(BisphosError, KeyError):
    """A rule id is not in the catalogue."""


@attrs.frozen
class Rule:
    """One rule of a source document.

    Attributes:
        id: The catalogue id, e.g. ``"P-GFR"``.
        protocol: The protocol id it belongs to, e.g. ``"nl-pediatric-iv-bp-2024"``.
        section: The section of the source it stands in.
        statement: What the rule says, in our own English words.
        source: The phrase of the (Dutch) source it rests on, quoted briefly.
        reading: The reading bisphos takes where the source is ambiguous; empty when it is not.
    """

    id: str
    protocol: str
    section: str
    statement: str
    source: str
    reading: str = ""


@attrs.frozen
class Invariant:
    """A property that must hold for every input, verified by property tests.

    Attributes:
        number: Its number in the catalogue of its protocol.
        protocol: The protocol id.
        statement: The property, in words.
        rule_ids: The rules it follows from.
        tests: The property tests that verify it, as pytest node ids relative to the project
            root (``tests/pediatric/test_x.py::test_invariant_1_...``);
            :mod:`bisphos.traceability` checks that each exists and names the invariant.
    """

    number: int
    protocol: str
    statement: str
    rule_ids: tuple[str, ...]
    tests: tuple[str, ...] = ()


def build_rules(rules: Iterable[Rule]) -> Mapping[str, Rule]:
    """Return a read-only mapping of ``rules`` by id, refusing duplicate ids."""
    by_id: dict[str, Rule] = {}
    for item in rules:
        if item.id in by_id:
            raise BisphosError("duplicate rule id", field="id", value=item.id)
        by_id[item.id] = item
    return MappingProxyType(by_id)


def rule_maker(protocol: str) -> Callable[..., Rule]:
    """Return ``make(rule_id, section, statement, source, reading="")`` for one protocol's rules."""

    def make(rule_id: str, section: str, statement: str, source: str, reading: str = "") -> Rule:
        return Rule(
            id=rule_id,
            protocol=protocol,
            section=section,
            statement=statement,
            source=source,
            reading=reading,
        )

    return make


def unique_ids(*groups: Iterable[str]) -> tuple[str, ...]:
    """Return the rule ids of ``groups``, each once, in order of first appearance."""
    return tuple(dict.fromkeys(chain.from_iterable(groups)))
