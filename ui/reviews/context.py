"""What the Reviews and Cases views share: their services on the database worker and
news of changes. Built on unlock, closed on lock. GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from app.cases.service import Cases
from app.reviews.service import Reviews
from app.session import VaultSession
from app.tasks import Handle, Progress
from ui.book.context import S, ServiceContext
from ui.services import Services

T = TypeVar("T")


class _Context(ServiceContext[S]):
    """`changed` after a write succeeded."""

    changed = Signal()

    def write(
        self,
        owner: QObject,
        work: Callable[[S, Progress], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Handle:
        return self.run_change(
            owner,
            work,
            announce=lambda ok: self.changed.emit() if ok else None,
            on_success=on_success,
            on_failure=on_failure,
        )

    def ask(
        self,
        owner: QObject,
        work: Callable[[S], T],
        *,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Handle:
        """A read through the service (it may cache keys or the policy), on the worker."""
        return self.run_change(
            owner,
            lambda service, _progress: work(service),
            announce=lambda _ok: None,
            on_success=on_success,
            on_failure=on_failure,
        )


class ReviewsContext(_Context[Reviews]):
    def __init__(
        self, session: VaultSession, services: Services, parent: QObject | None = None
    ) -> None:
        super().__init__(session, services, Reviews, parent)


class CasesContext(_Context[Cases]):
    def __init__(
        self, session: VaultSession, services: Services, parent: QObject | None = None
    ) -> None:
        super().__init__(session, services, Cases, parent)
