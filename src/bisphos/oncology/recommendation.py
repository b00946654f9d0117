"""The entry point of ``nl-oncology-bone-2016``: one recommendation for one adult patient.

:func:`recommend` runs the protocol in a fixed order: scope (O-SCOPE; a child stops here with no
dose) → the deck's advice for the setting and tumour (:mod:`bisphos.oncology.settings`) → each
proposed regimen from the catalogue, checked against its registration and the renal rules of
O-RENAL, priced per year (O-CAT) → precautions (O-ONJ, O-DMAB-AGE, calcium and vitamin D) →
radium-223 when an injection is due (O-RA223) → the deck's evidence for the rules applied
(O-EVIDENCE). It is a pure function of the patient: no clock, no I/O beyond the package's own
catalogue, and the same patient always gives an equal recommendation.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Final

import attrs

from bisphos._version import __version__
from bisphos.findings import Evidence, Finding, Severity, rule_ids_of
from bisphos.oncology.cost import YearlyCost, yearly_cost
from bisphos.oncology.evidence import CitedEvidence, evidence_for
from bisphos.oncology.infusion import OncologyInfusion, plan_infusion
from bisphos.oncology.labels import LabelRestriction, restriction, restrictions_for
from bisphos.oncology.patient import (
    AdultPatient,
    ClinicianOverride,
    OverrideTarget,
    Setting,
    Tumour,
)
from bisphos.oncology.radium import RadiumPlan, plan_radium
from bisphos.oncology.regimens import Drug, Regimen, RenalRule, regimen
from bisphos.oncology.renal import (
    CreatinineClearance,
    RenalStatus,
    assess_renal,
    creatinine_clearance,
    creatinine_each_dose_finding,
    withhold_finding,
)
from bisphos.oncology.rules import PROTOCOL_ID, PROTOCOL_VERSION
from bisphos.oncology.safety import (
    denosumab_age_findings,
    denosumab_ckd_findings,
    denosumab_findings,
    onj_findings,
    supplementation_findings,
)
from bisphos.oncology.scope import scope_findings
from bisphos.oncology.settings import Advice, Proposal, advise
from bisphos.oncology.side_effects import SideEffect, side_effects_of
from bisphos.oncology.supplements import Supplement
from bisphos.protocols import PluginRecord
from bisphos.provenance import Provenance, normalise
from bisphos.units import Quantity

__all__ = [
    "OncologyRecommendation",
    "OptionStatus",
    "RecommendationStatus",
    "RegimenOption",
    "recommend",
]


class OptionStatus(enum.StrEnum):
    """Whether a proposed regimen can be given."""

    OFFERED = "offered"
    REFUSED = "refused"
    NEEDS_DATA = "needs_data"


class RecommendationStatus(enum.StrEnum):
    """What the recommendation allows today.

    ``ready``: a regimen can be given, or the radium-223 injection due today, and nothing that
    concerns every regimen blocks it; ``blocked``: something would be given but a block that
    concerns the patient (not one regimen) stops it today, e.g. no dental evaluation before the
    start; ``no_regimen``: the deck advises no regimen the patient can be given; ``out_of_scope``:
    the patient is not an adult.
    """

    READY = "ready"
    BLOCKED = "blocked"
    NO_REGIMEN = "no_regimen"
    OUT_OF_SCOPE = "out_of_scope"


@attrs.frozen
class RegimenOption:
    """One regimen the protocol proposes for the patient.

    Attributes:
        regimen: The catalogue row.
        advice: Start, continue, restart, consider, preferred or alternative.
        status: Offered, refused (renal limit or registration) or needs data (no creatinine).
        dose: The dose per administration after renal adjustment; ``None`` unless offered.
        interval: The interval: the rule's where it sets one, else the catalogue's.
        interval_range: The deck's range of intervals, when it gives one.
        rule_ids: The rules behind the option, its dose and its interval.
        yearly_cost: The yearly cost at list price; ``None`` unless offered with a price.
        side_effects: The deck's side effects of the drug.
        note: Why, in a few words (English).
        note_id: The id of those words in the message catalogue (``onc-note.<id>``), or ``""``.
        infusion: Volume, duration and rate of one intravenous administration (O-LABEL);
            ``None`` for other routes or when not offered.
        labels: The current labels' restrictions for the drug, each with its source, year and
            the deck's statement beside it (O-LABEL, O-INTERVAL).
        override: The clinician override the option is offered on, if any (O-LABEL).
    """

    regimen: Regimen
    advice: Advice
    status: OptionStatus
    dose: Quantity | None
    interval: Quantity
    interval_range: tuple[Quantity, Quantity] | None
    rule_ids: tuple[str, ...]
    yearly_cost: YearlyCost | None
    side_effects: tuple[SideEffect, ...]
    note: str = ""
    infusion: OncologyInfusion | None = None
    labels: tuple[LabelRestriction, ...] = ()
    override: ClinicianOverride | None = None
    note_id: str = ""


@attrs.frozen
class OncologyRecommendation:
    """What the oncology protocol recommends for one patient on one date.

    Attributes:
        protocol_id: ``nl-oncology-bone-2016``.
        protocol_version: The version of this reading of the deck.
        assessment_date: The date it is made for.
        patient_id: The caller's identifier, copied.
        setting: The patient's setting.
        tumour: The patient's tumour.
        in_scope: Whether the patient is an adult; if not, nothing else is given.
        patient: The patient the recommendation is for (not compared).
        options: The regimens proposed, in order of preference, each with its status.
        supplements: Daily calcium and vitamin D (O-OP-GENERAL).
        radium: The radium-223 course, when an injection is due.
        clearance: The creatinine clearance used for O-RENAL.
        findings: Every finding, each with its rule ids and evidence.
        evidence: The deck's cited results for the rules applied.
        plugins: The plugins loaded (name, distribution, version); set by
            :class:`bisphos.engine.Engine`, empty for a recommendation made without plugins.
    """

    protocol_id: str
    protocol_version: str
    assessment_date: dt.date
    patient_id: str
    setting: Setting
    tumour: Tumour
    in_scope: bool
    patient: AdultPatient = attrs.field(eq=False, repr=False)
    options: tuple[RegimenOption, ...] = ()
    supplements: tuple[Supplement, ...] = ()
    radium: RadiumPlan | None = None
    clearance: CreatinineClearance | None = None
    findings: tuple[Finding, ...] = ()
    evidence: tuple[CitedEvidence, ...] = ()
    plugins: tuple[PluginRecord, ...] = ()

    @property
    def provenance(self) -> Provenance:
        """Protocol, library and plugin versions, rule ids, and the digest of the patient.

        The patient is hashed as :func:`bisphos.provenance.normalise` writes it (every field).
        """
        return Provenance.of(
            protocol_id=self.protocol_id,
            protocol_version=self.protocol_version,
            library_version=__version__,
            plugins=self.plugins,
            rule_ids=self.rule_ids,
            patient=normalise(self.patient),
        )

    @property
    def offered(self) -> tuple[RegimenOption, ...]:
        """The options that can be given."""
        return tuple(item for item in self.options if item.status is OptionStatus.OFFERED)

    @property
    def general_blocks(self) -> tuple[Finding, ...]:
        """The blocking findings that concern the patient, not one regimen."""
        return tuple(
            finding
            for finding in self.findings
            if finding.severity is Severity.BLOCK
            and not any(item.name == "regimen" for item in finding.evidence)
        )

    @property
    def status(self) -> RecommendationStatus:
        """Ready, blocked, no regimen or out of scope (see :class:`RecommendationStatus`)."""
        if not self.in_scope:
            return RecommendationStatus.OUT_OF_SCOPE
        radium = self.radium is not None and bool(self.radium.injections)
        if not self.offered and not radium:
            return RecommendationStatus.NO_REGIMEN
        if self.general_blocks:
            return RecommendationStatus.BLOCKED
        if self.offered or (self.radium is not None and self.radium.cleared_today):
            return RecommendationStatus.READY
        return RecommendationStatus.BLOCKED

    @property
    def label_restrictions(self) -> tuple[LabelRestriction, ...]:
        """The label restrictions of every proposed drug and of radium-223, each once."""
        found: list[LabelRestriction] = []
        groups = [option.labels for option in self.options]
        if self.radium is not None:
            groups.append((restriction("radium-223-indication"),))
        for group in groups:
            found.extend(item for item in group if item not in found)
        return tuple(found)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule id the recommendation names, each once, in order of first appearance."""
        ids: dict[str, None] = {}
        for option in self.options:
            ids.update(dict.fromkeys(option.rule_ids))
        for supplement in self.supplements:
            ids.update(dict.fromkeys(supplement.rule_ids))
        ids.update(dict.fromkeys(rule_ids_of(self.findings)))
        if self.radium is not None:
            ids.update(dict.fromkeys(self.radium.rule_ids))
            ids.update(dict.fromkeys(rule_ids_of(self.radium.findings)))
        if self.evidence:
            # Evidence is cited under O-EVIDENCE; the other rules it supports are not applied.
            ids["O-EVIDENCE"] = None
        return tuple(ids)


def _unique(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    # The same regimen proposed at two intervals gives the same renal finding twice. Findings are
    # compared, not hashed: quantities of this registry are not hashable.
    kept: list[Finding] = []
    for finding in findings:
        if finding not in kept:
            kept.append(finding)
    return tuple(kept)


def _registration_finding(row: Regimen, patient: AdultPatient) -> Finding:
    return Finding(
        code="not-registered",
        rule_ids=("O-CAT",),
        severity=Severity.BLOCK,
        message=f"{row.id} is not registered for this tumour ({row.registration.deck})",
        evidence=(Evidence("tumour", patient.tumour.value), Evidence("regimen", row.id)),
        action="choose another regimen",
        params={"deck": row.registration.deck},
    )


def _option(
    proposal: Proposal, patient: AdultPatient, clearance: Quantity | None
) -> tuple[RegimenOption, tuple[Finding, ...]]:
    row = regimen(proposal.regimen_id)
    interval = proposal.interval if proposal.interval is not None else row.interval
    findings: list[Finding] = []
    rule_ids = dict.fromkeys((*proposal.rule_ids, *row.rule_ids))
    override = (
        patient.override(OverrideTarget.PAMIDRONATE_SEVERE_RENAL)
        if row.renal is RenalRule.PAMIDRONATE
        else None
    )
    infusion = None
    if not row.registration.allows(patient.tumour):
        status, dose = OptionStatus.REFUSED, None
        findings.append(_registration_finding(row, patient))
    else:
        renal = assess_renal(row, clearance, override=override)
        if renal.finding is not None:
            findings.append(renal.finding)
            rule_ids.update(dict.fromkeys(renal.finding.rule_ids))
        status = {
            RenalStatus.REFUSED: OptionStatus.REFUSED,
            RenalStatus.UNKNOWN: OptionStatus.NEEDS_DATA,
        }.get(renal.status, OptionStatus.OFFERED)
        monitoring = creatinine_each_dose_finding(row)
        if monitoring is not None:
            findings.append(monitoring)
            rule_ids.update(dict.fromkeys(monitoring.rule_ids))
        withhold = withhold_finding(row, patient)
        if withhold is not None and status is OptionStatus.OFFERED:
            findings.append(withhold)
            rule_ids.update(dict.fromkeys(withhold.rule_ids))
            status = OptionStatus.REFUSED
        dose = renal.dose if status is OptionStatus.OFFERED else None
        if dose is not None:
            infusion, infusion_findings = plan_infusion(
                row, dose, setting=patient.setting, clearance=clearance
            )
            findings.extend(infusion_findings)
            if infusion is not None:
                rule_ids.update(dict.fromkeys(infusion.rule_ids))
    cost = None
    if status is OptionStatus.OFFERED and row.price is not None:
        cost = yearly_cost(row.price, interval, administrations=row.administrations)
    labels = restrictions_for(row.drug) if row.drug in _LABELLED else ()
    if labels:
        rule_ids.update(dict.fromkeys(("O-LABEL",)))
    option = RegimenOption(
        regimen=row,
        advice=proposal.advice,
        status=status,
        dose=dose,
        interval=interval,
        interval_range=proposal.interval_range,
        rule_ids=tuple(rule_ids),
        yearly_cost=cost,
        side_effects=side_effects_of(row),
        note=proposal.note,
        note_id=proposal.note_id,
        infusion=infusion,
        labels=_labels_of(row, labels),
        override=override if status is OptionStatus.OFFERED else None,
    )
    return option, tuple(findings)


#: The drugs whose current labels carry restrictions the protocol applies (O-LABEL).
_LABELLED: Final = frozenset({Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE, Drug.DENOSUMAB})


def _labels_of(row: Regimen, labels: tuple[LabelRestriction, ...]) -> tuple[LabelRestriction, ...]:
    # The zoledronic acid 4 mg restrictions belong to the oncology product, not to Aclasta; the
    # denosumab ones to the product they name.
    if row.drug is Drug.ZOLEDRONIC_ACID and row.renal is not RenalRule.ZOLEDRONIC_ACID_4MG:
        return ()
    if row.drug is Drug.DENOSUMAB:
        wanted = (
            {"denosumab-severe-ckd"}
            if row.indication.value == "osteoporosis"
            else {"every-4-weeks", "denosumab-myeloma"}
        )
        return tuple(item for item in labels if item.id in wanted)
    return labels


def _clearance_finding(clearance: CreatinineClearance) -> Finding:
    return Finding(
        code="creatinine-clearance",
        rule_ids=("O-RENAL",),
        severity=Severity.INFO,
        message="creatinine clearance by Cockcroft-Gault, in ml/min (not per 1.73 m²)",
        evidence=(*clearance.evidence, Evidence("creatinine_clearance", clearance.value)),
    )


def recommend(patient: AdultPatient) -> OncologyRecommendation:
    """Return the protocol's recommendation for ``patient`` on its assessment date.

    A patient under 18 gets a blocking scope finding (O-SCOPE), the protocol choice and the
    denosumab age finding (O-DMAB-AGE), and no option, dose or schedule.
    """
    base = OncologyRecommendation(
        protocol_id=PROTOCOL_ID,
        protocol_version=PROTOCOL_VERSION,
        assessment_date=patient.assessment_date,
        patient_id=patient.patient_id,
        setting=patient.setting,
        tumour=patient.tumour,
        in_scope=True,
        patient=patient,
    )
    scope = scope_findings(patient)
    if scope:
        return attrs.evolve(
            base, in_scope=False, findings=(*scope, *denosumab_age_findings(patient))
        )
    advice = advise(patient)
    clearance = creatinine_clearance(patient)
    findings: list[Finding] = [*advice.findings]
    if clearance is not None:
        findings.append(_clearance_finding(clearance))
    options: list[RegimenOption] = []
    for proposal in advice.proposals:
        option, option_findings = _option(
            proposal, patient, None if clearance is None else clearance.value
        )
        options.append(option)
        findings.extend(option_findings)
    offered = [item.regimen for item in options if item.status is OptionStatus.OFFERED]
    # Precautions concern every regimen that may still be given once missing data arrive.
    planned = [
        (item.regimen, item.interval) for item in options if item.status is not OptionStatus.REFUSED
    ]
    precautions = [
        *supplementation_findings(offered, patient),
        *onj_findings(patient, planned),
        *denosumab_findings(patient, offered),
        *denosumab_ckd_findings(patient, offered, None if clearance is None else clearance.value),
    ]
    findings.extend(precautions)
    radium = plan_radium(patient) if patient.radium_injection_number is not None else None
    # Evidence follows the setting's own rules and the precautions, not the rules a setting
    # borrows (prostate cancer shares the continuation advice of O-SRE-BREAST, not its trials).
    applied = [*advice.rule_ids, *rule_ids_of(precautions)]
    if radium is not None:
        applied.extend(radium.rule_ids)
    return attrs.evolve(
        base,
        options=tuple(options),
        supplements=advice.supplements,
        radium=radium,
        clearance=clearance,
        findings=_unique(findings),
        evidence=evidence_for(applied),
    )
