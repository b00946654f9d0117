"""The batch path: the vectorised national plan decides and doses exactly as plans one by one.

The property tests draw patients with the library's own strategies and compare the summaries of
:func:`bisphos.batch.plan_many` (vectorised for the national protocol) with those of
:meth:`bisphos.engine.Engine.plan`: status, scope (P-SCOPE-1), indication (P-IND-A, P-IND-GENE,
P-IND-RECOVERY, P-IND-B, P-FX-a/b/c, P-BMD), blocks (P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY,
P-CI-PREG, P-PRE-LABS, P-PRE-VITD), the GFR gate (P-GFR), the drug, and every date (P-ZOL-FREQ,
P-PAM-FREQ, P-ZOL-FIRST), dose (P-ZOL-DOSE, P-ZOL-FIRST, P-ZOL-LOW, P-ZOL-COMPL, P-ZOL-CAP,
P-PAM-DOSE, P-PAM-FIRST, P-PAM-CAP, P-HUNGRY), volume and rate (invariant 8).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bisphos.batch import (
    INPUT_COLUMNS,
    columns_from_patients,
    is_common_case,
    output_columns,
    plan_columns,
    plan_many,
    summarise,
)
from bisphos.engine import Engine
from bisphos.io import load_patient
from bisphos.model import Drug, Patient
from bisphos.pediatric.dosing import DosingOptions
from bisphos.pediatric.plan import PlanRequest, PlanStatus
from bisphos.plugins import hookimpl
from bisphos.testing.strategies import patients
from bisphos.units import quantity

ENGINE = Engine.create(entry_points=False)
EXAMPLES = Path(__file__).parent.parent / "examples" / "patients"
OI_GIRL = load_patient(EXAMPLES / "oi-girl-20kg.json")
# Patients of every age up to 20 years: in scope and out of scope (P-SCOPE-1).
ANY_PATIENT = patients(max_age_years=20, max_infusions=4)


# Fixed rows planned with every drawn patient, so that each batch mixes statuses and drugs.
COMPANIONS = tuple(
    load_patient(EXAMPLES / name)
    for name in (
        "oi-girl-20kg.json",
        "immobile-hungry-bones.json",
        "ped-twenty-years-old.json",
    )
)
COMPANION_PLANS = tuple(ENGINE.plan(p) for p in COMPANIONS)


def _equal_columns(left: dict[str, Any], right: dict[str, Any]) -> None:
    for name in output_columns():
        if left[name].dtype.kind in "fM":
            assert np.array_equal(left[name], right[name], equal_nan=True), name
        else:
            assert list(left[name]) == list(right[name]), name


@given(ANY_PATIENT, st.integers(min_value=0, max_value=len(COMPANIONS)))
def test_vectorised_batch_equals_one_by_one_plans(patient: Patient, at: int) -> None:
    """Invariant: the batch path gives exactly the one-by-one summary — status, blocks
    (P-CI-FEVER, P-CI-HYPOCA, P-CI-ALLERGY, P-CI-PREG, P-PRE-LABS, P-PRE-VITD), GFR gate (P-GFR),
    drug, dates (P-ZOL-FREQ, P-PAM-FREQ), doses (P-ZOL-DOSE, P-ZOL-FIRST, P-ZOL-LOW, P-ZOL-COMPL,
    P-PAM-DOSE, P-PAM-FIRST, P-HUNGRY, P-ZOL-CAP, P-PAM-CAP), volumes and rates (invariant 8)."""
    chosen = [*COMPANIONS[:at], patient, *COMPANIONS[at:]]
    assert is_common_case(ENGINE)
    plans = [*COMPANION_PLANS[:at], ENGINE.plan(patient), *COMPANION_PLANS[at:]]
    assert plan_many(chosen, engine=ENGINE) == [summarise(plan) for plan in plans]

    whole = plan_columns(columns_from_patients(chosen))
    row, plan = at, plans[at]
    gfr = plan.assessment.renal.estimate if plan.assessment.renal is not None else None
    if gfr is None:
        assert np.isnan(whole["gfr_ml_min_1_73m2"][row])
    else:
        assert whole["gfr_ml_min_1_73m2"][row] == gfr.value.m_as("mL_min_1_73m2")
    assert int(whole["infusions"][row]) == len(plan.infusions)
    for number, planned in enumerate(plan.infusions, start=1):
        assert whole[f"date_{number}"][row] == np.datetime64(planned.date, "D")
        assert whole[f"dose_{number}_mg"][row] == planned.dose.value.m_as("mg")
        assert whole[f"volume_{number}_ml"][row] == planned.preparation.volume.m_as("mL")
        assert whole[f"rate_{number}_ml_h"][row] == planned.preparation.rate.m_as("mL/h")


def test_partitions_plan_as_the_whole_table() -> None:
    """A table split into partitions anywhere (Dask, Spark) plans as the whole: every row is
    planned from its own columns only (P-GFR, P-ZOL-DOSE, P-PAM-DOSE, P-SCOPE-1)."""
    everyone = [load_patient(path) for path in sorted(EXAMPLES.glob("*.*"))]
    columns = columns_from_patients(everyone)
    whole = plan_columns(columns)
    assert {str(status) for status in whole["status"]} >= {"ready", "blocked", "not_indicated"}
    for split in range(1, len(everyone)):
        first = plan_columns({name: values[:split] for name, values in columns.items()})
        second = plan_columns({name: values[split:] for name, values in columns.items()})
        joined = {name: np.concatenate([first[name], second[name]]) for name in output_columns()}
        _equal_columns(joined, whole)


def test_worked_example_in_columns() -> None:
    """P-ZOL-FIRST, P-ZOL-FREQ: 0.25, 0.5, then 1 mg every 6 months in 50 ml at 50 ml/h."""
    row = plan_columns(columns_from_patients([OI_GIRL]))
    assert row["patient_id"][0] == "example-oi-girl"
    assert row["status"][0] == "ready"
    assert row["drug"][0] == "zoledronic_acid"
    assert [row[f"dose_{n}_mg"][0] for n in range(1, 7)] == [0.25, 0.5, 1.0, 1.0, 1.0, 1.0]
    assert row["date_2"][0] == np.datetime64("2027-02-23")
    assert {row[f"volume_{n}_ml"][0] for n in range(1, 7)} == {50.0}
    assert {row[f"rate_{n}_ml_h"][0] for n in range(1, 7)} == {50.0}


def test_implausible_rows_are_refused_not_planned() -> None:
    """A 300 kg child is refused (a typing error), and the other rows are planned as usual."""
    columns = columns_from_patients([OI_GIRL, OI_GIRL])
    columns["weight_kg"] = np.array([300.0, 20.0])
    out = plan_columns(columns)
    assert list(out["status"]) == ["invalid", "ready"]
    assert out["error"][0].startswith("weight_kg: outside the plausible range 0.4 to 250")
    assert out["infusions"][0] == 0
    assert out["dose_1_mg"][1] == 0.25


def test_missing_input_column_is_named() -> None:
    """Every input column but the identifier is required."""
    columns = columns_from_patients([OI_GIRL])
    del columns["creatinine_umol_l"]
    with pytest.raises(KeyError, match="creatinine_umol_l"):
        plan_columns(columns)


def test_a_flag_with_missing_values_is_refused() -> None:
    """A NaN is no answer to "known pregnancy?" (P-CI-PREG): the column must be complete."""
    columns = columns_from_patients([OI_GIRL])
    columns["pregnant"] = np.array([np.nan])
    with pytest.raises(TypeError, match="'pregnant' must hold booleans"):
        plan_columns(columns)


def test_empty_partition_gives_empty_columns() -> None:
    """An empty partition (as Dask passes to infer the output) plans to empty columns."""
    columns = {name: values[:0] for name, values in columns_from_patients([OI_GIRL]).items()}
    out = plan_columns(columns)
    assert set(out) == {"patient_id", *output_columns()}
    assert all(len(values) == 0 for values in out.values())


def test_input_columns_are_documented_in_canonical_units() -> None:
    """Each measured column names its canonical unit (P-GFR uses cm and µmol/l)."""
    assert "weight_kg" in INPUT_COLUMNS
    assert "height_cm" in INPUT_COLUMNS
    assert "creatinine_umol_l" in INPUT_COLUMNS
    assert set(columns_from_patients([OI_GIRL])) == set(INPUT_COLUMNS)


class _HalfDose:
    @hookimpl
    def bisphos_adjust_dose(self) -> None:
        return None


def test_plugins_and_options_take_the_one_by_one_path() -> None:
    """A hospital plugin or a non-default request is not the common case: each plan is made by
    the engine, and the summaries still match (P-ZOL-FIRST option 0.025 mg/kg)."""
    local = Engine.create(entry_points=False, plugins=[("local", _HalfDose())])
    assert not is_common_case(local)
    request = PlanRequest(dosing=DosingOptions(zoledronic_first_per_kg=quantity(0.025, "mg/kg")))
    assert not is_common_case(ENGINE, request)
    summaries = plan_many([OI_GIRL], request, engine=ENGINE)
    assert summaries == [summarise(ENGINE.plan(OI_GIRL, request))]
    assert summaries[0].doses[0].m_as("mg") == 0.5
    assert plan_many([OI_GIRL], engine=local)[0].status is PlanStatus.READY


def test_out_of_scope_row_has_only_the_scope_block() -> None:
    """P-SCOPE-1: from the 19th birthday on, nothing else is assessed or planned."""
    old = OI_GIRL.__class__(
        birth_date=dt.date(2005, 1, 1),
        assessment_date=dt.date(2026, 1, 1),
        sex="male",
        weight=quantity(70.0, "kg"),
        diagnosis="osteogenesis_imperfecta",
    )
    (summary,) = plan_many([old], engine=ENGINE)
    assert summary.status is PlanStatus.OUT_OF_SCOPE
    assert summary.blocks == ("out-of-scope",)
    assert summary == summarise(ENGINE.plan(old))


def test_a_stale_creatinine_closes_the_gate_on_both_paths_p_fresh() -> None:
    """P-FRESH / P-GFR: a creatinine of 13 months ago decides no zoledronic acid, in the batch
    path and in the one-by-one summary alike (the GFR itself, 126.7, would pass)."""
    labs = OI_GIRL.labs
    assert labs.creatinine is not None
    old = OI_GIRL.assessment_date.replace(year=OI_GIRL.assessment_date.year - 1) - dt.timedelta(
        days=31
    )
    stale = attrs.evolve(
        OI_GIRL, labs=attrs.evolve(labs, creatinine=attrs.evolve(labs.creatinine, date=old))
    )
    plan = ENGINE.plan(stale)
    assert plan.drug is Drug.PAMIDRONATE
    (summary,) = plan_many([stale], engine=ENGINE)
    assert summary == summarise(plan)
    assert summary.zoledronic_acid_allowed is False
    assert summarise(ENGINE.plan(OI_GIRL)).zoledronic_acid_allowed is True
