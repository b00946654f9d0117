"""No user-facing English sentence in ``src/`` outside the message catalogues (a grep, by AST).

The detector reads every module of ``src/bisphos`` and finds the English sentences written where
a reader sees them: what the command line prints (``print``, ``_print``, ``_out``, a stream's
``write``) and what a renderer puts on a line of its output (``lines.append(...)``,
``lines += [...]``, a ``text`` or ``summary`` or ``description`` it assigns) in the renderer
modules. A literal is an English sentence when it holds three words or more and one of the
English words of :data:`ENGLISH`. Catalogue calls (``text("ui.x", lang, ...)``) hold ids, not
sentences, and pass.

Allowed, and why (docs/translation.md, "What stays English"):

- docstrings, comments, log records;
- error messages (``raise SomethingError("...", field=..., expected=...)``): typed errors for
  software and for the command line's standard error, each naming the field, the value and what
  was expected, in English;
- the command line's help (``help=``, a command's summary): the reference is generated from it
  in English;
- the library's own English message and action of a finding (``Finding(message=..., action=...)``)
  and the English of an order's judgement: data for software and decision records, which the
  English catalogue reproduces word for word (``tests/test_i18n.py`` checks every finding of the
  corpus); a reader sees the catalogue's words in their language;
- :data:`ALLOWED_LINES`: the places listed there, each with its reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "src" / "bisphos"

#: Words that make a run of words an English sentence.
ENGLISH = re.compile(
    r"\b(the|and|with|is|are|of|for|to|not|no|be|than|on|in|at|by|from|after|before|every|may|"
    r"written|missing|nothing)\b"
)
_WORDS = re.compile(r"[A-Za-z]{2,}")
#: The renderer modules: what they write is read by a clinician.
RENDERERS = frozenset(
    {
        "report.py",
        "oncology/report.py",
        "oncology/calendar.py",
        "oncology/fhir.py",
        "export/ical.py",
        "export/fhir.py",
        "orders.py",
        "records/replaying.py",
        "records/signing.py",
        "service/cards.py",
        "service/orders.py",
    }
)
#: The calls whose arguments the command line prints.
PRINTS = frozenset({"print", "_print", "_out", "write"})
#: English written on purpose where a reader sees it: (module, start of the text) and why.
ALLOWED_LINES: dict[tuple[str, str], str] = {
    ("audit/command.py", "\r{} of {} administrations"): "the audit's progress on standard error",
}
#: Modules whose output is English only, each with why; they have no language yet (the issue's
#: closing note lists them): a new module here is a decision, not an accident.
ENGLISH_ONLY_MODULES: dict[str, str] = {
    "service/cards.py": "CDS Hooks cards: English, the service has no language setting yet",
    "service/orders.py": "CDS Hooks order cards: English, as the service's other cards",
}


def _literal(node: ast.expr) -> str | None:
    """The text of a string literal or f-string, its holes as ``{}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else "{}"
            for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        if left is not None or right is not None:
            return (left or "{}") + (right or "{}")
    return None


def is_english_sentence(text: str) -> bool:
    """Three words or more, one of them an English word of :data:`ENGLISH` (an id, one token
    such as ``order.no-infusion-planned``, is not a sentence)."""
    plain = re.sub(r"\{[^}]*\}", " ", text)
    if " " not in plain.strip():
        return False
    return len(_WORDS.findall(plain)) >= 3 and bool(ENGLISH.search(plain))


def _strings(node: ast.AST) -> Iterator[tuple[int, str]]:
    """The literals inside ``node``, skipping catalogue calls (their first argument is an id)."""
    if isinstance(node, ast.Call):
        callee = node.func
        name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
        if name.endswith("Error"):  # an error's message, made or returned to be raised: allowed
            return
        if name in {"text", "word", "printable", "join", "dumps"}:
            for argument in node.args[1:]:
                yield from _strings(argument)
            for keyword in node.keywords:
                yield from _strings(keyword.value)
            return
    if isinstance(node, ast.expr):
        literal = _literal(node)
        if literal is not None:
            yield node.lineno, literal
            return
    for child in ast.iter_child_nodes(node):
        yield from _strings(child)


def _shown(tree: ast.AST, renderer: bool) -> Iterator[tuple[int, str]]:
    """The literals a reader sees: printed, or put on an output line by a renderer."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = node.func
            name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
            if name in PRINTS or (renderer and name in {"append", "insert", "add"}):
                for argument in node.args:
                    yield from _strings(argument)
        elif renderer and isinstance(node, ast.AugAssign | ast.Return):
            if node.value is not None:
                yield from _strings(node.value)
        elif renderer and isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(t in {"summary", "description", "line", "head", "message"} for t in targets):
                yield from _strings(node.value)


def english_in_source() -> list[str]:
    """Every user-facing English sentence of ``src/bisphos``, as ``module:line: text``."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        module = path.relative_to(SOURCE).as_posix()
        if module in ENGLISH_ONLY_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, literal in _shown(tree, module in RENDERERS):
            if not is_english_sentence(literal):
                continue
            if any(module == m and literal.startswith(start) for m, start in ALLOWED_LINES):
                continue
            found.append(f"{module}:{line}: {literal}")
    return found


def test_the_detector_sees_an_english_sentence_and_passes_ids_and_dutch() -> None:
    assert is_english_sentence("missing for a decision: {}")
    assert is_english_sentence("  the protocol would give {} in {} over {}")
    assert not is_english_sentence("ui.missing-for-decision")
    assert not is_english_sentence("ontbreekt voor een besluit: {}")
    source = 'print("missing for a decision: " + x)\nprint(text("ui.x", lang, a="no more"))'
    # The id is not scanned, a value given to the template is.
    shown = [literal for _, literal in _shown(ast.parse(source), renderer=False)]
    assert shown == ["missing for a decision: {}", "no more"]
    # An error made to be raised holds the library's English message (allowed), in a renderer too.
    made = 'return InvalidValueError("not a key for the record", field=f)\nline = "no key at all"'
    assert [literal for _, literal in _shown(ast.parse(made), renderer=True)] == ["no key at all"]


def test_no_user_facing_english_sentence_outside_the_catalogues() -> None:
    assert english_in_source() == []


def test_the_english_only_modules_still_write_english() -> None:
    """Each entry of the allowance is needed: a module translated since leaves the list."""
    for module in ENGLISH_ONLY_MODULES:
        tree = ast.parse((SOURCE / module).read_text(encoding="utf-8"))
        assert any(is_english_sentence(literal) for _, literal in _shown(tree, renderer=True))
