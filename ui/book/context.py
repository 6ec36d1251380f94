"""What every customer-book view shares: the session, the services, the book, news of changes.

One `BookContext` per workspace (built on unlock, closed on lock). Its
`read` and `write` run work on the database worker; `write` announces what
changed (`changed`), so each view reloads only when its data moved, and
only once it is shown (`RefreshWhenShown`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from app.book.service import CustomerBook
from app.session import VaultSession
from app.tasks import Handle, Operation, Progress, TaskRunner
from ui.book.paged_model import SessionReader
from ui.ops import run_write
from ui.services import Services
from vault.connection import Connection
from vault.store import Vault

T = TypeVar("T")

#: names in `BookContext.changed`
CUSTOMERS = "customers"
ADDRESSES = "addresses"
CONFLICTS = "conflicts"
CUSTOM_FIELDS = "custom_fields"
AUDIT = "audit"
DOCUMENTS = "documents"


class VaultService(Protocol):
    """A service over the unlocked vault that caches keys or state until `forget()`."""

    @property
    def vault(self) -> Vault: ...

    def forget(self) -> None: ...


S = TypeVar("S", bound=VaultService)


class VaultHolder(Generic[S]):
    """The service of the unlocked vault, built on first use. Database worker only."""

    def __init__(self, session: VaultSession, build: Callable[[Vault], S]) -> None:
        self._session = session
        self._build = build
        self._service: S | None = None

    def get(self) -> S:
        vault = self._session.vault  # LockedError once locked
        if self._service is None or self._service.vault is not vault:
            self.forget()
            self._service = self._build(vault)
        return self._service

    def forget(self) -> None:
        """Drop the service and whatever it caches (lock)."""
        service, self._service = self._service, None
        if service is not None:
            service.forget()


class ServiceContext(QObject, Generic[S]):
    """GUI thread. A vault service's views share it: it hands their work to the database
    worker (the service lives there, in `holder`) and never touches the vault itself."""

    def __init__(
        self,
        session: VaultSession,
        services: Services,
        build: Callable[[Vault], S],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.services = services
        self.holder: VaultHolder[S] = VaultHolder(session, build)
        #: the `Reader` of paged models over this vault
        self.reader = SessionReader(session, services.runner, debug=services.debug)
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
        return self.reader.read(owner, work, on_success=on_success, on_failure=on_failure)

    def run_change(
        self,
        owner: QObject,
        work: Callable[[S, Progress], T],
        *,
        announce: Callable[[bool], None],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[str, int, int], None] | None = None,
    ) -> Handle:
        """Run `work(service, progress)` on the database worker; `announce(succeeded)`
        runs even if `owner` is gone by then (a closed dialog still changed the vault),
        the callbacks only while it lives."""
        holder = self.holder
        return run_write(
            self.runner,
            self,
            owner,
            lambda p: work(holder.get(), p),
            announce=lambda succeeded: None if self._closed else announce(succeeded),
            on_success=on_success,
            on_failure=on_failure,
            on_progress=on_progress,
        )

    def close(self) -> None:
        """Lock: forget the service (queued on the worker before the lock itself)."""
        if self._closed:
            return
        self._closed = True
        holder = self.holder
        self.runner.run_db(Operation(work=lambda _progress: holder.forget()))


class BookContext(ServiceContext[CustomerBook]):
    """The customer book's views share this one."""

    #: a frozenset of names (CUSTOMERS, ADDRESSES, ...) after a write succeeded
    changed = Signal(object)

    def __init__(
        self, session: VaultSession, services: Services, parent: QObject | None = None
    ) -> None:
        super().__init__(session, services, CustomerBook, parent)

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
        """Run `work(book, progress)` on the database worker, then announce `changes`."""
        names = frozenset(changes)

        def announce(succeeded: bool) -> None:
            if succeeded and names:
                self.changed.emit(names)

        return self.run_change(
            owner,
            work,
            announce=announce,
            on_success=on_success,
            on_failure=on_failure,
            on_progress=on_progress,
        )

    def announce(self, *names: str) -> None:
        """Say that something changed outside `write` (a late-arriving result)."""
        if not self._closed:
            self.changed.emit(frozenset(names))


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
