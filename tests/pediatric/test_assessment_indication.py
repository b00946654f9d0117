"""Whether treatment is indicated: P-IND-A, P-IND-GENE, P-IND-RECOVERY, P-IND-B, P-FX-*, P-BMD."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bisphos.findings import Severity
from bisphos.model import BmdMeasurement, Diagnosis, Drug
from bisphos.pediatric.assessment import assess
from bisphos.pediatric.indication import count_fractures, lowest_z_score
from tests.pediatric.assessment_patients import patient

# The reference child was born on 2016-05-10: 10 years old on 2026-05-10 (after the assessment),
# so every dated fracture below is before 10 unless it says otherwise.
VERTEBRAL = {"site": "vertebral_compression", "trauma": "minimal", "date": "2025-11-03"}


def _long_bone(date: str, trauma: str = "minimal") -> dict[str, str]:
    return {"site": "long_bone", "trauma": trauma, "date": date}


def _bmd(z_ls: float, z_tblh: float | None = None) -> list[dict[str, Any]]:
    scans: list[dict[str, Any]] = [{"site": "lumbar_spine", "z_score": z_ls, "date": "2026-01-20"}]
    if z_tblh is not None:
        scans.append({"site": "total_body_less_head", "z_score": z_tblh, "date": "2026-01-20"})
    return scans


@pytest.mark.parametrize("diagnosis", [d for d in Diagnosis if d is not Diagnosis.OTHER])
def test_p_ind_a_every_listed_condition_is_indicated(diagnosis: Diagnosis) -> None:
    """P-IND-A: OI, primary, idiopathic juvenile and every secondary osteoporosis qualify."""
    result = assess(patient(diagnosis=diagnosis.value))
    assert result.indicated
    assert result.cleared_today
    finding = result.finding("indicated")
    assert finding is not None
    assert finding.rule_ids == ("P-IND-A", "P-IND-B", "P-FX-a", "P-BMD")
    assert finding.severity is Severity.INFO


def test_p_ind_a_other_condition_is_not_indicated() -> None:
    """P-IND-A: a condition outside the listed categories is not an indication."""
    result = assess(patient(diagnosis="other"))
    assert not result.indicated
    assert not result.cleared_today
    assert result.allowed_drugs == ()
    finding = result.finding("not-indicated-condition")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.BLOCK, ("P-IND-A",))
    assert [(e.name, e.value) for e in finding.evidence] == [("diagnosis", "other")]


@pytest.mark.parametrize(
    ("genes", "excluded"),
    [
        (["WNT1"], ["WNT1"]),
        (["LRP5"], ["LRP5"]),
        (["COL1A1", "LRP5", "WNT1"], ["LRP5", "WNT1"]),
        (["COL1A1"], []),
        (["PLS3"], []),
        (["SGMS2"], []),
    ],
)
def test_p_ind_gene_wnt1_or_lrp5_is_not_eligible(genes: list[str], excluded: list[str]) -> None:
    """P-IND-GENE: a WNT1 or LRP5 variant: not eligible; PLS3, SGMS2, COL1A1 do not exclude."""
    result = assess(patient(diagnosis="primary_osteoporosis", gene_variants=genes))
    finding = result.finding("not-indicated-gene")
    assert result.indicated is not bool(excluded)
    if excluded:
        assert finding is not None
        assert (finding.severity, finding.rule_ids) == (Severity.BLOCK, ("P-IND-GENE",))
        assert [e.value for e in finding.evidence] == excluded
    else:
        assert finding is None


def test_p_ind_recovery_expected_recovery_is_not_indicated() -> None:
    """P-IND-RECOVERY: with recovery expected (dexamethasone stopped) there are no infusions."""
    result = assess(
        patient(
            diagnosis="secondary_corticosteroids", risks={"expected_spontaneous_recovery": True}
        )
    )
    assert not result.indicated
    finding = result.finding("not-indicated-recovery")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.BLOCK, ("P-IND-RECOVERY",))


def test_p_ind_a_gene_and_recovery_exclusions_are_all_reported() -> None:
    """P-IND-A, P-IND-GENE, P-IND-RECOVERY: every reason is listed, not only the first."""
    result = assess(
        patient(
            diagnosis="other",
            gene_variants=["WNT1"],
            risks={"expected_spontaneous_recovery": True},
        )
    )
    assert result.codes[:3] == (
        "not-indicated-condition",
        "not-indicated-gene",
        "not-indicated-recovery",
    )
    assert "dxa-needed" not in result.codes  # no DXA is asked for an excluded patient


# (fractures, bmd, indicated, criteria) for P-IND-B.
IND_B_CASES = [
    pytest.param([VERTEBRAL], _bmd(-1.0, -0.5), True, ("P-FX-a",), id="P-FX-a normal bmd"),
    pytest.param([VERTEBRAL], [], True, ("P-FX-a",), id="P-FX-a no dxa"),
    pytest.param([VERTEBRAL | {"trauma": "high"}], _bmd(-3.0), False, (), id="P-FX-a high energy"),
    pytest.param(
        [_long_bone("2023-01-01"), _long_bone("2024-01-01")],
        _bmd(-2.1),
        True,
        ("P-FX-b",),
        id="P-FX-b z minus 2.1",
    ),
    pytest.param(
        [_long_bone("2023-01-01"), _long_bone("2024-01-01")],
        _bmd(-2.0),
        True,
        ("P-FX-b",),
        id="P-FX-b z minus 2.0",
    ),
    pytest.param(
        [_long_bone("2023-01-01"), _long_bone("2024-01-01")],
        _bmd(-1.9),
        False,
        ("P-FX-b",),
        id="P-FX-b z minus 1.9",
    ),
    pytest.param(
        [_long_bone("2023-01-01"), _long_bone("2024-01-01")],
        [],
        False,
        ("P-FX-b",),
        id="P-FX-b no dxa",
    ),
    pytest.param([_long_bone("2023-01-01")], _bmd(-3.0), False, (), id="P-FX-b one fracture"),
    pytest.param(
        [_long_bone("2023-01-01"), _long_bone("2024-01-01", "high")],
        _bmd(-3.0),
        False,
        (),
        id="P-FX-b high energy",
    ),
    pytest.param(
        [_long_bone("2023-01-01"), {"site": "other", "trauma": "minimal", "date": "2024-01-01"}],
        _bmd(-3.0),
        False,
        (),
        id="P-FX-b other site",
    ),
    pytest.param(
        [_long_bone("2023-01-01"), _long_bone("2024-01-01")],
        _bmd(-1.5, -2.0),
        True,
        ("P-FX-b",),
        id="P-BMD lowest site counts",
    ),
    pytest.param(
        [_long_bone("2023-01-01"), _long_bone("2024-01-01")],
        [{"site": "femur", "z_score": -3.5}, *_bmd(-1.5, -1.2)],
        False,
        ("P-FX-b",),
        id="P-BMD femur does not count",
    ),
]


@pytest.mark.parametrize(("fractures", "bmd", "indicated", "criteria"), IND_B_CASES)
def test_p_ind_b_fracture_history_and_reduced_bmd(
    fractures: list[dict[str, Any]],
    bmd: list[dict[str, Any]],
    indicated: bool,
    criteria: tuple[str, ...],
) -> None:
    """P-IND-B: P-FX-a alone, or P-FX-b/P-FX-c with P-BMD; high-energy fractures never count."""
    result = assess(patient(fractures=fractures, bmd=bmd))
    assert result.indication is not None
    assert result.indication.fracture_criteria == criteria
    assert result.indicated is indicated
    if indicated:
        assert result.allowed_drugs == (Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE)
    else:
        finding = result.finding("not-indicated-criteria")
        assert finding is not None
        assert finding.severity is Severity.BLOCK
        assert finding.rule_ids == ("P-IND-B", "P-FX-a", "P-FX-b", "P-FX-c", "P-BMD")
        assert result.allowed_drugs == ()


@pytest.mark.parametrize(
    ("second_fracture", "indicated"),
    [
        ("2026-05-09", True),  # the day before the 10th birthday
        ("2026-05-10", False),  # the 10th birthday
    ],
)
def test_p_fx_b_second_fracture_the_day_before_or_on_the_10th_birthday(
    second_fracture: str, indicated: bool
) -> None:
    """P-FX-b: a fracture on the 10th birthday no longer counts; the day before it does."""
    child = patient(
        assessment_date="2026-06-01",
        fractures=[_long_bone("2022-02-02"), _long_bone(second_fracture, "low")],
        bmd=_bmd(-2.5),
    )
    result = assess(child)
    assert result.indicated is indicated
    counts = count_fractures(child)
    assert counts.long_bone_before_10 == (2 if indicated else 1)
    assert counts.long_bone_before_19 == 2


@pytest.mark.parametrize(
    ("ages", "indicated"),
    [
        (["9.99 year", "12 year", "15.5 year"], True),
        (["10 year", "12 year", "15.5 year"], True),  # P-FX-c: all three before 19
        (["9.99 year", "10 year"], False),  # P-FX-b: only one before 10
        (["9.5 year", "9.99 year"], True),
    ],
)
def test_p_fx_b_and_c_by_age_at_fracture(ages: list[str], indicated: bool) -> None:
    """P-FX-b, P-FX-c: ages at the fracture below 10.0 and below 19.0 years count."""
    child = patient(
        birth_date="2008-01-01",
        fractures=[{"site": "long_bone", "trauma": "low", "age_at_fracture": a} for a in ages],
        bmd=_bmd(-2.2),
    )
    assert assess(child).indicated is indicated


def test_p_fx_c_three_fractures_at_12_to_17_with_z_minus_2_is_indicated() -> None:
    """P-FX-c, P-BMD: three low-trauma long-bone fractures at 12-17 and Z = -2.0: indicated."""
    child = patient(
        birth_date="2008-07-15",
        fractures=[
            _long_bone("2020-09-01", "low"),
            _long_bone("2023-04-18"),
            _long_bone("2025-09-09", "low"),
        ],
        bmd=_bmd(-2.0, -1.6),
    )
    result = assess(child)
    assert result.indication is not None
    assert result.indication.fracture_criteria == ("P-FX-c",)
    assert result.indication.bmd_reduced
    finding = result.finding("indicated")
    assert finding is not None
    assert finding.rule_ids == ("P-IND-A", "P-IND-B", "P-FX-c", "P-BMD")


def test_p_fx_c_high_energy_fractures_are_counted_apart() -> None:
    """P-FX-c: fractures after high-energy trauma are left out and shown as such."""
    child = patient(
        fractures=[
            _long_bone("2020-01-01"),
            _long_bone("2021-01-01", "high"),
            VERTEBRAL | {"trauma": "high"},
        ],
        bmd=_bmd(-2.5),
    )
    counts = count_fractures(child)
    assert (counts.vertebral, counts.long_bone_before_10, counts.high_energy) == (0, 1, 2)
    finding = assess(child).finding("not-indicated-criteria")
    assert finding is not None
    evidence = {e.name: e.value for e in finding.evidence}
    assert evidence["fractures after high-energy trauma, not counted"] == 2
    assert "no clinically significant fracture history" in finding.message


def test_p_bmd_size_corrected_score_replaces_the_uncorrected_one_of_the_same_scan() -> None:
    """P-BMD: on one scan the size-corrected LS score counts instead of the uncorrected one."""
    scans = [
        BmdMeasurement(site="lumbar_spine", z_score=-2.6),
        BmdMeasurement(site="lumbar_spine", z_score=-1.6, size_corrected=True),
        BmdMeasurement(site="total_body_less_head", z_score=-1.8),
    ]
    lowest = lowest_z_score(scans)
    assert lowest is not None
    assert (lowest.site.value, lowest.z_score) == ("total_body_less_head", -1.8)


def test_p_bmd_scans_of_different_dates_all_count() -> None:
    """P-BMD: the lowest provided score counts, including an earlier scan's."""
    scans = [
        BmdMeasurement(site="lumbar_spine", z_score=-2.4, date=dt.date(2024, 1, 1)),
        BmdMeasurement(
            site="lumbar_spine", z_score=-1.4, size_corrected=True, date=dt.date(2026, 1, 1)
        ),
    ]
    lowest = lowest_z_score(scans)
    assert lowest is not None
    assert lowest.z_score == -2.4


def test_p_bmd_no_spine_or_body_score_is_not_reduced() -> None:
    """P-BMD: femur alone gives no Z-score that counts."""
    assert lowest_z_score([BmdMeasurement(site="femur", z_score=-4.0)]) is None
    assert lowest_z_score([]) is None


def test_p_ind_b_missing_both_parts_names_both() -> None:
    """P-IND-B: without fracture history and without reduced BMD, the message names both."""
    result = assess(patient(fractures=[], bmd=_bmd(-1.0)))
    finding = result.finding("not-indicated-criteria")
    assert finding is not None
    assert finding.message == (
        "Not indicated: no clinically significant fracture history and no reduced bone density "
        "(Z-score -2.0 or lower)."
    )
    evidence = [(e.name, e.value, e.threshold) for e in finding.evidence]
    assert evidence == [
        ("vertebral compression fractures", 0, 1),
        ("long-bone fractures before age 10", 0, 2),
        ("long-bone fractures before age 19", 0, 3),
        ("lowest DXA Z-score (lumbar_spine)", -1.0, -2.0),
    ]


def test_p_ind_b_improved_density_under_treatment_keeps_the_indication() -> None:
    """P-IND-B, P-BMD: the lowest Z-score ever provided counts, so a later infusion stays
    indicated when treatment has raised the density above -2."""
    child = patient(
        fractures=[_long_bone("2021-01-01"), _long_bone("2022-01-01")],
        bmd=[
            {"site": "lumbar_spine", "z_score": -2.6, "date": "2024-01-10"},
            {"site": "lumbar_spine", "z_score": -1.2, "date": "2026-01-20"},
        ],
        infusions=[{"drug": "pamidronate", "date": "2025-12-01", "dose": "25 mg"}],
    )
    result = assess(child)
    assert result.indicated
    assert result.cleared_today
    assert result.indication is not None
    assert result.indication.lowest_bmd is not None
    assert result.indication.lowest_bmd.z_score == -2.6
