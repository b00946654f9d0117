"""Every number of the pediatric dosing, limits, intervals and preparation, once, with its rules.

The doses per kg, the daily caps, the per-kg maxima of each phase, the rounding steps, the
intervals between infusions, the preparation's defaults and the label limits (hard limits of
every plan, whatever protocol made it) live here and nowhere else. Each is a :class:`Number`: a
value, the unit it is in (its name says it too), and the rule ids it comes from. The one-patient
path (:mod:`bisphos.pediatric.dosing`, :mod:`~bisphos.pediatric.limits`,
:mod:`~bisphos.pediatric.infusion`, :mod:`~bisphos.pediatric.schedule`), the batch path
(:mod:`bisphos.batch.vector`) and the hard-limit checks read them from here; the arithmetic on
them is :mod:`bisphos.pediatric.kernel`.

======================================  ===============  =========================================
Number                                  Value            Rule ids
======================================  ===============  =========================================
Zoledronic acid, first infusion         0.0125 mg/kg     P-ZOL-FIRST (default; 0.025 on request)
Zoledronic acid, second infusion        0.025 mg/kg      P-ZOL-FIRST
Zoledronic acid, later infusions        0.05 mg/kg       P-ZOL-DOSE
Zoledronic acid, reduced                0.025 mg/kg      P-ZOL-LOW, P-ZOL-COMPL
Zoledronic acid, maintenance −2 < Z ≤ 0  0.025 mg/kg      P-MAINT-MID
Zoledronic acid, maintenance Z > 0      0.0125–0.025     P-MAINT-HIGH (default the lower end)
Pamidronate                             2 mg/kg/day      P-PAM-DOSE, P-MAINT-MID, P-MAINT-HIGH
Pamidronate, first infusion             half             P-PAM-FIRST (of the capped dose)
Hungry bones                            a quarter        P-HUNGRY (first 2 infusions by default)
Daily caps                              4 mg, 90 mg      P-ZOL-CAP, P-PAM-CAP
Rounding steps (down)                   0.001, 0.1 mg    P-ZOL-DOSE, P-PAM-DOSE
Intervals                               3, 6, 12 months  P-ZOL-FIRST, P-ZOL-FREQ, P-PAM-FREQ,
                                                         P-ZOL-SECOND, P-HIST-INTERVAL, ...
Pamidronate concentration, duration     0.1 mg/ml, 4 h   P-PAM-DOSE
Zoledronic acid volume, duration        50–100 ml, 1 h   P-ZOL-DOSE
Label: pamidronate concentration        ≤ 0.36 mg/ml     P-PAM-DOSE (label)
Label: pamidronate rate                 ≤ 60 mg/h        P-PAM-DOSE (label)
Label: pamidronate rate, renal          ≤ 20 mg/h        P-PAM-RENAL, P-PAM-LABEL, P-CI-RENAL
Pamidronate rate, GFR unknown           ≤ 20 mg/h        P-PAM-RENAL (the renal limit: unknown is
                                                         read as impaired)
Label: zoledronic acid duration         ≥ 15 min         P-ZOL-DOSE (label)
Products (default formulary)            0.8, 3 mg/ml     P-PREP-PRODUCT (4 mg/5 ml; 3 mg/ml)
Product concentrations a formulary      0.04–0.8,        P-PREP-PRODUCT
may declare                             0.1–15 mg/ml
Syringe resolution                      0.01 ml (≤ 1)    P-PREP-PRODUCT (a formulary sets its own)
======================================  ===============  =========================================
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Final

import attrs

from bisphos.model import Drug

__all__ = [
    "DAILY_CAP_MG",
    "HUNGRY_BONES_FRACTION",
    "HUNGRY_BONES_INFUSIONS",
    "INTERVAL_MONTHS",
    "NUMBERS",
    "PAMIDRONATE_CONCENTRATION_MG_ML",
    "PAMIDRONATE_DURATION_H",
    "PAMIDRONATE_FIRST_FRACTION",
    "PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML",
    "PAMIDRONATE_LABEL_MAX_RATE_MG_H",
    "PAMIDRONATE_MAX_RATE_MG_H",
    "PAMIDRONATE_MG_PER_KG",
    "PAMIDRONATE_PRODUCT_MG_ML",
    "PAMIDRONATE_PRODUCT_VIAL_ML",
    "PAMIDRONATE_RENAL_MAX_RATE_MG_H",
    "PER_KG_MAXIMUM_MG_PER_KG",
    "PRODUCT_CONCENTRATION_RANGE_MG_ML",
    "ROUNDING_STEP_MG",
    "SYRINGE_RESOLUTION_MAX_ML",
    "SYRINGE_RESOLUTION_ML",
    "ZOLEDRONIC_ACID_DURATION_H",
    "ZOLEDRONIC_ACID_FIRST_MG_PER_KG",
    "ZOLEDRONIC_ACID_FIRST_ON_REQUEST_MG_PER_KG",
    "ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN",
    "ZOLEDRONIC_ACID_MAINTENANCE_HIGH_MG_PER_KG",
    "ZOLEDRONIC_ACID_MAINTENANCE_MID_MG_PER_KG",
    "ZOLEDRONIC_ACID_PRODUCT_MG_ML",
    "ZOLEDRONIC_ACID_PRODUCT_VIAL_ML",
    "ZOLEDRONIC_ACID_REDUCED_BELOW_AGE_YEARS",
    "ZOLEDRONIC_ACID_REDUCED_MG_PER_KG",
    "ZOLEDRONIC_ACID_REGULAR_MG_PER_KG",
    "ZOLEDRONIC_ACID_SECOND_MG_PER_KG",
    "ZOLEDRONIC_ACID_VOLUME_ML",
    "Interval",
    "Number",
    "Phase",
    "RenalFunction",
]


class Phase(enum.StrEnum):
    """The phases of the course whose doses (and per-kg maxima) differ.

    ``FIRST``, ``SECOND`` and ``REGULAR`` are the first, second and later infusions of the active
    treatment; ``MAINTENANCE`` is the maintenance treatment (P-MAINT-MID, P-MAINT-HIGH).
    """

    FIRST = "first"
    SECOND = "second"
    REGULAR = "regular"
    MAINTENANCE = "maintenance"


class RenalFunction(enum.StrEnum):
    """The kidneys as P-PAM-RENAL reads them for pamidronate, by the protocol's Schwartz-40 GFR.

    ``NORMAL`` is a GFR above 90 ml/min/1.73 m²; ``IMPAIRED`` one of 90 or less (below 30 no
    pamidronate is given at all); ``UNKNOWN`` no GFR: no usable height or creatinine.
    """

    NORMAL = "normal"
    IMPAIRED = "impaired"
    UNKNOWN = "unknown"


@attrs.frozen
class Number:
    """One clinical number: its value in the unit its name gives, and the rules it comes from.

    Attributes:
        name: What it is, in words.
        value: The value, in ``unit``.
        unit: The unit, as the registry spells it (``"mg/kg"``, ``"mg"``, ``"h"``).
        rule_ids: The rules that set it.
    """

    name: str
    value: float
    unit: str
    rule_ids: tuple[str, ...]

    @property
    def decimal(self) -> Decimal:
        """The value as the shortest decimal that reads back as it (``0.1`` is ``0.1``)."""
        return Decimal(repr(self.value))


@attrs.frozen
class Interval:
    """The time between two infusions of a course.

    Attributes:
        months: Calendar months.
        rule_id: The rule that sets it.
    """

    months: int
    rule_id: str


_Z = Drug.ZOLEDRONIC_ACID
_P = Drug.PAMIDRONATE
_MAINTENANCE = ("P-MAINT-MID", "P-MAINT-HIGH")

# ---- doses per kg --------------------------------------------------------------------------
#: The first zoledronic acid infusion, by default (acute-phase reaction, hypocalcaemia risk).
ZOLEDRONIC_ACID_FIRST_MG_PER_KG: Final = Number(
    "zoledronic acid, first infusion", 0.0125, "mg/kg", ("P-ZOL-FIRST",)
)
#: The first zoledronic acid infusion, on request (the other choice of P-ZOL-FIRST).
ZOLEDRONIC_ACID_FIRST_ON_REQUEST_MG_PER_KG: Final = Number(
    "zoledronic acid, first infusion on request", 0.025, "mg/kg", ("P-ZOL-FIRST",)
)
#: The second zoledronic acid infusion, 3 months after the first.
ZOLEDRONIC_ACID_SECOND_MG_PER_KG: Final = Number(
    "zoledronic acid, second infusion", 0.025, "mg/kg", ("P-ZOL-FIRST",)
)
#: Later zoledronic acid infusions.
ZOLEDRONIC_ACID_REGULAR_MG_PER_KG: Final = Number(
    "zoledronic acid, regular dose", 0.05, "mg/kg", ("P-ZOL-DOSE",)
)
#: The regular zoledronic acid dose when P-ZOL-LOW or P-ZOL-COMPL applies.
ZOLEDRONIC_ACID_REDUCED_MG_PER_KG: Final = Number(
    "zoledronic acid, reduced regular dose", 0.025, "mg/kg", ("P-ZOL-LOW", "P-ZOL-COMPL")
)
#: Maintenance zoledronic acid with a BMD Z-score above −2 and at most 0.
ZOLEDRONIC_ACID_MAINTENANCE_MID_MG_PER_KG: Final = Number(
    "zoledronic acid, maintenance, -2 < Z <= 0", 0.025, "mg/kg", ("P-MAINT-MID",)
)
#: Maintenance zoledronic acid with Z above 0: the range, lowest first (default the lowest).
ZOLEDRONIC_ACID_MAINTENANCE_HIGH_MG_PER_KG: Final = (
    Number("zoledronic acid, maintenance, Z > 0, lowest", 0.0125, "mg/kg", ("P-MAINT-HIGH",)),
    Number("zoledronic acid, maintenance, Z > 0, highest", 0.025, "mg/kg", ("P-MAINT-HIGH",)),
)
#: Pamidronate per day, in active treatment and in maintenance.
PAMIDRONATE_MG_PER_KG: Final = Number(
    "pamidronate, dose per day", 2.0, "mg/kg", ("P-PAM-DOSE", *_MAINTENANCE)
)
#: P-ZOL-LOW: the reduced zoledronic acid dose applies under this age on the infusion date.
ZOLEDRONIC_ACID_REDUCED_BELOW_AGE_YEARS: Final = 2
#: The first pamidronate infusion is this fraction of the regular dose, capped first.
PAMIDRONATE_FIRST_FRACTION: Final = Fraction(1, 2)
#: P-HUNGRY: the first infusions get this fraction of the regular dose (and of the cap).
HUNGRY_BONES_FRACTION: Final = Fraction(1, 4)
#: P-HUNGRY: how many first infusions of the drug, by default (an option).
HUNGRY_BONES_INFUSIONS: Final = 2

# ---- hard limits -----------------------------------------------------------------------------
#: The most of each drug per calendar day (invariant 1).
DAILY_CAP_MG: Final[Mapping[Drug, Number]] = MappingProxyType(
    {
        _Z: Number("zoledronic acid, daily cap", 4.0, "mg", ("P-ZOL-CAP",)),
        _P: Number("pamidronate, daily cap", 90.0, "mg", ("P-PAM-CAP",)),
    }
)
#: The highest dose per kg of each drug in each phase (invariant 2).
PER_KG_MAXIMUM_MG_PER_KG: Final[Mapping[tuple[Drug, Phase], Number]] = MappingProxyType(
    {
        (_Z, Phase.FIRST): Number("zoledronic acid, first", 0.025, "mg/kg", ("P-ZOL-FIRST",)),
        (_Z, Phase.SECOND): Number("zoledronic acid, second", 0.025, "mg/kg", ("P-ZOL-FIRST",)),
        (_Z, Phase.REGULAR): Number("zoledronic acid, regular", 0.05, "mg/kg", ("P-ZOL-DOSE",)),
        (_Z, Phase.MAINTENANCE): Number(
            "zoledronic acid, maintenance", 0.025, "mg/kg", _MAINTENANCE
        ),
        (_P, Phase.FIRST): Number("pamidronate, first", 1.0, "mg/kg", ("P-PAM-FIRST",)),
        (_P, Phase.SECOND): Number(
            "pamidronate, second", 2.0, "mg/kg", ("P-PAM-FIRST", "P-PAM-DOSE")
        ),
        (_P, Phase.REGULAR): Number("pamidronate, regular", 2.0, "mg/kg", ("P-PAM-DOSE",)),
        (_P, Phase.MAINTENANCE): Number("pamidronate, maintenance", 2.0, "mg/kg", _MAINTENANCE),
    }
)
#: The default rounding step (always down) of each drug; an option of the dosing.
ROUNDING_STEP_MG: Final[Mapping[Drug, Number]] = MappingProxyType(
    {
        _Z: Number("zoledronic acid, rounding step", 0.001, "mg", ("P-ZOL-DOSE",)),
        _P: Number("pamidronate, rounding step", 0.1, "mg", ("P-PAM-DOSE",)),
    }
)

# ---- intervals -------------------------------------------------------------------------------
#: The interval before each kind of infusion: the second zoledronic acid infusion, later ones,
#: every pamidronate infusion, and maintenance by band.
INTERVAL_MONTHS: Final[Mapping[str, Interval]] = MappingProxyType(
    {
        "zoledronic_acid_second": Interval(3, "P-ZOL-FIRST"),
        "zoledronic_acid_second_omitted": Interval(6, "P-ZOL-SECOND"),
        "zoledronic_acid": Interval(6, "P-ZOL-FREQ"),
        "pamidronate": Interval(3, "P-PAM-FREQ"),
        "maintenance_mid": Interval(6, "P-MAINT-MID"),
        "maintenance_high": Interval(12, "P-MAINT-HIGH"),
    }
)

# ---- preparation -----------------------------------------------------------------------------
#: Zoledronic acid is given in this volume of NaCl 0.9 %: the smallest, the default, and the
#: largest the guideline allows.
ZOLEDRONIC_ACID_VOLUME_ML: Final = (
    Number("zoledronic acid volume, smallest", 50.0, "mL", ("P-ZOL-DOSE",)),
    Number("zoledronic acid volume, largest", 100.0, "mL", ("P-ZOL-DOSE",)),
)
#: Zoledronic acid infusion time.
ZOLEDRONIC_ACID_DURATION_H: Final = Number(
    "zoledronic acid infusion time", 1.0, "h", ("P-ZOL-DOSE",)
)
#: The concentration pamidronate is diluted to.
PAMIDRONATE_CONCENTRATION_MG_ML: Final = Number(
    "pamidronate concentration", 0.1, "mg/mL", ("P-PAM-DOSE",)
)
#: Pamidronate infusion time.
PAMIDRONATE_DURATION_H: Final = Number("pamidronate infusion time", 4.0, "h", ("P-PAM-DOSE",))

# ---- label limits (hard limits of every plan) ---------------------------------------------------
#: The highest pamidronate concentration of the label: 90 mg per 250 ml.
PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML: Final = Number(
    "pamidronate, highest concentration", 0.36, "mg/mL", ("P-PAM-DOSE",)
)
#: The highest pamidronate infusion rate of the label.
PAMIDRONATE_LABEL_MAX_RATE_MG_H: Final = Number(
    "pamidronate, highest rate", 60.0, "mg/h", ("P-PAM-LABEL", "P-PAM-DOSE")
)
#: The highest pamidronate infusion rate in renal impairment (label).
PAMIDRONATE_RENAL_MAX_RATE_MG_H: Final = Number(
    "pamidronate, highest rate in renal impairment",
    20.0,
    "mg/h",
    ("P-PAM-RENAL", "P-PAM-LABEL", "P-CI-RENAL"),
)
#: P-PAM-RENAL, P-PAM-LABEL: the highest pamidronate rate by renal function, the one entry the
#: gate (:mod:`bisphos.gate`) and the schedule both read. Renal function unknown (no usable
#: creatinine or height, e.g. none measured before a later infusion) is read as impaired: the
#: renal-impairment limit of 20 mg/h, never the label's 60 mg/h. The first rule id of each value
#: is the one a refusal names.
PAMIDRONATE_MAX_RATE_MG_H: Final[Mapping[RenalFunction, Number]] = MappingProxyType(
    {
        RenalFunction.NORMAL: PAMIDRONATE_LABEL_MAX_RATE_MG_H,
        RenalFunction.IMPAIRED: PAMIDRONATE_RENAL_MAX_RATE_MG_H,
        RenalFunction.UNKNOWN: PAMIDRONATE_RENAL_MAX_RATE_MG_H,
    }
)
#: The shortest zoledronic acid infusion of the label.
ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN: Final = Number(
    "zoledronic acid, shortest infusion", 15.0, "min", ("P-ZOL-DOSE",)
)

# ---- the products drawn up (P-PREP-PRODUCT; a hospital's formulary replaces them) ------------
#: The default zoledronic acid product: concentrate 4 mg/5 ml.
ZOLEDRONIC_ACID_PRODUCT_MG_ML: Final = Number(
    "zoledronic acid concentrate 4 mg/5 ml", 0.8, "mg/mL", ("P-PREP-PRODUCT",)
)
#: Its vial: 5 ml (4 mg).
ZOLEDRONIC_ACID_PRODUCT_VIAL_ML: Final = Number(
    "zoledronic acid concentrate, vial", 5.0, "mL", ("P-PREP-PRODUCT",)
)
#: The default pamidronate product: pamidronate disodium concentrate 3 mg/ml.
PAMIDRONATE_PRODUCT_MG_ML: Final = Number(
    "pamidronate disodium concentrate 3 mg/ml", 3.0, "mg/mL", ("P-PREP-PRODUCT",)
)
#: Its vial: 10 ml (30 mg).
PAMIDRONATE_PRODUCT_VIAL_ML: Final = Number(
    "pamidronate disodium concentrate, vial", 10.0, "mL", ("P-PREP-PRODUCT",)
)
#: The concentrations a formulary may declare for each drug, lowest and highest: zoledronic acid
#: from the ready-to-use 4 mg/100 ml to the concentrate 4 mg/5 ml, pamidronate from the
#: infusion's own 0.1 mg/ml (P-PAM-DOSE) to the strongest concentrate, 15 mg/ml (90 mg/6 ml).
#: Outside them a formulary is refused as a plugin error.
PRODUCT_CONCENTRATION_RANGE_MG_ML: Final[Mapping[Drug, tuple[Number, Number]]] = MappingProxyType(
    {
        _Z: (
            Number("zoledronic acid product, lowest", 0.04, "mg/mL", ("P-PREP-PRODUCT",)),
            Number("zoledronic acid product, highest", 0.8, "mg/mL", ("P-PREP-PRODUCT",)),
        ),
        _P: (
            Number("pamidronate product, lowest", 0.1, "mg/mL", ("P-PREP-PRODUCT",)),
            Number("pamidronate product, highest", 15.0, "mg/mL", ("P-PREP-PRODUCT",)),
        ),
    }
)
#: The volume a syringe measures to, by default; a hospital's formulary sets its own.
SYRINGE_RESOLUTION_ML: Final = Number("syringe resolution", 0.01, "mL", ("P-PREP-PRODUCT",))
#: The coarsest syringe resolution a formulary may declare.
SYRINGE_RESOLUTION_MAX_ML: Final = Number(
    "syringe resolution, coarsest", 1.0, "mL", ("P-PREP-PRODUCT",)
)

# ---- P-HARD: whoever made the plan (bisphos.gate) --------------------------------------------
#: P-ZOL-FIRST: the first this many infusions of zoledronic acid are at most 0.025 mg/kg.
ZOLEDRONIC_ACID_FIRST_INFUSIONS: Final = 2
#: P-PAM-RENAL: no pamidronate below this Schwartz-40 GFR.
PAMIDRONATE_MIN_GFR: Final = Number(
    "pamidronate, lowest Schwartz-40 GFR", 30.0, "mL_min_1_73m2", ("P-PAM-RENAL",)
)
#: P-GFR-LOCAL: a local GFR estimate outside this range is a plugin error.
LOCAL_GFR_RANGE: Final = (
    Number("local GFR estimate, lowest", 1.0, "mL_min_1_73m2", ("P-GFR-LOCAL",)),
    Number("local GFR estimate, highest", 250.0, "mL_min_1_73m2", ("P-GFR-LOCAL",)),
)
#: P-HIST-INTERVAL: the national protocol's least interval between two infusions of any
#: bisphosphonate.
MINIMUM_INTERVAL: Final = Interval(3, "P-HIST-INTERVAL")

#: Every number of the table, for documentation and traceability.
NUMBERS: Final[tuple[Number, ...]] = (
    ZOLEDRONIC_ACID_FIRST_MG_PER_KG,
    ZOLEDRONIC_ACID_FIRST_ON_REQUEST_MG_PER_KG,
    ZOLEDRONIC_ACID_SECOND_MG_PER_KG,
    ZOLEDRONIC_ACID_REGULAR_MG_PER_KG,
    ZOLEDRONIC_ACID_REDUCED_MG_PER_KG,
    ZOLEDRONIC_ACID_MAINTENANCE_MID_MG_PER_KG,
    *ZOLEDRONIC_ACID_MAINTENANCE_HIGH_MG_PER_KG,
    PAMIDRONATE_MG_PER_KG,
    *DAILY_CAP_MG.values(),
    *PER_KG_MAXIMUM_MG_PER_KG.values(),
    *ROUNDING_STEP_MG.values(),
    *ZOLEDRONIC_ACID_VOLUME_ML,
    ZOLEDRONIC_ACID_DURATION_H,
    PAMIDRONATE_CONCENTRATION_MG_ML,
    PAMIDRONATE_DURATION_H,
    PAMIDRONATE_LABEL_MAX_CONCENTRATION_MG_ML,
    PAMIDRONATE_LABEL_MAX_RATE_MG_H,
    PAMIDRONATE_RENAL_MAX_RATE_MG_H,
    ZOLEDRONIC_ACID_LABEL_MIN_DURATION_MIN,
    PAMIDRONATE_MIN_GFR,
    *LOCAL_GFR_RANGE,
    ZOLEDRONIC_ACID_PRODUCT_MG_ML,
    ZOLEDRONIC_ACID_PRODUCT_VIAL_ML,
    PAMIDRONATE_PRODUCT_MG_ML,
    PAMIDRONATE_PRODUCT_VIAL_ML,
    *(n for pair in PRODUCT_CONCENTRATION_RANGE_MG_ML.values() for n in pair),
    SYRINGE_RESOLUTION_ML,
    SYRINGE_RESOLUTION_MAX_ML,
)
