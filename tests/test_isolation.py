"""Nothing a plan hands out can be changed by whoever receives it, so no plan changes another.

Every quantity of :data:`bisphos.units.ureg` is a :class:`~bisphos.units.FrozenQuantity`: Pint's
in-place conversions (``ito`` and its family) and assignments to its attributes are refused, and
bisphos keeps no cache of computed values that a later plan could read. A plugin that writes to
every value it receives (the patient, the dose with its limits, the preparation) changes nothing
in the plans a new engine without plugins makes afterwards (P-ZOL-CAP, P-PAM-CAP, P-ZOL-DOSE,
P-PAM-DOSE: 0.25 mg zoledronic acid stays 0.25 mg for the 20 kg example).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pint
import pytest

from bisphos.engine import Engine
from bisphos.model import Drug, Patient
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.infusion import Preparation
from bisphos.pediatric.plan import Plan
from bisphos.plugins import hookimpl
from bisphos.testing.pytest_plugin import example_patients
from bisphos.units import FrozenQuantity, quantity, ureg

EXAMPLES = example_patients()


def _quantities(value: object, seen: set[int] | None = None) -> Iterator[pint.Quantity[Any]]:
    """Every Pint quantity reachable from ``value`` through attrs fields, tuples and mappings."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, pint.Quantity):
        yield value
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):  # type: ignore[arg-type]
            yield from _quantities(getattr(value, field.name), seen)
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _quantities(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _quantities(item, seen)


def _attempt_writes(value: pint.Quantity[Any]) -> int:
    """Try every way of changing ``value`` in place; return how many succeeded."""
    changed = 0
    attempts: tuple[Callable[[], object], ...] = (
        lambda: value.ito("g" if value.dimensionality == ureg.Unit("mg").dimensionality else ""),
        value.ito_base_units,
        value.ito_root_units,
        value.ito_reduced_units,
        lambda: setattr(value, "_magnitude", 1e6),
        lambda: setattr(value, "_units", ureg.Unit("g")._units),
        lambda: delattr(value, "_magnitude"),
    )
    for attempt in attempts:
        try:
            attempt()
        except (AttributeError, pint.PintError, TypeError):
            continue
        changed += 1
    return changed


def test_a_quantity_of_the_registry_cannot_be_changed_in_place() -> None:
    """ito, ito_base_units, ito_root_units, ito_reduced_units and attribute writes are refused;
    arithmetic, in-place operators included, makes new quantities (0.25 mg stays 0.25 mg)."""
    dose = quantity(0.25, "milligram")
    assert isinstance(dose, FrozenQuantity)
    assert _attempt_writes(dose) == 0
    total = dose
    total += quantity(0.25, "milligram")  # type: ignore[misc]
    assert dose == quantity(0.25, "milligram")
    assert total == quantity(0.5, "milligram")
    assert dose.to("microgram") == quantity(250.0, "microgram")
    assert dose.m_as("milligram") == 0.25


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_quantity_of_a_plan_is_frozen(name: str) -> None:
    """Every value a plan holds, down to the limits and the evidence of its findings, refuses
    every write: a plan can be handed to anyone without changing another (P-ZOL-CAP)."""
    plan = Engine.create(entry_points=False).plan(EXAMPLES[name])
    values = list(_quantities(plan)) + list(_quantities(plan.patient))
    assert values
    for value in values:
        assert isinstance(value, FrozenQuantity), value
        assert _attempt_writes(value) == 0, value


@attrs.define
class _Vandal:
    """A plugin that tries to change every quantity it receives, and counts its successes."""

    attempts: int = 0
    changed: int = 0

    def _vandalise(self, *values: object) -> None:
        for value in values:
            for found in _quantities(value):
                self.attempts += 1
                self.changed += _attempt_writes(found)

    @hookimpl
    def bisphos_adjust_dose(self, patient: Patient, dose: Dose) -> None:
        self._vandalise(patient, dose)

    @hookimpl
    def bisphos_infusion_volume(self, patient: Patient, preparation: Preparation) -> None:
        self._vandalise(patient, preparation)

    @hookimpl
    def bisphos_adjust_schedule(
        self, patient: Patient, drug: Drug, dates: tuple[dt.date, ...]
    ) -> None:
        self._vandalise(patient)


def _plans() -> list[Plan]:
    engine = Engine.create(entry_points=False)
    return [engine.plan(EXAMPLES[name]) for name in sorted(EXAMPLES)]


def test_a_plugin_writing_to_what_it_receives_changes_no_later_plan() -> None:
    """A plugin that writes to the patient, the dose (its limits, cap, per-kg maximum and
    rounding step) and the preparation changes none of them, and the plans of a new engine
    without plugins afterwards are the plans made before it ran, value for value."""
    before = _plans()
    vandal = _Vandal()
    hostile = Engine.create(entry_points=False, plugins=[("vandal", vandal)])
    for name in sorted(EXAMPLES):
        hostile.plan(EXAMPLES[name])
    assert vandal.attempts > 100
    assert vandal.changed == 0
    after = _plans()
    assert after == before
    for old, new in zip(before, after, strict=True):
        assert [str(i.dose.value) for i in new.infusions] == [
            str(i.dose.value) for i in old.infusions
        ]
        assert [str(i.dose.limited.daily_cap.dose) for i in new.infusions] == [
            str(i.dose.limited.daily_cap.dose) for i in old.infusions
        ]
    girl = next(p for p in after if p.patient_id == EXAMPLES["oi-girl-20kg"].patient_id)
    assert girl.infusions[0].dose.value == quantity(0.25, "milligram")
