"""The deck's trial figures as cited evidence (O-EVIDENCE)."""

from __future__ import annotations

from pint.testing import assert_allclose

from bisphos.oncology.evidence import EVIDENCE, evidence_for
from bisphos.oncology.rules import RULES
from bisphos.units import quantity


def _figure(evidence_id: str, name: str) -> object:
    (item,) = (entry for entry in EVIDENCE if entry.id == evidence_id)
    (figure,) = (f for f in item.figures if f.name == name)
    return figure.value


def test_o_evidence_headline_figures() -> None:
    """O-EVIDENCE: SREs reduced by one third versus placebo; 18 % fewer cumulative SREs with
    denosumab versus zoledronic acid (Fizazi 2011), first SRE 3.6 months later."""
    assert_allclose(
        _figure("bisphosphonates-vs-placebo", "reduction of the number of SREs versus placebo"),
        quantity(100 / 3, "percent"),
    )
    assert _figure(
        "denosumab-vs-zoledronic-acid-prostate", "reduction of cumulative SREs"
    ) == quantity(18.0, "percent")
    assert _figure("denosumab-vs-zoledronic-acid-prostate", "delay of the first SRE") == quantity(
        3.6, "month"
    )
    assert _figure(
        "osteonecrosis-of-the-jaw-incidence", "patients with osteonecrosis of the jaw"
    ) == quantity(1.6, "percent")


def test_o_evidence_ebctcg_figures() -> None:
    """O-EVIDENCE and O-PREV-BREAST: EBCTCG 2015, postmenopausal: 3.3 % lower absolute breast
    cancer mortality, 25 % relative reduction of bone metastases."""
    entry = "adjuvant-bisphosphonates-breast-postmenopausal"
    assert _figure(entry, "absolute reduction of breast cancer mortality") == quantity(
        3.3, "percent"
    )
    assert _figure(entry, "relative reduction of bone metastases") == quantity(25.0, "percent")


def test_o_evidence_entries_cite_and_name_rules() -> None:
    """O-EVIDENCE: every entry is cited under O-EVIDENCE and supports a declared rule."""
    assert len({entry.id for entry in EVIDENCE}) == len(EVIDENCE) == 12
    for entry in EVIDENCE:
        assert entry.rule_ids[0] == "O-EVIDENCE"
        assert len(entry.rule_ids) > 1
        assert set(entry.rule_ids) <= set(RULES)
        assert entry.citation
        assert entry.deck
    assert [entry.id for entry in evidence_for(["O-SRE-MM"])] == [
        "zoledronic-acid-vs-clodronate-myeloma"
    ]
    assert evidence_for(["O-EVIDENCE"]) == ()
