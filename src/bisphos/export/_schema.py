"""The pieces the JSON Schemas of bisphos's documents share: dates, rule ids, strict objects.

Every document schema (the plan, the commands' documents, the oncology recommendation) builds its
objects with :func:`object_schema`, so that each lists all its properties as required and allows
no others, written once.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["DATE", "RULE_IDS", "TEXT", "nullable", "object_schema"]

#: An ISO calendar date (``YYYY-MM-DD``).
DATE: Final = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
#: A list of rule ids (``P-GFR``, ``O-LABEL`` ...).
RULE_IDS: Final = {
    "type": "array",
    "items": {"type": "string", "pattern": r"^[A-Z]+-[A-Za-z0-9-]+$"},
}
#: Any text.
TEXT: Final = {"type": "string"}


def object_schema(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An object with exactly ``properties``, every one required."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or ``null``."""
    return {"anyOf": [schema, {"type": "null"}]}
