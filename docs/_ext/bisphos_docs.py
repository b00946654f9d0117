"""Sphinx extension writing the pages generated from the code into ``docs/_generated/``.

When a build starts (``builder-inited``) it writes:

- ``schema.md``: the patient input fields, from :func:`bisphos.schema.patient_schema`;
- ``protocol-<id>.md``: every rule of each built-in catalogue (id, section, statement, source,
  reading), from :func:`bisphos.traceability.rules_markdown`;
- ``invariants.md``, ``properties.md`` and ``matrix.md``: the invariants with their property tests
  and example counts, the other property tests, and the rule → code → tests matrix, from
  :func:`bisphos.traceability.build_matrix` over the source and the ``tests`` directory.

A page is rewritten only when its text changes, so an unchanged build stays incremental. The
pages are included by the hand-written pages with MyST's ``{include}`` directive.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bisphos.schema import patient_schema
from bisphos.traceability import (
    TraceabilityMatrix,
    build_matrix,
    catalogues,
    invariants_markdown,
    matrix_markdown,
    rules_markdown,
)

DOCS = Path(__file__).resolve().parent.parent
GENERATED = DOCS / "_generated"
TESTS = DOCS.parent / "tests"
_QUANTITY_PATTERN_START = r"^\s*[+-"


def _type(spec: Mapping[str, Any]) -> str:
    if "const" in spec:
        return f"`{spec['const']}`"
    if "oneOf" in spec:
        return " or ".join(_type(option) for option in spec["oneOf"])
    kind = spec.get("type", "")
    if kind == "string" and spec.get("format") == "date":
        return "date (YYYY-MM-DD)"
    if kind == "string" and str(spec.get("pattern", "")).startswith(_QUANTITY_PATTERN_START):
        return "quantity (number and unit)"
    if kind == "string" and "enum" in spec:
        return "one of " + ", ".join(f"`{value}`" for value in spec["enum"])
    if kind == "number" and "minimum" in spec:
        return f"number from {spec['minimum']} to {spec['maximum']}"
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if kind == "object":
        return "object"
    return str(kind)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rows(spec: Mapping[str, Any], path: str, required: bool, rows: list[str]) -> None:
    description = str(spec.get("description", ""))
    if path:
        mark = "yes" if required else ""
        rows.append(f"| `{path}` | {_cell(_type(spec))} | {mark} | {_cell(description)} |")
    objects = [spec]
    if spec.get("type") == "array":
        objects = [spec.get("items", {})]
        path = f"{path}[]"
    objects += [option for option in spec.get("oneOf", []) if option.get("type") == "object"]
    for item in objects:
        needed = set(item.get("required", ()))
        for name, child in item.get("properties", {}).items():
            child_path = f"{path}.{name}" if path else name
            _rows(child, child_path, name in needed, rows)


def schema_markdown(schema: Mapping[str, Any]) -> str:
    """Return the patient schema as one Markdown table: field path, type, required, meaning."""
    rows = ["| Field | Type | Required | Description |", "|---|---|---|---|"]
    _rows(schema, "", required=True, rows=rows)
    return "\n".join(rows) + "\n"


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", " ")


def _properties_markdown(matrix: TraceabilityMatrix) -> str:
    """The property tests that are not listed under an invariant, with their rules and examples."""
    listed = {node_id for trace in matrix.invariants for node_id in trace.listed}
    names = [name for name in ("ci", "deep") if name in matrix.profiles]
    header = " | ".join(f"examples ({name})" for name in names)
    lines = [f"| Property test | Rules | {header} |", "|---|---|" + "---|" * len(names)]
    for test in matrix.tests:
        if not test.property_test or test.node_id in listed:
            continue
        counts = " | ".join(_count(test.examples(matrix.profiles[name])) for name in names)
        rules = ", ".join(f"`{rule_id}`" for rule_id in test.rule_ids) or "—"
        lines.append(f"| `{test.node_id}` | {rules} | {counts} |")
    return "\n".join(lines) + "\n"


def generate() -> dict[str, str]:
    """Return every generated page by file name."""
    matrix = build_matrix(tests_dir=TESTS if TESTS.is_dir() else None)
    pages = {
        "schema.md": schema_markdown(patient_schema()),
        "invariants.md": invariants_markdown(matrix, links=True),
        "properties.md": _properties_markdown(matrix),
        "matrix.md": matrix_markdown(matrix, links=True),
    }
    for info in catalogues():
        pages[f"protocol-{info.protocol_id}.md"] = rules_markdown(info, links=True)
    problems = matrix.problems()
    pages["problems.md"] = (
        "\n".join(f"- {problem}" for problem in problems) + "\n"
        if problems
        else "None: every rule has code and tests, and every invariant has property tests.\n"
    )
    return pages


def write_pages(directory: Path = GENERATED) -> list[Path]:
    """Write the generated pages into ``directory``; return the files whose text changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in generate().items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def _on_builder_inited(app: Any) -> None:
    write_pages()


def setup(app: Any) -> dict[str, Any]:
    """Register the page generation with Sphinx."""
    app.connect("builder-inited", _on_builder_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
