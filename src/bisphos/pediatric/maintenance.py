"""Maintenance treatment: the entry conditions one by one, the BMD band, and when to stop.

P-MAINT-ENTRY lists what makes maintenance worth considering; each condition is evaluated on its
own as met, not met or unknown, with the values it rests on:

1. ``age`` — older than 2 years on the assessment date ("kinderen > 2 jaar"); on the second
   birthday itself a child is not yet older than 2.
2. ``active_treatment`` — the active treatment lasted "typically 5 ± 3 years": met from 2 years
   (the lower end) after the first infusion in the history to the assessment date; no infusion in
   the history is not met.
3. ``fewer_fractures`` — fewer fractures per year since the first infusion than before it. Rates
   are fractures per year of life before the first infusion and per year from the first infusion
   to the assessment date; high-energy fractures are not counted (they say nothing about bone
   fragility, P-FX-c). No fractures at all, or no time on one side, is unknown.
4. ``bmd_above_minus_2`` — BMD Z > −2 SDS on the latest scan (see :func:`latest_z_score`).
5. ``growing`` — a growing child (``Patient.still_growing``; not recorded is unknown).
6. ``condition`` — moderately severe or severe osteogenesis imperfecta, or another condition of
   P-IND-A with fractures and a low BMD (a Z-score ≤ −2 on any scan). Mild OI and conditions
   outside P-IND-A are not met; OI of unrecorded severity, or a low BMD never recorded, is unknown.

Maintenance may be considered when every condition is met; it is not when one is not met; the
answer is unknown otherwise. The band follows from the latest Z-score: −2 < Z ≤ 0 is
P-MAINT-MID, Z > 0 is P-MAINT-HIGH, Z ≤ −2 is no maintenance band (active treatment).
P-MAINT-STOP is advice: stop after 1–2 years depending on puberty and growth; in severe OI
continue until final height.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Final

import attrs

from bisphos.dates import add_months, birthday
from bisphos.errors import InvalidValueError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import (
    BmdMeasurement,
    BmdSite,
    Diagnosis,
    Drug,
    Fracture,
    OISeverity,
    Patient,
    Trauma,
)
from bisphos.pediatric.dosing import (
    DEFAULT_OPTIONS,
    DosingOptions,
    MaintenanceBand,
    dose_for,
)
from bisphos.pediatric.thresholds import MAINTENANCE_DXA_MAX_AGE_MONTHS
from bisphos.units import ureg

__all__ = [
    "ACTIVE_TREATMENT_MIN_MONTHS",
    "BAND_SITES",
    "BandReading",
    "ConditionStatus",
    "EntryCondition",
    "MaintenanceAssessment",
    "assess_maintenance",
    "band_reading",
    "entry_not_met",
    "latest_z_score",
    "maintenance_band",
    "maintenance_prompt",
    "stop_guidance",
]

#: Active treatment of at least this long meets P-MAINT-ENTRY: the lower end of 5 ± 3 years.
ACTIVE_TREATMENT_MIN_MONTHS: Final = 24
#: P-MAINT-ENTRY requires a BMD Z-score above this.
_Z_ENTRY: Final = -2.0
_DAYS_PER_YEAR: Final = 365.25
_ENTRY: Final = ("P-MAINT-ENTRY",)


class ConditionStatus(enum.StrEnum):
    """Whether one condition holds, as far as the record shows."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@attrs.frozen
class EntryCondition:
    """One condition of P-MAINT-ENTRY, evaluated.

    Attributes:
        name: Stable name, e.g. ``"bmd_above_minus_2"``.
        status: Met, not met or unknown.
        explanation: Why, in plain language.
        evidence: The values it rests on.
        rule_ids: The rules it comes from.
    """

    name: str
    status: ConditionStatus
    explanation: str
    evidence: tuple[Evidence, ...] = ()
    rule_ids: tuple[str, ...] = _ENTRY


@attrs.frozen
class MaintenanceAssessment:
    """The entry conditions, the overall answer, the band and the stop advice.

    Attributes:
        conditions: Every entry condition, in the order of P-MAINT-ENTRY.
        status: Met when all are met, not met when one is not, unknown otherwise.
        band: The BMD band of the latest Z-score, or ``None`` (no scan, or Z ≤ −2).
        z_score: The Z-score the band is read from.
        findings: The entry result and the P-MAINT-STOP advice as findings.
    """

    conditions: tuple[EntryCondition, ...]
    status: ConditionStatus
    band: MaintenanceBand | None
    z_score: float | None
    findings: tuple[Finding, ...]

    def condition(self, name: str) -> EntryCondition:
        """Return the condition called ``name``."""
        for condition in self.conditions:
            if condition.name == name:
                return condition
        raise KeyError(name)


def maintenance_band(z_score: float) -> MaintenanceBand | None:
    """Return the band of a BMD Z-score: MID for −2 < Z ≤ 0, HIGH for Z > 0, else ``None``."""
    if z_score > 0:
        return MaintenanceBand.HIGH
    if z_score > _Z_ENTRY:
        return MaintenanceBand.MID
    return None


#: The sites the maintenance band is read from (P-MAINT-BAND): never the femur.
BAND_SITES: Final = (BmdSite.LUMBAR_SPINE, BmdSite.TOTAL_BODY_LESS_HEAD)


@attrs.frozen
class BandReading:
    """The Z-score the maintenance band is read from (P-MAINT-BAND).

    Attributes:
        z_score: The lower of the latest lumbar-spine and the latest TBLH Z-score.
        site: The site of that score.
        date: The date of the older of the two latest scans (``None`` when one is undated).
        latest_date: The date of the newest scan used (``None`` when none is dated).
    """

    z_score: float
    site: BmdSite
    date: dt.date | None
    latest_date: dt.date | None


def _latest_at(scans: list[BmdMeasurement]) -> tuple[float, dt.date | None]:
    """The latest score at one site: the latest date's (undated only when none is dated)."""
    dated = [scan.date for scan in scans if scan.date is not None]
    latest = max(dated) if dated else None
    chosen = [scan for scan in scans if scan.date == latest]
    corrected = [scan.z_score for scan in chosen if scan.size_corrected]
    return min(corrected or [scan.z_score for scan in chosen]), latest


def band_reading(scans: Iterable[BmdMeasurement]) -> BandReading | None:
    """Return the reading of P-MAINT-BAND, or ``None`` without a lumbar-spine or TBLH scan.

    At each of the lumbar spine and the total body less head the latest scan counts (the
    size-corrected score where one is given on that date); the lower of the two is the band's
    Z-score. The femur never counts, and neither does an older, lower score.
    """
    by_site: dict[BmdSite, list[BmdMeasurement]] = {}
    for scan in scans:
        if scan.site in BAND_SITES:
            by_site.setdefault(scan.site, []).append(scan)
    if not by_site:
        return None
    latest = {site: _latest_at(items) for site, items in by_site.items()}
    site = min(latest, key=lambda item: (latest[item][0], BAND_SITES.index(item)))
    dates = [date for _, date in latest.values()]
    known = [date for date in dates if date is not None]
    return BandReading(
        z_score=latest[site][0],
        site=site,
        date=None if None in dates else min(known),
        latest_date=max(known) if known else None,
    )


def latest_z_score(scans: Iterable[BmdMeasurement]) -> tuple[float, dt.date | None] | None:
    """Return the Z-score of :func:`band_reading` and its date, or ``None`` without scans."""
    reading = band_reading(scans)
    return None if reading is None else (reading.z_score, reading.date)


def _stale_finding(reading: BandReading | None, on: dt.date) -> Finding | None:
    """WARN when the latest DXA of the band is older than 18 months or undated (P-MAINT-BAND)."""
    if reading is None:
        return None
    limit = add_months(on, -MAINTENANCE_DXA_MAX_AGE_MONTHS)
    if reading.date is not None and reading.date >= limit:
        return None
    return Finding(
        code="maintenance-band-dxa-old",
        rule_ids=("P-MAINT-BAND", "P-FU-DXA"),
        severity=Severity.WARN,
        message="the latest DXA is older than 18 months or undated: the maintenance band is "
        "uncertain",
        evidence=(
            Evidence("dxa_date", "missing" if reading.date is None else reading.date),
            Evidence("oldest_accepted_dxa", limit),
        ),
        action="repeat the DXA (lumbar spine, total body less head) before choosing the band",
    )


def _age(patient: Patient) -> EntryCondition:
    second = birthday(patient.birth_date, 2)
    evidence = (
        Evidence("birth_date", patient.birth_date),
        Evidence("assessment_date", patient.assessment_date),
    )
    if patient.assessment_date > second:
        return EntryCondition("age", ConditionStatus.MET, "older than 2 years", evidence)
    return EntryCondition(
        "age",
        ConditionStatus.NOT_MET,
        f"not older than 2 years (second birthday {second.isoformat()})",
        evidence,
    )


def _active_treatment(patient: Patient) -> EntryCondition:
    if not patient.infusions:
        return EntryCondition(
            "active_treatment", ConditionStatus.NOT_MET, "no infusion in the history"
        )
    first = patient.infusions[0].date
    months = _whole_months(first, patient.assessment_date)
    evidence = (
        Evidence("first_infusion", first),
        Evidence("months_of_treatment", months, threshold=ACTIVE_TREATMENT_MIN_MONTHS),
    )
    if months >= ACTIVE_TREATMENT_MIN_MONTHS:
        typical = "" if months <= 8 * 12 else "; longer than the typical 5 ± 3 years"
        return EntryCondition(
            "active_treatment",
            ConditionStatus.MET,
            f"{months} months of active treatment (typically 5 ± 3 years){typical}",
            evidence,
        )
    return EntryCondition(
        "active_treatment",
        ConditionStatus.NOT_MET,
        f"{months} months of active treatment, under the 2 years of 5 ± 3 years",
        evidence,
    )


def _whole_months(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if add_months(start, months) <= end else months - 1


def _fracture_age_days(patient: Patient, fracture: Fracture) -> float:
    if fracture.age_at_fracture is not None:
        return float(fracture.age_at_fracture.m_as("day"))
    if fracture.date is None:  # the model requires one of the two
        raise InvalidValueError("a fracture needs a date or an age", field="fractures")
    return float((fracture.date - patient.birth_date).days)


def _fewer_fractures(patient: Patient) -> EntryCondition:
    name = "fewer_fractures"
    if not patient.infusions:
        return EntryCondition(name, ConditionStatus.UNKNOWN, "no start of treatment in the history")
    start_days = float((patient.infusions[0].date - patient.birth_date).days)
    end_days = float((patient.assessment_date - patient.birth_date).days)
    counted = [f for f in patient.fractures if f.trauma is not Trauma.HIGH]
    before = sum(1 for f in counted if _fracture_age_days(patient, f) < start_days)
    after = len(counted) - before
    years_before = start_days / _DAYS_PER_YEAR
    years_after = (end_days - start_days) / _DAYS_PER_YEAR
    evidence: tuple[Evidence, ...] = (
        Evidence("fractures_before_treatment", before),
        Evidence("fractures_since_treatment", after),
        Evidence("years_before_treatment", ureg.Quantity(round(years_before, 2), "year")),
        Evidence("years_since_treatment", ureg.Quantity(round(years_after, 2), "year")),
    )
    if years_before <= 0 or years_after <= 0:
        return EntryCondition(
            name, ConditionStatus.UNKNOWN, "no time before or since the start", evidence
        )
    if not counted:
        return EntryCondition(
            name, ConditionStatus.UNKNOWN, "no fractures recorded to compare", evidence
        )
    rate_before = before / years_before
    rate_after = after / years_after
    evidence += (
        Evidence("rate_before_per_year", round(rate_before, 3)),
        Evidence("rate_since_per_year", round(rate_after, 3)),
    )
    if rate_after < rate_before:
        return EntryCondition(
            name,
            ConditionStatus.MET,
            f"{rate_after:.2f} fractures per year since the start, {rate_before:.2f} before",
            evidence,
        )
    return EntryCondition(
        name,
        ConditionStatus.NOT_MET,
        f"not fewer: {rate_after:.2f} fractures per year since the start, {rate_before:.2f} before",
        evidence,
    )


def _bmd(reading: BandReading | None) -> EntryCondition:
    name = "bmd_above_minus_2"
    rules = ("P-MAINT-ENTRY", "P-MAINT-BAND")
    if reading is None:
        return EntryCondition(
            name, ConditionStatus.UNKNOWN, "no DXA of the lumbar spine or TBLH", rule_ids=rules
        )
    z_score, date = reading.z_score, reading.date
    evidence: tuple[Evidence, ...] = (
        Evidence("latest_z_score", z_score, threshold=_Z_ENTRY),
        Evidence("latest_z_site", reading.site.value),
    )
    if date is not None:
        evidence += (Evidence("dxa_date", date),)
    if z_score > _Z_ENTRY:
        return EntryCondition(
            name, ConditionStatus.MET, f"latest Z = {z_score:g} > −2", evidence, rules
        )
    return EntryCondition(
        name, ConditionStatus.NOT_MET, f"latest Z = {z_score:g} ≤ −2", evidence, rules
    )


def _growing(patient: Patient) -> EntryCondition:
    evidence = (
        () if patient.still_growing is None else (Evidence("still_growing", patient.still_growing),)
    )
    if patient.still_growing is None:
        return EntryCondition("growing", ConditionStatus.UNKNOWN, "growth not recorded")
    if patient.still_growing:
        return EntryCondition("growing", ConditionStatus.MET, "still growing", evidence)
    return EntryCondition("growing", ConditionStatus.NOT_MET, "no longer growing", evidence)


def _condition(patient: Patient) -> EntryCondition:
    name = "condition"
    diagnosis = Evidence("diagnosis", patient.diagnosis.value)
    if patient.diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA:
        severity = patient.oi_severity
        if severity is None:
            return EntryCondition(
                name, ConditionStatus.UNKNOWN, "OI severity not recorded", (diagnosis,)
            )
        graded = (diagnosis, Evidence("oi_severity", severity.value))
        if severity is OISeverity.MILD:
            return EntryCondition(name, ConditionStatus.NOT_MET, "mild OI", graded)
        return EntryCondition(name, ConditionStatus.MET, f"{severity.value} OI", graded)
    if patient.diagnosis is Diagnosis.OTHER:
        return EntryCondition(
            name,
            ConditionStatus.NOT_MET,
            "a condition outside the guideline (P-IND-A)",
            (diagnosis,),
        )
    fractures = sum(1 for f in patient.fractures if f.trauma is not Trauma.HIGH)
    lowest = min((scan.z_score for scan in patient.bmd), default=None)
    evidence: tuple[Evidence, ...] = (diagnosis, Evidence("fractures", fractures))
    if lowest is not None:
        evidence += (Evidence("lowest_z_score", lowest, threshold=_Z_ENTRY),)
    if fractures == 0:
        return EntryCondition(name, ConditionStatus.NOT_MET, "no fractures recorded", evidence)
    if lowest is None or lowest > _Z_ENTRY:
        return EntryCondition(
            name, ConditionStatus.UNKNOWN, "a low BMD (Z ≤ −2) is not on record", evidence
        )
    return EntryCondition(
        name, ConditionStatus.MET, "a condition with fractures and a low BMD", evidence
    )


def _overall(conditions: Iterable[EntryCondition]) -> ConditionStatus:
    statuses = {condition.status for condition in conditions}
    if ConditionStatus.NOT_MET in statuses:
        return ConditionStatus.NOT_MET
    if ConditionStatus.UNKNOWN in statuses:
        return ConditionStatus.UNKNOWN
    return ConditionStatus.MET


def _entry_finding(
    status: ConditionStatus,
    conditions: tuple[EntryCondition, ...],
    band: MaintenanceBand | None,
) -> Finding:
    evidence = tuple(Evidence(c.name, c.status.value) for c in conditions)
    if status is ConditionStatus.MET:
        rules = ("P-MAINT-ENTRY",) if band is None else ("P-MAINT-ENTRY", band.rule_id)
        band_text = "" if band is None else f" ({band.value} band, {band.rule_id})"
        return Finding(
            code="maintenance-may-be-considered",
            rule_ids=rules,
            severity=Severity.INFO,
            message=f"maintenance treatment may be considered{band_text}",
            evidence=evidence,
            variant="" if band is None else band.value,
        )
    failing = [c.name for c in conditions if c.status is status]
    verb = "not met" if status is ConditionStatus.NOT_MET else "unknown"
    return Finding(
        code="maintenance-not-indicated"
        if status is ConditionStatus.NOT_MET
        else "maintenance-undecided",
        rule_ids=_ENTRY,
        severity=Severity.INFO,
        message=f"maintenance entry conditions {verb}: {', '.join(failing)}",
        evidence=evidence,
        params={"failing": tuple(failing)},
    )


def stop_guidance(patient: Patient, *, maintenance_start: dt.date | None = None) -> Finding:
    """Return the P-MAINT-STOP advice for ``patient``.

    Args:
        patient: The patient (diagnosis, OI severity, growth).
        maintenance_start: When maintenance began; gives the dates 1 and 2 years later.
    """
    evidence: list[Evidence] = [Evidence("diagnosis", patient.diagnosis.value)]
    if patient.oi_severity is not None:
        evidence.append(Evidence("oi_severity", patient.oi_severity.value))
    if patient.still_growing is not None:
        evidence.append(Evidence("still_growing", patient.still_growing))
    severe = (
        patient.diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA
        and patient.oi_severity is OISeverity.SEVERE
    )
    variant = ""
    if severe and patient.still_growing is False:
        message = "severe OI at final height: maintenance may now be stopped"
        variant = "severe-final-height"
    elif severe:
        message = "severe OI: continue maintenance until final height"
        variant = "severe"
    else:
        message = (
            "consider stopping maintenance after 1 to 2 years, depending on puberty and growth"
        )
    action = ""
    if maintenance_start is not None and not severe:
        one, two = add_months(maintenance_start, 12), add_months(maintenance_start, 24)
        evidence += [Evidence("maintenance_start", maintenance_start)]
        evidence += [Evidence("review_from", one), Evidence("review_by", two)]
        action = f"review stopping between {one.isoformat()} and {two.isoformat()}"
    return Finding(
        code="maintenance-stop",
        rule_ids=("P-MAINT-STOP",),
        severity=Severity.INFO,
        message=message,
        evidence=tuple(evidence),
        action=action,
        variant=variant,
    )


def assess_maintenance(
    patient: Patient, *, maintenance_start: dt.date | None = None
) -> MaintenanceAssessment:
    """Evaluate P-MAINT-ENTRY for ``patient``, read the band, and give the P-MAINT-STOP advice.

    Args:
        patient: The patient on the assessment date.
        maintenance_start: When maintenance began, if it has; dates the stop advice.
    """
    reading = band_reading(patient.bmd)
    conditions = (
        _age(patient),
        _active_treatment(patient),
        _fewer_fractures(patient),
        _bmd(reading),
        _growing(patient),
        _condition(patient),
    )
    status = _overall(conditions)
    band = None if reading is None else maintenance_band(reading.z_score)
    stale = _stale_finding(reading, patient.assessment_date)
    findings = (
        _entry_finding(status, conditions, band),
        *(() if stale is None else (stale,)),
        stop_guidance(patient, maintenance_start=maintenance_start),
    )
    return MaintenanceAssessment(
        conditions=conditions,
        status=status,
        band=band,
        z_score=None if reading is None else reading.z_score,
        findings=findings,
    )


def entry_not_met(assessment: MaintenanceAssessment) -> Finding | None:
    """Return the BLOCK that keeps a maintenance course unplanned (P-MAINT-ENTRY), if any.

    Every condition that is not met, or not known to be met, is listed. A clinician's override
    of P-MAINT-ENTRY with a coded reason releases it.
    """
    if assessment.status is ConditionStatus.MET:
        return None
    unmet = [c for c in assessment.conditions if c.status is not ConditionStatus.MET]
    listed = ", ".join(c.name for c in unmet)
    return Finding(
        code="maintenance-entry-not-met",
        rule_ids=("P-MAINT-ENTRY",),
        severity=Severity.BLOCK,
        message=f"no maintenance course: entry conditions not met or not known: {listed}",
        evidence=tuple(Evidence(c.name, c.status.value) for c in unmet),
        action="continue the active course, or record a clinician's override with a coded reason",
        params={"unmet": tuple(c.name for c in unmet)},
    )


def maintenance_prompt(
    patient: Patient, drug: Drug, *, options: DosingOptions = DEFAULT_OPTIONS
) -> tuple[Finding, ...]:
    """During an active course: WARN "maintenance to be considered" (P-MAINT-PROMPT).

    When every scan the band is read from (P-MAINT-BAND) was made after the first infusion in
    the history and gives a band (Z > −2), the warning names the band, the dose per kg and for
    the current weight, and the interval maintenance would give. The active dose is not changed.
    A latest DXA older than 18 months adds the warning that the band is uncertain.
    """
    if not patient.infusions:
        return ()
    reading = band_reading(patient.bmd)
    first = patient.infusions[0].date
    if reading is None or reading.date is None or reading.date <= first:
        return ()
    band = maintenance_band(reading.z_score)
    if band is None:
        return ()
    dose = dose_for(patient, drug, band=band, options=options)
    months = 6 if band is MaintenanceBand.MID else 12
    per_kg = f"{float(dose.per_kg.magnitude):g} mg/kg"  # the dose's canonical units
    shown = f"{float(dose.value.magnitude):g} mg"
    prompt = Finding(
        code="maintenance-to-be-considered",
        rule_ids=("P-MAINT-PROMPT", "P-MAINT-BAND", band.rule_id),
        severity=Severity.WARN,
        message=f"maintenance to be considered: the latest Z-score {reading.z_score:g} "
        f"({reading.site.value.replace('_', ' ')}, {reading.date.isoformat()}) is above -2; the "
        f"{band.value} band gives {per_kg} ({shown}) every {months} months",
        evidence=(
            Evidence("latest_z_score", reading.z_score, threshold=_Z_ENTRY),
            Evidence("latest_z_site", reading.site.value),
            Evidence("dxa_date", reading.date),
            Evidence("first_infusion", first),
            Evidence("band", band.value),
            Evidence("maintenance_per_kg", dose.per_kg),
            Evidence("maintenance_dose", dose.value),
            Evidence("maintenance_interval_months", months),
        ),
        action="review the entry conditions of maintenance (P-MAINT-ENTRY); the active dose is "
        "not changed",
    )
    stale = _stale_finding(reading, patient.assessment_date)
    return (prompt,) if stale is None else (prompt, stale)
