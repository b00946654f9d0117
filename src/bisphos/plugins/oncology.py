"""Built-in plugin: the adult oncology protocol ``nl-oncology-bone-2016``."""

from __future__ import annotations

from collections.abc import Sequence

from bisphos.oncology.protocol import OncologyProtocol
from bisphos.plugins import hookimpl
from bisphos.protocols import Protocol

__all__ = ["bisphos_register_protocols"]


@hookimpl
def bisphos_register_protocols() -> Sequence[Protocol]:
    """Register the adult oncology protocol."""
    return (OncologyProtocol(),)
