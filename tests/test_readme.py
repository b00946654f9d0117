"""The README's two commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_opens_with_two_commands() -> None:
    run, test = readme_commands()
    assert "bisphos" in run
    assert "examples/patients/" in run
    assert "pytest" in test
    assert "mypy --strict src tests" in test
    assert "ruff check src tests" in test


def test_ci_runs_the_readme_commands_word_for_word() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in readme_commands():
        assert command in ci
