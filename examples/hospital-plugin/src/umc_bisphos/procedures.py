"""A local contraindication: an orthopaedic procedure within 6 weeks (UMC-CI-1).

The bisphos patient model has no field for operations, so the plugin asks the hospital's own
records, by patient id, through a :class:`ProcedureSource`. The source the entry point uses,
:class:`ProceduresFile`, reads a JSON export named by the environment variable
``UMC_BISPHOS_PROCEDURES``; tests use :class:`StaticProcedures`. Each procedure that blocks is
carried as evidence on the finding, so a stored plan shows why it was blocked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final, Protocol

import attrs
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Patient

__all__ = [
    "BLOCK_DAYS",
    "ENVIRONMENT_VARIABLE",
    "Procedure",
    "ProcedureSource",
    "ProceduresFile",
    "StaticProcedures",
    "recent_procedure_findings",
]

#: An infusion is blocked on fewer than this many days after the procedure (6 weeks).
BLOCK_DAYS: Final = 42

#: The environment variable naming the JSON export of procedures.
ENVIRONMENT_VARIABLE: Final = "UMC_BISPHOS_PROCEDURES"


@attrs.frozen
class Procedure:
    """An orthopaedic procedure of one patient.

    Attributes:
        patient_id: The patient's identifier, as in the patient file.
        kind: What was done, e.g. ``"osteotomy"`` or ``"intramedullary rodding"``.
        date: The date of the operation.
    """

    patient_id: str
    kind: str
    date: dt.date


class ProcedureSource(Protocol):
    """Where the plugin finds a patient's procedures."""

    def procedures(self, patient_id: str) -> Sequence[Procedure]:
        """Return the procedures of ``patient_id``."""
        ...


def _records(value: Iterable[Procedure]) -> tuple[Procedure, ...]:
    return tuple(value)


@attrs.frozen
class StaticProcedures:
    """Procedures given in code (tests, or a caller that looked them up already).

    Attributes:
        records: The procedures.
    """

    records: tuple[Procedure, ...] = attrs.field(default=(), converter=_records)

    def procedures(self, patient_id: str) -> Sequence[Procedure]:
        """Return the procedures of ``patient_id``."""
        return tuple(p for p in self.records if p.patient_id == patient_id)


def _read(path: Path) -> tuple[Procedure, ...]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Procedure(str(row["patient_id"]), str(row["kind"]), dt.date.fromisoformat(row["date"]))
        for row in rows
    )


@attrs.frozen
class ProceduresFile:
    """Procedures from a JSON export: a list of ``{"patient_id", "kind", "date"}`` objects.

    Attributes:
        path: The file; when ``None``, the file named by ``UMC_BISPHOS_PROCEDURES``, read at
            each call (no file named: no procedures).
    """

    path: Path | None = None

    def procedures(self, patient_id: str) -> Sequence[Procedure]:
        """Return the procedures of ``patient_id``.

        Raises:
            OSError, ValueError, KeyError: the export cannot be read; bisphos turns this into a
                ``PluginError``, so an unreadable export stops the plan instead of clearing it.
        """
        path = self.path
        if path is None:
            named = os.environ.get(ENVIRONMENT_VARIABLE, "")
            if not named:
                return ()
            path = Path(named)
        return StaticProcedures(_read(path)).procedures(patient_id)


def recent_procedure_findings(
    patient: Patient, procedures: Iterable[Procedure]
) -> tuple[Finding, ...]:
    """Return a UMC-CI-1 BLOCK finding for each procedure fewer than 42 days before today.

    A procedure after the assessment date (one that is planned) is not counted.
    """
    today = patient.assessment_date
    findings = []
    for procedure in procedures:
        days = (today - procedure.date).days
        if not 0 <= days < BLOCK_DAYS:
            continue
        until = procedure.date + dt.timedelta(days=BLOCK_DAYS)
        findings.append(
            Finding(
                code="umc-recent-orthopaedic-procedure",
                rule_ids=("UMC-CI-1",),
                severity=Severity.BLOCK,
                message=(
                    f"{procedure.kind} on {procedure.date.isoformat()}, {days} days ago: no "
                    "bisphosphonate infusion within 6 weeks of an orthopaedic procedure"
                ),
                evidence=(
                    Evidence("procedure", procedure.kind),
                    Evidence("procedure_date", procedure.date),
                    Evidence("days_since_procedure", days, threshold=BLOCK_DAYS),
                    Evidence("postpone_until", until),
                ),
                action=f"postpone the infusion to {until.isoformat()} or later",
            )
        )
    return tuple(findings)
