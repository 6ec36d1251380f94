"""DESIGN.md "Threads": a slow provider never delays the database. While a batch or an
outbox drain waits on a provider that takes a second per answer (pytest-httpserver
speaking the documented Chainalysis Sanctions API), a view's read through the
database worker still comes back at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.screening.cache import Lookup
from app.screening.outbox import iso, queue_screening, screening_key
from app.screening.risk import utc_now
from app.session import VaultSession
from tests.app.test_screening_support import evm
from tests.ui.book_helpers import add_customer, on_worker
from tests.ui.conftest import WindowFactory
from tests.ui.screening_helpers import KYT, HeldAnswers, serve_kyt, store_key, workspace
from ui.main_window import MainWindow
from ui.screening.context import CLOSE_WAIT, ScreeningContext
from ui.services import Services
from vault.screening import outbox as outbox_store
from vault.screening.outbox import Item

#: seconds the provider takes per answer (a KYT plan limited to about 1 request/s)
DELAY = 1.0
#: how long a view may wait for a read while the provider is slow
BOUND = 0.5


def read_latency(qtbot: QtBot, context: ScreeningContext) -> float:
    """Seconds until a view's read (SessionReader, on the database worker) comes back."""
    took: list[float] = []
    start = time.monotonic()
    context.reader.read(
        context,
        lambda conn: conn.execute("SELECT count(*) FROM customers").fetchone()[0],
        on_success=lambda _count: took.append(time.monotonic() - start),
    )
    qtbot.waitUntil(lambda: bool(took), timeout=60_000)
    return took[0]


def opened(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    queued: Sequence[str] = (),
) -> tuple[MainWindow, ScreeningContext]:
    """A window with the provider's key stored, its first drain done, then `queued`
    (Ethereum addresses) waiting in the outbox."""
    window = make_window()
    store_key(session, services)
    context = workspace(window).screening_context
    qtbot.waitUntil(lambda: not context._draining, timeout=10_000)  # the one after unlock

    def queue() -> None:
        with session.vault.transaction() as tx:
            for address in queued:
                queue_screening(
                    tx.conn, provider=KYT, chain="ethereum", address=address, now=utc_now()
                )

    on_worker(services, queue)
    return window, context


def test_a_read_is_not_delayed_by_a_batch_waiting_on_a_slow_provider(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    threaded_server: HTTPServer,
    held_answers: Callable[..., HeldAnswers],
) -> None:
    # One answer after DELAY, the others held until the end: the batch is still asking.
    slow = held_answers(answered=1, delay=DELAY)
    serve_kyt(services, threaded_server, slow)
    _window, context = opened(qtbot, make_window, session, services)
    pairs = [("ethereum", evm(i)) for i in range(1, 13)]
    add_customer(session, services, name="Slow Ltd", addresses=tuple(a for _c, a in pairs))
    arrived: list[object] = []
    context.results.connect(arrived.extend)
    assert context.screen(pairs, label="slow")
    qtbot.waitUntil(lambda: len(arrived) >= 1, timeout=20_000)
    qtbot.waitUntil(slow.holding, timeout=10_000)
    assert context.busy  # the provider is still being asked
    assert read_latency(qtbot, context) < BOUND
    assert context.busy and slow.holding()
    context.cancel()
    qtbot.waitUntil(lambda: not context.busy, timeout=20_000)


def test_a_read_is_not_delayed_by_an_outbox_drain_waiting_on_a_slow_provider(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    threaded_server: HTTPServer,
    held_answers: Callable[..., HeldAnswers],
) -> None:
    slow = held_answers(delay=DELAY)  # every answer held until released
    serve_kyt(services, threaded_server, slow, default=False)
    queued = [evm(i) for i in range(1, 5)]
    _window, context = opened(qtbot, make_window, session, services, queued)
    drained: list[object] = []
    context.drained.connect(drained.append)
    assert context.drain()
    qtbot.waitUntil(slow.holding, timeout=10_000)
    assert read_latency(qtbot, context) < BOUND
    assert not drained and slow.holding()  # the drain was still waiting on the provider
    slow.release()
    qtbot.waitUntil(lambda: bool(drained), timeout=60_000)
    assert drained[0].done == 4  # type: ignore[attr-defined]


def test_locking_while_a_slow_provider_answers_keeps_what_arrived_and_what_waited(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    threaded_server: HTTPServer,
    held_answers: Callable[..., HeldAnswers],
) -> None:
    """The lock waits for neither the provider nor the queue: the batch writes what
    arrived, the drain gives back what it had not run, and that runs after unlock."""
    from tests.ui.conftest import unlock
    from ui.main_window import State

    queued = [evm(i) for i in range(100, 108)]
    batch = [("ethereum", evm(i)) for i in range(1, 25)]
    # The provider answers two of the batch's look-ups and holds the rest, and every
    # one of the outbox's, until after the checks: both are surely still under way
    # when the vault locks, however slow the machine.
    provider = held_answers(answered=2, keep=lambda path: path.endswith(tuple(queued)), delay=DELAY)
    serve_kyt(services, threaded_server, provider)
    window, context = opened(qtbot, make_window, session, services, queued)
    assert context.drain()
    qtbot.waitUntil(lambda: provider.holding(*queued), timeout=10_000)
    arrived: list[Lookup] = []
    context.results.connect(arrived.extend)
    assert context.screen(batch, label="slow")
    qtbot.waitUntil(lambda: len(arrived) >= 1, timeout=30_000)
    qtbot.waitUntil(lambda: provider.holding(*(a for _c, a in batch)), timeout=10_000)
    assert context.busy and context._draining  # both still wait on the provider
    start = time.monotonic()
    window.lock()
    qtbot.waitUntil(lambda: window.state is State.LOCKED, timeout=20_000)
    # Held look-ups would keep a waiting lock until CLOSE_WAIT runs out: it waited for none.
    assert time.monotonic() - start < CLOSE_WAIT / 2

    unlock(session, services)

    def stored(address: str) -> int:
        return int(
            on_worker(
                services,
                lambda: session.vault.conn.execute(
                    "SELECT count(*) FROM screenings WHERE address = ? AND status = 'ok'",
                    (address,),
                ).fetchone()[0],
            )
        )

    def in_outbox(address: str) -> Item | None:
        key = screening_key(KYT, "ethereum", address)
        return on_worker(services, lambda: outbox_store.get(session.vault.conn, key))

    assert arrived and all(stored(x.address) == 1 for x in arrived)  # what arrived is kept
    assert not any(stored(a) for a in queued)
    for address in queued:  # what waited is still queued, given back: due, attempt not counted
        item = in_outbox(address)
        assert item is not None and item.done_at is None and item.attempts == 0
        assert item.next_attempt_at <= iso(utc_now())
    provider.release()
    window.open_vault()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10_000)
    # what waited runs right after unlock, not once the drain's lease runs out
    qtbot.waitUntil(lambda: all(stored(a) == 1 for a in queued), timeout=30_000)


def test_new_settings_close_the_providers_of_running_work_only_once_it_is_done(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    httpserver: HTTPServer,
) -> None:
    """A batch on the network pool keeps its client while Settings › Providers is saved
    (or a drain retries now): it is closed when the batch gives it back."""
    serve_kyt(services, httpserver)
    _window, context = opened(qtbot, make_window, session, services)
    holder = context.holder
    screening = on_worker(services, holder.acquire)  # as a batch does
    client = on_worker(services, lambda: screening.provider(KYT))
    on_worker(services, holder.forget)  # new settings
    assert on_worker(services, lambda: screening.provider(KYT)) is client  # still open
    assert on_worker(services, holder.get) is not screening  # new work, new clients
    holder.release(screening)  # the batch is done: its clients are closed and dropped
    assert on_worker(services, lambda: screening.provider(KYT)) is not client
    on_worker(services, screening.forget)
