"""The pediatric protocol's decision for one patient on the assessment date.

:func:`assess` answers, in this order: is the patient in scope (P-SCOPE-1); is treatment indicated
(:mod:`~bisphos.pediatric.indication`); what blocks an infusion today (P-CI-*); what the first
infusion needs (P-PRE-*); which drugs the kidneys allow (:mod:`~bisphos.pediatric.renal`); which
supplements to advise (P-SUPP-*); and how to monitor the infusion
(:mod:`~bisphos.pediatric.monitoring`). Every answer is a :class:`~bisphos.findings.Finding` with
its rule ids, severity and evidence. Out of scope, nothing else is assessed or cleared.

Readings taken here, beyond the catalogue's decisions:

- A temperature or a total calcium that is not recorded does not block, but gives a WARN finding:
  the nurse measures before the infusion (P-MON-CHECKS). Before the first infusion a missing
  calcium blocks as a missing required lab (P-PRE-LABS).
- P-PRE-CA (consult; calcium supplementation with PTH above the laboratory's upper limit) and
  P-PRE-DXA are advised before the first infusion; later, hypocalcaemia blocks (P-CI-HYPOCA) with
  the same consult as its action.
- A 25-OH vitamin D below 50 nmol/l blocks the first infusion (P-PRE-VITD); before later
  infusions it gives a WARN finding to raise the supplementation.
- An infusion is cleared only while treatment is indicated, before later infusions too. The
  indication is judged on the whole history given (every fracture, the lowest Z-score ever
  provided), so a density improved by treatment does not undo it; whether to move to
  maintenance is decided by P-MAINT-*.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos._version import __version__
from bisphos.findings import Evidence, Finding, Severity, blocking, rule_ids_of
from bisphos.model import BmdSite, Diagnosis, Drug, Patient, Sex
from bisphos.pediatric._calendar import birthday, is_younger_than
from bisphos.pediatric.counselling import counselling_findings
from bisphos.pediatric.freshness import (
    DEFAULT_FRESHNESS,
    Freshness,
    creatinine_fresh,
    freshness_findings,
)
from bisphos.pediatric.growth import weight_finding
from bisphos.pediatric.indication import Indication, assess_indication
from bisphos.pediatric.monitoring import (
    MonitoringPlan,
    check_observation,
    monitoring_findings,
    monitoring_plan,
)
from bisphos.pediatric.renal import (
    GfrEstimator,
    RenalAssessment,
    assess_renal,
    pamidronate_renal,
    schwartz_40,
)
from bisphos.pediatric.rules import PROTOCOL_ID, PROTOCOL_VERSION
from bisphos.pediatric.thresholds import (
    DAIRY_PORTIONS_PER_DAY,
    FEVER,
    HYPOCALCAEMIA,
    PAYNE_ALBUMIN_REFERENCE,
    PAYNE_CALCIUM_PER_ALBUMIN,
    PREGNANCY_COUNSELLING_AGE_YEARS,
    PTH_RESOLUTION,
    SCOPE_AGE_YEARS,
    VITAMIN_D_DAILY,
    VITAMIN_D_DAILY_RAISED,
    VITAMIN_D_DEFICIENCY,
    Threshold,
    exceeds,
)
from bisphos.protocols import PluginRecord
from bisphos.provenance import Provenance, patient_input
from bisphos.units import Quantity, quantity

__all__ = [
    "LAB_NAMES",
    "Assessment",
    "SupplementAdvice",
    "albumin_corrected_calcium",
    "assess",
    "check_observation",
    "core_contraindications",
    "could_become_pregnant",
    "in_scope",
]

#: The required labs of P-PRE-LABS in words, by field of :class:`~bisphos.model.Labs`.
LAB_NAMES: Final = {
    "calcium": "calcium",
    "phosphate": "phosphate",
    "alkaline_phosphatase": "alkaline phosphatase",
    "urea": "urea",
    "creatinine": "creatinine",
    "albumin": "albumin",
    "vitamin_d_25oh": "25-OH vitamin D",
    "pth": "PTH",
}

_CONSULT = "Consult the treating physician or the paediatric endocrinologist on call."


@attrs.frozen
class SupplementAdvice:
    """Vitamin D and calcium advice (P-SUPP-VITD, P-SUPP-CA).

    Attributes:
        vitamin_d_per_day: The least daily vitamin D, in IU: 400, or 800 with a dark skin or
            little time outdoors.
        dairy_portions_per_day: The least dairy portions per day, by age: two to three.
        raise_vitamin_d: Whether 25-OH vitamin D is below 50 nmol/l and supplementation must rise.
        rule_ids: The rules of the advice.
    """

    vitamin_d_per_day: Quantity
    dairy_portions_per_day: tuple[int, int]
    raise_vitamin_d: bool
    rule_ids: tuple[str, ...] = ("P-SUPP-VITD", "P-SUPP-CA")


@attrs.frozen
class Assessment:
    """What the pediatric protocol says about one patient on the assessment date.

    Attributes:
        protocol: The protocol id.
        protocol_version: The version of the protocol's encoding.
        patient_id: The caller's identifier of the patient.
        assessment_date: The date the assessment is for ("today").
        in_scope: Whether the patient is younger than 19 (P-SCOPE-1).
        first_infusion: Whether no infusion has been given yet.
        indication: Whether and why treatment is indicated; ``None`` out of scope.
        renal: The GFR and the zoledronic acid gate; ``None`` out of scope.
        allowed_drugs: The drugs allowed, zoledronic acid first; empty when out of scope or not
            indicated.
        supplements: Vitamin D and calcium advice; ``None`` unless in scope and indicated.
        monitoring: The monitoring plan; ``None`` unless in scope and indicated.
        findings: Every finding, in the order scope, indication, contraindications, first
            infusion, renal function, supplements, monitoring.
        patient: The patient assessed (not compared).
        plugins: The plugins loaded (name, distribution, version); set by
            :class:`bisphos.engine.Engine`, empty for an assessment made without plugins (not
            compared: the plan that holds an assessment compares its own plugins).
    """

    protocol: str
    protocol_version: str
    patient_id: str
    assessment_date: dt.date
    in_scope: bool
    first_infusion: bool
    indication: Indication | None
    renal: RenalAssessment | None
    allowed_drugs: tuple[Drug, ...]
    supplements: SupplementAdvice | None
    monitoring: MonitoringPlan | None
    findings: tuple[Finding, ...]
    patient: Patient = attrs.field(eq=False, repr=False)
    plugins: tuple[PluginRecord, ...] = attrs.field(default=(), eq=False)

    @property
    def provenance(self) -> Provenance:
        """Protocol, library and plugin versions, rule ids, and the digest of the patient."""
        return Provenance.of(
            protocol_id=self.protocol,
            protocol_version=self.protocol_version,
            library_version=__version__,
            plugins=self.plugins,
            rule_ids=rule_ids_of(self.findings),
            patient=patient_input(self.patient),
        )

    @property
    def indicated(self) -> bool:
        """Whether treatment is indicated (and the patient in scope)."""
        return self.indication is not None and self.indication.indicated

    @property
    def blocks(self) -> tuple[Finding, ...]:
        """The findings that block an infusion today."""
        return blocking(self.findings)

    @property
    def cleared_today(self) -> bool:
        """Whether an infusion may be given today: in scope, indicated, nothing blocks."""
        return self.in_scope and self.indicated and not self.blocks and bool(self.allowed_drugs)

    @property
    def zoledronic_acid_allowed(self) -> bool:
        """Whether zoledronic acid is among the allowed drugs (P-GFR)."""
        return Drug.ZOLEDRONIC_ACID in self.allowed_drugs

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The rule ids named by the findings, each once, in order of first appearance."""
        return rule_ids_of(self.findings)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the findings, in order."""
        return tuple(f.code for f in self.findings)

    def finding(self, code: str) -> Finding | None:
        """Return the first finding with ``code``, or ``None``."""
        return next((f for f in self.findings if f.code == code), None)


def in_scope(patient: Patient) -> bool:
    """Return whether the patient is younger than 19 on the assessment date (P-SCOPE-1)."""
    return is_younger_than(patient.birth_date, SCOPE_AGE_YEARS, patient.assessment_date)


def could_become_pregnant(patient: Patient) -> bool:
    """Return whether the patient needs pregnancy counselling (P-CI-PREG).

    The recorded flag decides; when it is not recorded, female patients aged 10 years or more
    could become pregnant. A known pregnancy always counts.
    """
    risks = patient.risks
    if risks.pregnant:
        return True
    if risks.could_become_pregnant is not None:
        return risks.could_become_pregnant
    return patient.sex is Sex.FEMALE and not is_younger_than(
        patient.birth_date, PREGNANCY_COUNSELLING_AGE_YEARS, patient.assessment_date
    )


#: Payne's reference albumin in g/l (the canonical unit of albumin), read once at import.
_PAYNE_REFERENCE_G_L: Final = q.ALBUMIN.magnitude(PAYNE_ALBUMIN_REFERENCE, field="albumin")


def albumin_corrected_calcium(calcium: Quantity, albumin: Quantity) -> Quantity:
    """Return Payne's albumin-corrected calcium, ``Ca + 0.02 × (40 − albumin g/l)`` in mmol/l.

    For information only (P-CI-HYPOCA): total calcium decides, the corrected value never clears.
    Each value may be in any unit its kind accepts (calcium in mg/dl is converted by x 0.2495).

    Raises:
        UnitError: a value is not a calcium or an albumin concentration.
    """
    calcium_mmol_l = q.CALCIUM.magnitude(calcium, field="labs.calcium")
    albumin_g_l = q.ALBUMIN.magnitude(albumin, field="labs.albumin")
    corrected = calcium_mmol_l + PAYNE_CALCIUM_PER_ALBUMIN * (_PAYNE_REFERENCE_G_L - albumin_g_l)
    return quantity(corrected, q.CALCIUM.canonical)


def _scope_finding(patient: Patient) -> Finding:
    return Finding(
        code="out-of-scope",
        rule_ids=("P-SCOPE-1",),
        severity=Severity.BLOCK,
        message=(
            f"The patient is {patient.age_in_whole_years} years old: the pediatric protocol is "
            "for patients younger than 19. Nothing is assessed or cleared."
        ),
        evidence=(
            Evidence(
                "age", patient.age, threshold=quantity(float(SCOPE_AGE_YEARS), q.AGE.canonical)
            ),
            Evidence("birth_date", patient.birth_date),
            Evidence("19th birthday", birthday(patient.birth_date, SCOPE_AGE_YEARS)),
        ),
        params={"age_years": patient.age_in_whole_years},
    )


def _temperature(patient: Patient) -> list[Finding]:
    temperature = patient.vitals.temperature
    if temperature is None:
        return [
            Finding(
                code="temperature-not-recorded",
                rule_ids=("P-CI-FEVER", "P-MON-CHECKS"),
                severity=Severity.WARN,
                message="No temperature recorded today: fever cannot be excluded yet.",
                evidence=(Evidence("vitals.temperature", "missing"),),
                action="Measure the temperature before the infusion; postpone above 38.5 °C.",
            )
        ]
    return _fever(temperature)


#: The BLOCKs of a threshold met today: (threshold, field, rule id, message, action).
_FEVER_BLOCK: Final = (
    FEVER,
    "vitals.temperature",
    "P-CI-FEVER",
    "Temperature above 38.5 °C: postpone the infusion.",
    "Postpone the infusion until the fever has resolved.",
)
_HYPOCALCAEMIA_BLOCK: Final = (
    HYPOCALCAEMIA,
    "labs.calcium",
    "P-CI-HYPOCA",
    "Total calcium below 2.2 mmol/l: do not infuse.",
    _CONSULT,
)


def _fever(temperature: Quantity | None) -> list[Finding]:
    """P-CI-FEVER: the BLOCK of a temperature above 38.5 °C."""
    return _threshold_block("fever", temperature, _FEVER_BLOCK)


def _hypocalcaemia(calcium: Quantity | None) -> list[Finding]:
    """P-CI-HYPOCA: the BLOCK of a total calcium below 2.2 mmol/l."""
    return _threshold_block("hypocalcaemia", calcium, _HYPOCALCAEMIA_BLOCK)


def _threshold_block(
    code: str, value: Quantity | None, block: tuple[Threshold, str, str, str, str]
) -> list[Finding]:
    """The BLOCK ``code`` of ``value`` meeting the block's threshold; none otherwise."""
    threshold, field, rule_id, message, action = block
    if value is None or not threshold.met(value):
        return []
    return [
        Finding(
            code=code,
            rule_ids=(rule_id,),
            severity=Severity.BLOCK,
            message=message,
            evidence=(threshold.evidence(value, field),),
            action=action,
        )
    ]


def _calcium(patient: Patient, *, first: bool) -> list[Finding]:
    labs = patient.labs
    if labs.calcium is None:
        if first:
            return []  # a missing required lab, reported by P-PRE-LABS
        return [
            Finding(
                code="calcium-not-known",
                rule_ids=("P-CI-HYPOCA",),
                severity=Severity.WARN,
                message="No total calcium known: hypocalcaemia cannot be excluded.",
                evidence=(Evidence("labs.calcium", "missing"),),
                action="Measure total calcium before the infusion.",
            )
        ]
    calcium = labs.calcium.value
    findings = _hypocalcaemia(calcium)
    low = bool(findings)
    if labs.albumin is not None:
        corrected = albumin_corrected_calcium(calcium, labs.albumin.value)
        if low or HYPOCALCAEMIA.met(corrected):
            findings.append(
                Finding(
                    code="albumin-corrected-calcium",
                    rule_ids=("P-CI-HYPOCA",),
                    severity=Severity.INFO,
                    message=(
                        "Albumin-corrected calcium (Payne), for information only: total calcium "
                        "decides."
                    ),
                    evidence=(
                        Evidence("albumin-corrected calcium", corrected),
                        Evidence("labs.calcium", calcium),
                        Evidence("labs.albumin", labs.albumin.value),
                    ),
                )
            )
    return findings


def _risk_blocks(patient: Patient) -> list[Finding]:
    """P-CI-ALLERGY, P-CI-PREG: the BLOCKs of a hypersensitivity and of a known pregnancy."""
    findings = []
    if patient.risks.bisphosphonate_hypersensitivity:
        findings.append(
            Finding(
                code="hypersensitivity",
                rule_ids=("P-CI-ALLERGY",),
                severity=Severity.BLOCK,
                message="Hypersensitivity to bisphosphonates: do not infuse.",
                evidence=(Evidence("risks.bisphosphonate_hypersensitivity", value=True),),
            )
        )
    if patient.risks.pregnant:
        findings.append(
            Finding(
                code="pregnancy",
                rule_ids=("P-CI-PREG",),
                severity=Severity.BLOCK,
                message="Known pregnancy: bisphosphonates cross the placenta; do not infuse.",
                evidence=(Evidence("risks.pregnant", value=True),),
            )
        )
    return findings


def _contraindications(patient: Patient, *, first: bool) -> list[Finding]:
    findings = _temperature(patient) + _calcium(patient, first=first) + _risk_blocks(patient)
    if patient.risks.pregnant is None and could_become_pregnant(patient):
        # "pregnant": null is not recorded, never read as "not pregnant".
        findings.append(
            Finding(
                code="pregnancy-not-recorded",
                rule_ids=("P-CI-PREG",),
                severity=Severity.WARN,
                message="Pregnancy not recorded: ask before the infusion; a known pregnancy "
                "blocks every infusion.",
                evidence=(Evidence("risks.pregnant", value="not recorded"),),
                action="Record whether the patient is pregnant.",
            )
        )
    return findings


def core_contraindications(patient: Patient) -> tuple[Finding, ...]:
    """Return the contraindications that block an infusion today (P-CI-*), whatever the scope.

    These are the core's: the gate (:mod:`bisphos.gate`) checks that no protocol or plugin
    removed or demoted them, and that nothing is cleared while one holds.
    """
    calcium = patient.labs.calcium
    blocks = _fever(patient.vitals.temperature)
    blocks += _hypocalcaemia(None if calcium is None else calcium.value)
    return tuple(blocks + _risk_blocks(patient))


def _vitamin_d(patient: Patient, *, first: bool, advice: Quantity) -> list[Finding]:
    result = patient.labs.vitamin_d_25oh
    if result is None or not VITAMIN_D_DEFICIENCY.met(result.value):
        return []
    evidence = (
        VITAMIN_D_DEFICIENCY.evidence(result.value, "labs.vitamin_d_25oh"),
        Evidence("vitamin D advice per day", advice),
    )
    raise_it = f"Raise vitamin D supplementation above {advice.magnitude:g} IU per day"
    if first:
        return [
            Finding(
                code="vitamin-d-deficient",
                rule_ids=("P-PRE-VITD", "P-SUPP-VITD"),
                severity=Severity.BLOCK,
                message=(
                    "25-OH vitamin D below 50 nmol/l: the deficiency is corrected before the "
                    "first infusion."
                ),
                evidence=evidence,
                action=f"{raise_it}, and recheck 25-OH vitamin D before the first infusion.",
            )
        ]
    return [
        Finding(
            code="vitamin-d-low",
            rule_ids=("P-PRE-VITD", "P-SUPP-VITD"),
            severity=Severity.WARN,
            message="25-OH vitamin D below 50 nmol/l.",
            evidence=evidence,
            action=f"{raise_it}.",
        )
    ]


def _calcium_consult(patient: Patient) -> list[Finding]:
    labs = patient.labs
    if labs.calcium is None or not HYPOCALCAEMIA.met(labs.calcium.value):
        return []
    calcium = HYPOCALCAEMIA.evidence(labs.calcium.value, "labs.calcium")
    pth = labs.pth
    if pth is None or pth.upper_limit is None:
        unknown = "PTH" if pth is None else "the laboratory's upper limit of PTH"
        return [
            Finding(
                code="calcium-consult",
                rule_ids=("P-PRE-CA",),
                severity=Severity.WARN,
                message=(
                    f"Total calcium below 2.2 mmol/l before the first infusion; {unknown} is not "
                    "known, so whether PTH is raised cannot be decided."
                ),
                evidence=(calcium, Evidence("labs.pth", "missing" if pth is None else pth.value)),
                action=f"{_CONSULT} Decide on calcium supplementation with PTH.",
                variant="pth-missing" if pth is None else "pth-limit-unknown",
            )
        ]
    raised = exceeds(pth.value, pth.upper_limit, PTH_RESOLUTION)
    pth_evidence = Evidence("labs.pth", pth.value, threshold=pth.upper_limit)
    findings = [
        Finding(
            code="calcium-consult",
            rule_ids=("P-PRE-CA",),
            severity=Severity.WARN,
            message="Total calcium below 2.2 mmol/l before the first infusion.",
            evidence=(calcium, pth_evidence),
            action=_CONSULT,
        )
    ]
    if raised:
        findings.append(
            Finding(
                code="calcium-supplementation",
                rule_ids=("P-PRE-CA", "P-SUPP-CA"),
                severity=Severity.WARN,
                message="Low calcium with PTH above the laboratory's upper limit.",
                evidence=(calcium, pth_evidence),
                action="Start calcium supplementation or raise dietary calcium.",
            )
        )
    return findings


def _immobile(patient: Patient) -> bool:
    return (
        patient.risks.prolonged_immobilisation
        or patient.diagnosis is Diagnosis.SECONDARY_IMMOBILITY
    )


def _dxa(patient: Patient) -> list[Finding]:
    wanted = [BmdSite.LUMBAR_SPINE, BmdSite.TOTAL_BODY_LESS_HEAD]
    if _immobile(patient):
        wanted.append(BmdSite.FEMUR)
    measured = {m.site for m in patient.bmd}
    needed = [site for site in wanted if site not in measured]
    if not needed:
        return []
    names = ", ".join(site.value.replace("_", " ") for site in needed)
    return [
        Finding(
            code="dxa-needed",
            rule_ids=("P-PRE-DXA",),
            severity=Severity.WARN,
            message=f"No DXA on record of the {names}.",
            evidence=tuple(Evidence(f"bmd.{site.value}", "missing") for site in needed),
            params={"sites": tuple(site.value for site in needed)},
            action=(
                f"DXA of the {names}, and vertebral morphometry (VFA) or, where that is not "
                "possible, a lateral spine X-ray."
            ),
        )
    ]


def _first_infusion(
    patient: Patient, indication: Indication, *, vitamin_d_advice: Quantity
) -> list[Finding]:
    findings: list[Finding] = []
    missing = patient.labs.missing()
    if missing:
        names = ", ".join(LAB_NAMES[name] for name in missing)
        findings.append(
            Finding(
                code="labs-missing",
                rule_ids=("P-PRE-LABS",),
                severity=Severity.BLOCK,
                message=(
                    "The first infusion needs calcium, phosphate, alkaline phosphatase, urea, "
                    f"creatinine, albumin, 25-OH vitamin D and PTH; missing: {names}."
                ),
                evidence=tuple(Evidence(f"labs.{name}", "missing") for name in missing),
                action=f"Measure {names} before the first infusion.",
                params={"labs": tuple(missing)},
            )
        )
    findings += _vitamin_d(patient, first=True, advice=vitamin_d_advice)
    findings += _calcium_consult(patient)
    if not indication.excluded:
        findings += _dxa(patient)
    return findings


def _supplements(patient: Patient) -> SupplementAdvice:
    raised = patient.risks.dark_skin or patient.risks.little_time_outdoors
    vitamin_d = patient.labs.vitamin_d_25oh
    return SupplementAdvice(
        vitamin_d_per_day=VITAMIN_D_DAILY_RAISED if raised else VITAMIN_D_DAILY,
        dairy_portions_per_day=DAIRY_PORTIONS_PER_DAY,
        raise_vitamin_d=vitamin_d is not None and VITAMIN_D_DEFICIENCY.met(vitamin_d.value),
    )


def _supplement_findings(patient: Patient, advice: SupplementAdvice) -> list[Finding]:
    low, high = advice.dairy_portions_per_day
    dose = advice.vitamin_d_per_day
    return [
        Finding(
            code="vitamin-d-supplementation",
            rule_ids=("P-SUPP-VITD",),
            severity=Severity.INFO,
            message=(
                f"Vitamin D at least {dose.magnitude:g} IU per day"
                + (
                    " (dark skin or little time outdoors)."
                    if dose.magnitude > VITAMIN_D_DAILY.magnitude
                    else "."
                )
            ),
            evidence=(
                Evidence("vitamin D per day", dose),
                Evidence("risks.dark_skin", patient.risks.dark_skin),
                Evidence("risks.little_time_outdoors", patient.risks.little_time_outdoors),
            ),
            variant="raised" if dose.magnitude > VITAMIN_D_DAILY.magnitude else "",
        ),
        Finding(
            code="calcium-intake",
            rule_ids=("P-SUPP-CA",),
            severity=Severity.INFO,
            message=f"Calcium by age and diet: at least {low} to {high} dairy portions per day.",
            evidence=(Evidence("dairy portions per day", f"at least {low} to {high}, by age"),),
            params={"low": low, "high": high},
        ),
    ]


def assess(
    patient: Patient,
    *,
    estimator: GfrEstimator = schwartz_40,
    freshness: Freshness = DEFAULT_FRESHNESS,
) -> Assessment:
    """Assess ``patient`` on its assessment date under ``nl-pediatric-iv-bp-2024``.

    Args:
        patient: The patient; ``patient.assessment_date`` is "today".
        estimator: The GFR estimator; the protocol's simplified Schwartz (k = 40) by default.
            The > 90 gate for zoledronic acid applies to whatever it returns.
        freshness: The oldest values that clear an infusion (P-FRESH); a plugin may tighten
            the protocol's.

    Raises:
        PluginError: the estimator failed or returned something other than a positive GFR.
    """
    first = not patient.infusions
    if not in_scope(patient):
        return Assessment(
            protocol=PROTOCOL_ID,
            protocol_version=PROTOCOL_VERSION,
            patient_id=patient.patient_id,
            assessment_date=patient.assessment_date,
            in_scope=False,
            first_infusion=first,
            indication=None,
            renal=None,
            allowed_drugs=(),
            supplements=None,
            monitoring=None,
            findings=(_scope_finding(patient),),
            patient=patient,
        )
    indication = assess_indication(patient)
    renal = assess_renal(patient, estimator)
    advice = _supplements(patient)
    findings = [*indication.findings, *_contraindications(patient, first=first)]
    implausible = weight_finding(patient) if indication.indicated else None
    findings += [implausible] if implausible is not None else []
    if first:
        findings += _first_infusion(patient, indication, vitamin_d_advice=advice.vitamin_d_per_day)
    else:
        findings += _vitamin_d(patient, first=False, advice=advice.vitamin_d_per_day)
    # P-FRESH: the protocol's limits always; a hospital's tighter ones add their own findings.
    protocol_fresh = freshness_findings(patient, first=first)
    findings += protocol_fresh
    if freshness != DEFAULT_FRESHNESS:
        local = freshness_findings(patient, first=first, freshness=freshness)
        findings += [f for f in local if f not in protocol_fresh]
    findings += renal.findings
    supplements: SupplementAdvice | None = None
    plan: MonitoringPlan | None = None
    drugs: tuple[Drug, ...] = ()
    if indication.indicated:
        supplements = advice
        plan = monitoring_plan(patient)
        gate = renal.zoledronic_acid_allowed and creatinine_fresh(patient, freshness)
        drugs = (Drug.ZOLEDRONIC_ACID,) if gate else ()
        if not gate:
            # Pamidronate is the candidate: what the kidneys allow of it (P-PAM-RENAL).
            protocol = type(estimator) is type(schwartz_40) and estimator == schwartz_40
            kidneys = pamidronate_renal(patient, estimate=renal.estimate if protocol else None)
            findings += kidneys.findings
            drugs += (Drug.PAMIDRONATE,) if kidneys.allowed else ()
        else:
            drugs += (Drug.PAMIDRONATE,)
        vitamin_d = patient.labs.vitamin_d_25oh
        sufficient = vitamin_d is not None and not VITAMIN_D_DEFICIENCY.met(vitamin_d.value)
        findings += _supplement_findings(patient, advice)
        findings += monitoring_findings(patient, plan, vitamin_d_known_sufficient=sufficient)
        findings += counselling_findings(patient, first=first)
    return Assessment(
        protocol=PROTOCOL_ID,
        protocol_version=PROTOCOL_VERSION,
        patient_id=patient.patient_id,
        assessment_date=patient.assessment_date,
        in_scope=True,
        first_infusion=first,
        indication=indication,
        renal=renal,
        allowed_drugs=drugs,
        supplements=supplements,
        monitoring=plan,
        findings=tuple(findings),
        patient=patient,
    )
