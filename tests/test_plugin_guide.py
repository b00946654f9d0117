"""The plugin authoring guide, docs/plugins.md, against the hook specifications and the example."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bisphos.plugins import hookspecs

ROOT = Path(__file__).parent.parent
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "examples" / "hospital-plugin"


def specs() -> list[tuple[str, Callable[..., object], dict[str, object]]]:
    """Every hook specification of bisphos, with its pluggy options."""
    found: list[tuple[str, Callable[..., object], dict[str, object]]] = []
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        options = getattr(function, "bisphos_spec", None)
        if options is not None:
            found.append((name, function, options))
    return found


def section(name: str) -> str:
    """The guide's section of hook ``name``: from its heading to the next heading."""
    match = re.search(rf"^### {name}\(.*?(?=^##)", GUIDE, flags=re.M | re.S)
    assert match, f"no section for {name}"
    return match.group(0)


def test_every_hook_specification_is_found() -> None:
    assert {name for name, _, _ in specs()} == set(hookspecs.__all__) - {"hookspec"}


@pytest.mark.parametrize(("name", "function", "options"), specs(), ids=lambda v: str(v)[:40])
def test_each_hook_has_a_heading_that_is_its_signature(
    name: str, function: Callable[..., object], options: dict[str, object]
) -> None:
    """A hook of bisphos.plugins.hookspecs missing from the guide fails here."""
    arguments = ", ".join(inspect.signature(function).parameters)
    assert f"\n### {name}({arguments})\n" in GUIDE


@pytest.mark.parametrize(("name", "function", "options"), specs(), ids=lambda v: str(v)[:40])
def test_each_hook_says_what_it_receives_returns_and_refuses(
    name: str, function: Callable[..., object], options: dict[str, object]
) -> None:
    text = section(name)
    for label in ("**Receives**", "**Returns**", "**firstresult**", "**Refused**"):
        assert label in text
    first = "yes" if options.get("firstresult") else "no"
    assert f"**firstresult**: {first}" in text


def test_the_guide_shows_the_flow_and_the_limits() -> None:
    """P-ZOL-CAP, P-PAM-CAP, P-GFR, P-CI-*: the mermaid flow and the soft/hard limit table."""
    assert "```mermaid\nflowchart" in GUIDE
    for step in ("Assessment", "bisphos_adjust_dose", "Hard limits, last", "Plan:"):
        assert step in GUIDE
    table = GUIDE[GUIDE.index("| Limit | Kind |") :]
    for rule in ("P-ZOL-CAP", "P-PAM-CAP", "P-GFR", "P-CI-FEVER", "P-CI-HYPOCA", "P-PRE-VITD"):
        assert rule in table
    assert "| hard |" in table
    assert "| soft |" in table


def test_packaging_blocking_and_testing_are_described() -> None:
    for needle in (
        "[project.entry-points.bisphos]",
        "BISPHOS_DISABLE_PLUGINS",
        "bisphos_engine_factory",
        "bisphos_example_patients",
        "PluginInvariants",
        "bisphos-ci",
    ):
        assert needle in GUIDE


def code_blocks() -> list[tuple[str, str]]:
    """The guide's Python and TOML blocks: (first line, the rest)."""
    blocks = re.findall(r"```(?:python|toml)\n(.*?)```", GUIDE, flags=re.S)
    return [(block.split("\n", 1)[0], block.split("\n", 1)[1]) for block in blocks]


@pytest.mark.parametrize(("source", "code"), code_blocks(), ids=lambda v: str(v)[:60])
def test_code_examples_are_taken_from_the_example_plugin(source: str, code: str) -> None:
    """Each block names its file of the example plugin and is in it word for word."""
    assert source.startswith("# examples/hospital-plugin/"), source
    path = ROOT / source.removeprefix("# ")
    assert path.is_file(), path
    assert code in path.read_text(encoding="utf-8")


def test_the_example_plugin_is_complete() -> None:
    """The example package has its own pyproject (entry point group bisphos), README and tests."""
    pyproject = (EXAMPLE / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.bisphos]\numc = "umc_bisphos.plugin:plugin"' in pyproject
    assert 'build-backend = "hatchling.build"' in pyproject
    assert (EXAMPLE / "README.md").is_file()
    assert (EXAMPLE / "tests" / "test_invariants.py").is_file()
