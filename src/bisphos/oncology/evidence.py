"""The deck's trial figures, carried as cited evidence (O-EVIDENCE).

Each entry quotes one slide: our English statement, the deck's Dutch phrase, the citation the
slide gives (or the deck itself where the slide cites none), and the figures as quantities
(percentages, months). Recommendations attach the entries whose rule ids they apply. The figures
are information for the clinician; no rule decides on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import attrs

from bisphos.findings import Evidence
from bisphos.units import quantity

__all__ = ["DECK_CITATION", "EVIDENCE", "CitedEvidence", "evidence_for"]

#: The deck itself, for slides that cite no study.
DECK_CITATION: Final = "Medicamenteuze opties bij botmetastasen, slide deck, 20 December 2016"


@attrs.frozen
class CitedEvidence:
    """One cited result of the deck.

    Attributes:
        id: Stable id, e.g. ``"denosumab-vs-zoledronic-acid-prostate"``.
        rule_ids: ``O-EVIDENCE`` and the rules the result supports.
        statement: The result, in our English words.
        deck: The deck's Dutch phrase.
        citation: The study the slide cites.
        figures: The figures, with units.
    """

    id: str
    rule_ids: tuple[str, ...]
    statement: str
    deck: str
    citation: str
    figures: tuple[Evidence, ...] = ()


def _percent(name: str, value: float) -> Evidence:
    return Evidence(name, quantity(value, "percent"))


def _months(name: str, value: float) -> Evidence:
    return Evidence(name, quantity(value, "month"))


#: Every cited result of the deck, in the order of the slides.
EVIDENCE: Final = (
    CitedEvidence(
        "bisphosphonates-vs-placebo",
        ("O-EVIDENCE", "O-SRE-BREAST", "O-SRE-PROSTATE", "O-SRE-OTHER"),
        "Bisphosphonates reduce the number of SREs by one third versus placebo, delay the first "
        "SRE by 50 % and reduce the number of patients with an SRE.",
        "afname aantal SRE's met 1/3 t.o.v. placebo; uitstellen optreden 1e SRE met 50%",
        DECK_CITATION,
        (
            _percent("reduction of the number of SREs versus placebo", 100 / 3),
            _percent("delay of the first SRE", 50.0),
        ),
    ),
    CitedEvidence(
        "zoledronic-acid-vs-pamidronate-breast",
        ("O-EVIDENCE", "O-SRE-BREAST"),
        "Breast cancer: zoledronic acid gives 20 % extra relative risk reduction versus "
        "pamidronate, with a shorter infusion (15 minutes versus 2 hours).",
        "Zoledroninezuur: 20% extra relatief risicoreductie t.o.v. pamidronaat",
        "Rosen et al. Cancer 2003; 98 (8)",
        (
            _percent("extra relative risk reduction versus pamidronate", 20.0),
            Evidence("infusion time zoledronic acid", quantity(15.0, "minute")),
            Evidence("infusion time pamidronate", quantity(2.0, "hour")),
        ),
    ),
    CitedEvidence(
        "denosumab-vs-zoledronic-acid-breast",
        ("O-EVIDENCE", "O-SRE-BREAST"),
        "Breast cancer: denosumab versus zoledronic acid delays the first SRE longer, delays pain "
        "progression by 4 months and reduces subsequent SREs; no difference in overall survival, "
        "disease progression or adverse events.",
        "Denosumab vs zoledroninezuur: langer uitstel tot optreden 1e SRE, 4 maanden uitstel "
        "progressie pijn",
        "Stopeck et al. JCO 2010; 28 (35); Cleeland et al. Cancer 2013",
        (_months("delay of pain progression", 4.0),),
    ),
    CitedEvidence(
        "zoledronic-acid-prostate",
        ("O-EVIDENCE", "O-SRE-PROSTATE"),
        "Prostate cancer: zoledronic acid is the only bisphosphonate with a significant reduction "
        "of SREs, an overall relative risk reduction of 36 %, and less bone pain at every time "
        "point.",
        "Zoledroninezuur: enige bisfosfonaat met significante reductie SRE's. Overall relatief "
        "risico reductie SRE 36%",
        DECK_CITATION,
        (_percent("relative risk reduction of SREs", 36.0),),
    ),
    CitedEvidence(
        "denosumab-vs-zoledronic-acid-prostate",
        ("O-EVIDENCE", "O-SRE-PROSTATE"),
        "Prostate cancer: denosumab versus zoledronic acid delays the first SRE by 3.6 months "
        "and gives 18 % fewer cumulative SREs; no difference in progression-free or overall "
        "survival.",
        "Denosumab vs. zoledroninezuur: uitstel 1e SRE 3,6 maanden. 18% reductie cumulatief "
        "aantal SRE's",
        "Fizazi et al. Lancet 2011; 377",
        (
            _months("delay of the first SRE", 3.6),
            _percent("reduction of cumulative SREs", 18.0),
        ),
    ),
    CitedEvidence(
        "bisphosphonates-other-solid-tumours",
        ("O-EVIDENCE", "O-SRE-OTHER"),
        "Other solid tumours: bisphosphonates reduce hypercalcaemia, pain and the number of "
        "vertebral fractures.",
        "Bisfosfonaten: reductie van optreden hypercalciëmie, pijn en aantal vertebrale fracturen",
        DECK_CITATION,
    ),
    CitedEvidence(
        "zoledronic-acid-vs-clodronate-myeloma",
        ("O-EVIDENCE", "O-SRE-MM"),
        "Multiple myeloma: zoledronic acid added to first-line treatment, versus clodronate, "
        "lowers mortality by 16 % and lengthens median overall survival by 5.5 months and median "
        "progression-free survival by 2 months. Denosumab is not registered for myeloma but may "
        "be an alternative.",
        "t.o.v. clodronaat: risicoreductie van mortaliteit van 16%, ↑ mediane OS 5,5 maand, "
        "↑ mediane PFS 2 maanden",
        "Morgan et al. Lancet 2010; 376; Hageman et al. Ann Pharmacother 2013; 47",
        (
            _percent("mortality risk reduction versus clodronate", 16.0),
            _months("gain in median overall survival", 5.5),
            _months("gain in median progression-free survival", 2.0),
        ),
    ),
    CitedEvidence(
        "adjuvant-bisphosphonates-breast",
        ("O-EVIDENCE", "O-PREV-BREAST"),
        "Adjuvant bisphosphonates: breast cancer mortality 1.8 % lower in absolute terms (16.6 % "
        "versus 18.4 %, 9 % relative), bone metastases 1.2 % lower (7.8 % versus 9.0 %, 13 % "
        "relative).",
        "1,8% lager absoluut risico op borstkanker mortaliteit; 1,2 % lager absoluut risico op "
        "botmetastasen",
        "EBCTCG Lancet 2015; 386",
        (
            _percent("absolute reduction of breast cancer mortality", 1.8),
            _percent("relative reduction of breast cancer mortality", 9.0),
            _percent("absolute reduction of bone metastases", 1.2),
            _percent("relative reduction of bone metastases", 13.0),
        ),
    ),
    CitedEvidence(
        "adjuvant-bisphosphonates-breast-postmenopausal",
        ("O-EVIDENCE", "O-PREV-BREAST"),
        "Postmenopausal women: breast cancer mortality 3.3 % lower in absolute terms (14.7 % "
        "versus 18.0 %, 18.3 % relative), bone metastases 2.2 % lower (6.6 % versus 8.8 %, 25 % "
        "relative).",
        "Met name postmenopauzaal: 3,3% lager absoluut risico op borstkanker mortaliteit",
        "EBCTCG Lancet 2015; 386",
        (
            _percent("absolute reduction of breast cancer mortality", 3.3),
            _percent("relative reduction of breast cancer mortality", 18.3),
            _percent("absolute reduction of bone metastases", 2.2),
            _percent("relative reduction of bone metastases", 25.0),
        ),
    ),
    CitedEvidence(
        "denosumab-metastasis-free-survival-prostate",
        ("O-EVIDENCE", "O-PREV-PROSTATE"),
        "Prostate cancer: denosumab lengthens bone-metastasis-free survival by 4 months and the "
        "time to the first symptomatic bone metastasis.",
        "Denosumab leidt tot 4 maanden toename ossaal metastase-vrije overleving",
        DECK_CITATION,
        (_months("gain in bone-metastasis-free survival", 4.0),),
    ),
    CitedEvidence(
        "osteonecrosis-of-the-jaw-incidence",
        ("O-EVIDENCE", "O-ONJ"),
        "Osteonecrosis of the jaw occurred in about 1.6 % of patients in the three phase III "
        "trials of denosumab versus zoledronic acid, with both drugs.",
        "Ca. 1,6% van de patiënten in de 3 fase III trials denosumab vs. zoledroninezuur",
        DECK_CITATION,
        (_percent("patients with osteonecrosis of the jaw", 1.6),),
    ),
    CitedEvidence(
        "radium-223",
        ("O-EVIDENCE", "O-RA223"),
        "Radium-223: 5 % reduction in SREs as the deck states it, first SRE delayed by 5.8 months; "
        "less radiotherapy, spinal cord compression and pain; no difference in pathological "
        "fractures and surgery.",
        "5% reductie in SRE's, uitstel tot 1e SRE 5,8 maanden",
        DECK_CITATION,
        (
            _percent("reduction in SREs", 5.0),
            _months("delay of the first SRE", 5.8),
        ),
    ),
)


def evidence_for(rule_ids: Iterable[str]) -> tuple[CitedEvidence, ...]:
    """Return the cited results supporting any of ``rule_ids``, in slide order."""
    wanted = set(rule_ids)
    return tuple(item for item in EVIDENCE if wanted.intersection(item.rule_ids[1:]))
