"""The invariant suite for plugin authors: it fails a plugin that breaks an invariant.

The hard limits (invariants 1, 2, 4) cannot be broken by a plugin, but invariant 3 can: a plugin
may lower doses freely, and one that lowers only the regular doses makes the first infusion
larger than the regular ones. The suite must catch it; the pytest plugin's fixtures are checked
here too.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import Phase, settings

from bisphos.engine import Engine
from bisphos.model import Drug, Patient
from bisphos.pediatric.adjustments import DoseProposal
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.limits import Phase as DosePhase
from bisphos.pediatric.plan import PlanStatus
from bisphos.plugins import hookimpl
from bisphos.testing.invariants import (
    PluginInvariants,
    check_first_not_above_regular,
    check_hard_limits,
)
from bisphos.testing.pytest_plugin import EXAMPLE_PATIENTS


class LowersRegularOnly:
    """Lowers every regular dose to a hundredth: accepted (lower), but breaks invariant 3."""

    @hookimpl
    def bisphos_adjust_dose(self, dose: Dose) -> DoseProposal | None:
        if dose.phase is not DosePhase.REGULAR:
            return None
        return DoseProposal("lowers-regular", dose.value / 100, "a hundredth")


class ViolatingInvariants(PluginInvariants):
    """Not collected (no ``Test`` prefix): run by the test below."""

    plugins = (("lowers-regular", LowersRegularOnly()),)


def test_the_suite_fails_a_plugin_that_breaks_invariant_3() -> None:
    """Invariant 3 (P-ZOL-FIRST, P-PAM-FIRST): the suite reports a first infusion above a
    regular one, naming the invariant (without shrinking, which is slow on whole plans)."""
    test = settings(phases=[Phase.generate], database=None)(
        ViolatingInvariants.test_invariants_1_to_9_hold_with_the_plugin  # type: ignore[attr-defined]
    )
    with pytest.raises(AssertionError, match="invariant 3"):
        test(ViolatingInvariants())


def test_the_check_sees_the_violation_on_a_worked_plan(
    bisphos_engine_factory: Callable[..., Engine], bisphos_example_patients: dict[str, Patient]
) -> None:
    """Invariant 3, P-ZOL-FIRST: 20 kg: first 0.25 mg, regular 1 mg lowered to 0.01 mg."""
    engine = bisphos_engine_factory(LowersRegularOnly())
    plan = engine.plan(bisphos_example_patients["oi-girl-20kg"])
    assert [float(p.dose.value.m_as("mg")) for p in plan.infusions][:3] == [0.25, 0.5, 0.01]
    check_hard_limits(plan, bisphos_example_patients["oi-girl-20kg"])
    with pytest.raises(AssertionError, match="invariant 3"):
        check_first_not_above_regular(plan)


def test_engine_factory_loads_only_the_given_plugins(
    bisphos_engine_factory: Callable[..., Engine],
) -> None:
    """The factory's engine has the built-ins and the named plugins, no entry points."""
    engine = bisphos_engine_factory(("named", LowersRegularOnly()), LowersRegularOnly())
    names = {record.name for record in engine.plugins}
    assert names == {
        "bisphos.plugins.oncology",
        "bisphos.plugins.pediatric",
        "named",
        "plugin-1",
    }


def test_example_patients_plan_as_their_names_say(
    bisphos_engine_factory: Callable[..., Engine], bisphos_example_patients: dict[str, Patient]
) -> None:
    """P-ZOL-FIRST, P-GFR, P-PAM-CAP, P-ZOL-CAP, P-CI-FEVER: each example patient's plan."""
    assert set(bisphos_example_patients) == set(EXAMPLE_PATIENTS)
    engine = bisphos_engine_factory()

    def doses(name: str) -> list[float]:
        return [float(p.dose.value.m_as("mg")) for p in engine.plan(patients[name]).infusions]

    patients = bisphos_example_patients
    assert doses("oi-girl-20kg") == [0.25, 0.5, 1, 1, 1, 1]
    pamidronate = engine.plan(patients["pamidronate-70kg"])
    assert pamidronate.drug is Drug.PAMIDRONATE
    assert doses("pamidronate-70kg")[:2] == [45, 90]
    assert doses("heavy-teenager-100kg")[2:] == [4, 4, 4]
    assert engine.plan(patients["blocked-fever-low-calcium"]).status is PlanStatus.BLOCKED
    # 0.0125 and 0.025 mg/kg x 8 kg; the third at 0.05 mg/kg: 2 years old by 2027-08-23.
    assert doses("infant-8kg")[:3] == [0.1, 0.2, 0.4]


def test_the_hypothesis_profiles_are_registered() -> None:
    """The pytest plugin registers bisphos-ci with 500 examples per property."""
    assert settings.get_profile("bisphos-ci").max_examples == 500
    assert settings.get_profile("bisphos-deep").max_examples == 10_000
