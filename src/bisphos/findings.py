"""Findings: what a protocol says about a patient, each with its rule ids and evidence.

A finding is never a bare string. It carries a stable ``code`` for software, the rule ids it comes
from, a severity, a plain-language message, an optional action, and the values that triggered it
(with their units), each with its field path (:attr:`Evidence.path`). Where the code that
makes a finding chose one of several wordings, or derived values its message names beyond the
evidence (a whole age, a list of sites, a label's source), it says so in ``variant`` and
``params``: the message catalogue (:mod:`bisphos.i18n`) only writes what it is given, in the
reader's language. ``BLOCK`` findings stop an infusion today; ``WARN`` findings need attention;
``INFO`` findings are advice.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping
from typing import Final, TypeAlias

import attrs

from bisphos.units import Quantity, format_quantity, is_quantity

__all__ = [
    "FIELD_PATH",
    "Evidence",
    "EvidenceValue",
    "Finding",
    "MessageValue",
    "Severity",
    "blocking",
    "field_path",
    "rule_ids_of",
]

# A string alias, because ``Quantity`` is one too and ``|`` cannot combine strings at runtime.
#: What a piece of evidence may hold: a quantity, a date, a number without unit (a Z-score, a
#: count), a flag or a word.
EvidenceValue: TypeAlias = "Quantity | dt.date | float | int | bool | str"
#: What a message's placeholder may take: a value of evidence, or a tuple of them (a list).
MessageValue: TypeAlias = "EvidenceValue | tuple[EvidenceValue, ...]"


class Severity(enum.StrEnum):
    """How much a finding weighs: ``block`` stops today's infusion."""

    BLOCK = "block"
    WARN = "warn"
    INFO = "info"


#: A field path: dotted lower-case names with list indices, e.g. ``labs.creatinine``,
#: ``bmd[0].z_score``, ``vitals.heart_rate``.
FIELD_PATH: Final = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*|\[[0-9]+\])*\Z")
_NOT_NAME: Final = re.compile(r"[^a-z0-9]+")


def field_path(name: str) -> str:
    """Return the field path of evidence named ``name``.

    A name that is a field path already (``labs.creatinine``) is its own path; a value bisphos
    derives and names in words (``"albumin-corrected calcium"``) has those words in lower case
    joined by ``_`` (``albumin_corrected_calcium``), a leading digit kept behind ``_``.
    """
    if FIELD_PATH.match(name):
        return name
    words = _NOT_NAME.sub("_", name.lower()).strip("_") or "value"
    return f"_{words}" if words[0].isdigit() else words


# ``path`` not given: :func:`field_path` of the name, a field path by construction.
_DERIVED: Final = object()


@attrs.frozen(init=False)
class Evidence:
    """One value that triggered a finding, e.g. ``temperature = 38.9 degC``.

    Every item has the same three parts wherever it is shown: its field path (:attr:`path`,
    for software), its display label (the message catalogue's ``evidence.<name>`` in the
    reader's language, :func:`bisphos.i18n.evidence_label`) and its value with the limit.

    Attributes:
        name: What the value is: a field path, or a derived value's name in words; the key of
            its display label in the message catalogue.
        value: The value, with its unit where it has one.
        threshold: The limit it was compared with, when there is one.
        path: Where the value is: the input's field path (``labs.creatinine``,
            ``vitals.heart_rate``) or the derived value's (``albumin_corrected_calcium``); by
            default :func:`field_path` of the name.
    """

    name: str
    value: EvidenceValue
    threshold: EvidenceValue | None = None
    path: str = attrs.field(kw_only=True)

    def __init__(
        self,
        name: str,
        value: EvidenceValue,
        threshold: EvidenceValue | None = None,
        *,
        path: str = _DERIVED,  # type: ignore[assignment]
    ) -> None:
        """Make the evidence; a ``path`` given is checked, one derived is a field path already.

        Raises:
            ValueError: ``path`` is given and is not a field path.
        """
        if path is _DERIVED:
            path = field_path(name)
        elif type(path) is not str or not FIELD_PATH.match(path):
            msg = f"an evidence path is a field path such as labs.creatinine, not {path!r}"
            raise ValueError(msg)
        setattr_ = object.__setattr__
        setattr_(self, "name", name)
        setattr_(self, "value", value)
        setattr_(self, "threshold", threshold)
        setattr_(self, "path", path)

    def __str__(self) -> str:
        text = f"{self.name} = {_show(self.value)}"
        return text if self.threshold is None else f"{text} (limit {_show(self.threshold)})"


def _show(value: EvidenceValue) -> str:
    if is_quantity(value):
        return format_quantity(value)  # type: ignore[arg-type]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _rule_ids(value: Iterable[str]) -> tuple[str, ...]:
    ids = value if type(value) is tuple else tuple(value)
    if not ids:
        msg = "a finding names at least one rule id"
        raise ValueError(msg)
    return ids


def _evidence(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return value if type(value) is tuple else tuple(value)


def _params(
    value: Mapping[str, MessageValue] | Iterable[tuple[str, MessageValue]],
) -> tuple[tuple[str, MessageValue], ...]:
    if type(value) is tuple:
        return value
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in pairs)


def _severity(value: Severity | str) -> Severity:
    # A Severity passes as it is; calling the enum class costs more than the finding's other fields.
    return value if type(value) is Severity else Severity(value)


@attrs.frozen
class Finding:
    """One statement of a protocol about a patient.

    Attributes:
        code: Stable machine-readable name, e.g. ``"fever"`` or ``"gfr-too-low"``.
        rule_ids: The catalogue rules it comes from, e.g. ``("P-CI-FEVER",)``.
        severity: ``block``, ``warn`` or ``info``.
        message: What it means, in plain language.
        evidence: The values that triggered it, with units.
        action: What to do about it, if anything.
        variant: Which of the code's wordings applies (message id ``<code>:<variant>``), ``""``
            for the code's own.
        params: Values the message names beyond the evidence, by placeholder name, chosen by
            the code that made the finding (``(("age_years", 20),)``).
    """

    code: str
    rule_ids: tuple[str, ...] = attrs.field(converter=_rule_ids)
    severity: Severity = attrs.field(converter=_severity)
    message: str
    evidence: tuple[Evidence, ...] = attrs.field(default=(), converter=_evidence)
    action: str = ""
    variant: str = ""
    params: tuple[tuple[str, MessageValue], ...] = attrs.field(default=(), converter=_params)

    @property
    def message_id(self) -> str:
        """The catalogue id of the message: the code, with its variant if any."""
        return f"{self.code}:{self.variant}" if self.variant else self.code

    def __str__(self) -> str:
        values = "; ".join(str(e) for e in self.evidence)
        tail = f" [{values}]" if values else ""
        return f"{self.severity.upper()} {'/'.join(self.rule_ids)}: {self.message}{tail}"


def blocking(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Return the findings that block an infusion today."""
    return tuple(f for f in findings if f.severity is Severity.BLOCK)


def rule_ids_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    """Return the rule ids named by ``findings``, each once, in order of first appearance."""
    seen: dict[str, None] = {}
    for finding in findings:
        seen.update(dict.fromkeys(finding.rule_ids))
    return tuple(seen)
