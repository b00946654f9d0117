"""The Schwartz GFR and the zoledronic acid gate (P-GFR, P-CI-RENAL, invariant 4)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from bisphos.errors import PluginError
from bisphos.findings import Severity
from bisphos.pediatric.assessment import assess
from bisphos.pediatric.renal import (
    GfrEstimate,
    GfrEstimator,
    SchwartzEstimator,
    assess_renal,
    schwartz_40,
    zoledronic_acid_allowed,
)
from bisphos.units import Quantity, quantity
from tests.pediatric.assessment_patients import patient


def test_p_gfr_schwartz_40_of_the_example_girl() -> None:
    """P-GFR: 40 x 112 cm / (0.4 mg/dl = 35.36 µmol/l) = 126.7 ml/min/1.73 m²."""
    estimate = schwartz_40(height=quantity(112.0, "cm"), creatinine=quantity(0.4, "mg/dL"))
    assert estimate.value.m_as("mL_min_1_73m2") == pytest.approx(126.6968, abs=1e-4)
    assert estimate.creatinine.m_as("umol/L") == pytest.approx(35.36)
    assert (estimate.estimator, estimate.constant, estimate.rule_ids) == (
        "schwartz-40",
        40.0,
        ("P-GFR",),
    )


@pytest.mark.parametrize(
    ("height", "creatinine", "gfr", "allowed"),
    [
        ("90 cm", "40 umol/L", 90.0, False),  # exactly 90: pamidronate only
        ("119.34 cm", "0.6 mg/dL", 90.0, False),  # 90.00000000000001 in floats
        ("79.56 cm", "0.4 mg/dL", 90.0, False),  # 89.99999999999999 in floats
        ("90.1 cm", "40 umol/L", 90.1, True),
        ("89.9 cm", "40 umol/L", 89.9, False),
        ("125 cm", "40 umol/L", 125.0, True),
        ("125 cm", "0.452 mg/dL", 125.1, True),
        ("1.1 m", "0.4 mmol/L", 11.0, False),  # units of either kind are converted first
    ],
)
def test_p_gfr_gate_above_90(height: str, creatinine: str, gfr: float, allowed: bool) -> None:
    """P-GFR: zoledronic acid only with a Schwartz GFR above 90; exactly 90 is not above."""
    renal = assess_renal(patient(height=height, labs__creatinine=creatinine))
    assert renal.estimate is not None
    assert renal.estimate.value.m_as("mL_min_1_73m2") == pytest.approx(gfr, abs=0.06)
    assert renal.zoledronic_acid_allowed is allowed
    assert zoledronic_acid_allowed(renal.estimate) is allowed
    (finding,) = renal.findings
    if allowed:
        assert (finding.code, finding.severity, finding.rule_ids) == (
            "gfr-above-90",
            Severity.INFO,
            ("P-GFR",),
        )
    else:
        assert (finding.code, finding.severity, finding.rule_ids) == (
            "gfr-not-above-90",
            Severity.WARN,
            ("P-GFR", "P-CI-RENAL"),
        )
    assert finding.evidence[0].name == "gfr"
    assert finding.evidence[0].threshold == quantity(90.0, "mL_min_1_73m2")


@pytest.mark.parametrize(
    ("mg_dl", "umol_l"),
    [("0.4 mg/dL", "35.36 umol/L"), ("1.0 mg/dL", "88.4 umol/L"), ("0.55 mg/dl", "48.62 µmol/l")],
)
def test_p_gfr_creatinine_in_mg_dl_or_umol_l_gives_the_same_decision(
    mg_dl: str, umol_l: str
) -> None:
    """P-GFR, invariant 7: creatinine in mg/dl (x 88.4) and in µmol/l decide alike."""
    for height in ("79.56 cm", "99.45 cm", "119.34 cm", "150 cm"):
        a = assess_renal(patient(height=height, labs__creatinine=mg_dl))
        b = assess_renal(patient(height=height, labs__creatinine=umol_l))
        assert a.zoledronic_acid_allowed is b.zoledronic_acid_allowed
        assert [f.code for f in a.findings] == [f.code for f in b.findings]


def test_p_gfr_exactly_90_from_mg_dl_is_not_above_90() -> None:
    """P-GFR: 40 x 119.34 cm / 0.6 mg/dl is 90.00000000000001 in floats, and still 90."""
    renal = assess_renal(patient(height="119.34 cm", labs__creatinine="0.6 mg/dL"))
    assert renal.estimate is not None
    assert renal.estimate.value.magnitude > 90.0
    assert not renal.zoledronic_acid_allowed


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"height": None}, ("height",)),
        ({"labs__creatinine": None}, ("labs.creatinine",)),
        ({"height": None, "labs__creatinine": None}, ("height", "labs.creatinine")),
    ],
)
def test_p_gfr_missing_height_or_creatinine_means_no_zoledronic_acid(
    changes: dict[str, Any], missing: tuple[str, ...]
) -> None:
    """P-GFR, invariant 4: without height or creatinine there is no GFR and no zoledronic acid."""
    renal = assess_renal(patient(**changes))
    assert renal.estimate is None
    assert renal.missing == missing
    assert not renal.zoledronic_acid_allowed
    assert not zoledronic_acid_allowed(None)
    (finding,) = renal.findings
    assert (finding.code, finding.severity, finding.rule_ids) == (
        "gfr-unavailable",
        Severity.WARN,
        ("P-GFR",),
    )
    assert tuple(e.name for e in finding.evidence) == missing
    for name in missing:
        assert name in finding.message


def test_p_gfr_a_local_estimator_replaces_the_formula_not_the_gate() -> None:
    """P-GFR: the bedside k = 36.5 gives 86.9 where k = 40 gives 95.2: no zoledronic acid."""
    child = patient(height="100 cm", labs__creatinine="42 umol/L")
    bedside: GfrEstimator = SchwartzEstimator(name="schwartz-bedside-36.5", k=36.5)
    default = assess(child)
    local = assess(child, estimator=bedside)
    assert default.renal is not None
    assert local.renal is not None
    assert default.renal.estimate is not None
    assert local.renal.estimate is not None
    assert default.renal.estimate.value.magnitude == pytest.approx(95.238, abs=1e-3)
    assert local.renal.estimate.value.magnitude == pytest.approx(86.905, abs=1e-3)
    assert local.renal.estimate.estimator == "schwartz-bedside-36.5"
    assert local.renal.estimator == "schwartz-bedside-36.5"
    assert default.zoledronic_acid_allowed
    assert not local.zoledronic_acid_allowed


@attrs.frozen
class _FixedEstimator:
    """A test estimator that returns whatever it was given."""

    name: str
    result: Any

    def __call__(self, *, height: Quantity, creatinine: Quantity) -> GfrEstimate:
        if isinstance(self.result, Exception):
            raise self.result
        return self.result  # type: ignore[no-any-return]


def _estimate(value: Quantity) -> GfrEstimate:
    return GfrEstimate(
        value=value,
        estimator="fixed",
        constant=None,
        height=quantity(100.0, "cm"),
        creatinine=quantity(40.0, "umol/L"),
    )


@pytest.mark.parametrize(
    "result",
    [
        "120 mL/min/1.73m2",
        _estimate(quantity(0.0, "mL_min_1_73m2")),
        _estimate(quantity(-5.0, "mL_min_1_73m2")),
        PluginError("estimator crashed"),
        ZeroDivisionError("creatinine of zero"),
    ],
)
def test_p_gfr_a_broken_estimator_is_refused(result: Any) -> None:
    """P-GFR: an estimator that fails or returns no positive GFR is a PluginError, not a pass."""
    with pytest.raises(PluginError, match="fixed"):
        assess(patient(), estimator=_FixedEstimator(name="fixed", result=result))


def test_p_gfr_estimate_must_be_a_gfr() -> None:
    """P-GFR: an estimate in ml/min (not per 1.73 m²) is refused when it is made."""
    with pytest.raises(ValueError, match="GFR"):
        _estimate(quantity(100.0, "mL/min"))


def test_p_gfr_an_estimator_without_a_constant_shows_none() -> None:
    """P-GFR: a local estimator's result passes the gate; no constant evidence without one."""
    estimator = _FixedEstimator(name="fixed", result=_estimate(quantity(91.0, "mL_min_1_73m2")))
    result = assess(patient(), estimator=estimator)
    assert result.zoledronic_acid_allowed
    finding = result.finding("gfr-above-90")
    assert finding is not None
    assert [e.name for e in finding.evidence] == [
        "gfr",
        "height",
        "labs.creatinine",
        "gfr_estimator",
    ]
