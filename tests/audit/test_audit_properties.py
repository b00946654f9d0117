"""Invariant 20: the audit judges every administration the same one by one and over columns.

The property tests draw histories two ways: from the seeded generator (realistic courses with
labelled deviations of every kind) and from Hypothesis directly (small tables of any values the
format accepts, doses and dates near the limits, values missing or of the same day), and check:

- invariant 20 (P-HARD, P-HIST-INTERVAL, P-FRESH): the columnar audit
  (:func:`bisphos.audit.judge_frame`) and the one-by-one reference
  (:func:`bisphos.audit.judge_one_by_one`) give the same rows, every column;
- every deviation the generator injected is found with its rule ids (no false negatives), and
  nothing else is found on its histories (false positives are counted and must be none);
- the audit of any split of the patients is the audit of the whole (partitions by patient).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
from hypothesis import event, given, settings
from hypothesis import strategies as st

from bisphos.audit import history_from_frames, judge_frame, judge_history, judge_one_by_one
from bisphos.audit.generate import INJECTED, generate
from bisphos.audit.history import MEASUREMENT_KINDS
from bisphos.audit.run import parts
from bisphos.model import PLAUSIBLE_RANGES
from bisphos.pediatric import table as t
from tests._profiles import examples

_START = dt.date(2015, 1, 1)


def _codes(text: str) -> set[str]:
    return set(filter(None, text.split(";")))


@st.composite
def generated(draw: st.DrawFn) -> tuple[int, int, float, int]:
    return (
        draw(st.integers(1, 6)),
        draw(st.integers(1, 12)),
        draw(st.sampled_from([0.0, 0.05, 0.3, 1.0])),
        draw(st.integers(0, 2**32 - 1)),
    )


@settings(max_examples=examples(0.2))
@given(generated())
def test_invariant_20_audits_agree_and_find_every_injected_deviation(
    case: tuple[int, int, float, int],
) -> None:
    """Invariant 20 (P-HARD, P-HIST-INTERVAL, P-FRESH) on generated hospital histories."""
    patients, years, rate, seed = case
    history = generate(patients=patients, years=years, deviation_rate=rate, seed=seed)
    checked = history_from_frames(*history.tables)
    columnar = judge_history(checked)
    pd.testing.assert_frame_equal(columnar, judge_one_by_one(checked))
    expected = history.administrations["expected_deviations"].tolist()
    missed: Counter[str] = Counter()
    extra: Counter[str] = Counter()
    for wanted, got in zip(expected, columnar["deviations"].tolist(), strict=True):
        missed.update(_codes(wanted) - _codes(got))
        extra.update(_codes(got) - _codes(wanted))
    for code in _codes(";".join(expected)):
        event(f"injected {code}")
    assert not missed, f"injected deviations not found: {dict(missed)}"
    assert not extra, f"false positives: {dict(extra)}"
    rules = history.administrations["expected_rule_ids"].tolist()
    for wanted, got in zip(rules, columnar["rule_ids"].tolist(), strict=True):
        assert _codes(wanted) <= _codes(got)


_ZOL_LIMITS = [n.value for (d, _), n in t.PER_KG_MAXIMUM_MG_PER_KG.items() if d.value[0] == "z"]
_PAM_LIMITS = [n.value for (d, _), n in t.PER_KG_MAXIMUM_MG_PER_KG.items() if d.value[0] == "p"]


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A few patients with any accepted values, near the limits, on shared and close days."""
    count = draw(st.integers(1, 3))
    ids = [f"p{i}" for i in range(count)]
    day = st.integers(0, 4 * 365).map(lambda d: (_START + dt.timedelta(days=d)).isoformat())
    patients = pd.DataFrame(
        {
            "patient_id": ids,
            "birth_date": [
                (_START - dt.timedelta(days=draw(st.integers(0, 20 * 365)))).isoformat()
                for _ in ids
            ],
            "sex": [draw(st.sampled_from(["female", "male", "other"])) for _ in ids],
            "diagnosis": [
                draw(st.sampled_from(["osteogenesis_imperfecta", "secondary_immobility", "other"]))
                for _ in ids
            ],
        }
    )
    rows = []
    for patient in ids:
        for _ in range(draw(st.integers(0, 5))):
            drug = draw(st.sampled_from(["zoledronic_acid", "pamidronate"]))
            weight = draw(st.sampled_from([10.0, 20.0, 45.0, 80.0, 100.0]))
            per_kg = draw(st.sampled_from(_ZOL_LIMITS if drug[0] == "z" else _PAM_LIMITS))
            dose = draw(
                st.sampled_from([per_kg * weight, per_kg * weight + 0.001, 4.0, 45.0, 90.0])
                | st.floats(0.001, 200.0)
            )
            rows.append(
                (
                    patient,
                    draw(day),
                    drug,
                    round(min(max(dose, 0.001), 200.0), 6),
                    draw(st.sampled_from([50.0, 100.0, 250.0, dose * 10]) | st.floats(1.0, 1000.0)),
                    draw(st.sampled_from([15.0, 14.9, 60.0, 240.0]) | st.floats(1.0, 600.0)),
                )
            )
    given_table = pd.DataFrame(
        rows, columns=["patient_id", "date", "drug", "dose_mg", "volume_ml", "duration_min"]
    )
    kinds = list(MEASUREMENT_KINDS)
    values = []
    for patient in ids:
        for _ in range(draw(st.integers(0, 25))):
            kind = draw(st.sampled_from(kinds))
            plausible = PLAUSIBLE_RANGES[MEASUREMENT_KINDS[kind].plausible]
            value = draw(st.floats(plausible.low, plausible.high))
            values.append((patient, draw(day), kind, value))
    measured = pd.DataFrame(values, columns=["patient_id", "date", "kind", "value"])
    born = dict(zip(patients["patient_id"], patients["birth_date"], strict=True))
    given_table = given_table[given_table["date"] >= given_table["patient_id"].map(born)]
    measured = measured[measured["date"] >= measured["patient_id"].map(born)]
    return patients, given_table, measured


@given(tables())
def test_invariant_20_audits_agree_on_any_tables(
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    """Invariant 20 (P-HARD, P-HIST-INTERVAL, P-FRESH): one by one = columnar, every column."""
    history = history_from_frames(*frames)
    pd.testing.assert_frame_equal(judge_history(history), judge_one_by_one(history))


@settings(max_examples=examples(0.2))
@given(tables(), st.integers(1, 3))
def test_the_audit_of_a_split_by_patient_is_the_audit_of_the_whole(
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], parts: int
) -> None:
    patients, given_table, measured = frames
    whole = judge_frame(*frames)
    pieces = []
    for part in range(parts):
        ids = set(patients["patient_id"].iloc[part::parts])
        pieces.append(
            judge_frame(
                patients[patients["patient_id"].isin(ids)],
                given_table[given_table["patient_id"].isin(ids)],
                measured[measured["patient_id"].isin(ids)],
            )
        )
    pieces = [piece for piece in pieces if len(piece)] or [whole]
    joined = pd.concat(pieces, ignore_index=True).sort_values(
        ["patient_id", "date", "drug", "dose_mg", "volume_ml", "duration_min"],
        kind="stable",
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(joined, whole)


def test_a_hospital_of_400_children_every_kind_injected_found_and_nothing_else() -> None:
    history = generate(patients=400, years=15, deviation_rate=0.3, seed=2026)
    result = judge_frame(*history.tables)
    expected = history.administrations["expected_deviations"]
    injected = Counter(code for text in expected for code in _codes(text))
    assert set(injected) == {code.value for code in INJECTED}
    missed = [
        (row, wanted, got)
        for row, (wanted, got) in enumerate(zip(expected, result["deviations"], strict=True))
        if _codes(wanted) != _codes(got)
    ]
    assert missed == []


def test_an_audit_in_parts_of_whole_patients_is_the_audit_of_the_whole() -> None:
    history = history_from_frames(*generate(patients=40, years=8, seed=7).tables)
    whole = judge_history(history)
    chunks = list(parts(history, rows=50))
    assert len(chunks) > 3
    for chunk in chunks:  # each part is a history of its own patients
        assert chunk.administrations["patient_row"].min() == 0
        assert chunk.measurements["patient_row"].max() < len(chunk.patients)
    assert sum(len(chunk.administrations) for chunk in chunks) == len(whole)
    joined = pd.concat([judge_history(chunk) for chunk in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole)
