"""The audit of a million administrations on a two-worker Dask cluster, against one process.

Run: ``python benchmarks/bench_audit_dask.py [--administrations 1000000] [--workers 2]
[--partitions 8] [--seed 0]`` (the ``audit`` extra installed).

1. A seeded history (:func:`bisphos.audit.generate.generate`) with at least the administrations
   asked for: the number of children is scaled from a pilot history of the same seed.
2. One process: :func:`bisphos.audit.columnar.judge_frame` of the three tables (the input
   checks and the judgement), wall time and CPU time.
3. The history written as Parquet parts grouped by patient
   (:func:`bisphos.audit.distributed.write_partitions`), timed on its own.
4. A local cluster (a scheduler and ``--workers`` worker processes with one thread each, on
   127.0.0.1) started and timed on its own; then
   :func:`bisphos.audit.distributed.audit_partitions`: every part read, checked and judged on a
   worker, the rows gathered and ordered. Wall time of that one run, rows per second, its ratio
   to the one-process time, and the CPU time the workers spent on it.
5. The two verdict tables compared with ``pandas.testing.assert_frame_equal``: every row,
   column, type and the order; the script fails if they differ.

One run of each, wall clock (``time.perf_counter``); the machine's other load counts. The figures
are printed as one table.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from bisphos.audit.columnar import judge_frame
from bisphos.audit.distributed import audit_partitions, local_client, write_partitions
from bisphos.audit.generate import generate
from bisphos.audit.history import history_from_frames

YEARS = 10
PILOT_PATIENTS = 500


def history_tables(administrations: int, seed: int) -> tuple[pd.DataFrame, ...]:
    """The three tables of a history with at least ``administrations`` administrations."""
    pilot = generate(patients=PILOT_PATIENTS, years=YEARS, seed=seed)
    per_patient = len(pilot.administrations) / PILOT_PATIENTS
    patients = max(1, round(administrations / per_patient * 1.02))
    while True:
        tables = generate(patients=patients, years=YEARS, seed=seed).tables
        if len(tables[1]) >= administrations:
            return tables
        patients = round(patients * 1.05) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--administrations", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()

    started = time.perf_counter()
    patients, given, measured = history_tables(options.administrations, options.seed)
    generated_s = time.perf_counter() - started
    rows = len(given)
    print(
        f"history: {len(patients):,} patients, {rows:,} administrations, "
        f"{len(measured):,} measurements (generated in {generated_s:.1f} s); "
        f"{os.cpu_count()} CPUs"
    )

    cpu = time.process_time()
    started = time.perf_counter()
    expected = judge_frame(patients, given, measured)
    one_s = time.perf_counter() - started
    one_cpu_s = time.process_time() - cpu

    with tempfile.TemporaryDirectory(prefix="bisphos-bench-") as scratch:
        started = time.perf_counter()
        history = history_from_frames(patients, given, measured)
        parts = write_partitions(history, Path(scratch) / "parts", partitions=options.partitions)
        write_s = time.perf_counter() - started

        started = time.perf_counter()
        with local_client(options.workers) as client:
            client.wait_for_workers(options.workers)
            cluster_s = time.perf_counter() - started
            before = client.run(time.process_time)
            started = time.perf_counter()
            got = audit_partitions(parts, client)
            dask_s = time.perf_counter() - started
            after = client.run(time.process_time)
            workers_cpu_s = sum(after[worker] - before[worker] for worker in after)

    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    deviations = int((expected["verdict"] == "deviation").sum())
    print(
        f"identical output: {rows:,} rows x {expected.shape[1]} columns ({deviations:,} deviations)"
    )
    print()
    print(f"{'step':<52}{'seconds':>10}{'rows/s':>14}")
    figures = [
        ("one process: judge_frame (checks + judgement)", one_s),
        ("  of it CPU time of this process", one_cpu_s),
        (f"write {options.partitions} Parquet parts by patient (one process)", write_s),
        (f"start a local cluster, {options.workers} worker processes", cluster_s),
        (f"cluster: read, check, judge {options.partitions} parts, gather", dask_s),
        ("  of it CPU time of the workers, together", workers_cpu_s),
    ]
    for label, seconds in figures:
        print(f"{label:<52}{seconds:>10.2f}{rows / seconds:>14,.0f}")
    print(f"ratio cluster / one process: {dask_s / one_s:.2f}")


if __name__ == "__main__":
    main()
