"""A Babel extractor for the English catalogue, the source of every message of bisphos.

Messages are keyed by id (``fever``, ``fever.action``, ``ui.date``), not by their English text,
so the English catalogue ``en/LC_MESSAGES/bisphos.po`` is where a message is written first. This
extractor reads it for ``pybabel extract`` (the mapping file ``babel.cfg`` names it), so that the
template ``bisphos.pot`` holds every id with its English text as an extracted comment, which
``pybabel update`` carries into each language's catalogue for its translators. The mapping's
Python section (:func:`extract_python`) adds the literal ids the source names in calls.

A plugin may use it for its own catalogues the same way (``docs/translation.md``).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Final

from babel.messages.pofile import read_po

__all__ = ["MESSAGE_CALLS", "extract_english", "extract_python"]

#: The functions whose first argument, a literal, is a message id.
MESSAGE_CALLS: Final = frozenset({"text", "message", "tr"})


def extract_english(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, object],
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield every message id of an English ``.po`` file, its English text as the comment.

    The signature is Babel's extractor interface: ``(lineno, funcname, message, comments)``
    per message, ``funcname`` empty (no call names it).
    """
    catalog = read_po(fileobj)
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        english = message.string if isinstance(message.string, str) else ""
        comments = [*message.auto_comments, f"en: {english}"]
        yield message.lineno or 0, "", message.id, comments


def extract_python(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, object],
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield the literal message ids a Python module names: ``text("ui.date", lang)``.

    Only a string literal as the first argument of a call to one of :data:`MESSAGE_CALLS`
    (by name or attribute) counts; an id built at run time (``text(f"drug.{drug}")``) is the
    English catalogue's to hold.
    """
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        callee = node.func
        name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
        first = node.args[0]
        if name in MESSAGE_CALLS and isinstance(first, ast.Constant) and type(first.value) is str:
            yield node.lineno, "", first.value, []
