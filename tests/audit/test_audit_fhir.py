"""A history from FHIR Bundles: the same verdicts as the same history in tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bisphos.audit import judge_frame, judge_history, read_history
from bisphos.errors import FhirInputError
from bisphos.fhir.codes import ATC_SYSTEM, LOINC_SYSTEM, SNOMED_SYSTEM, UCUM_SYSTEM
from tests.audit._histories import tables, zol

COURSE = [zol("2020-01-15", 0.25), zol("2020-04-15", 0.5, minutes=30.0), zol("2020-10-15", 1.2)]
LOINC = {
    "weight_kg": ("29463-7", "kg"),
    "height_cm": ("8302-2", "cm"),
    "calcium_mmol_l": ("2000-8", "mmol/L"),
    "phosphate_mmol_l": ("14879-1", "mmol/L"),
    "alkaline_phosphatase_u_l": ("6768-6", "U/L"),
    "urea_mmol_l": ("22664-7", "mmol/L"),
    "creatinine_umol_l": ("14682-9", "umol/L"),
    "albumin_g_l": ("1751-7", "g/L"),
    "vitamin_d_25oh_nmol_l": ("62292-8", "nmol/L"),
    "pth_pmol_l": ("14866-8", "pmol/L"),
}


def _bundle(frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> dict[str, Any]:
    patients, given, measured = frames
    entries: list[dict[str, Any]] = [
        {
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "identifier": [{"value": "p1"}],
                "birthDate": patients["birth_date"].iloc[0],
                "gender": patients["sex"].iloc[0],
            }
        },
        {
            "resource": {
                "resourceType": "Condition",
                "id": "c1",
                "subject": {"reference": "Patient/p1"},
                "code": {"coding": [{"system": SNOMED_SYSTEM, "code": "78314001"}]},
            }
        },
    ]
    for index, row in enumerate(given.to_dict("records")):
        minutes = float(row["duration_min"])
        hours = minutes / 60
        day = str(row["date"])
        entries.append(
            {
                "resource": {
                    "resourceType": "MedicationAdministration",
                    "id": f"ma{index}",
                    "status": "completed",
                    "subject": {"reference": "Patient/p1"},
                    "medicationCodeableConcept": {
                        "coding": [{"system": ATC_SYSTEM, "code": "M05BA08"}]
                    },
                    "effectivePeriod": {
                        "start": f"{day}T09:00:00+01:00",
                        "end": f"{day}T09:{int(minutes):02d}:00+01:00"
                        if minutes < 60
                        else f"{day}T10:00:00+01:00",
                    },
                    "dosage": {
                        "dose": {"value": row["dose_mg"], "system": UCUM_SYSTEM, "code": "mg"},
                        "rateQuantity": {
                            "value": float(row["volume_ml"]) / hours,
                            "system": UCUM_SYSTEM,
                            "code": "mL/h",
                        },
                    },
                }
            }
        )
    for index, row in enumerate(measured.to_dict("records")):
        code, unit = LOINC[str(row["kind"])]
        entries.append(
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": f"o{index}",
                    "status": "final",
                    "subject": {"reference": "Patient/p1"},
                    "code": {"coding": [{"system": LOINC_SYSTEM, "code": code}]},
                    "effectiveDateTime": row["date"],
                    "valueQuantity": {"value": row["value"], "system": UCUM_SYSTEM, "code": unit},
                }
            }
        )
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def test_a_bundle_gives_the_verdicts_of_the_same_tables(tmp_path: Path) -> None:
    frames = tables(COURSE)
    (tmp_path / "p1.json").write_text(json.dumps(_bundle(frames)), encoding="utf-8")
    from_fhir = judge_history(read_history(tmp_path))
    pd.testing.assert_frame_equal(from_fhir, judge_frame(*frames))
    assert from_fhir["deviations"].tolist() == ["", "", "zoledronic-acid-over-per-kg"]
    assert from_fhir["duration_min"].tolist() == [60.0, 30.0, 60.0]
    single = judge_history(read_history(tmp_path / "p1.json"))
    pd.testing.assert_frame_equal(single, from_fhir)


def test_a_bad_bundle_names_the_file_resource_and_element(tmp_path: Path) -> None:
    bundle = _bundle(tables(COURSE))
    del bundle["entry"][2]["resource"]["dosage"]["rateQuantity"]
    (tmp_path / "p1.json").write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(FhirInputError) as caught:
        read_history(tmp_path)
    assert "MedicationAdministration/ma0.dosage.rateQuantity" in str(caught.value)
    assert str(tmp_path / "p1.json") in str(caught.value)
