"""Who the oncology protocol is for (O-SCOPE), and which protocol applies to whom.

The oncology protocol is for adults: 18 years or older, in completed calendar years on the
assessment date. A child given to it gets a blocking scope finding and no dose.
:func:`choose_protocol` tells from age and setting which built-in protocol applies: the pediatric
guideline ``nl-pediatric-iv-bp-2024`` for children (under 19, P-SCOPE-1) with osteoporosis, this
protocol for adults with its oncology settings, and neither, with a finding, otherwise.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Final

import attrs

from bisphos.dates import age_in_years, is_younger_than
from bisphos.findings import Evidence, Finding, Severity
from bisphos.oncology.patient import AdultPatient, Setting
from bisphos.oncology.rules import PROTOCOL_ID
from bisphos.units import ureg

__all__ = [
    "ADULT_AGE_YEARS",
    "PEDIATRIC_AGE_LIMIT_YEARS",
    "PEDIATRIC_PROTOCOL_ID",
    "CareSetting",
    "ProtocolChoice",
    "choose_protocol",
    "scope_findings",
]

#: Age from which the oncology protocol applies (O-SCOPE).
ADULT_AGE_YEARS: Final = 18
#: The pediatric guideline applies under this age (P-SCOPE-1).
PEDIATRIC_AGE_LIMIT_YEARS: Final = 19
#: The pediatric guideline's protocol id.
PEDIATRIC_PROTOCOL_ID: Final = "nl-pediatric-iv-bp-2024"


class CareSetting(enum.StrEnum):
    """What bone-targeted treatment is asked for, across both protocols.

    ``osteoporosis`` is bone fragility as the pediatric guideline means it (osteogenesis
    imperfecta, primary or secondary osteoporosis); the other values are the oncology settings of
    :class:`~bisphos.oncology.patient.Setting`, with the same names.
    """

    OSTEOPOROSIS = "osteoporosis"
    BONE_METASTASES = "bone_metastases"
    MULTIPLE_MYELOMA = "multiple_myeloma"
    PREVENTION_OF_METASTASES = "prevention_of_metastases"
    PREVENTION_OF_OSTEOPOROSIS = "prevention_of_osteoporosis"


def _age_evidence(birth_date: dt.date, assessment_date: dt.date, limit: int) -> Evidence:
    age = ureg.Quantity(float(age_in_years(birth_date, assessment_date)), "year")
    return Evidence("age", age, ureg.Quantity(float(limit), "year"))


def scope_findings(patient: AdultPatient) -> tuple[Finding, ...]:
    """Return the blocking scope finding for a patient under 18, or nothing (O-SCOPE)."""
    if not is_younger_than(patient.birth_date, ADULT_AGE_YEARS, patient.assessment_date):
        return ()
    choice = choose_protocol(
        birth_date=patient.birth_date,
        assessment_date=patient.assessment_date,
        setting=CareSetting(patient.setting.value),
    )
    return (
        Finding(
            code="out-of-scope-child",
            rule_ids=("O-SCOPE",),
            severity=Severity.BLOCK,
            message=f"{PROTOCOL_ID} is for adults (18 years or older); this patient is a child "
            "and gets no dose from it",
            evidence=(_age_evidence(patient.birth_date, patient.assessment_date, ADULT_AGE_YEARS),),
            action="no protocol of bisphos covers bone-targeted treatment of a child with cancer;"
            f" for osteoporosis in a child use {PEDIATRIC_PROTOCOL_ID}",
        ),
        *choice.findings,
    )


@attrs.frozen
class ProtocolChoice:
    """Which protocol applies, with the finding that says why.

    Attributes:
        protocol_id: The applicable protocol's id, or ``None`` when neither applies.
        findings: Why.
    """

    protocol_id: str | None
    findings: tuple[Finding, ...]


def choose_protocol(
    *, birth_date: dt.date, assessment_date: dt.date, setting: CareSetting | Setting
) -> ProtocolChoice:
    """Return which built-in protocol applies to a patient of this age in this setting.

    Args:
        birth_date: Date of birth.
        assessment_date: The date of the decision.
        setting: Osteoporosis (the pediatric guideline's population) or an oncology setting.

    Returns:
        ``nl-pediatric-iv-bp-2024`` for osteoporosis under 19 (P-SCOPE-1);
        ``nl-oncology-bone-2016`` for an oncology setting from 18 (O-SCOPE); otherwise no
        protocol, with a warning finding naming both scope rules.
    """
    care = CareSetting(setting.value)
    if care is CareSetting.OSTEOPOROSIS:
        child = is_younger_than(birth_date, PEDIATRIC_AGE_LIMIT_YEARS, assessment_date)
        limit, rule_id, protocol = PEDIATRIC_AGE_LIMIT_YEARS, "P-SCOPE-1", PEDIATRIC_PROTOCOL_ID
        applies = child
        who = "children under 19 with osteoporosis"
    else:
        adult = not is_younger_than(birth_date, ADULT_AGE_YEARS, assessment_date)
        limit, rule_id, protocol = ADULT_AGE_YEARS, "O-SCOPE", PROTOCOL_ID
        applies = adult
        who = "adults (18 or older) with bone metastases, myeloma or cancer-treatment bone loss"
    evidence = (
        _age_evidence(birth_date, assessment_date, limit),
        Evidence("setting", care.value),
    )
    if applies:
        return ProtocolChoice(
            protocol_id=protocol,
            findings=(
                Finding(
                    code="protocol-applies",
                    rule_ids=(rule_id,),
                    severity=Severity.INFO,
                    message=f"{protocol} applies: it is for {who}",
                    evidence=evidence,
                    variant="pediatric" if rule_id == "P-SCOPE-1" else "oncology",
                ),
            ),
        )
    return ProtocolChoice(
        protocol_id=None,
        findings=(
            Finding(
                code="no-protocol-applies",
                rule_ids=("P-SCOPE-1", "O-SCOPE"),
                severity=Severity.WARN,
                message=f"no built-in protocol applies: {PEDIATRIC_PROTOCOL_ID} is for children "
                f"under 19 with osteoporosis, {PROTOCOL_ID} for adults with its oncology settings",
                evidence=evidence,
                action="refer to the treating specialist; no dose is given",
            ),
        ),
    )
