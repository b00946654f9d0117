"""Evidence: every item with a field path and a display label, the same shape in every output.

The plan document, the ``check`` and ``check-order`` documents, the oncology recommendation and
both FHIR Bundles write each item as ``{path, label, name, value, threshold}``; the cards show
``label: value (limit ...) [path]``. The decision record keeps its own text of each item
(``name = value (limit ...)``), so that the records already stored replay byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from bisphos import cli
from bisphos.engine import Engine
from bisphos.errors import BisphosError
from bisphos.export.evidence import (
    EVIDENCE_SYSTEM,
    evidence_line,
    evidence_to_dict,
    typed_value,
)
from bisphos.export.fhir import plan_to_fhir_json
from bisphos.export.plan_json import plan_to_dict
from bisphos.findings import FIELD_PATH, Evidence, Finding, Severity, field_path
from bisphos.i18n import Language, catalogue, slug
from bisphos.io import load_patient
from bisphos.model import Patient
from bisphos.oncology.export import recommendation_to_dict
from bisphos.oncology.fhir import recommendation_to_fhir
from bisphos.oncology.patient_file import load_adult_patient
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.plan import Plan
from bisphos.plugins import hookimpl
from bisphos.records import record

ROOT = Path(__file__).parent.parent
PATIENTS = ROOT / "examples" / "patients"
EXAMPLES = sorted(p for p in PATIENTS.glob("*.*") if p.suffix in {".json", ".toml"})
ADULTS = sorted((PATIENTS / "oncology").glob("*.*"))
ENGINE = Engine.create(entry_points=False)
KEYS = ["path", "label", "name", "value", "threshold"]


def _label(name: str, lang: Language) -> str:
    """The catalogue's label of an evidence name, read from the catalogue here."""
    entry = catalogue().get(f"evidence.{slug(name)}")
    return name if entry is None else entry[lang]


def _items(document: object) -> Iterator[dict[str, Any]]:
    """Every evidence object anywhere in a JSON document."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "evidence" and isinstance(value, list):
                yield from (item for item in value if "path" in item or "name" in item)
            yield from _items(value)
    elif isinstance(document, list):
        for item in document:
            yield from _items(item)


def _expected(findings: Sequence[Finding], lang: Language) -> list[dict[str, Any]]:
    return [
        {
            "path": e.path,
            "label": _label(e.name, lang),
            "name": e.name,
            "value": typed_value(e.value),
            "threshold": None if e.threshold is None else typed_value(e.threshold),
        }
        for f in findings
        for e in f.evidence
    ]


def test_a_derived_value_has_its_words_as_path_and_a_field_is_its_own_path() -> None:
    assert field_path("labs.creatinine") == "labs.creatinine"
    assert field_path("bmd[0].z_score") == "bmd[0].z_score"
    assert field_path("albumin-corrected calcium") == "albumin_corrected_calcium"
    assert field_path("19th birthday") == "_19th_birthday"
    assert field_path("!!!") == "value"
    assert Evidence("heart rate", 90).path == "heart_rate"
    assert Evidence("lowest", 1.0, path="bmd.z_score").path == "bmd.z_score"


@pytest.mark.parametrize("path", ["", "Labs.calcium", "labs..calcium", "a b", "x\n", "labs.ca]"])
def test_an_evidence_path_that_is_not_a_field_path_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="field path"):
        Evidence("calcium", 2.0, path=path)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_pediatric_output_writes_each_item_with_path_and_label(path: Path) -> None:
    """The plan document (findings and follow-up), the check document and the FHIR Bundle: the
    same items, each with the plan's own path and value and the catalogue's label."""
    plan: Plan = ENGINE.plan(load_patient(path))
    for lang in ("en", "nl"):
        document = plan_to_dict(plan, lang)
        findings = [i for f in document["findings"] for i in f["evidence"]]
        assert findings == _expected(plan.findings, lang)
        for item in _items(document):
            assert list(item) == KEYS
            assert FIELD_PATH.match(item["path"])
        bundle = json.loads(plan_to_fhir_json(plan, lang))
        issues = [
            e["resource"]
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "DetectedIssue"
        ]
        codes = [
            code for issue in issues for item in issue.get("evidence", []) for code in item["code"]
        ]
        shown = [(c["coding"][0]["code"], c["coding"][0]["display"]) for c in codes]
        assert all(c["coding"][0]["system"] == EVIDENCE_SYSTEM for c in codes)
        assert set(shown) <= {(i["path"], i["label"]) for i in findings}
    assert all(FIELD_PATH.match(e.path) for f in plan.findings for e in f.evidence)


def test_the_check_document_writes_the_same_items(capsys: pytest.CaptureFixture[str]) -> None:
    """P-CI-FEVER, P-CI-HYPOCA: fever and low calcium, the same items as the plan's."""
    path = PATIENTS / "fever-and-low-calcium.json"
    assert cli.main(["check", str(path), "--format", "json", "--lang", "nl"], engine=ENGINE) == 1
    document = json.loads(capsys.readouterr().out)
    by_code = {f["code"]: f["evidence"] for f in document["findings"]}
    (calcium,) = by_code["hypocalcaemia"]
    assert (calcium["path"], calcium["label"]) == ("labs.calcium", "totaal calcium")
    assert calcium["value"] == {"type": "quantity", "value": 2.15, "unit": "mmol/L"}
    assert calcium["threshold"] == {"type": "quantity", "value": 2.2, "unit": "mmol/L"}
    (fever,) = by_code["fever"]
    assert (fever["path"], fever["label"]) == ("vitals.temperature", "temperatuur")
    assert fever["value"]["value"] == pytest.approx(38.9, abs=0.05)


def test_fracture_counts_and_the_lowest_z_score_name_their_fields() -> None:
    """P-FX-b, P-BMD: the counts and the lowest Z-score are labelled in words, found by path."""
    plan = ENGINE.plan(load_patient(PATIENTS / "oi-girl-20kg.json"))
    items = {item["path"]: item for item in _items(plan_to_dict(plan, "en"))}
    assert items["fractures.long_bone_before_10"]["label"] == "long-bone fractures before age 10"
    assert items["fractures.long_bone_before_10"]["threshold"] == {"type": "number", "value": 2}
    z_score = items["bmd.z_score"]
    assert z_score["label"].startswith("lowest DXA Z-score (")
    assert z_score["threshold"] == {"type": "number", "value": -2.0}


@pytest.mark.parametrize("path", ADULTS, ids=lambda p: p.name)
def test_every_oncology_output_writes_each_item_with_path_and_label(path: Path) -> None:
    result = ENGINE.recommend(load_adult_patient(path))
    for lang in ("en", "nl"):
        document = recommendation_to_dict(result, lang)
        findings = [i for f in document["findings"] for i in f["evidence"]]
        assert findings == _expected(result.findings, lang)
        bundle = recommendation_to_fhir(result, lang)
        for entry in bundle["entry"]:
            for item in entry["resource"].get("evidence", []):
                (code,) = item["code"]
                assert code["coding"][0]["system"] == EVIDENCE_SYSTEM
                assert FIELD_PATH.match(code["coding"][0]["code"])


def test_the_order_check_gives_a_contraindication_its_items(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-CI-FEVER: an order for today with fever is refused; the judgement carries the items."""
    path = PATIENTS / "fever-and-low-calcium.json"
    argv = ["check-order", str(path), "--drug", "zoledronic_acid", "--dose", "0.95 mg"]
    argv += ["--volume", "50 mL", "--duration", "1 h", "--format", "json"]
    assert cli.main(argv, engine=ENGINE) == 1
    document = json.loads(capsys.readouterr().out)
    refused = [j for j in document["judgements"] if j["aspect"] == "contraindication"]
    assert refused
    paths = {item["path"] for j in refused for item in j["evidence"]}
    assert {"vitals.temperature", "labs.calcium"} <= paths
    assert all(list(item) == KEYS for j in refused for item in j["evidence"])
    assert any(j["ordered"] == "total calcium: 2.15 mmol/l (limit 2.2 mmol/l)" for j in refused)


def test_the_cards_show_label_value_and_path() -> None:
    item = Evidence("labs.calcium", 2.0, 2.2)
    assert evidence_line(item, "en") == "total calcium: 2 (limit 2.2) [labs.calcium]"
    assert evidence_to_dict(item, "nl")["label"] == "totaal calcium"


def test_the_record_keeps_its_text_of_each_item() -> None:
    """Stored records replay byte for byte: the record writes ``name = value (limit ...)``."""
    plan = ENGINE.plan(load_patient(PATIENTS / "fever-and-low-calcium.json"))
    written = record(plan)["result"]["findings"]
    assert [e for f in written for e in f["evidence"]] == [
        str(e) for f in plan.findings for e in f.evidence
    ]


class _BadPath:
    """A plugin whose finding's evidence path was forced past the validator."""

    def __init__(self, path: object) -> None:
        self.path = path

    @hookimpl
    def bisphos_extra_findings(self, patient: Patient, assessment: Assessment) -> Sequence[Finding]:
        item = Evidence("labs.calcium", 2.0)
        object.__setattr__(item, "path", self.path)
        return [Finding("local", ("P-CI-HYPOCA",), Severity.WARN, "local note", (item,))]


class _Text(str):
    __slots__ = ()


@pytest.mark.parametrize("path", ["labs.calcium\n\x1b[2J", _Text("labs.calcium"), 7, None])
def test_the_gate_refuses_an_evidence_path_that_is_not_a_field_path(path: object) -> None:
    engine = Engine.create(entry_points=False, plugins=[("bad-path", _BadPath(path))])
    with pytest.raises(BisphosError, match="evidence path"):
        engine.plan(load_patient(PATIENTS / "oi-girl-20kg.json"))
    assert attrs.has(Evidence)
