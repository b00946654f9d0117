"""Traceability: from a rule of the guideline to the code that names it and the tests of it.

:func:`build_matrix` reads the installed bisphos source and a tests directory with :mod:`ast`
(nothing is imported or run) and finds, for every rule of the built-in catalogues:

- the code that names its id: the innermost function or class whose text (docstring, string or
  f-string) holds the id, or the module, or a data file of the package;
- the tests that name it: test functions whose name or docstring holds the id, as pytest node ids;

and, for every invariant, the property tests listed in its ``tests`` and those that name it
("Invariant 4", ``test_invariant_1_2_...``), with the number of examples each runs under the
Hypothesis profiles of the tests' ``conftest.py``.

:meth:`TraceabilityMatrix.problems` lists what breaks the chain: a rule no test names, an id a
test or the code names that no catalogue declares, an invariant without a property test, a listed
test that does not exist, is not a property test, or does not name its invariant. The test suite
fails on any of them. The Markdown renderers feed the documentation and the command line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

import attrs

import bisphos
from bisphos.catalogue import Invariant, Rule
from bisphos.oncology.protocol import ONCOLOGY_INFO
from bisphos.pediatric.protocol import NATIONAL_INFO
from bisphos.protocols import ProtocolInfo

__all__ = [
    "CATALOGUE_MODULES",
    "RULE_ID",
    "InvariantTrace",
    "RuleTrace",
    "TestFunction",
    "TraceabilityMatrix",
    "build_matrix",
    "catalogues",
    "default_tests_dir",
    "find_rule_ids",
    "hypothesis_profiles",
    "invariants_markdown",
    "matrix_markdown",
    "rules_markdown",
    "scan_source",
    "scan_tests",
]

#: A rule id as the catalogues write them: ``P-GFR``, ``P-SCOPE-1``, ``P-FX-a``, ``O-RA223``.
#: Upper-case segments, optionally one final lower-case letter; prose such as "O-rule" is not one.
RULE_ID: Final = re.compile(r"(?<![\w-])[PO](?:-[A-Z0-9]+)+(?:-[a-z])?(?![\w-])")

#: The modules that declare the catalogues (and this one, which describes them): they name every
#: id by construction, so they are not counted as code that applies a rule.
CATALOGUE_MODULES: Final = (
    "bisphos.catalogue",
    "bisphos.pediatric.rules",
    "bisphos.oncology.rules",
    "bisphos.traceability",
)

_INVARIANT_REF: Final = re.compile(r"\binvariants?[ _]((?:\d+(?:, |,| and | & |_))*\d+)", re.I)
_DATA_SUFFIXES: Final = (".json", ".txt", ".toml")
_PROFILE_NAME: Final = "conftest.py"


def catalogues() -> tuple[ProtocolInfo, ...]:
    """Return the built-in protocols whose rules and invariants are traced."""
    return (NATIONAL_INFO, ONCOLOGY_INFO)


def find_rule_ids(text: str) -> tuple[str, ...]:
    """Return the rule ids written in ``text``, each once, in order of appearance."""
    return tuple(dict.fromkeys(RULE_ID.findall(text)))


def _invariant_numbers(text: str) -> tuple[int, ...]:
    numbers: dict[int, None] = {}
    for group in _INVARIANT_REF.findall(text):
        numbers.update(dict.fromkeys(int(n) for n in re.findall(r"\d+", group)))
    return tuple(numbers)


def default_tests_dir() -> Path | None:
    """Return the ``tests`` directory beside the source tree, when bisphos runs from a checkout."""
    candidate = Path(bisphos.__file__).resolve().parents[2] / "tests"
    return candidate if candidate.is_dir() else None


# --- the source ------------------------------------------------------------------------------


def _module_name(package_dir: Path, path: Path) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _strings(node: ast.AST) -> Iterator[str]:
    """The string constants directly in ``node``, not in nested functions or classes."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value
        stack.extend(ast.iter_child_nodes(child))


def _scopes(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """Every scope of a module with its qualified name (``""`` for the module itself)."""
    yield "", tree
    stack: list[tuple[str, ast.AST]] = [("", tree)]
    while stack:
        prefix, node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}.{child.name}" if prefix else child.name
                yield name, child
                stack.append((name, child))
            elif not isinstance(child, ast.expr):
                stack.append((prefix, child))


def scan_source(package_dir: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Return, for every rule id the bisphos source names, where: ``module:qualname`` or a file.

    The catalogue modules (:data:`CATALOGUE_MODULES`) are left out. Data files of the package
    (``.json``, ``.txt``, ``.toml``) count by their path, e.g. ``bisphos/oncology/regimens.json``.
    """
    root = Path(bisphos.__file__).resolve().parent if package_dir is None else package_dir
    found: dict[str, dict[str, None]] = {}
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        if path.suffix == ".py":
            module = _module_name(root, path)
            if module in CATALOGUE_MODULES:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for qualname, scope in _scopes(tree):
                where = f"{module}:{qualname}" if qualname else module
                for text in _strings(scope):
                    for rule_id in find_rule_ids(text):
                        found.setdefault(rule_id, {})[where] = None
        elif path.suffix in _DATA_SUFFIXES:
            where = path.relative_to(root.parent).as_posix()
            for rule_id in find_rule_ids(path.read_text(encoding="utf-8")):
                found.setdefault(rule_id, {})[where] = None
    return {rule_id: tuple(places) for rule_id, places in found.items()}


def _unknown(rule_id: str, known: set[str]) -> bool:
    """Whether ``rule_id`` is neither a declared id nor a family of them (``P-FX`` for P-FX-a)."""
    return rule_id not in known and not any(k.startswith(f"{rule_id}-") for k in known)


# --- the tests -------------------------------------------------------------------------------


@attrs.frozen
class TestFunction:
    """One test function and what it names.

    Attributes:
        node_id: The pytest node id relative to the project root, e.g.
            ``tests/pediatric/test_plan.py::test_blocked_plan_still_shows_the_course_and_its_blocks``.
        rule_ids: The rule ids its name or docstring names.
        invariants: The invariant numbers its name or docstring names.
        property_test: Whether it is a Hypothesis property test (decorated with ``@given``).
        examples_factor: For a property test, the factor applied to the profile's example count
            (``settings(max_examples=examples(0.1))`` gives 0.1), or ``None`` for a fixed count.
        fixed_examples: A fixed example count, when the test sets one.
    """

    __test__ = False  # not a pytest test class, despite its name

    node_id: str
    rule_ids: tuple[str, ...]
    invariants: tuple[int, ...]
    property_test: bool
    examples_factor: float | None = 1.0
    fixed_examples: int | None = None

    def examples(self, profile_examples: int) -> int | None:
        """Return how many examples it runs under a profile of ``profile_examples``."""
        if not self.property_test:
            return None
        if self.fixed_examples is not None:
            return self.fixed_examples
        return max(1, round(profile_examples * (self.examples_factor or 1.0)))


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else ""


def _examples_of(call: ast.Call) -> tuple[float | None, int | None] | None:
    """The examples a ``settings(...)`` call sets: (factor, None), (None, count), or None."""
    for keyword in call.keywords:
        if keyword.arg != "max_examples":
            continue
        value = keyword.value
        if isinstance(value, ast.Constant) and isinstance(value.value, int):
            return None, value.value
        if isinstance(value, ast.Call) and _decorator_name(value) == "examples":
            if not value.args:
                return 1.0, None
            argument = value.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, int | float):
                return float(argument.value), None
    return None


def _module_settings(tree: ast.Module) -> dict[str, ast.Call]:
    named: dict[str, ast.Call] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _decorator_name(node.value) == "settings"
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    named[target.id] = node.value
    return named


def _test_function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, node_id: str, named: Mapping[str, ast.Call]
) -> TestFunction:
    text = f"{node.name}\n{ast.get_docstring(node) or ''}"
    property_test = any(_decorator_name(d) == "given" for d in node.decorator_list)
    factor: float | None = 1.0
    fixed: int | None = None
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        if isinstance(decorator, ast.Name) and decorator.id in named:
            call = named[decorator.id]
        if call is not None and _decorator_name(call) == "settings":
            chosen = _examples_of(call)
            if chosen is not None:
                factor, fixed = chosen
    return TestFunction(
        node_id=node_id,
        rule_ids=find_rule_ids(text),
        invariants=_invariant_numbers(text),
        property_test=property_test,
        examples_factor=factor if property_test else None,
        fixed_examples=fixed if property_test else None,
    )


def scan_tests(tests_dir: Path) -> tuple[TestFunction, ...]:
    """Return every test function under ``tests_dir`` (``test_*.py`` files), in file order."""
    root = tests_dir.resolve().parent
    found: list[TestFunction] = []
    for path in sorted(tests_dir.resolve().rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        named = _module_settings(tree)
        prefix = path.relative_to(root).as_posix()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                found.append(_test_function(node, f"{prefix}::{node.name}", named))
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                for item in node.body:
                    if isinstance(
                        item, ast.FunctionDef | ast.AsyncFunctionDef
                    ) and item.name.startswith("test"):
                        node_id = f"{prefix}::{node.name}::{item.name}"
                        found.append(_test_function(item, node_id, named))
    return tuple(found)


def _evaluate(node: ast.expr, names: Mapping[str, int]) -> int | None:
    """Evaluate a small integer expression of ``conftest.py`` (numbers, names, + and *)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add):
        left, right = _evaluate(node.left, names), _evaluate(node.right, names)
        if left is None or right is None:
            return None
        return left * right if isinstance(node.op, ast.Mult) else left + right
    return None


def hypothesis_profiles(tests_dir: Path) -> dict[str, int]:
    """Return ``max_examples`` of each Hypothesis profile registered in the tests' conftest.py.

    The file is read, not imported: module-level integer constants and the ``max_examples`` of
    each ``settings.register_profile(name, ...)`` call are evaluated.
    """
    path = tests_dir / _PROFILE_NAME
    if not path.is_file():
        return {}
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: dict[str, int] = {}
    profiles: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            value = _evaluate(node.value, names)
            if isinstance(target, ast.Name) and value is not None:
                names[target.id] = value
        elif isinstance(node, ast.Call) and _decorator_name(node) == "register_profile":
            first = node.args[0] if node.args else None
            chosen = _examples_of(node)
            count = None
            for keyword in node.keywords:
                if keyword.arg == "max_examples":
                    count = _evaluate(keyword.value, names)
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if count is None and chosen is not None:
                    count = chosen[1]
                if count is not None:
                    profiles[first.value] = count
    return profiles


# --- the matrix ------------------------------------------------------------------------------


@attrs.frozen
class RuleTrace:
    """One rule with the code that names it and the tests that verify it.

    Attributes:
        rule: The rule.
        code: Where the source names it (``module:qualname``, a module, or a data file).
        tests: The node ids of the tests that name it.
    """

    rule: Rule
    code: tuple[str, ...]
    tests: tuple[str, ...]


@attrs.frozen
class InvariantTrace:
    """One invariant with the property tests that verify it.

    Attributes:
        invariant: The invariant.
        listed: The tests its ``tests`` attribute lists.
        also_named_by: Further tests that name it (example tests, or property tests not listed).
        examples: For each listed test, the examples it runs per profile name.
    """

    invariant: Invariant
    listed: tuple[str, ...]
    also_named_by: tuple[str, ...]
    examples: Mapping[str, Mapping[str, int | None]]


@attrs.frozen
class TraceabilityMatrix:
    """Rules to code to tests, invariants to property tests, and what breaks the chain.

    Attributes:
        rules: One trace per rule of every catalogue, in catalogue order.
        invariants: One trace per invariant of every catalogue.
        tests: Every test function found (empty when no tests directory was given).
        profiles: ``max_examples`` per Hypothesis profile.
        unknown_in_tests: Ids that tests name but no catalogue declares, with the tests.
        unknown_in_code: Ids that the source names but no catalogue declares, with the places.
        tests_scanned: Whether a tests directory was scanned.
    """

    rules: tuple[RuleTrace, ...]
    invariants: tuple[InvariantTrace, ...]
    tests: tuple[TestFunction, ...]
    profiles: Mapping[str, int]
    unknown_in_tests: Mapping[str, tuple[str, ...]]
    unknown_in_code: Mapping[str, tuple[str, ...]]
    tests_scanned: bool

    def problems(self) -> tuple[str, ...]:
        """Return every break in the chain, in words; empty when every link holds."""
        found = [
            f"rule {rule.rule.id} ({rule.rule.protocol}) is named nowhere in the source"
            for rule in self.rules
            if not rule.code
        ]
        for rule_id, places in self.unknown_in_code.items():
            found.append(f"the source names {rule_id}, which no catalogue declares: {places[0]}")
        if not self.tests_scanned:
            return (*found, "no tests directory was scanned")
        found += [
            f"rule {rule.rule.id} ({rule.rule.protocol}) is named by no test"
            for rule in self.rules
            if not rule.tests
        ]
        for rule_id, node_ids in self.unknown_in_tests.items():
            found += [
                f"{node_id} names {rule_id}, which no catalogue declares" for node_id in node_ids
            ]
        by_id = {test.node_id: test for test in self.tests}
        for trace in self.invariants:
            number = trace.invariant.number
            label = f"invariant {number} of {trace.invariant.protocol}"
            if not trace.listed:
                found.append(f"{label} lists no property test")
            for node_id in trace.listed:
                test = by_id.get(node_id)
                if test is None:
                    found.append(f"{label} lists {node_id}, which does not exist")
                elif not test.property_test:
                    found.append(f"{label} lists {node_id}, which is not a property test")
                elif number not in test.invariants:
                    found.append(f"{label} lists {node_id}, which does not name it")
        numbers = {trace.invariant.number for trace in self.invariants}
        for test in self.tests:
            for number in test.invariants:
                if numbers and number not in numbers:
                    found.append(f"{test.node_id} names invariant {number}, which does not exist")
        return tuple(found)


def _invariant_owner(test: TestFunction, infos: tuple[ProtocolInfo, ...]) -> str | None:
    """The protocol whose invariants a test's "invariant N" refers to."""
    with_invariants = [info for info in infos if info.invariants]
    for info in with_invariants:
        if set(test.rule_ids) & set(info.rules):
            return info.protocol_id
    others = {rule_id for info in infos for rule_id in info.rules}
    if with_invariants and not set(test.rule_ids) & others:
        return with_invariants[0].protocol_id
    return None


def build_matrix(
    *, tests_dir: Path | None = None, package_dir: Path | None = None
) -> TraceabilityMatrix:
    """Trace every rule and invariant of :func:`catalogues` through the source and the tests.

    Args:
        tests_dir: The tests directory; :func:`default_tests_dir` when ``None``. Without one (or
            when it does not exist), the matrix has code but no tests, and
            :meth:`TraceabilityMatrix.problems` says so.
        package_dir: The bisphos package directory; the installed one when ``None``.
    """
    tests_dir = default_tests_dir() if tests_dir is None else tests_dir
    if tests_dir is not None and not tests_dir.is_dir():
        tests_dir = None
    infos = catalogues()
    known = {rule_id for info in infos for rule_id in info.rules}
    code = scan_source(package_dir)
    tests = scan_tests(tests_dir) if tests_dir is not None else ()
    profiles = hypothesis_profiles(tests_dir) if tests_dir is not None else {}
    named: dict[str, list[str]] = {}
    for test in tests:
        for rule_id in test.rule_ids:
            named.setdefault(rule_id, []).append(test.node_id)
    rules = tuple(
        RuleTrace(rule=rule, code=code.get(rule.id, ()), tests=tuple(named.get(rule.id, ())))
        for info in infos
        for rule in info.rules.values()
    )
    by_id = {test.node_id: test for test in tests}
    invariant_traces = []
    for info in infos:
        for invariant in info.invariants:
            others = tuple(
                test.node_id
                for test in tests
                if invariant.number in test.invariants
                and test.node_id not in invariant.tests
                and _invariant_owner(test, infos) == info.protocol_id
            )
            examples = {
                node_id: {
                    name: by_id[node_id].examples(count) if node_id in by_id else None
                    for name, count in profiles.items()
                }
                for node_id in invariant.tests
            }
            invariant_traces.append(
                InvariantTrace(
                    invariant=invariant,
                    listed=invariant.tests,
                    also_named_by=others,
                    examples=examples,
                )
            )
    return TraceabilityMatrix(
        rules=rules,
        invariants=tuple(invariant_traces),
        tests=tests,
        profiles=profiles,
        unknown_in_tests={k: tuple(v) for k, v in sorted(named.items()) if _unknown(k, known)},
        unknown_in_code={k: v for k, v in sorted(code.items()) if _unknown(k, known)},
        tests_scanned=tests_dir is not None,
    )


# --- rendering -------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _codes(items: Iterable[str]) -> str:
    return "<br>".join(f"`{item}`" for item in items) or "—"


def rules_markdown(info: ProtocolInfo, *, links: bool = False) -> str:
    """Return a protocol's rules as Markdown: one section per rule with its four texts.

    Args:
        info: The protocol.
        links: Put a MyST target named by the rule id in lower case before each rule (for the
            documentation, where the matrix and the invariants link to it).
    """
    lines = [
        f"## {info.title}",
        "",
        (
            f"Protocol id `{info.protocol_id}`, version {info.version}. Source: {info.source}. "
            f"For {info.population}."
        ),
        "",
    ]
    section = None
    for rule in info.rules.values():
        if rule.section != section:
            section = rule.section
            lines += [f"### {section}", ""]
        lines += [f"({rule.id.lower()})="] if links else []
        lines += [
            f"#### {rule.id}",
            "",
            rule.statement,
            "",
            f"- **Source:** “{rule.source}”",
        ]
        if rule.reading:
            lines.append(f"- **Reading:** {rule.reading}")
        lines.append("")
    return "\n".join(lines)


def _profile_names(profiles: Mapping[str, int]) -> list[str]:
    preferred = [name for name in ("ci", "deep") if name in profiles]
    return preferred or sorted(profiles)


def invariants_markdown(matrix: TraceabilityMatrix, *, links: bool = False) -> str:
    """Return the invariants as Markdown: statement, rule ids, tests and examples per profile.

    Args:
        matrix: The matrix.
        links: Write rule ids as MyST cross-references to the protocol pages.
    """
    names = _profile_names(matrix.profiles)
    lines: list[str] = []
    for trace in matrix.invariants:
        invariant = trace.invariant
        rules = ", ".join(_rule_link(rule_id, links=links) for rule_id in invariant.rule_ids)
        lines += [
            f"## Invariant {invariant.number}",
            "",
            invariant.statement,
            "",
            f"- **Protocol:** `{invariant.protocol}`",
            f"- **Rules:** {rules or '—'}",
            "",
        ]
        if trace.listed:
            header = " | ".join(f"examples ({name})" for name in names)
            lines += [f"| Property test | {header} |", "|---|" + "---|" * len(names)]
            for node_id in trace.listed:
                counts = trace.examples.get(node_id, {})
                cells = " | ".join(_count(counts.get(name)) for name in names)
                lines.append(f"| `{node_id}` | {cells} |")
            lines.append("")
        if trace.also_named_by:
            lines += ["Also named by:", ""]
            lines += [f"- `{node_id}`" for node_id in trace.also_named_by]
            lines.append("")
    return "\n".join(lines)


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", " ")


def _rule_link(rule_id: str, *, links: bool) -> str:
    # In the documentation each rule has a target named by its id in lower case.
    return f"{{ref}}`{rule_id} <{rule_id.lower()}>`" if links else f"`{rule_id}`"


def matrix_markdown(matrix: TraceabilityMatrix, *, links: bool = False) -> str:
    """Return the rule → code → tests matrix as one Markdown table per protocol.

    Args:
        matrix: The matrix.
        links: Write each rule id as a MyST cross-reference to its section of the protocol page
            (for the documentation); plain code otherwise (for a terminal or a plain file).
    """
    lines: list[str] = []
    protocol = None
    for trace in matrix.rules:
        if trace.rule.protocol != protocol:
            protocol = trace.rule.protocol
            lines += [
                "",
                f"## `{protocol}`",
                "",
                "| Rule | Code | Tests |",
                "|---|---|---|",
            ]
        tests = trace.tests if matrix.tests_scanned else ("(tests not scanned)",)
        lines.append(
            f"| {_rule_link(trace.rule.id, links=links)} | {_codes(trace.code)} | {_codes(tests)} |"
        )
    return "\n".join(lines).lstrip("\n") + "\n"
