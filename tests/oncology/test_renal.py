"""Renal adjustment (O-RENAL): Cockcroft-Gault and the label bands, on both sides of every edge."""

from __future__ import annotations

import pytest
from pint.testing import assert_allclose

from bisphos.errors import DimensionError, ImplausibleValueError
from bisphos.findings import Severity
from bisphos.model import Sex
from bisphos.oncology.regimens import regimen
from bisphos.oncology.renal import (
    CLEARANCE_MINIMUMS,
    ZOLEDRONIC_ACID_4MG_BANDS,
    RenalStatus,
    assess_renal,
    cockcroft_gault,
    creatinine_clearance,
    zoledronic_acid_4mg_band,
    zoledronic_acid_4mg_dose,
)
from bisphos.units import Quantity, parse_quantity, quantity
from tests.oncology._patients import adult

EPS = 0.01  # ml/min: "just below" and "just above" a boundary


def ml_min(value: float) -> Quantity:
    return quantity(value, "mL/min")


def test_cockcroft_gault_golden_values() -> None:
    """O-RENAL: (140 - age) x weight / (72 x creatinine mg/dl), x 0.85 unless male."""
    male = cockcroft_gault(
        age=quantity(74.0, "year"),
        weight=quantity(80.0, "kg"),
        creatinine=quantity(120.0, "umol/L"),
        sex=Sex.MALE,
    )
    # 66 x 80 / (72 x 120 / 88.4) = 54.0222 ml/min
    assert_allclose(male, quantity(54.022222222, "mL/min"), rtol=1e-9)
    female = cockcroft_gault(
        age=quantity(74.0, "year"),
        weight=quantity(80.0, "kg"),
        creatinine=quantity(120.0, "umol/L"),
        sex=Sex.FEMALE,
    )
    assert_allclose(female, quantity(54.022222222 * 0.85, "mL/min"), rtol=1e-9)
    other = cockcroft_gault(
        age=quantity(74.0, "year"),
        weight=quantity(80.0, "kg"),
        creatinine=quantity(120.0, "umol/L"),
        sex=Sex.OTHER,
    )
    assert_allclose(other, female)


def test_cockcroft_gault_accepts_creatinine_in_mg_dl() -> None:
    """O-RENAL: 1.2 mg/dl is 106.08 µmol/l; the clearance does not depend on the unit."""
    in_mg = cockcroft_gault(
        age=quantity(60.0, "year"),
        weight=quantity(70.0, "kg"),
        creatinine=parse_quantity("1.2 mg/dL"),
        sex=Sex.MALE,
    )
    assert_allclose(in_mg, quantity(80.0 * 70.0 / (72.0 * 1.2), "mL/min"), rtol=1e-12)


def test_patient_clearance_uses_completed_years_and_names_its_inputs() -> None:
    """O-RENAL: the default patient, 64 years, 70 kg, female, 80 µmol/l: 69.40 ml/min."""
    result = creatinine_clearance(adult())
    assert result is not None
    assert_allclose(result.value, quantity(76 * 70 * 0.85 / (72 * 80 / 88.4), "mL/min"))
    assert [item.name for item in result.evidence] == ["age", "weight", "serum_creatinine", "sex"]
    assert creatinine_clearance(adult(serum_creatinine=None)) is None


def test_a_gfr_per_body_surface_is_refused_where_a_clearance_is_expected() -> None:
    """O-RENAL: a pediatric eGFR in ml/min/1.73 m² is never read as a clearance in ml/min."""
    gfr = parse_quantity("70 mL/min/1.73m2")
    with pytest.raises(DimensionError) as caught:
        zoledronic_acid_4mg_dose(gfr)
    assert caught.value.field == "creatinine_clearance"
    with pytest.raises(DimensionError):
        assess_renal(regimen("zoledronic-acid-5mg-yearly"), gfr)


def test_negative_clearance_is_refused() -> None:
    """O-RENAL: a negative clearance is a typing error."""
    with pytest.raises(ImplausibleValueError):
        zoledronic_acid_4mg_dose(ml_min(-1.0))


def test_bands_are_gap_free_and_do_not_overlap() -> None:
    """O-RENAL: every clearance from 0 to 200 ml/min, on a 0.005 grid, is in exactly one band."""
    for step in range(40_001):
        value = step / 200
        assert sum(band.contains(value) for band in ZOLEDRONIC_ACID_4MG_BANDS) == 1, value


@pytest.mark.parametrize(
    ("clearance", "dose_mg"),
    [
        (30.0 - EPS, None),
        (30.0, 3.0),
        (30.0 + EPS, 3.0),
        (35.0 - EPS, 3.0),
        (35.0, 3.0),
        (35.0 + EPS, 3.0),
        (40.0 - EPS, 3.0),
        (40.0, 3.3),
        (40.0 + EPS, 3.3),
        (50.0 - EPS, 3.3),
        (50.0, 3.5),
        (50.0 + EPS, 3.5),
        (60.0 - EPS, 3.5),
        (60.0, 3.5),
        (60.0 + EPS, 4.0),
        (0.0, None),
        (120.0, 4.0),
    ],
)
def test_zoledronic_acid_4mg_band_boundaries(clearance: float, dose_mg: float | None) -> None:
    """O-RENAL: > 60 -> 4.0 mg; [50, 60] -> 3.5; [40, 50) -> 3.3; [30, 40) -> 3.0; < 30 none."""
    dose = zoledronic_acid_4mg_dose(ml_min(clearance))
    if dose_mg is None:
        assert dose is None
    else:
        assert dose is not None
        assert dose.m_as("mg") == dose_mg


@pytest.mark.parametrize(
    ("text", "dose_mg"),
    [
        ("3.6 L/h", 3.5),  # 60.00000000000001 ml/min after conversion: still the [50, 60] band
        ("60.0000000000001 mL/min", 3.5),
        ("59.9999999999999 mL/min", 3.5),
        ("49.9999999999999 mL/min", 3.5),
        ("2.4 L/h", 3.3),  # 40 ml/min
    ],
)
def test_float_noise_does_not_flip_a_band(text: str, dose_mg: float) -> None:
    """O-RENAL: clearances are compared at 1e-6 ml/min, so unit-conversion noise keeps the band."""
    dose = zoledronic_acid_4mg_dose(parse_quantity(text))
    assert dose is not None
    assert dose.m_as("mg") == dose_mg


def test_band_is_named_in_interval_notation() -> None:
    """O-RENAL: the band the catalogue decides, written as it writes it."""
    assert [str(band) for band in ZOLEDRONIC_ACID_4MG_BANDS] == [
        "(60, inf) ml/min",
        "[50, 60] ml/min",
        "[40, 50) ml/min",
        "[30, 40) ml/min",
        "[0, 30) ml/min",
    ]
    assert str(zoledronic_acid_4mg_band(ml_min(45.0))) == "[40, 50) ml/min"


@pytest.mark.parametrize(
    ("regimen_id", "minimum"),
    [
        ("zoledronic-acid-5mg-yearly", 35.0),
        ("alendronic-acid-10mg-daily", 35.0),
        ("alendronic-acid-70mg-weekly", 35.0),
        ("risedronic-acid-5mg-daily", 30.0),
        ("risedronic-acid-35mg-weekly", 30.0),
    ],
)
@pytest.mark.parametrize("offset", [-EPS, 0.0, EPS])
def test_minimum_clearance_boundaries(regimen_id: str, minimum: float, offset: float) -> None:
    """O-RENAL: zoledronic acid 5 mg contraindicated below 35 ml/min, alendronic acid not below
    35, risedronic acid not below 30; at the minimum itself the regimen is allowed."""
    row = regimen(regimen_id)
    outcome = assess_renal(row, ml_min(minimum + offset))
    assert outcome.finding is not None
    assert outcome.finding.rule_ids == ("O-RENAL",)
    if offset < 0:
        assert outcome.status is RenalStatus.REFUSED
        assert outcome.dose is None
        assert outcome.finding.severity is Severity.BLOCK
    else:
        assert outcome.status is RenalStatus.ALLOWED
        assert outcome.dose == row.dose
        assert outcome.finding.severity is Severity.INFO


@pytest.mark.parametrize(
    ("clearance", "status", "severity"),
    [
        (29.99, RenalStatus.REFUSED, Severity.BLOCK),
        (30.0, RenalStatus.ADJUSTED, Severity.INFO),
        (45.0, RenalStatus.ADJUSTED, Severity.INFO),
        (61.0, RenalStatus.ALLOWED, Severity.INFO),
    ],
)
def test_assess_zoledronic_acid_4mg(
    clearance: float, status: RenalStatus, severity: Severity
) -> None:
    """O-RENAL: the finding names the band and the label (Zometa SmPC) and carries the clearance."""
    outcome = assess_renal(regimen("zoledronic-acid-4mg-monthly"), ml_min(clearance))
    assert outcome.status is status
    assert outcome.finding is not None
    assert outcome.finding.severity is severity
    assert "Zometa" in outcome.finding.message
    evidence = {item.name: item for item in outcome.finding.evidence}
    assert evidence["creatinine_clearance"].value == ml_min(clearance)


def test_labels_are_named_for_every_minimum() -> None:
    """O-RENAL: each minimum names its product label."""
    assert {
        rule.value: limit.source.split(" ")[0] for rule, limit in CLEARANCE_MINIMUMS.items()
    } == {
        "zoledronic_acid_5mg": "Aclasta",
        "alendronic_acid": "Fosamax",
        "risedronic_acid": "Actonel",
    }


def test_missing_clearance_blocks_only_regimens_with_a_renal_rule() -> None:
    """O-RENAL: without a creatinine the limit cannot be checked (blocked); denosumab has no renal
    rule; ibandronic acid follows the label, not quantified here (warning); pamidronate has the
    label's figures (O-LABEL): refused below 30 ml/min."""
    unknown = assess_renal(regimen("zoledronic-acid-4mg-monthly"), None)
    assert unknown.status is RenalStatus.UNKNOWN
    assert unknown.dose is None
    assert unknown.finding is not None
    assert unknown.finding.severity is Severity.BLOCK
    denosumab = assess_renal(regimen("denosumab-120mg-monthly"), None)
    assert denosumab.status is RenalStatus.ALLOWED
    assert denosumab.finding is None
    label = assess_renal(regimen("ibandronic-acid-50mg-daily"), ml_min(20.0))
    assert label.status is RenalStatus.NOT_QUANTIFIED
    assert label.finding is not None
    assert label.finding.severity is Severity.WARN
    pamidronate = assess_renal(regimen("pamidronate-90mg-4-weekly"), ml_min(20.0))
    assert pamidronate.status is RenalStatus.REFUSED
    assert pamidronate.finding is not None
    assert pamidronate.finding.code == "pamidronate-renal-not-recommended"
    assert assess_renal(regimen("pamidronate-90mg-4-weekly"), None).status is RenalStatus.UNKNOWN
