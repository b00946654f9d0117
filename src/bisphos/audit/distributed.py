"""The audit on a Dask cluster: Parquet partitions grouped by patient, judged by the workers.

:func:`bisphos.audit.columnar.judge_frame` is a pure function of whole patients: the rows a
partition holding every row of its patients gives are the rows the whole history gives them. So
the distributed audit is the one-process audit on each partition:

1. :func:`write_partitions` lays a history out as Parquet part files, ``patients/``,
   ``administrations/`` and ``measurements/``, each ``part-00000.parquet`` ... with every row
   of a patient in the part of the same number in all three tables (the part is a stable hash
   of the ``patient_id``), and a manifest (:data:`MANIFEST`) naming the number of parts. The
   layout is also a history :func:`bisphos.audit.history.read_history` reads.
2. :func:`verdict_frame` is a ``dask.dataframe`` with one partition per part: each reads its
   three part files on a worker and judges them with
   :func:`~bisphos.audit.columnar.judge_history` (the part files named in any error).
3. :func:`audit_partitions` computes it on a ``dask.distributed`` cluster and returns the rows
   in the order :func:`~bisphos.audit.columnar.judge_frame` gives them: the same table, row for
   row and column for column, as one process.

:func:`judge_partitions` does step 2 for dask DataFrames the caller has partitioned by patient
already (``DataFrame.shuffle(on="patient_id", npartitions=...)`` of the three tables).

The workers must be able to read the part files (a local cluster, or storage the cluster
shares). Requires the ``audit`` extra (pandas, pyarrow, dask, distributed).
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from bisphos.errors import InvalidValueError

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client

    from bisphos.audit.history import History

__all__ = [
    "MANIFEST",
    "ORDER",
    "TABLE_NAMES",
    "audit_history",
    "audit_on_cluster",
    "audit_partitions",
    "cluster_client",
    "is_partitioned",
    "judge_partitions",
    "local_client",
    "partition_numbers",
    "read_manifest",
    "verdict_frame",
    "write_partitions",
]

#: The three tables of a history, in the layout's order.
TABLE_NAMES: Final = ("patients", "administrations", "measurements")
#: The manifest of a partitioned history: its format, version and number of parts.
MANIFEST: Final = "bisphos-partitions.json"
#: The columns that order the verdict table, as the one-process audit orders it.
ORDER: Final = ("patient_id", "date", "drug", "dose_mg", "volume_ml", "duration_min")

_FORMAT: Final = "bisphos-audit-partitions"
# A history that is not partitioned yet is written in this many parts per worker.
_PARTS_PER_WORKER: Final = 4
_VERSION: Final = 1
_PART: Final = "part-{:05d}.parquet"
# Parts are numbered by this hash of the patient id: pandas' own, the same in every process.
_HASH_KEY: Final = "bisphos-patient"


def partition_numbers(patient_ids: pd.Series[Any], partitions: int) -> Any:
    """The part (0 to ``partitions - 1``) of each patient id: a stable hash, every process alike.

    Returns a numpy array of integers, one per id.
    """
    import pandas as pd  # noqa: PLC0415 - the optional 'audit' extra

    hashed = pd.util.hash_pandas_object(
        patient_ids.astype(str), index=False, hash_key=_HASH_KEY.ljust(16)[:16]
    )
    return (hashed.to_numpy() % partitions).astype("int64")


def _whole(value: object, field: str) -> int:
    """``value`` if it is a whole number of at least 1 (not a flag)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(
            f"the number of {field} must be a whole number of at least 1",
            field=field,
            value=value,
            expected="1, 2, 3 ...",
        )
    return value


def write_partitions(history: History, directory: Path | str, *, partitions: int) -> Path:
    """Write ``history`` as Parquet parts grouped by patient into ``directory``; return it.

    Every row of a patient goes to the part of the same number in each table; a part with no
    patient is written empty (with the table's columns), so each table has ``partitions``
    files.

    Raises:
        InvalidValueError: ``partitions`` is not a whole number of at least 1, or ``directory``
            exists and is not empty.
    """
    _whole(partitions, "partitions")
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidValueError(
            "the directory of the partitions must be new or empty",
            field="partitions directory",
            value=str(target),
            expected="a directory that does not exist yet, or an empty one",
        )
    frames = {
        "patients": history.patients,
        "administrations": history.administrations,
        "measurements": history.measurements,
    }
    for name, frame in frames.items():
        folder = target / name
        folder.mkdir(parents=True)
        numbers = partition_numbers(frame["patient_id"], partitions)
        groups = dict(tuple(frame.groupby(numbers, sort=True)))
        for number in range(partitions):
            part = groups.get(number, frame.iloc[:0])
            part.reset_index(drop=True).to_parquet(folder / _PART.format(number), index=False)
    manifest = {"format": _FORMAT, "version": _VERSION, "partitions": partitions}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


def read_manifest(directory: Path | str) -> int:
    """Return the number of parts of a partitioned history, checking its files.

    Raises:
        InvalidValueError: ``directory`` has no manifest, the manifest is not one this
            version writes, or a part file is missing.
    """
    source = Path(directory)
    path = source / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidValueError(
            f"not a partitioned history ({type(error).__name__})",
            field=str(path),
            expected=f"a directory written by write_partitions, with {MANIFEST}",
        ) from None
    expected = f'{{"format": "{_FORMAT}", "version": {_VERSION}, "partitions": N}}'
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != _FORMAT
        or manifest.get("version") != _VERSION
    ):
        raise InvalidValueError(
            "not a manifest of partitions", field=str(path), value=manifest, expected=expected
        )
    partitions = manifest.get("partitions")
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise InvalidValueError(
            "the number of partitions must be a whole number of at least 1",
            field=f"{path}: partitions",
            value=partitions,
            expected=expected,
        )
    for name in TABLE_NAMES:
        for number in range(partitions):
            part = source / name / _PART.format(number)
            if not part.is_file():
                raise InvalidValueError(
                    "a part file is missing",
                    field=str(part),
                    expected=f"{partitions} parts of each table, as the manifest says",
                )
    return partitions


@contextlib.contextmanager
def _pandas_types() -> Iterator[None]:
    """Dask keeps the columns' own types (it would make text columns Arrow strings)."""
    import dask  # noqa: PLC0415 - the optional 'audit' extra

    with dask.config.set({"dataframe.convert-string": False}):
        yield


def _judge_part(paths: tuple[str, str, str]) -> pd.DataFrame:
    """Read one part of each table and judge it (runs on a worker)."""
    import pandas as pd  # noqa: PLC0415 - the optional 'audit' extra

    from bisphos.audit.columnar import judge_history  # noqa: PLC0415 - the optional extra
    from bisphos.audit.history import history_from_frames  # noqa: PLC0415

    frames = [pd.read_parquet(path) for path in paths]
    history = history_from_frames(*frames, sources=dict(zip(TABLE_NAMES, paths, strict=True)))
    return judge_history(history)


def _empty_verdicts() -> pd.DataFrame:
    """The verdict table of no administration: the columns and types of every partition."""
    from bisphos.audit.columnar import judge_frame  # noqa: PLC0415 - the optional extra
    from bisphos.audit.history import arrow_schema  # noqa: PLC0415

    empty = [arrow_schema(name).empty_table().to_pandas() for name in TABLE_NAMES]
    return judge_frame(*empty)


def verdict_frame(directory: Path | str) -> dd.DataFrame:
    """The verdict table of a partitioned history, as a lazy ``dask.dataframe``.

    One partition per part; each is :func:`bisphos.audit.columnar.judge_history` of the part's
    three files, read on the worker that computes it.

    Raises:
        InvalidValueError: as :func:`read_manifest`.
    """
    import dask.dataframe as dd  # noqa: PLC0415 - the optional 'audit' extra

    source = Path(directory).resolve()
    partitions = read_manifest(source)
    parts = [
        tuple(str(source / name / _PART.format(number)) for name in TABLE_NAMES)
        for number in range(partitions)
    ]
    with _pandas_types():
        frame = dd.from_map(_judge_part, parts, meta=_empty_verdicts(), label="bisphos-audit")
    return cast("dd.DataFrame", frame)


def judge_partitions(
    patients: dd.DataFrame, administrations: dd.DataFrame, measurements: dd.DataFrame
) -> dd.DataFrame:
    """Judge three dask DataFrames partitioned alike by patient, partition by partition.

    Partition *i* of each table must hold every row of the patients of partition *i* (e.g.
    each table ``shuffle(on="patient_id", npartitions=n)`` with the same ``n``).

    Raises:
        InvalidValueError: the tables have different numbers of partitions.
    """
    import dask.dataframe as dd  # noqa: PLC0415 - the optional 'audit' extra

    from bisphos.audit.columnar import judge_frame  # noqa: PLC0415 - the optional extra

    counts = [table.npartitions for table in (patients, administrations, measurements)]
    if len(set(counts)) != 1:
        raise InvalidValueError(
            "the tables are partitioned differently",
            field="partitions",
            value=dict(zip(TABLE_NAMES, counts, strict=True)),
            expected="the same number of partitions, grouped by patient_id alike",
        )
    with _pandas_types():
        frame = dd.map_partitions(
            judge_frame,
            patients,
            administrations,
            measurements,
            meta=_empty_verdicts(),
            align_dataframes=False,
            enforce_metadata=False,
        )
    return cast("dd.DataFrame", frame)


def _ordered(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The rows in the one-process order (a stable sort: a patient's rows keep their order)."""
    return verdicts.sort_values(list(ORDER), kind="stable", ignore_index=True)


def audit_partitions(
    directory: Path | str,
    client: Client,
    *,
    timeout: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Audit a partitioned history on the cluster of ``client``; return the verdict table.

    The table is :func:`bisphos.audit.columnar.judge_frame` of the whole history: the same
    rows in the same order with the same columns and types.

    Args:
        directory: A directory written by :func:`write_partitions`.
        client: A client of the cluster whose workers compute the parts.
        timeout: Seconds to wait for the result; ``None`` waits as long as it takes.
        progress: Told, as each part comes back, the administrations judged so far and the
            total.

    Raises:
        InvalidValueError: as :func:`read_manifest`; or the cluster gave no result within
            ``timeout``.
        TableInputError: a value of a part file is not accepted (the part file is named).
    """
    import pandas as pd  # noqa: PLC0415 - the optional 'audit' extra
    import pyarrow.parquet as pq  # noqa: PLC0415
    from distributed import as_completed  # noqa: PLC0415

    source = Path(directory)
    with _pandas_types():
        frame = verdict_frame(source)
        futures = client.compute(frame.to_delayed())
    number_of = {future.key: number for number, future in enumerate(futures)}
    sizes = [
        pq.read_metadata(source / "administrations" / _PART.format(number)).num_rows
        for number in range(len(futures))
    ]
    results: dict[int, pd.DataFrame] = {}
    try:
        for future in as_completed(futures, timeout=timeout):
            number = number_of[future.key]
            results[number] = future.result()
            if progress is not None:
                progress(sum(sizes[done] for done in results), sum(sizes))
    except TimeoutError:
        raise InvalidValueError(
            "the cluster gave no result in time",
            field="timeout",
            value=timeout,
            expected="more seconds, or more workers",
        ) from None
    finally:
        client.cancel([future for future in futures if not future.done()])
    # A part without patients adds no row, and its empty columns would change the types of
    # the others (an empty text column is of type object): it is left out, as dask does.
    judged = [results[number] for number in range(len(futures))]
    filled = [part for part in judged if len(part)] or judged[:1]
    return _ordered(pd.concat(filled, ignore_index=True))


def audit_history(
    history: History,
    client: Client,
    *,
    partitions: int,
    scratch: Path | str | None = None,
    timeout: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Audit a history read in this process on the cluster of ``client``.

    The history is written as ``partitions`` parts into a temporary directory under
    ``scratch`` (default: the system's temporary directory), which the workers must be able to
    read, audited with :func:`audit_partitions`, and removed.

    Raises:
        InvalidValueError: as :func:`write_partitions` and :func:`audit_partitions`.
        TableInputError: as :func:`audit_partitions`.
    """
    _whole(partitions, "partitions")
    with tempfile.TemporaryDirectory(prefix="bisphos-parts-", dir=scratch) as directory:
        parts = write_partitions(history, Path(directory) / "parts", partitions=partitions)
        return audit_partitions(parts, client, timeout=timeout, progress=progress)


def is_partitioned(path: Path | str) -> bool:
    """Whether ``path`` is a directory written by :func:`write_partitions` (it has a manifest)."""
    return (Path(path) / MANIFEST).is_file()


@contextlib.contextmanager
def cluster_client(
    *, scheduler: str | None = None, workers: int | None = None, timeout: float = 30.0
) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``workers`` processes.

    Args:
        scheduler: The address of a running scheduler (``tcp://host:8786``).
        workers: Without ``scheduler``: the worker processes of a local cluster.
        timeout: Seconds to wait for the connection to the scheduler.

    Raises:
        InvalidValueError: both or neither of ``scheduler`` and ``workers``, or the scheduler
            cannot be reached.
    """
    from distributed import Client  # noqa: PLC0415 - the optional 'audit' extra

    if (scheduler is None) == (workers is None):
        raise InvalidValueError(
            "give the scheduler of a running cluster or the workers of a local one",
            field="--scheduler/--workers",
            value={"scheduler": scheduler, "workers": workers},
            expected="exactly one of them",
        )
    if workers is not None:
        with local_client(workers) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, ValueError, TypeError) as error:
        raise InvalidValueError(
            f"cannot reach the scheduler ({type(error).__name__})",
            field="--scheduler",
            value=scheduler,
            expected="the address of a running dask scheduler, e.g. tcp://host:8786",
        ) from None
    with client:
        yield client


def audit_on_cluster(
    history: Path | str,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    partitions: int | None = None,
    scratch: Path | str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Audit the history at ``history`` on a Dask cluster (``bisphos audit --workers/--scheduler``).

    A partitioned directory (:func:`is_partitioned`) is read by the workers as it is; any other
    history is read and checked here (:func:`bisphos.audit.history.read_history`) and written
    as ``partitions`` parts (default: four per worker) into a temporary directory under
    ``scratch`` for them.

    Args:
        history: A history directory, partitioned or not.
        workers: The worker processes of a local cluster; or
        scheduler: the address of a running cluster's scheduler.
        partitions: The parts of a history that is not partitioned yet.
        scratch: Where the temporary parts go (the workers must read it).
        progress: As :func:`audit_partitions`.

    Raises:
        InvalidValueError: as :func:`cluster_client`, :func:`read_manifest` and
            :func:`write_partitions`; ``partitions`` for a partitioned directory.
        TableInputError: a value of the history is not accepted.
    """
    from bisphos.audit.history import read_history  # noqa: PLC0415 - the optional extra

    if partitions is not None:
        _whole(partitions, "partitions")
    with cluster_client(scheduler=scheduler, workers=workers) as client:
        if is_partitioned(history):
            if partitions is not None:
                raise InvalidValueError(
                    "the history is partitioned already",
                    field="--partitions",
                    value=partitions,
                    expected=f"no --partitions for a directory with {MANIFEST}",
                )
            return audit_partitions(history, client, progress=progress)
        checked = read_history(history)
        parts = partitions or _PARTS_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
        return audit_history(checked, client, partitions=parts, scratch=scratch, progress=progress)


@contextlib.contextmanager
def local_client(workers: int) -> Iterator[Client]:
    """A ``dask.distributed`` cluster on this machine: a scheduler and ``workers`` processes.

    Each worker is a process with one thread, listening on 127.0.0.1 only; the cluster is
    closed when the block ends, whatever happens in it.

    Raises:
        InvalidValueError: ``workers`` is not a whole number of at least 1.
    """
    from distributed import Client, LocalCluster  # noqa: PLC0415 - the optional 'audit' extra

    _whole(workers, "workers")
    with (
        LocalCluster(
            n_workers=workers,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            # The scheduler's and workers' HTTP servers (health, metrics) on the loopback too,
            # on free ports: two clusters on one machine do not meet.
            dashboard_address="127.0.0.1:0",
            worker_dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,  # a worker's failed task is the client's error
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
