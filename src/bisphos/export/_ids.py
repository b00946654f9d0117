"""Stable identifiers for exported entries: the same patient, date and kind give the same id.

A calendar or FHIR server that receives an updated plan then updates an entry instead of adding a
second one. Name-based UUIDs (version 5) in one namespace of bisphos; nothing random, no clock.
"""

from __future__ import annotations

import uuid
from typing import Final

__all__ = ["NAMESPACE", "stable_uuid"]

#: The namespace of every bisphos identifier.
NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://bisphos.invalid/")


def stable_uuid(*parts: str) -> str:
    """Return the UUID named by ``parts`` (joined with ``|``) in the bisphos namespace."""
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))
