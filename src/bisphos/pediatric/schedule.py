"""The treatment course: dated infusions with dose and preparation, follow-up, counselling.

Intervals between infusion n−1 and infusion n of a drug:

- zoledronic acid: 3 months before the second infusion (P-ZOL-FIRST), 6 months otherwise
  (P-ZOL-FREQ);
- pamidronate: 3 months (P-PAM-FREQ);
- maintenance: 6 months with −2 < Z ≤ 0 (P-MAINT-MID), 12 months with Z > 0 (P-MAINT-HIGH).
  The first maintenance infusion follows the last infusion after the maintenance interval.

**The history of every bisphosphonate (P-HIST-INTERVAL).** The first planned infusion, of
whichever drug, is due no earlier than the interval the *last given* drug's own schedule sets
after its last infusion: zoledronic acid 3 months after its first infusion (P-ZOL-FIRST), 6
months after later ones (P-ZOL-FREQ); pamidronate 3 months (P-PAM-FREQ); in maintenance the
band's 6 or 12 months. A switch of drug restarts the new drug's numbering (its first-dose
reductions) but never shortens this interval. With no history the first infusion is on the start
date (by default the assessment date); an overdue infusion is planned on the start date.

**The optional second zoledronic acid infusion (P-ZOL-SECOND).** By default the second infusion
of zoledronic acid follows the first after 3 months (P-ZOL-FIRST); the dosing option
``zoledronic_second_infusion = False`` omits it, and the next infusion follows at the regular
6 months with the regular dose.

**Clearance (P-CI-PERMANENT).** The contraindications are checked before every infusion: only an
infusion on the assessment date can be cleared or blocked today; every later one is marked as
to be cleared on its day (:class:`Clearance`), in every output.

**Dates.** Later dates are counted
from the same point (the last infusion, or the start date when there is no history or the next
infusion is overdue) in whole calendar months with :func:`bisphos.dates.add_months`, as a
running total (3, 9, 15 ... months), not month by month, so that clamping to a month's end never
accumulates: from 31 August, +6 months is 28 (29 in a leap year) February and +12 months is
31 August again, not 28 August.

**Horizon.** A number of infusions, an end date, or both (whichever comes first). A pediatric
course ends before the 19th birthday: infusions from that birthday on are not planned
(P-SCOPE-1), with a finding.

**Doses.** Each planned dose is computed with the weight on the assessment date (the future weight
is unknown), the age on the planned date (P-ZOL-LOW) and the history; a finding says the dose is
recomputed with the weight taken before each infusion (P-MON-CHECKS).

**Follow-up.** DXA yearly from the latest dated scan (P-FU-DXA); labs yearly from the oldest of the
latest follow-up labs, and at every change of treatment — the start of intravenous treatment, a
switch of drug, a maintenance course (P-FU-LABS); a yearly review at an expertise centre is
suggested (P-FU-CENTRE). Yearly entries run to the last planned infusion (or the end date, if
later); an overdue one is due on the start date.

**Pregnancy (P-CI-PREG).** For a patient who could become pregnant, the date 12 months after the
last planned dose, until which pregnancy must be avoided. When that is not recorded, a female
patient who is 10 years or older on that date is counselled.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Final

import attrs

from bisphos.catalogue import unique_ids
from bisphos.errors import InvalidValueError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Diagnosis, Drug, OISeverity, Patient, Sex
from bisphos.pediatric import table as t
from bisphos.pediatric._calendar import add_months, birthday, is_younger_than
from bisphos.pediatric.dosing import (
    DEFAULT_OPTIONS,
    Dose,
    DoseFacts,
    DosingOptions,
    MaintenanceBand,
    compute_doses,
)
from bisphos.pediatric.infusion import (
    DEFAULT_PREPARATION,
    Preparation,
    PreparationOptions,
    prepare_infusion,
)
from bisphos.pediatric.kernel import (
    EXACT,
    after_history,
    history_interval_months,
    interval_months,
)
from bisphos.pediatric.limits import Phase
from bisphos.pediatric.renal import pamidronate_renal
from bisphos.pediatric.table import Interval
from bisphos.validation import date_in_range

__all__ = [
    "MAX_PLANNED_INFUSIONS",
    "MAX_START_YEARS",
    "Clearance",
    "Course",
    "FollowUp",
    "FollowUpKind",
    "Horizon",
    "Interval",
    "PlannedInfusion",
    "interval_after_history",
    "interval_before",
    "plan_course",
    "pregnancy_counselling",
    "pregnancy_no_infusion",
]


#: The most infusions one course may plan (a bound, not a clinical number).
MAX_PLANNED_INFUSIONS: Final = 100
#: P-SCOPE-1: the pediatric protocol ends at the 19th birthday.
_SCOPE_YEARS: Final = 19
#: Age from which a female patient is counselled when pregnancy potential is not recorded.
_COUNSEL_FROM_YEARS: Final = 10
_PREGNANCY_MONTHS: Final = 12
_YEAR: Final = 12


#: The latest start of a course, in years after the assessment date: an assessment (its labs,
#: weight and findings) is not a basis for infusions later than this.
MAX_START_YEARS: Final = 2


def _infusions(instance: object, attribute: object, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError(
            "the horizon is a whole number of infusions", field="horizon.infusions", value=value
        )
    if not 1 <= value <= MAX_PLANNED_INFUSIONS:
        raise InvalidValueError(
            "the horizon is out of range",
            field="horizon.infusions",
            value=value,
            expected=f"1 to {MAX_PLANNED_INFUSIONS} infusions",
        )


@attrs.frozen
class Horizon:
    """How far a course is planned: a number of infusions, an end date, or both.

    Attributes:
        infusions: The most infusions to plan; default 6.
        until: The last date an infusion may be planned on (inclusive).
    """

    infusions: int | None = attrs.field(default=6, validator=_infusions)
    until: dt.date | None = attrs.field(default=None, validator=date_in_range)

    def __attrs_post_init__(self) -> None:
        if self.infusions is None and self.until is None:
            raise InvalidValueError(
                "a horizon needs a number of infusions or an end date",
                field="horizon",
                expected="infusions, until, or both",
            )


def interval_before(
    drug: Drug,
    number: int,
    band: MaintenanceBand | None = None,
    *,
    second_infusion: bool = True,
) -> Interval:
    """Return the interval between infusion ``number − 1`` and infusion ``number`` of ``drug``.

    ``second_infusion=False`` omits the 3-month second zoledronic acid infusion (P-ZOL-SECOND):
    the second infusion then follows the first after the regular 6 months.
    """
    if band is not None:
        return _band_interval(band)
    zoledronic = (drug if type(drug) is Drug else Drug(drug)) is Drug.ZOLEDRONIC_ACID
    interval: Interval = interval_months(
        EXACT,
        zoledronic=zoledronic,
        number=number,
        of=_the_interval,
        second_infusion=second_infusion,
    )
    return interval


def _band_interval(band: MaintenanceBand) -> Interval:
    return t.INTERVAL_MONTHS[
        "maintenance_mid" if band is MaintenanceBand.MID else "maintenance_high"
    ]


def _the_interval(interval: Interval) -> Interval:
    return interval


def interval_after_history(
    patient: Patient, band: MaintenanceBand | None = None, *, second_infusion: bool = True
) -> tuple[Drug, dt.date, Interval] | None:
    """Return the last drug given, its last date, and the interval its schedule sets after it.

    Every intravenous bisphosphonate in the history counts, whatever the drug (P-HIST-INTERVAL):
    no infusion of any bisphosphonate is due before ``date + interval``; a maintenance band's
    interval replaces the drug's. ``None`` without history.
    """
    if not patient.infusions:
        return None
    last = patient.infusions[-1]
    if band is not None:
        return last.drug, last.date, _band_interval(band)
    given = sum(1 for record in patient.infusions if record.drug is last.drug)
    interval: Interval = history_interval_months(
        EXACT,
        last_zoledronic=last.drug is Drug.ZOLEDRONIC_ACID,
        given_of_last=given,
        of=_the_interval,
        second_infusion=second_infusion,
    )
    return last.drug, last.date, interval


class Clearance(enum.StrEnum):
    """Whether a planned infusion is cleared (P-CI-PERMANENT: checked before every infusion)."""

    #: On the assessment date, and nothing blocks it.
    CLEARED_TODAY = "cleared_today"
    #: On the assessment date, and a finding blocks it.
    BLOCKED_TODAY = "blocked_today"
    #: A later infusion: its contraindications are checked on its own day.
    ON_ITS_DAY = "to_be_cleared_on_its_day"


@attrs.frozen
class PlannedInfusion:
    """One planned infusion of a course.

    Attributes:
        number: Which infusion of the drug it is, counting the history (1 is the first).
        date: The planned date.
        due: The date the interval gives; earlier than ``date`` when the infusion is overdue.
        phase: First, second, regular or maintenance.
        dose: The dose, with everything that made it.
        preparation: Volume, duration and rate.
        date_reason: Why this date, in words.
        rule_ids: The rules of the date, the dose and the preparation.
        clearance: Cleared today, blocked today, or to be cleared on its day; the plan sets it
            (:func:`bisphos.pediatric.plan.make_plan`), and a course alone never clears one.
    """

    number: int
    date: dt.date
    due: dt.date
    phase: Phase
    dose: Dose
    preparation: Preparation
    date_reason: str
    rule_ids: tuple[str, ...]
    clearance: Clearance = Clearance.ON_ITS_DAY


class FollowUpKind(enum.StrEnum):
    """The kinds of follow-up the guideline asks for."""

    DXA = "dxa"
    LABS = "labs"
    CENTRE = "centre"


@attrs.frozen
class FollowUp:
    """One dated follow-up entry.

    Attributes:
        date: When it is due.
        kind: DXA, labs or expertise-centre review.
        rule_ids: The rules that ask for it.
        description: What to do and why, in words.
        evidence: The dates it was counted from.
    """

    date: dt.date
    kind: FollowUpKind
    rule_ids: tuple[str, ...]
    description: str
    evidence: tuple[Evidence, ...] = ()


@attrs.frozen
class Course:
    """A planned course of one drug.

    Attributes:
        drug: The drug.
        band: The maintenance band, for a maintenance course.
        start: The first date an infusion may be planned on.
        horizon: How far the course is planned.
        infusions: The planned infusions, in date order.
        follow_up: The follow-up entries, in date order.
        findings: Notes on the whole course (weight, scope, pregnancy counselling).
        rule_ids: Every rule the course rests on.
    """

    drug: Drug
    band: MaintenanceBand | None
    start: dt.date
    horizon: Horizon
    infusions: tuple[PlannedInfusion, ...]
    follow_up: tuple[FollowUp, ...]
    findings: tuple[Finding, ...]
    rule_ids: tuple[str, ...]

    @property
    def last_dose_date(self) -> dt.date | None:
        """The date of the last planned infusion, if any is planned."""
        return self.infusions[-1].date if self.infusions else None


@attrs.frozen
class _Slot:
    """A planned date before the dose is computed."""

    number: int
    date: dt.date
    due: dt.date
    reason: str
    rule_id: str


def _dates(
    patient: Patient,
    drug: Drug,
    band: MaintenanceBand | None,
    start: dt.date,
    horizon: Horizon,
    *,
    second_infusion: bool = True,
) -> tuple[list[_Slot], Finding | None]:
    """The planned slots, and a scope finding if the course was cut at the 19th birthday."""
    number = sum(1 for record in patient.infusions if record.drug is drug) + 1
    after = interval_after_history(patient, band, second_infusion=second_infusion)
    if after is not None:
        last_drug, last, interval = after
        due, base, months = after_history(
            EXACT, add_months, history=True, last=last, months=interval.months, start=start
        )
        reason = f"{interval.months} months after the last infusion on {last.isoformat()}"
        if last_drug is not drug:
            reason += (
                f" ({last_drug.value.replace('_', ' ')}; the interval of the last drug given, "
                "P-HIST-INTERVAL)"
            )
        # Counted from the last infusion, so that its day of the month is kept; an overdue
        # infusion moves the count to the start date.
        if due < start:
            reason += f"; overdue since {due.isoformat()}, planned on the start date"
        first_rule = interval.rule_id if last_drug is drug else "P-HIST-INTERVAL"
    else:
        due = base = start
        months = 0
        reason = "first infusion of the drug, on the start date"
        first_rule = "P-ZOL-FIRST" if drug is Drug.ZOLEDRONIC_ACID else "P-PAM-FIRST"
        first_rule = band.rule_id if band is not None else first_rule
    end_of_scope = birthday(patient.birth_date, _SCOPE_YEARS)
    planned: list[_Slot] = []
    date = add_months(base, months)
    while True:
        if horizon.infusions is not None and len(planned) >= horizon.infusions:
            return planned, None
        if horizon.until is not None and date > horizon.until:
            return planned, None
        if not date < end_of_scope:  # is_younger_than(birth_date, 19, date)
            return planned, _scope_finding(date, end_of_scope)
        planned.append(_Slot(number, date, due, reason, first_rule))
        number += 1
        interval = interval_before(drug, number, band, second_infusion=second_infusion)
        months += interval.months
        previous = planned[-1].date
        date = due = add_months(base, months)
        reason = f"{interval.months} months after infusion {number - 1} on {previous.isoformat()}"
        first_rule = interval.rule_id


def _scope_finding(date: dt.date, end: dt.date) -> Finding:
    return Finding(
        code="course-ends-at-scope",
        rule_ids=("P-SCOPE-1",),
        severity=Severity.INFO,
        message="no infusion is planned from the 19th birthday on: the pediatric protocol ends",
        evidence=(Evidence(name="next_date", value=date), Evidence(name="birthday_19", value=end)),
    )


def plan_course(
    patient: Patient,
    drug: Drug,
    *,
    start: dt.date | None = None,
    horizon: Horizon | None = None,
    band: MaintenanceBand | None = None,
    dosing: DosingOptions = DEFAULT_OPTIONS,
    preparation: PreparationOptions = DEFAULT_PREPARATION,
) -> Course:
    """Plan the next infusions of ``drug`` for ``patient``, with follow-up and counselling.

    The course knows nothing of the indication, the contraindications or the GFR gate: it plans
    what the protocol would give if every infusion is cleared on its day.

    Args:
        patient: The patient (weight, dates, risk flags, history, BMD and lab dates).
        drug: Zoledronic acid or pamidronate.
        start: The first date an infusion may be planned on; default the assessment date.
        horizon: How far to plan; default 6 infusions.
        band: The BMD band, to plan a maintenance course; ``None`` for active treatment.
        dosing: Dosing options.
        preparation: Preparation options.

    Raises:
        InvalidValueError: ``start`` is before the assessment date or more than
            :data:`MAX_START_YEARS` after it, or ``horizon.until`` before ``start``.
    """
    drug = drug if type(drug) is Drug else Drug(drug)
    band = band if band is None or type(band) is MaintenanceBand else MaintenanceBand(band)
    horizon = Horizon() if horizon is None else horizon
    start = patient.assessment_date if start is None else start
    if start < patient.assessment_date:
        raise InvalidValueError(
            "a course cannot start before the assessment date",
            field="start",
            value=start.isoformat(),
            expected=f"{patient.assessment_date.isoformat()} or later",
        )
    latest = add_months(patient.assessment_date, 12 * MAX_START_YEARS)
    if start > latest:
        raise InvalidValueError(
            f"a course cannot start more than {MAX_START_YEARS} years after the assessment date",
            field="start",
            value=start.isoformat(),
            expected=f"{latest.isoformat()} or earlier (assess the patient again then)",
        )
    if horizon.until is not None and horizon.until < start:
        raise InvalidValueError(
            "the horizon ends before the start",
            field="horizon.until",
            value=horizon.until.isoformat(),
            expected=f"{start.isoformat()} or later",
        )
    dates, scope = _dates(
        patient,
        drug,
        band,
        start,
        horizon,
        second_infusion=dosing.zoledronic_second_infusion,
    )
    # P-PAM-RENAL: the rate by renal function, from the table's one entry the gate enforces.
    kidneys = pamidronate_renal(patient) if drug is Drug.PAMIDRONATE else None
    renal_rate = kidneys is not None and kidneys.renal_rate
    max_rate = kidneys.max_rate if kidneys is not None and renal_rate else None
    doses = compute_doses(
        drug,
        DoseFacts.series(patient, ((slot.number, slot.date) for slot in dates)),
        band=band,
        options=dosing,
    )
    planned: list[PlannedInfusion] = []
    for slot, dose in zip(dates, doses, strict=True):
        before = planned[-1] if planned else None
        # The preparation depends on the dose and its limit only (the volume drawn up never
        # delivers more than the limit, P-PREP-PRODUCT): an equal dose under an equal limit is
        # prepared as the one before.
        if (
            before is not None
            and before.dose.value.magnitude == dose.value.magnitude
            and before.dose.limited.ceiling.magnitude == dose.limited.ceiling.magnitude
        ):
            prepared = before.preparation
        else:
            prepared = prepare_infusion(
                drug,
                dose.value,
                options=preparation,
                max_rate=max_rate,
                renal_rate=renal_rate,
                limit=dose.limited.ceiling,
            )
        planned.append(_planned(slot, dose, prepared))
    infusions = tuple(planned)
    last = infusions[-1].date if infusions else None
    end = max(d for d in (last, horizon.until, start) if d is not None)
    follow_up = _follow_up(patient, drug, band, start=start, end=end, infusions=infusions)
    findings = [_weight_finding(drug)] if len(infusions) > 1 else []
    if scope is not None:
        findings.append(scope)
    pregnancy = pregnancy_counselling(patient, infusions)
    if pregnancy is not None:
        findings.append(pregnancy)
    rule_ids = unique_ids(
        *(p.rule_ids for p in infusions),
        *(f.rule_ids for f in follow_up),
        *(f.rule_ids for f in findings),
    )
    return Course(
        drug=drug,
        band=band,
        start=start,
        horizon=horizon,
        infusions=infusions,
        follow_up=follow_up,
        findings=tuple(findings),
        rule_ids=rule_ids,
    )


def _planned(slot: _Slot, dose: Dose, prepared: Preparation) -> PlannedInfusion:
    return PlannedInfusion(
        number=slot.number,
        date=slot.date,
        due=slot.due,
        phase=dose.phase,
        dose=dose,
        preparation=prepared,
        date_reason=f"{slot.reason} ({slot.rule_id})",
        rule_ids=unique_ids((slot.rule_id,), dose.rule_ids, prepared.rule_ids),
    )


def _weight_finding(drug: Drug) -> Finding:
    """The note that a course's doses use the weight on the assessment date."""
    dose_rule = "P-ZOL-DOSE" if drug is Drug.ZOLEDRONIC_ACID else "P-PAM-DOSE"
    return Finding(
        code="dose-uses-current-weight",
        rule_ids=(dose_rule, "P-MON-CHECKS"),
        severity=Severity.INFO,
        message="planned doses use the weight on the assessment date",
        action="recompute each dose with the weight measured before the infusion",
    )


def _yearly(anchor: dt.date | None, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Yearly dates from ``anchor`` within [start, end]; an overdue or unknown one on ``start``."""
    if anchor is None:
        first, months, base, note = start, 0, start, "none on record: due on the start date"
    else:
        due = add_months(anchor, _YEAR)
        if due < start:
            first, months, base = start, 0, start
            note = f"overdue since {due.isoformat()}: due on the start date"
        else:
            first, months, base, note = due, _YEAR, anchor, ""
    dates: list[tuple[dt.date, str]] = []
    date = first
    while date <= end:
        dates.append((date, note))
        months += _YEAR
        date = add_months(base, months)
        note = ""
    return dates


_FOLLOW_UP_LABS: Final = (
    "calcium",
    "phosphate",
    "alkaline_phosphatase",
    "creatinine",
    "vitamin_d_25oh",
    "pth",
)


def _labs_anchor(patient: Patient) -> tuple[dt.date | None, str]:
    """The date the yearly labs count from: the oldest latest value; None if one is missing."""
    dates = []
    for name in _FOLLOW_UP_LABS:
        result = getattr(patient.labs, name)
        if result is None or result.date is None:
            return None, f"{name} missing or undated"
        dates.append(result.date)
    return min(dates), ""


def _treatment_change(patient: Patient, drug: Drug, band: MaintenanceBand | None) -> str:
    """Why the course changes the treatment (P-FU-LABS), or empty when it continues it."""
    if not patient.infusions:
        return "start of intravenous treatment"
    last = patient.infusions[-1]
    if last.drug is not drug:
        return f"switch from {last.drug.value} to {drug.value}"
    if band is not None:
        return "maintenance treatment"
    return ""


def _follow_up(
    patient: Patient,
    drug: Drug,
    band: MaintenanceBand | None,
    *,
    start: dt.date,
    end: dt.date,
    infusions: tuple[PlannedInfusion, ...],
) -> tuple[FollowUp, ...]:
    entries: list[FollowUp] = []
    scans = [scan.date for scan in patient.bmd if scan.date is not None]
    latest_scan = max(scans) if scans else None
    for date, note in _yearly(latest_scan, start, end):
        entries.append(
            FollowUp(
                date=date,
                kind=FollowUpKind.DXA,
                rule_ids=("P-FU-DXA",),
                description="DXA (lumbar spine, total body less head) yearly during treatment; "
                "lateral spine X-ray depending on the condition" + (f" ({note})" if note else ""),
                evidence=() if latest_scan is None else (Evidence("latest_dxa", latest_scan),),
            )
        )
    labs_anchor, missing = _labs_anchor(patient)
    labs_dates = dict(_yearly(labs_anchor, start, end))
    change = _treatment_change(patient, drug, band)
    if change and infusions:
        first = infusions[0].date
        note = labs_dates.get(first, "")
        labs_dates[first] = f"{note}; {change}" if note else change
    labs_evidence = (
        (Evidence("oldest_latest_lab", labs_anchor),)
        if labs_anchor is not None
        else (Evidence("labs", missing),)
    )
    for date, note in sorted(labs_dates.items()):
        entries.append(
            FollowUp(
                date=date,
                kind=FollowUpKind.LABS,
                rule_ids=("P-FU-LABS",),
                description="calcium, phosphate, alkaline phosphatase, creatinine, 25-OH "
                "vitamin D, PTH: yearly with intravenous treatment and at every change of "
                "treatment" + (f" ({note})" if note else ""),
                evidence=labs_evidence,
            )
        )
    for date, _ in _yearly(start, start, end):
        entries.append(
            FollowUp(
                date=date,
                kind=FollowUpKind.CENTRE,
                rule_ids=("P-FU-CENTRE",),
                description=_centre(patient),
                evidence=(Evidence("start", start),),
            )
        )
    return tuple(sorted(entries, key=lambda entry: (entry.date, _KIND_ORDER[entry.kind])))


_KIND_ORDER: Final = {kind: index for index, kind in enumerate(FollowUpKind)}


def _centre(patient: Patient) -> str:
    if patient.diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA and patient.oi_severity in {
        OISeverity.MODERATE,
        OISeverity.SEVERE,
    }:
        centre = "UMC Utrecht (osteogenesis imperfecta)"
    elif patient.diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA:
        centre = "UMC Utrecht, or UMC Groningen for milder OI in the north"
    else:
        centre = "UMC Groningen (other causes of osteoporosis)"
    return f"consider a yearly review at an expertise centre: {centre}"


def pregnancy_counselling(
    patient: Patient, infusions: tuple[PlannedInfusion, ...] = ()
) -> Finding | None:
    """Return the P-CI-PREG counselling with the date pregnancy is to be avoided until.

    The date is 12 months after the last planned dose, or after the last given one when none is
    planned. ``None`` when there is no dose at all or the patient cannot become pregnant. A
    known pregnancy is always counselled, and then the counselling is that no infusion is given
    during the pregnancy (:func:`pregnancy_no_infusion`, P-CI-PERMANENT), not a date to avoid
    pregnancy until.
    """
    if patient.risks.pregnant:
        return pregnancy_no_infusion()
    if infusions:
        last, what = infusions[-1].date, "last planned dose"
    elif patient.infusions:
        last, what = patient.infusions[-1].date, "last dose given"
    else:
        return None
    until = add_months(last, _PREGNANCY_MONTHS)
    recorded = patient.risks.could_become_pregnant
    unrecorded_female = recorded is None and (
        patient.sex is Sex.FEMALE
        and not is_younger_than(patient.birth_date, _COUNSEL_FROM_YEARS, until)
    )
    if recorded:
        basis = "recorded"
    elif unrecorded_female:
        basis = "not recorded; female, 10 years or older by that date"
    else:
        return None
    return Finding(
        code="pregnancy-avoidance",
        rule_ids=("P-CI-PREG",),
        severity=Severity.INFO,
        message=f"avoid pregnancy during treatment and until {until.isoformat()}, 12 months "
        f"after the {what}: bisphosphonates cross the placenta",
        evidence=(
            Evidence(name=what.replace(" ", "_"), value=last),
            Evidence(name="avoid_pregnancy_until", value=until),
            Evidence(name="could_become_pregnant", value=basis),
        ),
        action=f"counsel the patient: no pregnancy until {until.isoformat()}",
        variant="planned" if infusions else "given",
    )


def pregnancy_no_infusion() -> Finding:
    """Return the counselling of a known pregnancy: no infusion during it (P-CI-PERMANENT)."""
    return Finding(
        code="pregnancy-no-infusion",
        rule_ids=("P-CI-PREG", "P-CI-PERMANENT"),
        severity=Severity.INFO,
        message="no bisphosphonate infusion during the pregnancy: bisphosphonates cross the "
        "placenta",
        evidence=(Evidence(name="risks.pregnant", value=True),),
        action="counsel the patient: no infusion during the pregnancy; the treatment is "
        "reconsidered after it",
    )
