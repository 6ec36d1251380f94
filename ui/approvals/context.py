"""What every approvals view shares: the service of the unlocked vault, news of changes.

One `ApprovalsContext` per workspace (built on unlock, closed on lock), like
the book's `BookContext`: `call` runs a read of the `ApprovalService` on the
database worker, `write` a change, after which `changed` is emitted so the
queue and the evidence reload (only once shown). GUI thread only; the
service itself lives on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from app.approvals.desk import own_member
from app.approvals.service import ApprovalService
from app.session import VaultSession
from app.tasks import Handle, Progress
from ui.book.context import ServiceContext, VaultHolder
from ui.ops import run_db
from ui.services import Services
from vault.approvals import store

T = TypeVar("T")


@dataclass(frozen=True)
class Signer:
    """The member whose key signs this desk's requests and decisions."""

    name: str
    address: str
    roles: tuple[str, ...]


def signer_of(service: ApprovalService) -> Signer | None:
    """Database worker: the acting member, or None before the vault's member exists
    (it is made with the first request or decision)."""
    conn = service.vault.conn
    acting = service.acting_as
    # A joined device signs as the member it joined as (as Desk.actor does), else the root.
    row = store.member_by_name(conn, acting) if acting else own_member(conn)
    if row is None:
        return None
    return Signer(row.name, row.address, tuple(sorted(service.roles().get(row.address, ()))))


#: the `ApprovalService` of the unlocked vault (database worker only)
ServiceHolder = VaultHolder[ApprovalService]


class ApprovalsContext(ServiceContext[ApprovalService]):
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
        super().__init__(
            session, services, lambda vault: ApprovalService(vault, acting_as=acting_as), parent
        )

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
        """Change through the service on the database worker, then announce it; also
        after a failure, since a stopped or failed batch keeps what it stored."""
        return self.run_change(
            owner,
            work,
            announce=lambda _succeeded: self.changed.emit(),
            on_success=on_success,
            on_failure=on_failure,
            on_progress=on_progress,
        )

    def whoami(self, owner: QObject, on_success: Callable[[Signer | None], None]) -> Handle:
        """Who signs here and with which roles (read only: nothing is set up by asking)."""
        return self.call(owner, signer_of, on_success=on_success)

    def catch_up(self, owner: QObject) -> Handle:
        """Take in new screenings and the passing of time (expiry, stale screenings); the
        queue hears of it only when a status changed."""

        def done(changed: int) -> None:
            if changed and not self._closed:
                self.changed.emit()

        return self.call(owner, lambda service: service.refresh(), on_success=done)
