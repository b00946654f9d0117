"""The simplified Schwartz GFR and the zoledronic acid gate, value by value (P-GFR, P-CI-RENAL)."""

from __future__ import annotations

import math

import attrs
import pytest

from bisphos.errors import DimensionError, ImplausibleValueError, InvalidValueError, PluginError
from bisphos.findings import Evidence, Severity
from bisphos.model import Labs, Patient
from bisphos.pediatric.renal import (
    GfrEstimate,
    SchwartzEstimator,
    assess_renal,
    schwartz_40,
    zoledronic_acid_allowed,
)
from bisphos.units import Quantity, ureg
from tests.pediatric._dosing_helpers import child


def _q(magnitude: float, unit: str) -> Quantity:
    return ureg.Quantity(magnitude, unit)


def _gfr(value: float) -> Quantity:
    return _q(value, "mL_min_1_73m2")


def _patient(height_cm: float | None, creatinine_umol_l: float | None) -> Patient:
    return attrs.evolve(
        child(),
        height=None if height_cm is None else _q(height_cm, "cm"),
        labs=Labs(
            creatinine=None if creatinine_umol_l is None else _q(creatinine_umol_l, "umol/L")
        ),
    )


def _estimate(value: float, *, constant: float | None = 40.0) -> GfrEstimate:
    return GfrEstimate(
        value=_gfr(value),
        estimator="local",
        constant=constant,
        height=_q(100.0, "cm"),
        creatinine=_q(40.0, "umol/L"),
    )


def test_protocol_estimator_is_schwartz_with_k_40() -> None:
    """P-GFR: GFR = 40 x height (cm) / creatinine (µmol/l)."""
    assert schwartz_40.name == "schwartz-40"
    assert schwartz_40.k == 40.0


def test_schwartz_at_the_gate() -> None:
    """P-GFR: 90 cm and 40 µmol/l give exactly 90 ml/min/1.73 m², with its inputs."""
    estimate = schwartz_40(height=_q(90.0, "cm"), creatinine=_q(40.0, "umol/L"))
    assert estimate.value == _gfr(90.0)
    assert estimate.value.units == ureg.Unit("mL_min_1_73m2")
    assert estimate.estimator == "schwartz-40"
    assert estimate.constant == 40.0
    assert estimate.height == _q(90.0, "cm")
    assert estimate.creatinine == _q(40.0, "umol/L")
    assert estimate.rule_ids == ("P-GFR",)


def test_schwartz_converts_metres_and_mg_per_dl() -> None:
    """P-GFR: 1.2 m and 0.5 mg/dl (44.2 µmol/l, x 88.4) give 40 x 120 / 44.2 ml/min/1.73 m²."""
    estimate = schwartz_40(height=_q(1.2, "m"), creatinine=_q(0.5, "mg/dL"))
    assert estimate.value.magnitude == pytest.approx(40 * 120 / 44.2, rel=1e-12)
    assert estimate.height.units == ureg.Unit("cm")
    assert estimate.creatinine.magnitude == pytest.approx(44.2, rel=1e-12)


def test_local_estimator_constant_is_used() -> None:
    """P-GFR: a local estimator (k = 36.5) replaces the formula's constant."""
    bedside = SchwartzEstimator(name="bedside", k=36.5)
    estimate = bedside(height=_q(100.0, "cm"), creatinine=_q(50.0, "umol/L"))
    assert estimate.value == _gfr(73.0)
    assert estimate.constant == 36.5
    assert estimate.estimator == "bedside"


def test_schwartz_names_the_wrong_input() -> None:
    """P-GFR: a height in kg or a creatinine in kg is refused, naming the field."""
    with pytest.raises(DimensionError) as height:
        schwartz_40(height=_q(90.0, "kg"), creatinine=_q(40.0, "umol/L"))
    assert height.value.field == "height"
    with pytest.raises(DimensionError) as creatinine:
        schwartz_40(height=_q(90.0, "cm"), creatinine=_q(40.0, "kg"))
    assert creatinine.value.field == "labs.creatinine"


def test_estimate_value_must_be_a_gfr() -> None:
    """P-GFR: an estimate in ml/min (not per 1.73 m²) is refused as a GFR."""
    with pytest.raises(DimensionError) as caught:
        GfrEstimate(
            value=_q(90.0, "mL/min"),
            estimator="x",
            constant=None,
            height=_q(90.0, "cm"),
            creatinine=_q(40.0, "umol/L"),
        )
    assert caught.value.field == "gfr"


def test_estimate_evidence_lists_inputs_and_constant() -> None:
    """P-GFR: the evidence is the GFR with the limit 90, the height, creatinine, estimator, k."""
    estimate = _estimate(100.0)
    assert estimate.evidence() == (
        Evidence("gfr", _gfr(100.0), threshold=_gfr(90.0)),
        Evidence("height", _q(100.0, "cm")),
        Evidence("labs.creatinine", _q(40.0, "umol/L")),
        Evidence("gfr_estimator", "local"),
        Evidence("gfr_estimator_constant", 40.0),
    )
    assert len(_estimate(100.0, constant=None).evidence()) == 4


@pytest.mark.parametrize(
    ("value", "allowed"), [(89.999, False), (90.0, False), (90.0004, False), (90.001, True)]
)
def test_gate_is_strictly_above_90(value: float, allowed: bool) -> None:
    """P-GFR, invariant 4: exactly 90 allows no zoledronic acid; 90.001 does."""
    assert zoledronic_acid_allowed(_estimate(value)) is allowed


def test_no_estimate_never_allows_zoledronic_acid() -> None:
    """Invariant 4: without an estimate there is no zoledronic acid."""
    assert zoledronic_acid_allowed(None) is False


@pytest.mark.parametrize(
    ("height", "creatinine", "missing", "words"),
    [
        (None, 40.0, ("height",), "height"),
        (100.0, None, ("labs.creatinine",), "labs.creatinine"),
        (None, None, ("height", "labs.creatinine"), "height and labs.creatinine"),
    ],
)
def test_missing_height_or_creatinine_gives_no_gfr(
    height: float | None, creatinine: float | None, missing: tuple[str, ...], words: str
) -> None:
    """P-GFR, invariant 4: a missing height or creatinine means no GFR and no zoledronic acid."""
    renal = assess_renal(_patient(height, creatinine))
    assert renal.estimate is None
    assert renal.estimator == "schwartz-40"
    assert renal.missing == missing
    assert renal.zoledronic_acid_allowed is False
    (finding,) = renal.findings
    assert finding.code == "gfr-unavailable"
    assert finding.rule_ids == ("P-GFR",)
    assert finding.severity is Severity.WARN
    assert finding.message == (
        f"No GFR can be estimated without {words}: zoledronic acid is not allowed."
    )
    assert finding.evidence == tuple(Evidence(name, "missing") for name in missing)
    assert finding.action == f"Measure {words} to decide on zoledronic acid."


def test_gfr_exactly_90_warns_and_refuses_zoledronic_acid() -> None:
    """P-GFR, P-CI-RENAL: 90 cm and 40 µmol/l is GFR 90.0, not above 90: pamidronate only."""
    renal = assess_renal(_patient(90.0, 40.0))
    assert renal.estimate is not None
    assert renal.estimate.value == _gfr(90.0)
    assert renal.missing == ()
    assert renal.zoledronic_acid_allowed is False
    (finding,) = renal.findings
    assert finding.code == "gfr-not-above-90"
    assert finding.rule_ids == ("P-GFR", "P-CI-RENAL")
    assert finding.severity is Severity.WARN
    assert finding.message == (
        "GFR 90.0 ml/min/1.73 m² (schwartz-40) is not above 90: no zoledronic acid; "
        "pamidronate only, with caution for renal function."
    )
    assert finding.evidence == renal.estimate.evidence()
    assert finding.action == "Give no zoledronic acid; consider pamidronate with caution."


def test_gfr_above_90_allows_zoledronic_acid() -> None:
    """P-GFR: 120 cm and 40 µmol/l is GFR 120.0: the gate allows zoledronic acid."""
    renal = assess_renal(_patient(120.0, 40.0))
    assert renal.zoledronic_acid_allowed is True
    assert renal.estimate is not None
    assert renal.estimate.value == _gfr(120.0)
    (finding,) = renal.findings
    assert finding.code == "gfr-above-90"
    assert finding.rule_ids == ("P-GFR",)
    assert finding.severity is Severity.INFO
    assert finding.message == (
        "GFR 120.0 ml/min/1.73 m² (schwartz-40) is above 90: the renal gate allows zoledronic acid."
    )
    assert finding.evidence == renal.estimate.evidence()
    assert finding.action == ""


def test_local_estimator_still_passes_the_gate() -> None:
    """P-GFR: with a bedside k = 36.5, 100 cm and 40 µmol/l give 91.25 (allowed) and 41 µmol/l
    give 89.0 (not allowed): the > 90 gate applies whatever the estimator."""
    bedside = SchwartzEstimator(name="bedside", k=36.5)
    assert assess_renal(_patient(100.0, 40.0), bedside).zoledronic_acid_allowed is True
    low = assess_renal(_patient(100.0, 41.0), bedside)
    assert low.zoledronic_acid_allowed is False
    assert low.estimator == "bedside"
    assert "(bedside)" in low.findings[0].message


@attrs.frozen
class _Fixed:
    """An estimator returning a fixed object, for the plugin checks of P-GFR."""

    result: object
    name: str = "fixed"

    def __call__(self, *, height: Quantity, creatinine: Quantity) -> GfrEstimate:
        return self.result  # type: ignore[return-value]


@attrs.frozen
class _Failing:
    """An estimator that refuses its input."""

    name: str = "failing"

    def __call__(self, *, height: Quantity, creatinine: Quantity) -> GfrEstimate:
        raise InvalidValueError("no estimate", field="height")


def test_failing_estimator_is_a_plugin_error() -> None:
    """P-GFR: an estimator that raises is reported as a plugin error naming it."""
    with pytest.raises(PluginError) as caught:
        assess_renal(_patient(100.0, 40.0), _Failing())
    error = caught.value
    assert error.message == (
        "the GFR estimator 'failing' failed: InvalidValueError: height: no estimate"
    )
    assert error.field == "gfr"
    assert error.value == "failing"
    assert isinstance(error.__cause__, InvalidValueError)


def test_estimator_returning_something_else_is_a_plugin_error() -> None:
    """P-GFR: an estimator must return a GfrEstimate; a bare number is refused."""
    with pytest.raises(PluginError) as caught:
        assess_renal(_patient(100.0, 40.0), _Fixed(95.0))
    error = caught.value
    assert error.message == "the GFR estimator 'fixed' did not return a GfrEstimate"
    assert error.field == "gfr"
    assert error.value == "95.0"
    assert error.expected == "a bisphos.pediatric.renal.GfrEstimate"


@pytest.mark.parametrize("value", [0.0, -5.0])
def test_estimator_returning_an_impossible_gfr_is_a_plugin_error(value: float) -> None:
    """P-GFR: a GFR of zero or below is refused, not judged by the gate."""
    with pytest.raises(PluginError) as caught:
        assess_renal(_patient(100.0, 40.0), _Fixed(_estimate(value)))
    error = caught.value
    assert error.message == "the GFR estimator 'fixed' returned an impossible GFR"
    assert error.field == "gfr"
    assert error.value == f"{value!r} mL/min/1.73m2"
    assert error.expected == "a positive, finite GFR in ml/min/1.73 m²"


def test_estimator_returning_an_infinite_gfr_is_a_plugin_error() -> None:
    """P-GFR: an infinite GFR (that bypassed the estimate's checks) never allows zoledronic acid."""
    estimate = _estimate(100.0)
    object.__setattr__(estimate, "value", _gfr(math.inf))
    with pytest.raises(PluginError, match="impossible GFR"):
        assess_renal(_patient(100.0, 40.0), _Fixed(estimate))


def test_a_low_but_positive_gfr_is_judged_by_the_gate() -> None:
    """P-GFR, P-CI-RENAL: a GFR of 0.5 is possible (severe failure): not above 90."""
    renal = assess_renal(_patient(100.0, 40.0), _Fixed(_estimate(0.5)))
    assert renal.zoledronic_acid_allowed is False
    assert renal.findings[0].code == "gfr-not-above-90"
    assert renal.findings[0].message.startswith("GFR 0.5 ml/min/1.73 m² (local)")


def test_estimate_refuses_nan() -> None:
    """P-GFR: an estimate cannot be NaN."""
    with pytest.raises(ImplausibleValueError):
        _estimate(math.nan)
