"""Provenance on every result, refusals included: protocol, library, plugins, rules, input."""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import re
from pathlib import Path
from typing import get_type_hints

import attrs
import pytest

from bisphos import __version__
from bisphos.engine import Engine
from bisphos.errors import InvalidValueError
from bisphos.io import load_patient, patient_from_text, patient_to_dict
from bisphos.model import Drug, Patient
from bisphos.oncology.patient import AdultPatient, Setting, Tumour
from bisphos.oncology.recommendation import recommend
from bisphos.pediatric.assessment import assess
from bisphos.pediatric.plan import Plan, PlanRequest, PlanStatus, make_plan
from bisphos.protocols import PluginRecord
from bisphos.provenance import (
    Provenance,
    canonical_json,
    input_digest,
    normalise,
    plugin_from_dict,
    sha256_hex,
)
from bisphos.units import quantity

EXAMPLES = Path(__file__).parent.parent / "examples" / "patients"
ENGINE = Engine.create(entry_points=False)
BUILTINS = (
    PluginRecord("bisphos.plugins.oncology", "bisphos", __version__, builtin=True),
    PluginRecord("bisphos.plugins.pediatric", "bisphos", __version__, builtin=True),
)
HEX64 = re.compile(r"[0-9a-f]{64}")


def example(name: str) -> Patient:
    return load_patient(EXAMPLES / name)


def adult(**changes: object) -> AdultPatient:
    values: dict[str, object] = {
        "birth_date": dt.date(1955, 3, 1),
        "assessment_date": dt.date(2026, 1, 15),
        "sex": "female",
        "weight": quantity(70, "kg"),
        "setting": Setting.BONE_METASTASES,
        "tumour": Tumour.BREAST,
        "serum_creatinine": quantity(80, "umol/L"),
    }
    values.update(changes)
    return AdultPatient(**values)  # type: ignore[arg-type]


def sha256_of_patient(patient: Patient) -> str:
    text = json.dumps(
        patient_to_dict(patient), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check(provenance: Provenance, *, protocol: str, rule_ids: tuple[str, ...]) -> None:
    assert provenance.protocol_id == protocol
    assert provenance.protocol_version in {"2024.05.3", "1.1.0"}
    assert provenance.library_version == __version__
    assert provenance.plugins == BUILTINS
    assert provenance.rule_ids == rule_ids
    assert provenance.rule_ids
    assert HEX64.fullmatch(provenance.patient_sha256)
    assert HEX64.fullmatch(provenance.input_sha256)


PLAN_CASES = [
    ("oi-girl-20kg.json", PlanRequest(), PlanStatus.READY),
    ("ped-fever-38-6.json", PlanRequest(), PlanStatus.BLOCKED),
    ("ped-wnt1-variant.json", PlanRequest(), PlanStatus.NOT_INDICATED),
    ("ped-twenty-years-old.json", PlanRequest(), PlanStatus.OUT_OF_SCOPE),
    ("ped-gfr-exactly-90.json", PlanRequest(drug=Drug.ZOLEDRONIC_ACID), PlanStatus.REFUSED),
]


@pytest.mark.parametrize(("name", "request_", "status"), PLAN_CASES)
def test_every_plan_status_carries_provenance(
    name: str, request_: PlanRequest, status: PlanStatus
) -> None:
    """Refusals (refused, not indicated, out of scope) carry the same provenance as a ready plan:
    protocol nl-pediatric-iv-bp-2024 2024.05.3, bisphos version, the built-in plugins, the rule
    ids it rests on (P-GFR for the refusal at a GFR of exactly 90, P-SCOPE-1 out of scope,
    P-IND-GENE for a WNT1 variant) and the SHA-256 of the patient as patient_to_dict writes it."""
    patient = example(name)
    plan = ENGINE.plan(patient, request_)
    assert plan.status is status
    check(plan.provenance, protocol="nl-pediatric-iv-bp-2024", rule_ids=plan.rule_ids)
    assert plan.provenance.patient_sha256 == sha256_of_patient(patient)
    expected_ids = {
        PlanStatus.REFUSED: "P-GFR",
        PlanStatus.OUT_OF_SCOPE: "P-SCOPE-1",
        PlanStatus.NOT_INDICATED: "P-IND-GENE",
        PlanStatus.BLOCKED: "P-CI-FEVER",
        PlanStatus.READY: "P-ZOL-FIRST",
    }
    assert expected_ids[status] in plan.provenance.rule_ids


def test_assessment_and_oncology_recommendation_carry_provenance() -> None:
    """The assessment (P-SCOPE-1 ... P-MON-HYPOCA) and the oncology recommendation (O-SRE-BREAST,
    and O-SCOPE for a refused child) carry provenance, the patient's digest included."""
    patient = example("oi-girl-20kg.json")
    assessment = ENGINE.assess(patient)
    check(
        assessment.provenance,
        protocol="nl-pediatric-iv-bp-2024",
        rule_ids=tuple(dict.fromkeys(r for f in assessment.findings for r in f.rule_ids)),
    )
    assert assessment.provenance.patient_sha256 == sha256_of_patient(patient)
    # An assessment takes no request: its input is the patient alone.
    assert assessment.provenance.input_sha256 == input_digest(patient_to_dict(patient))

    result = ENGINE.recommend(adult())
    check(result.provenance, protocol="nl-oncology-bone-2016", rule_ids=result.rule_ids)
    assert "O-SRE-BREAST" in result.provenance.rule_ids
    assert result.provenance.patient_sha256 == sha256_hex(normalise(adult()))

    child = ENGINE.recommend(adult(birth_date=dt.date(2012, 1, 1)))
    assert not child.in_scope
    check(child.provenance, protocol="nl-oncology-bone-2016", rule_ids=child.rule_ids)
    assert "O-SCOPE" in child.provenance.rule_ids


def test_every_result_type_of_the_engine_carries_provenance() -> None:
    """Every public method of Engine that returns a result returns a type with a provenance: a new
    result type without one fails here."""
    result_types = []
    for name, method in inspect.getmembers(Engine, inspect.isfunction):
        if name.startswith("_"):
            continue
        returned = get_type_hints(method).get("return")
        if isinstance(returned, type) and attrs.has(returned):
            result_types.append(returned)
    assert {t.__name__ for t in result_types} == {"Assessment", "Plan", "OncologyRecommendation"}
    for result_type in result_types:
        prop = getattr(result_type, "provenance", None)
        assert isinstance(prop, property), result_type
        assert get_type_hints(prop.fget)["return"] is Provenance


def test_results_made_without_the_engine_carry_provenance_without_plugins() -> None:
    """A direct call of make_plan, assess or recommend loads no plugin, and says so."""
    patient = example("oi-girl-20kg.json")
    for provenance in (
        make_plan(patient).provenance,
        assess(patient).provenance,
        recommend(adult()).provenance,
    ):
        assert provenance.plugins == ()
        assert provenance.library_version == __version__


def test_engine_plan_and_its_assessment_name_the_loaded_plugins() -> None:
    plan = ENGINE.plan(example("oi-girl-20kg.json"))
    assert plan.plugins == BUILTINS
    assert plan.assessment.provenance.plugins == BUILTINS


def test_digest_ignores_layout_and_key_order_of_the_file() -> None:
    """The same patient written with other whitespace and key order has the same digest."""
    text = (EXAMPLES / "oi-girl-20kg.json").read_text(encoding="utf-8")
    data = json.loads(text)
    shuffled = json.dumps(dict(reversed(list(data.items()))), indent=7)
    first = ENGINE.plan(patient_from_text(text, file_format="json")).provenance
    second = ENGINE.plan(patient_from_text(shuffled, file_format="json")).provenance
    assert first == second


def test_digest_changes_with_the_patient_and_with_the_request() -> None:
    patient = example("oi-girl-20kg.json")
    base = ENGINE.plan(patient).provenance
    other_request = ENGINE.plan(patient, PlanRequest(drug=Drug.PAMIDRONATE)).provenance
    assert other_request.patient_sha256 == base.patient_sha256
    assert other_request.input_sha256 != base.input_sha256
    heavier = attrs.evolve(patient, weight=quantity(21, "kg"))
    assert ENGINE.plan(heavier).provenance.patient_sha256 != base.patient_sha256


def test_plan_equality_ignores_the_stored_patient_object() -> None:
    """Plans compare by what they decide; the patient is kept for provenance and records."""
    patient = example("oi-girl-20kg.json")
    assert make_plan(patient) == make_plan(attrs.evolve(patient))
    assert isinstance(make_plan(patient), Plan)


def test_canonical_json_sorts_keys_and_has_no_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [1.5, "µ"]}) == '{"a":[1.5,"µ"],"b":1}'
    assert sha256_hex({"a": 1}) == hashlib.sha256(b'{"a":1}').hexdigest()
    with pytest.raises(InvalidValueError):
        canonical_json({"a": float("nan")})


def test_normalise_writes_quantities_exactly_and_refuses_unknown_values() -> None:
    assert normalise(quantity(0.1 + 0.2, "mg")) == "0.30000000000000004 mg"
    assert normalise(PlanRequest())["dosing"]["zoledronic_first_per_kg"] == "0.0125 mg/kg"  # type: ignore[index]
    with pytest.raises(InvalidValueError):
        normalise({1, 2})


def test_provenance_round_trips_through_its_dictionary() -> None:
    provenance = ENGINE.plan(example("oi-girl-20kg.json")).provenance
    data = json.loads(json.dumps(provenance.to_dict()))
    assert Provenance.from_dict(data) == provenance
    assert list(data) == [
        "protocol_id",
        "protocol_version",
        "library_version",
        "plugins",
        "rule_ids",
        "patient_sha256",
        "input_sha256",
    ]


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("protocol_id", 3, "provenance.protocol_id"),
        ("plugins", "none", "provenance.plugins"),
        ("rule_ids", [1], "provenance.rule_ids"),
    ],
)
def test_provenance_from_dict_names_the_bad_field(key: str, value: object, field: str) -> None:
    data = ENGINE.plan(example("oi-girl-20kg.json")).provenance.to_dict()
    data[key] = value
    with pytest.raises(InvalidValueError) as caught:
        Provenance.from_dict(data)
    assert caught.value.field == field


def test_plugin_record_from_dict_refuses_a_missing_version() -> None:
    with pytest.raises(InvalidValueError) as caught:
        plugin_from_dict({"name": "x", "distribution": "y", "builtin": False}, field="p[0]")
    assert caught.value.field == "p[0]"
