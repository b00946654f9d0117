"""Findings in the reader's language: message, action and evidence from the catalogue.

A finding's message id is its code, with the variant the code that made it chose where one code
has several wordings (:attr:`bisphos.findings.Finding.message_id`). The placeholders are filled
from the evidence: each evidence value under its name as a key (``labs.calcium`` becomes
``{labs_calcium}``, its limit ``{labs_calcium_limit}``), ``{missing}`` for the names of the
missing values, ``{rules}``, and the finding's own ``params`` (a list of sites, a whole age in
years, a label's source), which the code that made it derived. Nothing here decides: a
wording and every value come from the finding.

A finding whose code the catalogue does not hold (a local plugin's) keeps its own words: the
library never invents a translation.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import attrs

from bisphos.findings import Evidence, Finding
from bisphos.i18n._catalogue import has, text, word
from bisphos.i18n._values import Language, show, slug

__all__ = ["RETIRED_CODES", "LocalizedFinding", "evidence_text", "localize", "message_id_of"]

#: Finding codes the library no longer makes, whose texts the catalogue keeps so that decision
#: records made before still read in both languages: ``pamidronate-gfr-rate-limit`` (P-PAM-RENAL:
#: its warning and rate limit are part of ``pamidronate-renal-impairment``).
RETIRED_CODES: Final = frozenset({"pamidronate-gfr-rate-limit"})


@attrs.frozen
class LocalizedFinding:
    """A finding's texts in one language.

    Attributes:
        finding: The finding.
        lang: The language.
        message_id: The catalogue id of its message.
        message: The message.
        action: The action, or ``""``.
        evidence: Each piece of evidence as ``name: value (limit ...)``.
        from_catalogue: Whether the texts come from the catalogue (``False`` for a code the
            catalogue does not hold, or evidence a placeholder needs but the finding lacks: then
            the finding's own English words are shown).
    """

    finding: Finding
    lang: Language
    message_id: str
    message: str
    action: str
    evidence: tuple[str, ...]
    from_catalogue: bool


def evidence_text(evidence: Evidence, lang: Language) -> str:
    """Return one piece of evidence as ``name: value (limit ...)`` in ``lang``."""
    name = word("evidence", evidence.name, lang)
    value = evidence.value
    shown = word("value", value, lang) if isinstance(value, str) else show(value, lang)
    line = f"{name}: {shown}"
    if evidence.threshold is not None:
        threshold = evidence.threshold
        limit = (
            word("value", threshold, lang) if isinstance(threshold, str) else show(threshold, lang)
        )
        line += f" ({text('ui.limit', lang)} {limit})"
    return line


def _context(finding: Finding) -> dict[str, object]:
    values: dict[str, object] = {}
    for item in finding.evidence:
        key = slug(item.name)
        values.setdefault(key, item.value)
        if item.threshold is not None:
            values.setdefault(f"{key}_limit", item.threshold)
    values["missing"] = [item.name for item in finding.evidence if item.value == "missing"]
    values["rules"] = list(finding.rule_ids)
    values.update(finding.params)
    return values


def message_id_of(finding: Finding, *, on: dt.date | None = None) -> str:
    """Return the catalogue id of ``finding``'s message (its code, and variant if any).

    ``on`` is accepted for the callers that pass the assessment date; the finding carries
    every value its message names.
    """
    return finding.message_id


def localize(finding: Finding, lang: Language, *, on: dt.date | None = None) -> LocalizedFinding:
    """Return ``finding``'s message, action and evidence in ``lang``, from the catalogue.

    Args:
        finding: The finding.
        lang: The language.
        on: Accepted for the callers that pass the assessment date; unused, the finding
            carries every value its message names.
    """
    evidence = tuple(evidence_text(item, lang) for item in finding.evidence)
    message_id = finding.message_id
    action_id = f"{message_id}.action"
    own = LocalizedFinding(
        finding, lang, message_id, finding.message, finding.action, evidence, from_catalogue=False
    )
    if not has(message_id, lang) or (finding.action and not has(action_id, lang)):
        return own
    values = _context(finding)
    try:
        message = text(message_id, lang, **values)
        action = text(action_id, lang, **values) if finding.action else ""
    except (KeyError, ValueError, TypeError, IndexError):
        # Evidence a placeholder needs is absent (a finding built by other code): its own words.
        return own
    return LocalizedFinding(
        finding, lang, message_id, message, action, evidence, from_catalogue=True
    )
