"""The hard limits of the oncology regimens, checked on a recommendation's own numbers.

Whoever made the recommendation — the built-in protocol, a local one, a plugin or a subclass —
these hold for every option it offers, or the recommendation is refused as a whole with the limit
named (:class:`~bisphos.errors.HardLimitError`, its ``field`` the option and number concerned,
e.g. ``options[1].infusion.rate``). They are checked on the numbers themselves: the drug, dose,
volume and duration of each option and the patient's own weight and creatinine, from which the
clearance is computed here again; never on a status, a band or a label the protocol wrote.

- zoledronic acid 4 mg: no more than the dose of the patient's renal band (O-RENAL: 4.0, 3.5,
  3.3, 3.0 mg; none below 30 ml/min or without a creatinine), never more than 4 mg; infused over
  no less than 15 minutes (O-LABEL). Zoledronic acid 5 mg: no more than 5 mg, none below 35
  ml/min.
- pamidronate: no more than 90 mg per infusion, never faster than 60 mg/h, no faster than 20 mg/h
  with a clearance below 60 ml/min, no more concentrated than 90 mg in 250 ml; none below 30
  ml/min unless the patient's request carries the clinician override, none without a creatinine
  (O-LABEL).
- radium-223: each activity is 55 kBq/kg x the patient's weight under the 2015 NIST standard,
  no more than 6 injections, at least 28 days apart, none before the assessment date (O-RA223).
- nothing for a patient under 18 (O-SCOPE).

:func:`limit_violations` lists every violation; :func:`enforce_limits` raises on the first. The
engine applies :func:`enforce_limits` after the protocol returns.
"""

from __future__ import annotations

import math
from typing import Final

import attrs

from bisphos.errors import HardLimitError
from bisphos.oncology._resolution import resolve
from bisphos.oncology.labels import (
    PAMIDRONATE_MAX_CONCENTRATION_MG_ML,
    PAMIDRONATE_MAX_MG,
    PAMIDRONATE_MAX_RATE_MG_H,
    PAMIDRONATE_NOT_RECOMMENDED_BELOW_ML_MIN,
    PAMIDRONATE_RENAL_IMPAIRMENT_BELOW_ML_MIN,
    PAMIDRONATE_RENAL_RATE_MG_H,
    ZOLEDRONIC_ACID_MIN_MINUTES,
)
from bisphos.oncology.patient import RADIUM_INJECTIONS, AdultPatient, OverrideTarget
from bisphos.oncology.radium import RADIUM_223_REGIMEN_ID
from bisphos.oncology.recommendation import OncologyRecommendation, OptionStatus, RegimenOption
from bisphos.oncology.regimens import CalibrationStandard, Drug, RenalRule, regimen
from bisphos.oncology.renal import (
    CLEARANCE_MINIMUMS,
    ZOLEDRONIC_ACID_4MG_BANDS,
    cockcroft_gault,
)
from bisphos.oncology.scope import ADULT_AGE_YEARS

__all__ = ["LimitViolation", "enforce_limits", "limit_violations"]

#: The highest single dose of zoledronic acid of any regimen (the oncology label's 4 mg and the
#: osteoporosis label's 5 mg), by renal rule.
_ZOLEDRONIC_ACID_MAX_MG: Final = {
    RenalRule.ZOLEDRONIC_ACID_4MG: 4.0,
    RenalRule.ZOLEDRONIC_ACID_5MG: 5.0,
}
_RADIUM_DAYS_APART: Final = 28
#: The shortest interval of an intravenous bisphosphonate regimen: the labels' "every 3 to 4
#: weeks"; above 4 mg of zoledronic acid (the osteoporosis product) 6 months, the deck's shortest.
_MIN_INTERVAL_DAYS: Final = 21.0
_ZOLEDRONIC_ACID_OSTEOPOROSIS_MIN_DAYS: Final = 182.0
#: The activity may differ from weight x 55 kBq/kg by this relative amount (float noise only).
_ACTIVITY_TOLERANCE: Final = 1e-9


@attrs.frozen
class LimitViolation:
    """One hard limit a recommendation breaks.

    Attributes:
        field: Which number, e.g. ``options[0].dose``.
        message: Which limit, in words.
        value: The number found.
        limit: The limit.
        rule_ids: The rules the limit comes from.
    """

    field: str
    message: str
    value: str
    limit: str
    rule_ids: tuple[str, ...]


def _clearance_ml_min(patient: AdultPatient) -> float | None:
    if patient.serum_creatinine is None:
        return None
    value = cockcroft_gault(
        age=patient.age,
        weight=patient.weight,
        creatinine=patient.serum_creatinine,
        sex=patient.sex,
    )
    return resolve(float(value.m_as("milliliter / minute")))


def _zoledronic_acid_4mg_ceiling(clearance: float | None) -> float:
    if clearance is None:
        return 0.0
    for band in ZOLEDRONIC_ACID_4MG_BANDS:
        if band.contains(clearance):
            return 0.0 if band.dose is None else float(band.dose.m_as("milligram"))
    return 0.0  # pragma: no cover - the bands cover every clearance from 0


def _fmt(value: float, unit: str) -> str:
    return f"{value:g} {unit}"


def _zoledronic_acid(
    path: str, option: RegimenOption, clearance: float | None
) -> list[LimitViolation]:
    found: list[LimitViolation] = []
    rule = option.regimen.renal
    dose_mg = _dose_mg(option)
    ceiling = _ZOLEDRONIC_ACID_MAX_MG.get(rule, 4.0)
    if rule is RenalRule.ZOLEDRONIC_ACID_4MG or rule not in _ZOLEDRONIC_ACID_MAX_MG:
        ceiling = min(4.0, _zoledronic_acid_4mg_ceiling(clearance))
    elif rule in CLEARANCE_MINIMUMS:
        minimum = float(CLEARANCE_MINIMUMS[rule].minimum.m_as("milliliter / minute"))
        if clearance is None or clearance < minimum:
            ceiling = 0.0
    if dose_mg > ceiling:
        found.append(
            LimitViolation(
                f"{path}.dose",
                "zoledronic acid above the dose its renal band allows (none below 30 ml/min or "
                "without a creatinine)",
                _fmt(dose_mg, "mg"),
                _fmt(ceiling, "mg"),
                ("O-RENAL",),
            )
        )
    infusion = option.infusion
    if infusion is None:
        found.append(
            LimitViolation(
                f"{path}.infusion",
                "intravenous zoledronic acid offered without its infusion",
                "none",
                f"at least {ZOLEDRONIC_ACID_MIN_MINUTES:g} min",
                ("O-LABEL",),
            )
        )
        return found
    minutes = float(infusion.duration.m_as("minute"))
    if not math.isfinite(minutes) or resolve(minutes) < ZOLEDRONIC_ACID_MIN_MINUTES:
        found.append(
            LimitViolation(
                f"{path}.infusion.duration",
                "zoledronic acid infused over less than 15 minutes",
                _fmt(minutes, "min"),
                _fmt(ZOLEDRONIC_ACID_MIN_MINUTES, "min"),
                ("O-LABEL",),
            )
        )
    if _infusion_dose_mg(option) != dose_mg:
        found.append(_infusion_dose_mismatch(path, option))
    return found


def _dose_mg(option: RegimenOption) -> float:
    return math.inf if option.dose is None else float(option.dose.m_as("milligram"))


def _infusion_dose_mg(option: RegimenOption) -> float:
    infusion = option.infusion
    return math.inf if infusion is None else float(infusion.dose.m_as("milligram"))


def _infusion_dose_mismatch(path: str, option: RegimenOption) -> LimitViolation:
    return LimitViolation(
        f"{path}.infusion.dose",
        "the infusion holds another dose than the option",
        _fmt(_infusion_dose_mg(option), "mg"),
        _fmt(_dose_mg(option), "mg"),
        ("O-LABEL",),
    )


def _pamidronate(
    path: str, option: RegimenOption, clearance: float | None, patient: AdultPatient
) -> list[LimitViolation]:
    found: list[LimitViolation] = []
    dose_mg = _dose_mg(option)
    if dose_mg > PAMIDRONATE_MAX_MG:
        found.append(
            LimitViolation(
                f"{path}.dose",
                "pamidronate above 90 mg per infusion",
                _fmt(dose_mg, "mg"),
                _fmt(PAMIDRONATE_MAX_MG, "mg"),
                ("O-LABEL",),
            )
        )
    overridden = patient.override(OverrideTarget.PAMIDRONATE_SEVERE_RENAL) is not None
    if clearance is None or (
        clearance < PAMIDRONATE_NOT_RECOMMENDED_BELOW_ML_MIN and not overridden
    ):
        found.append(
            LimitViolation(
                f"{path}.dose",
                "pamidronate without a creatinine, or below a clearance of 30 ml/min without a "
                "clinician override",
                "none" if clearance is None else _fmt(clearance, "ml/min"),
                _fmt(PAMIDRONATE_NOT_RECOMMENDED_BELOW_ML_MIN, "ml/min"),
                ("O-LABEL",),
            )
        )
    infusion = option.infusion
    if infusion is None:
        found.append(
            LimitViolation(
                f"{path}.infusion",
                "pamidronate offered without its infusion",
                "none",
                "a volume and a duration",
                ("O-LABEL",),
            )
        )
        return found
    rate_mg_h = float(infusion.rate.m_as("milligram / hour"))
    renal = clearance is None or clearance < PAMIDRONATE_RENAL_IMPAIRMENT_BELOW_ML_MIN
    max_rate = PAMIDRONATE_RENAL_RATE_MG_H if renal else PAMIDRONATE_MAX_RATE_MG_H
    if not math.isfinite(rate_mg_h) or resolve(rate_mg_h) > max_rate:
        found.append(
            LimitViolation(
                f"{path}.infusion.rate",
                "pamidronate faster than 60 mg/h, or than 20 mg/h with a clearance below 60 ml/min",
                _fmt(rate_mg_h, "mg/h"),
                _fmt(max_rate, "mg/h"),
                ("O-LABEL",),
            )
        )
    concentration = float(infusion.concentration.m_as("milligram / milliliter"))
    if not math.isfinite(concentration) or resolve(concentration) > resolve(
        PAMIDRONATE_MAX_CONCENTRATION_MG_ML
    ):
        found.append(
            LimitViolation(
                f"{path}.infusion.volume",
                "pamidronate more concentrated than 90 mg in 250 ml",
                _fmt(concentration, "mg/ml"),
                _fmt(PAMIDRONATE_MAX_CONCENTRATION_MG_ML, "mg/ml"),
                ("O-LABEL",),
            )
        )
    if _infusion_dose_mg(option) != dose_mg:
        found.append(_infusion_dose_mismatch(path, option))
    return found


def _radium(recommendation: OncologyRecommendation, patient: AdultPatient) -> list[LimitViolation]:
    plan = recommendation.radium
    if plan is None or not plan.injections:
        return []
    found: list[LimitViolation] = []
    per_kg = float(regimen(RADIUM_223_REGIMEN_ID).dose.m_as("kilobecquerel / kilogram"))
    expected_kbq = per_kg * float(patient.weight.m_as("kilogram"))
    if len(plan.injections) > RADIUM_INJECTIONS:
        found.append(
            LimitViolation(
                "radium.injections",
                "more than 6 radium-223 injections",
                str(len(plan.injections)),
                str(RADIUM_INJECTIONS),
                ("O-RA223",),
            )
        )
    previous = None
    for index, injection in enumerate(plan.injections):
        path = f"radium.injections[{index}]"
        activity = injection.activity.activity
        kbq = float(activity.activity.m_as("kilobecquerel"))
        if (
            activity.standard is not CalibrationStandard.NIST_2015
            or not math.isfinite(kbq)
            or abs(kbq - expected_kbq) > _ACTIVITY_TOLERANCE * expected_kbq
        ):
            found.append(
                LimitViolation(
                    f"{path}.activity",
                    "radium-223 activity other than 55 kBq/kg x the patient's weight under the "
                    "2015 NIST standard",
                    f"{kbq:g} kBq ({activity.standard.value})",
                    f"{expected_kbq:g} kBq (nist_2015)",
                    ("O-RA223",),
                )
            )
        if injection.date < patient.assessment_date or (
            previous is not None and (injection.date - previous).days < _RADIUM_DAYS_APART
        ):
            found.append(
                LimitViolation(
                    f"{path}.date",
                    "radium-223 injections less than 28 days apart or before the assessment date",
                    injection.date.isoformat(),
                    f"{_RADIUM_DAYS_APART} days apart, from the assessment date",
                    ("O-RA223",),
                )
            )
        previous = injection.date
    return found


def _interval(path: str, option: RegimenOption) -> list[LimitViolation]:
    days = float(option.interval.m_as("day"))
    shortest = _MIN_INTERVAL_DAYS
    if option.regimen.drug is Drug.ZOLEDRONIC_ACID and _dose_mg(option) > 4.0:
        shortest = _ZOLEDRONIC_ACID_OSTEOPOROSIS_MIN_DAYS
    if math.isfinite(days) and resolve(days) >= shortest:
        return []
    return [
        LimitViolation(
            f"{path}.interval",
            "an intravenous bisphosphonate given more often than its label allows",
            _fmt(days, "days"),
            _fmt(shortest, "days"),
            ("O-INTERVAL", "O-LABEL"),
        )
    ]


def limit_violations(
    recommendation: OncologyRecommendation, patient: AdultPatient | None = None
) -> tuple[LimitViolation, ...]:
    """Return every hard limit the options offered in ``recommendation`` break, in order.

    Args:
        recommendation: What a protocol returned.
        patient: The patient as the engine read it, before the protocol ran; by default the one
            the recommendation names. The limits are judged on this patient's weight, age, sex
            and creatinine, so a protocol cannot loosen them by returning another patient.
    """
    patient = recommendation.patient if patient is None else patient
    clearance = _clearance_ml_min(patient)
    found: list[LimitViolation] = []
    if patient.age_in_whole_years < ADULT_AGE_YEARS and (
        recommendation.offered or (recommendation.radium and recommendation.radium.injections)
    ):
        found.append(
            LimitViolation(
                "options",
                "a regimen or an injection for a patient under 18 (the protocol is for adults)",
                f"{patient.age_in_whole_years} years",
                f"{ADULT_AGE_YEARS} years or older",
                ("O-SCOPE",),
            )
        )
    for index, option in enumerate(recommendation.options):
        # An option that gives nothing is not checked; one that is offered, or carries a dose
        # or an infusion whatever its status says, is.
        gives = option.dose is not None or option.infusion is not None
        if option.status is not OptionStatus.OFFERED and not gives:
            continue
        path = f"options[{index}]"
        if option.regimen.drug is Drug.ZOLEDRONIC_ACID:
            found += _zoledronic_acid(path, option, clearance)
            found += _interval(path, option)
        elif option.regimen.drug is Drug.PAMIDRONATE:
            found += _pamidronate(path, option, clearance, patient)
            found += _interval(path, option)
    found += _radium(recommendation, patient)
    return tuple(found)


def enforce_limits(
    recommendation: OncologyRecommendation, patient: AdultPatient | None = None
) -> OncologyRecommendation:
    """Return ``recommendation`` unchanged when it keeps every hard limit.

    Args:
        recommendation: What a protocol returned.
        patient: The patient as the engine read it (see :func:`limit_violations`).

    Raises:
        HardLimitError: an option breaks a hard limit; its field names the option and number.
    """
    violations = limit_violations(recommendation, patient)
    if violations:
        first = violations[0]
        raise HardLimitError(
            f"refused by the hard limits: {first.message} ({', '.join(first.rule_ids)})",
            field=first.field,
            value=first.value,
            expected=f"at most {first.limit}"
            if "rate" in first.field or "dose" in first.field
            else first.limit,
        )
    return recommendation
