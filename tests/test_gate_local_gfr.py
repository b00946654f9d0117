"""P-GFR-LOCAL: how the gate reads a hospital's GFR estimator, and which field each refusal names.

The gate calls a local estimator on the values it read itself and rebuilds the estimate from
them; every refusal is a :class:`PluginError` naming the field, the value and what was expected,
so that an error in a local plugin can be traced to the value it came from.
"""

from __future__ import annotations

import pytest

from bisphos.errors import PluginError
from bisphos.gate._gfr import LocalEstimator
from bisphos.pediatric.renal import GfrEstimate, schwartz_40
from bisphos.units import Quantity, quantity

HEIGHT = quantity(140.0, "cm")
CREATININE = quantity(35.0, "umol/L")
# Schwartz-40 from first principles: 40 x 140 cm / 35 µmol/l = 160 ml/min/1.73 m².
SCHWARTZ_40_GFR = 40.0 * 140.0 / 35.0


class _Estimator:
    """A local estimator that returns what it is told to, for the height and creatinine given."""

    name = "local-test"

    def __init__(self, make: object) -> None:
        self.make = make

    def __call__(self, *, height: Quantity, creatinine: Quantity) -> object:
        make = self.make
        return make(height, creatinine) if callable(make) else make


def _estimate(
    value: object, height: object = HEIGHT, creatinine: object = CREATININE
) -> GfrEstimate:
    """A GfrEstimate carrying exactly these objects, as a careless plugin could build one."""
    estimate = GfrEstimate(
        value=quantity(100.0, "mL_min_1_73m2"),
        estimator="local-test",
        constant=None,
        height=HEIGHT,
        creatinine=CREATININE,
    )
    object.__setattr__(estimate, "value", value)
    object.__setattr__(estimate, "height", height)
    object.__setattr__(estimate, "creatinine", creatinine)
    return estimate


def _refusal(
    estimator: object, height: object = HEIGHT, creatinine: object = CREATININE
) -> PluginError:
    local = LocalEstimator.of(estimator, "bisphos_gfr_estimator")
    with pytest.raises(PluginError) as caught:
        local(height=height, creatinine=creatinine)  # type: ignore[arg-type]
    return caught.value


def test_p_gfr_local_an_estimate_is_rebuilt_from_the_gate_s_own_values() -> None:
    local = LocalEstimator.of(schwartz_40, "bisphos_gfr_estimator")
    estimate = local(height=HEIGHT, creatinine=CREATININE)
    assert estimate.value.to("mL_min_1_73m2").magnitude == pytest.approx(SCHWARTZ_40_GFR)
    assert (estimate.estimator, estimate.constant) == ("schwartz-40", 40.0)
    assert estimate.height.to("cm").magnitude == 140.0
    assert estimate.creatinine.to("umol/L").magnitude == 35.0
    assert estimate.rule_ids == ("P-GFR", "P-GFR-LOCAL")


def test_p_gfr_local_an_estimator_without_a_name_is_refused_where_it_was_registered() -> None:
    with pytest.raises(PluginError) as caught:
        LocalEstimator.of(lambda **_: None, "a-hospital-hook")
    error = caught.value
    assert error.field == "a-hospital-hook"
    assert error.message == "a GFR estimator must be callable and have a name"
    assert error.expected == "a bisphos.pediatric.renal.GfrEstimator"


@pytest.mark.parametrize(
    ("height", "creatinine", "field"),
    [("140 cm", CREATININE, "height"), (HEIGHT, 35.0, "labs.creatinine")],
)
def test_p_gfr_local_the_patient_s_values_are_read_by_field(
    height: object, creatinine: object, field: str
) -> None:
    error = _refusal(_Estimator(lambda h, c: None), height, creatinine)
    assert error.field == field


@pytest.mark.parametrize(
    ("result", "field"),
    [
        (None, "gfr"),
        (160.0, "gfr"),
        (_estimate("160"), "gfr"),
        (_estimate(quantity(160.0, "mL_min_1_73m2"), height=140.0), "gfr.height"),
        (_estimate(quantity(160.0, "mL_min_1_73m2"), creatinine="35"), "gfr.creatinine"),
    ],
    ids=["none", "a-number", "value-text", "height-number", "creatinine-text"],
)
def test_p_gfr_local_an_estimate_not_of_the_right_shape_names_its_field(
    result: object, field: str
) -> None:
    assert _refusal(_Estimator(result)).field == field


def test_p_gfr_local_an_estimate_above_250_names_the_value_and_the_range() -> None:
    error = _refusal(_Estimator(_estimate(quantity(300.0, "mL_min_1_73m2"))))
    assert (error.field, error.value) == ("gfr", 300.0)
    assert error.expected == "an estimate from 1 to 250 ml/min/1.73 m²"
    assert "P-GFR-LOCAL" in error.message
    assert "local-test" in error.message


def test_p_gfr_local_an_estimate_from_another_height_names_both() -> None:
    other = _estimate(quantity(160.0, "mL_min_1_73m2"), height=quantity(150.0, "cm"))
    error = _refusal(_Estimator(other))
    assert error.field == "gfr"
    assert error.value == "150 cm, 35 µmol/l"
    assert error.expected == "140 cm, 35 µmol/l"
    assert "another height or creatinine" in error.message
