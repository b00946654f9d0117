"""The version of bisphos, kept in one place for the build and the provenance records."""

__version__ = "0.1.0"
