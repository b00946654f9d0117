"""The audit on a real dask.distributed cluster gives the one-process table, row for row.

One cluster for the module: a scheduler and two worker processes (one thread each) on
127.0.0.1, started by the test and always closed. Every comparison is of the whole verdict
table (every column, its type, the row order) against :func:`judge_frame` in this process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed")

import dask.dataframe as dd
from distributed import Client

from bisphos import cli
from bisphos.audit.columnar import judge_frame
from bisphos.audit.distributed import (
    MANIFEST,
    TABLE_NAMES,
    audit_history,
    audit_partitions,
    cluster_client,
    judge_partitions,
    local_client,
    partition_numbers,
    read_manifest,
    write_partitions,
)
from bisphos.audit.generate import generate
from bisphos.audit.history import History, history_from_frames
from bisphos.engine import Engine
from bisphos.errors import InvalidValueError, TableInputError

# Seconds any one computation on the cluster may take before the test fails.
TIMEOUT = 120.0
ENGINE = Engine.create(entry_points=False)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with local_client(2) as started:
        started.wait_for_workers(2, timeout=TIMEOUT)
        yield started


def _history(seed: int, patients: int) -> History:
    """A generated hospital over 6 years, about 10 % of its administrations deviating."""
    tables = generate(patients=patients, years=6, seed=seed, deviation_rate=0.1).tables
    return history_from_frames(*tables)


def _one_process(history: History) -> pd.DataFrame:
    return judge_frame(history.patients, history.administrations, history.measurements)


def test_the_cluster_has_two_worker_processes_on_the_loopback(client: Client) -> None:
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
    assert all(info["nthreads"] == 1 for info in workers.values())
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2
    assert os.getpid() not in pids


@pytest.mark.parametrize(("seed", "patients", "partitions"), [(1, 60, 4), (2, 45, 3), (3, 7, 9)])
def test_the_cluster_gives_the_one_process_table(
    client: Client, tmp_path: Path, seed: int, patients: int, partitions: int
) -> None:
    """Identical output (P-HARD, P-HIST-INTERVAL, P-FRESH and every other verdict's rules)."""
    history = _history(seed, patients)
    write_partitions(history, tmp_path / "parts", partitions=partitions)
    expected = _one_process(history)
    got = audit_partitions(tmp_path / "parts", client, timeout=TIMEOUT)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert (expected["verdict"] == "deviation").any()


def test_every_patient_is_in_one_part_number_of_every_table(tmp_path: Path) -> None:
    history = _history(4, 30)
    write_partitions(history, tmp_path / "parts", partitions=5)
    assert read_manifest(tmp_path / "parts") == 5
    home: dict[str, int] = {}
    for name in TABLE_NAMES:
        for number in range(5):
            part = pd.read_parquet(tmp_path / "parts" / name / f"part-{number:05d}.parquet")
            for patient_id in set(part["patient_id"]):
                assert home.setdefault(patient_id, number) == number, (name, patient_id)
    assert set(home) == set(history.patients["patient_id"])
    ids = history.patients["patient_id"]
    assert list(partition_numbers(ids, 5)) == [home[patient_id] for patient_id in ids]


def test_shuffled_dask_frames_are_judged_as_one_process(client: Client) -> None:
    """judge_partitions on tables each shuffled by patient_id into the same partitions."""
    history = _history(5, 40)
    frames = [
        dd.from_pandas(frame, npartitions=3).shuffle(on="patient_id", npartitions=4)
        for frame in (history.patients, history.administrations, history.measurements)
    ]
    verdicts = client.compute(judge_partitions(*frames)).result(timeout=TIMEOUT)
    got = verdicts.sort_values(["patient_id", "date", "drug", "dose_mg"], ignore_index=True)
    expected = _one_process(history).sort_values(
        ["patient_id", "date", "drug", "dose_mg"], ignore_index=True
    )
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_differently_partitioned_tables_are_refused() -> None:
    history = _history(6, 10)
    frames = [
        dd.from_pandas(history.patients, npartitions=2),
        dd.from_pandas(history.administrations, npartitions=3),
        dd.from_pandas(history.measurements, npartitions=2),
    ]
    with pytest.raises(InvalidValueError, match="partitioned differently"):
        judge_partitions(*frames)


def test_a_bad_value_in_a_part_names_the_part_file_row_and_column(
    client: Client, tmp_path: Path
) -> None:
    write_partitions(_history(7, 12), tmp_path / "parts", partitions=2)
    part = tmp_path / "parts" / "administrations" / "part-00001.parquet"
    frame = pd.read_parquet(part)
    frame.loc[1, "dose_mg"] = -1.0
    frame.to_parquet(part, index=False)
    with pytest.raises(TableInputError, match=r"part-00001\.parquet, row 2, dose_mg"):
        audit_partitions(tmp_path / "parts", client, timeout=TIMEOUT)


def test_a_directory_that_is_not_partitioned_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="not a partitioned history"):
        read_manifest(tmp_path)
    (tmp_path / MANIFEST).write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(InvalidValueError, match="not a manifest of partitions"):
        read_manifest(tmp_path)


def test_a_missing_part_file_is_named(tmp_path: Path) -> None:
    write_partitions(_history(8, 5), tmp_path / "parts", partitions=3)
    missing = tmp_path / "parts" / "measurements" / "part-00002.parquet"
    missing.unlink()
    with pytest.raises(InvalidValueError, match="a part file is missing") as raised:
        read_manifest(tmp_path / "parts")
    assert raised.value.field == str(missing)


def test_partitions_are_written_only_into_a_new_directory(tmp_path: Path) -> None:
    history = _history(9, 3)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidValueError, match="must be new or empty"):
        write_partitions(history, tmp_path / "used", partitions=2)
    for bad in (0, -1, True):
        with pytest.raises(InvalidValueError, match="whole number of at least 1"):
            write_partitions(history, tmp_path / "new", partitions=bad)


def test_a_cluster_of_no_workers_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="workers"), local_client(0):
        pass


def test_a_running_cluster_is_reached_by_its_scheduler_address(
    client: Client, tmp_path: Path
) -> None:
    """audit_history on a second client of the running cluster; its parts are removed after."""
    history = _history(10, 25)
    address = client.scheduler_info()["address"]
    with cluster_client(scheduler=address) as other:
        got = audit_history(history, other, partitions=3, scratch=tmp_path, timeout=TIMEOUT)
    pd.testing.assert_frame_equal(got, _one_process(history), check_exact=True)
    assert not any(tmp_path.iterdir())


def test_an_unreachable_scheduler_is_an_input_error() -> None:
    with (
        pytest.raises(InvalidValueError, match="cannot reach the scheduler") as raised,
        cluster_client(scheduler="tcp://127.0.0.1:9", timeout=1.0),
    ):
        pass
    assert raised.value.field == "--scheduler"


@pytest.mark.parametrize(("scheduler", "workers"), [(None, None), ("tcp://127.0.0.1:9", 2)])
def test_a_cluster_is_given_by_exactly_one_of_scheduler_and_workers(
    scheduler: str | None, workers: int | None
) -> None:
    with (
        pytest.raises(InvalidValueError, match="exactly one of them"),
        cluster_client(scheduler=scheduler, workers=workers),
    ):
        pass


def test_progress_is_told_as_each_part_comes_back(client: Client, tmp_path: Path) -> None:
    history = _history(11, 20)
    write_partitions(history, tmp_path / "parts", partitions=3)
    told: list[tuple[int, int]] = []
    audit_partitions(
        tmp_path / "parts", client, timeout=TIMEOUT, progress=lambda *p: told.append(p)
    )
    total = len(history.administrations)
    assert len(told) == 3
    assert [pair[1] for pair in told] == [total] * 3
    assert told[-1][0] == total
    assert [pair[0] for pair in told] == sorted(pair[0] for pair in told)


def _tables_directory(directory: Path, history: History) -> Path:
    directory.mkdir()
    history.patients.to_csv(directory / "patients.csv", index=False)
    history.administrations.to_csv(directory / "administrations.csv", index=False)
    history.measurements.to_csv(directory / "measurements.csv", index=False)
    return directory


def test_the_command_line_audits_on_a_running_cluster_as_in_one_process(
    client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``bisphos audit DIR --scheduler ADDRESS``: the same table file and summary."""
    history = _tables_directory(tmp_path / "history", _history(12, 30))
    address = client.scheduler_info()["address"]
    one, many = tmp_path / "one.parquet", tmp_path / "many.parquet"
    assert cli.main(["audit", str(history), "-o", str(one), "-q"], engine=ENGINE) == 1
    alone = capsys.readouterr().out
    argv = ["audit", str(history), "-o", str(many), "-q", "--scheduler", address]
    assert cli.main([*argv, "--partitions", "3"], engine=ENGINE) == 1
    on_cluster = capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_parquet(many), pd.read_parquet(one), check_exact=True)
    assert on_cluster.replace(str(many), str(one)) == alone
    assert not [path for path in tmp_path.iterdir() if path.name.startswith("bisphos-parts-")]


def test_the_command_line_starts_a_local_cluster_for_a_partitioned_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``bisphos audit PARTS --workers 1``: the workers read the parts themselves."""
    history = _history(13, 15)
    parts = write_partitions(history, tmp_path / "parts", partitions=2)
    target = tmp_path / "verdicts.parquet"
    code = cli.main(["audit", str(parts), "--workers", "1", "-o", str(target), "-q"], engine=ENGINE)
    assert code == 1
    capsys.readouterr()
    expected = _one_process(history)
    got = pd.read_parquet(target)
    assert list(got["rule_ids"]) == list(expected["rule_ids"])
    assert list(got["patient_id"]) == list(expected["patient_id"])


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--workers", "0"], "workers"),
        (["--workers", "1", "--scheduler", "tcp://127.0.0.1:9"], "--scheduler/--workers"),
        (["--scheduler", "tcp://127.0.0.1:9", "--partitions", "0"], "partitions"),
    ],
)
def test_the_command_line_names_a_wrong_cluster_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], field: str
) -> None:
    history = _tables_directory(tmp_path / "history", _history(14, 3))
    assert cli.main(["audit", str(history), "-q", *argv], engine=ENGINE) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{field}: ")
    assert "Traceback" not in err


def test_the_spark_schema_of_the_docs_is_the_one_process_table() -> None:
    """docs/audit-distributed.md: the applyInPandas schema names every column, typed as judged."""
    import re

    from bisphos.audit.columnar import OUTPUT_COLUMNS

    page = (Path(__file__).parents[2] / "docs" / "audit-distributed.md").read_text("utf-8")
    block = page[page.index("schema = (") : page.index("verdicts = long.groupBy")]
    fields = [field.split() for field in "".join(re.findall(r'"([^"]*)"', block)).split(",")]
    assert [name for name, _ in fields] == list(OUTPUT_COLUMNS)
    judged = _one_process(_history(15, 5))
    spark = {"string": "object", "double": "float64", "long": "int64", "date": "datetime64"}
    for name, kind in fields:
        dtype = judged[name].dtype
        assert str(dtype).startswith(spark[kind]) or (kind == "string" and dtype == "str"), name
