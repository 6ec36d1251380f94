"""Fetching explorer data for chosen addresses (a panel's address, a customer's, a
selection): balances and activity from the chain's explorer, kept in the vault.

The fetch runs on the network pool and uses the vault only through `DbCalls`
(the explorer keys, the targets, each answer stored or queued), so a slow
explorer never holds the database worker and the views keep reading. One fetch
at a time; the answers arrive one by one (`arrived`), with progress and
cancel. An explorer that cannot be reached leaves the refresh in the outbox,
which the context drains later. GUI thread, except the work functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from app.screening import endpoints
from app.screening.explorer_data import ExplorerRefresh, refresh_many, status_of
from app.screening.service import explorers_for
from app.session import VaultSession
from app.tasks import Cancelled, DbCalls, Handle, Progress
from integrations.explorers import Explorers
from ui import errors
from ui.ops import Inbox, run_network
from ui.services import Services
from vault.store import Vault

Pair = tuple[str, str]
#: the addresses to fetch, or how to find them on the database worker
Targets = Sequence[Pair] | Callable[[Vault], Sequence[Pair]]


@dataclass
class FetchState:
    """The fetch the GUI shows: counts so far."""

    label: str
    total: int = 0
    stored: int = 0
    queued: int = 0
    failed: int = 0
    cancelled: bool = False
    #: the last error, for the status line (the others are on each result)
    error: str = ""
    #: the fetch as a whole failed (the vault locked, the keys unreadable)
    problem: str = ""
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        return self.stored + self.queued + self.failed

    def count(self, result: ExplorerRefresh) -> None:
        status = status_of(result)
        if status == "stored":
            self.stored += 1
            return
        if status == "queued":
            self.queued += 1
        else:
            self.failed += 1
        self.error = result.error or status

    def summary(self) -> str:
        if self.problem:
            return f"Explorer data could not be fetched: {self.problem}"
        what = "cancelled after" if self.cancelled else "fetched"
        parts = [f"Explorer data {what} {self.stored:,} of {self.total:,} ({self.label})"]
        if self.queued:
            parts.append(f"{self.queued} wait in the outbox (explorer unreachable)")
        if self.failed:
            parts.append(f"{self.failed} failed: {self.error}")
        return " · ".join(parts)


def result_text(result: ExplorerRefresh) -> str:
    """One address's outcome in words."""
    status = status_of(result)
    if status == "stored":
        return f"Fetched from {result.answer.summary.source}." if result.answer else "Fetched."
    if status == "queued" and result.key_refused:
        return (
            f"The explorer refused the key ({result.error}). The request waits in the "
            "outbox; save a working key in Vault › Settings › Providers."
        )
    if status == "queued":
        return (
            f"Queued in the outbox ({result.error or 'explorer unreachable'}); "
            "it runs by itself once the explorer answers."
        )
    return f"Could not fetch: {result.error or 'unknown error'}"


class ExplorerFetch(QObject):
    #: a fetch started: its state
    started = Signal(object)
    #: (done, total)
    progress = Signal(int, int)
    #: results that arrived (a list of `ExplorerRefresh`), in order
    arrived = Signal(object)
    #: the fetch ended (its state), or failed (state.error says why)
    finished = Signal(object)

    def __init__(
        self,
        session: VaultSession,
        services: Services,
        db: DbCalls,
        urls: Callable[[], dict[str, str]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._services = services
        self._db = db
        self._urls = urls
        self.state: FetchState | None = None
        self.handle: Handle | None = None

    @property
    def busy(self) -> bool:
        return self.state is not None

    def fetch(self, targets: Targets, *, label: str) -> bool:
        """Start fetching; False (nothing started) while another fetch runs."""
        if self.busy:
            return False
        state = FetchState(label, total=0 if callable(targets) else len(targets))
        self.state = state
        inbox = Inbox[ExplorerRefresh]()
        session, db, urls = self._session, self._db, self._urls()

        def prepare() -> tuple[Vault, list[Pair], Explorers]:
            vault = session.vault  # LockedError once locked
            pairs = list(dict.fromkeys(targets(vault) if callable(targets) else targets))
            return vault, pairs, explorers_for(vault, endpoints.explorer_settings(urls))

        def work(progress: Progress) -> int:
            vault, pairs, explorers = db(prepare)

            def arrived(result: ExplorerRefresh) -> None:
                inbox.put(result)
                progress("explorer", 0, len(pairs))  # wakes the GUI thread to take it

            try:
                progress("explorer", 0, len(pairs))  # may raise Cancelled: close below
                refresh_many(
                    vault,
                    explorers,
                    pairs,
                    on_result=arrived,
                    cancelled=lambda: progress.cancelled,
                    db=db,
                )
            finally:
                explorers.close()
            return len(pairs)

        def reported(_phase: str, _done: int, total: int) -> None:
            state.total = total
            self._take(state, inbox)

        def success(_count: int) -> None:
            self._take(state, inbox)
            self._end(state)

        def failure(error: BaseException) -> None:
            self._take(state, inbox)
            if isinstance(error, Cancelled):
                state.cancelled = True
            else:
                errors.log(error, debug=self._services.debug)
                state.problem = errors.describe(error)
            self._end(state)

        self.started.emit(state)
        self.handle = run_network(
            self._services.runner,
            self,
            work,
            on_success=success,
            on_failure=failure,
            on_progress=reported,
        )
        return True

    def cancel(self) -> None:
        """Stop after the address in flight; what was stored stays."""
        if self.handle is None or self.state is None:
            return
        handle, state = self.handle, self.state
        handle.cancel()
        if handle.future.cancelled():  # never started: no callback will come
            state.cancelled = True
            self._end(state)

    def _take(self, state: FetchState, inbox: Inbox[ExplorerRefresh]) -> None:
        if state is not self.state:
            return
        found = inbox.take()
        if found:
            for result in found:
                state.count(result)
            self.arrived.emit(found)
        self.progress.emit(state.done, state.total)

    def _end(self, state: FetchState) -> None:
        if state is not self.state:
            return
        self.state = None
        self.handle = None
        self.finished.emit(state)
