"""The infusion of an intravenous oncology regimen: volume, duration and rate (O-LABEL).

The deck gives pamidronate as "90 mg, the infusion takes 2 hours" and zoledronic acid as "a few
minutes"; the labels give the figures a ward prepares: zoledronic acid 4 mg in 100 ml over no
less than 15 minutes; pamidronate 90 mg in 250 ml over at least 2 hours for bone metastases, in
500 ml over 4 hours in multiple myeloma, never faster than 60 mg/h and no faster than 20 mg/h in
renal impairment (a creatinine clearance below 60 ml/min), so that its duration becomes the longer
of the default and dose / 20 mg/h. The rate and concentration are computed from the infusion's
own dose, volume and duration, never stored beside them.
"""

from __future__ import annotations

import attrs

from bisphos.findings import Evidence, Finding, Severity
from bisphos.oncology._resolution import resolve
from bisphos.oncology.labels import (
    PAMIDRONATE_BONE_METASTASES_HOURS,
    PAMIDRONATE_BONE_METASTASES_ML,
    PAMIDRONATE_MYELOMA_HOURS,
    PAMIDRONATE_MYELOMA_ML,
    PAMIDRONATE_RENAL_IMPAIRMENT_BELOW_ML_MIN,
    PAMIDRONATE_RENAL_RATE_MG_H,
    ZOLEDRONIC_ACID_MIN_MINUTES,
    ZOLEDRONIC_ACID_VOLUME_ML,
    restriction,
)
from bisphos.oncology.patient import Setting
from bisphos.oncology.regimens import Drug, Regimen, Route
from bisphos.units import Quantity, ureg

__all__ = ["OncologyInfusion", "plan_infusion"]


@attrs.frozen
class OncologyInfusion:
    """How one intravenous administration is given.

    Attributes:
        dose: The dose infused, in mg.
        volume: The volume of the infusion bag, in ml.
        duration: How long it runs.
        rule_ids: The rules its figures come from.
    """

    dose: Quantity
    volume: Quantity
    duration: Quantity
    rule_ids: tuple[str, ...] = ("O-LABEL",)

    @property
    def rate(self) -> Quantity:
        """The drug rate, dose / duration, in mg/h."""
        mg = float(self.dose.m_as("milligram"))
        return ureg.Quantity(mg / float(self.duration.m_as("hour")), "milligram / hour")

    @property
    def pump_rate(self) -> Quantity:
        """The pump rate, volume / duration, in ml/h."""
        ml = float(self.volume.m_as("milliliter"))
        return ureg.Quantity(ml / float(self.duration.m_as("hour")), "milliliter / hour")

    @property
    def concentration(self) -> Quantity:
        """The final concentration, dose / volume, in mg/ml."""
        mg = float(self.dose.m_as("milligram"))
        return ureg.Quantity(mg / float(self.volume.m_as("milliliter")), "milligram / milliliter")


def _hours(value: float) -> Quantity:
    return ureg.Quantity(value, "hour")


def plan_infusion(
    row: Regimen,
    dose: Quantity,
    *,
    setting: Setting,
    clearance: Quantity | None,
) -> tuple[OncologyInfusion | None, tuple[Finding, ...]]:
    """Return the infusion of one administration of ``row`` at ``dose``, with its findings.

    Args:
        row: The regimen; only intravenous zoledronic acid and pamidronate have an infusion.
        dose: The dose after renal adjustment.
        setting: The patient's setting (multiple myeloma: pamidronate over 4 hours).
        clearance: The Cockcroft-Gault clearance, or ``None`` when unknown (then the regimen is
            not offered and no infusion is planned by the caller).

    Returns:
        ``(None, ())`` for a regimen without an infusion the labels describe.
    """
    if row.route is not Route.INTRAVENOUS:
        return None, ()
    if row.drug is Drug.ZOLEDRONIC_ACID:
        infusion = OncologyInfusion(
            dose=dose,
            volume=ureg.Quantity(ZOLEDRONIC_ACID_VOLUME_ML, "milliliter"),
            duration=ureg.Quantity(ZOLEDRONIC_ACID_MIN_MINUTES, "minute"),
        )
        return infusion, ()
    if row.drug is not Drug.PAMIDRONATE:
        return None, ()
    myeloma = setting is Setting.MULTIPLE_MYELOMA
    volume_ml = PAMIDRONATE_MYELOMA_ML if myeloma else PAMIDRONATE_BONE_METASTASES_ML
    hours = PAMIDRONATE_MYELOMA_HOURS if myeloma else PAMIDRONATE_BONE_METASTASES_HOURS
    findings: list[Finding] = []
    if clearance is not None:
        ml_min = float(clearance.m_as("milliliter / minute"))
        if resolve(ml_min) < PAMIDRONATE_RENAL_IMPAIRMENT_BELOW_ML_MIN:
            mg = float(dose.m_as("milligram"))
            hours = max(hours, mg / PAMIDRONATE_RENAL_RATE_MG_H)
            label = restriction("pamidronate-rate")
            findings.append(
                Finding(
                    code="pamidronate-renal-rate",
                    rule_ids=("O-LABEL",),
                    severity=Severity.WARN,
                    message=f"{row.id}: creatinine clearance below 60 ml/min: no faster than "
                    f"20 mg/h, so the infusion runs longer (the label, {label.year})",
                    evidence=(
                        Evidence("regimen", row.id),
                        Evidence(
                            "creatinine_clearance",
                            ureg.Quantity(ml_min, "milliliter / minute"),
                            ureg.Quantity(
                                PAMIDRONATE_RENAL_IMPAIRMENT_BELOW_ML_MIN, "milliliter / minute"
                            ),
                        ),
                        Evidence("duration", _hours(hours)),
                    ),
                )
            )
    infusion = OncologyInfusion(
        dose=dose,
        volume=ureg.Quantity(volume_ml, "milliliter"),
        duration=_hours(hours),
    )
    return infusion, tuple(findings)
