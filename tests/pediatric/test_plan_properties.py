"""Property tests of whole plans: invariants 4, 5, 7 and 9 of the rule catalogue.

Patients are drawn with :func:`bisphos.testing.strategies.patients` and made indicated (a
vertebral compression fracture after minimal trauma, P-FX-a, in a child with osteogenesis
imperfecta and no WNT1/LRP5 variant), so that the drug choice, the blocks and the course are
reached on every example; the contraindication flags are drawn. Each property is checked in both
directions where the catalogue allows it: what must block does block, and what is cleared has
none of the conditions.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from bisphos.findings import Severity
from bisphos.model import Diagnosis, Drug, Fracture, FractureSite, Patient, Trauma
from bisphos.oncology.rules import RULES as ONCOLOGY_RULES
from bisphos.pediatric.plan import Plan, PlanRequest, PlanStatus, make_plan
from bisphos.pediatric.rules import RULES
from bisphos.pediatric.schedule import Horizon
from bisphos.testing.strategies import patients, reexpressed
from tests._profiles import examples

REQUIRED_LABS = (
    "calcium",
    "phosphate",
    "alkaline_phosphatase",
    "urea",
    "creatinine",
    "albumin",
    "vitamin_d_25oh",
    "pth",
)


@st.composite
def indicated_patients(draw: st.DrawFn) -> Patient:
    """An indicated child (P-IND-A, P-IND-B by P-FX-a) with drawn contraindication flags."""
    patient = draw(patients(diagnoses=[Diagnosis.OSTEOGENESIS_IMPERFECTA]))
    fracture = Fracture(
        site=FractureSite.VERTEBRAL_COMPRESSION,
        trauma=Trauma.MINIMAL,
        date=max(
            patient.birth_date,
            patient.assessment_date - dt.timedelta(days=draw(st.integers(0, 60))),
        ),
    )
    risks = attrs.evolve(
        patient.risks,
        pregnant=draw(st.booleans()),
        bisphosphonate_hypersensitivity=draw(st.booleans()),
        prolonged_immobilisation=draw(st.booleans()),
        expected_spontaneous_recovery=False,
    )
    genes = tuple(gene for gene in patient.gene_variants if gene not in {"WNT1", "LRP5"})
    return attrs.evolve(
        patient,
        fractures=(*patient.fractures, fracture),
        gene_variants=genes,
        risks=risks,
    )


ONE = Horizon(infusions=1)
TWO = Horizon(infusions=2)
REQUESTS = st.builds(PlanRequest, drug=st.sampled_from([None, *Drug]), horizon=st.just(ONE))
#: A tenth of the active profile's examples (see the module docstring).
FEWER = settings(max_examples=examples(0.1))


def _blocked_by(plan: Plan, rule_id: str) -> bool:
    return any(rule_id in f.rule_ids and f.severity is Severity.BLOCK for f in plan.findings)


def _magnitude(value: object, unit: str) -> float:
    return float(value.m_as(unit))  # type: ignore[attr-defined]


def _exact_schwartz(patient: Patient) -> Fraction | None:
    """The simplified Schwartz GFR, 40 x height (cm) / creatinine (µmol/l), as an exact ratio."""
    creatinine = patient.labs.creatinine
    if patient.height is None or creatinine is None:
        return None
    height_cm = Fraction(_magnitude(patient.height, "cm"))
    creatinine_umol = Fraction(_magnitude(creatinine.value, "umol/L"))
    return 40 * height_cm / creatinine_umol


@FEWER
@given(indicated_patients(), REQUESTS)
def test_invariant_4_no_zoledronic_acid_without_gfr_above_90(
    patient: Patient, request: PlanRequest
) -> None:
    """Invariant 4 (P-GFR, P-CI-RENAL): zoledronic acid is planned only with a simplified
    Schwartz GFR above 90 ml/min/1.73 m², never with a missing height or creatinine; requested
    without that, it is refused with a P-GFR finding."""
    plan = make_plan(patient, request)
    gfr = _exact_schwartz(patient)
    allowed = gfr is not None and gfr > 90
    if plan.drug is Drug.ZOLEDRONIC_ACID:
        assert allowed
        assert all(item.dose.drug is Drug.ZOLEDRONIC_ACID for item in plan.infusions)
    if request.drug is None and plan.status in {PlanStatus.READY, PlanStatus.BLOCKED}:
        # The protocol's own choice: zoledronic acid exactly when the gate allows it.
        assert (plan.drug is Drug.ZOLEDRONIC_ACID) == allowed
    if request.drug is Drug.ZOLEDRONIC_ACID and not allowed:
        assert plan.infusions == ()
        if plan.status is PlanStatus.CONTRAINDICATED:  # P-CI-PERMANENT decides first
            assert _blocked_by(plan, "P-CI-PERMANENT")
        else:
            assert plan.status is PlanStatus.REFUSED
            assert _blocked_by(plan, "P-GFR")


@FEWER
@given(indicated_patients())
def test_invariant_5_no_infusion_cleared_with_a_contraindication(patient: Patient) -> None:
    """Invariant 5 (P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY, P-CI-PREG, P-PRE-LABS, P-PRE-VITD):
    a temperature above 38.5 °C, a total calcium below 2.2 mmol/l, hypersensitivity or a known
    pregnancy each block today's infusion with a finding naming the rule; before the first
    infusion, a 25-OH vitamin D below 50 nmol/l or a missing required lab does too; a plan that is
    cleared has none of these."""
    plan = make_plan(patient, PlanRequest(horizon=ONE))
    labs = patient.labs
    temperature = patient.vitals.temperature
    calcium = labs.calcium
    vitamin_d = labs.vitamin_d_25oh
    first = not patient.infusions
    blocks = {
        "P-CI-FEVER": temperature is not None and _magnitude(temperature, "degC") > 38.5,
        "P-CI-HYPOCA": calcium is not None and _magnitude(calcium.value, "mmol/L") < 2.2,
        "P-CI-ALLERGY": patient.risks.bisphosphonate_hypersensitivity,
        "P-CI-PREG": patient.risks.pregnant,
        "P-PRE-VITD": first
        and vitamin_d is not None
        and _magnitude(vitamin_d.value, "nmol/L") < 50,
        "P-PRE-LABS": first and any(getattr(labs, name) is None for name in REQUIRED_LABS),
    }
    for rule_id, applies in blocks.items():
        if applies:
            assert _blocked_by(plan, rule_id), rule_id
            assert not plan.cleared_today
    if plan.cleared_today:
        assert not any(blocks.values())
        assert plan.status is PlanStatus.READY


def _decision(plan: Plan) -> tuple[object, ...]:
    """What a plan decides, without the evidence texts (which show the input's own values)."""
    return (
        plan.status,
        plan.drug,
        tuple(
            (item.date, item.phase, item.dose.value, item.preparation.volume, item.rule_ids)
            for item in plan.infusions
        ),
        tuple((f.code, f.severity, f.rule_ids) for f in plan.findings),
    )


@FEWER
@given(indicated_patients().flatmap(lambda p: st.tuples(st.just(p), reexpressed(p))))
def test_invariant_7_plan_does_not_depend_on_input_units(pair: tuple[Patient, Patient]) -> None:
    """Invariant 7 (P-GFR, P-CI-FEVER, P-CI-HYPOCA, P-PRE-VITD, P-ZOL-DOSE, P-PAM-DOSE): the same
    patient with every quantity in other units (lb, mg/dl, °F, ng/ml ...) gets the same status,
    drug, dates, doses, volumes and findings."""
    patient, other = pair
    request = PlanRequest(horizon=TWO)
    assert _decision(make_plan(patient, request)) == _decision(make_plan(other, request))


KNOWN_IDS = set(RULES) | set(ONCOLOGY_RULES)


@FEWER
@given(indicated_patients() | patients(), REQUESTS)
def test_invariant_9_every_finding_dose_and_date_names_catalogue_rules(
    patient: Patient, request: PlanRequest
) -> None:
    """Invariant 9: every finding, dose, preparation, planned infusion and follow-up entry of a
    plan names at least one rule id, and every id it names is in the catalogue."""
    plan = make_plan(patient, request)
    named: list[tuple[str, ...]] = [f.rule_ids for f in plan.findings]
    for item in plan.infusions:
        named += [item.rule_ids, item.dose.rule_ids, item.preparation.rule_ids]
        named += [(choice.rule_id,) for choice in item.dose.choices]
    if plan.course is not None:
        named += [entry.rule_ids for entry in plan.course.follow_up]
    assert all(named)
    assert {rule_id for ids in named for rule_id in ids} <= set(RULES)
    assert set(plan.rule_ids) <= KNOWN_IDS
