"""The plugin's hooks through a bisphos engine: what each changes, and what it cannot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from bisphos.engine import Engine
from bisphos.errors import PluginError
from bisphos.model import Drug, Patient
from bisphos.pediatric.plan import PlanRequest, PlanStatus
from bisphos.pediatric.schedule import Horizon
from bisphos.units import quantity

from umc_bisphos.plugin import UmcPlugin, plugin
from umc_bisphos.procedures import Procedure, ProceduresFile, StaticProcedures

EngineFactory = Callable[..., Engine]
NATIONAL = "nl-pediatric-iv-bp-2024"


def umc(*procedures: Procedure) -> tuple[str, UmcPlugin]:
    return ("umc", UmcPlugin(procedures=StaticProcedures(procedures)))


def mg(values: object) -> list[float]:
    return [float(p.dose.value.m_as("mg")) for p in values.infusions]  # type: ignore[attr-defined]


def test_zoledronic_acid_20_kg_stays_on_the_vial_steps(
    bisphos_engine_factory: EngineFactory, bisphos_example_patients: dict[str, Patient]
) -> None:
    """P-ZOL-FIRST, UMC-VIAL-1: 0.25, 0.5 and 1 mg are whole 1.25 ml steps: nothing proposed."""
    plan = bisphos_engine_factory(umc()).plan(bisphos_example_patients["oi-girl-20kg"])
    assert mg(plan) == [0.25, 0.5, 1, 1, 1, 1]
    assert plan.adjustments == ()
    assert "umc" in {record.name for record in plan.plugins}


def test_pamidronate_is_rounded_down_and_recorded(
    bisphos_engine_factory: EngineFactory, bisphos_example_patients: dict[str, Patient]
) -> None:
    """P-PAM-FIRST, UMC-VIAL-1: 37 kg: 37 mg -> 36 mg (12 ml), 74 mg -> 73.5 mg (24.5 ml)."""
    patient = attrs.evolve(bisphos_example_patients["oi-girl-20kg"], weight=quantity(37, "kg"))
    request = PlanRequest(drug=Drug.PAMIDRONATE, horizon=Horizon(infusions=2))
    plan = bisphos_engine_factory(umc()).plan(patient, request)
    assert mg(plan) == [36, 73.5]
    first = plan.adjustments[0]
    assert first.accepted
    assert first.reason_code == "UMC-VIAL-ROUNDING"
    assert first.rule_ids[0] == "UMC-VIAL-1"
    assert float(plan.infusions[0].preparation.volume.m_as("mL")) == 360  # 36 mg at 0.1 mg/ml


def test_bedside_schwartz_is_used_and_the_gate_stays(
    bisphos_engine_factory: EngineFactory, bisphos_example_patients: dict[str, Patient]
) -> None:
    """UMC-GFR-1, P-GFR: 40 x 112 / 47 = 95.3 allows zoledronic acid; 36.5 x 112 / 47 = 87.0
    does not, so the plugin plans pamidronate."""
    patient = bisphos_example_patients["oi-girl-20kg"]
    creatinine = patient.labs.creatinine
    assert creatinine is not None
    labs = attrs.evolve(
        patient.labs, creatinine=attrs.evolve(creatinine, value=quantity(47, "umol/L"))
    )
    patient = attrs.evolve(patient, labs=labs)
    assert bisphos_engine_factory().plan(patient).drug is Drug.ZOLEDRONIC_ACID
    plan = bisphos_engine_factory(umc()).plan(patient)
    assert plan.assessment.renal is not None
    estimate = plan.assessment.renal.estimate
    assert estimate is not None
    assert estimate.estimator == "schwartz-bedside-36.5"
    assert float(estimate.value.m_as("mL_min_1_73m2")) == pytest.approx(36.5 * 112 / 47)
    assert plan.drug is Drug.PAMIDRONATE
    assert "gfr-not-above-90" in {f.code for f in plan.findings}


@pytest.mark.parametrize(("days", "blocked"), [(0, True), (41, True), (42, False), (-3, False)])
def test_recent_procedure_blocks_for_6_weeks(
    bisphos_engine_factory: EngineFactory,
    bisphos_example_patients: dict[str, Patient],
    days: int,
    blocked: bool,
) -> None:
    """UMC-CI-1: a procedure 0-41 days ago blocks; on day 42, or a planned one, does not."""
    patient = bisphos_example_patients["oi-girl-20kg"]
    date = patient.assessment_date - dt.timedelta(days=days)
    procedure = Procedure(patient.patient_id, "osteotomy", date)
    plan = bisphos_engine_factory(umc(procedure)).plan(patient)
    local = [f for f in plan.findings if f.rule_ids == ("UMC-CI-1",)]
    assert bool(local) is blocked
    assert plan.status is (PlanStatus.BLOCKED if blocked else PlanStatus.READY)
    core = bisphos_engine_factory().plan(patient)
    assert set(core.findings) - {f for f in core.findings if f.code.startswith("gfr-")} <= set(
        plan.findings
    )


def test_patient_without_identifier_gets_a_warning(
    bisphos_engine_factory: EngineFactory, bisphos_example_patients: dict[str, Patient]
) -> None:
    """UMC-CI-1: no identifier, no look-up: a WARN, not a silent clearance."""
    patient = attrs.evolve(bisphos_example_patients["oi-girl-20kg"], patient_id="")
    plan = bisphos_engine_factory(umc()).plan(patient)
    assert "umc-procedures-not-checked" in {f.code for f in plan.findings}


def test_procedures_file_and_unreadable_export(
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
    bisphos_engine_factory: EngineFactory,
    bisphos_example_patients: dict[str, Patient],
) -> None:
    """UMC-CI-1 from the JSON export; an unreadable export is a PluginError, never a clearance."""
    export = Path(str(tmp_path)) / "procedures.json"
    patient = bisphos_example_patients["oi-girl-20kg"]
    export.write_text(
        '[{"patient_id": "oi-girl-20kg", "kind": "rodding", "date": "2026-11-01"}]',
        encoding="utf-8",
    )
    monkeypatch.setenv("UMC_BISPHOS_PROCEDURES", str(export))
    plan = bisphos_engine_factory(("umc", UmcPlugin(procedures=ProceduresFile()))).plan(patient)
    assert plan.status is PlanStatus.BLOCKED
    export.write_text("not json", encoding="utf-8")
    with pytest.raises(PluginError, match="bisphos_extra_findings"):
        bisphos_engine_factory(("umc", UmcPlugin(procedures=ProceduresFile()))).plan(patient)


def test_installed_plugin_is_found_through_its_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry point ``umc`` registers the local protocol; BISPHOS_DISABLE_PLUGINS blocks it."""
    monkeypatch.delenv("BISPHOS_DISABLE_PLUGINS", raising=False)
    engine = Engine.create()
    assert "umc-pamidronate-cyclical-2025" in engine.protocols
    record = next(r for r in engine.plugins if r.name == "umc")
    assert record.distribution == "umc-bisphos"
    assert record.version == "2025.1.0"
    assert engine.manager.get_plugin("umc") is plugin
    monkeypatch.setenv("BISPHOS_DISABLE_PLUGINS", "umc")
    assert "umc-pamidronate-cyclical-2025" not in Engine.create().protocols


def test_the_plugins_findings_are_dutch_in_dutch_output(
    bisphos_engine_factory: EngineFactory, bisphos_example_patients: dict[str, Patient]
) -> None:
    """UMC-CI-1: the plugin's catalogue words its block in Dutch, the date and days its own."""
    from bisphos.i18n import localize, registered_catalogues
    from bisphos.report import render_plan

    patient = bisphos_example_patients["oi-girl-20kg"]
    date = patient.assessment_date - dt.timedelta(days=10)
    procedure = Procedure(patient.patient_id, "osteotomy", date)
    plan = bisphos_engine_factory(umc(procedure)).plan(patient)
    assert "umc_bisphos" in dict(registered_catalogues())
    block = next(f for f in plan.findings if f.code == "umc-recent-orthopaedic-procedure")
    dutch = localize(block, "nl")
    assert dutch.from_catalogue
    until = (date + dt.timedelta(days=42)).strftime("%d-%m-%Y")
    assert dutch.message == (
        f"osteotomie op {date.strftime('%d-%m-%Y')}, 10 dagen geleden: geen bisfosfonaatinfuus "
        "binnen 6 weken na een orthopedische ingreep"
    )
    assert dutch.action == f"stel het infuus uit tot {until} of later"
    assert "dagen sinds de ingreep: 10 (grens 42)" in dutch.evidence
    # English keeps the plugin's own words, and the Dutch report shows no English of the plugin.
    assert localize(block, "en").message == block.message
    report = render_plan(plan, "nl")
    assert block.message not in report
    assert "osteotomie op" in report


def test_a_catalogue_that_is_not_a_message_catalogue_is_refused(
    bisphos_engine_factory: EngineFactory,
) -> None:
    """A hook returning a bare path is a PluginError, not a silently English report."""
    from bisphos.plugins import hookimpl

    class Wrong:
        @hookimpl
        def bisphos_message_catalogues(self) -> list[object]:
            return [Path(__file__).parent]

    with pytest.raises(PluginError, match="bisphos_message_catalogues"):
        bisphos_engine_factory(("wrong", Wrong()))


def test_the_ward_formulary_draws_up_its_stock_solutions(
    bisphos_engine_factory: EngineFactory, bisphos_example_patients: dict[str, Patient]
) -> None:
    """UMC-PREP-1, P-PREP-PRODUCT: 20 kg, zoledronic acid 4 mg/100 ml (0.04 mg/ml) with 0.1 ml
    syringes: 0.25 mg is 6.25 ml, half a step rounds down to 6.2 ml, 0.248 mg, made up with
    43.8 ml NaCl 0.9 % to 50 ml; 1 mg is 25 ml exactly, with 25 ml NaCl 0.9 %."""
    plan = bisphos_engine_factory(umc()).plan(bisphos_example_patients["oi-girl-20kg"])
    first, fourth = plan.infusions[0].preparation, plan.infusions[3].preparation
    assert first.product.name == "zoledronic acid 4 mg/100 ml solution for infusion"
    assert first.syringe_resolution == quantity(0.1, "mL")
    assert (first.concentrate_volume, first.delivered) == (
        quantity(6.2, "mL"),
        quantity(0.248, "mg"),
    )
    assert (first.diluent_volume, first.volume) == (quantity(43.8, "mL"), quantity(50, "mL"))
    assert (fourth.concentrate_volume, fourth.delivered) == (quantity(25, "mL"), quantity(1, "mg"))
    assert "formulary of umc (UMC-PREP-1)" in first.choices[-2].option


def test_the_ward_pamidronate_is_drawn_up_from_3_mg_per_ml_vials(
    bisphos_engine_factory: EngineFactory, bisphos_example_patients: dict[str, Patient]
) -> None:
    """UMC-VIAL-1, UMC-PREP-1: 37 kg: 36 mg is 12 ml of 3 mg/ml (2 vials of 10 ml), 73.5 mg is
    24.5 ml (3 vials): whole 0.1 ml steps, delivered as planned."""
    patient = attrs.evolve(bisphos_example_patients["oi-girl-20kg"], weight=quantity(37, "kg"))
    request = PlanRequest(drug=Drug.PAMIDRONATE, horizon=Horizon(infusions=2))
    plan = bisphos_engine_factory(umc()).plan(patient, request)
    drawn = [
        (
            p.preparation.concentrate_volume.m_as("mL"),
            p.preparation.delivered.m_as("mg"),
            p.preparation.vials,
        )
        for p in plan.infusions
    ]
    assert drawn == [(12.0, 36.0, 2), (24.5, 73.5, 3)]
