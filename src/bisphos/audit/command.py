"""``bisphos audit HISTORY``: the audit on the command line.

Reads a history (a directory of tables), judges every administration, writes the result table
to ``--output FILE`` (``.parquet`` or ``.csv``, replaced whole only once it is written) and prints
a summary: as text, or with ``--format json`` the document of the schema
``bisphos/schemas/audit.schema.json``. On a terminal a long run shows its progress on standard
error (administrations done, per second, the expected end); ``--quiet`` or an output that is not
a terminal shows none.

Exit codes: 0 every administration is within the protocol; 1 a deviation was found or an
administration could not be assessed; 2 the input was invalid (every problem named with its
file, row and column).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TextIO

import pandas as pd

from bisphos._version import __version__
from bisphos.audit.run import audit, summary
from bisphos.errors import InvalidValueError
from bisphos.i18n import Language
from bisphos.pediatric.rules import PROTOCOL_ID, PROTOCOL_VERSION

__all__ = ["OUTPUT_SUFFIXES", "ProgressLine", "document", "render", "run", "write_table"]

#: The kinds of file the result is written as.
OUTPUT_SUFFIXES: Final = (".parquet", ".csv")
#: Progress is shown only for runs longer than this many seconds.
_QUIET_SECONDS: Final = 1.0


class ProgressLine:
    """Progress of a long run on one line of a terminal: done, per second, the expected end.

    Args:
        stream: Where to write (standard error).
        clock: Seconds of a monotonic clock.
    """

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._start = clock()
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` administrations are judged."""
        elapsed = self._clock() - self._start
        if elapsed < _QUIET_SECONDS and not self._shown:
            return
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else 0.0
        self._stream.write(
            f"\r{done:,} of {total:,} administrations, {rate:,.0f} per second, "
            f"about {left:,.0f} s left "
        )
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the line, if one was shown."""
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


def write_table(result: pd.DataFrame, target: Path) -> None:
    """Write the result to ``target`` (Parquet or CSV by its suffix), replacing it only when done.

    Raises:
        InvalidValueError: the suffix is not ``.parquet`` or ``.csv``, or the file cannot be
            written.
    """
    suffix = target.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InvalidValueError(
            "the audit writes Parquet or CSV",
            field="--output",
            value=str(target),
            expected="a file name ending in .parquet or .csv",
        )
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed at once, then renamed
            dir=target.parent, prefix=f".{target.name}.", suffix=suffix, delete=False
        )
        handle.close()
    except OSError as error:
        raise _unwritable(target, error) from None
    try:
        if suffix == ".parquet":
            result.to_parquet(handle.name, index=False)
        else:
            result.to_csv(handle.name, index=False, date_format="%Y-%m-%d")
        os.replace(handle.name, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise _unwritable(target, error) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def _unwritable(target: Path, error: OSError) -> InvalidValueError:
    return InvalidValueError(
        f"cannot write the output file: {error.strerror or type(error).__name__}",
        field="--output",
        value=str(target),
        expected="a file in a directory that can be written to",
    )


def document(result: pd.DataFrame, *, source: str, output: str | None) -> dict[str, Any]:
    """The JSON document of an audit (``bisphos-audit``, schema ``audit.schema.json``)."""
    counts = summary(result)
    rules = sorted({item["rule_id"] for item in counts["rules"]})
    return {
        "format": "bisphos-audit",
        "format_version": 1,
        "library_version": __version__,
        "protocol": {"id": PROTOCOL_ID, "version": PROTOCOL_VERSION},
        "source": source,
        "output": output,
        **counts,
        "rule_ids": rules,
    }


def render(counts: dict[str, Any]) -> str:
    """The summary as text: the verdicts, each deviation with its rules, each year."""
    verdicts = counts["verdicts"]
    head = (
        f"audit of {counts['source']}: {counts['administrations']} administrations of "
        f"{counts['patients']} patients"
    )
    tally = (
        f"  ok {verdicts['ok']}, deviation {verdicts['deviation']}, "
        f"not assessable {verdicts['not_assessable']}"
    )
    lines = [head, tally]
    if counts["deviations"]:
        lines.append("deviations:")
        lines += [
            f"  {item['code']} [{', '.join(item['rule_ids'])}]: {item['count']}"
            for item in counts["deviations"]
        ]
    if counts["unassessed"]:
        lines.append("not assessed:")
        lines += [f"  {item['code']}: {item['count']}" for item in counts["unassessed"]]
    if counts["per_year"]:
        lines.append("per year (administrations, deviations):")
        lines += [
            f"  {item['year']}: {item['administrations']}, {item['deviations']}"
            for item in counts["per_year"]
        ]
    if counts["output"]:
        lines.append(f"written to {counts['output']}")
    return "\n".join(lines)


def run(
    history: str,
    *,
    output: str | None,
    json_format: bool,
    quiet: bool,
    stderr: TextIO,
    write: Callable[[str], None],
    report: str | None = None,
    lang: Language = "en",
    workers: int | None = None,
    scheduler: str | None = None,
    partitions: int | None = None,
) -> int:
    """Audit ``history``, write the table to ``output``, print the summary; the exit code.

    With ``workers`` or ``scheduler`` the history is judged on a Dask cluster
    (:func:`bisphos.audit.distributed.audit_on_cluster`); with ``report`` the report page is
    written too (:func:`bisphos.audit.report.write_report`, in ``lang``).

    Raises:
        BisphosError: the history or the output file (typed, with the file, row and column).
    """
    progress = None if quiet or not stderr.isatty() else ProgressLine(stderr)
    try:
        if workers is None and scheduler is None:
            if partitions is not None:
                raise InvalidValueError(
                    "parts are for a cluster",
                    field="--partitions",
                    value=partitions,
                    expected="--workers N or --scheduler ADDRESS with it",
                )
            result = audit(Path(history), progress=progress)
        else:
            from bisphos.audit.distributed import audit_on_cluster  # noqa: PLC0415 - dask

            result = audit_on_cluster(
                Path(history),
                workers=workers,
                scheduler=scheduler,
                partitions=partitions,
                scratch=None if output is None else Path(output).parent,
                progress=progress,
            )
    finally:
        if progress is not None:
            progress.close()
    if output is not None:
        write_table(result, Path(output))
    if report is not None:
        from bisphos.audit.report import write_report  # noqa: PLC0415 - matplotlib, on demand

        write_report(result, report, lang=lang)
    counts = document(result, source=history, output=output)
    if json_format:
        from bisphos.export.command_json import document_json  # noqa: PLC0415 - on demand

        write(document_json(counts))
    else:
        write(render(counts) + "\n")
    ok = counts["verdicts"]["ok"] == counts["administrations"]
    return 0 if ok else 1
