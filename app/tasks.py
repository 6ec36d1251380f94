"""Background work as operation objects (STYLE.md point 3).

One database worker thread serialises every vault access (it owns the
writing connection); a separate pool runs network work, so a slow provider
never delays the database. Callbacks are handed to `deliver`, which the UI
sets to "run this on the GUI thread"; the function doing the work never
touches a widget.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

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


class OnDb(Protocol):
    """Runs `work` where the vault may be used and returns what it returned (or raises
    what it raised): `here` on the database worker or single-threaded (the CLI),
    `DbCalls` from a network thread."""

    def __call__(self, work: Callable[[], T], /) -> T: ...


def here(work: Callable[[], T], /) -> T:
    """`OnDb` for code already where the vault may be used."""
    return work()


class TaskRunner:
    def __init__(self, deliver: Deliver = _direct, *, network_workers: int = 4) -> None:
        self._deliver = deliver
        self._db_thread: threading.Thread | None = None
        self._db = ThreadPoolExecutor(
            1, thread_name_prefix="strongroom-db", initializer=self._db_started
        )
        self._net = ThreadPoolExecutor(network_workers, thread_name_prefix="strongroom-net")

    def _db_started(self) -> None:
        self._db_thread = threading.current_thread()

    def on_db_worker(self) -> bool:
        return threading.current_thread() is self._db_thread

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


class _Call(Generic[T]):
    def __init__(self, work: Callable[[], T]) -> None:
        self.work = work
        self.future: Future[T] = Future()

    def run(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self.work()
        except BaseException as exc:
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)


class DbCalls:
    """`OnDb` for work running on a network thread (a batch's coordinator, the outbox
    drain): each call runs on the database worker, in turn with the views' reads, and
    the calling thread waits for it; the network waits never hold the worker.

    Calls wait in a queue of their own, run by a small operation queued on the worker
    for each, or by `serve`: an operation on the worker that must wait for the network
    thread (a lock that should keep what a batch already had) runs its calls meanwhile,
    so neither waits on the other.
    """

    def __init__(self, runner: TaskRunner) -> None:
        self._runner = runner
        self._calls: queue.SimpleQueue[_Call[Any]] = queue.SimpleQueue()

    def __call__(self, work: Callable[[], T], /) -> T:
        if self._runner.on_db_worker():
            return work()  # queueing behind itself would wait forever
        call = _Call(work)
        self._calls.put(call)
        try:
            self._runner.run_db(Operation(work=lambda _p: self._run_queued()))
        except BaseException:
            call.future.cancel()  # shut down: a `serve` still running must not run it late
            raise
        return call.future.result()

    def _run_queued(self) -> None:
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            call.run()

    def serve(self, until: Future[Any], timeout: float) -> None:
        """Database worker: run the calls that come in until `until` is done (at most
        `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while not until.done():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                call = self._calls.get(timeout=min(left, 0.05))
            except queue.Empty:
                continue
            call.run()
        self._run_queued()
