"""Indication, value by value: P-IND-A, P-IND-GENE, P-IND-RECOVERY, P-IND-B, P-FX-a/b/c, P-BMD."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import pytest

from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import (
    BmdMeasurement,
    BmdSite,
    Diagnosis,
    Fracture,
    FractureSite,
    Patient,
    RiskFlags,
    Trauma,
)
from bisphos.pediatric.indication import (
    EXCLUDED_GENES,
    INDICATED_DIAGNOSES,
    FractureCounts,
    Indication,
    assess_indication,
    count_fractures,
    lowest_z_score,
)
from bisphos.units import ureg
from tests.pediatric._dosing_helpers import child

# Born 14 March 2012: 10 on 14 March 2022, assessed at 14.
BORN = dt.date(2012, 3, 14)
ASSESSED = dt.date(2026, 11, 23)

LS = BmdSite.LUMBAR_SPINE
TBLH = BmdSite.TOTAL_BODY_LESS_HEAD


def _fracture(site: FractureSite, trauma: Trauma, date: dt.date) -> Fracture:
    return Fracture(site=site, trauma=trauma, date=date)


def _long(date: dt.date, trauma: Trauma = Trauma.LOW) -> Fracture:
    return _fracture(FractureSite.LONG_BONE, trauma, date)


def _vertebral(trauma: Trauma = Trauma.MINIMAL) -> Fracture:
    return _fracture(FractureSite.VERTEBRAL_COMPRESSION, trauma, dt.date(2025, 1, 1))


def _patient(
    *,
    fractures: Sequence[Fracture] = (),
    bmd: Sequence[BmdMeasurement] = (),
    diagnosis: Diagnosis = Diagnosis.OSTEOGENESIS_IMPERFECTA,
    genes: Sequence[str] = (),
    recovery: bool = False,
) -> Patient:
    patient = child(
        born=BORN,
        assessed=ASSESSED,
        diagnosis=diagnosis,
        fractures=fractures,
        bmd=bmd,
        risks=RiskFlags(could_become_pregnant=False, expected_spontaneous_recovery=recovery),
    )
    return attrs.evolve(patient, gene_variants=tuple(genes))


def _z(
    z: float, site: BmdSite = LS, *, corrected: bool = False, date: dt.date | None = None
) -> BmdMeasurement:
    return BmdMeasurement(site=site, z_score=z, size_corrected=corrected, date=date)


# --- catalogue sets ----------------------------------------------------------------------------


def test_indicated_conditions_are_p_ind_a() -> None:
    """P-IND-A: OI, primary and secondary osteoporosis are indicated; 'other' is not."""
    assert frozenset(Diagnosis) - {Diagnosis.OTHER} == INDICATED_DIAGNOSES
    assert Diagnosis.OTHER not in INDICATED_DIAGNOSES


def test_excluded_genes_are_wnt1_and_lrp5() -> None:
    """P-IND-GENE: WNT1 and LRP5 variants exclude bisphosphonates."""
    assert frozenset({"WNT1", "LRP5"}) == EXCLUDED_GENES


# --- fracture criteria (P-FX-a, P-FX-b, P-FX-c) ------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "criteria"),
    [
        ((0, 0, 0), ()),
        ((1, 0, 0), ("P-FX-a",)),
        ((0, 1, 1), ()),
        ((0, 2, 2), ("P-FX-b",)),
        ((0, 1, 2), ()),
        ((0, 0, 3), ("P-FX-c",)),
        ((0, 1, 3), ("P-FX-c",)),
        ((2, 2, 3), ("P-FX-a", "P-FX-b", "P-FX-c")),
    ],
)
def test_fracture_criteria_thresholds(
    counts: tuple[int, int, int], criteria: tuple[str, ...]
) -> None:
    """P-FX-a >= 1 vertebral, P-FX-b >= 2 long-bone before 10, P-FX-c >= 3 before 19."""
    assert FractureCounts(*counts, high_energy=0).criteria() == criteria


def test_fracture_evidence_with_and_without_high_energy() -> None:
    """P-FX-a/b/c: each count is shown with the count it needs; high-energy ones are listed."""
    base = (
        Evidence("vertebral compression fractures", 1, 1, path="fractures.vertebral_compression"),
        Evidence("long-bone fractures before age 10", 2, 2, path="fractures.long_bone_before_10"),
        Evidence("long-bone fractures before age 19", 3, 3, path="fractures.long_bone_before_19"),
    )
    assert FractureCounts(1, 2, 3, 0).evidence() == base
    assert FractureCounts(1, 2, 3, 2).evidence() == (
        *base,
        Evidence(
            "fractures after high-energy trauma, not counted", 2, path="fractures.high_energy"
        ),
    )


def test_count_fractures_by_site_trauma_and_age() -> None:
    """P-FX-a/b/c: high-energy never counts; other sites do not count; ages by birthday."""
    patient = _patient(
        fractures=[
            _vertebral(Trauma.MINIMAL),
            _vertebral(Trauma.LOW),
            _vertebral(Trauma.HIGH),
            _long(dt.date(2018, 6, 1), Trauma.MINIMAL),  # age 6
            _long(dt.date(2022, 3, 13)),  # the day before the 10th birthday
            _long(dt.date(2022, 3, 14)),  # the 10th birthday: not before 10
            _long(dt.date(2024, 1, 1), Trauma.HIGH),
            _fracture(FractureSite.OTHER, Trauma.LOW, dt.date(2019, 1, 1)),
        ]
    )
    assert count_fractures(patient) == FractureCounts(
        vertebral=2, long_bone_before_10=2, long_bone_before_19=3, high_energy=2
    )


def test_count_fractures_given_as_ages() -> None:
    """P-FX-b: ages 9.5 and 10.0 years: one before 10, both before 19."""
    fractures = [
        Fracture(FractureSite.LONG_BONE, Trauma.LOW, age_at_fracture=ureg.Quantity(9.5, "year")),
        Fracture(FractureSite.LONG_BONE, Trauma.LOW, age_at_fracture=ureg.Quantity(10.0, "year")),
    ]
    counts = count_fractures(_patient(fractures=fractures))
    assert (counts.long_bone_before_10, counts.long_bone_before_19) == (1, 2)


# --- the Z-score that counts (P-BMD) -----------------------------------------------------------


def test_lowest_z_score_ignores_the_femur() -> None:
    """P-BMD: only lumbar spine and total body less head count; a femur score does not."""
    femur = _z(-4.0, BmdSite.FEMUR)
    spine = _z(-1.5, LS)
    assert lowest_z_score([femur, spine]) == spine
    assert lowest_z_score([femur]) is None
    assert lowest_z_score([]) is None


def test_lowest_z_score_takes_the_lowest_site() -> None:
    """P-BMD: the lowest of the lumbar spine and total body less head scores counts."""
    spine = _z(-1.5, LS)
    body = _z(-2.5, TBLH)
    assert lowest_z_score([spine, body]) == body
    assert lowest_z_score([body, spine]) == body


def test_size_corrected_score_replaces_the_uncorrected_one_of_the_same_scan() -> None:
    """P-BMD: on one scan (site and date) the size-corrected score replaces the raw one."""
    day = dt.date(2026, 1, 5)
    raw = _z(-3.0, LS, date=day)
    corrected = _z(-1.8, LS, corrected=True, date=day)
    assert lowest_z_score([raw, corrected]) == corrected
    assert lowest_z_score([corrected, raw]) == corrected


def test_corrected_score_of_another_scan_does_not_replace() -> None:
    """P-BMD: a corrected score of another date or site leaves the raw score counting."""
    raw = _z(-3.0, LS, date=dt.date(2025, 1, 5))
    other_day = _z(-1.8, LS, corrected=True, date=dt.date(2026, 1, 5))
    other_site = _z(-1.8, TBLH, corrected=True, date=dt.date(2025, 1, 5))
    assert lowest_z_score([raw, other_day]) == raw
    assert lowest_z_score([raw, other_site]) == raw


# --- assess_indication ------------------------------------------------------------------------

_CRITERIA_RULES = ("P-IND-B", "P-FX-a", "P-FX-b", "P-FX-c", "P-BMD")


def _only(indication: Indication) -> Finding:
    (finding,) = indication.findings
    return finding


def test_vertebral_fracture_is_indicated_without_reduced_bmd() -> None:
    """P-IND-B, P-FX-a: a vertebral compression fracture needs no reduced bone density."""
    indication = assess_indication(_patient(fractures=[_vertebral()], bmd=[_z(-1.0)]))
    assert indication.indicated
    assert not indication.excluded
    assert indication.fracture_criteria == ("P-FX-a",)
    assert not indication.bmd_reduced
    finding = _only(indication)
    assert finding.code == "indicated"
    assert finding.severity is Severity.INFO
    assert finding.rule_ids == ("P-IND-A", "P-IND-B", "P-FX-a")
    assert finding.message == (
        "Indicated: osteogenesis imperfecta with a vertebral compression fracture."
    )
    assert finding.evidence[0] == Evidence("diagnosis", "osteogenesis_imperfecta")
    assert finding.evidence[-1] == Evidence(
        "lowest DXA Z-score (lumbar_spine)", -1.0, -2.0, path="bmd.z_score"
    )


def test_two_long_bone_fractures_before_10_with_z_minus_2_are_indicated() -> None:
    """P-IND-B, P-FX-b, P-BMD: two fractures before 10 and Z exactly -2.0 (reduced)."""
    indication = assess_indication(
        _patient(
            diagnosis=Diagnosis.IDIOPATHIC_JUVENILE_OSTEOPOROSIS,
            fractures=[_long(dt.date(2018, 6, 1)), _long(dt.date(2020, 6, 1))],
            bmd=[_z(-2.0, TBLH, corrected=True)],
        )
    )
    assert indication.indicated
    assert indication.bmd_reduced
    assert indication.fracture_criteria == ("P-FX-b",)
    finding = _only(indication)
    assert finding.rule_ids == ("P-IND-A", "P-IND-B", "P-FX-b", "P-BMD")
    assert finding.message == (
        "Indicated: idiopathic juvenile osteoporosis with 2 or more long-bone fractures "
        "before age 10 and a reduced bone density."
    )
    assert finding.evidence[-1] == Evidence(
        "lowest DXA Z-score (total_body_less_head, size-corrected)", -2.0, -2.0, path="bmd.z_score"
    )


def test_three_long_bone_fractures_with_reduced_bmd_are_indicated() -> None:
    """P-IND-B, P-FX-c, P-BMD: three fractures before 19 and Z -2.5."""
    fractures = [_long(dt.date(2023, 1, 1)), _long(dt.date(2024, 1, 1)), _long(dt.date(2025, 1, 1))]
    indication = assess_indication(
        _patient(diagnosis=Diagnosis.SECONDARY_CORTICOSTEROIDS, fractures=fractures, bmd=[_z(-2.5)])
    )
    assert indication.indicated
    assert _only(indication).message == (
        "Indicated: secondary corticosteroids with 3 or more long-bone fractures before age 19 "
        "and a reduced bone density."
    )


def test_fracture_history_without_reduced_bmd_is_not_indicated() -> None:
    """P-IND-B: long-bone fractures (P-FX-b) with Z -1.999 (not reduced) are not enough."""
    indication = assess_indication(
        _patient(fractures=[_long(dt.date(2018, 6, 1)), _long(dt.date(2020, 6, 1))], bmd=[_z(-1.9)])
    )
    assert not indication.indicated
    assert not indication.excluded
    assert indication.fracture_criteria == ("P-FX-b",)
    finding = _only(indication)
    assert finding.code == "not-indicated-criteria"
    assert finding.severity is Severity.BLOCK
    assert finding.rule_ids == _CRITERIA_RULES
    assert finding.message == ("Not indicated: no reduced bone density (Z-score -2.0 or lower).")


def test_reduced_bmd_without_fractures_is_not_indicated() -> None:
    """P-IND-B: a reduced bone density alone is not an indication."""
    finding = _only(assess_indication(_patient(bmd=[_z(-3.0)])))
    assert finding.code == "not-indicated-criteria"
    assert finding.message == "Not indicated: no clinically significant fracture history."
    assert finding.evidence == (
        Evidence("vertebral compression fractures", 0, 1, path="fractures.vertebral_compression"),
        Evidence("long-bone fractures before age 10", 0, 2, path="fractures.long_bone_before_10"),
        Evidence("long-bone fractures before age 19", 0, 3, path="fractures.long_bone_before_19"),
        Evidence("lowest DXA Z-score (lumbar_spine)", -3.0, -2.0, path="bmd.z_score"),
    )


def test_nothing_given_is_not_indicated() -> None:
    """P-IND-B: no fractures and no DXA: both reasons are named."""
    finding = _only(assess_indication(_patient()))
    assert finding.message == (
        "Not indicated: no clinically significant fracture history and no reduced bone density "
        "(Z-score -2.0 or lower)."
    )
    assert finding.evidence[-1] == Evidence(
        "lowest DXA Z-score (LS/TBLH)", "none given", -2.0, path="bmd.z_score"
    )


def test_other_condition_is_excluded() -> None:
    """P-IND-A: a condition outside the protocol is blocked even with a vertebral fracture."""
    indication = assess_indication(_patient(diagnosis=Diagnosis.OTHER, fractures=[_vertebral()]))
    assert not indication.indicated
    assert indication.excluded
    finding = _only(indication)
    assert finding.code == "not-indicated-condition"
    assert finding.rule_ids == ("P-IND-A",)
    assert finding.severity is Severity.BLOCK
    assert finding.message == "The underlying condition is not one the protocol treats."
    assert finding.evidence == (Evidence("diagnosis", "other"),)


def test_wnt1_and_lrp5_variants_are_excluded() -> None:
    """P-IND-GENE: WNT1 and LRP5 variants, named in sorted order; COL1A1 is no exclusion."""
    indication = assess_indication(
        _patient(fractures=[_vertebral()], genes=["WNT1", "COL1A1", "LRP5"])
    )
    assert not indication.indicated
    assert indication.excluded
    finding = _only(indication)
    assert finding.code == "not-indicated-gene"
    assert finding.rule_ids == ("P-IND-GENE",)
    assert finding.severity is Severity.BLOCK
    assert finding.message == (
        "Osteoporosis with a LRP5 and WNT1 variant: bisphosphonates are not advised."
    )
    assert finding.evidence == (
        Evidence("gene_variants", "LRP5"),
        Evidence("gene_variants", "WNT1"),
    )
    assert assess_indication(_patient(fractures=[_vertebral()], genes=["COL1A1"])).indicated


def test_expected_recovery_is_excluded() -> None:
    """P-IND-RECOVERY: spontaneous recovery expected: no infusions, whatever the fractures."""
    indication = assess_indication(_patient(fractures=[_vertebral()], recovery=True))
    assert not indication.indicated
    assert indication.excluded
    finding = _only(indication)
    assert finding.code == "not-indicated-recovery"
    assert finding.rule_ids == ("P-IND-RECOVERY",)
    assert finding.severity is Severity.BLOCK
    assert finding.message == (
        "Spontaneous recovery is expected because the risk factor goes away: "
        "no bisphosphonate infusions."
    )
    assert finding.evidence == (Evidence("risks.expected_spontaneous_recovery", value=True),)


def test_every_exclusion_and_the_criteria_are_all_reported() -> None:
    """P-IND-A, P-IND-GENE, P-IND-RECOVERY, P-IND-B: each reason is its own BLOCK finding."""
    indication = assess_indication(
        _patient(diagnosis=Diagnosis.OTHER, genes=["LRP5"], recovery=True)
    )
    assert [f.code for f in indication.findings] == [
        "not-indicated-condition",
        "not-indicated-gene",
        "not-indicated-recovery",
        "not-indicated-criteria",
    ]
    assert indication.excluded


def test_not_excluded_when_only_the_criteria_fail() -> None:
    """P-IND-B: failing the fracture and density criteria is not an exclusion."""
    indication = assess_indication(_patient())
    assert not indication.indicated
    assert indication.excluded is False


def test_excluded_needs_a_block_finding_of_an_exclusion_rule() -> None:
    """P-IND-A: an INFO finding naming P-IND-A (the 'indicated' finding) is no exclusion."""
    indicated = assess_indication(_patient(fractures=[_vertebral()]))
    assert "P-IND-A" in indicated.findings[0].rule_ids
    assert indicated.excluded is False


def test_several_criteria_are_listed_with_commas() -> None:
    """P-FX-a, P-FX-b, P-BMD: every criterion that holds is named, with the counts and the
    measurement that decided."""
    spine = _z(-2.4)
    indication = assess_indication(
        _patient(
            fractures=[_vertebral(), _long(dt.date(2018, 6, 1)), _long(dt.date(2020, 6, 1))],
            bmd=[spine, _z(-1.0, TBLH)],
        )
    )
    assert indication.fractures == FractureCounts(1, 2, 2, 0)
    assert indication.lowest_bmd == spine
    finding = _only(indication)
    assert finding.rule_ids == ("P-IND-A", "P-IND-B", "P-FX-a", "P-FX-b", "P-BMD")
    assert finding.message == (
        "Indicated: osteogenesis imperfecta with a vertebral compression fracture, "
        "2 or more long-bone fractures before age 10 and a reduced bone density."
    )
