"""A plugin's hostile text never breaks a decision record's replay or an output's encoding.

A finding's message, action, code and evidence and a dose proposal's reason come from plugin code
and go into every output and the decision record. A newline, NUL, carriage return, a lone
surrogate, a bidirectional override or a very long text made the record fail to read back
(``bisphos.records.plan.load_record`` reads every text as printable, at most 4000 characters)
or the output fail to encode. The engine keeps a plugin's text in canonical form
(:func:`bisphos.validation.canonical_text`): each such character written as its escape, a long
text cut; the record then replays byte for byte (P-HARD: nothing a plugin writes escapes).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.export.plan_json import plan_to_json
from bisphos.findings import Evidence, Finding, Severity
from bisphos.io import load_patient
from bisphos.pediatric.adjustments import DoseProposal
from bisphos.pediatric.dosing import Dose
from bisphos.plugins import hookimpl
from bisphos.records.plan import RECORD_LIMITS, record_json
from bisphos.records.replaying import replay
from bisphos.report import render_plan
from bisphos.validation import MAX_PLUGIN_TEXT_LENGTH, check_text
from tests._profiles import examples

GIRL = load_patient(Path(__file__).parents[1] / "examples" / "patients" / "oi-girl-20kg.json")

HOSTILE = {
    "newline": "first line\nsecond line",
    "nul": "before\x00after",
    "carriage-return": "status: ready\rblocked",
    "lone-surrogate": "broken \ud800 text",
    "bidi-override": "dose \u202e gm 04",
    "very-long": "x" * 50_000,
    "escape": "\x1b[31mred\x1b[0m",
}


class Writes:
    """A plugin whose finding and dose proposal carry ``text`` everywhere text goes."""

    def __init__(self, text: str) -> None:
        self.text = text

    @hookimpl
    def bisphos_extra_findings(self) -> Sequence[Finding]:
        text = self.text
        return (
            Finding(
                "local-note",
                ("P-HARD",),
                Severity.INFO,
                text,
                (Evidence("note", text), Evidence(text, 1.0, threshold=text)),
                action=text,
            ),
        )

    @hookimpl
    def bisphos_adjust_dose(self, dose: Dose) -> DoseProposal:
        return DoseProposal(self.text, dose.value * 0.9, self.text, reason_code=self.text)


def _judge(text: str) -> None:
    """Plan with the plugin; every output encodes, the record replays and its texts are plain."""
    engine = Engine.create(entry_points=False, plugins=[("writes", Writes(text))])
    plan = engine.plan(GIRL)
    stored = record_json(plan)
    stored.encode("utf-8")
    plan_to_json(plan, "en").encode("utf-8")
    for line in render_plan(plan, "nl").splitlines():
        line.encode("utf-8")
    report = replay(stored, engine=engine)
    assert not report.error
    assert report.identical, report.differences
    local = [f for f in plan.findings if f.code == "local-note"]
    assert len(local) == 1
    for shown in (local[0].message, local[0].action, *(a.reason for a in plan.adjustments)):
        assert len(shown) <= MAX_PLUGIN_TEXT_LENGTH <= RECORD_LIMITS.max_text
        check_text(shown, field="shown", max_length=RECORD_LIMITS.max_text)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_plugins_hostile_text_keeps_the_record_replayable(name: str) -> None:
    """A newline, NUL, CR, lone surrogate, bidi override, escape or 50 000 characters in a
    plugin's finding and proposal: the record replays byte for byte, every output encodes as
    UTF-8; the newline is kept visible as ``\\n``, the long text cut to 1000 characters."""
    text = HOSTILE[name]
    _judge(text)
    engine = Engine.create(entry_points=False, plugins=[("writes", Writes(text))])
    (local,) = [f for f in engine.plan(GIRL).findings if f.code == "local-note"]
    if name == "newline":
        assert local.message == "first line\\nsecond line"
    if name == "very-long":
        assert local.message == "x" * (MAX_PLUGIN_TEXT_LENGTH - 1) + "…"


@settings(max_examples=examples(0.1), deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_p_hard_any_plugin_text_keeps_the_record_replayable(text: str) -> None:
    """P-HARD: whatever text a plugin's finding and proposal carry (any code point, surrogates
    included), every output encodes and the decision record replays byte for byte."""
    _judge(text)
