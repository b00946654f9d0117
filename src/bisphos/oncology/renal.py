"""Renal adjustment of the oncology regimens (O-RENAL): Cockcroft-Gault and the label bands.

The deck only says "adjust to renal function"; the product labels (SmPC) give the figures, and
each band or limit here names its label. Renal function is the creatinine clearance by
Cockcroft-Gault in ml/min, not normalised to body surface: it is a different quantity kind from
the pediatric Schwartz eGFR in ml/min/1.73 m², and a value of that kind is refused here with a
:class:`~bisphos.errors.DimensionError` rather than read as a clearance.

Comparison resolution: a clearance is rounded to 1e-6 ml/min before it meets a band boundary
(:mod:`bisphos.oncology._resolution`), so float noise of a unit conversion or of the formula cannot
flip a band, while a clearance that is lower by any reportable amount always falls in its own band.
"""

from __future__ import annotations

import enum
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.errors import ImplausibleValueError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import PLAUSIBLE_RANGES, PlausibleRange, Sex
from bisphos.oncology._resolution import resolve
from bisphos.oncology.labels import (
    PAMIDRONATE_NOT_RECOMMENDED_BELOW_ML_MIN,
    WITHHOLD_ABNORMAL_RISE_MG_DL,
    WITHHOLD_NORMAL_BASELINE_BELOW_MG_DL,
    WITHHOLD_NORMAL_RISE_MG_DL,
    WITHHOLD_RESUME_WITHIN_FRACTION,
    restriction,
)
from bisphos.oncology.patient import ADULT_PLAUSIBLE_RANGES, AdultPatient, ClinicianOverride
from bisphos.oncology.regimens import Regimen, RenalRule
from bisphos.units import Quantity, format_quantity, ureg

__all__ = [
    "ACLASTA_SOURCE",
    "ACTONEL_SOURCE",
    "CLEARANCE_MINIMUMS",
    "COCKCROFT_GAULT_SOURCE",
    "FOSAMAX_SOURCE",
    "ZOLEDRONIC_ACID_4MG_BANDS",
    "ZOMETA_SOURCE",
    "ClearanceBand",
    "ClearanceMinimum",
    "CreatinineClearance",
    "RenalOutcome",
    "RenalStatus",
    "assess_renal",
    "cockcroft_gault",
    "creatinine_clearance",
    "creatinine_each_dose_finding",
    "creatinine_rise_withholds",
    "withhold_finding",
    "zoledronic_acid_4mg_band",
    "zoledronic_acid_4mg_dose",
]

#: The Zometa (zoledronic acid 4 mg, oncology) label's renal dose table.
ZOMETA_SOURCE: Final = (
    "Zometa 4 mg SmPC, section 4.2: creatinine clearance (Cockcroft-Gault) > 60 ml/min 4.0 mg, "
    "50-60 ml/min 3.5 mg, 40-49 ml/min 3.3 mg, 30-39 ml/min 3.0 mg; not recommended < 30 ml/min"
)
#: The Aclasta (zoledronic acid 5 mg, osteoporosis) label's contraindication.
ACLASTA_SOURCE: Final = (
    "Aclasta 5 mg SmPC, section 4.3: contraindicated with creatinine clearance < 35 ml/min"
)
#: The Fosamax (alendronic acid) label's renal limit.
FOSAMAX_SOURCE: Final = (
    "Fosamax SmPC, section 4.2: not recommended with creatinine clearance < 35 ml/min"
)
#: The Actonel (risedronic acid) label's renal limit.
ACTONEL_SOURCE: Final = (
    "Actonel SmPC, section 4.3: contraindicated with creatinine clearance < 30 ml/min"
)
#: The formula, as the Zometa label states it.
COCKCROFT_GAULT_SOURCE: Final = (
    "Cockcroft and Gault, Nephron 1976: (140 - age) x weight (kg) / (72 x creatinine (mg/dl)), "
    "x 0.85 for women; as used by the Zometa SmPC"
)

_RULE: Final = ("O-RENAL",)
_FEMALE_FACTOR: Final = 0.85
_UMOL_PER_MG_DL: Final = 88.4  # creatinine, as bisphos.quantities.CREATININE converts
_AGE: Final = PlausibleRange(q.AGE, 0.0, 120.0, "Cockcroft-Gault needs an age under 140")


def _ml_min(value: float) -> Quantity:
    return ureg.Quantity(value, "milliliter / minute")


@attrs.frozen
class ClearanceBand:
    """One band of creatinine clearance with the dose the label gives in it.

    Attributes:
        lower: Lower bound in ml/min; ``None`` for no lower bound.
        lower_inclusive: Whether ``lower`` itself belongs to the band.
        upper: Upper bound in ml/min; ``None`` for no upper bound.
        upper_inclusive: Whether ``upper`` itself belongs to the band.
        dose: The dose in the band; ``None`` where the drug is not recommended.
    """

    lower: float | None
    lower_inclusive: bool
    upper: float | None
    upper_inclusive: bool
    dose: Quantity | None

    def contains(self, clearance_ml_min: float) -> bool:
        """Return whether a clearance in ml/min, at the comparison resolution, is in the band."""
        value = resolve(clearance_ml_min)
        if self.lower is not None and (
            value < self.lower or (value == self.lower and not self.lower_inclusive)
        ):
            return False
        return (
            self.upper is None
            or value < self.upper
            or (value == self.upper and self.upper_inclusive)
        )

    def __str__(self) -> str:
        low = "-inf" if self.lower is None else f"{self.lower:g}"
        high = "inf" if self.upper is None else f"{self.upper:g}"
        left = "[" if self.lower_inclusive else "("
        right = "]" if self.upper_inclusive else ")"
        return f"{left}{low}, {high}{right} ml/min"


def _band(interval: str, mg: float | None) -> ClearanceBand:
    # Interval notation as the catalogue writes it: "[50, 60]", "[40, 50)", "(60, inf)".
    low, high = (part.strip() for part in interval[1:-1].split(","))
    return ClearanceBand(
        lower=None if low == "-inf" else float(low),
        lower_inclusive=interval[0] == "[",
        upper=None if high == "inf" else float(high),
        upper_inclusive=interval[-1] == "]",
        dose=None if mg is None else ureg.Quantity(mg, "milligram"),
    )


#: Zoledronic acid 4 mg by creatinine clearance, as the catalogue decides: gap-free, half-open.
ZOLEDRONIC_ACID_4MG_BANDS: Final = (
    _band("(60, inf)", 4.0),
    _band("[50, 60]", 3.5),
    _band("[40, 50)", 3.3),
    _band("[30, 40)", 3.0),
    _band("[0, 30)", None),
)


@attrs.frozen
class ClearanceMinimum:
    """A clearance below which a regimen is refused; at the minimum itself it is allowed.

    Attributes:
        minimum: The lowest allowed clearance, in ml/min.
        consequence: The label's word for use below it.
        source: The label.
    """

    minimum: Quantity
    consequence: str
    source: str


#: The minimum clearances of O-RENAL, by renal rule.
CLEARANCE_MINIMUMS: Final[dict[RenalRule, ClearanceMinimum]] = {
    RenalRule.ZOLEDRONIC_ACID_5MG: ClearanceMinimum(
        _ml_min(35.0), "contraindicated", ACLASTA_SOURCE
    ),
    RenalRule.ALENDRONIC_ACID: ClearanceMinimum(_ml_min(35.0), "not recommended", FOSAMAX_SOURCE),
    RenalRule.RISEDRONIC_ACID: ClearanceMinimum(_ml_min(30.0), "contraindicated", ACTONEL_SOURCE),
}


def _clearance(value: Quantity) -> float:
    return q.CLEARANCE.magnitude(value, field="creatinine_clearance")


def cockcroft_gault(*, age: Quantity, weight: Quantity, creatinine: Quantity, sex: Sex) -> Quantity:
    """Return the creatinine clearance by Cockcroft-Gault, in ml/min (O-RENAL).

    ``(140 - age) x weight / (72 x creatinine in mg/dl)``, times 0.85 unless the patient is male:
    the female factor also applies to sex ``other``, the lower (conservative) estimate.

    Args:
        age: Age in years (the protocol passes completed years).
        weight: Actual body weight.
        creatinine: Serum creatinine, in any accepted creatinine unit.
        sex: Female, male or other.

    Raises:
        InputError: a value has the wrong unit or is implausible.
    """
    age_years = float(_AGE.check(age, field="age").magnitude)
    weight_kg = float(ADULT_PLAUSIBLE_RANGES["weight"].check(weight, field="weight").magnitude)
    creatinine_umol_l = float(
        PLAUSIBLE_RANGES["creatinine"].check(creatinine, field="serum_creatinine").magnitude
    )
    creatinine_mg_dl = creatinine_umol_l / _UMOL_PER_MG_DL
    factor = 1.0 if Sex(sex) is Sex.MALE else _FEMALE_FACTOR
    return _ml_min((140.0 - age_years) * weight_kg * factor / (72.0 * creatinine_mg_dl))


@attrs.frozen
class CreatinineClearance:
    """A patient's creatinine clearance with the values it was computed from.

    Attributes:
        value: The clearance, in ml/min.
        method: How it was obtained.
        evidence: Age, weight, creatinine and sex that went into it.
    """

    value: Quantity
    method: str
    evidence: tuple[Evidence, ...]


def creatinine_clearance(patient: AdultPatient) -> CreatinineClearance | None:
    """Return the patient's Cockcroft-Gault clearance, or ``None`` without a serum creatinine."""
    if patient.serum_creatinine is None:
        return None
    value = cockcroft_gault(
        age=patient.age,
        weight=patient.weight,
        creatinine=patient.serum_creatinine,
        sex=patient.sex,
    )
    return CreatinineClearance(
        value=value,
        method=COCKCROFT_GAULT_SOURCE,
        evidence=(
            Evidence("age", patient.age),
            Evidence("weight", patient.weight),
            Evidence("serum_creatinine", patient.serum_creatinine),
            Evidence("sex", patient.sex.value),
        ),
    )


def zoledronic_acid_4mg_band(clearance: Quantity) -> ClearanceBand:
    """Return the band of :data:`ZOLEDRONIC_ACID_4MG_BANDS` holding ``clearance`` (O-RENAL).

    Raises:
        DimensionError: ``clearance`` is not a clearance in ml/min (e.g. a GFR per 1.73 m²).
    """
    value = _clearance(clearance)
    if value < 0:
        raise ImplausibleValueError(
            "a clearance cannot be negative",
            field="creatinine_clearance",
            value=format_quantity(q.CLEARANCE.conform(clearance, field="creatinine_clearance")),
            expected="0 ml/min or more",
        )
    (band,) = (band for band in ZOLEDRONIC_ACID_4MG_BANDS if band.contains(value))
    return band


def zoledronic_acid_4mg_dose(clearance: Quantity) -> Quantity | None:
    """Return the zoledronic acid dose for ``clearance``; ``None`` below 30 ml/min (O-RENAL)."""
    return zoledronic_acid_4mg_band(clearance).dose


class RenalStatus(enum.StrEnum):
    """What renal function means for one regimen."""

    ALLOWED = "allowed"
    ADJUSTED = "adjusted"
    REFUSED = "refused"
    UNKNOWN = "unknown"
    NOT_QUANTIFIED = "not_quantified"


@attrs.frozen
class RenalOutcome:
    """The renal decision for one regimen.

    Attributes:
        status: Allowed, adjusted, refused, unknown (no clearance) or not quantified.
        dose: The dose per administration after renal adjustment; ``None`` when refused or
            unknown.
        finding: The finding that explains it, with the clearance and the limit as evidence.
    """

    status: RenalStatus
    dose: Quantity | None
    finding: Finding | None


def assess_renal(
    regimen: Regimen,
    clearance: Quantity | None,
    *,
    override: ClinicianOverride | None = None,
) -> RenalOutcome:
    """Apply the renal rule of ``regimen`` to a creatinine clearance (O-RENAL, O-LABEL).

    Args:
        regimen: A catalogue regimen.
        clearance: The Cockcroft-Gault clearance in ml/min, or ``None`` when not known.
        override: A clinician's override of pamidronate's severe-renal limit, if any: the only
            renal limit that is soft (O-LABEL).

    Raises:
        DimensionError: ``clearance`` is not a clearance in ml/min.
    """
    rule = regimen.renal
    if rule is RenalRule.NONE:
        return RenalOutcome(RenalStatus.ALLOWED, regimen.dose, None)
    if rule is RenalRule.LABEL_NOT_QUANTIFIED:
        return RenalOutcome(
            RenalStatus.NOT_QUANTIFIED,
            regimen.dose,
            Finding(
                code="renal-adjustment-not-quantified",
                rule_ids=_RULE,
                severity=Severity.WARN,
                message=f"{regimen.id}: adjust to renal function as the product label says; "
                "the protocol holds no figures for this product",
                evidence=_clearance_evidence(regimen, clearance),
                action="check the product label's renal dosing before each administration",
            ),
        )
    if clearance is None:
        return RenalOutcome(
            RenalStatus.UNKNOWN,
            None,
            Finding(
                code="creatinine-clearance-missing",
                rule_ids=_RULE,
                severity=Severity.BLOCK,
                message=f"{regimen.id}: no creatinine clearance, so the renal limit cannot be "
                "checked",
                evidence=(Evidence("regimen", regimen.id),),
                action="measure serum creatinine; the clearance is computed by Cockcroft-Gault",
            ),
        )
    if rule is RenalRule.ZOLEDRONIC_ACID_4MG:
        return _zoledronic_acid_4mg(regimen, clearance)
    if rule is RenalRule.PAMIDRONATE:
        return _pamidronate(regimen, clearance, override)
    return _minimum(regimen, clearance, CLEARANCE_MINIMUMS[rule])


def _clearance_evidence(
    regimen: Regimen, clearance: Quantity | None, threshold: Quantity | str | None = None
) -> tuple[Evidence, ...]:
    items = [Evidence("regimen", regimen.id)]
    if clearance is not None:
        items.append(Evidence("creatinine_clearance", clearance, threshold))
    return tuple(items)


def _zoledronic_acid_4mg(regimen: Regimen, clearance: Quantity) -> RenalOutcome:
    band = zoledronic_acid_4mg_band(clearance)
    evidence = _clearance_evidence(regimen, _ml_min(_clearance(clearance)), str(band))
    if band.dose is None:
        return RenalOutcome(
            RenalStatus.REFUSED,
            None,
            Finding(
                code="zoledronic-acid-renal-not-recommended",
                rule_ids=_RULE,
                severity=Severity.BLOCK,
                message=f"{regimen.id}: not recommended with a creatinine clearance below "
                f"30 ml/min ({ZOMETA_SOURCE})",
                evidence=evidence,
                action="choose a regimen without this renal limit",
                params={"source": ZOMETA_SOURCE},
            ),
        )
    full = band.dose == regimen.dose
    return RenalOutcome(
        RenalStatus.ALLOWED if full else RenalStatus.ADJUSTED,
        band.dose,
        Finding(
            code="zoledronic-acid-renal-dose",
            rule_ids=_RULE,
            severity=Severity.INFO,
            message=f"{regimen.id}: {format_quantity(band.dose)} for a creatinine clearance "
            f"in {band} ({ZOMETA_SOURCE})",
            evidence=(*evidence, Evidence("dose", band.dose)),
            params={"source": ZOMETA_SOURCE},
        ),
    )


def _minimum(regimen: Regimen, clearance: Quantity, limit: ClearanceMinimum) -> RenalOutcome:
    value = _clearance(clearance)
    minimum = float(limit.minimum.m_as("milliliter / minute"))
    evidence = _clearance_evidence(regimen, _ml_min(value), limit.minimum)
    if resolve(value) < minimum:
        return RenalOutcome(
            RenalStatus.REFUSED,
            None,
            Finding(
                code="renal-limit",
                rule_ids=_RULE,
                severity=Severity.BLOCK,
                message=f"{regimen.id}: {limit.consequence} with a creatinine clearance below "
                f"{minimum:g} ml/min ({limit.source})",
                evidence=evidence,
                action="choose a regimen without this renal limit",
                variant=limit.consequence.replace(" ", "-"),
                params={"source": limit.source},
            ),
        )
    return RenalOutcome(
        RenalStatus.ALLOWED,
        regimen.dose,
        Finding(
            code="renal-limit-met",
            rule_ids=_RULE,
            severity=Severity.INFO,
            message=f"{regimen.id}: creatinine clearance at or above {minimum:g} ml/min "
            f"({limit.source})",
            evidence=evidence,
            params={"source": limit.source},
        ),
    )


def _pamidronate(
    regimen: Regimen, clearance: Quantity, override: ClinicianOverride | None
) -> RenalOutcome:
    # O-LABEL: not recommended below 30 ml/min, a soft limit a clinician may override with a
    # coded reason; the deck names no renal figure for pamidronate, the label does.
    value = _clearance(clearance)
    label = restriction("pamidronate-severe-renal")
    minimum = PAMIDRONATE_NOT_RECOMMENDED_BELOW_ML_MIN
    evidence = _clearance_evidence(regimen, _ml_min(value), _ml_min(minimum))
    if resolve(value) >= minimum:
        return RenalOutcome(RenalStatus.ALLOWED, regimen.dose, None)
    if override is None:
        return RenalOutcome(
            RenalStatus.REFUSED,
            None,
            Finding(
                code="pamidronate-renal-not-recommended",
                rule_ids=("O-RENAL", "O-LABEL"),
                severity=Severity.BLOCK,
                message=f"{regimen.id}: not recommended with a creatinine clearance below "
                f"{minimum:g} ml/min (the label, {label.year}; the deck names no renal figure)",
                evidence=evidence,
                action="choose a regimen without this renal limit, or record a clinician "
                "override with a coded reason",
            ),
        )
    return RenalOutcome(
        RenalStatus.ADJUSTED,
        regimen.dose,
        Finding(
            code="pamidronate-renal-override",
            rule_ids=("O-RENAL", "O-LABEL"),
            severity=Severity.WARN,
            message=f"{regimen.id}: offered with a creatinine clearance below {minimum:g} ml/min "
            "on a clinician override the request records; the label does not recommend it",
            evidence=evidence,
            action="infuse at no more than 20 mg/h and measure creatinine before each dose",
        ),
    )


#: The regimens whose labels ask for a creatinine before each dose and withhold on a rise.
_MONITORED: Final = frozenset({RenalRule.ZOLEDRONIC_ACID_4MG, RenalRule.PAMIDRONATE})


def _mg_dl(value: Quantity) -> float:
    umol_l = float(PLAUSIBLE_RANGES["creatinine"].check(value, field="serum_creatinine").magnitude)
    return umol_l / _UMOL_PER_MG_DL


def creatinine_rise_withholds(current: Quantity, baseline: Quantity) -> bool:
    """Return whether the label's withhold rule holds the dose (O-LABEL).

    A rise of 0.5 mg/dl or more from a normal baseline (below 1.4 mg/dl), or of 1.0 mg/dl or more
    from an abnormal one, withholds the dose, compared at the resolution of
    :mod:`bisphos.oncology._resolution`.
    """
    base_mg_dl = _mg_dl(baseline)
    rise = resolve(_mg_dl(current) - base_mg_dl)
    normal = resolve(base_mg_dl) < WITHHOLD_NORMAL_BASELINE_BELOW_MG_DL
    return rise >= (WITHHOLD_NORMAL_RISE_MG_DL if normal else WITHHOLD_ABNORMAL_RISE_MG_DL)


def withhold_finding(regimen: Regimen, patient: AdultPatient) -> Finding | None:
    """Return the blocking finding of the label's withhold rule for ``regimen``, or ``None``.

    Applies to zoledronic acid 4 mg and pamidronate when both the creatinine before today's dose
    and the baseline are known (O-LABEL; the pamidronate label has the same rule).
    """
    current, baseline = patient.serum_creatinine, patient.baseline_creatinine
    if regimen.renal not in _MONITORED or current is None or baseline is None:
        return None
    if not creatinine_rise_withholds(current, baseline):
        return None
    base_mg_dl = _mg_dl(baseline)
    normal = resolve(base_mg_dl) < WITHHOLD_NORMAL_BASELINE_BELOW_MG_DL
    limit = WITHHOLD_NORMAL_RISE_MG_DL if normal else WITHHOLD_ABNORMAL_RISE_MG_DL
    label = restriction("zoledronic-acid-withhold")
    resume = base_mg_dl * (1 + WITHHOLD_RESUME_WITHIN_FRACTION)
    return Finding(
        code="creatinine-rise-withhold",
        rule_ids=("O-LABEL",),
        severity=Severity.BLOCK,
        message=f"{regimen.id}: withhold: the creatinine rose from its baseline by the label's "
        f"limit or more (the label, {label.year})",
        evidence=(
            Evidence("regimen", regimen.id),
            Evidence("serum_creatinine", ureg.Quantity(_mg_dl(current), "mg/dL")),
            Evidence("baseline_creatinine", ureg.Quantity(base_mg_dl, "mg/dL")),
            Evidence(
                "creatinine_rise",
                ureg.Quantity(_mg_dl(current) - base_mg_dl, "mg/dL"),
                ureg.Quantity(limit, "mg/dL"),
            ),
            Evidence("resume_at_or_below", ureg.Quantity(resume, "mg/dL")),
        ),
        action="withhold the dose until the creatinine is back within 10 % of the baseline",
    )


def creatinine_each_dose_finding(regimen: Regimen) -> Finding | None:
    """Return the label's "creatinine before each dose" for ``regimen``, or ``None`` (O-LABEL)."""
    if regimen.renal not in _MONITORED:
        return None
    return Finding(
        code="creatinine-before-each-dose",
        rule_ids=("O-LABEL",),
        severity=Severity.INFO,
        message=f"{regimen.id}: serum creatinine before each dose (the current label)",
        evidence=(Evidence("regimen", regimen.id),),
        action="measure serum creatinine before each dose and recompute the clearance",
    )
