"""Whether intravenous bisphosphonates are indicated (P-IND-*, P-FX-*, P-BMD).

All must hold: the condition is one of P-IND-A; there is no WNT1 or LRP5 variant (P-IND-GENE); no
spontaneous recovery is expected (P-IND-RECOVERY); and P-IND-B: a clinically significant fracture
history with a reduced bone density, where a vertebral compression fracture (P-FX-a) needs no
reduced density.

Fractures after high-energy trauma never count, whatever the site. Long-bone fractures count
for P-FX-b when the child was younger than 10 at the fracture and for P-FX-c when younger than 19,
by calendar birthdays when the date is known. For P-BMD the lowest lumbar spine or total body less
head Z-score counts; on one scan (same site and date) a size-corrected score replaces the
uncorrected one; femur scores do not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import attrs

from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import BmdMeasurement, BmdSite, Diagnosis, FractureSite, Patient, Trauma
from bisphos.pediatric.thresholds import (
    FX_A_MIN_COUNT,
    FX_B_AGE_YEARS,
    FX_B_MIN_COUNT,
    FX_C_AGE_YEARS,
    FX_C_MIN_COUNT,
    REDUCED_BMD,
    fracture_before_age,
)

__all__ = [
    "EXCLUDED_GENES",
    "INDICATED_DIAGNOSES",
    "FractureCounts",
    "Indication",
    "assess_indication",
    "count_fractures",
    "lowest_z_score",
]

#: The conditions of P-IND-A; ``Diagnosis.OTHER`` is not one of them.
INDICATED_DIAGNOSES: Final = frozenset(Diagnosis) - {Diagnosis.OTHER}

#: Gene variants for which bisphosphonates are not advised (P-IND-GENE).
EXCLUDED_GENES: Final = frozenset({"WNT1", "LRP5"})

_CRITERIA_WORDS: Final = {
    "P-FX-a": "a vertebral compression fracture",
    "P-FX-b": "2 or more long-bone fractures before age 10",
    "P-FX-c": "3 or more long-bone fractures before age 19",
}
_COUNTING_TRAUMA: Final = frozenset({Trauma.MINIMAL, Trauma.LOW})
_BMD_SITES: Final = frozenset({BmdSite.LUMBAR_SPINE, BmdSite.TOTAL_BODY_LESS_HEAD})


@attrs.frozen
class FractureCounts:
    """The fractures that count for P-FX-a, P-FX-b and P-FX-c.

    Attributes:
        vertebral: Vertebral compression fractures, not after high-energy trauma (P-FX-a).
        long_bone_before_10: Long-bone fractures after minimal or low trauma before the age of
            10 (P-FX-b).
        long_bone_before_19: Long-bone fractures after minimal or low trauma before the age of
            19 (P-FX-c).
        high_energy: Fractures after high-energy trauma, which never count.
    """

    vertebral: int
    long_bone_before_10: int
    long_bone_before_19: int
    high_energy: int

    def criteria(self) -> tuple[str, ...]:
        """Return the ids of the fracture criteria that hold, in catalogue order."""
        met = (
            ("P-FX-a", self.vertebral >= FX_A_MIN_COUNT),
            ("P-FX-b", self.long_bone_before_10 >= FX_B_MIN_COUNT),
            ("P-FX-c", self.long_bone_before_19 >= FX_C_MIN_COUNT),
        )
        return tuple(rule_id for rule_id, holds in met if holds)

    def evidence(self) -> tuple[Evidence, ...]:
        """Return the counts as evidence, each with the count its criterion needs.

        Fractures after high-energy trauma are listed as well, when there are any, to show
        they were left out.
        """
        items: tuple[Evidence, ...] = (
            Evidence(
                "vertebral compression fractures",
                self.vertebral,
                FX_A_MIN_COUNT,
                path="fractures.vertebral_compression",
            ),
            Evidence(
                "long-bone fractures before age 10",
                self.long_bone_before_10,
                FX_B_MIN_COUNT,
                path="fractures.long_bone_before_10",
            ),
            Evidence(
                "long-bone fractures before age 19",
                self.long_bone_before_19,
                FX_C_MIN_COUNT,
                path="fractures.long_bone_before_19",
            ),
        )
        if self.high_energy:
            items += (
                Evidence(
                    "fractures after high-energy trauma, not counted",
                    self.high_energy,
                    path="fractures.high_energy",
                ),
            )
        return items


def count_fractures(patient: Patient) -> FractureCounts:
    """Count the patient's fractures as P-FX-a, P-FX-b and P-FX-c count them."""
    vertebral = before_10 = before_19 = high_energy = 0
    for fracture in patient.fractures:
        if fracture.trauma is Trauma.HIGH:
            high_energy += 1
            continue
        if fracture.site is FractureSite.VERTEBRAL_COMPRESSION:
            vertebral += 1
        elif fracture.site is FractureSite.LONG_BONE and fracture.trauma in _COUNTING_TRAUMA:
            before_10 += fracture_before_age(fracture, patient.birth_date, FX_B_AGE_YEARS)
            before_19 += fracture_before_age(fracture, patient.birth_date, FX_C_AGE_YEARS)
    return FractureCounts(vertebral, before_10, before_19, high_energy)


def lowest_z_score(measurements: Iterable[BmdMeasurement]) -> BmdMeasurement | None:
    """Return the lumbar spine or total body less head measurement with the lowest Z-score.

    On one scan (same site and date) a size-corrected score replaces the uncorrected one. Femur
    scores do not count. ``None`` when no score of those sites is given.
    """
    scans: dict[tuple[BmdSite, dt.date | None], list[BmdMeasurement]] = {}
    for measurement in measurements:
        if measurement.site in _BMD_SITES:
            scans.setdefault((measurement.site, measurement.date), []).append(measurement)
    counted: list[BmdMeasurement] = []
    for scan in scans.values():
        corrected = [m for m in scan if m.size_corrected]
        counted.extend(corrected or scan)
    return min(counted, key=lambda m: m.z_score, default=None)


@attrs.frozen
class Indication:
    """Whether treatment is indicated, and why.

    Attributes:
        indicated: All of P-IND-A, P-IND-GENE, P-IND-RECOVERY and P-IND-B hold.
        fractures: The fracture counts.
        fracture_criteria: The ids of the P-FX criteria that hold.
        lowest_bmd: The measurement whose Z-score counts for P-BMD, if any.
        bmd_reduced: Whether that Z-score is -2.0 or lower.
        findings: The indication's findings: one ``indicated`` INFO finding, or a BLOCK finding
            for every reason it is not.
    """

    indicated: bool
    fractures: FractureCounts
    fracture_criteria: tuple[str, ...]
    lowest_bmd: BmdMeasurement | None
    bmd_reduced: bool
    findings: tuple[Finding, ...]

    @property
    def excluded(self) -> bool:
        """Whether the condition, a gene or expected recovery rules treatment out.

        Such a patient is not indicated whatever the fractures and bone density.
        """
        excluding = {"P-IND-A", "P-IND-GENE", "P-IND-RECOVERY"}
        return any(
            f.severity is Severity.BLOCK and excluding & set(f.rule_ids) for f in self.findings
        )


def _bmd_evidence(lowest: BmdMeasurement | None) -> Evidence:
    if lowest is None:
        return Evidence(
            "lowest DXA Z-score (LS/TBLH)", "none given", REDUCED_BMD.limit, path="bmd.z_score"
        )
    site = lowest.site.value + (", size-corrected" if lowest.size_corrected else "")
    return Evidence(
        f"lowest DXA Z-score ({site})", lowest.z_score, REDUCED_BMD.limit, path="bmd.z_score"
    )


def _exclusions(patient: Patient) -> list[Finding]:
    findings: list[Finding] = []
    if patient.diagnosis not in INDICATED_DIAGNOSES:
        findings.append(
            Finding(
                code="not-indicated-condition",
                rule_ids=("P-IND-A",),
                severity=Severity.BLOCK,
                message="The underlying condition is not one the protocol treats.",
                evidence=(Evidence("diagnosis", patient.diagnosis.value),),
            )
        )
    genes = sorted(EXCLUDED_GENES.intersection(patient.gene_variants))
    if genes:
        findings.append(
            Finding(
                code="not-indicated-gene",
                rule_ids=("P-IND-GENE",),
                severity=Severity.BLOCK,
                message=(
                    f"Osteoporosis with a {' and '.join(genes)} variant: bisphosphonates are "
                    "not advised."
                ),
                evidence=tuple(Evidence("gene_variants", gene) for gene in genes),
                params={"genes": tuple(genes)},
            )
        )
    if patient.risks.expected_spontaneous_recovery:
        findings.append(
            Finding(
                code="not-indicated-recovery",
                rule_ids=("P-IND-RECOVERY",),
                severity=Severity.BLOCK,
                message=(
                    "Spontaneous recovery is expected because the risk factor goes away: "
                    "no bisphosphonate infusions."
                ),
                evidence=(Evidence("risks.expected_spontaneous_recovery", value=True),),
            )
        )
    return findings


def assess_indication(patient: Patient) -> Indication:
    """Decide whether treatment is indicated (P-IND-A, P-IND-GENE, P-IND-RECOVERY, P-IND-B)."""
    counts = count_fractures(patient)
    criteria = counts.criteria()
    lowest = lowest_z_score(patient.bmd)
    reduced = lowest is not None and REDUCED_BMD.met(lowest.z_score)
    history = bool(criteria)
    criteria_met = "P-FX-a" in criteria or (history and reduced)
    findings = _exclusions(patient)
    evidence = (*counts.evidence(), _bmd_evidence(lowest))
    if not criteria_met:
        missing = []
        if not history:
            missing.append("no clinically significant fracture history")
        if not reduced:
            missing.append("no reduced bone density (Z-score -2.0 or lower)")
        findings.append(
            Finding(
                code="not-indicated-criteria",
                rule_ids=("P-IND-B", "P-FX-a", "P-FX-b", "P-FX-c", "P-BMD"),
                severity=Severity.BLOCK,
                message=f"Not indicated: {' and '.join(missing)}.",
                evidence=evidence,
                variant="neither" if len(missing) == 2 else "no-bmd" if history else "no-history",
            )
        )
    indicated = not findings
    if indicated:
        reasons = criteria + (("P-BMD",) if reduced else ())
        findings.append(
            Finding(
                code="indicated",
                rule_ids=("P-IND-A", "P-IND-B", *reasons),
                severity=Severity.INFO,
                message=(
                    f"Indicated: {patient.diagnosis.value.replace('_', ' ')} with "
                    + ", ".join(_CRITERIA_WORDS[c] for c in criteria)
                    + (" and a reduced bone density." if reduced else ".")
                ),
                evidence=(Evidence("diagnosis", patient.diagnosis.value), *evidence),
                variant="" if reduced else "bmd-not-reduced",
                params={"criteria": criteria},
            )
        )
    return Indication(
        indicated=indicated,
        fractures=counts,
        fracture_criteria=criteria,
        lowest_bmd=lowest,
        bmd_reduced=reduced,
        findings=tuple(findings),
    )
