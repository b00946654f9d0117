"""Test helpers for bisphos and for plugin authors (requires the ``tests`` extra)."""
