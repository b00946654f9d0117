"""The documentation site: its examples run, its generated pages cover the catalogues, and the
pages, the third-party list and the build configuration stay complete."""

from __future__ import annotations

import doctest
import importlib.util
import re
import tomllib
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

import pytest

import bisphos.engine
import bisphos.records
from bisphos.oncology.rules import RULES as ONCOLOGY_RULES
from bisphos.pediatric.rules import INVARIANTS, RULES
from bisphos.plugins import PROJECT_NAME
from bisphos.plugins.manager import BLOCK_ENV
from bisphos.schema import patient_schema

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
EXAMPLE_BLOCK = re.compile(r"^```pycon\n(.*?)^```$", re.MULTILINE | re.DOTALL)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def load_extension() -> ModuleType:
    """The docs' Sphinx extension, loaded from its file (it is not a package module)."""
    spec = importlib.util.spec_from_file_location("bisphos_docs", DOCS / "_ext" / "bisphos_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_examples(text: str, name: str) -> doctest.TestResults:
    """Run every ``pycon`` block of a page, in order, sharing one namespace like a session."""
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    namespace: dict[str, object] = {}
    for number, block in enumerate(EXAMPLE_BLOCK.findall(text)):
        test = parser.get_doctest(block, namespace, f"{name}[{number}]", name, 0)
        runner.run(test, clear_globs=False)
        namespace.update(test.globs)  # a DocTest works on a copy of the namespace
    return runner.summarize(verbose=False)


PAGES_WITH_EXAMPLES = [page for page in PAGES if EXAMPLE_BLOCK.search(page.read_text("utf-8"))]


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES, ids=lambda page: page.name)
def test_examples_in_the_pages_run_and_give_the_output_shown(
    page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quickstart's doses (P-ZOL-FIRST 0.25 mg for 20 kg), blocks (P-CI-FEVER), refusal
    (P-GFR) and the record and replay examples run as written, from the project root. The pages
    show the national protocol, so a hospital plugin installed alongside is blocked meanwhile."""
    monkeypatch.chdir(ROOT)
    installed = [point.name for point in entry_points(group=PROJECT_NAME)]
    monkeypatch.setenv(BLOCK_ENV, ",".join(installed))
    monkeypatch.setattr(bisphos.engine, "_DEFAULT", [])  # the default engine is built anew
    result = run_examples(page.read_text(encoding="utf-8"), page.name)
    assert result.failed == 0
    assert result.attempted > 0


def test_the_pages_with_examples_include_the_quickstart_and_the_records() -> None:
    assert {page.name for page in PAGES_WITH_EXAMPLES} >= {"quickstart.md", "records.md"}


def test_a_wrong_output_in_a_page_fails() -> None:
    page = "```pycon\n>>> 1 + 1\n3\n```\n"
    assert run_examples(page, "wrong.md").failed == 1


def test_docstring_examples_of_the_records_package_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(bisphos.records, optionflags=FLAGS)
    assert result.failed == 0
    assert result.attempted > 0


def test_every_page_is_in_the_table_of_contents() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^([a-z-]+)$", index, re.MULTILINE))
    assert {page.stem for page in PAGES} - {"index"} == listed


def test_generated_protocol_pages_give_every_rule_with_its_texts(tmp_path: Path) -> None:
    """Each rule of both catalogues appears with its id, section, statement, source and reading
    (P-GFR: exactly 90 is not above 90; O-SCOPE: 18 years)."""
    extension = load_extension()
    extension.write_pages(tmp_path)
    pediatric = (tmp_path / "protocol-nl-pediatric-iv-bp-2024.md").read_text(encoding="utf-8")
    oncology = (tmp_path / "protocol-nl-oncology-bone-2016.md").read_text(encoding="utf-8")
    for rules, text in ((RULES, pediatric), (ONCOLOGY_RULES, oncology)):
        for rule in rules.values():
            assert f"({rule.id.lower()})=\n#### {rule.id}\n" in text
            assert f"### {rule.section}\n" in text
            assert rule.statement in text
            assert rule.source in text
            assert rule.reading in text
    assert "Exactly 90 is not above 90" in pediatric


def test_generated_invariants_page_gives_tests_and_example_counts(tmp_path: Path) -> None:
    """Invariant 1 (P-ZOL-CAP, P-PAM-CAP) is verified with 500 examples in ci, 10 000 in deep."""
    extension = load_extension()
    extension.write_pages(tmp_path)
    text = (tmp_path / "invariants.md").read_text(encoding="utf-8")
    for invariant in INVARIANTS:
        assert f"## Invariant {invariant.number}\n\n{invariant.statement}" in text
        for node_id in invariant.tests:
            assert f"| `{node_id}` |" in text
    assert (
        "| `tests/pediatric/test_dosing_properties.py::test_invariant_1_dose_never_exceeds_daily_"
        "cap` | 500 | 10 000 |"
    ) in text
    assert (tmp_path / "problems.md").read_text(encoding="utf-8").startswith("None:")
    properties = (tmp_path / "properties.md").read_text(encoding="utf-8")
    assert "tests/oncology/test_properties.py::test_radium_activity_is_proportional_to_weight" in (
        properties
    )


def test_generated_schema_page_lists_every_field() -> None:
    text = load_extension().schema_markdown(patient_schema())
    for name in patient_schema()["properties"]:
        assert f"| `{name}` |" in text
    assert "| `labs.creatinine.value` | quantity (number and unit) | yes |" in text
    assert "| `fractures[].trauma` |" in text


def test_pages_are_rewritten_only_when_they_change(tmp_path: Path) -> None:
    extension = load_extension()
    assert extension.write_pages(tmp_path)
    assert extension.write_pages(tmp_path) == []


def _requirement_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += extra
    names = {re.split(r"[<>=!~\[ ]", item, maxsplit=1)[0].lower() for item in requirements}
    return names - {"bisphos"}


def test_third_party_page_lists_every_dependency_with_version_and_licence() -> None:
    text = (DOCS / "third-party.md").read_text(encoding="utf-8")
    rows = {
        match[0].lower(): (match[1], match[2])
        for match in re.findall(r"^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \|", text, re.MULTILINE)
    }
    names = _requirement_names()
    assert names >= {"attrs", "pint", "pluggy", "hypothesis", "sphinx", "furo", "myst-parser"}
    for name in names:
        assert name in rows, name
        version, licence = rows[name]
        assert re.fullmatch(r"\d+(\.\d+)+", version), name
        assert licence.strip(), name


def test_third_party_page_cites_the_issues_it_reviewed() -> None:
    """Pint's unit-parsing pitfalls are each tied to the bisphos test that guards them."""
    text = (DOCS / "third-party.md").read_text(encoding="utf-8")
    for cited in ("hgrecco/pint#793", "hgrecco/pint#1914", "pytest-dev/pluggy#125"):
        assert cited in text
    for node_id in re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text):
        path, name = node_id
        assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), node_id


def test_build_is_configured_with_warnings_as_errors_in_tox_and_ci() -> None:
    command = "sphinx -W --keep-going -b html docs docs/_build/html"
    assert f"sphinx-build {command.removeprefix('sphinx ')}" in (ROOT / "tox.ini").read_text(
        encoding="utf-8"
    )
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    tests_line = next(i for i, line in enumerate(ci) if "python -m pytest" in line)
    docs_line = next(i for i, line in enumerate(ci) if f"python -m {command}" in line)
    assert docs_line > tests_line
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    for extension in ("myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "bisphos_docs"):
        assert f'"{extension}"' in conf


def test_api_page_documents_the_public_modules() -> None:
    api = (DOCS / "api.md").read_text(encoding="utf-8")
    for module in (
        "bisphos",
        "bisphos.pediatric.plan",
        "bisphos.engine",
        "bisphos.plugins",
        "bisphos.units",
        "bisphos.quantities",
        "bisphos.errors",
        "bisphos.testing.strategies",
        "bisphos.provenance",
        "bisphos.records",
        "bisphos.traceability",
    ):
        assert f".. automodule:: {module}\n" in api
