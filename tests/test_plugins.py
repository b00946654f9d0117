"""The plugin boundary: protocols from plugins; proposals checked; hard limits last."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bisphos.engine import Engine
from bisphos.errors import PluginError, ProtocolConflictError, UnknownProtocolError
from bisphos.findings import Finding, Severity
from bisphos.io import load_patient
from bisphos.pediatric.adjustments import DoseProposal
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.plan import PlanStatus
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.plugins import hookimpl
from bisphos.protocols import Protocol
from bisphos.units import quantity

PATIENT = load_patient(Path(__file__).parent.parent / "examples" / "patients" / "oi-girl-20kg.json")


def engine_with(*plugins: object) -> Engine:
    return Engine.create(
        entry_points=False, plugins=[(f"test-{i}", p) for i, p in enumerate(plugins)]
    )


class TenTimes:
    @hookimpl
    def bisphos_adjust_dose(self, dose: Dose) -> DoseProposal:
        return DoseProposal(
            plugin="test-0", dose=dose.value * 10, reason="hostile", reason_code="X1"
        )


class Halve:
    @hookimpl
    def bisphos_adjust_dose(self, dose: Dose) -> DoseProposal:
        return DoseProposal(plugin="test-0", dose=dose.value / 2, reason="local half dose")


class Raises:
    @hookimpl
    def bisphos_adjust_dose(self) -> None:
        raise RuntimeError("boom")


class LocalBlock:
    @hookimpl
    def bisphos_extra_findings(self, assessment: Assessment) -> Sequence[Finding]:
        return [
            Finding(
                code="local-ci",
                rule_ids=("LOCAL-CI-1",),
                severity=Severity.BLOCK,
                message="local contraindication",
            )
        ]


class NotAFinding:
    @hookimpl
    def bisphos_extra_findings(self) -> Sequence[object]:
        return ["remove fever"]


class Duplicate:
    @hookimpl
    def bisphos_register_protocols(self) -> Sequence[Protocol]:
        return [PediatricProtocol()]


class UnknownHook:
    @hookimpl
    def bisphos_no_such_hook(self) -> None:
        return None


def test_built_in_protocols_are_registered_through_the_hook() -> None:
    engine = Engine.create(entry_points=False)
    assert sorted(engine.protocols) == ["nl-oncology-bone-2016", "nl-pediatric-iv-bp-2024"]
    assert {p.name for p in engine.plugins} == {
        "bisphos.plugins.oncology",
        "bisphos.plugins.pediatric",
    }
    with pytest.raises(UnknownProtocolError):
        engine.protocol("nl-unknown")


def test_duplicate_protocol_id_is_an_error() -> None:
    with pytest.raises(ProtocolConflictError, match="registered twice"):
        engine_with(Duplicate())


def test_a_hook_without_specification_is_refused() -> None:
    with pytest.raises(PluginError):
        engine_with(UnknownHook())


def test_ten_times_dose_is_refused_and_recorded() -> None:
    """P-ZOL-CAP: a proposal above the hard limit is refused, whatever its reason code."""
    plan = engine_with(TenTimes()).plan(PATIENT)
    doses = [float(p.dose.value.m_as("mg")) for p in plan.infusions]
    assert doses == [0.25, 0.5, 1, 1, 1, 1]
    assert len(plan.adjustments) == 6
    assert not any(a.accepted for a in plan.adjustments)
    assert "above the hard limit" in plan.adjustments[2].reason


def test_lower_dose_is_accepted_and_prepared() -> None:
    plan = engine_with(Halve()).plan(PATIENT)
    assert [float(p.dose.value.m_as("mg")) for p in plan.infusions][:3] == [0.125, 0.25, 0.5]
    assert all(a.accepted for a in plan.adjustments)
    assert plan.infusions[0].preparation.dose == quantity(0.125, "mg")


def test_a_raising_plugin_is_a_typed_error() -> None:
    with pytest.raises(PluginError, match="RuntimeError: boom"):
        engine_with(Raises()).plan(PATIENT)


def test_local_block_blocks_and_core_findings_stay() -> None:
    plan = engine_with(LocalBlock()).plan(PATIENT)
    assert plan.status is PlanStatus.BLOCKED
    core = Engine.create(entry_points=False).plan(PATIENT)
    assert set(core.findings) < set(plan.findings)


def test_a_plugin_cannot_return_anything_but_findings() -> None:
    with pytest.raises(PluginError, match="not a Finding"):
        engine_with(NotAFinding()).plan(PATIENT)


def test_plan_records_plugins() -> None:
    plan = engine_with(Halve()).plan(PATIENT)
    assert "test-0" in {record.name for record in plan.plugins}


def test_pediatric_patient_is_not_an_oncology_plan() -> None:
    engine = Engine.create(entry_points=False)
    with pytest.raises(Exception, match="does not plan pediatric"):
        engine.plan(PATIENT, protocol_id="nl-oncology-bone-2016")


class _Quiet:
    """A plugin that implements a hook and proposes nothing."""

    @hookimpl
    def bisphos_extra_findings(self) -> Sequence[Finding]:
        return []


def test_a_blocked_plugin_takes_no_part_and_has_no_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name blocked by BISPHOS_DISABLE_PLUGINS or ``blocked`` is not loaded, and the plan's
    provenance lists only the plugins that took part (here the two built-in protocols)."""
    monkeypatch.setenv("BISPHOS_DISABLE_PLUGINS", "acme")
    engine = Engine.create(entry_points=False, plugins=[("acme", _Quiet()), ("other", _Quiet())])
    assert [r.name for r in engine.plugins] == [
        "bisphos.plugins.oncology",
        "bisphos.plugins.pediatric",
        "other",
    ]
    blocked = Engine.create(entry_points=False, blocked=["acme"], plugins=[("acme", _Quiet())])
    plan = blocked.plan(PATIENT)
    assert [r.name for r in plan.provenance.plugins] == [
        "bisphos.plugins.oncology",
        "bisphos.plugins.pediatric",
    ]
