"""What the deck advises per setting and tumour: which regimens, and why.

One pure function per rule group returns a :class:`SettingAdvice`: the regimens proposed (by
catalogue id, with the advice and any interval the rule sets) and the findings of the rule.
Renal adjustment, costs and precautions are applied afterwards by
:func:`bisphos.oncology.recommendation.recommend`.
"""

from __future__ import annotations

import enum
from typing import Final

import attrs

from bisphos.dates import add_months
from bisphos.findings import Evidence, Finding, Severity
from bisphos.i18n import text
from bisphos.oncology._resolution import resolve
from bisphos.oncology.labels import restriction
from bisphos.oncology.patient import AdultPatient, MenopausalStatus, Setting, Tumour
from bisphos.oncology.supplements import OSTEOPOROSIS_PREVENTION_SUPPLEMENTS, Supplement
from bisphos.units import Quantity, quantity

__all__ = [
    "DENOSUMAB_60",
    "DENOSUMAB_120",
    "LIFE_EXPECTANCY_MONTHS",
    "MYELOMA_MINIMUM_MONTHS",
    "OSTEOPOROSIS_REGIMENS",
    "PAMIDRONATE_90",
    "ZOLEDRONIC_ACID_4",
    "ZOLEDRONIC_ACID_5",
    "Advice",
    "Proposal",
    "SettingAdvice",
    "advise",
    "prevention_of_metastases",
    "prevention_of_osteoporosis",
    "sre_breast_or_prostate",
    "sre_myeloma",
    "sre_other",
]

#: Catalogue ids the rules propose.
ZOLEDRONIC_ACID_4: Final = "zoledronic-acid-4mg-monthly"
ZOLEDRONIC_ACID_5: Final = "zoledronic-acid-5mg-yearly"
DENOSUMAB_120: Final = "denosumab-120mg-monthly"
DENOSUMAB_60: Final = "denosumab-60mg-6-monthly"
PAMIDRONATE_90: Final = "pamidronate-90mg-4-weekly"
#: The catalogue's postmenopausal-osteoporosis regimens (O-OP-BREAST), weekly before daily.
OSTEOPOROSIS_REGIMENS: Final = (
    "alendronic-acid-70mg-weekly",
    "alendronic-acid-10mg-daily",
    "risedronic-acid-35mg-weekly",
    "risedronic-acid-5mg-daily",
    "ibandronic-acid-150mg-monthly",
    "ibandronic-acid-3mg-iv-3-monthly",
    ZOLEDRONIC_ACID_5,
    DENOSUMAB_60,
)
#: O-SRE-OTHER: life expectancy must be more than this many months.
LIFE_EXPECTANCY_MONTHS: Final = 3.0
#: O-SRE-MM: at least this many months of treatment.
MYELOMA_MINIMUM_MONTHS: Final = 24
_THREE_MONTHS: Final = quantity(3.0, "month")


class Advice(enum.StrEnum):
    """How strongly the deck proposes a regimen."""

    START = "start"
    CONTINUE = "continue"
    RESTART = "restart"
    CONSIDER = "consider"
    PREFERRED = "preferred"
    ALTERNATIVE = "alternative"


@attrs.frozen
class Proposal:
    """A regimen a rule proposes.

    Attributes:
        regimen_id: The catalogue id.
        advice: Start, continue, restart, consider, preferred or alternative.
        rule_ids: The rules that propose it.
        interval: The interval the rule sets, when it differs from the catalogue's.
        interval_range: The range of intervals the deck allows, when it gives one.
        note_id: Why, in a few words: the id of the words in the message catalogue
            (``onc-note.<id>``), ``""`` for none.
    """

    regimen_id: str
    advice: Advice
    rule_ids: tuple[str, ...]
    interval: Quantity | None = None
    interval_range: tuple[Quantity, Quantity] | None = None
    note_id: str = ""

    @property
    def note(self) -> str:
        """Why, in English words (the catalogue's), or ``""``."""
        return text(f"onc-note.{self.note_id}", "en") if self.note_id else ""


@attrs.frozen
class SettingAdvice:
    """What one rule group advises for one patient.

    Attributes:
        rule_ids: The rules applied.
        proposals: The regimens proposed, in order of preference.
        findings: The rule's findings.
        supplements: Daily supplements (O-OP-GENERAL).
    """

    rule_ids: tuple[str, ...]
    proposals: tuple[Proposal, ...] = ()
    findings: tuple[Finding, ...] = ()
    supplements: tuple[Supplement, ...] = ()


def _info(
    code: str,
    rule_id: str,
    message: str,
    *evidence: Evidence,
    action: str = "",
    variant: str = "",
) -> Finding:
    return Finding(
        code=code,
        rule_ids=(rule_id,),
        severity=Severity.INFO,
        message=message,
        evidence=evidence,
        action=action,
        variant=variant,
    )


def sre_breast_or_prostate(patient: AdultPatient) -> SettingAdvice:
    """Bone metastases of breast or prostate cancer (O-SRE-BREAST, O-SRE-PROSTATE).

    Zoledronic acid or denosumab for all, regardless of symptoms, with the continuation advice:
    intravenous bisphosphonate until the performance status declines (then it is not proposed),
    pausing or a lower frequency in stable disease, denosumab continuously, and zoledronic acid
    every 3 months as an alternative that may be as good.
    """
    rule_id = "O-SRE-BREAST" if patient.tumour is Tumour.BREAST else "O-SRE-PROSTATE"
    ids = tuple(dict.fromkeys((rule_id, "O-SRE-BREAST")))
    running = patient.treatment_start_date is not None
    first = Advice.CONTINUE if running else Advice.START
    findings = [
        _info(
            "start-regardless-of-symptoms",
            rule_id,
            "start zoledronic acid or denosumab in every patient with bone metastases of "
            f"{patient.tumour.value} cancer, regardless of symptoms",
            Evidence("tumour", patient.tumour.value),
            Evidence("setting", patient.setting.value),
        ),
        Finding(
            code="continuation-advice",
            rule_ids=ids,
            severity=Severity.INFO,
            message="continue an intravenous bisphosphonate until the performance status "
            "declines; consider pausing or a lower frequency in stable disease; give denosumab "
            "continuously; zoledronic acid every 3 months may be as good",
        ),
    ]
    if patient.tumour is Tumour.PROSTATE:
        findings.append(
            _info(
                "prostate-trial-population",
                "O-SRE-PROSTATE",
                "the trials preceded CHAARTED and STAMPEDE: their patients had progressed after "
                "first-line hormonal therapy",
            )
        )
    proposals: list[Proposal] = []
    if patient.performance_status_declined:
        findings.append(
            Finding(
                code="performance-status-declined",
                rule_ids=ids,
                severity=Severity.WARN,
                message="the performance status has declined: the intravenous bisphosphonate is "
                "not continued; denosumab is given continuously",
                evidence=(Evidence("performance_status_declined", value=True),),
                action="stop zoledronic acid",
            )
        )
    else:
        proposals.append(Proposal(ZOLEDRONIC_ACID_4, first, ids))
    proposals.append(Proposal(DENOSUMAB_120, first, ids, note_id="continuous"))
    if not patient.performance_status_declined:
        proposals.append(
            Proposal(
                ZOLEDRONIC_ACID_4,
                Advice.ALTERNATIVE,
                ids,
                interval=_THREE_MONTHS,
                note_id="zoledronic-acid-3-monthly",
            )
        )
        if patient.stable_disease:
            findings.append(
                Finding(
                    code="stable-disease",
                    rule_ids=ids,
                    severity=Severity.INFO,
                    message="stable disease: consider pausing the intravenous bisphosphonate or "
                    "giving it less often (every 3 months); do not pause denosumab",
                    evidence=(Evidence("stable_disease", value=True),),
                )
            )
    return SettingAdvice(rule_ids=(rule_id,), proposals=tuple(proposals), findings=tuple(findings))


def sre_other(patient: AdultPatient) -> SettingAdvice:
    """Bone metastases of lung, renal cell and other solid tumours (O-SRE-OTHER).

    Zoledronic acid or denosumab are considered when the life expectancy is more than 3 months
    (exactly 3 is not more) and the SRE risk is high; without either fact, nothing is proposed
    and a finding asks for it.
    """
    rule_id = "O-SRE-OTHER"
    ids = (rule_id,)
    life, risk = patient.life_expectancy, patient.high_sre_risk
    if life is None or risk is None:
        missing = [
            name
            for name, value in (("life_expectancy", life), ("high_sre_risk", risk))
            if value is None
        ]
        return SettingAdvice(
            rule_ids=ids,
            findings=(
                Finding(
                    code="sre-other-information-missing",
                    rule_ids=ids,
                    severity=Severity.WARN,
                    message="the advice depends on the life expectancy and the SRE risk",
                    evidence=tuple(Evidence(name, "missing") for name in missing),
                    action="record " + " and ".join(missing),
                ),
            ),
        )
    months = resolve(float(life.m_as("month")))
    # Shown in months, the unit of the rule (never the canonical hours).
    evidence = (
        Evidence(
            "life_expectancy", quantity(months, "month"), quantity(LIFE_EXPECTANCY_MONTHS, "month")
        ),
        Evidence("high_sre_risk", risk),
    )
    if months > LIFE_EXPECTANCY_MONTHS and risk:
        first = Advice.CONTINUE if patient.treatment_start_date is not None else Advice.CONSIDER
        return SettingAdvice(
            rule_ids=ids,
            proposals=(
                Proposal(ZOLEDRONIC_ACID_4, first, ids),
                Proposal(DENOSUMAB_120, first, ids),
            ),
            findings=(
                _info(
                    "sre-other-consider",
                    rule_id,
                    "life expectancy over 3 months and a high SRE risk: consider zoledronic acid "
                    "or denosumab",
                    *evidence,
                ),
            ),
        )
    return SettingAdvice(
        rule_ids=ids,
        findings=(
            _info(
                "sre-other-not-indicated",
                rule_id,
                "zoledronic acid or denosumab are considered only with a life expectancy over 3 "
                "months and a high SRE risk",
                *evidence,
            ),
        ),
    )


def sre_myeloma(patient: AdultPatient) -> SettingAdvice:
    """Multiple myeloma (O-SRE-MM).

    Intravenous pamidronate or zoledronic acid with osteopenia or osteoporosis, for at least 2
    years counted in calendar months from the start of the current treatment; after them,
    continued every 3 months with active bone disease, otherwise stopping may be considered;
    restarted at relapse or a new SRE. The deck (2016) says denosumab is not registered for
    myeloma but possibly an alternative; it is registered since 2018 (O-LABEL), so denosumab
    120 mg is proposed as the alternative beside them.
    """
    rule_id = "O-SRE-MM"
    ids = (rule_id,)
    label = restriction("denosumab-myeloma")
    findings = [
        Finding(
            code="denosumab-registered-myeloma",
            rule_ids=(rule_id, "O-LABEL"),
            severity=Severity.INFO,
            message=f"denosumab 120 mg is registered for multiple myeloma since {label.year}; "
            "the deck's 2016 statement: not registered, possibly an alternative",
        )
    ]
    bone_evidence = (
        Evidence("osteopenia", patient.osteopenia),
        Evidence("osteoporosis", patient.osteoporosis),
    )

    def both(
        advice: Advice, interval: Quantity | None = None, note_id: str = ""
    ) -> tuple[Proposal, ...]:
        # Denosumab 120 mg at its own 4-weekly interval: the deck's "possibly an alternative",
        # registered for myeloma since 2018 (O-LABEL).
        return (
            Proposal(PAMIDRONATE_90, advice, ids, interval=interval, note_id=note_id),
            Proposal(ZOLEDRONIC_ACID_4, advice, ids, interval=interval, note_id=note_id),
            Proposal(
                DENOSUMAB_120,
                Advice.ALTERNATIVE,
                (rule_id, "O-LABEL"),
                note_id="denosumab-myeloma",
            ),
        )

    if patient.relapse_or_new_sre:
        findings.append(
            _info(
                "myeloma-restart",
                rule_id,
                "relapse or a new SRE: restart intravenous pamidronate or zoledronic acid",
                Evidence("relapse_or_new_sre", value=True),
            )
        )
        return SettingAdvice(ids, both(Advice.RESTART), tuple(findings))
    if not (patient.osteopenia or patient.osteoporosis):
        findings.append(
            _info(
                "myeloma-not-indicated",
                rule_id,
                "the deck starts a bisphosphonate in myeloma with osteopenia or osteoporosis; "
                "neither is recorded",
                *bone_evidence,
            )
        )
        return SettingAdvice(ids, (), tuple(findings))
    start = patient.treatment_start_date or patient.assessment_date
    earliest_stop = add_months(start, MYELOMA_MINIMUM_MONTHS)
    duration = (
        Evidence("treatment_start_date", start),
        Evidence("earliest_stop_date", earliest_stop),
    )
    if patient.assessment_date < earliest_stop:
        first = Advice.START if patient.treatment_start_date is None else Advice.CONTINUE
        findings.append(
            _info(
                "myeloma-minimum-duration",
                rule_id,
                f"give at least 2 years, up to {earliest_stop.isoformat()} at the earliest",
                *bone_evidence,
                *duration,
            )
        )
        return SettingAdvice(ids, both(first), tuple(findings))
    if patient.active_bone_disease:
        findings.append(
            _info(
                "myeloma-active-bone-disease",
                rule_id,
                "2 years given and active bone disease: continue every 3 months",
                Evidence("active_bone_disease", value=True),
                *duration,
            )
        )
        return SettingAdvice(
            ids, both(Advice.CONTINUE, _THREE_MONTHS, "active-bone-disease"), tuple(findings)
        )
    findings.append(
        _info(
            "myeloma-may-stop",
            rule_id,
            "2 years given without active bone disease: the bisphosphonate may be stopped; "
            "restart at relapse or a new SRE",
            Evidence("active_bone_disease", value=False),
            *duration,
        )
    )
    return SettingAdvice(ids, (), tuple(findings))


def prevention_of_metastases(patient: AdultPatient) -> SettingAdvice:
    """Prevention of bone metastases (O-PREV-BREAST, O-PREV-PROSTATE): advice, no dose.

    The deck gives the evidence but names no regimen, so nothing is proposed.
    """
    if patient.tumour is Tumour.BREAST:
        status = patient.menopausal_status
        post = status is MenopausalStatus.POSTMENOPAUSAL
        message = (
            "adjuvant bisphosphonates lower breast cancer mortality and bone metastases, mainly "
            + ("in postmenopausal women like this patient" if post else "in postmenopausal women")
        )
        return SettingAdvice(
            rule_ids=("O-PREV-BREAST",),
            findings=(
                _info(
                    "adjuvant-bisphosphonates",
                    "O-PREV-BREAST",
                    message,
                    Evidence("menopausal_status", status.value),
                    action="record the menopausal status"
                    if status is MenopausalStatus.UNKNOWN
                    else "",
                    variant="postmenopausal" if post else "",
                ),
                _info(
                    "no-regimen-in-deck",
                    "O-PREV-BREAST",
                    "the deck names no adjuvant regimen; this protocol gives no dose",
                    variant="breast",
                ),
            ),
        )
    if patient.tumour is Tumour.PROSTATE:
        return SettingAdvice(
            rule_ids=("O-PREV-PROSTATE",),
            findings=(
                _info(
                    "denosumab-metastasis-free-survival",
                    "O-PREV-PROSTATE",
                    "denosumab lengthens bone-metastasis-free survival in prostate cancer",
                ),
                _info(
                    "no-regimen-in-deck",
                    "O-PREV-PROSTATE",
                    "the deck names no regimen for it; this protocol gives no dose",
                    variant="prostate",
                ),
            ),
        )
    return SettingAdvice(
        rule_ids=("O-PREV-BREAST", "O-PREV-PROSTATE"),
        findings=(
            Finding(
                code="no-prevention-advice",
                rule_ids=("O-PREV-BREAST", "O-PREV-PROSTATE"),
                severity=Severity.INFO,
                message="the deck advises on preventing bone metastases in breast and prostate "
                "cancer only",
                evidence=(Evidence("tumour", patient.tumour.value),),
            ),
        ),
    )


def prevention_of_osteoporosis(patient: AdultPatient) -> SettingAdvice:
    """Osteoporosis prevention (O-OP-GENERAL, O-OP-BREAST, O-OP-PROSTATE).

    Everyone gets calcium 1000 mg/day and vitamin D 1000-2000 IU/day. Breast cancer: the
    catalogue's postmenopausal-osteoporosis regimens. Prostate cancer: zoledronic acid (the 5 mg
    osteoporosis product, every 12 months, the deck's range 6-12 months shown) or denosumab 60 mg
    every 6 months.
    """
    general = _info(
        "calcium-vitamin-d",
        "O-OP-GENERAL",
        "calcium 1000 mg per day and vitamin D 1000 to 2000 IU per day",
    )
    supplements = OSTEOPOROSIS_PREVENTION_SUPPLEMENTS
    if patient.tumour is Tumour.BREAST:
        ids = ("O-OP-GENERAL", "O-OP-BREAST")
        return SettingAdvice(
            rule_ids=ids,
            proposals=tuple(
                Proposal(item, Advice.CONSIDER, ("O-OP-BREAST",), note_id="postmenopausal-dose")
                for item in OSTEOPOROSIS_REGIMENS
            ),
            findings=(
                general,
                _info(
                    "bone-loss-breast",
                    "O-OP-BREAST",
                    "bisphosphonates (oral or intravenous) and denosumab prevent bone loss in "
                    "breast cancer, at the doses of postmenopausal osteoporosis",
                ),
            ),
            supplements=supplements,
        )
    if patient.tumour is Tumour.PROSTATE:
        ids = ("O-OP-GENERAL", "O-OP-PROSTATE")
        return SettingAdvice(
            rule_ids=ids,
            proposals=(
                Proposal(
                    ZOLEDRONIC_ACID_5,
                    Advice.PREFERRED,
                    ("O-OP-PROSTATE",),
                    interval=quantity(12.0, "month"),
                    interval_range=(quantity(6.0, "month"), quantity(12.0, "month")),
                    note_id="deck-and-label-interval",
                ),
                Proposal(DENOSUMAB_60, Advice.PREFERRED, ("O-OP-PROSTATE",)),
            ),
            findings=(
                general,
                _info(
                    "bone-loss-prostate",
                    "O-OP-PROSTATE",
                    "all bisphosphonates and denosumab prevent bone loss in prostate cancer; "
                    "zoledronic acid every 6 to 12 months or denosumab every 6 months are "
                    "preferred for ease of use",
                ),
            ),
            supplements=supplements,
        )
    return SettingAdvice(
        rule_ids=("O-OP-GENERAL",),
        findings=(
            general,
            _info(
                "no-drug-advice-for-tumour",
                "O-OP-GENERAL",
                "the deck advises drugs against bone loss in breast and prostate cancer only",
                Evidence("tumour", patient.tumour.value),
            ),
        ),
        supplements=supplements,
    )


def advise(patient: AdultPatient) -> SettingAdvice:
    """Return the deck's advice for the patient's setting and tumour."""
    if patient.setting is Setting.MULTIPLE_MYELOMA:
        return sre_myeloma(patient)
    if patient.setting is Setting.PREVENTION_OF_METASTASES:
        return prevention_of_metastases(patient)
    if patient.setting is Setting.PREVENTION_OF_OSTEOPOROSIS:
        return prevention_of_osteoporosis(patient)
    if patient.tumour in {Tumour.BREAST, Tumour.PROSTATE}:
        return sre_breast_or_prostate(patient)
    return sre_other(patient)
