"""Monitoring during the infusion (P-MON-CHECKS, P-MON-CALL, P-MON-HYPOCA).

The nurse records weight, heart rate, blood pressure and temperature before and after the
infusion. The physician is called for an acute-phase reaction: a temperature above 38.5 °C, a heart
rate or blood pressure more than 20 % above or below baseline, myalgia or arthralgia. Systolic and
diastolic pressure are each compared with their own baseline. The baseline is the patient's
recorded baseline vitals, sign by sign, and otherwise today's pre-infusion vitals.
"""

from __future__ import annotations

from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Patient, VitalSigns
from bisphos.pediatric.thresholds import (
    BLOOD_PRESSURE_RESOLUTION,
    FEVER,
    FEVER_TEMPERATURE,
    HEART_RATE_RESOLUTION,
    VITAL_SIGN_CHANGE,
    VITAMIN_D_DEFICIENCY,
    Resolution,
    below,
    exceeds,
    vital_sign_band,
)
from bisphos.quantities import QuantityKind
from bisphos.units import Quantity

__all__ = [
    "CALL_SYMPTOMS",
    "NURSE_CHECKS",
    "MonitoringPlan",
    "VitalSignBand",
    "check_observation",
    "monitoring_findings",
    "monitoring_plan",
]

#: What the nurse records before and after the infusion (P-MON-CHECKS).
NURSE_CHECKS: Final = ("weight", "heart rate", "blood pressure", "temperature")
#: Symptoms of an acute-phase reaction for which the physician is called (P-MON-CALL).
CALL_SYMPTOMS: Final = ("myalgia", "arthralgia")

_CALL = "Call the treating physician or the paediatric endocrinologist on call."


@attrs.frozen
class VitalSignBand:
    """The values of one vital sign within 20 % of its baseline (P-MON-CALL).

    Attributes:
        name: The field of :class:`~bisphos.model.VitalSigns`, e.g. ``"heart_rate"``.
        label: The sign in words, e.g. ``"heart rate"``.
        baseline: The baseline value.
        low: The lowest value within the band.
        high: The highest value within the band.
        resolution: The step at which values are compared with the band.
    """

    name: str
    label: str
    baseline: Quantity
    low: Quantity
    high: Quantity
    resolution: Resolution

    def deviation(self, value: Quantity) -> str | None:
        """Return ``"above"`` or ``"below"`` when ``value`` is outside the band, else ``None``."""
        if exceeds(value, self.high, self.resolution):
            return "above"
        if below(value, self.low, self.resolution):
            return "below"
        return None


@attrs.frozen
class MonitoringPlan:
    """What to check during the infusion and when to call the physician.

    Attributes:
        temperature_limit: Above this temperature the physician is called.
        heart_rate: The heart rate band, or ``None`` without a baseline heart rate.
        systolic_bp: The systolic pressure band, or ``None`` without a baseline.
        diastolic_bp: The diastolic pressure band, or ``None`` without a baseline.
        checks: What the nurse records before and after the infusion.
        symptoms: Symptoms for which the physician is called.
        rule_ids: The rules of the plan.
    """

    temperature_limit: Quantity
    heart_rate: VitalSignBand | None
    systolic_bp: VitalSignBand | None
    diastolic_bp: VitalSignBand | None
    checks: tuple[str, ...] = NURSE_CHECKS
    symptoms: tuple[str, ...] = CALL_SYMPTOMS
    rule_ids: tuple[str, ...] = ("P-MON-CHECKS", "P-MON-CALL")

    @property
    def bands(self) -> tuple[VitalSignBand, ...]:
        """The vital-sign bands that have a baseline."""
        return tuple(b for b in (self.heart_rate, self.systolic_bp, self.diastolic_bp) if b)

    @property
    def without_baseline(self) -> tuple[str, ...]:
        """The vital signs that have no baseline, in words."""
        signs = (
            ("heart rate", self.heart_rate),
            ("systolic blood pressure", self.systolic_bp),
            ("diastolic blood pressure", self.diastolic_bp),
        )
        return tuple(label for label, band in signs if band is None)


_SIGNS: Final[tuple[tuple[str, str, QuantityKind, Resolution], ...]] = (
    ("heart_rate", "heart rate", q.HEART_RATE, HEART_RATE_RESOLUTION),
    ("systolic_bp", "systolic blood pressure", q.BLOOD_PRESSURE, BLOOD_PRESSURE_RESOLUTION),
    ("diastolic_bp", "diastolic blood pressure", q.BLOOD_PRESSURE, BLOOD_PRESSURE_RESOLUTION),
)


#: The field of each vital sign, by its name in words.
_SIGN_FIELDS: Final = {label: name for name, label, _, _ in _SIGNS}


def _baseline(patient: Patient, name: str) -> Quantity | None:
    recorded = patient.baseline_vitals
    value: Quantity | None = None if recorded is None else getattr(recorded, name)
    return value if value is not None else getattr(patient.vitals, name)


def monitoring_plan(patient: Patient) -> MonitoringPlan:
    """Return the monitoring thresholds for the patient's infusion (P-MON-CHECKS, P-MON-CALL)."""
    bands: dict[str, VitalSignBand | None] = {}
    for name, label, kind, resolution in _SIGNS:
        baseline = _baseline(patient, name)
        if baseline is None:
            bands[name] = None
            continue
        low, high = vital_sign_band(baseline, kind)
        bands[name] = VitalSignBand(name, label, baseline, low, high, resolution)
    return MonitoringPlan(
        temperature_limit=FEVER_TEMPERATURE,
        heart_rate=bands["heart_rate"],
        systolic_bp=bands["systolic_bp"],
        diastolic_bp=bands["diastolic_bp"],
    )


def check_observation(
    plan: MonitoringPlan,
    observed: VitalSigns,
    *,
    myalgia: bool = False,
    arthralgia: bool = False,
) -> tuple[Finding, ...]:
    """Check vital signs and symptoms during the infusion against ``plan`` (P-MON-CALL).

    Returns one WARN finding per sign of an acute-phase reaction, each telling to call the
    physician; an empty tuple when there is none.
    """
    findings: list[Finding] = []
    temperature = observed.temperature
    if temperature is not None and FEVER.met(temperature):
        findings.append(
            Finding(
                code="acute-phase-temperature",
                rule_ids=("P-MON-CALL",),
                severity=Severity.WARN,
                message="Temperature above 38.5 °C during the infusion: acute-phase reaction.",
                evidence=(FEVER.evidence(temperature, "temperature"),),
                action=_CALL,
            )
        )
    for band in plan.bands:
        value: Quantity | None = getattr(observed, band.name)
        direction = None if value is None else band.deviation(value)
        if value is None or direction is None:
            continue
        limit = band.high if direction == "above" else band.low
        findings.append(
            Finding(
                code=f"acute-phase-{band.name.replace('_', '-')}",
                rule_ids=("P-MON-CALL",),
                severity=Severity.WARN,
                message=(
                    f"The {band.label} is more than {VITAL_SIGN_CHANGE.magnitude:g} % {direction} "
                    "baseline: acute-phase reaction."
                ),
                evidence=(
                    Evidence(band.name, value, threshold=limit),
                    Evidence(f"baseline {band.name}", band.baseline),
                ),
                action=_CALL,
                variant=direction,
            )
        )
    for symptom, present in (("myalgia", myalgia), ("arthralgia", arthralgia)):
        if present:
            findings.append(
                Finding(
                    code=f"acute-phase-{symptom}",
                    rule_ids=("P-MON-CALL",),
                    severity=Severity.WARN,
                    message=f"{symptom.capitalize()} during the infusion: acute-phase reaction.",
                    evidence=(Evidence(symptom, value=True),),
                    action=_CALL,
                )
            )
    return tuple(findings)


def _plan_evidence(plan: MonitoringPlan) -> tuple[Evidence, ...]:
    items = [Evidence("call above temperature", plan.temperature_limit)]
    for band in plan.bands:
        items.append(Evidence(f"call below {band.label}", band.low))
        items.append(Evidence(f"call above {band.label}", band.high))
    return tuple(items)


def monitoring_findings(
    patient: Patient, plan: MonitoringPlan, *, vitamin_d_known_sufficient: bool
) -> tuple[Finding, ...]:
    """Return the monitoring plan as findings, and the hypocalcaemia warning (P-MON-HYPOCA).

    Args:
        patient: The patient.
        plan: The patient's monitoring plan.
        vitamin_d_known_sufficient: Whether 25-OH vitamin D is known and not below 50 nmol/l;
            otherwise vitamin D intake is in doubt and serum calcium is checked after the infusion.
    """
    findings = [
        Finding(
            code="monitoring",
            rule_ids=plan.rule_ids,
            severity=Severity.INFO,
            message=(
                "Record weight, heart rate, blood pressure and temperature before and after the "
                "infusion; call the physician for a temperature above 38.5 °C, a heart rate or "
                "blood pressure more than 20 % from baseline, myalgia or arthralgia."
            ),
            evidence=_plan_evidence(plan),
        )
    ]
    if plan.without_baseline:
        missing = ", ".join(plan.without_baseline)
        findings.append(
            Finding(
                code="no-baseline-vitals",
                rule_ids=("P-MON-CHECKS", "P-MON-CALL"),
                severity=Severity.WARN,
                message=f"No baseline for {missing}: the 20 % limits cannot be set yet.",
                evidence=tuple(
                    Evidence(sign, "missing", path=f"baseline_vitals.{_SIGN_FIELDS[sign]}")
                    for sign in plan.without_baseline
                ),
                params={"signs": tuple(plan.without_baseline)},
                action=f"Record {missing} before the infusion as the baseline.",
            )
        )
    check_calcium = not vitamin_d_known_sufficient
    vitamin_d = patient.labs.vitamin_d_25oh
    evidence = (
        (Evidence("labs.vitamin_d_25oh", "missing"),)
        if vitamin_d is None
        else (VITAMIN_D_DEFICIENCY.evidence(vitamin_d.value, "labs.vitamin_d_25oh"),)
    )
    findings.append(
        Finding(
            code="hypocalcaemia-warning",
            rule_ids=("P-MON-HYPOCA",),
            severity=Severity.INFO,
            message=(
                "Warn child and parents to call for tingling or numbness around the mouth, in "
                "fingers or toes, or muscle cramps or spasms; for a convulsion call 112."
                + (
                    " Vitamin D intake is in doubt: check serum calcium after the infusion."
                    if check_calcium
                    else ""
                )
            ),
            evidence=evidence,
            action="Check serum calcium after the infusion." if check_calcium else "",
            variant="check-calcium" if check_calcium else "",
        )
    )
    return tuple(findings)
