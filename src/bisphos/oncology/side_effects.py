"""The deck's side-effect lists (O-SE-BP, O-SE-DMAB, and radium-223's toxicity in O-RA223).

Data only: each entry has our English wording, the deck's Dutch phrase and its rule id, so a
recommendation can list the side effects of each option with their source.
"""

from __future__ import annotations

from typing import Final

import attrs

from bisphos.oncology.regimens import DrugClass, Regimen, Route

__all__ = [
    "BISPHOSPHONATE_SIDE_EFFECTS",
    "DENOSUMAB_SIDE_EFFECTS",
    "RADIUM_223_SIDE_EFFECTS",
    "SideEffect",
    "side_effects_of",
]


@attrs.frozen
class SideEffect:
    """One side effect as the deck lists it.

    Attributes:
        name: Our English wording.
        deck: The deck's Dutch phrase.
        rule_ids: The rule that lists it.
        oral_only: Listed for oral products only.
    """

    name: str
    deck: str
    rule_ids: tuple[str, ...]
    oral_only: bool = False


def _bp(name: str, deck: str, *, oral_only: bool = False) -> SideEffect:
    return SideEffect(name=name, deck=deck, rule_ids=("O-SE-BP",), oral_only=oral_only)


def _dmab(name: str, deck: str) -> SideEffect:
    return SideEffect(name=name, deck=deck, rule_ids=("O-SE-DMAB",))


#: Side effects of bisphosphonates (O-SE-BP).
BISPHOSPHONATE_SIDE_EFFECTS: Final = (
    _bp("flu-like symptoms", "Griepachtige verschijnselen"),
    _bp("hypophosphataemia", "Hypofosfatiemie"),
    _bp("headache", "Hoofdpijn"),
    _bp("bone pain, muscle pain", "Botpijn, spierpijn"),
    _bp(
        "renal insufficiency (with repeated dosing)",
        "Nierinsufficiëntie (bij herhaalde toediening)",
    ),
    _bp("hypersensitivity reactions", "Overgevoeligheidsreacties"),
    _bp("osteonecrosis of the jaw", "Osteonecrose van de kaak"),
    _bp("atypical femoral fractures", "Atypische femurfracturen"),
    _bp("hypocalcaemia", "Hypocalciemie"),
    _bp(
        "oesophageal ulcers (oral products, taken fasting)",
        "Bij de orale bisfosfonaten slokdarmulcera",
        oral_only=True,
    ),
)

#: Side effects of denosumab (O-SE-DMAB).
DENOSUMAB_SIDE_EFFECTS: Final = (
    _dmab("muscle and skeletal pain", "Spier- en skeletpijn"),
    _dmab(
        "dyspnoea (treatment of bone metastases)",
        "In geval van behandeling botmetastasen: kortademigheid",
    ),
    _dmab("cataract, abdominal complaints, constipation", "Cataract, buikklachten, obstipatie"),
    _dmab("osteonecrosis of the jaw", "Osteonecrose van de kaak"),
    _dmab("atypical femoral fractures", "Atypische femurfracturen"),
    _dmab("hypocalcaemia", "Hypocalciemie"),
    _dmab("flu-like symptoms", "Griepachtige verschijnselen"),
    _dmab("hypersensitivity reactions", "Overgevoeligheidsreacties"),
)

#: Toxicity of radium-223 (O-RA223).
RADIUM_223_SIDE_EFFECTS: Final = (
    SideEffect("haematological toxicity", "Toxiciteit: hematologisch", ("O-RA223",)),
    SideEffect("diarrhoea", "diarree", ("O-RA223",)),
)


def side_effects_of(regimen: Regimen) -> tuple[SideEffect, ...]:
    """Return the deck's side effects of ``regimen``'s drug class and route."""
    if regimen.drug_class is DrugClass.RANKL_ANTIBODY:
        return DENOSUMAB_SIDE_EFFECTS
    if regimen.drug_class is DrugClass.RADIOPHARMACEUTICAL:
        return RADIUM_223_SIDE_EFFECTS
    oral = regimen.route is Route.ORAL
    return tuple(item for item in BISPHOSPHONATE_SIDE_EFFECTS if oral or not item.oral_only)
