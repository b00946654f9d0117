"""What the audit judges: each kind of deviation, its rules, and the numbers it is judged by.

The audit holds no clinical number of its own. The caps, per-kg maxima, label limits and
intervals are those of :mod:`bisphos.pediatric.table` and :mod:`bisphos.pediatric.kernel`; the
thresholds (GFR, calcium, temperature, vitamin D) those of :mod:`bisphos.pediatric.thresholds`;
the ages of values those of :data:`bisphos.pediatric.freshness.DEFAULT_FRESHNESS` (P-FRESH);
the hard limits are read as the gate (:mod:`bisphos.gate`) reads them (P-HARD). Both ways of
auditing, one administration at a time (:mod:`bisphos.audit.one_by_one`) and columnar
(:mod:`bisphos.audit.columnar`), read them from here.

Each administration is judged with the patient's state on its date: the latest value of each
measurement on or before it, the infusions before it (its place in that drug's history gives
the phase, never a label), and the infusions of the same day (the daily caps).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from fractions import Fraction
from typing import Final

import attrs

from bisphos.model import Drug
from bisphos.pediatric import table as t
from bisphos.pediatric.table import Phase

__all__ = [
    "DEVIATIONS",
    "UNASSESSED",
    "Code",
    "Deviation",
    "Unassessed",
    "Verdict",
    "cap_code",
    "day_per_kg_code",
    "per_kg_code",
    "phase_of",
]


class Verdict(enum.StrEnum):
    """The audit's verdict on one administration."""

    OK = "ok"
    DEVIATION = "deviation"
    NOT_ASSESSABLE = "not_assessable"


class Code(enum.StrEnum):
    """The kinds of deviation, in the order of :data:`DEVIATIONS` (a bit each)."""

    ZOLEDRONIC_ACID_OVER_CAP = "zoledronic-acid-over-cap"
    PAMIDRONATE_OVER_CAP = "pamidronate-over-cap"
    ZOLEDRONIC_ACID_FIRST_OVER_PER_KG = "zoledronic-acid-first-over-per-kg"
    ZOLEDRONIC_ACID_OVER_PER_KG = "zoledronic-acid-over-per-kg"
    PAMIDRONATE_FIRST_OVER_PER_KG = "pamidronate-first-over-per-kg"
    PAMIDRONATE_OVER_PER_KG = "pamidronate-over-per-kg"
    PAMIDRONATE_FIRST_OVER_HALF_CAP = "pamidronate-first-over-half-cap"
    ZOLEDRONIC_ACID_DAY_OVER_PER_KG = "zoledronic-acid-day-over-per-kg"
    PAMIDRONATE_DAY_OVER_PER_KG = "pamidronate-day-over-per-kg"
    ZOLEDRONIC_ACID_TOO_FAST = "zoledronic-acid-too-fast"
    PAMIDRONATE_TOO_CONCENTRATED = "pamidronate-too-concentrated"
    PAMIDRONATE_TOO_FAST = "pamidronate-too-fast"
    PAMIDRONATE_TOO_FAST_RENAL = "pamidronate-too-fast-renal"
    PAMIDRONATE_GFR_TOO_LOW = "pamidronate-gfr-too-low"
    ZOLEDRONIC_ACID_GFR_TOO_LOW = "zoledronic-acid-gfr-too-low"
    CREATININE_NOT_FRESH = "creatinine-not-fresh"
    AFTER_19TH_BIRTHDAY = "after-19th-birthday"
    INTERVAL_TOO_SHORT = "interval-too-short"
    HYPOCALCAEMIA = "hypocalcaemia"
    FEVER = "fever"
    VITAMIN_D_DEFICIENT = "vitamin-d-deficient"
    FIRST_LABS_MISSING = "first-labs-missing"
    NOT_INDICATED = "not-indicated"


@attrs.frozen
class Deviation:
    """One kind of deviation.

    Attributes:
        code: Its code.
        rule_ids: The rules it breaks.
        description: What it means, in words.
    """

    code: Code
    rule_ids: tuple[str, ...]
    description: str


_Z, _P = Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE
_MAX = t.PER_KG_MAXIMUM_MG_PER_KG

#: Every kind of deviation, by code, each with its rules.
DEVIATIONS: Final[Mapping[Code, Deviation]] = {
    deviation.code: deviation
    for deviation in (
        Deviation(
            Code.ZOLEDRONIC_ACID_OVER_CAP,
            t.DAILY_CAP_MG[_Z].rule_ids,
            "the zoledronic acid given on one calendar day adds up above the daily cap",
        ),
        Deviation(
            Code.PAMIDRONATE_OVER_CAP,
            t.DAILY_CAP_MG[_P].rule_ids,
            "the pamidronate given on one calendar day adds up above the daily cap",
        ),
        Deviation(
            Code.ZOLEDRONIC_ACID_FIRST_OVER_PER_KG,
            _MAX[_Z, Phase.FIRST].rule_ids,
            "one of the first two zoledronic acid infusions above its per-kg maximum "
            "(the first doses not reduced)",
        ),
        Deviation(
            Code.ZOLEDRONIC_ACID_OVER_PER_KG,
            _MAX[_Z, Phase.REGULAR].rule_ids,
            "a later zoledronic acid infusion above its per-kg maximum",
        ),
        Deviation(
            Code.PAMIDRONATE_FIRST_OVER_PER_KG,
            _MAX[_P, Phase.FIRST].rule_ids,
            "the first pamidronate infusion above its per-kg maximum (the first dose not halved)",
        ),
        Deviation(
            Code.PAMIDRONATE_OVER_PER_KG,
            _MAX[_P, Phase.REGULAR].rule_ids,
            "a later pamidronate infusion above its per-kg maximum",
        ),
        Deviation(
            Code.PAMIDRONATE_FIRST_OVER_HALF_CAP,
            _MAX[_P, Phase.FIRST].rule_ids,
            "the first pamidronate infusion above half the daily cap",
        ),
        Deviation(
            Code.ZOLEDRONIC_ACID_DAY_OVER_PER_KG,
            _MAX[_Z, Phase.REGULAR].rule_ids,
            "several zoledronic acid infusions of one day add up above the highest per-kg maximum",
        ),
        Deviation(
            Code.PAMIDRONATE_DAY_OVER_PER_KG,
            _MAX[_P, Phase.REGULAR].rule_ids,
            "several pamidronate infusions of one day add up above the highest per-kg maximum",
        ),
        Deviation(
            Code.ZOLEDRONIC_ACID_TOO_FAST,
            ("P-HARD", *t.ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN.rule_ids),
            "zoledronic acid infused faster than the label's shortest infusion time",
        ),
        Deviation(
            Code.PAMIDRONATE_TOO_CONCENTRATED,
            ("P-PAM-LABEL",),
            "pamidronate more concentrated than the label allows",
        ),
        Deviation(
            Code.PAMIDRONATE_TOO_FAST,
            ("P-PAM-LABEL",),
            "pamidronate infused faster than the label's highest rate",
        ),
        Deviation(
            Code.PAMIDRONATE_TOO_FAST_RENAL,
            ("P-PAM-RENAL",),
            "pamidronate infused faster than the renal rate with a Schwartz-40 GFR of 90 or less "
            "or none known",
        ),
        Deviation(
            Code.PAMIDRONATE_GFR_TOO_LOW,
            ("P-PAM-RENAL",),
            "pamidronate with a Schwartz-40 GFR below the lowest that allows it",
        ),
        Deviation(
            Code.ZOLEDRONIC_ACID_GFR_TOO_LOW,
            ("P-GFR",),
            "zoledronic acid without a Schwartz-40 GFR above 90 (or without height or creatinine)",
        ),
        Deviation(
            Code.CREATININE_NOT_FRESH,
            ("P-FRESH", "P-GFR"),
            "zoledronic acid with a creatinine older than P-FRESH allows",
        ),
        Deviation(
            Code.AFTER_19TH_BIRTHDAY,
            ("P-SCOPE-1",),
            "an infusion on or after the 19th birthday",
        ),
        Deviation(
            Code.INTERVAL_TOO_SHORT,
            ("P-HIST-INTERVAL",),
            "earlier than the interval the last drug given sets after its last infusion",
        ),
        Deviation(
            Code.HYPOCALCAEMIA,
            ("P-CI-HYPOCA",),
            "infused with a recent total calcium below the hypocalcaemia threshold",
        ),
        Deviation(Code.FEVER, ("P-CI-FEVER",), "infused with a fever measured that day"),
        Deviation(
            Code.VITAMIN_D_DEFICIENT,
            ("P-PRE-VITD",),
            "the first infusion with a 25-OH vitamin D deficiency",
        ),
        Deviation(
            Code.FIRST_LABS_MISSING,
            ("P-PRE-LABS", "P-FRESH"),
            "the first infusion without every lab of P-PRE-LABS, recent enough",
        ),
        Deviation(
            Code.NOT_INDICATED,
            ("P-IND-A",),
            "given for a condition outside the guideline's indications",
        ),
    )
}


class Unassessed(enum.StrEnum):
    """Why a check could not be made (the verdict is ``not_assessable`` without a deviation)."""

    WEIGHT_MISSING = "weight-missing"
    WEIGHT_NOT_FRESH = "weight-not-fresh"


#: Every reason a check could not be made, in bit order.
UNASSESSED: Final = tuple(Unassessed)


def phase_of(drug: Drug, number: int) -> Phase:
    """The phase whose per-kg maximum applies to infusion ``number`` (1, 2, ...) of ``drug``.

    As the gate reads it (P-HARD): the first two zoledronic acid infusions are at most the
    first phase's maximum (P-ZOL-FIRST), the first pamidronate infusion too (P-PAM-FIRST); the
    later ones the regular maximum.
    """
    if drug is _Z:
        return Phase.FIRST if number <= t.ZOLEDRONIC_ACID_FIRST_INFUSIONS else Phase.REGULAR
    return Phase.FIRST if number == 1 else Phase.REGULAR


def per_kg_code(drug: Drug, phase: Phase) -> Code:
    """The deviation of a dose above the per-kg maximum of ``phase``."""
    first = phase is Phase.FIRST
    if drug is _Z:
        return Code.ZOLEDRONIC_ACID_FIRST_OVER_PER_KG if first else Code.ZOLEDRONIC_ACID_OVER_PER_KG
    return Code.PAMIDRONATE_FIRST_OVER_PER_KG if first else Code.PAMIDRONATE_OVER_PER_KG


def cap_code(drug: Drug) -> Code:
    """The deviation of a day's doses above the daily cap of ``drug``."""
    return Code.ZOLEDRONIC_ACID_OVER_CAP if drug is _Z else Code.PAMIDRONATE_OVER_CAP


def day_per_kg_code(drug: Drug) -> Code:
    """The deviation of a day's doses above the highest per-kg maximum of ``drug``."""
    return Code.ZOLEDRONIC_ACID_DAY_OVER_PER_KG if drug is _Z else Code.PAMIDRONATE_DAY_OVER_PER_KG


#: The first pamidronate infusion's limit is this fraction of the daily cap (P-PAM-FIRST: the
#: cap applies before the halving).
PAMIDRONATE_FIRST_CAP_FRACTION: Final[Fraction] = t.PAMIDRONATE_FIRST_FRACTION


def rule_ids(codes: tuple[Code, ...]) -> tuple[str, ...]:
    """The rules of ``codes``, sorted, each once."""
    return tuple(sorted({rule for code in codes for rule in DEVIATIONS[code].rule_ids}))
