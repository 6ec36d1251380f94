"""What every screening view shares: the `Screening` use cases of the unlocked vault,
the batch that is running, and the outbox that drains by itself.

One `ScreeningContext` per workspace (built on unlock, closed on lock). The
`Screening` object is made and used on the database worker (`ScreeningHolder`).
A batch with a KYT provider, and the outbox drain, coordinate from the network
pool (DESIGN.md "Threads": a slow provider never delays the database): the
provider calls go to the screening pool inside `Screening.lookup` and
`run_outbox`, and each vault read or write they need is one short call on the
database worker (`DbCalls`), so the views' reads never queue behind a
provider. The offline list needs no network: its batch runs on the database
worker in large chunks, between which the worker serves the views. The
outbox drains right after unlock and then on a timer.
GUI thread, except where a docstring says otherwise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from app.screening import endpoints
from app.screening.batch import OutboxRun
from app.screening.cache import Lookup
from app.screening.outbox import EXPLORER, Backoff, waiting
from app.screening.sanctions import PROVIDER as SANCTIONS
from app.screening.service import Screening, explorers_for
from app.session import VaultSession
from app.tasks import Cancelled, DbCalls, Handle, Operation, Progress
from app.webhooks.delivery import deliver_due
from app.webhooks.delivery import retry_now as webhooks_retry_now
from integrations.explorers import Explorers
from ui import errors
from ui.book.paged_model import SessionReader
from ui.ops import Inbox, run_db, run_network
from ui.screening.explorer_fetch import ExplorerFetch
from ui.services import Services
from vault.store import Vault

T = TypeVar("T")
Pair = tuple[str, str]
#: the targets of a batch, worked out on the database worker (a customer, the book)
Targets = Sequence[Pair] | Callable[[Vault], Sequence[Pair]]

#: addresses per chunk of the offline list (microseconds each): the worker is back
#: for the views' reads between chunks
CHUNK_OFFLINE = 5000
#: while a network batch runs, views are told to reload at most this often (seconds)
CHANGED_EVERY = 1.0
#: how long the lock waits for a stopping batch or drain to write what it had
CLOSE_WAIT = 10.0
#: the outbox is drained this often (and right after unlock)
DRAIN_MS = 60_000


class ScreeningHolder:
    """The `Screening` of the unlocked vault. Database worker only, but for `configure`
    and `release`.

    Work on the network pool (a batch, a drain) takes the `Screening` with `acquire`
    and gives it back with `release`: a `forget` meanwhile (new keys or URLs, a drain
    asked to retry now) leaves its providers open until then, so no client is closed
    under a call in flight; the next `get` builds a new one.
    """

    def __init__(self, session: VaultSession, backoff: Backoff | None = None) -> None:
        self._session = session
        #: how failed look-ups wait before the outbox tries them again
        self.backoff = backoff
        self._screening: Screening | None = None
        self._urls: dict[str, str] = {}
        self._explorer_urls: dict[str, str] = {}
        self._lock = threading.Lock()
        self._users: dict[Screening, int] = {}
        self._retired: list[Screening] = []

    def configure(self, provider_urls: dict[str, str], explorer_urls: dict[str, str]) -> None:
        """Any thread: the base URLs to use from the next `get` after a `forget`."""
        self._urls = dict(provider_urls)
        self._explorer_urls = dict(explorer_urls)

    def get(self) -> Screening:
        vault = self._session.vault  # LockedError once locked
        if self._screening is None or self._screening.vault is not vault:
            self.forget()
            self._screening = Screening(
                vault, factory=endpoints.provider_factory(self._urls), backoff=self.backoff
            )
        return self._screening

    def explorer_urls(self) -> dict[str, str]:
        return dict(self._explorer_urls)

    def acquire(self) -> Screening:
        """`get`, kept open until `release` even if forgotten meanwhile."""
        screening = self.get()
        with self._lock:
            self._users[screening] = self._users.get(screening, 0) + 1
        return screening

    def release(self, screening: Screening) -> None:
        """Any thread: the work that acquired `screening` is done with it."""
        with self._lock:
            left = self._users[screening] - 1
            if left:
                self._users[screening] = left
                return
            del self._users[screening]
            if screening not in self._retired:
                return
            self._retired.remove(screening)
        screening.forget()

    def forget(self) -> None:
        """Drop the snapshot and the providers built with old keys or URLs (once the
        work using them is done)."""
        screening, self._screening = self._screening, None
        if screening is None:
            return
        with self._lock:
            if screening in self._users:
                self._retired.append(screening)
                return
        screening.forget()


@dataclass
class BatchState:
    """The batch the GUI shows: counts so far, and whether it was cancelled."""

    label: str
    provider: str
    refresh: bool
    total: int = 0
    done: int = 0
    queued: int = 0
    sanctioned: int = 0
    errors: int = 0
    cancelled: bool = False
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> str:
        what = "Cancelled" if self.cancelled else "Screened"
        parts = [f"{what} {self.done:,} of {self.total:,} ({self.label})"]
        if self.sanctioned:
            parts.append(f"{self.sanctioned} sanctioned")
        if self.queued:
            parts.append(f"{self.queued} wait in the outbox")
        if self.errors:
            parts.append(f"{self.errors} could not be screened")
        return " · ".join(parts)

    def count(self, lookup: Lookup) -> None:
        if lookup.status == "queued":
            self.queued += 1
        elif lookup.result is not None and not lookup.result.ok:
            self.errors += 1
        if lookup.result is not None and lookup.result.sanctioned and lookup.status != "queued":
            self.sanctioned += 1


class ScreeningContext(QObject):
    #: a batch started: its state (total may still be 0 while targets are worked out)
    batch_started = Signal(object)
    #: (done, total) of the running batch
    batch_progress = Signal(int, int)
    #: look-ups that arrived (a list of `Lookup`), in order
    results = Signal(object)
    #: the batch ended: its state (summary(), cancelled)
    batch_finished = Signal(object)
    #: a batch or drain failed; text for the user
    failed = Signal(str)
    #: stored answers changed (a chunk, a drain, an import): views reload
    changed = Signal()
    #: look-ups waiting in the outbox
    waiting_changed = Signal(int)
    #: the last drain, for a status line
    drained = Signal(object)

    def __init__(
        self,
        session: VaultSession,
        services: Services,
        parent: QObject | None = None,
        *,
        drain_ms: int = DRAIN_MS,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.services = services
        self.holder = ScreeningHolder(session, backoff)
        #: reads for the views, on the database worker
        self.reader = SessionReader(session, services.runner, debug=services.debug)
        self._apply_settings()
        self.batch: BatchState | None = None
        self._handle: Handle | None = None
        self._cancel_asked = False
        self._closed = False
        self._draining = False
        self._drain_handle: Handle | None = None
        self._changed_at = 0.0
        #: the vault's part of the work that runs on the network pool
        self._db = DbCalls(services.runner)
        #: explorer data for chosen addresses, fetched from the network pool
        self.explorer = ExplorerFetch(session, services, self._db, self.holder.explorer_urls, self)
        self.explorer.arrived.connect(lambda _found: self._explorer_arrived())
        self.explorer.finished.connect(lambda _state: self._explorer_finished())
        self.waiting = 0
        self.timer = QTimer(self)
        self.timer.setInterval(drain_ms)
        self.timer.timeout.connect(self.drain)
        self.timer.start()
        QTimer.singleShot(0, self.drain)  # right after unlock

    # --- settings and keys ---------------------------------------------------------

    @property
    def provider(self) -> str:
        return self.services.settings.screening_provider or SANCTIONS

    def _apply_settings(self) -> None:
        settings = self.services.settings
        self.holder.configure(settings.provider_urls, settings.explorer_urls)

    def settings_changed(self) -> None:
        """New base URLs or keys: rebuild the providers (queued behind running work)."""
        self._apply_settings()
        self.reset_providers()

    def reset_providers(self) -> None:
        holder = self.holder
        self.services.runner.run_db(Operation(work=lambda _p: holder.forget()))

    def run(
        self,
        owner: QObject,
        work: Callable[[Screening], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Handle:
        """Run `work(screening)` on the database worker."""
        holder = self.holder
        return run_db(
            self.services.runner,
            owner,
            lambda _p: work(holder.get()),
            on_success=on_success,
            on_failure=on_failure,
        )

    # --- batches -----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.batch is not None

    def screen(
        self,
        targets: Targets,
        *,
        label: str,
        refresh: bool = False,
        provider: str | None = None,
    ) -> bool:
        """Start a batch; False (and nothing started) while another one runs."""
        if self.busy or self._closed:
            return False
        state = BatchState(label, provider or self.provider, refresh)
        self.batch = state
        self._cancel_asked = False
        self.batch_started.emit(state)
        if callable(targets):
            find, session = targets, self.session
            self._handle = run_db(
                self.services.runner,
                self,
                lambda _p: list(dict.fromkeys(find(session.vault))),
                on_success=lambda pairs: self._resolved(state, pairs),
                on_failure=lambda error: self._batch_failed(state, error),
            )
        else:
            self._resolved(state, list(dict.fromkeys(targets)))
        return True

    def cancel(self) -> None:
        """Stop after the look-ups in flight; what arrived is kept."""
        if self.batch is None:
            return
        self._cancel_asked = True
        handle, state = self._handle, self.batch
        if handle is not None:
            handle.cancel()
            if handle.future.cancelled():  # never started: no callback will come
                state.cancelled = True
                self._finish(state)

    def _resolved(self, state: BatchState, pairs: list[Pair]) -> None:
        if state is not self.batch:
            return
        if self._cancel_asked:  # cancelled while the targets were worked out: ask nobody
            state.cancelled = True
            self._finish(state)
            return
        state.total = len(pairs)
        self.batch_progress.emit(0, state.total)
        if state.provider == SANCTIONS:
            self._next_chunk(state, pairs, 0)
        else:
            self._on_network(state, pairs)

    def _next_chunk(self, state: BatchState, pairs: list[Pair], offset: int) -> None:
        """The offline list, on the database worker a chunk at a time."""
        if state is not self.batch:
            return
        if offset >= len(pairs) or self._cancel_asked:
            state.cancelled = self._cancel_asked and offset < len(pairs)
            self._finish(state)
            return
        chunk = pairs[offset : offset + CHUNK_OFFLINE]
        inbox = Inbox[Lookup]()
        holder = self.holder

        def work(progress: Progress) -> int:
            holder.get().lookup(
                chunk,
                provider=state.provider,
                refresh=state.refresh,
                progress=_reporter(progress, offset, state.total),
                on_result=inbox.put,
            )
            return len(chunk)

        def success(_count: int) -> None:
            self._take(state, inbox)
            self.changed.emit()
            self._next_chunk(state, pairs, offset + len(chunk))

        self._handle = run_db(
            self.services.runner,
            self,
            work,
            on_success=success,
            on_failure=self._stopped(state, inbox),
            on_progress=lambda *_args: self._take(state, inbox),
        )

    def _on_network(self, state: BatchState, pairs: list[Pair]) -> None:
        """A KYT provider: the whole batch from the network pool (see the module doc)."""
        inbox = Inbox[Lookup]()
        holder, db = self.holder, self._db

        def work(progress: Progress) -> int:
            screening = db(holder.acquire)
            try:
                screening.lookup(
                    pairs,
                    provider=state.provider,
                    refresh=state.refresh,
                    progress=_reporter(progress, 0, state.total),
                    on_result=inbox.put,
                    cancelled=lambda: progress.cancelled,
                    db=db,
                )
            finally:
                holder.release(screening)
            return len(pairs)

        def arrived(*_args: object) -> None:
            self._take(state, inbox)
            now = time.monotonic()
            if now - self._changed_at >= CHANGED_EVERY:  # stored answers: views reload
                self._changed_at = now
                self.changed.emit()

        def success(_count: int) -> None:
            self._take(state, inbox)
            self.changed.emit()
            self._finish(state)

        self._handle = run_network(
            self.services.runner,
            self,
            work,
            on_success=success,
            on_failure=self._stopped(state, inbox),
            on_progress=arrived,
        )

    def _stopped(self, state: BatchState, inbox: Inbox[Lookup]) -> Callable[[BaseException], None]:
        def failure(error: BaseException) -> None:
            self._take(state, inbox)
            if isinstance(error, Cancelled):
                state.cancelled = True
                self.changed.emit()
                self._finish(state)
            else:
                self._batch_failed(state, error)

        return failure

    def _take(self, state: BatchState, inbox: Inbox[Lookup]) -> None:
        if state is not self.batch:
            return
        found = inbox.take()
        if not found:
            return
        for lookup in found:
            state.count(lookup)
        state.done += len(found)
        self.results.emit(found)
        self.batch_progress.emit(state.done, state.total)

    def _finish(self, state: BatchState) -> None:
        if state is not self.batch:
            return
        self.batch = None
        self._handle = None
        self.batch_finished.emit(state)
        self.count_waiting()

    def _batch_failed(self, state: BatchState, error: BaseException) -> None:
        if state is not self.batch:
            return
        errors.log(error, debug=self.services.debug)
        self.batch = None
        self._handle = None
        self.failed.emit(errors.describe(error))
        self.batch_finished.emit(state)
        self.count_waiting()

    # --- explorer data -----------------------------------------------------------

    def _explorer_arrived(self) -> None:
        now = time.monotonic()
        if now - self._changed_at >= CHANGED_EVERY:  # stored figures: views reload
            self._changed_at = now
            self.changed.emit()

    def _explorer_finished(self) -> None:
        self.changed.emit()
        self.count_waiting()

    # --- the outbox --------------------------------------------------------------

    def count_waiting(self) -> None:
        if self._closed:
            return
        self.reader.read(self, waiting, on_success=self._waiting)

    def _waiting(self, count: int) -> None:
        self.waiting = count
        self.waiting_changed.emit(count)

    def drain(self, *, retry_now: bool = False) -> bool:
        """Run the look-ups that are due (all of them with `retry_now`); False if a
        drain is already running."""
        if self._draining or self._closed:
            return False
        self._draining = True
        holder, db = self.holder, self._db

        def prepare() -> tuple[Screening, Explorers | None]:
            if retry_now:
                holder.forget()  # fresh clients: no circuit left open from the outage
            screening = holder.get()
            if retry_now:
                screening.retry_now()
                webhooks_retry_now(screening.vault)
            explorers = None
            if waiting(screening.vault.conn, kind=EXPLORER):
                explorers = explorers_for(
                    screening.vault, endpoints.explorer_settings(holder.explorer_urls())
                )
            return holder.acquire(), explorers

        def work(progress: Progress) -> OutboxRun:
            screening, explorers = db(prepare)
            try:
                report = screening.run_outbox(
                    explorers=explorers, cancelled=lambda: progress.cancelled, db=db
                )
                # Webhook deliveries wait in the same outbox: sent on this network thread.
                deliver_due(screening.vault, cancelled=lambda: progress.cancelled, db=db)
                return report
            finally:
                holder.release(screening)
                if explorers is not None:
                    explorers.close()

        self._drain_handle = run_network(
            self.services.runner,
            self,
            work,
            on_success=self._drained,
            on_failure=self._drain_failed,
        )
        return True

    def _drained(self, report: OutboxRun) -> None:
        self._draining = False
        self._drain_handle = None
        self._waiting(report.waiting)
        if report.done or report.given_up or report.retried:
            self.changed.emit()
        self.drained.emit(report)

    def _drain_failed(self, error: BaseException) -> None:
        self._draining = False
        self._drain_handle = None
        errors.log(error, debug=self.services.debug)
        if not self._closed:
            self.failed.emit(f"The outbox could not be run: {errors.describe(error)}")

    # --- lock --------------------------------------------------------------------

    def close(self) -> None:
        """Lock: stop the timer, the batch and the drain; forget the providers on the
        worker once what they had is written (the lock is queued after this)."""
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        handles = (self._handle, self._drain_handle, self.explorer.handle)
        running = [h.future for h in handles if h is not None]
        self.cancel()
        self.explorer.cancel()
        if self._drain_handle is not None:
            self._drain_handle.cancel()
        self.batch = None
        holder, db = self.holder, self._db

        def settle(_progress: Progress) -> None:
            # A stopping batch or drain on the network pool writes through `db`: run
            # those writes here, ahead of the lock, instead of queueing behind it.
            deadline = time.monotonic() + CLOSE_WAIT  # one wait for all, not one each
            for future in running:
                db.serve(future, max(0.0, deadline - time.monotonic()))
            holder.forget()

        self.services.runner.run_db(Operation(work=settle))


def _reporter(progress: Progress, offset: int, total: int) -> Callable[[int, int], None]:
    """`lookup`'s progress as the operation's: raises Cancelled once cancel was asked;
    reports at most ten times a second (each report wakes the GUI thread)."""
    last = [0.0]

    def tick(done: int, batch_total: int) -> None:
        if progress.cancelled:
            raise Cancelled
        now = time.monotonic()
        if now - last[0] >= 0.1 or done == batch_total:
            last[0] = now
            progress("screening", offset + done, total)

    return tick
