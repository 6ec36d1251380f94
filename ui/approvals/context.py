"""What every approvals view shares: the service of the unlocked vault, news of changes.

One `ApprovalsContext` per workspace (built on unlock, closed on lock), like
the book's `BookContext`: `call` runs a read of the `ApprovalService` on the
database worker, `write` a change, after which `changed` is emitted so the
queue and the evidence reload (only once shown). GUI thread only; the
service itself lives on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from app.approvals.service import ApprovalService
from app.session import VaultSession
from app.tasks import Handle, Operation, Progress, TaskRunner
from ui.book.paged_model import SessionReader
from ui.ops import alive, run_db
from ui.services import Services

T = TypeVar("T")


class ServiceHolder:
    """The `ApprovalService` of the unlocked vault. Database worker only."""

    def __init__(self, session: VaultSession, *, acting_as: str | None = None) -> None:
        self._session = session
        self._acting_as = acting_as
        self._service: ApprovalService | None = None

    def get(self) -> ApprovalService:
        vault = self._session.vault  # LockedError once locked
        if self._service is None or self._service.vault is not vault:
            self.forget()
            self._service = ApprovalService(vault, acting_as=self._acting_as)
        return self._service

    def forget(self) -> None:
        """Drop the service and the keys it caches (lock)."""
        service, self._service = self._service, None
        if service is not None:
            service.forget()


class ApprovalsContext(QObject):
    """GUI thread. Hands approval work to the database worker."""

    #: a request was made or decided, or the policy changed
    changed = Signal()

    def __init__(
        self,
        session: VaultSession,
        services: Services,
        parent: QObject | None = None,
        *,
        acting_as: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.services = services
        self.holder = ServiceHolder(session, acting_as=acting_as)
        #: the `Reader` paged models use (their queries reach the service through `holder`)
        self.reader = SessionReader(session, services.runner, debug=services.debug)
        self._closed = False

    @property
    def runner(self) -> TaskRunner:
        return self.services.runner

    @property
    def debug(self) -> bool:
        return self.services.debug

    def call(
        self,
        owner: QObject,
        work: Callable[[ApprovalService], T],
        *,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Handle:
        """Read through the service on the database worker."""
        holder = self.holder
        return run_db(
            self.runner,
            owner,
            lambda _progress: work(holder.get()),
            on_success=on_success,
            on_failure=on_failure,
        )

    def write(
        self,
        owner: QObject,
        work: Callable[[ApprovalService, Progress], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[str, int, int], None] | None = None,
    ) -> Handle:
        """Change through the service on the database worker, then announce it (even
        when `owner` is gone: a closed dialog still changed the vault)."""
        holder = self.holder

        def success(result: T) -> None:
            if not self._closed:
                self.changed.emit()
            if on_success is not None and alive(owner):
                on_success(result)

        def failure(error: BaseException) -> None:
            if not self._closed:
                self.changed.emit()  # a cancelled or failed batch may have stored some
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

    def close(self) -> None:
        """Lock: forget the service (queued on the worker before the lock itself)."""
        if self._closed:
            return
        self._closed = True
        holder = self.holder
        self.runner.run_db(Operation(work=lambda _progress: holder.forget()))
