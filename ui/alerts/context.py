"""What the alerts views share: the rules' runs on the database worker, and news.

The rules run a moment after a change that can trigger them (the book, screenings,
explorer fetches, list imports, approval decisions: the workspace connects their
contexts' `changed` to `schedule`), and every RUN_EVERY_MS on a timer, so time-driven
rules (a KYC review falling due, a request waiting too long) raise without a change.
Runs never overlap: a change during a run starts one more after it. GUI thread only;
the work itself runs on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from app.alerts.engine import RunReport
from app.alerts.service import AlertService
from app.session import VaultSession
from ui import errors
from ui.book.context import ServiceContext
from ui.services import Services

T = TypeVar("T")
#: a burst of changes (an import, a batch's answers) runs the rules once
DEBOUNCE_MS = 1500
RUN_EVERY_MS = 10 * 60 * 1000


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AlertsContext(ServiceContext[AlertService]):
    """GUI thread."""

    #: alerts were raised or cleared, or one was acknowledged, snoozed or made a task
    changed = Signal()
    #: the open alerts, counted after each run and action (the navigation's badge)
    open_count = Signal(int)
    #: a run failed; the text is for the user
    run_failed = Signal(str)

    def __init__(
        self, session: VaultSession, services: Services, parent: QObject | None = None
    ) -> None:
        super().__init__(session, services, lambda vault: AlertService(vault, session.bus), parent)
        self._running = False
        self._again = False
        self.last_run: RunReport | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_now)
        self._timer = QTimer(self)
        self._timer.setInterval(RUN_EVERY_MS)
        self._timer.timeout.connect(self.run_now)
        self._timer.start()

    @property
    def running(self) -> bool:
        return self._running

    def schedule(self) -> None:
        """Something that can trigger a rule changed: run them shortly."""
        if not self.closed:
            self._debounce.start()

    def run_now(self) -> None:
        if self.closed:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        self._debounce.stop()

        def work(service: AlertService) -> tuple[RunReport, int]:
            report = service.run()
            return report, service.open_count(_now())

        self.run_change(
            self,
            lambda service, _progress: work(service),
            announce=lambda _ok: None,
            on_success=self._ran,
            on_failure=self._failed,
        )

    def _ran(self, result: tuple[RunReport, int]) -> None:
        report, count = result
        self._running = False
        self.last_run = report
        self.open_count.emit(count)
        if report.raised or report.cleared:
            self.changed.emit()
        if self._again:
            self._again = False
            self.schedule()

    def _failed(self, error: BaseException) -> None:
        self._running = False
        errors.log(error, debug=self.debug)
        self.run_failed.emit(errors.describe(error))

    def act(
        self,
        owner: QObject,
        work: Callable[[AlertService], T],
        *,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None],
    ) -> None:
        """An action on an alert (acknowledge, snooze, task); then the views reload."""

        def done(succeeded: bool) -> None:
            if succeeded:
                self.changed.emit()
                self.count()

        self.run_change(
            owner,
            lambda service, _progress: work(service),
            announce=done,
            on_success=on_success,
            on_failure=on_failure,
        )

    def count(self) -> None:
        """Read the open alerts' count again (the badge)."""
        self.read(
            self,
            lambda conn: AlertService.count_open(conn, _now()),
            on_success=self.open_count.emit,
        )

    def close(self) -> None:
        self._debounce.stop()
        self._timer.stop()
        super().close()
