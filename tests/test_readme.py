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


def test_the_python_example_plans_through_the_front_door() -> None:
    """P-ZOL-FIRST, P-ZOL-DOSE: the README's Python example runs and plans the 20 kg girl
    0.25, 0.5 and 1 mg zoledronic acid through ``bisphos.plan``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.+?)\n```", text, re.S)[0]
    namespace: dict[str, object] = {}
    exec(compile(code.replace("examples/", f"{ROOT}/examples/"), "README", "exec"), namespace)
    plan = namespace["plan"]
    assert str(plan.status) == "ready"  # type: ignore[attr-defined]
    doses = [float(i.dose.value.m_as("mg")) for i in plan.infusions[:3]]  # type: ignore[attr-defined]
    assert doses == [0.25, 0.5, 1.0]
    assert len(namespace["later"].infusions) == 2  # type: ignore[attr-defined]


def test_every_exported_name_is_written_once() -> None:
    """The names of ``bisphos``, ``bisphos.export`` and ``bisphos.oncology`` are their
    ``TYPE_CHECKING`` imports, each an explicit re-export (``Name as Name``, which mypy reads),
    and ``__all__`` is exactly those names, in the order written: the lazy loader reads the same
    block, and nothing else lists them."""
    import ast
    import importlib

    import bisphos
    from bisphos._lazy import type_checking_imports

    for package in ("bisphos", "bisphos.export", "bisphos.oncology"):
        module = importlib.import_module(package)
        path = module.__file__
        assert path is not None
        names = type_checking_imports(path)
        assert module.__all__ == list(names), package
        assert len(names) >= 7, package
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        texts = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
        assert not texts & set(names), f"{package}: a name written again as text"
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                for alias in node.names:
                    if alias.name in names:
                        assert alias.asname == alias.name, f"{package}.{alias.name}"
    assert "__version__" in bisphos.__all__
    assert bisphos.plan.__module__ == "bisphos._front"
