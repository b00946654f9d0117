"""Scaling of example counts with the active Hypothesis profile."""

from __future__ import annotations

from hypothesis import settings


def examples(factor: float = 1.0) -> int:
    """Return ``factor`` times the active profile's ``max_examples`` (at least 1)."""
    return max(1, round(settings().max_examples * factor))
