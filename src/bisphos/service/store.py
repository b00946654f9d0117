"""The service's database: every card with its decision record, and the feedback on each card.

SQLite by default (one file, the ``database`` setting). The service creates the schema and
migrates it on start-up: table ``schema_version`` lists every migration applied (version and
time); a database of a newer version than this bisphos knows is refused, never altered.

Tables (version 2):

- ``decisions``: one row per hook call that planned: the service, the hook instance, the client
  (``iss``, ``sub``), the user of the hook's context, the time, and the decision record
  (:func:`bisphos.records.record`, as compact JSON), which ``bisphos replay`` decides again;
- ``cards``: every card returned, with its decision;
- ``feedback``: every outcome the EHR reported: accepted (with the suggestions accepted) or
  overridden (with the coded reason, the clinician's comment, whether the card offered that
  reason), the user, the outcome time and the time received.

Writes are transactions in write-ahead-log mode with ``synchronous=NORMAL``: a committed row
survives a crash of the service (a power loss may lose the last commits). The file is created
readable by its owner only: it holds patient data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from bisphos.errors import InvalidValueError
from bisphos.records import to_json
from bisphos.service.errors import BadRequestError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Decision", "FeedbackEntry", "Store"]

#: The migrations, in order: version ``i + 1`` is ``MIGRATIONS[i]``.
MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE decisions (
        id TEXT PRIMARY KEY,
        service_id TEXT NOT NULL,
        hook_instance TEXT NOT NULL,
        created_at TEXT NOT NULL,
        client_iss TEXT NOT NULL,
        client_sub TEXT,
        user_id TEXT,
        record TEXT NOT NULL
    );
    CREATE TABLE cards (
        uuid TEXT PRIMARY KEY,
        decision_id TEXT NOT NULL REFERENCES decisions(id),
        indicator TEXT NOT NULL CHECK (indicator IN ('info', 'warning', 'critical')),
        summary TEXT NOT NULL,
        card TEXT NOT NULL
    );
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        card_uuid TEXT NOT NULL REFERENCES cards(uuid),
        outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
        accepted_suggestions TEXT NOT NULL,
        override_system TEXT,
        override_code TEXT,
        override_display TEXT,
        user_comment TEXT,
        outcome_timestamp TEXT NOT NULL,
        received_at TEXT NOT NULL,
        client_iss TEXT NOT NULL,
        client_sub TEXT
    );
    """,
    """
    ALTER TABLE feedback ADD COLUMN user_id TEXT;
    ALTER TABLE feedback ADD COLUMN reason_offered INTEGER;
    CREATE INDEX feedback_card ON feedback(card_uuid);
    CREATE INDEX cards_decision ON cards(decision_id);
    """,
)
#: The schema version this bisphos writes.
SCHEMA_VERSION: Final = len(MIGRATIONS)


@attrs.frozen
class FeedbackEntry:
    """One outcome the EHR reports for a card (CDS Hooks ``Feedback``).

    Attributes:
        card: The card's uuid.
        outcome: ``accepted`` or ``overridden``.
        accepted_suggestions: The uuids of the suggestions accepted.
        override_reason: The coded reason (``system``, ``code``, ``display``), when overridden.
        user_comment: The clinician's comment on the override.
        outcome_timestamp: When the clinician acted (ISO 8601, as sent).
    """

    card: str
    outcome: str
    outcome_timestamp: str
    accepted_suggestions: tuple[str, ...] = ()
    override_reason: Mapping[str, str] | None = None
    user_comment: str | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _compact(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@attrs.frozen
class Decision:
    """One hook call's decision as stored: its record and its cards, already written as JSON.

    Made by :meth:`of` on the request's path, so that a record that cannot be written (a NaN, a
    value JSON has no form for) fails the request instead of the later write.

    Attributes:
        id: The decision id (every card's ``org.bisphos.decision`` names it).
        service_id: The service called.
        hook_instance: The hook call's ``hookInstance``.
        client: The client's ``iss`` and ``sub``.
        user_id: The user of the hook's context.
        created_at: When the decision was made (ISO 8601, UTC).
        record: The decision record as compact JSON, in its own key order.
        cards: One row per card: uuid, decision id, indicator, summary, the card as JSON.
    """

    id: str
    service_id: str
    hook_instance: str
    client: tuple[str, str | None]
    user_id: str | None
    created_at: str
    record: str
    cards: tuple[tuple[str, str, str, str, str], ...]

    @classmethod
    def of(
        cls,
        *,
        decision_id: str,
        service_id: str,
        hook_instance: str,
        client: tuple[str, str | None],
        user_id: str | None,
        record: Mapping[str, Any],
        cards: Sequence[Mapping[str, Any]],
    ) -> Decision:
        """The decision of a record (:func:`bisphos.records.record`) and its cards, written now.

        Raises:
            InvalidValueError: the record or a card is not JSON data.
        """
        try:
            text = _compact(record)
            rows = tuple(
                (c["uuid"], decision_id, c["indicator"], c["summary"], _compact(c)) for c in cards
            )
        except (TypeError, ValueError) as error:
            raise InvalidValueError(f"not JSON data: {error}", field="record") from None
        return cls(decision_id, service_id, hook_instance, client, user_id, _now(), text, rows)

    def row(self) -> tuple[str | None, ...]:
        """The row of table ``decisions``."""
        return (
            self.id,
            self.service_id,
            self.hook_instance,
            self.created_at,
            *self.client,
            self.user_id,
            self.record,
        )


class Store:
    """The SQLite database of cards, decision records and feedback; safe to share by threads.

    Args:
        path: The database file (created with its schema if absent).

    Raises:
        InvalidValueError: the file is not a database of this service, or of a newer version.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise InvalidValueError(
                f"not a usable database: {error}", field="service.database", value=str(path)
            ) from None

    def _migrate(self) -> None:
        db = self._db
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise InvalidValueError(
                "the database was written by a newer bisphos",
                field="service.database",
                value=f"schema version {current}",
                expected=f"version {SCHEMA_VERSION} or older",
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            statements = [s for s in MIGRATIONS[version - 1].split(";") if s.strip()]
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    db.execute(statement)
                db.execute("INSERT INTO schema_version VALUES (?, ?)", (version, _now()))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def schema_version(self) -> int:
        """The highest migration applied (0 for an empty database)."""
        row = self._db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def save_decisions(self, decisions: Sequence[Decision]) -> None:
        """Store decisions with their cards, all in one transaction (all or none)."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [d.row() for d in decisions],
                )
                db.executemany(
                    "INSERT INTO cards VALUES (?, ?, ?, ?, ?)",
                    [card for d in decisions for card in d.cards],
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def save_feedback(
        self, entries: Iterable[FeedbackEntry], client: tuple[str, str | None], *, service: str
    ) -> int:
        """Store feedback entries on cards of ``service`` in one transaction; return the count.

        Raises:
            BadRequestError: an entry names a card ``service`` did not issue, or a suggestion
                the card did not carry; nothing of the request is stored then.
        """
        received = _now()
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                count = 0
                for index, entry in enumerate(entries):
                    db.execute(
                        "INSERT INTO feedback (card_uuid, outcome, accepted_suggestions, "
                        "override_system, override_code, override_display, user_comment, "
                        "outcome_timestamp, received_at, client_iss, client_sub, user_id, "
                        "reason_offered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        self._feedback_row(entry, index, received, client, service),
                    )
                    count += 1
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        return count

    def _feedback_row(
        self,
        entry: FeedbackEntry,
        index: int,
        received: str,
        client: tuple[str, str | None],
        service: str,
    ) -> tuple[object, ...]:
        row = self._db.execute(
            "SELECT cards.card, decisions.user_id FROM cards JOIN decisions "
            "ON cards.decision_id = decisions.id WHERE cards.uuid = ? AND decisions.service_id = ?",
            (entry.card, service),
        ).fetchone()
        if row is None:
            raise BadRequestError(
                "no card with this uuid was issued by this service",
                field=f"feedback[{index}].card",
                value=entry.card,
            )
        card = json.loads(row[0])
        offered = {s["uuid"] for s in card.get("suggestions", [])}
        for suggestion in entry.accepted_suggestions:
            if suggestion not in offered:
                raise BadRequestError(
                    "the card carried no suggestion with this id",
                    field=f"feedback[{index}].acceptedSuggestions",
                    value=suggestion,
                    expected=", ".join(sorted(offered)) or "none: the card has no suggestion",
                )
        reason = entry.override_reason or {}
        reason_offered = None
        if entry.override_reason is not None:
            reason_offered = any(
                r.get("code") == reason.get("code") and r.get("system") == reason.get("system")
                for r in card.get("overrideReasons", [])
            )
        return (
            entry.card,
            entry.outcome,
            json.dumps(list(entry.accepted_suggestions)),
            reason.get("system"),
            reason.get("code"),
            reason.get("display"),
            entry.user_comment,
            entry.outcome_timestamp,
            received,
            *client,
            row[1],
            None if reason_offered is None else int(reason_offered),
        )

    def feedback(self) -> list[dict[str, Any]]:
        """Every feedback row, oldest first, as a mapping of column to value."""
        with self._lock:
            cursor = self._db.execute("SELECT * FROM feedback ORDER BY id")
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count(self, table: str) -> int:
        """The number of rows of ``decisions``, ``cards`` or ``feedback``."""
        if table not in ("decisions", "cards", "feedback"):
            raise InvalidValueError("no such table", field="table", value=table)
        with self._lock:
            return int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def record_of_card(self, card_uuid: str) -> str:
        """The decision record of a card, as ``bisphos plan --format record`` writes it.

        Byte for byte the same text, which ``bisphos replay`` reads.

        Raises:
            InvalidValueError: no card has this uuid.
        """
        with self._lock:
            row = self._db.execute(
                "SELECT decisions.record FROM cards JOIN decisions "
                "ON cards.decision_id = decisions.id WHERE cards.uuid = ?",
                (card_uuid,),
            ).fetchone()
        if row is None:
            raise InvalidValueError("no card with this uuid", field="card", value=card_uuid)
        return to_json(json.loads(row[0]))
