"""Infusion preparation: P-ZOL-DOSE (50–100 ml over 1 h), P-PAM-DOSE (0.1 mg/ml over 4 h)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from bisphos.errors import DimensionError, HardLimitError, InvalidValueError
from bisphos.findings import Severity
from bisphos.model import Drug
from bisphos.pediatric.dosing import dose_for
from bisphos.pediatric.infusion import (
    DEFAULT_PREPARATION,
    DILUENT,
    PreparationOptions,
    pamidronate_label_checks,
    prepare_infusion,
)
from bisphos.units import Quantity, ureg
from tests.pediatric._dosing_helpers import child, mg

ZOL = Drug.ZOLEDRONIC_ACID
PAM = Drug.PAMIDRONATE


def ml(value: float) -> Quantity:
    return ureg.Quantity(value, "milliliter")


def ml_per_h(value: float) -> Quantity:
    return ureg.Quantity(value, "milliliter / hour")


@pytest.mark.parametrize(
    ("dose_mg", "volume_ml", "rate_ml_h", "drawn_ml", "delivered_mg"),
    [
        (20, 200, 50, 6.66, 19.98),
        (40, 400, 100, 13.33, 39.99),
        (90, 900, 225, 30, 90),
        (45, 450, 112.5, 15, 45),
        (10, 100, 25, 3.33, 9.99),
    ],
)
def test_pamidronate_volume_and_rate(
    dose_mg: float, volume_ml: float, rate_ml_h: float, drawn_ml: float, delivered_mg: float
) -> None:
    """P-PAM-DOSE (invariant 8): 20 mg in 200 ml at 50 ml/h; 40 mg in 400 ml at 100 ml/h;
    90 mg in 900 ml at 225 ml/h. P-PREP-PRODUCT: of 3 mg/ml in 0.01 ml steps, never more than
    planned without a higher limit: 20 mg is 6.666... ml, the nearest 6.67 ml would give 20.01 mg,
    so 6.66 ml (19.98 mg) is drawn up; 45 mg is 15 ml exactly."""
    preparation = prepare_infusion(PAM, mg(dose_mg))
    assert preparation.volume == ml(volume_ml)
    assert preparation.rate == ml_per_h(rate_ml_h)
    assert preparation.duration == ureg.Quantity(4, "hour")
    assert preparation.concentrate_volume == ml(drawn_ml)
    assert preparation.delivered == mg(delivered_mg)
    assert preparation.diluent_volume.m_as("mL") == float(
        Decimal(repr(float(volume_ml))) - Decimal(repr(float(drawn_ml)))
    )
    expected = Decimal(repr(float(delivered_mg))) / Decimal(volume_ml)
    assert preparation.concentration.m_as("mg/mL") == float(expected)
    assert preparation.diluent == DILUENT == "NaCl 0.9 %"
    assert preparation.rule_ids == ("P-PAM-DOSE", "P-PREP-PRODUCT")


def test_pamidronate_tenth_mg_gives_whole_ml() -> None:
    """P-PAM-DOSE: 45.3 mg is 453 ml (decimal arithmetic, no 452.99999 ml), 113.25 ml/h."""
    preparation = prepare_infusion(PAM, mg(45.3))
    assert preparation.volume.m_as("milliliter") == 453.0
    assert preparation.rate.m_as("milliliter / hour") == 113.25


def test_pamidronate_label_checks_pass_for_protocol() -> None:
    """P-PAM-DOSE: 90 mg over 4 h is 22.5 mg/h (≤ 60) at 0.1 mg/ml (≤ 0.36): info findings."""
    preparation = prepare_infusion(PAM, mg(90))
    rate, concentration = preparation.checks
    assert rate.value == ureg.Quantity(22.5, "milligram / hour")
    assert rate.limit == ureg.Quantity(60, "milligram / hour")
    assert rate.passed
    assert concentration.passed
    assert math.isclose(concentration.limit.m_as("milligram / milliliter"), 0.36)
    assert all(f.severity is Severity.INFO for f in preparation.findings)
    assert all(f.rule_ids == ("P-PAM-DOSE", "P-PAM-LABEL") for f in preparation.findings)


def test_pamidronate_label_checks_block_a_fast_concentrated_local_regimen() -> None:
    """P-PAM-DOSE: 90 mg in 100 ml over 1 h exceeds 60 mg/h and 90 mg/250 ml: blocks."""
    checks = pamidronate_label_checks(mg(90), ml(100), ureg.Quantity(60, "minute"))
    assert [c.passed for c in checks] == [False, False]
    assert checks[0].value == ureg.Quantity(90, "milligram / hour")
    findings = [c.finding() for c in checks]
    assert all(f.severity is Severity.BLOCK for f in findings)
    assert findings[0].code == "pamidronate-label-rate"


def test_pamidronate_label_limits_exactly_at_limit_pass() -> None:
    """P-PAM-DOSE: 60 mg/h and 90 mg in 250 ml are at, not above, the label limits."""
    checks = pamidronate_label_checks(mg(90), ml(250), ureg.Quantity(1.5, "hour"))
    assert [c.passed for c in checks] == [True, True]


def test_zoledronic_default_50ml_over_1h() -> None:
    """P-ZOL-DOSE: 1.0 mg in 50 ml NaCl 0.9 % over 1 hour: 50 ml/h, 0.02 mg/ml."""
    preparation = prepare_infusion(ZOL, mg(1.0))
    assert preparation.volume == ml(50)
    assert preparation.rate == ml_per_h(50)
    assert preparation.duration == ureg.Quantity(1, "hour")
    assert preparation.concentration == ureg.Quantity(0.02, "milligram / milliliter")
    assert preparation.checks == ()
    assert "smallest volume" in preparation.choices[0].decision
    assert preparation.choices[0].option == "zoledronic_volume = 50 ml (default)"
    assert DEFAULT_PREPARATION.zoledronic_volume == ml(50)


def test_zoledronic_100ml_option() -> None:
    """P-ZOL-DOSE: the option of 100 ml (given as 0.1 l) runs at 100 ml/h."""
    options = PreparationOptions(zoledronic_volume=ureg.Quantity(0.1, "liter"))
    preparation = prepare_infusion(ZOL, mg(4), options=options)
    assert preparation.volume == ml(100)
    assert preparation.rate == ml_per_h(100)


@pytest.mark.parametrize("volume", [49.9, 100.1, 250])
def test_zoledronic_volume_outside_50_100_refused(volume: float) -> None:
    """P-ZOL-DOSE: only 50 to 100 ml."""
    with pytest.raises(InvalidValueError, match="P-ZOL-DOSE"):
        PreparationOptions(zoledronic_volume=ml(volume))


def test_zoledronic_volume_must_be_a_volume() -> None:
    """P-ZOL-DOSE: a volume option in mg is a dimension error."""
    with pytest.raises(DimensionError):
        PreparationOptions(zoledronic_volume=mg(50))


@pytest.mark.parametrize(
    ("drug", "dose"),
    [(ZOL, mg(4.01)), (PAM, mg(90.5)), (ZOL, mg(math.nan)), (PAM, mg(0)), (PAM, mg(-1))],
)
def test_only_final_doses_are_prepared(drug: Drug, dose: Quantity) -> None:
    """P-ZOL-CAP, P-PAM-CAP: a dose above the cap, NaN, zero or negative is never prepared."""
    with pytest.raises(HardLimitError):
        prepare_infusion(drug, dose)


def test_worked_example_70kg_pamidronate() -> None:
    """P-PAM-CAP, P-PAM-FIRST, P-PAM-DOSE: 70 kg: 90 mg in 900 ml at 225 ml/h; first 45 mg."""
    regular = dose_for(child(70), PAM, infusion_number=2)
    first = dose_for(child(70), PAM, infusion_number=1)
    preparation = prepare_infusion(PAM, regular.value)
    assert (regular.value, preparation.volume, preparation.rate) == (mg(90), ml(900), ml_per_h(225))
    assert first.value == mg(45)
    assert prepare_infusion(PAM, first.value).volume == ml(450)


def test_pamidronate_in_renal_impairment_runs_at_most_20_mg_per_hour() -> None:
    """P-PAM-RENAL, P-PAM-LABEL: 90 mg at 0.1 mg/ml in renal impairment lasts 90 / 20 = 4.5 h
    (not 4 h at 22.5 mg/h): 900 ml at 200 ml/h; 41 mg stays at 4 h (10.25 mg/h)."""
    slow = prepare_infusion(PAM, mg(90), renal_rate=True)
    assert slow.duration == ureg.Quantity(4.5, "hour")
    assert slow.volume == ureg.Quantity(900, "milliliter")
    assert slow.rate == ureg.Quantity(200, "milliliter / hour")
    names = [(c.name, c.passed) for c in slow.checks]
    assert names == [("rate", True), ("concentration", True), ("renal-rate", True)]
    assert slow.checks[2].value == ureg.Quantity(20, "milligram / hour")
    assert slow.checks[2].limit == ureg.Quantity(20, "milligram / hour")
    assert "P-PAM-RENAL" in slow.rule_ids
    assert [c.rule_id for c in slow.choices] == [
        "P-PAM-DOSE",
        "P-PAM-RENAL",
        "P-PREP-PRODUCT",
        "P-PREP-PRODUCT",
    ]
    short = prepare_infusion(PAM, mg(41), renal_rate=True)
    assert short.duration == ureg.Quantity(4, "hour")
    # P-PREP-PRODUCT: 41 mg is 13.666... ml of 3 mg/ml; 13.67 ml would give 41.01 mg, more than
    # planned, so 13.66 ml gives 40.98 mg, 10.245 mg/h over 4 h (the label checks judge it).
    assert short.delivered == mg(40.98)
    assert short.checks[2].value == ureg.Quantity(10.245, "milligram / hour")
    assert prepare_infusion(PAM, mg(90)).duration == ureg.Quantity(4, "hour")


def test_renal_rate_check_blocks_a_local_regimen_above_20_mg_per_hour() -> None:
    """P-PAM-LABEL, P-PAM-RENAL: 90 mg over 4 h (22.5 mg/h) fails the renal rate: a BLOCK."""
    checks = pamidronate_label_checks(mg(90), ml(900), ureg.Quantity(4, "hour"), renal_rate=True)
    assert [(c.name, c.passed) for c in checks] == [
        ("rate", True),
        ("concentration", True),
        ("renal-rate", False),
    ]
    finding = checks[2].finding()
    assert finding.severity is Severity.BLOCK
    assert finding.code == "pamidronate-label-renal-rate"
    assert finding.rule_ids == ("P-PAM-DOSE", "P-PAM-LABEL", "P-PAM-RENAL")
