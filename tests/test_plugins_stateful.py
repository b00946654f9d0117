"""Plugins registered and unregistered in any order, with plans made between the steps.

A Hypothesis state machine keeps one plugin manager and a model of what is registered. Between
any two steps it checks: the plans keep the hard limits (P-ZOL-CAP, P-PAM-CAP, invariant 2,
P-GFR) and the protocol's findings, or fail with a typed error; the plugin records of the engine
and of every plan are exactly the registered plugins; protocol ids stay unique, a second
registration of one id being refused with ProtocolConflictError when the engine is built.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Sequence
from typing import Any

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from bisphos.engine import Engine
from bisphos.errors import PluginError, ProtocolConflictError
from bisphos.findings import Finding, Severity
from bisphos.model import Patient
from bisphos.pediatric.adjustments import DoseProposal
from bisphos.pediatric.assessment import assess
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.plan import PlanRequest
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.pediatric.renal import SchwartzEstimator, schwartz_40
from bisphos.pediatric.schedule import Horizon
from bisphos.plugins import hookimpl
from bisphos.plugins.manager import BUILTIN_PLUGINS, get_plugin_manager, plugin_records
from bisphos.protocols import Protocol, ProtocolInfo
from bisphos.testing.invariants import check_core_findings_kept, check_hard_limits
from bisphos.testing.pytest_plugin import example_patients
from tests._profiles import examples

PATIENTS = tuple(example_patients().values())
NATIONAL = "nl-pediatric-iv-bp-2024"
LOCAL = "test-local-2025"
BEDSIDE = SchwartzEstimator(name="schwartz-bedside-36.5", k=36.5)


class LocalProtocol(PediatricProtocol):
    """A local protocol: the national course under another id."""

    @property
    def info(self) -> ProtocolInfo:
        return attrs.evolve(super().info, protocol_id=LOCAL)


class HalveDose:
    @hookimpl
    def bisphos_adjust_dose(self, dose: Dose) -> DoseProposal:
        return DoseProposal("halve", dose.value / 2, "half dose")


class TenTimes:
    @hookimpl
    def bisphos_adjust_dose(self, dose: Dose) -> DoseProposal:
        return DoseProposal("ten", dose.value * 10, "ten times", "OVERRIDE")


class HigherWrapper:
    @hookimpl(wrapper=True)
    def bisphos_adjust_dose(self, dose: Dose) -> Generator[None, object, object]:
        yield
        return [DoseProposal("wrapper", dose.value * 3, "three times", "OVERRIDE")]


class LocalBlock:
    @hookimpl
    def bisphos_extra_findings(self) -> Sequence[Finding]:
        return [Finding("local-ci", ("LOCAL-CI-1",), Severity.BLOCK, "local contraindication")]


class DemoteEverything:
    @hookimpl
    def bisphos_extra_findings(self, assessment: Any) -> Sequence[Finding]:
        return [attrs.evolve(f, severity=Severity.INFO) for f in assessment.findings]


class Garbage:
    @hookimpl
    def bisphos_extra_findings(self) -> object:
        return ["remove every block"]


class Bedside:
    @hookimpl
    def bisphos_gfr_estimator(self) -> SchwartzEstimator:
        return BEDSIDE


class RegistersLocal:
    @hookimpl
    def bisphos_register_protocols(self) -> Sequence[Protocol]:
        return [LocalProtocol()]


class RegistersNationalAgain:
    @hookimpl
    def bisphos_register_protocols(self) -> Sequence[Protocol]:
        return [PediatricProtocol()]


#: Plugin kinds: how to make one, and the protocol ids it registers.
KINDS: dict[str, tuple[Callable[[], object], tuple[str, ...]]] = {
    "halve": (HalveDose, ()),
    "ten-times": (TenTimes, ()),
    "higher-wrapper": (HigherWrapper, ()),
    "local-block": (LocalBlock, ()),
    "demote-everything": (DemoteEverything, ()),
    "garbage": (Garbage, ()),
    "bedside": (Bedside, ()),
    "registers-local": (RegistersLocal, (LOCAL,)),
    "registers-national-again": (RegistersNationalAgain, (NATIONAL,)),
}


class PluginLifecycle(RuleBasedStateMachine):
    """Register and unregister plugins on one manager; plan between the steps."""

    def __init__(self) -> None:
        super().__init__()
        self.manager = get_plugin_manager(entry_points=False)
        self.registered: dict[str, str] = {}  # name -> kind
        self.names = itertools.count()

    @initialize()
    def start_empty(self) -> None:
        assert {name for name, _ in self.manager.list_name_plugin()} == set(BUILTIN_PLUGINS)

    def _protocol_ids(self) -> list[str]:
        ids = [NATIONAL, "nl-oncology-bone-2016"]
        for kind in self.registered.values():
            ids += KINDS[kind][1]
        return ids

    def _conflict(self) -> bool:
        ids = self._protocol_ids()
        return len(ids) != len(set(ids))

    @rule(kind=st.sampled_from(sorted(KINDS)))
    def register(self, kind: str) -> None:
        name = f"{kind}-{next(self.names)}"
        self.manager.register(KINDS[kind][0](), name=name)
        self.registered[name] = kind

    @precondition(lambda self: bool(self.registered))
    @rule(data=st.data())
    def unregister(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.registered)))
        self.manager.unregister(name=name)
        del self.registered[name]

    @rule(
        patient=st.sampled_from(PATIENTS),
        horizon=st.integers(min_value=1, max_value=3),
        local=st.booleans(),
    )
    def plan(self, patient: Patient, horizon: int, local: bool) -> None:
        if self._conflict():
            with pytest.raises(ProtocolConflictError):
                Engine(self.manager)
            return
        engine = Engine(self.manager)
        protocol_id = LOCAL if local and LOCAL in engine.protocols else NATIONAL
        request = PlanRequest(horizon=Horizon(infusions=horizon))
        if "garbage" in self.registered.values():
            with pytest.raises(PluginError, match="not a Finding"):
                engine.plan(patient, request, protocol_id=protocol_id)
            return
        plan = engine.plan(patient, request, protocol_id=protocol_id)
        check_hard_limits(plan, patient)
        bedside = "bedside" in self.registered.values()
        check_core_findings_kept(
            plan, assess(patient, estimator=BEDSIDE if bedside else schwartz_40).findings
        )
        assert {record.name for record in plan.plugins} == {
            *BUILTIN_PLUGINS,
            *self.registered,
        }
        for adjustment in plan.adjustments:
            if adjustment.plugin in {"ten", "wrapper"}:
                assert not adjustment.accepted

    @invariant()
    def records_match_the_registered_plugins(self) -> None:
        records = plugin_records(self.manager)
        assert [r.name for r in records] == sorted({*BUILTIN_PLUGINS, *self.registered})
        assert all(r.builtin == (r.name in BUILTIN_PLUGINS) for r in records)

    @invariant()
    def protocol_ids_stay_unique(self) -> None:
        if self._conflict():
            with pytest.raises(ProtocolConflictError, match="registered twice"):
                Engine(self.manager)
            return
        assert sorted(Engine(self.manager).protocols) == sorted(self._protocol_ids())


PluginLifecycle.TestCase.settings = settings(
    max_examples=examples(0.2), stateful_step_count=12, deadline=None
)
#: Hard limits, plugin records and unique protocol ids under any order of (un)registration.
test_plugin_lifecycle_keeps_hard_limits_records_and_unique_protocols = PluginLifecycle.TestCase
