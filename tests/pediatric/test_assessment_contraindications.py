"""Contraindications before every infusion: P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY, P-CI-PREG."""

from __future__ import annotations

import pytest

from bisphos.findings import Severity
from bisphos.pediatric.assessment import albumin_corrected_calcium, assess, could_become_pregnant
from bisphos.units import quantity
from tests.pediatric.assessment_patients import later, patient


@pytest.mark.parametrize(
    ("temperature", "blocked"),
    [
        ("38.4 degC", False),
        ("38.5 degC", False),
        ("38.6 degC", True),
        ("101.3 degF", False),  # 38.50000000000006 °C
        ("101.5 °F", True),  # 38.61 °C
        ("38,5 °C", False),
    ],
)
def test_p_ci_fever_blocks_above_38_5(temperature: str, blocked: bool) -> None:
    """P-CI-FEVER: above 38.5 °C the infusion is postponed; 38.5 °C and 101.3 °F are not."""
    result = assess(later(vitals__temperature=temperature))
    finding = result.finding("fever")
    assert result.cleared_today is not blocked
    if blocked:
        assert finding is not None
        assert (finding.severity, finding.rule_ids) == (Severity.BLOCK, ("P-CI-FEVER",))
        (evidence,) = finding.evidence
        assert evidence.name == "vitals.temperature"
        assert evidence.threshold == quantity(38.5, "degC")
    else:
        assert finding is None


def test_p_ci_fever_unrecorded_temperature_warns() -> None:
    """P-CI-FEVER, P-MON-CHECKS: no temperature recorded is a WARN to measure, not a clearance
    of fever and not a block."""
    result = assess(later(vitals__temperature=None))
    finding = result.finding("temperature-not-recorded")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (
        Severity.WARN,
        ("P-CI-FEVER", "P-MON-CHECKS"),
    )
    assert result.cleared_today


@pytest.mark.parametrize(
    ("calcium", "blocked"),
    [
        ("2.19 mmol/L", True),
        ("2.2 mmol/L", False),
        ("2.21 mmol/L", False),
        ("8.8 mg/dL", True),  # 2.1956 mmol/l
        ("8.82 mg/dL", False),  # 2.2006 mmol/l
        ("2,2 mmol/l", False),
    ],
)
def test_p_ci_hypoca_blocks_total_calcium_below_2_2(calcium: str, blocked: bool) -> None:
    """P-CI-HYPOCA: total calcium below 2.2 mmol/l blocks; 8.8 mg/dl = 2.1956 mmol/l does."""
    result = assess(later(labs__calcium=calcium))
    finding = result.finding("hypocalcaemia")
    assert result.cleared_today is not blocked
    if blocked:
        assert finding is not None
        assert (finding.severity, finding.rule_ids) == (Severity.BLOCK, ("P-CI-HYPOCA",))
        assert finding.evidence[0].threshold == quantity(2.2, "mmol/L")
        assert "Consult" in finding.action
    else:
        assert finding is None


def test_p_ci_hypoca_albumin_corrected_calcium_never_clears() -> None:
    """P-CI-HYPOCA: total 2.15 with albumin 30 g/l is 2.35 corrected: still blocked, INFO only."""
    result = assess(later(labs__calcium="2.15 mmol/L", labs__albumin="30 g/L"))
    assert not result.cleared_today
    assert result.finding("hypocalcaemia") is not None
    info = result.finding("albumin-corrected-calcium")
    assert info is not None
    assert (info.severity, info.rule_ids) == (Severity.INFO, ("P-CI-HYPOCA",))
    corrected = info.evidence[0].value
    assert corrected.m_as("mmol/L") == pytest.approx(2.35)  # type: ignore[union-attr]


def test_p_ci_hypoca_low_corrected_calcium_does_not_block() -> None:
    """P-CI-HYPOCA: total 2.25 with albumin 50 g/l is 2.05 corrected: total decides, cleared."""
    result = assess(later(labs__calcium="2.25 mmol/L", labs__albumin="50 g/L"))
    assert result.cleared_today
    info = result.finding("albumin-corrected-calcium")
    assert info is not None
    assert info.severity is Severity.INFO
    assert "total calcium decides" in info.message


def test_p_ci_hypoca_payne_formula() -> None:
    """P-CI-HYPOCA: Payne: Ca + 0.02 x (40 - albumin g/l); albumin in g/dl converts first."""
    corrected = albumin_corrected_calcium(quantity(2.1, "mmol/L"), quantity(3.0, "g/dL"))
    assert corrected.m_as("mmol/L") == pytest.approx(2.3)


def test_p_ci_hypoca_unknown_calcium_before_a_later_infusion_warns() -> None:
    """P-CI-HYPOCA: no calcium before a later infusion: hypocalcaemia cannot be excluded (WARN)."""
    result = assess(later(labs__calcium=None))
    finding = result.finding("calcium-not-known")
    assert finding is not None
    assert (finding.severity, finding.rule_ids) == (Severity.WARN, ("P-CI-HYPOCA",))


def test_p_ci_allergy_blocks() -> None:
    """P-CI-ALLERGY: hypersensitivity to bisphosphonates blocks every infusion."""
    result = assess(later(risks={"bisphosphonate_hypersensitivity": True}))
    assert not result.cleared_today
    (block,) = result.blocks
    assert (block.code, block.rule_ids) == ("hypersensitivity", ("P-CI-ALLERGY",))


def test_p_ci_preg_known_pregnancy_blocks() -> None:
    """P-CI-PREG: a known pregnancy blocks every infusion."""
    result = assess(later(sex="female", birth_date="2009-08-08", risks={"pregnant": True}))
    assert not result.cleared_today
    (block,) = result.blocks
    assert (block.code, block.rule_ids) == ("pregnancy", ("P-CI-PREG",))
    assert [(e.name, e.value) for e in block.evidence] == [("risks.pregnant", True)]


def test_p_ci_contraindications_are_all_listed() -> None:
    """P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY, P-CI-PREG: all present blocks are listed."""
    result = assess(
        later(
            sex="female",
            birth_date="2009-08-08",
            vitals__temperature="39.2 degC",
            labs__calcium="2.0 mmol/L",
            risks={"pregnant": True, "bisphosphonate_hypersensitivity": True},
        )
    )
    assert [f.code for f in result.blocks] == [
        "fever",
        "hypocalcaemia",
        "hypersensitivity",
        "pregnancy",
    ]


@pytest.mark.parametrize(
    ("sex", "birth_date", "flag", "expected"),
    [
        ("female", "2016-03-03", None, False),  # 9 years, the day before the 10th birthday
        ("female", "2016-03-02", None, True),  # the 10th birthday
        ("female", "2012-01-01", None, True),
        ("male", "2010-01-01", None, False),
        ("other", "2010-01-01", None, False),
        ("female", "2010-01-01", False, False),  # the recorded flag decides
        ("male", "2010-01-01", True, True),
        ("female", "2019-01-01", True, True),
    ],
)
def test_p_ci_preg_could_become_pregnant(
    sex: str, birth_date: str, flag: bool | None, expected: bool
) -> None:
    """P-CI-PREG: counselling when recorded so, or (not recorded) female and aged 10 or more."""
    risks = {} if flag is None else {"could_become_pregnant": flag}
    child = patient(sex=sex, birth_date=birth_date, risks=risks)
    assert could_become_pregnant(child) is expected


def test_p_ci_preg_a_pregnant_patient_could_become_pregnant() -> None:
    """P-CI-PREG: a known pregnancy counts whatever the counselling flag says."""
    child = patient(sex="female", risks={"pregnant": True, "could_become_pregnant": False})
    assert could_become_pregnant(child)


def test_albumin_corrected_calcium_accepts_calcium_in_mg_per_dl() -> None:
    """P-CI-HYPOCA: Payne's correction, 8.8 mg/dl (2.1956 mmol/l) with albumin 30 g/l -> 2.3956."""
    from bisphos.pediatric.assessment import albumin_corrected_calcium
    from bisphos.units import parse_quantity

    corrected = albumin_corrected_calcium(parse_quantity("8.8 mg/dL"), parse_quantity("3 g/dL"))
    assert float(corrected.m_as("mmol/L")) == pytest.approx(2.1956 + 0.02 * 10)


def test_albumin_corrected_calcium_refuses_a_wrong_unit_with_a_typed_error() -> None:
    from bisphos.errors import UnitError
    from bisphos.pediatric.assessment import albumin_corrected_calcium
    from bisphos.units import parse_quantity

    with pytest.raises(UnitError):
        albumin_corrected_calcium(parse_quantity("2.2 kg"), parse_quantity("30 g/L"))
