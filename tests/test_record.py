"""Decision records: stable JSON, a byte-for-byte replay, and a replay that names what differs."""

from __future__ import annotations

import datetime as dt
import json
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bisphos import __version__
from bisphos.engine import Engine
from bisphos.errors import InvalidValueError
from bisphos.io import load_patient, patient_to_dict
from bisphos.model import Drug, Patient
from bisphos.pediatric.dosing import DosingOptions
from bisphos.pediatric.infusion import PreparationOptions
from bisphos.pediatric.plan import PlanRequest, PlanStatus
from bisphos.pediatric.schedule import Horizon
from bisphos.records import (
    Difference,
    differences,
    load_record,
    record,
    record_json,
    replay,
    request_from_dict,
    request_to_dict,
    to_json,
)
from bisphos.testing.strategies import patients
from bisphos.units import quantity
from tests._profiles import examples

EXAMPLES = Path(__file__).parent.parent / "examples" / "patients"
ENGINE = Engine.create(entry_points=False)
OI_GIRL = load_patient(EXAMPLES / "oi-girl-20kg.json")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.*")), ids=lambda path: path.name)
def test_record_of_every_example_replays_byte_for_byte(path: Path) -> None:
    """Invariant 9 on the record: every example plan (ready, blocked, not indicated, out of scope)
    is recorded with its rule ids and replays to the same bytes."""
    text = record_json(ENGINE.plan(load_patient(path)))
    report = replay(text, engine=ENGINE)
    assert report.identical
    assert report.reproduced
    assert report.differences == ()
    assert report.causes == ()
    assert report.replayed == text
    assert report.explain().splitlines()[0] == "Reproduced byte for byte."
    assert report.signature.status == "unsigned"
    data = json.loads(text)
    assert all(finding["rule_ids"] for finding in data["result"]["findings"])
    assert all(infusion["rule_ids"] for infusion in data["result"]["infusions"])


@settings(max_examples=examples(0.1))
@given(patients(), st.sampled_from([None, *Drug]))
def test_every_plan_replays_to_the_same_bytes(patient: Patient, drug: Drug | None) -> None:
    """Invariant 9 and replay: for any patient and requested drug, the record names rule ids on
    every finding and infusion, and recomputing it gives the same bytes (a tenth of the profile's
    examples: each one plans twice)."""
    text = record_json(ENGINE.plan(patient, PlanRequest(drug=drug)))
    report = replay(text, engine=ENGINE)
    assert report.identical, report.explain()
    data = json.loads(text)
    assert all(finding["rule_ids"] for finding in data["result"]["findings"])
    assert all(infusion["rule_ids"] for infusion in data["result"]["infusions"])


def test_record_keys_come_in_a_fixed_order() -> None:
    data = record(ENGINE.plan(OI_GIRL))
    assert list(data) == ["format", "record_version", "kind", "provenance", "input", "result"]
    assert list(data["input"]) == ["patient", "request"]
    assert list(data["result"]) == [
        "status",
        "patient_id",
        "assessment_date",
        "drug",
        "band",
        "assessment",
        "maintenance",
        "infusions",
        "follow_up",
        "findings",
        "adjustments",
    ]
    assert record_json(ENGINE.plan(OI_GIRL)) == record_json(ENGINE.plan(OI_GIRL))


def test_record_of_a_first_zoledronic_acid_infusion() -> None:
    """P-ZOL-FIRST, P-ZOL-DOSE, P-ZOL-CAP: 20 kg at 0.0125 mg/kg is 0.25 mg in 50 ml NaCl 0.9 % over
    1 hour (50 ml/h), under the first-dose ceiling of 0.5 mg and the 4 mg daily cap; the second
    infusion follows after 3 months at 0.025 mg/kg, then 0.05 mg/kg every 6 months (P-ZOL-FREQ)."""
    result = record(ENGINE.plan(OI_GIRL))["result"]
    assert result["status"] == "ready"
    assert result["drug"] == "zoledronic_acid"
    first = result["infusions"][0]
    assert first["date"] == "2026-11-23"
    assert first["phase"] == "first"
    assert first["dose"] == "0.25 mg"
    assert first["per_kg"] == "0.0125 mg/kg"
    assert first["weight"] == "20.0 kg"
    assert first["ceiling"] == "0.5 mg"
    assert first["daily_cap"] == "4.0 mg"
    assert first["cap_applied"] is False
    assert first["volume"] == "50.0 mL"
    assert first["duration"] == "1.0 h"
    assert first["rate"] == "50.0 mL/h"
    assert set(first["rule_ids"]) == {"P-ZOL-FIRST", "P-ZOL-DOSE", "P-ZOL-CAP", "P-PREP-PRODUCT"}
    # P-PREP-PRODUCT: 0.25 mg is 0.3125 ml of 0.8 mg/ml; 0.31 ml delivers 0.248 mg.
    assert first["product"] == "zoledronic acid concentrate 4 mg/5 ml"
    assert first["product_concentration"] == "0.8 mg/mL"
    assert (first["vial"], first["vials"]) == ("5.0 mL", 1)
    assert first["syringe_resolution"] == "0.01 mL"
    assert first["concentrate_volume"] == "0.31 mL"
    assert first["delivered"] == "0.248 mg"
    assert first["diluent_volume"] == "49.69 mL"
    assert first["concentration"] == "0.00496 mg/mL"
    assert first["dose_rate"] == "0.248 mg/h"
    dates_and_doses = [(item["date"], item["dose"]) for item in result["infusions"][:3]]
    assert dates_and_doses == [
        ("2026-11-23", "0.25 mg"),
        ("2027-02-23", "0.5 mg"),
        ("2027-08-23", "1.0 mg"),
    ]
    assert {entry["kind"] for entry in result["follow_up"]} == {"labs", "dxa", "centre"}


def test_record_of_a_refusal_names_the_rule_and_the_values() -> None:
    """P-GFR: zoledronic acid requested at a GFR of exactly 90 is refused; the record keeps the
    request, the refusal and its evidence as text with units, and no infusion."""
    patient = load_patient(EXAMPLES / "ped-gfr-exactly-90.json")
    data = record(ENGINE.plan(patient, PlanRequest(drug=Drug.ZOLEDRONIC_ACID)))
    result, request = data["result"], data["input"]["request"]
    assert result["status"] == PlanStatus.REFUSED.value
    assert result["drug"] is None
    assert result["infusions"] == []
    assert request["drug"] == "zoledronic_acid"
    refusal = next(f for f in result["findings"] if f["code"] == "drug-not-allowed")
    assert refusal["rule_ids"] == ["P-GFR"]
    assert refusal["severity"] == "block"
    assert "gfr = 90.0 mL/min/1.73m2 (limit 90.0 mL/min/1.73m2)" in refusal["evidence"]
    assert replay(to_json(data), engine=ENGINE).identical


def test_record_input_is_the_normalised_patient_and_the_whole_request() -> None:
    data = record(ENGINE.plan(OI_GIRL))
    assert data["input"]["patient"] == patient_to_dict(OI_GIRL)
    request = data["input"]["request"]
    assert request["dosing"]["hungry_bones_infusions"] == 2
    assert request["preparation"] == {"zoledronic_volume": "50.0 mL"}


def test_request_round_trips_with_every_option_changed() -> None:
    request = PlanRequest(
        drug=Drug.PAMIDRONATE,
        start=dt.date(2026, 12, 1),
        horizon=Horizon(infusions=3, until=dt.date(2028, 1, 1)),
        maintenance=True,
        dosing=DosingOptions(
            zoledronic_first_per_kg=quantity(0.025, "mg/kg"),
            zoledronic_high_band_per_kg=quantity(0.02, "mg/kg"),
            hungry_bones_infusions=3,
            zoledronic_precision=quantity(0.01, "mg"),
            pamidronate_precision=quantity(1, "mg"),
        ),
        preparation=PreparationOptions(zoledronic_volume=quantity(100, "mL")),
    )
    data = json.loads(json.dumps(request_to_dict(request)))
    assert request_from_dict(data) == request
    assert request_from_dict({}) == PlanRequest()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "request"),
        ({"drug": "aspirin"}, "request.drug"),
        ({"start": "2026-13-01"}, "request.start"),
        ({"maintenance": "yes"}, "request.maintenance"),
        ({"horizon": {"infusions": True}}, "request.horizon.infusions"),
        ({"dosing": {"hungry_bones_infusions": "2"}}, "request.dosing.hungry_bones_infusions"),
        ({"dosing": []}, "request.dosing"),
    ],
)
def test_request_from_dict_names_the_bad_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        request_from_dict(change)
    assert caught.value.field == field


def test_request_from_dict_keeps_the_guideline_checks_of_the_options() -> None:
    """P-ZOL-FIRST: a first dose of 0.05 mg/kg is not an option, in a record either."""
    with pytest.raises(InvalidValueError) as caught:
        request_from_dict({"dosing": {"zoledronic_first_per_kg": "0.05 mg/kg"}})
    assert caught.value.field == "options.zoledronic_first_per_kg"


def _write_distribution(root: Path, version: str, volume_ml: int) -> None:
    """An installed distribution ``acme-local`` whose plugin proposes a zoledronic acid volume."""
    root.mkdir(parents=True)
    (root / "acme_volume.py").write_text(
        textwrap.dedent(
            f"""
            from bisphos.pediatric.adjustments import VolumeProposal
            from bisphos.plugins import hookimpl
            from bisphos.units import quantity


            @hookimpl
            def bisphos_infusion_volume(preparation):
                return VolumeProposal(
                    plugin="acme_volume",
                    volume=quantity({volume_ml}, "mL"),
                    reason="the ward's standard bag",
                )
            """
        ),
        encoding="utf-8",
    )
    info = root / f"acme_local-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: acme-local\nVersion: {version}\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[bisphos]\nacme_volume = acme_volume\n", encoding="utf-8"
    )


def _engine_with_distribution(
    monkeypatch: pytest.MonkeyPatch, root: Path, version: str, volume_ml: int
) -> Engine:
    _write_distribution(root, version, volume_ml)
    monkeypatch.delitem(sys.modules, "acme_volume", raising=False)
    monkeypatch.syspath_prepend(str(root))
    return Engine.create(entry_points=True)


def test_replay_with_another_plugin_version_names_the_plugin_and_the_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """P-ZOL-DOSE: a local plugin sets the zoledronic acid volume (50 to 100 ml). A plan recorded
    with acme-local 1.0 (100 ml) and replayed with acme-local 1.1 (80 ml) is not reproduced: the
    report lists the volume and rate of every infusion and names the plugin and both versions."""
    with monkeypatch.context() as patch:
        old = _engine_with_distribution(patch, tmp_path / "v1", "1.0", 100)
        recorded_plan = old.plan(OI_GIRL)
    plugin = next(p for p in recorded_plan.plugins if p.name == "acme_volume")
    assert (plugin.distribution, plugin.version, plugin.builtin) == ("acme-local", "1.0", False)
    assert recorded_plan.infusions[0].preparation.volume == quantity(100, "mL")
    text = record_json(recorded_plan)
    assert replay(text, engine=old).identical

    new = _engine_with_distribution(monkeypatch, tmp_path / "v2", "1.1", 80)
    report = replay(text, engine=new)
    assert not report.identical
    assert not report.reproduced
    paths = {difference.path for difference in report.differences}
    assert "provenance.plugins[0].version" in paths
    assert "result.infusions[0].volume" in paths
    assert "result.infusions[0].rate" in paths
    assert "provenance.input_sha256" not in paths
    volume = next(d for d in report.differences if d.path == "result.infusions[0].volume")
    assert (volume.recorded, volume.replayed) == ('"100.0 mL"', '"80.0 mL"')
    assert report.causes == ("plugin 'acme_volume': recorded acme-local 1.0, now acme-local 1.1",)
    assert "acme-local 1.0, now acme-local 1.1" in report.explain()


def test_replay_names_another_library_and_protocol_version() -> None:
    data = record(ENGINE.plan(OI_GIRL))
    data["provenance"]["library_version"] = "0.0.1"
    data["provenance"]["protocol_version"] = "2024.05.0"
    report = replay(data, engine=ENGINE)
    assert {d.path for d in report.differences} == {
        "provenance.library_version",
        "provenance.protocol_version",
    }
    assert report.causes == (
        f"bisphos version: recorded 0.0.1, now {__version__}",
        "protocol nl-pediatric-iv-bp-2024 version: recorded 2024.05.0, now 2024.05.3",
    )


def test_replay_reports_an_edited_input() -> None:
    """P-ZOL-FIRST: a weight edited from 20 to 40 kg after recording doubles the first dose, and
    the replay says the stored input no longer matches its digest."""
    data = record(ENGINE.plan(OI_GIRL))
    data["input"]["patient"]["weight"] = "40 kg"
    report = replay(data, engine=ENGINE)
    changed = {d.path: d for d in report.differences}
    assert changed["result.infusions[0].dose"].recorded == '"0.25 mg"'
    assert changed["result.infusions[0].dose"].replayed == '"0.5 mg"'
    assert report.causes == (
        "the stored input does not hash to the recorded input_sha256: the record was edited",
    )


def test_replay_without_version_change_says_the_change_is_unexplained() -> None:
    data = record(ENGINE.plan(OI_GIRL))
    data["result"]["infusions"][0]["dose"] = "0.3 mg"
    report = replay(data, engine=ENGINE)
    assert report.differences == (Difference("result.infusions[0].dose", '"0.3 mg"', '"0.25 mg"'),)
    assert report.causes[0].startswith("no version differs")
    assert report.to_dict()["differences"] == [
        {"path": "result.infusions[0].dose", "recorded": '"0.3 mg"', "replayed": '"0.25 mg"'}
    ]


def test_replay_of_another_layout_reproduces_the_values_only() -> None:
    data = record(ENGINE.plan(OI_GIRL))
    report = replay(json.dumps(data, indent=4), engine=ENGINE)
    assert not report.identical
    assert report.reproduced
    assert report.explain().splitlines()[0] == (
        "Reproduced: the same values, written with another layout."
    )


def test_replay_of_an_unregistered_protocol_reports_instead_of_raising() -> None:
    data = record(ENGINE.plan(OI_GIRL))
    data["provenance"]["protocol_id"] = "acme-local-2020"
    report = replay(data, engine=ENGINE)
    assert not report.reproduced
    assert "no protocol is registered under this id" in report.error
    assert report.causes == ("protocol acme-local-2020 is not registered now",)
    assert report.explain().startswith("Not recomputed:")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{", "record"),
        ('{"format": "other"}', "record.format"),
        ('{"format": "bisphos-decision-record", "record_version": 2}', "record.record_version"),
        (
            '{"format": "bisphos-decision-record", "record_version": 1, "kind": "x"}',
            "record.kind",
        ),
        (
            json.dumps(
                {
                    "format": "bisphos-decision-record",
                    "record_version": 1,
                    "kind": "pediatric-plan",
                    "provenance": {},
                    "input": {},
                }
            ),
            "record.result",
        ),
    ],
)
def test_load_record_refuses_what_is_not_a_record(text: str, field: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        load_record(text)
    assert caught.value.field == field


def test_differences_walk_objects_and_lists_by_path() -> None:
    assert differences({"a": [1, 2], "b": {"c": 1}}, {"a": [1], "b": {"c": 1.0, "d": None}}) == (
        Difference("a[1]", "2", "(absent)"),
        Difference("b.c", "1", "1.0"),
        Difference("b.d", "(absent)", "null"),
    )
