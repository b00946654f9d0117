"""Names a package exports but imports only on first use (PEP 562).

A package keeps ``import bisphos.<package>`` cheap for code that needs one of its submodules: the
first access of an exported name imports the submodule that defines it, later accesses find the
name in the package's namespace.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["Sources", "load", "sources", "type_checking_imports"]


def sources(exports: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Map each exported name to the module that defines it, from ``{module: names}``."""
    return {name: module for module, names in exports.items() for name in names}


def type_checking_imports(path: str) -> dict[str, str]:
    """Map each name imported in the ``if TYPE_CHECKING:`` block of the module at ``path``.

    A package writes each exported name once, in that block (for type checkers); the lazy
    loader reads the same block, so the two cannot disagree.
    """
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for item in node.body:
                if isinstance(item, ast.ImportFrom) and item.module is not None:
                    names.update({alias.asname or alias.name: item.module for alias in item.names})
    return names


class Sources:
    """The module of each name a package imports in its ``TYPE_CHECKING`` block, read when asked.

    Each name is asked for once (:func:`load` keeps it in the package's namespace), so the block
    is read again for each first use rather than kept.

    Args:
        path: The package's ``__init__.py``.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def get(self, name: str) -> str | None:
        """The module that defines ``name``, or ``None``."""
        return type_checking_imports(self.path).get(name)


def load(
    package: str, source: Mapping[str, str] | Sources, namespace: dict[str, Any], name: str
) -> object:
    """Import ``name`` of ``package`` from its module, keep it in ``namespace`` and return it.

    Raises:
        AttributeError: ``package`` exports no such name.
    """
    module = source.get(name)
    if module is None:
        msg = f"module {package!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    namespace[name] = value
    return value
