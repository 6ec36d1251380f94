"""Starting background work from a widget, with callbacks that respect its lifetime.

`run_db` wraps `TaskRunner.run_db`: the work runs on the database worker;
the callbacks run on the GUI thread and are skipped when the widget that
asked for the work has been deleted meanwhile (its window closed, the vault
locked), so a late result never touches a dead widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject

from app.tasks import Handle, Operation, Progress, TaskRunner

T = TypeVar("T")


def alive(obj: QObject) -> bool:
    """GUI thread: False once the C++ side of `obj` was deleted."""
    return bool(shiboken6.isValid(obj))


def run_db(
    runner: TaskRunner,
    owner: QObject,
    work: Callable[[Progress], T],
    *,
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    changes: frozenset[str] = frozenset(),
) -> Handle:
    """Run `work` on the database worker (it must not touch widgets); see the module doc."""
    return runner.run_db(_guarded(owner, work, on_success, on_failure, on_progress, changes))


def run_network(
    runner: TaskRunner,
    owner: QObject,
    work: Callable[[Progress], T],
    *,
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Handle:
    """Like `run_db`, on the network pool: for work that waits on the network and
    touches the vault only through the database worker (`app.tasks.DbCalls`)."""
    return runner.run_network(
        _guarded(owner, work, on_success, on_failure, on_progress, frozenset())
    )


def _guarded(
    owner: QObject,
    work: Callable[[Progress], T],
    on_success: Callable[[T], None] | None,
    on_failure: Callable[[BaseException], None] | None,
    on_progress: Callable[[str, int, int], None] | None,
    changes: frozenset[str],
) -> Operation[T]:

    def success(result: T) -> None:
        if on_success is not None and alive(owner):
            on_success(result)

    def failure(error: BaseException) -> None:
        if on_failure is not None and alive(owner):
            on_failure(error)

    def progress(phase: str, done: int, total: int) -> None:
        if on_progress is not None and alive(owner):
            on_progress(phase, done, total)

    return Operation(
        work=work,
        on_success=success,
        on_failure=failure,
        on_progress=progress if on_progress is not None else None,
        changes=changes,
    )


def run_write(
    runner: TaskRunner,
    anchor: QObject,
    owner: QObject,
    work: Callable[[Progress], T],
    *,
    announce: Callable[[bool], None],
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Handle:
    """A vault change on the database worker, kept alive by `anchor` (a context that lives
    until the lock): `announce(succeeded)` runs even when `owner` is gone by then (a closed
    dialog still changed the vault); the callbacks only while `owner` lives."""

    def success(result: T) -> None:
        announce(True)
        if on_success is not None and alive(owner):
            on_success(result)

    def failure(error: BaseException) -> None:
        announce(False)
        if on_failure is not None and alive(owner):
            on_failure(error)

    def progress(phase: str, done: int, total: int) -> None:
        if on_progress is not None and alive(owner):
            on_progress(phase, done, total)

    return run_db(
        runner,
        anchor,
        work,
        on_success=success,
        on_failure=failure,
        on_progress=progress if on_progress is not None else None,
    )


class Inbox(Generic[T]):
    """Results reported on a worker thread, collected for the GUI thread (thread-safe):
    the worker `put`s each as it comes, a progress callback `take`s what arrived."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[T] = []

    def put(self, item: T) -> None:
        with self._lock:
            self._items.append(item)

    def take(self) -> list[T]:
        with self._lock:
            items, self._items = self._items, []
        return items
