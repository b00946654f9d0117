"""Before the first infusion: P-PRE-LABS, P-PRE-VITD, P-PRE-CA, P-PRE-DXA, P-SUPP-VITD."""

from __future__ import annotations

import pytest

from bisphos.findings import Severity
from bisphos.model import LAB_KINDS
from bisphos.pediatric.assessment import LAB_NAMES, assess
from bisphos.units import quantity
from tests.pediatric.assessment_patients import later, patient


def test_p_pre_labs_first_infusion_is_the_one_without_history() -> None:
    """P-PRE-LABS: an assessment is for the first infusion when none has been given."""
    assert assess(patient()).first_infusion
    assert not assess(later()).first_infusion


@pytest.mark.parametrize("lab", list(LAB_KINDS))
def test_p_pre_labs_each_missing_lab_blocks_the_first_infusion(lab: str) -> None:
    """P-PRE-LABS: each of the eight required labs, when missing, blocks the first infusion."""
    result = assess(patient(**{f"labs__{lab}": None}))
    assert not result.cleared_today
    finding = result.finding("labs-missing")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.BLOCK, ("P-PRE-LABS",))
    assert [(e.name, e.value) for e in finding.evidence] == [(f"labs.{lab}", "missing")]
    assert finding.message.endswith(f"missing: {LAB_NAMES[lab]}.")


def test_p_pre_labs_all_missing_are_listed_in_order() -> None:
    """P-PRE-LABS: the missing labs are listed in the guideline's order."""
    result = assess(patient(labs={}))
    finding = result.finding("labs-missing")
    assert finding is not None
    assert [e.name for e in finding.evidence] == [f"labs.{lab}" for lab in LAB_KINDS]
    assert finding.action == (
        "Measure calcium, phosphate, alkaline phosphatase, urea, creatinine, albumin, "
        "25-OH vitamin D, PTH before the first infusion."
    )


def test_p_pre_labs_missing_labs_do_not_block_a_later_infusion() -> None:
    """P-PRE-LABS: the lab list is required before the first infusion only."""
    result = assess(later(labs__urea=None, labs__pth=None, labs__phosphate=None))
    assert result.finding("labs-missing") is None
    assert result.cleared_today


@pytest.mark.parametrize(
    ("vitamin_d", "deficient"),
    [
        ("49 nmol/L", True),
        ("49.9 nmol/L", True),
        ("50 nmol/L", False),
        ("50.1 nmol/L", False),
        ("20 ng/mL", True),  # 49.92 nmol/l
        ("20.04 ng/mL", False),  # 50.02 nmol/l
    ],
)
def test_p_pre_vitd_below_50_blocks_the_first_infusion(vitamin_d: str, deficient: bool) -> None:
    """P-PRE-VITD: 25-OH vitamin D below 50 nmol/l blocks the first infusion until corrected."""
    result = assess(patient(labs__vitamin_d_25oh=vitamin_d))
    finding = result.finding("vitamin-d-deficient")
    assert result.cleared_today is not deficient
    if deficient:
        assert finding is not None
        assert (finding.severity, finding.rule_ids) == (
            Severity.BLOCK,
            ("P-PRE-VITD", "P-SUPP-VITD"),
        )
        assert finding.evidence[0].threshold == quantity(50.0, "nmol/L")
        assert "Raise vitamin D supplementation above 400 IU per day" in finding.action
    else:
        assert finding is None


def test_p_pre_vitd_low_before_a_later_infusion_warns() -> None:
    """P-PRE-VITD, P-SUPP-VITD: later, a low vitamin D asks for more supplementation (WARN)."""
    result = assess(later(labs__vitamin_d_25oh="35 nmol/L"))
    assert result.cleared_today
    finding = result.finding("vitamin-d-low")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.WARN, ("P-PRE-VITD", "P-SUPP-VITD"))
    assert result.supplements is not None
    assert result.supplements.raise_vitamin_d


def test_p_pre_ca_low_calcium_with_raised_pth_advises_supplementation() -> None:
    """P-PRE-CA: calcium below 2.2 and PTH above the lab's upper limit: consult, supplement."""
    result = assess(
        patient(
            labs__calcium="2.1 mmol/L", labs__pth={"value": "9.1 pmol/L", "upper_limit": "7 pmol/L"}
        )
    )
    consult = result.finding("calcium-consult")
    supplement = result.finding("calcium-supplementation")
    assert consult is not None
    assert supplement is not None
    assert (consult.severity, consult.rule_ids) == (Severity.WARN, ("P-PRE-CA",))
    assert (supplement.severity, supplement.rule_ids) == (Severity.WARN, ("P-PRE-CA", "P-SUPP-CA"))
    pth = supplement.evidence[1]
    assert (pth.name, pth.value, pth.threshold) == (
        "labs.pth",
        quantity(9.1, "pmol/L"),
        quantity(7.0, "pmol/L"),
    )
    assert supplement.action == "Start calcium supplementation or raise dietary calcium."


@pytest.mark.parametrize(
    ("pth", "supplement"),
    [
        ({"value": "7.0 pmol/L", "upper_limit": "7.0 pmol/L"}, False),  # at the limit: not raised
        ({"value": "66 pg/mL", "upper_limit": "65 pg/mL"}, True),
        ({"value": "4.0 pmol/L", "upper_limit": "7.0 pmol/L"}, False),
    ],
)
def test_p_pre_ca_pth_raised_means_above_the_upper_limit(
    pth: dict[str, str], supplement: bool
) -> None:
    """P-PRE-CA: PTH is raised only above the laboratory's upper limit."""
    result = assess(patient(labs__calcium="2.1 mmol/L", labs__pth=pth))
    assert result.finding("calcium-consult") is not None
    assert (result.finding("calcium-supplementation") is not None) is supplement


def test_p_pre_ca_without_pth_upper_limit_says_so() -> None:
    """P-PRE-CA: without the lab's PTH upper limit, raised PTH cannot be decided; consult."""
    result = assess(patient(labs__calcium="2.1 mmol/L", labs__pth="9 pmol/L"))
    consult = result.finding("calcium-consult")
    assert consult is not None
    assert "upper limit of PTH is not known" in consult.message
    assert result.finding("calcium-supplementation") is None


def test_p_pre_ca_normal_calcium_needs_no_consult() -> None:
    """P-PRE-CA: a total calcium of 2.2 mmol/l or more needs no consult."""
    result = assess(patient(labs__calcium="2.2 mmol/L"))
    assert result.finding("calcium-consult") is None


@pytest.mark.parametrize(
    ("bmd", "immobile", "needed"),
    [
        ([], False, ["lumbar_spine", "total_body_less_head"]),
        ([], True, ["lumbar_spine", "total_body_less_head", "femur"]),
        ([{"site": "lumbar_spine", "z_score": -2.5}], False, ["total_body_less_head"]),
        (
            [
                {"site": "lumbar_spine", "z_score": -2.5},
                {"site": "total_body_less_head", "z_score": -2.1},
            ],
            True,
            ["femur"],
        ),
        (
            [
                {"site": "lumbar_spine", "z_score": -2.5},
                {"site": "total_body_less_head", "z_score": -2.1},
            ],
            False,
            [],
        ),
    ],
)
def test_p_pre_dxa_asks_for_the_sites_without_a_score(
    bmd: list[dict[str, object]], immobile: bool, needed: list[str]
) -> None:
    """P-PRE-DXA: DXA of LS and TBLH (immobile: also femur) when none is on record, with VFA."""
    risks = {"prolonged_immobilisation": True} if immobile else {}
    result = assess(patient(bmd=bmd, risks=risks))
    finding = result.finding("dxa-needed")
    if not needed:
        assert finding is None
        return
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.WARN, ("P-PRE-DXA",))
    assert [e.name for e in finding.evidence] == [f"bmd.{site}" for site in needed]
    assert "vertebral morphometry (VFA)" in finding.action
    assert "lateral spine X-ray" in finding.action


def test_p_pre_dxa_immobility_as_diagnosis_asks_for_the_femur() -> None:
    """P-PRE-DXA: a secondary osteoporosis of immobility asks for the femur too."""
    result = assess(patient(diagnosis="secondary_immobility"))
    finding = result.finding("dxa-needed")
    assert finding is not None
    assert [e.name for e in finding.evidence] == ["bmd.femur"]


def test_p_pre_dxa_is_not_asked_before_later_infusions() -> None:
    """P-PRE-DXA: the DXA before the first infusion; later DXAs are follow-up (P-FU-DXA)."""
    assert assess(later(bmd=[])).finding("dxa-needed") is None


@pytest.mark.parametrize(
    ("risks", "iu"),
    [
        ({}, 400.0),
        ({"dark_skin": True}, 800.0),
        ({"little_time_outdoors": True}, 800.0),
        ({"dark_skin": True, "little_time_outdoors": True}, 800.0),
    ],
)
def test_p_supp_vitd_400_or_800_iu_per_day(risks: dict[str, bool], iu: float) -> None:
    """P-SUPP-VITD: 400 IU per day; 800 IU with a dark skin or little time outdoors."""
    result = assess(patient(risks=risks))
    assert result.supplements is not None
    assert result.supplements.vitamin_d_per_day == quantity(iu, "IU")
    finding = result.finding("vitamin-d-supplementation")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.INFO, ("P-SUPP-VITD",))
    assert finding.evidence[0].value == quantity(iu, "IU")


def test_p_supp_ca_two_to_three_dairy_portions() -> None:
    """P-SUPP-CA: calcium by age and diet: at least 2 to 3 dairy portions per day."""
    result = assess(patient())
    assert result.supplements is not None
    assert result.supplements.dairy_portions_per_day == (2, 3)
    finding = result.finding("calcium-intake")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.INFO, ("P-SUPP-CA",))
    assert finding.message == "Calcium by age and diet: at least 2 to 3 dairy portions per day."
