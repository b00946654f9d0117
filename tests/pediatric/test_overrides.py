"""A clinician's override of a soft limit (P-OVERRIDE); the plausible weight (P-WEIGHT-PLAUSIBLE).

The issue's case: the example girl (7 years 8 months, 112 cm) entered as 200 kg or 2 kg must not
get a ready plan; a weight checked and confirmed proceeds with an override that names a coded
reason, the clinician and the time, and is in the request, the record and every output.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.engine import Engine
from bisphos.errors import InvalidValueError, OverrideError
from bisphos.export.plan_json import plan_schema, plan_to_dict
from bisphos.findings import Finding, Severity
from bisphos.io import load_patient
from bisphos.model import Patient
from bisphos.pediatric.growth import check_weight, lms, modified_z_score
from bisphos.pediatric.overrides import (
    HARD_LIMIT_RULE_IDS,
    SOFT_LIMITS,
    Override,
    OverrideReason,
    apply_overrides,
)
from bisphos.pediatric.plan import PlanRequest, PlanStatus, make_plan
from bisphos.records import record_json, replay, request_from_dict, request_to_dict
from bisphos.report import render_plan
from bisphos.units import quantity

ROOT = Path(__file__).resolve().parents[2]
GIRL = ROOT / "examples" / "patients" / "oi-girl-20kg.json"
AT = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
ENGINE = Engine.create(entry_points=False)


def girl(weight_kg: float) -> Patient:
    return attrs.evolve(load_patient(GIRL), weight=quantity(weight_kg, "kg"))


def confirmed() -> Override:
    return Override(
        limit="P-WEIGHT-PLAUSIBLE",
        reason=OverrideReason.VALUE_CONFIRMED,
        clinician="Dr. A. Jansen",
        at=AT,
    )


@pytest.mark.parametrize("weight_kg", [200.0, 2.0])
def test_p_weight_plausible_the_issue_case_is_not_ready(weight_kg: float) -> None:
    """P-WEIGHT-PLAUSIBLE: 7 years, 112 cm, 200 kg (BMI 159.4) or 2 kg (BMI 1.6): blocked."""
    plan = make_plan(girl(weight_kg))
    assert plan.status is PlanStatus.BLOCKED
    (block,) = [f for f in plan.findings if f.code == "weight-implausible"]
    assert block.severity is Severity.BLOCK
    assert block.rule_ids == ("P-WEIGHT-PLAUSIBLE",)
    bmi = next(e for e in block.evidence if e.name == "bmi")
    assert float(bmi.value.m_as("kg/m**2")) == pytest.approx(  # type: ignore[union-attr]
        round(weight_kg / 1.12**2, 1)
    )


def test_p_weight_plausible_the_example_girl_is_plausible() -> None:
    """P-WEIGHT-PLAUSIBLE: 20 kg at 112 cm (BMI 15.9, near the CDC median of 15.6) is fine."""
    check = check_weight(girl(20.0))
    assert check.plausible
    assert check.bmi_kg_m2 == pytest.approx(15.94, abs=0.01)
    assert check.z_bmi is not None
    assert abs(check.z_bmi) < 1
    assert make_plan(girl(20.0)).status is PlanStatus.READY


def test_p_weight_plausible_cdc_reference_values() -> None:
    """P-WEIGHT-PLAUSIBLE: the CDC 2000 table as published (girls, BMI at 84.5 months: M 15.454;
    weight at 84.5 months: M 22.868 kg); the median has a modified Z-score of 0."""
    from bisphos.model import Sex

    bmi = lms("bmi", Sex.FEMALE, 84.5)
    weight = lms("weight", Sex.FEMALE, 84.5)
    assert bmi is not None
    assert weight is not None
    assert bmi.m == pytest.approx(15.4536, abs=1e-3)
    assert weight.m == pytest.approx(22.868, abs=1e-3)
    assert modified_z_score(weight.m, weight) == 0
    assert lms("bmi", Sex.FEMALE, 12.0) is None  # below 2 years: no reference


def test_p_weight_plausible_without_height_weight_for_age_decides() -> None:
    """P-WEIGHT-PLAUSIBLE: without a height, weight-for-age: 200 kg at 7 years is implausible."""
    no_height = attrs.evolve(girl(200.0), height=None)
    check = check_weight(no_height)
    assert not check.plausible
    assert check.z_weight is not None
    assert check.z_weight > 5


def test_p_override_releases_the_weight_block_and_is_in_every_output() -> None:
    """P-OVERRIDE, P-WEIGHT-PLAUSIBLE: a confirmed weight proceeds; the override is shown."""
    request = PlanRequest(overrides=(confirmed(),))
    plan = ENGINE.plan(girl(200.0), request)
    assert plan.status is PlanStatus.READY
    assert "weight-implausible" not in [f.code for f in plan.findings]
    (applied,) = [f for f in plan.findings if f.code == "override-applied"]
    assert applied.severity is Severity.WARN
    assert applied.rule_ids == ("P-WEIGHT-PLAUSIBLE", "P-OVERRIDE")
    names = {e.name: e.value for e in applied.evidence}
    assert names["override.clinician"] == "Dr. A. Jansen"
    assert names["override.at"] == "2026-11-23T09:30+00:00"
    assert names["released"] == "weight-implausible"
    document = plan_to_dict(plan)
    jsonschema.validate(document, plan_schema())
    assert document["request"]["overrides"] == [
        {
            "limit": "P-WEIGHT-PLAUSIBLE",
            "reason": "value-confirmed",
            "clinician": "Dr. A. Jansen",
            "at": "2026-11-23T09:30+00:00",
            "note": "",
        }
    ]
    for lang in ("en", "nl"):
        text = render_plan(plan, lang)
        assert "Dr. A. Jansen" in text
        assert "P-OVERRIDE" in text
    assert replay(record_json(plan), engine=ENGINE).identical


def test_p_override_unused_is_noted() -> None:
    """P-OVERRIDE: an override of a limit that did not apply is an INFO finding, no more."""
    plan = make_plan(girl(20.0), PlanRequest(overrides=(confirmed(),)))
    assert plan.status is PlanStatus.READY
    assert [f.code for f in plan.findings if "P-OVERRIDE" in f.rule_ids] == ["override-unused"]


@pytest.mark.parametrize("limit", sorted(HARD_LIMIT_RULE_IDS))
def test_p_override_of_a_hard_limit_is_refused(limit: str) -> None:
    """P-OVERRIDE: an override of a hard limit cannot be made; the error names it."""
    with pytest.raises(OverrideError, match="hard limit") as error:
        Override(limit=limit, reason="clinical-judgement", clinician="X", at=AT)
    assert error.value.field == "limit"
    assert error.value.value == limit


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"limit": "X-NOT-A-RULE"}, "limit"),
        ({"reason": "because"}, "reason"),
        ({"clinician": "  "}, "clinician"),
        ({"at": dt.date(2026, 11, 23)}, "at"),
        ({"at": None}, "at"),
    ],
)
def test_p_override_needs_a_soft_limit_a_coded_reason_a_name_and_a_time(
    changes: dict[str, object], field: str
) -> None:
    """P-OVERRIDE: each part of an override is checked, and the error names the field."""
    values: dict[str, object] = {
        "limit": "P-WEIGHT-PLAUSIBLE",
        "reason": "value-confirmed",
        "clinician": "Dr. A. Jansen",
        "at": AT,
    } | changes
    with pytest.raises(OverrideError) as error:
        Override(**values)
    assert error.value.field == field


def test_p_override_once_per_limit() -> None:
    """P-OVERRIDE: two overrides of one limit are refused, naming the second."""
    with pytest.raises(OverrideError) as error:
        PlanRequest(overrides=(confirmed(), confirmed()))
    assert error.value.field == "overrides[1].limit"


def test_p_override_request_record_round_trip_and_bad_input() -> None:
    """P-OVERRIDE: the request record keeps the override; bad input names its field."""
    request = PlanRequest(overrides=(confirmed(),))
    data = request_to_dict(request)
    assert request_from_dict(json.loads(json.dumps(data))) == request
    bad = json.loads(json.dumps(data))
    bad["overrides"][0]["limit"] = "P-ZOL-CAP"
    with pytest.raises(OverrideError) as error:
        request_from_dict(bad)
    assert error.value.field == "request.overrides[0].limit"
    bad["overrides"][0] = {**data["overrides"][0], "at": "yesterday"}  # type: ignore[index]
    with pytest.raises(InvalidValueError) as time_error:
        request_from_dict(bad)
    assert time_error.value.field == "request.overrides[0].at"


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bisphos", *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_p_override_on_the_command_line(tmp_path: Path) -> None:
    """P-OVERRIDE: ``--override`` with ``--clinician`` and ``--override-time``; a hard limit is
    refused with exit 2 and no traceback."""
    heavy = json.loads(GIRL.read_text(encoding="utf-8")) | {"weight": "200 kg"}
    path = tmp_path / "heavy.json"
    path.write_text(json.dumps(heavy), encoding="utf-8")
    blocked = _cli("plan", str(path))
    assert blocked.returncode == 1
    assert "P-WEIGHT-PLAUSIBLE" in blocked.stdout
    cleared = _cli(
        "plan",
        str(path),
        "--override",
        "P-WEIGHT-PLAUSIBLE=value-confirmed",
        "--clinician",
        "Dr. A. Jansen",
        "--override-time",
        "2026-11-23T09:30",
        "--format",
        "json",
    )
    assert cleared.returncode == 0, cleared.stderr
    assert json.loads(cleared.stdout)["request"]["overrides"][0]["clinician"] == "Dr. A. Jansen"
    hard = _cli(
        "plan",
        str(GIRL),
        "--override",
        "P-ZOL-CAP=clinical-judgement",
        "--clinician",
        "X",
        "--override-time",
        "2026-11-23T09:30",
    )
    assert hard.returncode == 2
    assert "--override" in hard.stderr
    assert "hard limit" in hard.stderr
    assert "Traceback" not in hard.stderr
    untimed = _cli("plan", str(path), "--override", "P-WEIGHT-PLAUSIBLE=value-confirmed")
    assert untimed.returncode == 2
    assert "--clinician" in untimed.stderr


_FINDINGS = st.builds(
    Finding,
    code=st.sampled_from(["weight-implausible", "maintenance-entry-not-met", "fever", "x"]),
    rule_ids=st.lists(
        st.sampled_from([*SOFT_LIMITS, *sorted(HARD_LIMIT_RULE_IDS)[:4]]),
        min_size=1,
        max_size=3,
        unique=True,
    ).map(tuple),
    severity=st.sampled_from(list(Severity)),
    message=st.just("m"),
)
_OVERRIDES = st.lists(
    st.builds(
        Override,
        limit=st.sampled_from(list(SOFT_LIMITS)),
        reason=st.sampled_from(list(OverrideReason)),
        clinician=st.just("Dr. B"),
        at=st.just(AT),
    ),
    unique_by=lambda item: item.limit,
    max_size=2,
)


@given(st.lists(_FINDINGS, max_size=6), _OVERRIDES)
def test_invariant_11_override_never_releases_a_hard_limit(
    findings: list[Finding], overrides: list[Override]
) -> None:
    """Invariant 11 (P-OVERRIDE): an override releases only a blocking finding its soft
    limit lists, naming that limit; every other blocking finding is kept as it was."""
    out = apply_overrides(findings, overrides)
    limits = {item.limit for item in overrides}
    for finding in findings:
        releasable = any(
            finding.code in SOFT_LIMITS[limit].codes and limit in finding.rule_ids
            for limit in limits
        )
        if finding.severity is Severity.BLOCK and not releasable:
            assert finding in out
        if releasable and finding.severity is Severity.BLOCK:
            assert finding not in out
    released = sum(1 for f in out if f.code == "override-applied")
    assert (
        len([f for f in out if f.severity is Severity.BLOCK])
        == len([f for f in findings if f.severity is Severity.BLOCK]) - released
    )


@given(st.floats(1.0, 240.0), st.sampled_from([None, 112.0]))
def test_invariant_10_implausible_weight_never_ready_without_override(
    weight_kg: float, height_cm: float | None
) -> None:
    """Invariant 10 (P-WEIGHT-PLAUSIBLE, P-OVERRIDE): a plan is ready only for a plausible weight
    (BMI 8-60 kg/m² and within ±5 modified SDS of the CDC reference, computed here), or with an
    override of P-WEIGHT-PLAUSIBLE."""
    patient = attrs.evolve(
        girl(weight_kg), height=None if height_cm is None else quantity(height_cm, "cm")
    )
    from bisphos.model import Sex

    months = (patient.assessment_date - patient.birth_date).days / 30.4375
    if height_cm is None:
        reference = lms("weight", Sex.FEMALE, months)
        assert reference is not None
        plausible = abs(modified_z_score(weight_kg, reference)) <= 5
    else:
        bmi = weight_kg / (height_cm / 100) ** 2
        reference = lms("bmi", Sex.FEMALE, months)
        assert reference is not None
        plausible = 8 <= bmi <= 60 and abs(modified_z_score(bmi, reference)) <= 5
    plan = make_plan(patient)
    assert (plan.status is PlanStatus.READY) == plausible
    overridden = make_plan(patient, PlanRequest(overrides=(confirmed(),)))
    assert overridden.status is PlanStatus.READY
