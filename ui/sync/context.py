"""When the app syncs: the sync job of the outbox (`app.sync.job`), scheduled.

It runs right after unlock, every few minutes while unlocked, a few seconds
after the last local change, and on demand (Sync now, Ctrl+Shift+Y). A run
asked for while one is going runs once more after it. With no network the
job waits on its backoff and the status says so. The run is on the database
worker (`sync_run` needs the vault's one writing connection and the network),
never the GUI thread; progress (files fetched) comes back through the bridge.
One `SyncContext` per workspace, closed on lock. GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from app.session import VaultSession
from app.sync.job import JobResult, request, run_job
from app.sync.overview import Brief, brief
from app.tasks import Handle, Progress
from ui import errors
from ui.ops import run_db
from ui.services import Services
from vault.store import Vault

T = TypeVar("T")

#: the job is looked at this often while unlocked (it runs if due)
EVERY_MS = 3 * 60_000
#: a local change is shared once no other came for this long
IDLE_MS = 5_000


class SyncContext(QObject):
    #: the status bar's facts (`Brief`), after every run and every change
    brief_changed = Signal(object)
    #: a run started
    started = Signal()
    #: files fetched so far by the running pull
    fetched = Signal(int)
    #: a run finished (`JobResult`)
    finished = Signal(object)
    #: the run failed unexpectedly; the text is for the user
    failed = Signal(str)
    #: events from other devices were applied, or the desk changed: views reload
    synced = Signal()

    def __init__(
        self,
        session: VaultSession,
        services: Services,
        parent: QObject | None = None,
        *,
        forget: Callable[[], None] = lambda: None,
        every_ms: int = EVERY_MS,
        idle_ms: int = IDLE_MS,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.services = services
        #: drops the services' caches (database worker) after remote facts came in
        self._forget = forget
        self.brief: Brief | None = None
        self.running = False
        self._again = False
        self._closed = False
        self._handle: Handle | None = None
        #: while views reload after a sync, their "changed" is not a local change
        self._announcing = False
        self.timer = QTimer(self)
        self.timer.setInterval(every_ms)
        self.timer.timeout.connect(lambda: self.run(soon=False))
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(idle_ms)
        self.idle.timeout.connect(lambda: self.run(soon=True))

    def start(self) -> None:
        """Unlocked: sync now, then on the timer."""
        self.timer.start()
        self.run(soon=True)

    def local_change(self) -> None:
        """Something was written here: share it once the user pauses."""
        if not self._closed and not self._announcing:
            self.idle.start()  # restarts: a burst of edits makes one run
            self.refresh()

    def sync_now(self) -> bool:
        """Sync now, whatever the backoff; False if a run is going (one more follows)."""
        return self.run(soon=True)

    def run(self, *, soon: bool) -> bool:
        if self._closed:
            return False
        if self.running:
            self._again = self._again or soon
            return False
        self.running = True
        self.started.emit()
        session = self.session
        forget = self._forget

        def work(progress: Progress) -> tuple[JobResult, Brief]:
            vault = session.vault
            now = datetime.now(UTC)
            request(vault, now=now, soon=soon)
            # never cancelled, so reporting never raises inside the pull
            result = run_job(vault, now=now, fetched=lambda n: progress("fetched", n, 0))
            if _brought_news(result):
                forget()
            return result, brief(vault)

        self._handle = run_db(
            self.services.runner,
            self,
            work,
            on_success=self._done,
            on_failure=self._failed,
            on_progress=lambda _phase, done, _total: self.fetched.emit(done),
        )
        return True

    def _done(self, outcome: tuple[JobResult, Brief]) -> None:
        result, facts = outcome
        self.running = False
        self._handle = None
        if self._closed:
            return
        self._show(facts)
        self.finished.emit(result)
        if _brought_news(result):
            self.announce()
        if self._again:
            self._again = False
            self.run(soon=True)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self._handle = None
        errors.log(error, debug=self.services.debug)
        if not self._closed:
            self.failed.emit(self.tr("Sync failed: {reason}").format(reason=errors.describe(error)))
            self.refresh()

    def announce(self) -> None:
        """The desk's data moved (a sync, a join): the views reload; that is not a
        local change to share again."""
        self._announcing = True
        try:
            self.synced.emit()
        finally:
            self._announcing = False
        self.refresh()

    def refresh(self) -> None:
        if self._closed:
            return
        self.read(brief, self._show)

    def _show(self, facts: Brief) -> None:
        self.brief = facts
        self.brief_changed.emit(facts)

    def read(
        self,
        work: Callable[[Vault], T],
        on_success: Callable[[T], None],
        *,
        owner: QObject | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Handle:
        """Run `work(vault)` on the database worker; callbacks while `owner` lives."""
        session = self.session
        return run_db(
            self.services.runner,
            owner or self,
            lambda _progress: work(session.vault),
            on_success=on_success,
            on_failure=on_failure or (lambda error: errors.log(error, debug=self.services.debug)),
        )

    def close(self) -> None:
        """Lock: no more runs; a running one finishes on the worker before the lock."""
        self._closed = True
        self.timer.stop()
        self.idle.stop()


def _brought_news(result: JobResult) -> bool:
    report = result.report
    return report is not None and bool(report.applied or report.pulled or report.pushed)
