"""Built-in plugin: the national pediatric protocol ``nl-pediatric-iv-bp-2024``."""

from __future__ import annotations

from collections.abc import Sequence

from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.plugins import hookimpl
from bisphos.protocols import Protocol

__all__ = ["bisphos_register_protocols"]


@hookimpl
def bisphos_register_protocols() -> Sequence[Protocol]:
    """Register the national pediatric protocol."""
    return (PediatricProtocol(),)
