"""Precautions as findings: osteonecrosis of the jaw, denosumab, calcium and vitamin D.

- O-ONJ: dental evaluation before the start; no extractions or major jaw surgery during
  treatment; higher risk with monthly dosing and with longer treatment.
- O-DMAB-AGE: denosumab not under 18 (except skeletally mature adolescents with giant cell
  tumour of bone); rebound vertebral fractures whenever a plan stops or pauses denosumab.
- O-CAT: denosumab always with calcium and vitamin D (deep hypocalcaemia); zoledronic acid with
  calcium and vitamin D supplementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bisphos.dates import age_in_years, is_younger_than
from bisphos.findings import Evidence, Finding, Severity
from bisphos.oncology._resolution import resolve
from bisphos.oncology.durations import clinical_duration
from bisphos.oncology.labels import restriction
from bisphos.oncology.patient import AdultPatient
from bisphos.oncology.regimens import Drug, DrugClass, Regimen
from bisphos.units import Quantity, quantity, ureg

__all__ = [
    "DENOSUMAB_MINIMUM_AGE_YEARS",
    "SEVERE_CKD_EGFR",
    "denosumab_age_findings",
    "denosumab_ckd_findings",
    "denosumab_findings",
    "is_monthly",
    "onj_findings",
    "rebound_finding",
    "supplementation_findings",
]

#: Denosumab labels: not under this age (O-DMAB-AGE).
DENOSUMAB_MINIMUM_AGE_YEARS: Final = 18
#: Denosumab 60 mg: severe hypocalcaemia risk below this eGFR, ml/min/1.73 m² (O-LABEL).
SEVERE_CKD_EGFR: Final = 30.0
#: Without a laboratory eGFR, a Cockcroft-Gault clearance below this counts as severe CKD.
_SEVERE_CKD_CLEARANCE_ML_MIN: Final = 30.0
_MONTHLY_LOW_MONTHS: Final = 28 / (365.25 / 12)  # 4 weeks, in months
_MONTHLY_HIGH_MONTHS: Final = 1.0


def is_monthly(interval: Quantity) -> bool:
    """Return whether ``interval`` is 4 weeks to a month ("1x/mnd", O-ONJ)."""
    months = resolve(float(interval.m_as("month")))
    return resolve(_MONTHLY_LOW_MONTHS) <= months <= _MONTHLY_HIGH_MONTHS


def _bone_targeted(regimens: Sequence[Regimen]) -> tuple[Regimen, ...]:
    classes = {DrugClass.BISPHOSPHONATE, DrugClass.RANKL_ANTIBODY}
    return tuple(item for item in regimens if item.drug_class in classes)


def _ids(regimens: Sequence[Regimen]) -> str:
    return ", ".join(dict.fromkeys(item.id for item in regimens))


def onj_findings(
    patient: AdultPatient, planned: Sequence[tuple[Regimen, Quantity]]
) -> tuple[Finding, ...]:
    """Return the osteonecrosis-of-the-jaw precautions for the planned regimens (O-ONJ).

    Args:
        patient: The patient.
        planned: Each regimen that may be given, with the interval it is planned at.

    Returns:
        Nothing when no bisphosphonate or denosumab is planned.
    """
    offered = _bone_targeted([item for item, _ in planned])
    if not offered:
        return ()
    rule_ids = ("O-ONJ",)
    started = patient.treatment_start_date is not None
    findings: list[Finding] = []
    if not patient.dental_evaluation_done:
        findings.append(
            Finding(
                code="dental-evaluation-before-start",
                rule_ids=rule_ids,
                severity=Severity.WARN if started else Severity.BLOCK,
                message="a dentist evaluates the patient before bone-targeted treatment starts"
                + (" (no evaluation recorded for the running treatment)" if started else ""),
                evidence=(
                    Evidence("dental_evaluation_done", value=False),
                    Evidence("treatment_running", started),
                ),
                action="arrange a dental evaluation"
                + ("" if started else " before the first administration"),
                variant="running" if started else "",
            )
        )
    if patient.jaw_surgery_planned:
        findings.append(
            Finding(
                code="no-jaw-surgery-during-treatment",
                rule_ids=rule_ids,
                severity=Severity.WARN,
                message="no dental extractions or major jaw surgery during treatment",
                evidence=(Evidence("jaw_surgery_planned", value=True),),
                action="complete the extraction or surgery before the start, or defer it",
            )
        )
    monthly: list[Evidence] = []
    for item, interval in planned:
        evidence = Evidence(item.id, interval)
        if item in offered and is_monthly(interval) and evidence not in monthly:
            monthly.append(evidence)
    if monthly:
        findings.append(
            Finding(
                code="onj-risk-monthly-dosing",
                rule_ids=rule_ids,
                severity=Severity.INFO,
                message="the risk of osteonecrosis of the jaw is higher with monthly dosing",
                evidence=monthly,
            )
        )
    if patient.treatment_start_date is not None:
        days = (patient.assessment_date - patient.treatment_start_date).days
        findings.append(
            Finding(
                code="onj-risk-duration",
                rule_ids=rule_ids,
                severity=Severity.INFO,
                message="the risk of osteonecrosis of the jaw rises with the duration of treatment",
                evidence=(
                    Evidence("treatment_start_date", patient.treatment_start_date),
                    # Shown as a clinician counts it: 366 days are 12 months.
                    Evidence(
                        "time_on_treatment",
                        clinical_duration(ureg.Quantity(float(days), "day")),
                    ),
                ),
            )
        )
    return tuple(findings)


def denosumab_age_findings(patient: AdultPatient) -> tuple[Finding, ...]:
    """Return the denosumab age finding for a patient under 18, or nothing (O-DMAB-AGE).

    Under 18 denosumab is refused, except for a skeletally mature adolescent with giant cell
    tumour of bone, which the label allows; this protocol holds no regimen for that tumour, so
    the exception is information only.
    """
    limit = DENOSUMAB_MINIMUM_AGE_YEARS
    if not is_younger_than(patient.birth_date, limit, patient.assessment_date):
        return ()
    age = ureg.Quantity(float(age_in_years(patient.birth_date, patient.assessment_date)), "year")
    evidence = (
        Evidence("age", age, ureg.Quantity(float(limit), "year")),
        Evidence("giant_cell_tumour_of_bone", patient.giant_cell_tumour_of_bone),
        Evidence(
            "skeletally_mature",
            "unknown" if patient.skeletally_mature is None else patient.skeletally_mature,
        ),
    )
    if patient.giant_cell_tumour_of_bone and patient.skeletally_mature is True:
        return (
            Finding(
                code="denosumab-age-exception",
                rule_ids=("O-DMAB-AGE",),
                severity=Severity.INFO,
                message="the denosumab label allows skeletally mature adolescents with giant cell "
                "tumour of bone; this protocol holds no regimen for it",
                evidence=evidence,
                action="follow the label for giant cell tumour of bone",
            ),
        )
    return (
        Finding(
            code="denosumab-under-18",
            rule_ids=("O-DMAB-AGE",),
            severity=Severity.BLOCK,
            message="denosumab is not for patients under 18 (the label's only exception is a "
            "skeletally mature adolescent with giant cell tumour of bone)",
            evidence=evidence,
            action="no denosumab",
        ),
    )


def rebound_finding(patient: AdultPatient, *, plan_offers_denosumab: bool) -> Finding | None:
    """Return the rebound warning when the plan stops or pauses denosumab (O-DMAB-AGE).

    A plan stops denosumab when the caller says so (``denosumab_stop_planned``) or when the
    patient is on denosumab and the plan offers none.
    """
    stops = patient.denosumab_stop_planned or (patient.on_denosumab and not plan_offers_denosumab)
    if not stops:
        return None
    return Finding(
        code="denosumab-rebound",
        rule_ids=("O-DMAB-AGE",),
        severity=Severity.WARN,
        message="stopping or pausing denosumab is followed by rebound bone loss with multiple "
        "vertebral fractures",
        evidence=(
            Evidence("on_denosumab", patient.on_denosumab),
            Evidence("denosumab_stop_planned", patient.denosumab_stop_planned),
            Evidence("plan_offers_denosumab", plan_offers_denosumab),
        ),
        action="weigh the rebound risk before stopping or pausing; this protocol gives no "
        "transition regimen",
    )


def _lab_evidence(patient: AdultPatient) -> tuple[Evidence, ...]:
    return (
        Evidence("calcium", "not measured" if patient.calcium is None else patient.calcium),
        Evidence(
            "vitamin_d_25oh",
            "not measured" if patient.vitamin_d_25oh is None else patient.vitamin_d_25oh,
        ),
    )


def supplementation_findings(
    regimens: Sequence[Regimen], patient: AdultPatient
) -> tuple[Finding, ...]:
    """Return the calcium and vitamin D precautions of the regimens offered (O-CAT)."""
    findings: list[Finding] = []
    denosumab = tuple(item for item in regimens if item.drug is Drug.DENOSUMAB)
    if denosumab:
        findings.append(
            Finding(
                code="denosumab-hypocalcaemia",
                rule_ids=("O-CAT",),
                severity=Severity.WARN,
                message=f"{_ids(denosumab)}: deep hypocalcaemia, so always calcium and vitamin D "
                "supplementation",
                evidence=_lab_evidence(patient),
                action="give calcium and vitamin D throughout; correct hypocalcaemia and vitamin D "
                "deficiency before the first injection",
            )
        )
    zoledronic = tuple(item for item in regimens if item.drug is Drug.ZOLEDRONIC_ACID)
    if zoledronic:
        findings.append(
            Finding(
                code="zoledronic-acid-supplementation",
                rule_ids=("O-CAT",),
                severity=Severity.INFO,
                message=f"{_ids(zoledronic)}: supplement calcium and vitamin D",
                evidence=_lab_evidence(patient),
                action="give calcium and vitamin D",
            )
        )
    return tuple(findings)


def denosumab_findings(patient: AdultPatient, regimens: Sequence[Regimen]) -> tuple[Finding, ...]:
    """Return the age and rebound findings of denosumab for the regimens offered (O-DMAB-AGE)."""
    offers = any(item.drug is Drug.DENOSUMAB for item in regimens)
    findings = denosumab_age_findings(patient) if offers else ()
    rebound = rebound_finding(patient, plan_offers_denosumab=offers)
    return (*findings, rebound) if rebound is not None else findings


def denosumab_ckd_findings(
    patient: AdultPatient, regimens: Sequence[Regimen], clearance: Quantity | None
) -> tuple[Finding, ...]:
    """Return the severe-CKD hypocalcaemia warning of denosumab 60 mg, or nothing (O-LABEL).

    The FDA boxed warning (2024): denosumab 60 mg with an eGFR below 30 ml/min/1.73 m² or on
    dialysis risks severe hypocalcaemia. The laboratory's eGFR is used when the patient has one;
    without it, a Cockcroft-Gault clearance below 30 ml/min counts (the two are never compared
    with each other's threshold). Dialysis always counts.
    """
    if not any(
        item.drug is Drug.DENOSUMAB and item.indication.value == "osteoporosis" for item in regimens
    ):
        return ()
    evidence: list[Evidence] = []
    if patient.dialysis:
        evidence.append(Evidence("dialysis", value=True))
    if patient.egfr is not None:
        egfr = float(patient.egfr.magnitude)
        if resolve(egfr) < SEVERE_CKD_EGFR:
            evidence.append(
                Evidence("egfr", patient.egfr, quantity(SEVERE_CKD_EGFR, "mL_min_1_73m2"))
            )
    elif clearance is not None:
        ml_min = float(clearance.m_as("milliliter / minute"))
        if resolve(ml_min) < _SEVERE_CKD_CLEARANCE_ML_MIN:
            evidence.append(
                Evidence(
                    "creatinine_clearance",
                    ureg.Quantity(ml_min, "milliliter / minute"),
                    ureg.Quantity(_SEVERE_CKD_CLEARANCE_ML_MIN, "milliliter / minute"),
                )
            )
    if not evidence:
        return ()
    label = restriction("denosumab-severe-ckd")
    return (
        Finding(
            code="denosumab-severe-ckd-hypocalcaemia",
            rule_ids=("O-LABEL", "O-CAT"),
            severity=Severity.WARN,
            message="denosumab 60 mg with severe chronic kidney disease or dialysis: risk of "
            f"severe hypocalcaemia (FDA boxed warning, {label.year})",
            evidence=tuple(evidence),
            action="correct hypocalcaemia before the injection; measure calcium weekly in the "
            "first month and monthly after; supplement calcium and active vitamin D",
        ),
    )
