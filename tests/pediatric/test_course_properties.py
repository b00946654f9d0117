"""Property tests of the course as a whole: invariants 13 to 19 (the readings of December 2026).

Each patient is the worked example of an indicated girl with osteogenesis imperfecta (a vertebral
compression fracture, P-FX-a) with the values the readings turn on drawn: the birth date (around
the second birthday too), weight, height and creatinine (a Schwartz-40 GFR from about 5 to 360),
a history of both drugs in any order, DXA scans at every site, hypersensitivity and pregnancy,
and the request (drug, maintenance, the optional second zoledronic acid infusion). Drawing
changes a fixed patient, so an example costs about a millisecond and every property runs the
profile's full count (500 in ci, 10 000 in deep). Each property judges the plan against limits
the test computes itself: calendar months counted here, an exact Schwartz GFR, sums of doses.
"""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction
from pathlib import Path

import attrs
from hypothesis import given
from hypothesis import strategies as st

from bisphos.batch import plan_many
from bisphos.batch.summary import summarise
from bisphos.dates import add_months, add_years
from bisphos.engine import Engine
from bisphos.export.plan_json import plan_to_dict
from bisphos.findings import Severity
from bisphos.io import load_patient
from bisphos.model import (
    BmdMeasurement,
    BmdSite,
    Drug,
    InfusionRecord,
    LabResult,
    Patient,
)
from bisphos.pediatric.dosing import DosingOptions
from bisphos.pediatric.maintenance import band_reading, maintenance_band
from bisphos.pediatric.plan import Plan, PlanRequest, PlanStatus, make_plan
from bisphos.pediatric.schedule import Clearance, Horizon
from bisphos.units import quantity

ROOT = Path(__file__).resolve().parents[2]
BASE = load_patient(ROOT / "examples" / "patients" / "oi-girl-20kg.json")
TODAY = BASE.assessment_date
THREE = Horizon(infusions=3)


@st.composite
def histories(draw: st.DrawFn, birth: dt.date) -> tuple[InfusionRecord, ...]:
    """Up to four infusions of either drug, in the last three years, at least a day apart."""
    count = draw(st.integers(0, 4))
    days = draw(st.lists(st.integers(1, 3 * 365), min_size=count, max_size=count, unique=True))
    records = []
    for back in days:
        date = TODAY - dt.timedelta(days=back)
        if date < birth:
            continue
        drug = draw(st.sampled_from(Drug))
        mg = draw(st.sampled_from((0.25, 0.5, 1.0))) if drug is Drug.ZOLEDRONIC_ACID else 20.0
        records.append(InfusionRecord(drug=drug, date=date, dose=quantity(mg, "mg")))
    return tuple(records)


SITES = st.sampled_from(BmdSite)
Z = st.integers(-40, 30).map(lambda tenths: tenths / 10)


@st.composite
def scans(draw: st.DrawFn, birth: dt.date) -> tuple[BmdMeasurement, ...]:
    """One to five DXA scores at any site, dated in the last four years or undated."""
    items = []
    for _ in range(draw(st.integers(1, 5))):
        back = draw(st.one_of(st.none(), st.integers(0, 4 * 365)))
        items.append(
            BmdMeasurement(
                site=draw(SITES),
                z_score=draw(Z),
                size_corrected=draw(st.booleans()),
                date=None if back is None else max(birth, TODAY - dt.timedelta(days=back)),
            )
        )
    return tuple(items)


@st.composite
def course_patients(draw: st.DrawFn) -> Patient:
    """The worked example with the values of the December 2026 readings drawn."""
    months = draw(st.integers(14, 17 * 12))
    birth = add_months(TODAY, -months)
    height = draw(st.integers(50, 180))
    creatinine = draw(st.integers(20, 400))
    labs = attrs.evolve(
        BASE.labs,
        creatinine=LabResult(value=quantity(float(creatinine), "umol/L"), date=TODAY),
    )
    risks = attrs.evolve(
        BASE.risks,
        bisphosphonate_hypersensitivity=draw(st.sampled_from((False,) * 5 + (True,))),
        pregnant=draw(st.sampled_from((False,) * 5 + (True,))),
    )
    fractures = tuple(f for f in BASE.fractures if f.date is not None and f.date >= birth)
    fracture_date = BASE.fractures[-1].date
    assert fracture_date is not None
    vertebral = attrs.evolve(BASE.fractures[-1], date=max(birth, fracture_date))
    return attrs.evolve(
        BASE,
        birth_date=birth,
        weight=quantity(float(draw(st.integers(4, 80))), "kg"),
        height=quantity(float(height), "cm"),
        labs=labs,
        fractures=(*fractures[:-1], vertebral) if fractures else (vertebral,),
        bmd=draw(scans(birth)),
        infusions=draw(histories(birth)),
        risks=risks,
    )


REQUESTS = st.builds(
    PlanRequest,
    drug=st.sampled_from((None, None, *Drug)),
    horizon=st.just(THREE),
    maintenance=st.sampled_from((False, False, False, True)),
    dosing=st.builds(DosingOptions, zoledronic_second_infusion=st.booleans()),
)


def _schwartz(patient: Patient) -> Fraction:
    """40 x height (cm) / creatinine (µmol/l), exact."""
    creatinine = patient.labs.creatinine
    assert creatinine is not None
    assert patient.height is not None
    return (
        40
        * Fraction(repr(float(patient.height.m_as("cm"))))
        / Fraction(float(creatinine.value.m_as("umol/L")))
    )


def _months_after_history(patient: Patient, request: PlanRequest, plan: Plan) -> int:
    """The interval the last drug given sets after its last infusion, counted here."""
    last = patient.infusions[-1]
    given = sum(1 for record in patient.infusions if record.drug is last.drug)
    band = plan.course.band if plan.course is not None else None
    if band is not None:
        return 6 if band.value == "mid" else 12
    if last.drug is Drug.PAMIDRONATE:
        return 3
    if given == 1:
        return 3 if request.dosing.zoledronic_second_infusion else 6
    return 6


@given(course_patients(), REQUESTS)
def test_invariant_13_no_two_infusions_less_than_3_months_apart(
    patient: Patient, request: PlanRequest
) -> None:
    """Invariant 13 (P-HIST-INTERVAL, P-ZOL-FREQ, P-ZOL-FIRST, P-PAM-FREQ): every planned
    infusion is at least 3 calendar months after the one before it, of either drug, the history
    included; the first is no earlier than the last drug's own interval after its last infusion."""
    plan = make_plan(patient, request)
    dates = [item.date for item in plan.infusions]
    for before, after in itertools.pairwise(dates):
        assert after >= add_months(before, 3)
    if dates and patient.infusions:
        last = patient.infusions[-1].date
        assert dates[0] >= add_months(last, 3)
        assert dates[0] >= add_months(last, _months_after_history(patient, request, plan))


@given(course_patients(), REQUESTS)
def test_invariant_14_a_switch_of_drug_is_never_silent(
    patient: Patient, request: PlanRequest
) -> None:
    """Invariant 14 (P-DRUG-CONTINUITY, P-HIST-INTERVAL): the default drug after a history is the
    last given while allowed; every other drug planned carries a WARN naming the switch and the
    date it waits for."""
    plan = make_plan(patient, request)
    if plan.drug is None or not patient.infusions:
        return
    last = patient.infusions[-1].drug
    switches = [f for f in plan.findings if f.code == "drug-switch"]
    if request.drug is None and last in plan.assessment.allowed_drugs:
        assert plan.drug is last
    if plan.drug is last:
        assert switches == []
        return
    assert len(switches) == 1
    (switch,) = switches
    assert switch.severity is Severity.WARN
    assert "P-DRUG-CONTINUITY" in switch.rule_ids
    waits = {e.name: e.value for e in switch.evidence}["earliest_next_infusion"]
    assert isinstance(waits, dt.date)
    assert all(item.date >= waits for item in plan.infusions)
    if plan.infusions:  # numbered per drug: the new drug's own count goes on (or starts at 1)
        given = sum(1 for record in patient.infusions if record.drug is plan.drug)
        assert plan.infusions[0].number == given + 1


@given(course_patients(), REQUESTS)
def test_invariant_15_pamidronate_rate_never_above_20_mg_h_in_renal_impairment(
    patient: Patient, request: PlanRequest
) -> None:
    """Invariant 15 (P-PAM-RENAL, P-PAM-LABEL): with a Schwartz-40 GFR of 90 or less every
    pamidronate infusion runs at most 20 mg/h (over at least 4 h), at most 60 mg/h and 0.36
    mg/ml always; below 30 no pamidronate is planned, and a requested one is refused."""
    plan = make_plan(patient, request)
    gfr = _schwartz(patient)
    pamidronate = [item for item in plan.infusions if item.dose.drug is Drug.PAMIDRONATE]
    if gfr < 30:
        assert pamidronate == []
        if request.drug is Drug.PAMIDRONATE and plan.status is not PlanStatus.CONTRAINDICATED:
            assert plan.status in {PlanStatus.REFUSED, PlanStatus.NOT_INDICATED}
    for item in pamidronate:
        prep = item.preparation
        dose_mg = Fraction(repr(float(prep.dose.m_as("mg"))))
        hours = Fraction(repr(float(prep.duration.m_as("hour"))))
        volume_ml = Fraction(repr(float(prep.volume.m_as("mL"))))
        rate = dose_mg / hours
        limit = 20 if gfr <= 90 else 60
        assert rate <= limit * (1 + Fraction(1, 10**12))
        assert hours >= 4
        assert dose_mg / volume_ml <= Fraction(36, 100)
        if gfr <= 90:
            assert "P-PAM-RENAL" in item.rule_ids


@given(course_patients(), REQUESTS)
def test_invariant_16_a_permanent_contraindication_never_yields_a_dated_infusion(
    patient: Patient, request: PlanRequest
) -> None:
    """Invariant 16 (P-CI-PERMANENT, P-CI-ALLERGY, P-CI-PREG): hypersensitivity or a known
    pregnancy dates no infusion of any drug, with the status contraindicated; with any block
    today nothing is cleared today, and every infusion after today is to be cleared on its day,
    in the plan and in its JSON."""
    plan = make_plan(patient, request)
    risks = patient.risks
    if risks.bisphosphonate_hypersensitivity or risks.pregnant:
        assert plan.infusions == ()
        assert plan.status is PlanStatus.CONTRAINDICATED
        assert plan.drug is None
    document = plan_to_dict(plan)
    for item, written in zip(plan.infusions, document["infusions"], strict=True):
        assert written["clearance"] == item.clearance.value
        if item.date > TODAY:
            assert item.clearance is Clearance.ON_ITS_DAY
        elif plan.blocks:
            assert item.clearance is Clearance.BLOCKED_TODAY
        else:
            assert item.clearance is Clearance.CLEARED_TODAY


def _expected_band_z(patient: Patient) -> float | None:
    """The lower of the latest lumbar-spine and latest TBLH scores, computed here."""
    scores = []
    for site in (BmdSite.LUMBAR_SPINE, BmdSite.TOTAL_BODY_LESS_HEAD):
        at_site = [scan for scan in patient.bmd if scan.site is site]
        if not at_site:
            continue
        dated = [scan.date for scan in at_site if scan.date is not None]
        newest = max(dated) if dated else None
        chosen = [scan for scan in at_site if scan.date == newest]
        corrected = [scan.z_score for scan in chosen if scan.size_corrected]
        scores.append(min(corrected or [scan.z_score for scan in chosen]))
    return min(scores) if scores else None


@given(course_patients(), REQUESTS)
def test_invariant_17_maintenance_band_from_the_latest_spine_and_tblh(
    patient: Patient, request: PlanRequest
) -> None:
    """Invariant 17 (P-MAINT-BAND, P-MAINT-ENTRY, P-MAINT-PROMPT): the band is the one of the
    lower latest lumbar-spine and TBLH score (femur and older scores never count); a maintenance
    course is planned only with every entry condition met; a prompt names that band."""
    expected = _expected_band_z(patient)
    reading = band_reading(patient.bmd)
    assert (reading is None) == (expected is None)
    if reading is not None:
        assert reading.z_score == expected
        assert reading.site is not BmdSite.FEMUR
    plan = make_plan(patient, request)
    if request.maintenance and plan.status in {PlanStatus.READY, PlanStatus.BLOCKED}:
        assert plan.maintenance is not None
        assert plan.maintenance.status.value == "met"
        assert expected is not None
        assert plan.course is not None
        assert plan.course.band is maintenance_band(expected)
    for finding in plan.findings:
        if finding.code == "maintenance-to-be-considered":
            assert expected is not None
            assert expected > -2
            band = maintenance_band(expected)
            assert band is not None
            assert band.rule_id in finding.rule_ids


BIRTHDAY_TWO = st.integers(-200, 200).map(lambda days: add_years(TODAY, -2) + dt.timedelta(days))


@given(course_patients(), BIRTHDAY_TWO, st.booleans())
def test_invariant_18_zoledronic_acid_age_per_infusion_and_second_omitted(
    patient: Patient, birth: dt.date, second: bool
) -> None:
    """Invariant 18 (P-ZOL-LOW, P-ZOL-SECOND): a zoledronic acid infusion dated before the second
    birthday is at most 0.025 mg/kg, whatever the age today; without the 3-month second infusion
    the first two infusions of zoledronic acid are 6 months apart."""
    patient = attrs.evolve(
        patient,
        birth_date=min(birth, TODAY),
        infusions=(),
        bmd=(),
        fractures=(attrs.evolve(BASE.fractures[-1], date=min(birth, TODAY)),),
        labs=attrs.evolve(
            patient.labs, creatinine=LabResult(value=quantity(20.0, "umol/L"), date=TODAY)
        ),
        risks=attrs.evolve(patient.risks, bisphosphonate_hypersensitivity=False, pregnant=False),
    )
    request = PlanRequest(
        drug=Drug.ZOLEDRONIC_ACID,
        horizon=Horizon(infusions=4),
        dosing=DosingOptions(zoledronic_second_infusion=second),
    )
    plan = make_plan(patient, request)
    if plan.drug is not Drug.ZOLEDRONIC_ACID:
        return
    second_birthday = add_years(patient.birth_date, 2)
    for item in plan.infusions:
        per_kg = Fraction(repr(float(item.dose.value.m_as("mg")))) / Fraction(
            float(item.dose.facts.weight.m_as("kg"))
        )
        if item.date < second_birthday:
            assert per_kg <= Fraction(25, 1000)
    dates = [item.date for item in plan.infusions]
    if len(dates) >= 2:
        assert dates[1] == add_months(dates[0], 3 if second else 6)


@given(course_patients(), REQUESTS)
def test_invariant_19_ledger_adds_the_history_and_the_plan(
    patient: Patient, request: PlanRequest
) -> None:
    """Invariant 19 (P-LEDGER): for each drug the total with the plan is the given total plus the
    planned doses, the given 12-month total is the history of the last 12 months, and no
    12-month total exceeds its total; drugs with neither history nor plan are not listed."""
    plan = make_plan(patient, request)
    start = add_months(TODAY, -12)
    drugs = {r.drug for r in patient.infusions} | {i.dose.drug for i in plan.infusions}
    assert [ledger.drug for ledger in plan.ledger] == [d for d in Drug if d in drugs]
    for ledger in plan.ledger:
        given = [r for r in patient.infusions if r.drug is ledger.drug]
        planned = [i for i in plan.infusions if i.dose.drug is ledger.drug]

        def mg(value: object) -> Fraction:
            return Fraction(str(float(value.m_as("mg"))))  # type: ignore[attr-defined]

        total = sum((mg(r.dose) for r in given), Fraction(0))
        recent = sum((mg(r.dose) for r in given if start < r.date <= TODAY), Fraction(0))
        with_plan = total + sum((mg(i.dose.value) for i in planned), Fraction(0))
        assert abs(mg(ledger.given_total) - total) < Fraction(1, 10**9)
        assert abs(mg(ledger.given_12_months) - recent) < Fraction(1, 10**9)
        assert abs(mg(ledger.with_planned_total) - with_plan) < Fraction(1, 10**9)
        assert mg(ledger.with_planned_12_months) <= mg(ledger.with_planned_total)
        assert mg(ledger.with_planned_12_months) >= recent - Fraction(1, 10**9)


@given(st.lists(course_patients(), min_size=1, max_size=3))
def test_the_vectorised_batch_follows_the_course_readings(chosen: list[Patient]) -> None:
    """P-HIST-INTERVAL, P-DRUG-CONTINUITY, P-PAM-RENAL, P-CI-PERMANENT: the vectorised national
    path gives the summary of each one-by-one plan, for histories of both drugs in any order,
    every GFR band and the permanent contraindications."""
    engine = Engine.create(entry_points=False)
    expected = [summarise(engine.plan(patient)) for patient in chosen]
    assert plan_many(chosen, engine=engine) == expected
