"""What the guideline tells the family and the team beside the decision (seed rules).

- P-FX-RECENT: a fracture in the last 6 weeks is no reason to postpone in osteogenesis
  imperfecta (current expert opinion, the guideline's background); with a history of impaired
  fracture healing, or in secondary osteoporosis, the treating physician is consulted first
  (WARN ``recent-fracture-consult``); in OI without impaired healing an INFO says it does not
  postpone. An orthopaedic operation is not a field of the patient: a hospital's plugin reports
  it (the example plugin's UMC-CI-1).
- P-SE-ACUTE: with the first infusion, the side effects to expect (INFO ``side-effects``).
- P-LONGTERM: at the start of treatment, the long-term effects (INFO ``long-term-effects``).
- P-HUNGRY-CA: with prolonged immobilisation (P-HUNGRY), a serum calcium check after the
  infusion (INFO ``calcium-check-after-infusion``), as P-MON-HYPOCA asks when vitamin D intake is
  doubtful.
- P-TURNOVER-PROMPT: secondary osteoporosis from immobility or corticosteroids without a low bone
  turnover recorded: consider the lower dose of P-ZOL-LOW if turnover is low (INFO
  ``bone-turnover-not-recorded``).

The texts are this project's own words on the guideline's content.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Diagnosis, Patient

__all__ = ["RECENT_FRACTURE_DAYS", "counselling_findings"]

#: P-FX-RECENT: a fracture or operation "recent" within this many days (6 weeks).
RECENT_FRACTURE_DAYS: Final = 42

_SECONDARY: Final = frozenset(
    {
        Diagnosis.SECONDARY_CORTICOSTEROIDS,
        Diagnosis.SECONDARY_IMMOBILITY,
        Diagnosis.SECONDARY_INTESTINAL_FAILURE,
        Diagnosis.SECONDARY_OTHER,
    }
)
_TURNOVER: Final = frozenset({Diagnosis.SECONDARY_CORTICOSTEROIDS, Diagnosis.SECONDARY_IMMOBILITY})

_SIDE_EFFECTS: Final = (
    "a passing fever of 1 to 2 °C for some days, malaise and tiredness, mostly after the first "
    "infusion (paracetamol and/or an NSAID as needed); nausea, vomiting, headache; low or high "
    "blood pressure; a metallic or altered taste for some hours; rarely rash, itch or red, "
    "irritated eyes; bone pain"
)


def _recent_fractures(patient: Patient) -> list[dt.date]:
    since = patient.assessment_date - dt.timedelta(days=RECENT_FRACTURE_DAYS)
    return sorted(f.date for f in patient.fractures if f.date is not None and f.date >= since)


def _recent(patient: Patient) -> list[Finding]:
    dates = _recent_fractures(patient)
    if not dates:
        return []
    impaired = patient.risks.impaired_fracture_healing
    evidence = (
        Evidence("recent_fracture", dates[-1]),
        Evidence("recent_fracture_days", RECENT_FRACTURE_DAYS),
        Evidence("risks.impaired_fracture_healing", impaired),
    )
    if impaired or patient.diagnosis in _SECONDARY:
        return [
            Finding(
                code="recent-fracture-consult",
                rule_ids=("P-FX-RECENT",),
                severity=Severity.WARN,
                message=(
                    "A fracture in the last 6 weeks with impaired fracture healing or secondary "
                    "osteoporosis: consult the treating physician before the infusion."
                ),
                evidence=evidence,
                action="Consult the treating physician on whether to give the infusion now.",
            )
        ]
    if patient.diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA:
        return [
            Finding(
                code="recent-fracture-no-delay",
                rule_ids=("P-FX-RECENT",),
                severity=Severity.INFO,
                message=(
                    "A fracture in the last 6 weeks is no reason to postpone the infusion in "
                    "osteogenesis imperfecta (current expert opinion)."
                ),
                evidence=evidence,
            )
        ]
    return []


def counselling_findings(patient: Patient, *, first: bool) -> list[Finding]:
    """The seed rules' findings for an indicated patient on the assessment date."""
    findings = _recent(patient)
    if first:
        findings += [
            Finding(
                code="side-effects",
                rule_ids=("P-SE-ACUTE",),
                severity=Severity.INFO,
                message=f"Tell the child and the parents what to expect: {_SIDE_EFFECTS}.",
            ),
            Finding(
                code="long-term-effects",
                rule_ids=("P-LONGTERM",),
                severity=Severity.INFO,
                message=(
                    "At the start: the long-term effects are uncertain. Long inhibition of the "
                    "osteoclasts may give adynamic bone and, at high doses, stress fractures (the "
                    "femur, in adults); lines form in the growth plates and fade with time; the "
                    "teeth and the timing of the adult teeth may be affected; osteonecrosis of "
                    "the jaw is described in adults, not in children."
                ),
            ),
        ]
    if patient.risks.prolonged_immobilisation:
        findings.append(
            Finding(
                code="calcium-check-after-infusion",
                rule_ids=("P-HUNGRY-CA", "P-HUNGRY", "P-MON-HYPOCA"),
                severity=Severity.INFO,
                message=(
                    "Prolonged immobilisation (hungry bones): check serum calcium after the "
                    "infusion."
                ),
                evidence=(Evidence("risks.prolonged_immobilisation", value=True),),
                action="Measure serum calcium after the infusion.",
            )
        )
    if patient.diagnosis in _TURNOVER and not patient.risks.low_bone_turnover:
        findings.append(
            Finding(
                code="bone-turnover-not-recorded",
                rule_ids=("P-TURNOVER-PROMPT", "P-ZOL-LOW"),
                severity=Severity.INFO,
                message=(
                    "Secondary osteoporosis from immobility or corticosteroids without a low bone "
                    "turnover recorded: if the turnover is low, consider the lower dose of "
                    "0.025 mg/kg zoledronic acid."
                ),
                evidence=(Evidence("risks.low_bone_turnover", value=False),),
            )
        )
    return findings
