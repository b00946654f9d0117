"""Built-in plugin: the national pediatric protocol ``nl-pediatric-iv-bp-2024``.

The engine constructs the built-in protocols itself (:func:`protocol`), never from a hook, so no
hook result — a hook wrapper's on ``bisphos_register_protocols`` included — can stand in for it:
a protocol registered under its id is a :class:`~bisphos.errors.ProtocolConflictError`.
"""

from __future__ import annotations

from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.protocols import Protocol

__all__ = ["protocol"]


def protocol() -> Protocol:
    """Return the national pediatric protocol, constructed anew."""
    return PediatricProtocol()
