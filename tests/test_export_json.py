"""The JSON plan: the shipped schema equals the generator; every plan validates; values in fixed
units equal the plan's."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bisphos.engine import Engine
from bisphos.export.plan_json import (
    FORMAT_VERSION,
    UNITS,
    plan_schema,
    plan_schema_json,
    plan_to_dict,
    plan_to_json,
)
from bisphos.io import load_patient
from bisphos.model import Drug
from bisphos.pediatric.plan import Plan, PlanRequest

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.*"))
ENGINE = Engine.create(entry_points=False)
# Dates are checked by the schema's pattern; the format checker is used once (it is slow).
VALIDATOR = jsonschema.Draft202012Validator(plan_schema())
#: A maintenance request: the command-line tests validate the default plan of every example.
MAINTENANCE = PlanRequest(maintenance=True)


def plan_of(name: str, request: PlanRequest | None = None) -> Plan:
    return ENGINE.plan(load_patient(ROOT / "examples" / "patients" / name), request)


def test_shipped_schema_equals_the_generated_one() -> None:
    shipped = files("bisphos").joinpath("plan.schema.json").read_text(encoding="utf-8")
    assert shipped == plan_schema_json(), "regenerate with bisphos.export.plan_json"


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(plan_schema())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_maintenance_plan_validates_against_the_schema(path: Path) -> None:
    """P-MAINT-ENTRY, P-MAINT-MID, P-MAINT-HIGH: maintenance plans, ready or refused."""
    plan = ENGINE.plan(load_patient(path), MAINTENANCE)
    document = json.loads(plan_to_json(plan))
    VALIDATOR.validate(document)
    assert document["status"] == plan.status.value
    assert document["request"]["maintenance"] is True
    assert len(document["infusions"]) == len(plan.infusions)


def test_pamidronate_and_zoledronic_acid_plans_validate() -> None:
    for drug in Drug:
        VALIDATOR.validate(plan_to_dict(plan_of("ped-missing-labs.json", PlanRequest(drug=drug))))


def test_dates_are_dates_for_the_format_checker() -> None:
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    document = plan_to_dict(plan_of("maintenance-oi.json", MAINTENANCE), "nl")
    jsonschema.Draft202012Validator(plan_schema(), format_checker=checker).validate(document)


def test_doses_volumes_and_rates_in_fixed_units() -> None:
    """P-ZOL-FIRST, P-ZOL-DOSE: 0.25 mg, then 0.5 mg, then 1 mg, each in 50 ml over 1 h."""
    document = plan_to_dict(plan_of("oi-girl-20kg.json"))
    doses = [item["dose"] for item in document["infusions"]]
    assert [d["value"] for d in doses] == [0.25, 0.5, 1.0, 1.0, 1.0, 1.0]
    assert {d["unit"] for d in doses} == {"mg"}
    first = document["infusions"][0]
    assert first["per_kg"] == {"value": 0.0125, "unit": "mg/kg"}
    assert first["preparation"]["volume"] == {"value": 50.0, "unit": "mL"}
    assert first["preparation"]["rate"] == {"value": 50.0, "unit": "mL/h"}
    assert first["daily_cap"] == {"value": 4.0, "unit": "mg"}
    assert first["daily_cap_rule_id"] == "P-ZOL-CAP"
    assert UNITS["rate"] == "mL/h"


def test_pamidronate_volume_is_dose_over_concentration_invariant_8() -> None:
    """Invariant 8, P-PAM-DOSE: volume = dose / 0.1 mg/ml; rate = volume / 4 h."""
    document = plan_to_dict(plan_of("oi-girl-20kg.json", PlanRequest(drug=Drug.PAMIDRONATE)))
    for item in document["infusions"]:
        preparation = item["preparation"]
        assert preparation["volume"]["value"] == pytest.approx(item["dose"]["value"] / 0.1)
        assert preparation["rate"]["value"] == pytest.approx(preparation["volume"]["value"] / 4)
        assert item["daily_cap"] == {"value": 90.0, "unit": "mg"}


def test_findings_keep_the_library_message_and_give_the_catalogue_text() -> None:
    """P-CI-FEVER: the block keeps its English message, code, rule ids and typed evidence."""
    document = plan_to_dict(plan_of("fever-and-low-calcium.json"), "nl")
    fever = next(f for f in document["findings"] if f["code"] == "fever")
    assert fever["severity"] == "block"
    assert fever["rule_ids"] == ["P-CI-FEVER"]
    assert fever["message"] == "Temperature above 38.5 °C: postpone the infusion."
    assert fever["text"]["message"] == "Temperatuur boven 38,5 °C: stel het infuus uit."
    evidence = fever["evidence"][0]
    assert evidence["name"] == "vitals.temperature"
    assert evidence["value"]["type"] == "quantity"
    assert evidence["threshold"] == {"type": "quantity", "value": 38.5, "unit": "degC"}
    assert document["cleared_today"] is False


def test_header_names_protocol_version_and_format() -> None:
    document: dict[str, Any] = plan_to_dict(plan_of("oi-girl-20kg.json"))
    assert document["format"] == "bisphos-plan"
    assert document["format_version"] == FORMAT_VERSION
    assert document["protocol"] == {"id": "nl-pediatric-iv-bp-2024", "version": "2024.05.3"}
    assert "P-ZOL-CAP" in document["rule_ids"]


def test_same_plan_gives_the_same_bytes() -> None:
    plan = plan_of("maintenance-oi.json", PlanRequest(maintenance=True))
    assert plan_to_json(plan) == plan_to_json(plan_of("maintenance-oi.json", plan.request))


def test_a_plan_with_nothing_planned_validates() -> None:
    """P-SCOPE-1: out of scope, no drug, no infusion, one blocking finding."""
    document = plan_to_dict(plan_of("ped-twenty-years-old.json"))
    VALIDATOR.validate(document)
    assert document["drug"] is None
    assert document["infusions"] == []
    assert [f["code"] for f in document["findings"]] == ["out-of-scope"]


def test_schema_refuses_evidence_whose_value_does_not_match_its_type() -> None:
    document = plan_to_dict(plan_of("fever-and-low-calcium.json"))
    evidence = document["findings"][1]["evidence"][0]
    for wrong in (
        {"type": "quantity", "value": 38.9},
        {"type": "date", "value": "23-11-2026"},
        {"type": "boolean", "value": "yes"},
        {"type": "number", "value": 1, "unit": "mg"},
        {"type": "colour", "value": "red"},
    ):
        evidence["value"] = wrong
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(document)


def test_schema_refuses_a_dose_in_another_unit() -> None:
    document = plan_to_dict(plan_of("oi-girl-20kg.json"))
    document["infusions"][0]["dose"] = {"value": 250.0, "unit": "ug"}
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(document)
