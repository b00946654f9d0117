"""Radium-223 (O-RA223): activity from weight, the dated course, and blood counts per injection.

The deck doses radium-223 at 50 kBq/kg; the current label states 55 kBq/kg. Both are the same
physical activity: the label's figure is measured against the 2015 NIST re-standardisation, against
which the older standard read about 9.5 % low. Every activity here therefore carries its
calibration standard (:class:`CalibratedActivity`); plans use the current standard and show the
deck's figure as the equivalent. The per-kg figures come from the regimen catalogue.

Blood-count criteria before each injection are the label's: the first injection needs
ANC >= 1.5x10^9/l, platelets >= 100x10^9/l and Hb >= 10 g/dl; later injections ANC >= 1.0x10^9/l
and platelets >= 50x10^9/l. Counts are compared at the resolution of
:mod:`bisphos.oncology._resolution`.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.errors import InvalidValueError
from bisphos.findings import Evidence, Finding, Severity, blocking
from bisphos.oncology._resolution import resolve
from bisphos.oncology.labels import restriction
from bisphos.oncology.patient import (
    ADULT_PLAUSIBLE_RANGES,
    RADIUM_INJECTIONS,
    AdultPatient,
    Setting,
)
from bisphos.oncology.regimens import CalibrationStandard, Regimen, regimen
from bisphos.quantities import QuantityKind
from bisphos.units import Quantity, format_quantity, ureg

__all__ = [
    "FIRST_INJECTION_CRITERIA",
    "LATER_INJECTION_CRITERIA",
    "RADIUM_223_REGIMEN_ID",
    "BloodCountCriteria",
    "BloodCountLimit",
    "CalibratedActivity",
    "RadiumActivity",
    "RadiumInjection",
    "RadiumPlan",
    "blood_count_findings",
    "criteria_for",
    "eligibility_finding",
    "plan_radium",
    "radium_activity",
]

#: The catalogue row of radium-223.
RADIUM_223_REGIMEN_ID: Final = "radium-223-4-weekly"
_RULE: Final = ("O-RA223",)
_LABEL: Final = "Xofigo SmPC, section 4.2 and 4.4"


@attrs.frozen
class CalibratedActivity:
    """A radioactivity with the calibration standard it is measured against.

    Attributes:
        activity: The activity, in kBq (or kBq/kg for a dose per kg).
        standard: The standard the figure is stated in.
    """

    activity: Quantity
    standard: CalibrationStandard

    def __str__(self) -> str:
        return f"{format_quantity(self.activity)} ({self.standard.value} standard)"


@attrs.frozen
class RadiumActivity:
    """The activity of one radium-223 injection, under the current standard and the deck's.

    Attributes:
        weight: The body weight it is computed from.
        per_kg: The label's dose per kg under the 2015 NIST standard.
        activity: The activity to give, under the 2015 NIST standard.
        deck_per_kg: The deck's dose per kg under the pre-2015 standard.
        deck_equivalent: The same activity as the deck's figure gives it.
        rule_ids: ``O-RA223``.
    """

    weight: Quantity
    per_kg: CalibratedActivity
    activity: CalibratedActivity
    deck_per_kg: CalibratedActivity
    deck_equivalent: CalibratedActivity
    rule_ids: tuple[str, ...] = _RULE


def _radium_regimen() -> Regimen:
    return regimen(RADIUM_223_REGIMEN_ID)


def radium_activity(weight: Quantity) -> RadiumActivity:
    """Return the activity of one radium-223 injection for ``weight`` (O-RA223).

    The activity is weight x 55 kBq/kg (2015 NIST standard); the deck's equivalent is
    weight x 50 kBq/kg (pre-2015 standard).

    Raises:
        InputError: ``weight`` is not a plausible body weight.
    """
    weight_kg = float(ADULT_PLAUSIBLE_RANGES["weight"].check(weight, field="weight").magnitude)
    row = _radium_regimen()
    if row.calibration_standard is None or row.deck_dose is None:  # pragma: no cover
        # The catalogue loader refuses a radioactivity without its standard.
        raise InvalidValueError(
            "the radium-223 row must name its calibration standards",
            field=f"regimens.{RADIUM_223_REGIMEN_ID}",
        )
    per_kg = float(q.RADIOACTIVITY_PER_KG.magnitude(row.dose, field="dose"))
    deck_per_kg = float(q.RADIOACTIVITY_PER_KG.magnitude(row.deck_dose.dose, field="deck_dose"))

    def kbq(value: float) -> Quantity:
        return ureg.Quantity(value, "kilobecquerel")

    def kbq_per_kg(value: float) -> Quantity:
        return ureg.Quantity(value, "kilobecquerel / kilogram")

    current, deck = row.calibration_standard, row.deck_dose.calibration_standard
    return RadiumActivity(
        weight=ureg.Quantity(weight_kg, "kilogram"),
        per_kg=CalibratedActivity(kbq_per_kg(per_kg), current),
        activity=CalibratedActivity(kbq(per_kg * weight_kg), current),
        deck_per_kg=CalibratedActivity(kbq_per_kg(deck_per_kg), deck),
        deck_equivalent=CalibratedActivity(kbq(deck_per_kg * weight_kg), deck),
    )


@attrs.frozen
class BloodCountLimit:
    """The lowest count allowed before an injection.

    Attributes:
        field: The patient field, e.g. ``"neutrophils"``.
        kind: The kind of count, fixing its unit.
        minimum: The lowest allowed value.
    """

    field: str
    kind: QuantityKind
    minimum: Quantity


@attrs.frozen
class BloodCountCriteria:
    """The label's blood-count criteria before one radium-223 injection.

    Attributes:
        first_injection: Whether these are the criteria of the first injection.
        limits: The counts and their minimums.
        source: The label.
    """

    first_injection: bool
    limits: tuple[BloodCountLimit, ...]
    source: str = _LABEL


def _limit(field: str, kind: QuantityKind, minimum: float) -> BloodCountLimit:
    return BloodCountLimit(field=field, kind=kind, minimum=ureg.Quantity(minimum, kind.canonical))


#: Before the first injection: ANC >= 1.5x10^9/l, platelets >= 100x10^9/l, Hb >= 10 g/dl.
FIRST_INJECTION_CRITERIA: Final = BloodCountCriteria(
    first_injection=True,
    limits=(
        _limit("neutrophils", q.NEUTROPHILS, 1.5),
        _limit("platelets", q.PLATELETS, 100.0),
        _limit("haemoglobin", q.HAEMOGLOBIN, 10.0),
    ),
)
#: Before each later injection: ANC >= 1.0x10^9/l, platelets >= 50x10^9/l.
LATER_INJECTION_CRITERIA: Final = BloodCountCriteria(
    first_injection=False,
    limits=(
        _limit("neutrophils", q.NEUTROPHILS, 1.0),
        _limit("platelets", q.PLATELETS, 50.0),
    ),
)


def criteria_for(injection_number: int) -> BloodCountCriteria:
    """Return the blood-count criteria before injection ``injection_number`` (1 to 6)."""
    return FIRST_INJECTION_CRITERIA if injection_number == 1 else LATER_INJECTION_CRITERIA


def blood_count_findings(patient: AdultPatient, injection_number: int) -> tuple[Finding, ...]:
    """Return the blood-count findings before injection ``injection_number`` (O-RA223).

    A missing or too low count blocks the injection; counts that meet every criterion give one
    information finding listing them.
    """
    criteria = criteria_for(injection_number)
    which = "first" if criteria.first_injection else "later"
    findings: list[Finding] = []
    met: list[Evidence] = []
    for limit in criteria.limits:
        value: Quantity | None = getattr(patient, limit.field)
        if value is None:
            findings.append(
                Finding(
                    code="radium-223-blood-count-missing",
                    rule_ids=_RULE,
                    severity=Severity.BLOCK,
                    message=f"{limit.kind.name} is needed before radium-223 injection "
                    f"{injection_number}",
                    evidence=(
                        Evidence("injection_number", injection_number),
                        Evidence(limit.field, "missing", limit.minimum),
                    ),
                    action=f"measure the {limit.kind.name} before the injection",
                    params=(("count", limit.field), ("minimum", limit.minimum)),
                )
            )
            continue
        evidence = Evidence(limit.field, value, limit.minimum)
        minimum = float(limit.minimum.magnitude)
        if resolve(limit.kind.magnitude(value, field=limit.field)) < minimum:
            findings.append(
                Finding(
                    code="radium-223-blood-count-too-low",
                    rule_ids=_RULE,
                    severity=Severity.BLOCK,
                    message=f"{limit.kind.name} below the {which}-injection minimum of "
                    f"{format_quantity(limit.minimum)} ({criteria.source})",
                    evidence=(Evidence("injection_number", injection_number), evidence),
                    action="do not give the injection today; repeat the count",
                    variant=which,
                    params=(
                        ("count", limit.field),
                        ("minimum", limit.minimum),
                        ("source", criteria.source),
                    ),
                )
            )
        else:
            met.append(evidence)
    if not findings:
        findings.append(
            Finding(
                code="radium-223-blood-counts-met",
                rule_ids=_RULE,
                severity=Severity.INFO,
                message=f"blood counts meet the {which}-injection criteria ({criteria.source})",
                evidence=(Evidence("injection_number", injection_number), *met),
                variant=which,
                params={"source": criteria.source},
            )
        )
    return tuple(findings)


@attrs.frozen
class RadiumInjection:
    """One injection of the radium-223 course.

    Attributes:
        number: Its number in the course, 1 to 6.
        date: The date it is planned for.
        activity: Its activity, under both standards.
        criteria: The blood counts to check before it.
        rule_ids: ``O-RA223``.
    """

    number: int
    date: dt.date
    activity: RadiumActivity
    criteria: BloodCountCriteria
    rule_ids: tuple[str, ...] = _RULE


@attrs.frozen
class RadiumPlan:
    """The rest of a radium-223 course from the injection due on the assessment date.

    Attributes:
        injections: The injections from the one due today to the sixth; empty when refused.
        findings: Registration, blood counts and notes.
        rule_ids: ``O-RA223``.
    """

    injections: tuple[RadiumInjection, ...]
    findings: tuple[Finding, ...]
    rule_ids: tuple[str, ...] = _RULE

    @property
    def cleared_today(self) -> bool:
        """Whether the injection due today may be given: planned and nothing blocks it."""
        return bool(self.injections) and not blocking(self.findings)


def _refusal(code: str, message: str, evidence: Evidence) -> RadiumPlan:
    return RadiumPlan(
        injections=(),
        findings=(
            Finding(
                code=code,
                rule_ids=_RULE,
                severity=Severity.BLOCK,
                message=message,
                evidence=(evidence,),
                action="no radium-223 from this protocol",
            ),
        ),
    )


#: Radium-223 needs at least this many prior systemic therapies, unless none is suitable.
MINIMUM_PRIOR_THERAPIES: Final = 2


def eligibility_finding(patient: AdultPatient) -> Finding:
    """Return whether the label's indication allows radium-223 (O-LABEL, EMA 2018).

    The label (since the EMA review of 2018): metastatic castration-resistant prostate cancer with
    symptomatic bone metastases and no known visceral metastases, after at least two prior
    systemic therapies or when none is suitable, and never with abiraterone plus prednisone or
    prednisolone. An unrecorded fact does not meet its criterion: the finding blocks and names it.
    """
    label = restriction("radium-223-indication")
    prior = patient.prior_systemic_therapies
    lines_met = patient.no_suitable_systemic_therapy or (
        prior is not None and prior >= MINIMUM_PRIOR_THERAPIES
    )
    facts: list[tuple[Evidence, bool]] = [
        (
            Evidence(
                "castration_resistant",
                "missing" if patient.castration_resistant is None else patient.castration_resistant,
            ),
            patient.castration_resistant is True,
        ),
        (
            Evidence(
                "symptomatic_bone_metastases",
                "missing"
                if patient.symptomatic_bone_metastases is None
                else patient.symptomatic_bone_metastases,
            ),
            patient.symptomatic_bone_metastases is True,
        ),
        (
            Evidence(
                "visceral_metastases",
                "missing" if patient.visceral_metastases is None else patient.visceral_metastases,
            ),
            patient.visceral_metastases is False,
        ),
        (
            Evidence(
                "prior_systemic_therapies",
                "missing" if prior is None else prior,
                str(MINIMUM_PRIOR_THERAPIES),
            ),
            lines_met,
        ),
        (
            Evidence("no_suitable_systemic_therapy", patient.no_suitable_systemic_therapy),
            lines_met,
        ),
        (
            Evidence("abiraterone_prednisone", patient.abiraterone_prednisone),
            not patient.abiraterone_prednisone,
        ),
    ]
    unmet = tuple(evidence for evidence, met in facts if not met)
    if unmet:
        return Finding(
            code="radium-223-label-indication-not-met",
            rule_ids=("O-RA223", "O-LABEL"),
            severity=Severity.BLOCK,
            message="radium-223 is refused: the label allows it only in metastatic "
            "castration-resistant prostate cancer with symptomatic bone metastases, no known "
            "visceral metastases, after at least two prior systemic therapies or with none "
            f"suitable, and not with abiraterone and prednisone (EMA, {label.year})",
            evidence=unmet,
            action="no radium-223; record the missing facts if any",
        )
    return Finding(
        code="radium-223-label-indication-met",
        rule_ids=("O-RA223", "O-LABEL"),
        severity=Severity.INFO,
        message=f"radium-223: the label's indication is met (EMA, {label.year})",
        evidence=tuple(evidence for evidence, _ in facts),
    )


def plan_radium(patient: AdultPatient, *, injection_number: int | None = None) -> RadiumPlan:
    """Return the radium-223 course for ``patient`` from the injection due today (O-RA223).

    Args:
        patient: The patient; the assessment date is the date of the injection due today.
        injection_number: The number of that injection; by default the patient's
            ``radium_injection_number``, or 1 when none is recorded.

    Returns:
        Injections every 4 weeks up to the sixth, each with its activity under the 2015 NIST
        standard and the deck's equivalent, and the blood-count findings for today's injection.
        Patients without prostate cancer, outside the bone-metastases setting, or outside the
        label's indication (O-LABEL: castration-resistant, symptomatic bone metastases, no
        visceral metastases, two prior therapies or none suitable, no abiraterone with
        prednisone) get no injections and a blocking finding.
    """
    number = injection_number if injection_number is not None else patient.radium_injection_number
    number = 1 if number is None else number
    if isinstance(number, bool) or not 1 <= number <= RADIUM_INJECTIONS:
        raise InvalidValueError(
            "not a radium-223 injection number",
            field="injection_number",
            value=number,
            expected=f"1 to {RADIUM_INJECTIONS}",
        )
    row = _radium_regimen()
    if not row.registration.allows(patient.tumour):
        return _refusal(
            "radium-223-not-registered",
            "radium-223 is registered for prostate cancer only",
            Evidence("tumour", patient.tumour.value, "prostate"),
        )
    if patient.setting is not Setting.BONE_METASTASES:
        return _refusal(
            "radium-223-setting",
            "radium-223 treats bone metastases; it is not planned in this setting",
            Evidence("setting", patient.setting.value, Setting.BONE_METASTASES.value),
        )
    eligibility = eligibility_finding(patient)
    if eligibility.severity is Severity.BLOCK:
        return RadiumPlan(injections=(), findings=(eligibility,))
    activity = radium_activity(patient.weight)
    days = round(row.interval.m_as("day"))
    injections = tuple(
        RadiumInjection(
            number=k,
            date=patient.assessment_date + dt.timedelta(days=days * (k - number)),
            activity=activity,
            criteria=criteria_for(k),
        )
        for k in range(number, RADIUM_INJECTIONS + 1)
    )
    note = Finding(
        code="radium-223-activity",
        rule_ids=_RULE,
        severity=Severity.INFO,
        message=f"{activity.activity} per injection "
        f"({format_quantity(activity.per_kg.activity)} x {format_quantity(activity.weight)}), "
        f"equal to the deck's {activity.deck_equivalent} "
        f"({format_quantity(activity.deck_per_kg.activity)})",
        evidence=(
            Evidence("weight", activity.weight),
            Evidence("activity", activity.activity.activity),
            Evidence("deck_equivalent", activity.deck_equivalent.activity),
        ),
        action="recompute the activity from the weight on the day of each injection",
        params={
            "standard": activity.activity.standard.value,
            "per_kg": activity.per_kg.activity,
            "deck_standard": activity.deck_equivalent.standard.value,
            "deck_per_kg": activity.deck_per_kg.activity,
        },
    )
    return RadiumPlan(
        injections=injections,
        findings=(eligibility, *blood_count_findings(patient, number), note),
    )
