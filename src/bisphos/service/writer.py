"""The service's writes, off the request path: one thread, a bounded queue, one transaction a batch.

A hook call makes its decision (the decision record and the cards, written as JSON:
:class:`~bisphos.service.store.Decision`) on its own path, hands it to the :class:`Writer` and is
answered at once; the writer's thread stores every decision waiting in one transaction each time
it wakes (at most ``batch`` at once), so that SQLite's commits and checkpoints never hold up an
answer. Feedback goes through the same queue, after every decision handed over before it, so the
cards it names are stored when it is checked against them; a feedback request is answered only
once its own transaction has committed.

The queue is bounded (``max_pending``). When it is full a hook call is refused with 503 (its cards
are not shown: no card is shown whose record could not be queued), and so is feedback (not
acknowledged: the EHR sends it again). On a clean stop (:meth:`Writer.close`, which the service
calls on shutdown) everything queued is stored before the database is closed. A crash of the
process (``kill -9``, power loss) can lose the decisions queued and not yet committed: at most
``max_pending``, in practice those of the last milliseconds. Acknowledged feedback is never lost.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, Final, TypeVar

import attrs

from bisphos.service.errors import OverloadedError
from bisphos.service.store import Decision, Store

__all__ = ["DEFAULT_BATCH", "DEFAULT_MAX_PENDING", "Writer"]

_LOG: Final = logging.getLogger("bisphos.service")
_T = TypeVar("_T")

#: Decisions and feedback requests waiting at most; one more is refused with 503.
DEFAULT_MAX_PENDING: Final = 1024
#: Decisions stored in one transaction at most.
DEFAULT_BATCH: Final = 128


@attrs.frozen
class _Job:
    """Work on the store in the writer's thread (feedback), with its result."""

    work: Callable[[Store], Any]
    future: Future[Any]


_STOP: Final = object()


class Writer:
    """Stores decisions and runs feedback on a :class:`~bisphos.service.store.Store`, in order.

    Args:
        store: The database; the writer's thread writes it, readers may read it meanwhile.
        max_pending: Items waiting at most (decisions and feedback requests).
        batch: Decisions stored in one transaction at most.
    """

    def __init__(
        self, store: Store, *, max_pending: int = DEFAULT_MAX_PENDING, batch: int = DEFAULT_BATCH
    ) -> None:
        self._store = store
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_pending)
        self._batch = batch
        self._closing = False
        self._lock = threading.Lock()
        self.stored = 0
        self.lost = 0
        self._thread = threading.Thread(target=self._run, name="bisphos-writer", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Items queued and not yet taken by the writer's thread."""
        return self._queue.qsize()

    def save_decision(self, decision: Decision) -> None:
        """Queue ``decision`` to be stored.

        Raises:
            OverloadedError: ``max_pending`` items are waiting, or the writer is closing.
        """
        self._put(decision)

    def submit(self, work: Callable[[Store], _T]) -> Future[_T]:
        """Run ``work(store)`` in the writer's thread after everything queued before it.

        Raises:
            OverloadedError: ``max_pending`` items are waiting, or the writer is closing.
        """
        future: Future[_T] = Future()
        self._put(_Job(work, future))
        return future

    def flush(self, timeout: float | None = None) -> None:
        """Wait until everything queued so far is stored (or ``timeout`` seconds pass)."""
        future: Future[None] = Future()
        with self._lock:
            if self._closing:  # closing stores everything
                return
            self._queue.put(_Job(lambda store: None, future), timeout=timeout)
        future.result(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Store everything queued, then stop the thread; later items are refused."""
        with self._lock:
            self._closing = True
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            _LOG.error("writer: still writing after %s s at shutdown", timeout)
            return
        left = []
        while True:  # a flush queued after the stop: run here, the thread has ended
            try:
                left.append(self._queue.get_nowait())
            except queue.Empty:
                break
        self._handle(left)

    def _put(self, item: object) -> None:
        with self._lock:  # nothing is queued once the stop is
            if self._closing:
                raise OverloadedError("the service is stopping; try again")
            try:
                self._queue.put_nowait(item)
            except queue.Full:
                raise OverloadedError(
                    "too many decisions waiting to be stored; try again"
                ) from None

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            while len(items) < self._batch:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if self._handle(items):
                return

    def _handle(self, items: Sequence[object]) -> bool:
        """Store ``items`` in order; ``True`` when the stop was among them."""
        decisions: list[Decision] = []
        for index, item in enumerate(items):
            if isinstance(item, Decision):
                decisions.append(item)
                continue
            self._store_decisions(decisions)
            decisions = []
            if item is _STOP:
                self._handle(items[index + 1 :])  # flushes queued behind a flush's stop
                return True
            if isinstance(item, _Job):
                try:
                    item.future.set_result(item.work(self._store))
                except Exception as error:  # the job's own error goes back to its request
                    item.future.set_exception(error)
        self._store_decisions(decisions)
        return False

    def _store_decisions(self, decisions: list[Decision]) -> None:
        if not decisions:
            return
        try:
            self._store.save_decisions(decisions)
            self.stored += len(decisions)
            return
        except Exception as error:
            _LOG.error("writer: a batch of %d failed (%s)", len(decisions), type(error).__name__)
        for decision in decisions:  # one by one: a bad one does not take the others with it
            try:
                self._store.save_decisions([decision])
                self.stored += 1
            except Exception as error:
                self.lost += 1
                _LOG.error("writer: decision %s not stored (%s)", decision.id, type(error).__name__)
