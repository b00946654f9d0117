"""The product labels' restrictions that are stricter than the deck (O-LABEL, O-INTERVAL).

The deck (December 2016) makes the recommendations; where a current product label is stricter,
its restriction applies. Each :class:`LabelRestriction` names the label or regulatory decision
and its year, and carries the deck's own statement beside it, so a clinician sees both. The
figures the protocol computes with (rates, volumes, the withhold rule) are constants here, each
once, with the restriction they come from.
"""

from __future__ import annotations

from typing import Final

import attrs

from bisphos.oncology.regimens import Drug

__all__ = [
    "LABEL_RESTRICTIONS",
    "PAMIDRONATE_BONE_METASTASES_HOURS",
    "PAMIDRONATE_BONE_METASTASES_ML",
    "PAMIDRONATE_MAX_CONCENTRATION_MG_ML",
    "PAMIDRONATE_MAX_MG",
    "PAMIDRONATE_MAX_RATE_MG_H",
    "PAMIDRONATE_MYELOMA_HOURS",
    "PAMIDRONATE_MYELOMA_ML",
    "PAMIDRONATE_NOT_RECOMMENDED_BELOW_ML_MIN",
    "PAMIDRONATE_RENAL_IMPAIRMENT_BELOW_ML_MIN",
    "PAMIDRONATE_RENAL_RATE_MG_H",
    "WITHHOLD_ABNORMAL_RISE_MG_DL",
    "WITHHOLD_NORMAL_BASELINE_BELOW_MG_DL",
    "WITHHOLD_NORMAL_RISE_MG_DL",
    "WITHHOLD_RESUME_WITHIN_FRACTION",
    "ZOLEDRONIC_ACID_MIN_MINUTES",
    "ZOLEDRONIC_ACID_VOLUME_ML",
    "LabelRestriction",
    "restriction",
    "restrictions_for",
]


@attrs.frozen
class LabelRestriction:
    """One restriction of a current label, with its source and the deck's statement beside it.

    Attributes:
        id: Stable id, e.g. ``"pamidronate-rate"``.
        drug: The drug it concerns.
        statement: The restriction, in our own words.
        source: The label or regulatory decision it comes from.
        year: The year of that label version or decision.
        deck: What the deck (2016) says on the point, or that it says nothing.
        rule_ids: ``O-LABEL`` (and ``O-INTERVAL`` for the interval).
    """

    id: str
    drug: Drug
    statement: str
    source: str
    year: int
    deck: str
    rule_ids: tuple[str, ...] = ("O-LABEL",)


_ZOMETA: Final = "Zometa 4 mg label: EU SmPC sections 4.2 and 4.4, US prescribing information 2.4"
_PAMIDRONATE: Final = "pamidronate disodium SmPC, sections 4.2 and 4.4"
_XGEVA: Final = "Xgeva SmPC section 4.1 (European Commission decision; FDA approval January 2018)"
_PROLIA: Final = "Prolia US prescribing information, FDA boxed warning of 19 January 2024"
_XOFIGO: Final = (
    "Xofigo SmPC sections 4.1 and 4.3 after the EMA review of July 2018 (EC decision "
    "September 2018)"
)

#: Zoledronic acid 4 mg: infused over at least this many minutes (label).
ZOLEDRONIC_ACID_MIN_MINUTES: Final = 15.0
#: Zoledronic acid 4 mg: diluted in this volume of saline or glucose (label).
ZOLEDRONIC_ACID_VOLUME_ML: Final = 100.0
#: Withhold rule: a baseline creatinine below this is normal (mg/dl).
WITHHOLD_NORMAL_BASELINE_BELOW_MG_DL: Final = 1.4
#: Withhold rule: the rise from a normal baseline that withholds the dose (mg/dl).
WITHHOLD_NORMAL_RISE_MG_DL: Final = 0.5
#: Withhold rule: the rise from an abnormal baseline that withholds the dose (mg/dl).
WITHHOLD_ABNORMAL_RISE_MG_DL: Final = 1.0
#: Withhold rule: resume once the creatinine is back within this fraction of the baseline.
WITHHOLD_RESUME_WITHIN_FRACTION: Final = 0.10
#: Pamidronate: no more than this per infusion (mg).
PAMIDRONATE_MAX_MG: Final = 90.0
#: Pamidronate: never faster than this (mg/h).
PAMIDRONATE_MAX_RATE_MG_H: Final = 60.0
#: Pamidronate: no faster than this in renal impairment (mg/h).
PAMIDRONATE_RENAL_RATE_MG_H: Final = 20.0
#: Pamidronate: renal impairment, for the rate, is a clearance below this (ml/min).
PAMIDRONATE_RENAL_IMPAIRMENT_BELOW_ML_MIN: Final = 60.0
#: Pamidronate: not recommended below this clearance (ml/min).
PAMIDRONATE_NOT_RECOMMENDED_BELOW_ML_MIN: Final = 30.0
#: Pamidronate: the highest concentration, 90 mg in 250 ml (mg/ml).
PAMIDRONATE_MAX_CONCENTRATION_MG_ML: Final = 90.0 / 250.0
#: Pamidronate in bone metastases: 250 ml over at least 2 hours.
PAMIDRONATE_BONE_METASTASES_ML: Final = 250.0
PAMIDRONATE_BONE_METASTASES_HOURS: Final = 2.0
#: Pamidronate in multiple myeloma: at most 500 ml over 4 hours.
PAMIDRONATE_MYELOMA_ML: Final = 500.0
PAMIDRONATE_MYELOMA_HOURS: Final = 4.0

#: Every label restriction the protocol applies, by drug, in the order of O-LABEL.
LABEL_RESTRICTIONS: Final = (
    LabelRestriction(
        "every-4-weeks",
        Drug.ZOLEDRONIC_ACID,
        "zoledronic acid 4 mg and denosumab 120 mg are given every 4 weeks (zoledronic acid: "
        "every 3 to 4 weeks): 13 administrations a year",
        f"{_ZOMETA}; Xgeva SmPC section 4.2",
        2018,
        "1x/maand (monthly): 12 administrations a year",
        ("O-INTERVAL", "O-LABEL"),
    ),
    LabelRestriction(
        "zoledronic-acid-creatinine-each-dose",
        Drug.ZOLEDRONIC_ACID,
        "serum creatinine is measured before each dose of zoledronic acid 4 mg",
        _ZOMETA,
        2018,
        "Cave: aanpassen aan nierfunctie (adjust to renal function; no measurement named)",
    ),
    LabelRestriction(
        "zoledronic-acid-withhold",
        Drug.ZOLEDRONIC_ACID,
        "withhold zoledronic acid when the creatinine rose by 0.5 mg/dl or more from a normal "
        "baseline (below 1.4 mg/dl), or by 1.0 mg/dl or more from an abnormal one, until it is "
        "back within 10 % of the baseline",
        _ZOMETA,
        2018,
        "the deck names no withhold rule",
    ),
    LabelRestriction(
        "zoledronic-acid-infusion-time",
        Drug.ZOLEDRONIC_ACID,
        "zoledronic acid 4 mg is infused over no less than 15 minutes, in 100 ml",
        _ZOMETA,
        2018,
        "Infuus duurt enkele minuten (the infusion takes a few minutes)",
    ),
    LabelRestriction(
        "pamidronate-dose",
        Drug.PAMIDRONATE,
        "no more than 90 mg of pamidronate per infusion",
        _PAMIDRONATE,
        2024,
        "90 mg 1x/4 weken",
    ),
    LabelRestriction(
        "pamidronate-infusion",
        Drug.PAMIDRONATE,
        "pamidronate for bone metastases over at least 2 hours in 250 ml; in multiple myeloma "
        "no more than 90 mg in 500 ml over 4 hours",
        _PAMIDRONATE,
        2024,
        "Nadeel: infuus duurt 2 uur (the infusion takes 2 hours)",
    ),
    LabelRestriction(
        "pamidronate-rate",
        Drug.PAMIDRONATE,
        "pamidronate never faster than 60 mg/h, and no faster than 20 mg/h in renal impairment "
        "(here: creatinine clearance below 60 ml/min); concentration at most 90 mg in 250 ml",
        _PAMIDRONATE,
        2024,
        "the deck names no rate",
    ),
    LabelRestriction(
        "pamidronate-severe-renal",
        Drug.PAMIDRONATE,
        "pamidronate is not recommended with a creatinine clearance below 30 ml/min: refused "
        "unless a clinician overrides it with a coded reason",
        _PAMIDRONATE,
        2024,
        "the deck names no renal figure for pamidronate; the label does",
    ),
    LabelRestriction(
        "denosumab-myeloma",
        Drug.DENOSUMAB,
        "denosumab 120 mg is registered for the prevention of skeletal-related events in "
        "multiple myeloma",
        _XGEVA,
        2018,
        "Denosumab niet geregistreerd voor MM, is mogelijk wel een alternatief (2016: not "
        "registered for myeloma, possibly an alternative)",
    ),
    LabelRestriction(
        "denosumab-severe-ckd",
        Drug.DENOSUMAB,
        "denosumab 60 mg with an eGFR below 30 ml/min/1.73 m² or on dialysis: risk of severe "
        "hypocalcaemia; correct calcium before, monitor it weekly in the first month and "
        "monthly after",
        _PROLIA,
        2024,
        "Cave: diepe hypocalciëmie, dus altijd suppletie calcium/Vit D",
    ),
    LabelRestriction(
        "radium-223-indication",
        Drug.RADIUM_223,
        "radium-223 only for metastatic castration-resistant prostate cancer with symptomatic "
        "bone metastases and no known visceral metastases, after at least two prior systemic "
        "therapies or when none is suitable, and never with abiraterone and prednisone or "
        "prednisolone",
        _XOFIGO,
        2018,
        "Geregistreerd voor prostaatcarcinoom (registered for prostate cancer)",
    ),
)


def restriction(restriction_id: str) -> LabelRestriction:
    """Return the label restriction ``restriction_id`` (a programming error if unknown)."""
    (found,) = (item for item in LABEL_RESTRICTIONS if item.id == restriction_id)
    return found


def restrictions_for(drug: Drug) -> tuple[LabelRestriction, ...]:
    """Return the label restrictions that concern ``drug``, in catalogue order."""
    shared = {"every-4-weeks"} if drug is Drug.DENOSUMAB else set()
    return tuple(item for item in LABEL_RESTRICTIONS if item.drug is drug or item.id in shared)
