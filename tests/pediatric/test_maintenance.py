"""Maintenance: P-MAINT-ENTRY condition by condition, the band (P-MAINT-MID, P-MAINT-HIGH) and
the stop advice (P-MAINT-STOP)."""

from __future__ import annotations

import datetime as dt

import pytest

from bisphos.findings import Severity
from bisphos.model import (
    BmdMeasurement,
    BmdSite,
    Diagnosis,
    Drug,
    Fracture,
    FractureSite,
    OISeverity,
    Patient,
    Trauma,
)
from bisphos.pediatric.dosing import MaintenanceBand
from bisphos.pediatric.maintenance import (
    ConditionStatus,
    assess_maintenance,
    latest_z_score,
    maintenance_band,
    stop_guidance,
)
from bisphos.units import ureg
from tests.pediatric._dosing_helpers import child, given

D = dt.date
MET, NOT_MET, UNKNOWN = ConditionStatus.MET, ConditionStatus.NOT_MET, ConditionStatus.UNKNOWN
ASSESSED = D(2026, 1, 15)
BORN = D(2014, 3, 1)


LATEST = D(2025, 12, 1)


def scan(z: float, date: dt.date | None = LATEST, *, corrected: bool = False) -> BmdMeasurement:
    return BmdMeasurement(site=BmdSite.LUMBAR_SPINE, z_score=z, size_corrected=corrected, date=date)


def fracture(date: dt.date, trauma: Trauma = Trauma.LOW) -> Fracture:
    return Fracture(site=FractureSite.LONG_BONE, trauma=trauma, date=date)


def treated_child(**kwargs: object) -> Patient:
    """An 11-year-old with moderate OI, 4 years of zoledronic acid, fewer fractures, Z −1.2."""
    infusions = [given(Drug.ZOLEDRONIC_ACID, D(2022, 1, 10), 0.3)]
    infusions += [given(Drug.ZOLEDRONIC_ACID, D(2022 + y, 7, 10), 1.0) for y in range(4)]
    defaults: dict[str, object] = {
        "born": BORN,
        "assessed": ASSESSED,
        "infusions": infusions,
        "fractures": [fracture(D(y, 5, 1)) for y in (2018, 2020, 2021)] + [fracture(D(2024, 3, 1))],
        "bmd": [scan(-3.1, D(2021, 12, 1)), scan(-1.2)],
    }
    defaults.update(kwargs)
    return child(30, **defaults)  # type: ignore[arg-type]


def test_all_conditions_met_mid_band() -> None:
    """P-MAINT-ENTRY, P-MAINT-MID: every condition met; Z −1.2 gives the MID band."""
    result = assess_maintenance(treated_child())
    assert [(c.name, c.status) for c in result.conditions] == [
        ("age", MET),
        ("active_treatment", MET),
        ("fewer_fractures", MET),
        ("bmd_above_minus_2", MET),
        ("growing", MET),
        ("condition", MET),
    ]
    assert result.status is MET
    assert result.band is MaintenanceBand.MID
    assert result.z_score == -1.2
    entry = result.findings[0]
    assert entry.code == "maintenance-may-be-considered"
    assert entry.rule_ids == ("P-MAINT-ENTRY", "P-MAINT-MID")
    assert all(
        c.rule_ids
        == (
            ("P-MAINT-ENTRY", "P-MAINT-BAND")
            if c.name == "bmd_above_minus_2"
            else ("P-MAINT-ENTRY",)
        )
        for c in result.conditions
    )


def test_high_band() -> None:
    """P-MAINT-HIGH: Z 0.4 on the latest scan gives the HIGH band."""
    result = assess_maintenance(treated_child(bmd=[scan(0.4)]))
    assert result.band is MaintenanceBand.HIGH
    assert result.status is MET


@pytest.mark.parametrize(
    ("z", "band"),
    [
        (-2.0, None),
        (-2.01, None),
        (-1.99, MaintenanceBand.MID),
        (0.0, MaintenanceBand.MID),
        (0.01, MaintenanceBand.HIGH),
        (3.0, MaintenanceBand.HIGH),
    ],
)
def test_band_boundaries(z: float, band: MaintenanceBand | None) -> None:
    """P-MAINT-MID: −2 < Z ≤ 0; P-MAINT-HIGH: Z > 0; Z = −2 is no band."""
    assert maintenance_band(z) is band


def test_bmd_at_minus_2_not_met() -> None:
    """P-MAINT-ENTRY: BMD > −2 SDS required; exactly −2 is not above."""
    result = assess_maintenance(treated_child(bmd=[scan(-2.0)]))
    assert result.condition("bmd_above_minus_2").status is NOT_MET
    assert result.status is NOT_MET
    assert result.band is None
    assert result.findings[0].code == "maintenance-not-indicated"
    assert "bmd_above_minus_2" in result.findings[0].message


def test_latest_scan_lowest_site_size_corrected() -> None:
    """P-MAINT-ENTRY (with the P-BMD reading): the latest scan, the size-corrected score at a
    site where given, the lowest site."""
    scans = [
        scan(-3.0, D(2024, 1, 1)),
        scan(-2.5, D(2025, 12, 1)),
        scan(-1.5, D(2025, 12, 1), corrected=True),
        BmdMeasurement(site=BmdSite.TOTAL_BODY_LESS_HEAD, z_score=-1.8, date=D(2025, 12, 1)),
    ]
    assert latest_z_score(scans) == (-1.8, D(2025, 12, 1))
    assert latest_z_score([]) is None


def test_age_two_years_exactly_not_met() -> None:
    """P-MAINT-ENTRY: children > 2 years; on the second birthday not yet."""
    young = treated_child(born=D(2024, 1, 15), infusions=[], fractures=[], bmd=[])
    assert assess_maintenance(young).condition("age").status is NOT_MET
    older = treated_child(born=D(2024, 1, 14), infusions=[], fractures=[], bmd=[])
    assert assess_maintenance(older).condition("age").status is MET


@pytest.mark.parametrize(
    ("first", "status"),
    [(D(2024, 1, 15), MET), (D(2024, 1, 16), NOT_MET), (D(2016, 1, 1), MET)],
)
def test_active_treatment_duration(first: dt.date, status: ConditionStatus) -> None:
    """P-MAINT-ENTRY: active treatment of at least 2 years (the lower end of 5 ± 3)."""
    patient = treated_child(infusions=[given(Drug.PAMIDRONATE, first, 20)])
    condition = assess_maintenance(patient).condition("active_treatment")
    assert condition.status is status
    if first.year == 2016:
        assert "longer than the typical" in condition.explanation


def test_no_infusions_active_treatment_not_met() -> None:
    """P-MAINT-ENTRY: no infusion in the history is no active treatment."""
    result = assess_maintenance(treated_child(infusions=[]))
    assert result.condition("active_treatment").status is NOT_MET
    assert result.condition("fewer_fractures").status is UNKNOWN


def test_fracture_rate_not_lower() -> None:
    """P-MAINT-ENTRY: 3 fractures in 4 years since the start (0.75/y) vs 1 in 8 years before."""
    fractures = [fracture(D(2018, 1, 1))] + [fracture(D(2023, m, 1)) for m in (1, 5, 9)]
    result = assess_maintenance(treated_child(fractures=fractures))
    condition = result.condition("fewer_fractures")
    assert condition.status is NOT_MET
    evidence = {e.name: e.value for e in condition.evidence}
    assert evidence["fractures_before_treatment"] == 1
    assert evidence["fractures_since_treatment"] == 3


def test_fracture_rate_ignores_high_energy_and_uses_age() -> None:
    """P-MAINT-ENTRY: a high-energy fracture is not counted; an age at fracture places it."""
    fractures = [
        Fracture(
            site=FractureSite.LONG_BONE,
            trauma=Trauma.MINIMAL,
            age_at_fracture=ureg.Quantity(5, "year"),
        ),
        fracture(D(2024, 6, 1), Trauma.HIGH),
    ]
    condition = assess_maintenance(treated_child(fractures=fractures)).condition("fewer_fractures")
    assert condition.status is MET
    evidence = {e.name: e.value for e in condition.evidence}
    assert (evidence["fractures_before_treatment"], evidence["fractures_since_treatment"]) == (1, 0)


def test_no_fractures_unknown() -> None:
    """P-MAINT-ENTRY: no fractures recorded: cannot compare."""
    result = assess_maintenance(treated_child(fractures=[]))
    assert result.condition("fewer_fractures").status is UNKNOWN
    assert result.status is UNKNOWN
    assert result.findings[0].code == "maintenance-undecided"


@pytest.mark.parametrize(("growing", "status"), [(True, MET), (False, NOT_MET), (None, UNKNOWN)])
def test_growing_child(growing: bool | None, status: ConditionStatus) -> None:
    """P-MAINT-ENTRY: a growing child."""
    result = assess_maintenance(treated_child(still_growing=growing))
    assert result.condition("growing").status is status


@pytest.mark.parametrize(
    ("diagnosis", "severity", "bmd", "status"),
    [
        (Diagnosis.OSTEOGENESIS_IMPERFECTA, OISeverity.SEVERE, None, MET),
        (Diagnosis.OSTEOGENESIS_IMPERFECTA, OISeverity.MODERATE, None, MET),
        (Diagnosis.OSTEOGENESIS_IMPERFECTA, OISeverity.MILD, None, NOT_MET),
        (Diagnosis.OSTEOGENESIS_IMPERFECTA, None, None, UNKNOWN),
        (Diagnosis.SECONDARY_CORTICOSTEROIDS, None, None, MET),
        (Diagnosis.SECONDARY_CORTICOSTEROIDS, None, [-1.2], UNKNOWN),
        (Diagnosis.OTHER, None, None, NOT_MET),
    ],
)
def test_condition(
    diagnosis: Diagnosis,
    severity: OISeverity | None,
    bmd: list[float] | None,
    status: ConditionStatus,
) -> None:
    """P-MAINT-ENTRY: (moderately) severe OI, or another condition with fractures and low BMD."""
    extra: dict[str, object] = {"diagnosis": diagnosis, "oi_severity": severity}
    if bmd is not None:
        extra["bmd"] = [scan(z) for z in bmd]
    result = assess_maintenance(treated_child(**extra))
    assert result.condition("condition").status is status


def test_stop_guidance_not_severe() -> None:
    """P-MAINT-STOP: stop after 1–2 years depending on puberty and growth, with review dates."""
    finding = stop_guidance(treated_child(), maintenance_start=D(2025, 8, 31))
    assert finding.rule_ids == ("P-MAINT-STOP",)
    assert finding.severity is Severity.INFO
    assert "1 to 2 years" in finding.message
    assert finding.action == "review stopping between 2026-08-31 and 2027-08-31"


def test_stop_guidance_severe_oi_until_final_height() -> None:
    """P-MAINT-STOP: severe OI continues until final height."""
    growing = stop_guidance(treated_child(oi_severity=OISeverity.SEVERE))
    assert "until final height" in growing.message
    grown = stop_guidance(treated_child(oi_severity=OISeverity.SEVERE, still_growing=False))
    assert "final height" in grown.message
    assert "may now be stopped" in grown.message
