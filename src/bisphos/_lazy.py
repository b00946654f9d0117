"""Names a package exports but imports only on first use (PEP 562).

A package keeps ``import bisphos.<package>`` cheap for code that needs one of its submodules: the
first access of an exported name imports the submodule that defines it, later accesses find the
name in the package's namespace. The exported names are written once, in the package's
``if TYPE_CHECKING:`` block (:func:`type_checking_imports`); the package's ``__all__`` is built
from it::

    if TYPE_CHECKING:
        from bisphos.engine import Engine as Engine

    _SOURCE: Final = _lazy.type_checking_imports(__file__)
    __all__: list[str] = []
    __all__.extend(_SOURCE)
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["load", "type_checking_imports"]


def type_checking_imports(path: str) -> dict[str, str]:
    """Map each name imported in the ``if TYPE_CHECKING:`` block of the module at ``path``.

    A package writes each exported name once, in that block, as ``from module import Name as
    Name`` (an explicit re-export, which type checkers read); the package's ``__all__`` and its
    lazy loader are this mapping, read once when the package is imported, so they cannot
    disagree with the block.
    """
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for item in node.body:
                if isinstance(item, ast.ImportFrom) and item.module is not None:
                    names.update({alias.asname or alias.name: item.module for alias in item.names})
    return names


def load(package: str, source: Mapping[str, str], namespace: dict[str, Any], name: str) -> object:
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
