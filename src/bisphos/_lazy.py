"""Names a package exports but imports only on first use (PEP 562).

A package keeps ``import bisphos.<package>`` cheap for code that needs one of its submodules: the
first access of an exported name imports the submodule that defines it, later accesses find the
name in the package's namespace.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

__all__ = ["load", "sources"]


def sources(exports: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Map each exported name to the module that defines it, from ``{module: names}``."""
    return {name: module for module, names in exports.items() for name in names}


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
