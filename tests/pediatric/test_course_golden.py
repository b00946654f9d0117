"""The worked cases of the December 2026 review, through the command line and the JSON plan.

Each case is an example patient of ``examples/patients/`` planned by ``bisphos plan`` (text, JSON,
calendar); the assertions are the guideline's own numbers: intervals in calendar months
(P-HIST-INTERVAL, P-ZOL-FIRST, P-ZOL-FREQ, P-PAM-FREQ, P-MAINT-HIGH), doses per kg
(P-ZOL-LOW, P-ZOL-SECOND, P-PAM-FIRST, P-MAINT-HIGH), the Schwartz-40 GFR bands of P-PAM-RENAL
(below 30, 30 to 90) with the 20 mg/h rate of the labels (P-PAM-LABEL), the latest Z-score of
P-MAINT-BAND against the lowest ever, the statuses of P-CI-PERMANENT and P-MAINT-ENTRY, the
clearance of every later infusion, and the cumulative doses of P-LEDGER.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bisphos.cli import EXIT_NOT_CLEARED, EXIT_OK, main
from bisphos.engine import Engine
from bisphos.export.plan_json import plan_schema

ROOT = Path(__file__).resolve().parents[2]
ENGINE = Engine.create(entry_points=False)
VALIDATOR = jsonschema.Draft202012Validator(plan_schema())


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), engine=ENGINE)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _path(stem: str) -> str:
    return str(ROOT / "examples" / "patients" / f"{stem}.json")


def _plan(
    capsys: pytest.CaptureFixture[str], stem: str, *options: str
) -> tuple[int, dict[str, Any]]:
    code, out, _ = _run(capsys, "plan", _path(stem), "--format", "json", *options)
    document: dict[str, Any] = json.loads(out)
    VALIDATOR.validate(document)
    return code, document


def _finding(document: dict[str, Any], code: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [f for f in document["findings"] if f["code"] == code]
    assert len(found) == 1, code
    return found[0]


def _values(finding: dict[str, Any]) -> dict[str, object]:
    return {item["name"]: item["value"]["value"] for item in finding["evidence"]}


def _ledger(document: dict[str, Any], drug: str) -> dict[str, Any]:
    return next(item for item in document["ledger"] if item["drug"] == drug)


def test_zoledronic_acid_then_a_creatinine_rise_switches_with_a_warning_after_3_months(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-HIST-INTERVAL, P-DRUG-CONTINUITY, P-PAM-RENAL, P-LEDGER: the first zoledronic acid
    infusion on 2026-11-02, creatinine 1.0 mg/dl (88.4 µmol/l) at 112 cm since: GFR 50.7, so no
    zoledronic acid; pamidronate not before 2027-02-02 (3 months after the first zoledronic acid
    infusion), its first-dose half (1 mg/kg x 20 kg = 20 mg), every infusion to be cleared on its
    day, the switch a WARN naming the reason and the date."""
    code, document = _plan(capsys, "ped-switch-after-zoledronic-acid")
    assert code == EXIT_OK
    assert document["drug"] == "pamidronate"
    infusions = document["infusions"]
    assert [i["date"] for i in infusions] == [
        "2027-02-02",
        "2027-05-02",
        "2027-08-02",
        "2027-11-02",
        "2028-02-02",
        "2028-05-02",
    ]
    assert infusions[0]["number"] == 1
    assert infusions[0]["phase"] == "first"
    assert infusions[0]["dose"] == {"value": 20.0, "unit": "mg"}
    assert infusions[1]["dose"] == {"value": 40.0, "unit": "mg"}
    assert "P-HIST-INTERVAL" in infusions[0]["rule_ids"]
    assert {i["clearance"] for i in infusions} == {"to_be_cleared_on_its_day"}
    switch = _finding(document, "drug-switch")
    assert switch["severity"] == "warn"
    assert switch["rule_ids"] == ["P-DRUG-CONTINUITY", "P-HIST-INTERVAL", "P-GFR"]
    values = _values(switch)
    assert values["earliest_next_infusion"] == "2027-02-02"
    assert values["interval_months"] == 3
    assert values["last_drug"] == "zoledronic_acid"
    assert values["switch_reason"] == "gfr_no_longer_allows_zoledronic_acid"
    renal = _finding(document, "pamidronate-renal-impairment")
    assert renal["severity"] == "warn"
    assert _values(renal)["gfr"] == round(40 * 112 / 88.4, 3)  # shown to 0.001, for people
    zoledronic = _ledger(document, "zoledronic_acid")
    assert zoledronic["given_total"]["dose"] == {"value": 0.25, "unit": "mg"}
    assert zoledronic["given_12_months"]["per_kg"] == {"value": 0.0125, "unit": "mg/kg"}
    pamidronate = _ledger(document, "pamidronate")
    assert pamidronate["given_total"]["dose"]["value"] == 0
    assert pamidronate["with_planned_total"]["dose"]["value"] == 20 + 5 * 40
    # The 12 months up to 2028-02-02 hold the four 40 mg infusions after 2027-02-02.
    assert pamidronate["with_planned_12_months"]["dose"]["value"] == 4 * 40
    code, text, _ = _run(capsys, "plan", _path("ped-switch-after-zoledronic-acid"))
    assert "switch from zoledronic acid to pamidronate" in text
    assert "[to be cleared on its day]" in text
    assert "Cumulative dose (P-LEDGER" in text


def test_the_same_history_keeps_zoledronic_acid_when_it_is_allowed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """P-DRUG-CONTINUITY, P-ZOL-FIRST: with the example's normal creatinine the drug given last
    continues: the second zoledronic acid infusion 3 months after the first, at 0.025 mg/kg
    (0.5 mg for 20 kg); pamidronate on request waits as long, with a WARN of the requested
    switch."""
    history = json.loads(Path(_path("ped-switch-after-zoledronic-acid")).read_text())
    normal = json.loads(Path(_path("oi-girl-20kg")).read_text())
    history["labs"]["creatinine"] = normal["labs"]["creatinine"]
    local = tmp_path / "kept.json"
    local.write_text(json.dumps(history), encoding="utf-8")
    code, out, _ = _run(capsys, "plan", str(local), "--format", "json")
    document = json.loads(out)
    assert code == EXIT_OK
    assert document["drug"] == "zoledronic_acid"
    first = document["infusions"][0]
    assert (first["number"], first["date"], first["phase"]) == (2, "2027-02-02", "second")
    assert first["dose"] == {"value": 0.5, "unit": "mg"}
    assert not [f for f in document["findings"] if f["code"] == "drug-switch"]
    code, out, _ = _run(capsys, "plan", str(local), "--format", "json", "--drug", "pamidronate")
    document = json.loads(out)
    assert document["infusions"][0]["date"] == "2027-02-02"
    switch = _finding(document, "drug-switch")
    assert _values(switch)["switch_reason"] == "requested"


def test_a_gfr_of_25_plans_no_bisphosphonate(capsys: pytest.CaptureFixture[str]) -> None:
    """P-PAM-RENAL: 40 x 150 cm / 240 µmol/l = 25 ml/min/1.73 m², after two pamidronate
    infusions: no pamidronate (not 90 mg at 22.5 mg/h), no zoledronic acid; refused, exit 1;
    requested pamidronate is refused naming P-PAM-RENAL."""
    code, document = _plan(capsys, "ped-pamidronate-gfr-25")
    assert code == EXIT_NOT_CLEARED
    assert document["status"] == "refused"
    assert document["infusions"] == []
    block = _finding(document, "pamidronate-gfr-below-30")
    assert block["severity"] == "block"
    assert _values(block)["gfr"] == pytest.approx(25.0)
    assert _finding(document, "no-drug-allowed")["severity"] == "block"
    code, document = _plan(capsys, "ped-pamidronate-gfr-25", "--drug", "pamidronate")
    assert code == EXIT_NOT_CLEARED
    assert _finding(document, "drug-not-allowed")["rule_ids"] == ["P-PAM-RENAL", "P-CI-RENAL"]


def test_a_gfr_of_60_gives_pamidronate_at_20_mg_per_hour(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-PAM-RENAL, P-PAM-LABEL, P-PAM-CAP: GFR 40 x 150 / 100 = 60; 2 mg/kg x 50 kg capped at
    90 mg, at 0.1 mg/ml 900 ml, over 90 / 20 = 4.5 h (not 4 h): 200 ml/h, 20 mg/h."""
    code, document = _plan(capsys, "ped-pamidronate-gfr-60")
    assert code == EXIT_OK
    for item in document["infusions"]:
        preparation = item["preparation"]
        assert item["dose"] == {"value": 90.0, "unit": "mg"}
        assert preparation["volume"] == {"value": 900.0, "unit": "mL"}
        assert preparation["duration"] == {"value": 4.5, "unit": "h"}
        assert preparation["rate"] == {"value": 200.0, "unit": "mL/h"}
        assert "P-PAM-RENAL" in item["rule_ids"]
    assert _finding(document, "pamidronate-renal-impairment")["severity"] == "warn"
    _, text, _ = _run(capsys, "plan", _path("ped-pamidronate-gfr-60"))
    assert "900 ml NaCl 0.9 % over 4.5 h, rate 200 ml/h" in text


def test_a_later_pamidronate_infusion_without_creatinine_warns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-PAM-RENAL: no creatinine before the third pamidronate infusion: a WARN (not a block),
    and the renal rate: 90 mg over 4.5 h."""
    code, document = _plan(capsys, "ped-pamidronate-no-creatinine")
    assert code == EXIT_OK
    assert _finding(document, "pamidronate-creatinine-missing")["severity"] == "warn"
    assert document["infusions"][0]["preparation"]["duration"]["value"] == 4.5


def test_a_recovered_density_prompts_maintenance_from_the_latest_scan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-MAINT-PROMPT, P-MAINT-BAND, P-MAINT-HIGH: after 7 years of zoledronic acid the latest
    lumbar spine is +1.2 and TBLH +0.8 (2026-10-05; femur -1.0, lowest ever -3.0 in 2019): the
    active dose stays 0.05 mg/kg x 41 kg = 2.05 mg, with a WARN that maintenance is to be
    considered: the high band (Z 0.8, TBLH), 0.0125 mg/kg = 0.512 mg every 12 months. The
    maintenance course takes that band, not the femur's: 0.512 mg on 2027-04-01, 12 months after
    the last infusion (P-HIST-INTERVAL), and every 12 months."""
    code, document = _plan(capsys, "ped-density-recovered")
    assert code == EXIT_OK
    assert document["infusions"][0]["dose"] == {"value": 2.05, "unit": "mg"}
    prompt = _finding(document, "maintenance-to-be-considered")
    assert prompt["severity"] == "warn"
    assert prompt["rule_ids"] == ["P-MAINT-PROMPT", "P-MAINT-BAND", "P-MAINT-HIGH"]
    values = _values(prompt)
    assert values["latest_z_score"] == 0.8
    assert values["latest_z_site"] == "total_body_less_head"
    assert values["dxa_date"] == "2026-10-05"
    assert values["band"] == "high"
    assert values["maintenance_per_kg"] == 0.0125
    assert values["maintenance_dose"] == 0.512
    assert values["maintenance_interval_months"] == 12
    assert "latest Z-score 0.8" in prompt["message"]
    code, document = _plan(capsys, "ped-density-recovered", "--maintenance")
    assert code == EXIT_OK
    infusions = document["infusions"]
    assert [i["date"] for i in infusions[:3]] == ["2027-04-01", "2028-04-01", "2029-04-01"]
    assert {i["dose"]["value"] for i in infusions} == {0.512}
    assert {i["phase"] for i in infusions} == {"maintenance"}
    assert "P-MAINT-HIGH" in infusions[0]["rule_ids"]
    assert not [f for f in document["findings"] if f["code"] == "maintenance-to-be-considered"]


def test_maintenance_with_unmet_entry_conditions_is_not_planned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-MAINT-ENTRY: a year of treatment (under the 2 years of 5 ± 3) and no longer growing:
    no maintenance course, status not indicated, exit 1, the unmet conditions listed."""
    code, document = _plan(capsys, "ped-maintenance-entry-not-met", "--maintenance")
    assert code == EXIT_NOT_CLEARED
    assert document["status"] == "not_indicated"
    assert document["infusions"] == []
    block = _finding(document, "maintenance-entry-not-met")
    assert block["severity"] == "block"
    assert _values(block) == {"active_treatment": "not_met", "growing": "not_met"}
    assert "active_treatment, growing" in block["message"]


def test_an_old_dxa_makes_the_band_uncertain(capsys: pytest.CaptureFixture[str]) -> None:
    """P-MAINT-BAND: the latest DXA of 2025-02-05 is older than 18 months on 2026-11-23: WARN."""
    _, document = _plan(capsys, "ped-maintenance-old-dxa", "--maintenance")
    stale = _finding(document, "maintenance-band-dxa-old")
    assert stale["severity"] == "warn"
    assert _values(stale) == {"dxa_date": "2025-02-05", "oldest_accepted_dxa": "2025-05-23"}


def test_hypersensitivity_is_contraindicated_with_nothing_dated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-CI-PERMANENT, P-CI-ALLERGY: hypersensitivity plans nothing, of either drug, exit 1; the
    calendar has no event."""
    for options in ((), ("--drug", "pamidronate"), ("--drug", "zoledronic_acid")):
        code, document = _plan(capsys, "ped-bisphosphonate-hypersensitivity", *options)
        assert code == EXIT_NOT_CLEARED
        assert document["status"] == "contraindicated"
        assert document["drug"] is None
        assert document["infusions"] == []
        block = _finding(document, "contraindicated-hypersensitivity")
        assert block["rule_ids"] == ["P-CI-PERMANENT", "P-CI-ALLERGY"]
    code, out, err = _run(
        capsys, "plan", _path("ped-bisphosphonate-hypersensitivity"), "--format", "ics"
    )
    assert code == EXIT_NOT_CLEARED
    assert "VEVENT" not in out
    assert "contraindicated" in err


def test_a_known_pregnancy_dates_nothing_and_counsels_no_infusion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-CI-PERMANENT, P-CI-PREG: pregnant at 16: contraindicated, no infusion; the counselling
    is no infusion during the pregnancy, never 'avoid pregnancy until'."""
    code, document = _plan(capsys, "ped-pregnant-16")
    assert code == EXIT_NOT_CLEARED
    assert document["status"] == "contraindicated"
    assert document["infusions"] == []
    counsel = _finding(document, "pregnancy-no-infusion")
    assert "no bisphosphonate infusion during the pregnancy" in counsel["message"]
    _, text, _ = _run(capsys, "plan", _path("ped-pregnant-16"))
    assert "avoid pregnancy" not in text
    _, text, _ = _run(capsys, "plan", _path("ped-pregnant-16"), "--lang", "nl")
    assert "gecontra-indiceerd" in text
    assert "geen bisfosfonaatinfuus tijdens de zwangerschap" in text


def test_a_temporary_block_marks_every_later_infusion_in_every_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-CI-PERMANENT (temporary blocks), P-CI-FEVER: fever today blocks today's infusion only;
    each of the 5 later infusions is to be cleared on its day, in the JSON, the text, the
    calendar and the FHIR bundle."""
    code, document = _plan(capsys, "fever-and-low-calcium")
    assert code == EXIT_NOT_CLEARED
    clearances = [i["clearance"] for i in document["infusions"]]
    assert clearances == ["blocked_today"] + ["to_be_cleared_on_its_day"] * 5
    _, text, _ = _run(capsys, "plan", _path("fever-and-low-calcium"))
    assert text.count("[to be cleared on its day]") == 5
    assert text.count("[blocked today]") == 1
    _, ics, _ = _run(capsys, "plan", _path("fever-and-low-calcium"), "--format", "ics")
    unfolded = ics.replace("\r\n ", "")
    assert unfolded.count("Not yet cleared: on the day") == 5
    assert unfolded.count("Not cleared on 2026-11-23") == 1
    _, fhir, _ = _run(capsys, "plan", _path("fever-and-low-calcium"), "--format", "fhir")
    requests = [
        entry["resource"]
        for entry in json.loads(fhir)["entry"]
        if entry["resource"]["resourceType"] == "MedicationRequest"
    ]
    assert [r["status"] for r in requests] == ["on-hold"] + ["draft"] * 5
    for request, infusion in zip(requests[1:], document["infusions"][1:], strict=True):
        notes = [note["text"] for note in request["note"]]
        assert f"to be cleared on {infusion['date']}" in " ".join(notes)


def test_zoledronic_acid_before_and_after_the_second_birthday(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-ZOL-LOW: born 2025-04-10, 10 kg, after two infusions: the infusion of 2027-02-20 (under
    2) is 0.025 mg/kg = 0.25 mg; those from 2027-08-20 (over 2) 0.05 mg/kg = 0.5 mg."""
    _, document = _plan(capsys, "ped-zoledronic-acid-second-birthday", "--infusions", "3")
    infusions = document["infusions"]
    assert [(i["date"], i["dose"]["value"]) for i in infusions] == [
        ("2027-02-20", 0.25),
        ("2027-08-20", 0.5),
        ("2028-02-20", 0.5),
    ]
    assert "P-ZOL-LOW" in infusions[0]["rule_ids"]
    assert "P-ZOL-LOW" not in infusions[1]["rule_ids"]


def test_the_second_zoledronic_acid_infusion_may_be_omitted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """P-ZOL-SECOND, P-ZOL-FIRST, P-ZOL-FREQ: by default 0.25 mg today and 0.5 mg (0.025 mg/kg)
    3 months later; with the option omitted, the next infusion follows after 6 months, still at
    0.025 mg/kg x 20 kg = 0.5 mg (the hard limit of the first two infusions), and the third at
    the regular 0.05 mg/kg = 1 mg."""
    _, document = _plan(capsys, "oi-girl-20kg", "--infusions", "3")
    assert [(i["date"], i["dose"]["value"]) for i in document["infusions"]] == [
        ("2026-11-23", 0.25),
        ("2027-02-23", 0.5),
        ("2027-08-23", 1.0),
    ]
    _, document = _plan(capsys, "oi-girl-20kg", "--infusions", "3", "--omit-second-infusion")
    infusions = document["infusions"]
    assert [(i["date"], i["dose"]["value"], i["phase"]) for i in infusions] == [
        ("2026-11-23", 0.25, "first"),
        ("2027-05-23", 0.5, "second"),
        ("2027-11-23", 1.0, "regular"),
    ]
    assert "P-ZOL-SECOND" in infusions[1]["rule_ids"]
    assert infusions[0]["clearance"] == "cleared_today"
