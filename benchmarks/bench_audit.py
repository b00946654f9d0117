"""The audit over columns: a million administrations on one core, against bare numpy.

A seeded hospital history (``bisphos.audit.generate``) is cut to the first ``--rows``
administrations (default 1,000,000; the last patient's history simply ends earlier). Before any
timing the library's result (``bisphos.audit.judge_frame``: the input checked at the boundary,
every deviation with its rules, the output table) and the bare-numpy reference
(``audit_reference.audit``: the same checks, the numbers as literals, no input checks) must agree
on every row: the deviation codes, the verdict, what could not be assessed, the weight and the
intervals. Then both are timed in interleaved rounds by CPU time of the process
(``time.process_time``, one core: numpy here runs single-threaded); the minimum of the rounds is
reported, with the ratio, and the injected deviations against the ones found.

    python benchmarks/bench_audit.py               # in an environment with .[audit]
    python benchmarks/bench_audit.py --rows 100000 --rounds 2
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import audit_reference
import pandas as pd

from bisphos.audit import judge_frame
from bisphos.audit.generate import generate

_COMPARED = (
    "deviations",
    "verdict",
    "unassessed",
    "weight_kg",
    "interval_days",
    "min_interval_days",
)


def _codes(text: str) -> set[str]:
    return set(filter(None, text.split(";")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()

    start = time.perf_counter()
    patients = max(1, options.rows // 14)
    history = generate(patients=patients, years=20, seed=options.seed, deviation_rate=0.02)
    while len(history.administrations) < options.rows:
        patients = patients * 5 // 4
        history = generate(patients=patients, years=20, seed=options.seed, deviation_rate=0.02)
    labels = history.administrations.iloc[: options.rows]
    kept = labels["patient_id"].unique()
    tables = (
        history.patients[history.patients["patient_id"].isin(kept)].reset_index(drop=True),
        labels.drop(columns=["expected_deviations", "expected_rule_ids"]),
        history.measurements[history.measurements["patient_id"].isin(kept)].reset_index(drop=True),
    )
    print(
        f"history: {len(tables[1]):,} administrations of {len(tables[0]):,} patients, "
        f"{len(tables[2]):,} measurements (generated in {time.perf_counter() - start:.1f} s)"
    )

    library = judge_frame(*tables)
    reference = audit_reference.audit(*tables)
    for column in _COMPARED:
        pd.testing.assert_series_equal(
            library[column].reset_index(drop=True),
            reference[column].reset_index(drop=True),
            check_dtype=False,
            check_names=False,
        )
    print(f"library and reference agree on every row ({', '.join(_COMPARED)})")

    injected: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    extra: Counter[str] = Counter()
    for wanted, got in zip(labels["expected_deviations"], library["deviations"], strict=True):
        injected.update(_codes(wanted))
        missed.update(_codes(wanted) - _codes(got))
        extra.update(_codes(got) - _codes(wanted))
    print(
        f"injected deviations {sum(injected.values()):,} of {len(injected)} kinds; "
        f"not found {sum(missed.values())}; found beyond the labels {sum(extra.values())}"
        + (f" {dict(extra)}" if extra else "")
    )
    print("verdicts:", dict(Counter(library["verdict"])))

    library_s, reference_s, ratios = [], [], []
    for _ in range(options.rounds):
        begin = time.process_time()
        judge_frame(*tables)
        library_s.append(time.process_time() - begin)
        begin = time.process_time()
        audit_reference.audit(*tables)
        reference_s.append(time.process_time() - begin)
        ratios.append(library_s[-1] / reference_s[-1])
    best_library, best_reference = min(library_s), min(reference_s)
    rows = len(tables[1])
    ratio, median = best_library / best_reference, sorted(ratios)[len(ratios) // 2]
    print(
        f"judge_frame: {best_library:.2f} s ({rows / best_library:,.0f} administrations per "
        f"second); numpy reference {best_reference:.2f} s; ratio {ratio:.2f}x "
        f"(median of rounds {median:.2f}x); rounds {options.rounds}"
    )


if __name__ == "__main__":
    main()
