"""Built-in plugin: the adult oncology protocol ``nl-oncology-bone-2016``.

The engine constructs the built-in protocols itself (:func:`protocol`), never from a hook; a
protocol registered under this id by a plugin is a :class:`~bisphos.errors.ProtocolConflictError`.
"""

from __future__ import annotations

from bisphos.oncology.protocol import OncologyProtocol
from bisphos.protocols import Protocol

__all__ = ["protocol"]


def protocol() -> Protocol:
    """Return the adult oncology protocol, constructed anew."""
    return OncologyProtocol()
