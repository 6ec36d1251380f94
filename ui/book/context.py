"""What every customer-book view shares: the session, the services, the book, news of changes.

One `BookContext` per workspace (built on unlock, closed on lock). Its
`read` and `write` run work on the database worker; `write` announces what
changed (`changed`), so each view reloads only when its data moved, and
only once it is shown (`RefreshWhenShown`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from app.book.service import CustomerBook
from app.session import VaultSession
from app.tasks import Handle, Operation, Progress, TaskRunner
from ui.book.paged_model import SessionReader
from ui.ops import alive, run_db
from ui.services import Services
from vault.connection import Connection

T = TypeVar("T")

#: names in `BookContext.changed`
CUSTOMERS = "customers"
ADDRESSES = "addresses"
CONFLICTS = "conflicts"
CUSTOM_FIELDS = "custom_fields"
AUDIT = "audit"


class BookHolder:
    """The `CustomerBook` of the unlocked vault. Database worker only."""

    def __init__(self, session: VaultSession) -> None:
        self._session = session
        self._book: CustomerBook | None = None

    def get(self) -> CustomerBook:
        vault = self._session.vault  # LockedError once locked
        if self._book is None or self._book.vault is not vault:
            self.forget()
            self._book = CustomerBook(vault)
        return self._book

    def forget(self) -> None:
        """Drop the book and the customer keys it caches (lock)."""
        book, self._book = self._book, None
        if book is not None:
            book.forget()


class BookContext(QObject):
    """GUI thread. Hands work to the database worker; never touches the vault itself."""

    #: a frozenset of names (CUSTOMERS, ADDRESSES, ...) after a write succeeded
    changed = Signal(object)

    def __init__(
        self, session: VaultSession, services: Services, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.services = services
        self._holder = BookHolder(session)
        self._reader = SessionReader(session, services.runner, debug=services.debug)
        self._closed = False

    @property
    def runner(self) -> TaskRunner:
        return self.services.runner

    @property
    def debug(self) -> bool:
        return self.services.debug

    @property
    def closed(self) -> bool:
        return self._closed

    def read(
        self,
        owner: QObject,
        work: Callable[[Connection], T],
        *,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Handle:
        """Run `work(conn)` on the database worker with the vault's connection."""
        return self._reader.read(owner, work, on_success=on_success, on_failure=on_failure)

    def write(
        self,
        owner: QObject,
        work: Callable[[CustomerBook, Progress], T],
        *,
        changes: Collection[str],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[str, int, int], None] | None = None,
    ) -> Handle:
        """Run `work(book, progress)` on the database worker, then announce `changes`.

        The announcement goes out even if `owner` is gone by then (a closed
        dialog still changed the vault); the callbacks only while it lives.
        """
        holder = self._holder
        names = frozenset(changes)

        def success(result: T) -> None:
            if not self._closed and names:
                self.changed.emit(names)
            if on_success is not None and alive(owner):
                on_success(result)

        def failure(error: BaseException) -> None:
            if on_failure is not None and alive(owner):
                on_failure(error)

        def progress(phase: str, done: int, total: int) -> None:
            if on_progress is not None and alive(owner):
                on_progress(phase, done, total)

        return run_db(
            self.runner,
            self,
            lambda p: work(holder.get(), p),
            on_success=success,
            on_failure=failure,
            on_progress=progress if on_progress is not None else None,
        )

    def announce(self, *names: str) -> None:
        """Say that something changed outside `write` (a late-arriving result)."""
        if not self._closed:
            self.changed.emit(frozenset(names))

    def close(self) -> None:
        """Lock: forget the book (queued on the worker before the lock itself)."""
        if self._closed:
            return
        self._closed = True
        holder = self._holder
        self.runner.run_db(Operation(work=lambda _progress: holder.forget()))


class RefreshWhenShown(QObject):
    """Calls `refresh` now if `widget` is visible, else the next time it is shown.

    Views hidden behind another section do no work for changes they do not
    show; they catch up once, when the user comes back.
    """

    def __init__(self, widget: QWidget, refresh: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._refresh = refresh
        self._stale = False
        widget.installEventFilter(self)

    @property
    def stale(self) -> bool:
        return self._stale

    def request(self) -> None:
        if self._widget.isVisible():
            self._stale = False
            self._refresh()
        else:
            self._stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._widget and event.type() == QEvent.Type.Show and self._stale:
            self._stale = False
            self._refresh()
        return False


def wants(names: Any, *interesting: str) -> bool:
    """Whether a `changed` announcement touches any of `interesting`."""
    return bool(set(names) & set(interesting))
