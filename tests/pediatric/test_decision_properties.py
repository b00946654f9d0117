"""Property tests of the pediatric decisions: invariants 4, 5 and 7 of the rule catalogue.

Invariants 4 and 5 draw :func:`tests.pediatric.strategies.compact_patients` (a few ms each, and
on every threshold); invariant 7 draws the broader public
:func:`bisphos.testing.strategies.patients` and writes the same patient in other units with
:func:`bisphos.testing.strategies.reexpressed`. Both are moved onto the thresholds of
temperature, calcium and vitamin D by :func:`tests.pediatric.strategies.on_the_thresholds`. The
oracles compare canonical magnitudes rounded to 10⁻⁶, or exact fractions, independently of the
library's resolution steps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from fractions import Fraction

import attrs
from hypothesis import Phase, event, given, note, settings
from hypothesis import strategies as st

from bisphos.model import LAB_KINDS, Drug, LabResult, Patient
from bisphos.pediatric.assessment import Assessment, assess, in_scope
from bisphos.testing.strategies import patients, reexpressed
from bisphos.units import quantity
from tests.pediatric.strategies import compact_patients, on_the_thresholds

DECISION_PATIENTS = on_the_thresholds(compact_patients())
BROAD_PATIENTS = on_the_thresholds(patients(max_age_years=19, max_infusions=2))


def _exact_gfr(child: Patient) -> Fraction | None:
    creatinine = child.labs.creatinine
    if child.height is None or creatinine is None:
        return None
    height_cm = Fraction(float(child.height.m_as("cm")))
    creatinine_umol_l = Fraction(float(creatinine.value.m_as("umol/L")))
    return 40 * height_cm / creatinine_umol_l


def _near(value: float) -> float:
    """Round away float noise of a unit conversion (10⁻⁶ is far below any reported digit)."""
    return round(value, 6)


@given(DECISION_PATIENTS)
def test_invariant_4_no_zoledronic_acid_unless_schwartz_gfr_above_90(child: Patient) -> None:
    """Invariant 4 (P-GFR, P-CI-RENAL): zoledronic acid is allowed only when height and
    creatinine are known and 40 x height / creatinine is above 90 ml/min/1.73 m², in exact
    arithmetic; with both known and the GFR at least 90.001, it is allowed when treatment is."""
    result = assess(child)
    gfr = _exact_gfr(child)
    event(f"GFR {'missing' if gfr is None else '> 90' if gfr > 90 else '<= 90'}")
    event(f"GFR 90 up to float noise: {gfr is not None and abs(gfr - 90) < Fraction(1, 10**9)}")
    allowed = Drug.ZOLEDRONIC_ACID in result.allowed_drugs
    renal_allowed = result.renal is not None and result.renal.zoledronic_acid_allowed
    if allowed or renal_allowed:
        assert child.height is not None
        assert child.labs.creatinine is not None
        assert gfr is not None
        assert gfr > 90
    if gfr is None:
        assert not allowed
        assert not renal_allowed
    elif result.indicated and gfr >= Fraction(90001, 1000):
        assert allowed


# Values that violate a limit, in several units, as (magnitude, unit).
_FEVERS = st.sampled_from(((38.501, "degC"), (38.6, "degC"), (101.4, "degF"), (40.0, "degC")))
_LOW_CALCIUMS = st.sampled_from(((2.199, "mmol/L"), (2.19, "mmol/L"), (8.8, "mg/dL")))
_LOW_VITAMIN_D = st.sampled_from(((49.999, "nmol/L"), (49.9, "nmol/L"), (20.0, "ng/mL")))
_LAB_NAMES = st.sampled_from(tuple(LAB_KINDS))


def _contraindicated(child: Patient, data: st.DataObject) -> dict[str, Patient]:
    """``child`` with one contraindication each, the values drawn (invariant 5)."""
    fever = quantity(*data.draw(_FEVERS, label="fever"))
    calcium = quantity(*data.draw(_LOW_CALCIUMS, label="low calcium"))
    evolve: Callable[..., Patient] = attrs.evolve
    variants = {
        "fever": evolve(child, vitals=attrs.evolve(child.vitals, temperature=fever)),
        "hypocalcaemia": evolve(
            child, labs=attrs.evolve(child.labs, calcium=LabResult(value=calcium))
        ),
        "hypersensitivity": evolve(
            child, risks=attrs.evolve(child.risks, bisphosphonate_hypersensitivity=True)
        ),
        "pregnancy": evolve(child, risks=attrs.evolve(child.risks, pregnant=True)),
    }
    if not child.infusions:
        vitamin_d = quantity(*data.draw(_LOW_VITAMIN_D, label="low vitamin D"))
        missing = data.draw(_LAB_NAMES, label="missing lab")
        variants["vitamin D deficiency"] = evolve(
            child, labs=attrs.evolve(child.labs, vitamin_d_25oh=LabResult(value=vitamin_d))
        )
        variants[f"missing {missing}"] = evolve(
            child, labs=attrs.evolve(child.labs, **{missing: None})
        )
    return variants


@given(DECISION_PATIENTS, st.data())
def test_invariant_5_no_clearance_with_a_contraindication_or_missing_first_labs(
    child: Patient, data: st.DataObject
) -> None:
    """Invariant 5 (P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY, P-CI-PREG, P-PRE-LABS, P-PRE-VITD):
    no infusion is cleared with a temperature above 38.5 °C, total calcium below 2.2 mmol/l,
    hypersensitivity or a known pregnancy; no first infusion with 25-OH vitamin D below
    50 nmol/l or any required lab missing; nothing is cleared out of scope. Each cleared
    patient is checked against the oracle, then given each contraindication in turn, which must
    undo the clearance."""
    result = assess(child)
    event(f"cleared: {result.cleared_today}, first infusion: {not child.infusions}")
    if not result.cleared_today:
        return
    assert in_scope(child)
    temperature = child.vitals.temperature
    assert temperature is None or _near(float(temperature.m_as("degC"))) <= 38.5
    calcium = child.labs.calcium
    assert calcium is None or _near(float(calcium.value.m_as("mmol/L"))) >= 2.2
    assert not child.risks.bisphosphonate_hypersensitivity
    assert not child.risks.pregnant
    if not child.infusions:
        assert child.labs.missing() == ()
        vitamin_d = child.labs.vitamin_d_25oh
        assert vitamin_d is not None
        assert _near(float(vitamin_d.value.m_as("nmol/L"))) >= 50.0
    for name, variant in _contraindicated(child, data).items():
        assert not assess(variant).cleared_today, name


def test_invariants_4_and_5_are_not_vacuous() -> None:
    """Invariants 4 and 5 (P-GFR, P-PRE-LABS, P-SCOPE-1): among 300 drawn patients, first and
    later infusions are cleared, others blocked, some out of scope, zoledronic acid both allowed
    and refused, and GFRs of 90 (up to float noise) occur."""
    seen: Counter[str] = Counter()

    @settings(max_examples=300, database=None, derandomize=True, phases=[Phase.generate])
    @given(DECISION_PATIENTS)
    def collect(child: Patient) -> None:
        result = assess(child)
        seen[f"cleared first={not child.infusions}: {result.cleared_today}"] += 1
        seen[f"in scope: {result.in_scope}"] += 1
        seen[f"zoledronic acid: {result.zoledronic_acid_allowed}"] += 1
        gfr = _exact_gfr(child)
        seen[f"GFR 90 within 1e-9: {gfr is not None and abs(gfr - 90) < Fraction(1, 10**9)}"] += 1

    collect()
    for outcome in (
        "cleared first=True: True",
        "cleared first=False: True",
        "cleared first=True: False",
        "cleared first=False: False",
        "in scope: False",
        "zoledronic acid: True",
        "zoledronic acid: False",
        "GFR 90 within 1e-9: True",
    ):
        assert seen[outcome] >= 5, (outcome, seen)


def _decision(result: Assessment) -> tuple[object, ...]:
    """What a clinician acts on: scope, indication, drugs, clearance and every finding's code,
    severity and rule ids."""
    return (
        result.in_scope,
        result.indicated,
        result.first_infusion,
        result.allowed_drugs,
        result.cleared_today,
        tuple((f.code, f.severity, f.rule_ids) for f in result.findings),
    )


@given(st.data())
def test_invariant_7_decision_does_not_depend_on_input_units(data: st.DataObject) -> None:
    """Invariant 7 (P-GFR, P-CI-FEVER, P-CI-HYPOCA, P-PRE-VITD): the same patient written in
    kg or lb, cm or inch, µmol/l or mg/dl creatinine, °C or °F, mmol/l or mg/dl calcium,
    nmol/l or ng/ml vitamin D gets the same decision."""
    child = data.draw(BROAD_PATIENTS, label="patient")
    other = data.draw(reexpressed(child), label="re-expressed")
    first, second = assess(child), assess(other)
    event(f"cleared: {first.cleared_today}")
    note(f"{first.codes} vs {second.codes}")
    assert _decision(first) == _decision(second)
