"""Screening that needs the network, from the GUI: look-ups wait in the outbox while the
provider is unreachable, the window counts them, and they run by themselves once it
is back; API keys entered in Settings, and "Test connection". A real vault, and a
local provider on pytest-httpserver speaking the documented Chainalysis Sanctions API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict

import pytest
from PySide6.QtCore import Qt
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.screening.outbox import Backoff
from app.screening.secrets import get_key
from app.session import VaultSession
from tests.app.test_screening_support import sanctions_handler
from tests.ui.book_helpers import add_customer, on_worker, read
from tests.ui.conftest import WindowFactory
from tests.ui.screening_helpers import (
    ADDRESS_PATH,
    CLEAN,
    KEY,
    KYT,
    LISTED,
    HeldAnswers,
    free_port,
    serve_kyt,
    store_key,
    workspace,
)
from ui.screening.provider_settings import ProvidersPage
from ui.services import Services
from ui.settings_dialog import SettingsDialog


@pytest.fixture
def later_server() -> Iterator[tuple[int, list[HTTPServer]]]:
    """A port where nothing listens yet; the test starts a server there when it wants."""
    started: list[HTTPServer] = []
    yield free_port(), started
    for server in started:
        server.clear()
        if server.is_running():
            server.stop()


def screenings_ok(session: VaultSession, services: Services) -> int:
    return int(
        read(
            session,
            services,
            lambda conn: conn.execute(
                "SELECT count(*) FROM screenings WHERE provider = ? AND status = 'ok'", (KYT,)
            ).fetchone()[0],
        )
    )


def test_lookups_wait_in_the_outbox_and_drain_when_the_provider_is_back(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    later_server: tuple[int, list[HTTPServer]],
) -> None:
    port, started = later_server
    services.settings = services.settings.with_changes(
        screening_provider=KYT, provider_urls={KYT: f"http://127.0.0.1:{port}"}
    )
    window = make_window()
    store_key(session, services)
    customer = add_customer(session, services, name="Offline Ltd", addresses=(*LISTED, CLEAN[0]))
    ws = workspace(window)
    context = ws.screening_context
    # failed look-ups are due again at once, so the timer's next drain takes them
    context.holder.backoff = Backoff(base=0.01, cap=0.02)
    context.reset_providers()
    ws.open_customer(customer)
    with qtbot.waitSignal(context.batch_finished, timeout=20_000) as finished:
        window.screening_actions.screen.trigger()
    assert finished.args[0].queued == 3
    outbox = window.batch_status.outbox
    # (a drain that started before the batch ended may have shown fewer first)
    qtbot.waitUntil(lambda: outbox.isVisible() and outbox.text().startswith("3 "), timeout=10_000)
    assert outbox.text() == "3 waiting in the outbox"
    assert "3 wait in the outbox" in window.batch_status.text.text()

    server = HTTPServer(host="127.0.0.1", port=port)
    server.expect_request(ADDRESS_PATH).respond_with_handler(sanctions_handler)
    server.start()
    started.append(server)
    context.reset_providers()  # the breaker's cool-down is for production; not waited here
    context.timer.setInterval(200)  # the 60 s timer, shortened: no button is pressed
    qtbot.waitUntil(lambda: not outbox.isVisible(), timeout=20_000)
    assert screenings_ok(session, services) == 3
    assert len(server.log) == 3  # each look-up ran once
    waiting = read(
        session,
        services,
        lambda conn: conn.execute("SELECT count(*) FROM outbox WHERE done_at IS NULL").fetchone()[
            0
        ],
    )
    assert waiting == 0


def test_a_queued_lookup_runs_right_after_unlock(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    httpserver: HTTPServer,
) -> None:
    """Closing the app loses nothing: what waited runs when the vault opens again."""
    serve_kyt(services, httpserver, default=False)
    window = make_window()
    store_key(session, services)
    add_customer(session, services, name="Later Ltd", addresses=(LISTED[0],))
    from app.screening.outbox import queue_screening
    from app.screening.risk import utc_now

    def queue() -> None:
        with session.vault.transaction() as tx:
            for chain, address in tx.conn.execute(
                "SELECT chain, address FROM addresses"
            ).fetchall():
                queue_screening(tx.conn, provider=KYT, chain=chain, address=address, now=utc_now())

    on_worker(services, queue)
    window.lock()
    qtbot.waitUntil(lambda: window.workspace is None and window.locked_screen.isVisible())
    from tests.ui.conftest import unlock

    unlock(session, services)
    window.open_vault()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10_000)
    qtbot.waitUntil(lambda: screenings_ok(session, services) == 1, timeout=20_000)
    assert len(httpserver.log) == 1


def open_settings(qtbot: QtBot, window: object) -> tuple[SettingsDialog, ProvidersPage]:
    window.vault_actions.ask_settings()  # type: ignore[attr-defined]
    dialog = window.findChild(SettingsDialog)  # type: ignore[attr-defined]
    assert dialog is not None
    page = dialog.findChild(ProvidersPage)
    assert page is not None
    qtbot.waitUntil(lambda: page.rows[KYT].state.text() != "…")
    return dialog, page


def test_settings_store_a_key_never_show_it_and_test_the_connection(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(ADDRESS_PATH).respond_with_handler(sanctions_handler)
    window = make_window()
    dialog, page = open_settings(qtbot, window)
    row = page.rows[KYT]
    assert row.state.text() == "No key stored"
    assert row.key.echoMode() == row.key.EchoMode.Password
    assert row.url is not None and row.test is not None
    row.url.setText(httpserver.url_for("/"))

    row.key.setText("wrong-key-0000")  # typed, not saved: tested as typed
    qtbot.mouseClick(row.test, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.result.text().startswith("✗"), timeout=10_000)
    assert "auth" in row.result.text() and "wrong-key-0000" not in row.result.text()

    row.key.setText(KEY + "-0123456789")
    save = page.findChild(type(row.test), f"save_{KYT}")
    assert save is not None
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.state.text().startswith("Key stored"), timeout=10_000)
    assert row.key.text() == ""  # never left on screen
    assert (
        row.state.text() == "Key stored in the vault (sealed) (…6789)"
    )  # the tests' vault has no keychain
    stored = on_worker(services, lambda: get_key(session.vault, KYT))
    assert stored is not None and stored.key == KEY + "-0123456789" and stored.where == "vault"

    # the stored key is refused by this server (it wants "test-key"): the test says so
    qtbot.mouseClick(row.test, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.result.text().startswith("✗"), timeout=10_000)
    store_key(session, services)  # the right one
    qtbot.mouseClick(row.test, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.result.text().startswith("✓"), timeout=10_000)
    assert "accepted the key" in row.result.text()

    # the base URL is a plain setting, saved with the dialog; the key never is
    dialog.accept()
    assert services.settings.provider_urls == {KYT: httpserver.url_for("/").rstrip("/")}
    assert KEY not in json.dumps(asdict(services.settings))


def test_settings_refuse_a_base_url_that_is_not_one(
    qtbot: QtBot, make_window: WindowFactory, services: Services
) -> None:
    window = make_window()
    dialog, page = open_settings(qtbot, window)
    page.explorer_urls["ethereum"].setText("ftp://node.example")
    dialog.accept()
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "not an http(s) address" in dialog.error.text()
    assert services.settings.explorer_urls == {}
    page.explorer_urls["ethereum"].setText("https://node.example/rpc?apikey=SECRET123")
    dialog.accept()
    assert dialog.isVisible() and "?query" in dialog.error.text()
    assert "SECRET123" not in dialog.error.text() and services.settings.explorer_urls == {}
    page.explorer_urls["ethereum"].setText("https://eth.blockscout.com/api/")
    dialog.accept()
    assert services.settings.explorer_urls == {"ethereum": "https://eth.blockscout.com/api"}


def test_locking_during_a_batch_stops_it_and_keeps_what_arrived(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    threaded_server: HTTPServer,
    held_answers: Callable[..., HeldAnswers],
) -> None:
    from tests.app.test_screening_support import evm
    from tests.ui.conftest import unlock
    from ui.main_window import State

    # Five answers, then the provider holds the rest: the batch is surely still
    # running when the vault locks, however slow the machine.
    serve_kyt(services, threaded_server, held_answers(answered=5, delay=0.05))
    window = make_window()
    store_key(session, services)
    add_customer(session, services, name="Busy", addresses=tuple(evm(i) for i in range(1, 81)))
    context = workspace(window).screening_context
    arrived: list[object] = []
    context.results.connect(arrived.extend)
    assert context.screen(lambda vault: [("ethereum", evm(i)) for i in range(1, 81)], label="all")
    # >= 1, not more: results reach the GUI with the progress reports (at most ten a
    # second), so answers that come together may wait for the next one to be shown
    qtbot.waitUntil(lambda: len(arrived) >= 1, timeout=20_000)
    window.lock()
    qtbot.waitUntil(lambda: window.state is State.LOCKED, timeout=20_000)
    assert window.batch_status.bar.isHidden() and not window.batch_status.outbox.isVisible()
    unlock(session, services)
    stored = screenings_ok(session, services)
    assert len(arrived) <= stored < 80  # what arrived is kept; the rest never ran
