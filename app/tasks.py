"""Background work as operation objects (STYLE.md point 3).

One database worker thread serialises every vault access (it owns the
writing connection); a separate pool runs network work, so a slow provider
never delays the database. Callbacks are handed to `deliver`, which the UI
sets to "run this on the GUI thread"; the function doing the work never
touches a widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Deliver = Callable[[Callable[[], None]], None]


class Cancelled(Exception):
    """Raised inside work whose operation was cancelled."""


class Progress:
    """Handed to the work function: report progress, and check for cancel."""

    def __init__(self, report: Callable[[str, int, int], None] | None) -> None:
        self._report = report
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Report; raises `Cancelled` once cancel was asked for."""
        if self._cancel.is_set():
            raise Cancelled
        if self._report is not None:
            self._report(phase, done, total)


@dataclass
class Operation(Generic[T]):
    """A unit of background work and what to do with its outcome."""

    work: Callable[[Progress], T]
    on_success: Callable[[T], None] | None = None
    on_failure: Callable[[BaseException], None] | None = None
    on_progress: Callable[[str, int, int], None] | None = None
    #: names of what the work changes, so views redraw only what they show
    changes: frozenset[str] = field(default_factory=frozenset)


class Handle:
    """A running operation: cancel it, or wait for it (tests, shutdown)."""

    def __init__(self, future: Future[Any], progress: Progress) -> None:
        self.future = future
        self._progress = progress

    def cancel(self) -> None:
        self._progress.cancel()
        self.future.cancel()

    def wait(self, timeout: float | None = None) -> Any:
        return self.future.result(timeout)


def _direct(callback: Callable[[], None]) -> None:
    callback()


class TaskRunner:
    def __init__(self, deliver: Deliver = _direct, *, network_workers: int = 4) -> None:
        self._deliver = deliver
        self._db = ThreadPoolExecutor(1, thread_name_prefix="strongroom-db")
        self._net = ThreadPoolExecutor(network_workers, thread_name_prefix="strongroom-net")

    def run_db(self, op: Operation[T]) -> Handle:
        """Run on the single database worker, after everything queued before it."""
        return self._submit(self._db, op)

    def run_network(self, op: Operation[T]) -> Handle:
        return self._submit(self._net, op)

    def _submit(self, pool: ThreadPoolExecutor, op: Operation[T]) -> Handle:
        deliver = self._deliver

        def report(phase: str, done: int, total: int) -> None:
            if op.on_progress is not None:
                callback = op.on_progress
                deliver(lambda: callback(phase, done, total))

        progress = Progress(report)

        def run() -> T:
            try:
                result = op.work(progress)
            except BaseException as exc:
                if op.on_failure is not None:
                    failure = op.on_failure
                    error = exc  # `exc` is unbound once the except block ends
                    deliver(lambda: failure(error))
                raise
            if op.on_success is not None:
                success = op.on_success
                deliver(lambda: success(result))
            return result

        return Handle(pool.submit(run), progress)

    def shutdown(self) -> None:
        """Finish queued database work (never cut a write short), drop network work."""
        self._net.shutdown(wait=False, cancel_futures=True)
        self._db.shutdown(wait=True)
