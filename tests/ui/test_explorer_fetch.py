"""Fetching explorer data from the window: the real Esplora client against a local
server answering with the documented bodies (esplora.md), the real vault. The panel
shows the balance with its source and age; offline the fetch waits in the outbox
and the drain runs it; a slow explorer never holds the database worker."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot
from werkzeug import Request, Response

from app.screening import explorer_data
from app.screening.explorer_data import ExplorerRefresh
from app.session import VaultSession
from tests.app.test_screening_explorer_data import SPENDER, serve
from tests.ui.book_helpers import on_worker
from tests.ui.conftest import WindowFactory, settled
from tests.ui.screening_helpers import HeldAnswers, free_port, workspace
from tests.ui.test_screening_threads import BOUND, read_latency
from ui.main_window import MainWindow
from ui.screening.explorer_fetch import FetchState
from ui.services import Services

BALANCE = 150_000_000 + 51_000  # funded; 3 documented spends of 17,000 sat leave 1.5 BTC


def _point(services: Services, url: str) -> None:
    """Bitcoin's explorer at `url` (the Settings' explorer address), before the window opens."""
    services.settings = services.settings.with_changes(explorer_urls={"bitcoin": url})


def _screening(window: MainWindow):  # type: ignore[no-untyped-def]
    space = workspace(window)
    space.select_key("screening")
    return space.screening


def test_fetch_from_the_address_panel_shows_balance_source_age_and_flows(
    qtbot: QtBot, make_window: WindowFactory, services: Services, httpserver: HTTPServer
) -> None:
    serve(httpserver, funded=BALANCE)
    _point(services, httpserver.url_for("/api"))
    window = make_window()
    page = _screening(window)
    panel = page.panel
    panel.show_address("bitcoin", SPENDER)
    qtbot.waitUntil(lambda: "No explorer data stored" in panel.explorer.text(), timeout=10_000)
    assert panel.fetch_button.isEnabled() and not panel.flows.isVisibleTo(panel)

    finished: list[FetchState] = []
    workspace(window).screening_context.explorer.finished.connect(finished.append)
    panel.fetch_button.click()
    qtbot.waitUntil(lambda: bool(finished), timeout=20_000)
    qtbot.waitUntil(lambda: "BTC" in panel.explorer.text(), timeout=10_000)
    text = panel.explorer.text()
    assert "1.5 BTC" in text and "3 transactions" in text
    assert f"Esplora at {httpserver.host}, just now" in text
    assert "first 2014-10-18" in text and "last 2014-10-20" in text
    assert "fetched" in panel.explorer.toolTip()
    assert panel.fetch_status.text().startswith("Fetched from Esplora")
    assert panel.flows.isVisibleTo(panel) and panel.flows_model.rowCount() == 3
    newest = panel.flows_model.row_at(0)
    assert (newest.day, newest.outflow, newest.inflow) == ("2014-10-20", 17_000, 0)
    assert finished[0].stored == 1 and "fetched 1 of 1" in finished[0].summary()

    # Ctrl+Shift+E (the Screening menu) does the same for what the section shows.
    asked = len(httpserver.log)
    window.findChild(QAction, "fetchExplorerSelection").trigger()
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=20_000)
    assert len(httpserver.log) > asked and finished[1].stored == 1
    status = window.findChild(QLabel, "explorerText")
    assert status is not None and "fetched 1 of 1" in status.text()


def test_offline_the_fetch_waits_in_the_outbox_and_the_drain_runs_it(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    httpserver: HTTPServer,
) -> None:
    _point(services, f"http://127.0.0.1:{free_port()}/api")
    window = make_window()
    context = workspace(window).screening_context
    qtbot.waitUntil(lambda: not context._draining, timeout=10_000)
    panel = _screening(window).panel
    panel.show_address("bitcoin", SPENDER)
    assert panel.fetch()
    qtbot.waitUntil(lambda: "Queued in the outbox" in panel.fetch_status.text(), timeout=20_000)
    assert "could not be reached" in panel.fetch_status.text()
    qtbot.waitUntil(lambda: context.waiting == 1, timeout=10_000)
    assert "No explorer data stored" in panel.explorer.text()

    # The explorer is back (here: the desk points the chain at one that answers).
    serve(httpserver, funded=BALANCE)
    _point(services, httpserver.url_for("/api"))
    context.settings_changed()
    # (the drain the context starts after unlock may still be running: then the next)
    qtbot.waitUntil(lambda: context.drain(retry_now=True), timeout=10_000)
    qtbot.waitUntil(lambda: "1.5 BTC" in panel.explorer.text(), timeout=20_000)
    qtbot.waitUntil(lambda: context.waiting == 0, timeout=10_000)
    stored = on_worker(
        services, lambda: explorer_data.summaries(session.vault.conn, "bitcoin", SPENDER)
    )
    assert len(stored) == 1


def test_errors_are_statuses_not_crashes(
    qtbot: QtBot, make_window: WindowFactory, services: Services
) -> None:
    window = make_window()
    context = workspace(window).screening_context
    arrived: list[ExplorerRefresh] = []
    context.explorer.arrived.connect(arrived.extend)
    assert context.explorer.fetch([("dogecoin", "DAbcd")], label="one")
    qtbot.waitUntil(lambda: not context.explorer.busy, timeout=10_000)
    assert arrived[0].error == "no explorer is set up for 'dogecoin'"
    settled(qtbot, services)  # the outbox count read after the fetch is back
    assert context.waiting == 0
    # nothing selected anywhere: the shortcut says what to do
    workspace(window).select_key("wallets")
    assert "Select addresses" in workspace(window).fetch_explorer_selection()


def test_a_slow_explorer_does_not_hold_the_database_worker_and_can_be_cancelled(
    qtbot: QtBot,
    make_window: WindowFactory,
    services: Services,
    threaded_server: HTTPServer,
    held_answers: Callable[..., HeldAnswers],
) -> None:
    # The explorer holds its answer (a 503) until the test is done: still under way.
    slow = held_answers(lambda _request: Response("{}", status=503))
    threaded_server.expect_request("/api/address/" + SPENDER).respond_with_handler(slow)
    _point(services, threaded_server.url_for("/api"))
    window = make_window()
    context = workspace(window).screening_context
    finished: list[FetchState] = []
    context.explorer.finished.connect(finished.append)
    assert context.explorer.fetch([("bitcoin", SPENDER), ("bitcoin", "x")], label="slow")
    assert not context.explorer.fetch([("bitcoin", SPENDER)], label="again")  # one at a time
    qtbot.waitUntil(slow.holding, timeout=10_000)
    assert context.explorer.busy
    assert read_latency(qtbot, context) < BOUND
    assert context.explorer.busy and slow.holding()  # still waiting on the explorer
    context.explorer.cancel()
    slow.release()  # the call in flight ends (as a slow explorer's would); nothing after it
    qtbot.waitUntil(lambda: bool(finished), timeout=30_000)
    assert finished[0].cancelled and finished[0].stored == 0


GENESIS = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"


def test_settings_take_a_trongrid_key_and_test_an_explorer(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    httpserver: HTTPServer,
) -> None:
    from app.screening.secrets import get_key
    from tests.app.test_screening_explorer_data import confirmed, documented
    from tests.ui.test_screening_network import open_settings

    httpserver.expect_request(f"/api/address/{GENESIS}").respond_with_json(
        documented("esplora/address.json")
    )
    for path in ("txs/chain", "txs"):
        httpserver.expect_request(f"/api/address/{GENESIS}/{path}").respond_with_json(
            [confirmed(0)]
        )
    window = make_window()
    dialog, page = open_settings(qtbot, window)
    # the TronGrid key is saved under the account the tron chain uses, never shown again
    page.findChild(QLineEdit, "key_trongrid").setText("tron-key-1234567")
    page.findChild(QPushButton, "save_trongrid").click()
    state = page.rows["trongrid:api.trongrid.io"].state
    qtbot.waitUntil(lambda: "Key stored in the vault" in state.text(), timeout=10_000)
    stored = on_worker(services, lambda: get_key(session.vault, "trongrid:api.trongrid.io"))
    assert stored is not None and stored.key == "tron-key-1234567"

    result = page.explorer_results["bitcoin"]
    page.explorer_urls["bitcoin"].setText(httpserver.url_for("/api"))
    page.findChild(QPushButton, "test_explorer_bitcoin").click()
    qtbot.waitUntil(lambda: result.text().startswith("✓"), timeout=20_000)
    assert f"Esplora at {httpserver.host} answered: 1A1zP1eP5Q… holds" in result.text()
    assert "BTC" in result.text()

    page.explorer_urls["bitcoin"].setText(f"http://127.0.0.1:{free_port()}/api")
    page.findChild(QPushButton, "test_explorer_bitcoin").click()
    qtbot.waitUntil(lambda: result.text().startswith("✗"), timeout=30_000)
    assert "could not be reached" in result.text()
    page.explorer_urls["bitcoin"].setText("ftp://x")
    page.findChild(QPushButton, "test_explorer_bitcoin").click()
    assert "not an http(s) address" in result.text()
    dialog.reject()


def test_the_customer_tab_fetches_every_address_and_shows_the_balance_with_its_age(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    httpserver: HTTPServer,
) -> None:
    from app.book import validate
    from app.book.models import AddressDraft
    from app.book.service import CustomerBook

    serve(httpserver, funded=BALANCE)
    _point(services, httpserver.url_for("/api"))
    window = make_window()

    def add() -> int:
        book = CustomerBook(session.vault)
        with session.vault.transaction() as tx:
            customer_id, _ = book.save_customer(tx, validate.customer({"name": "Btc Holder"}))
            book.save_address(tx, customer_id, AddressDraft("bitcoin", SPENDER))
        return customer_id

    customer_id = on_worker(services, add)
    space = workspace(window)
    space.open_customer(customer_id)
    tab = space.customer_screening
    space.customers.detail.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=10_000)
    assert tab.model.row_at(0).explorer is None and tab.explorer_button.isEnabled()
    # Ctrl+Shift+E on a customer's page fetches its addresses
    assert space.fetch_explorer_selection() == ""
    qtbot.waitUntil(lambda: tab.model.row_at(0).explorer is not None, timeout=20_000)
    line = tab.model.row_at(0)
    assert line.explorer is not None and line.explorer["source"].startswith("Esplora at")
    qtbot.waitUntil(lambda: "fetched 1 of 1 (customer #" in tab.status.text(), timeout=10_000)
    index = tab.model.index(0, 3)
    assert tab.model.data(index) == "1.5 BTC"
    assert tab.model.data(tab.model.index(0, 4)) == "just now"


def test_a_refused_key_and_a_rate_limit_are_statuses_that_say_what_to_do(
    qtbot: QtBot, make_window: WindowFactory, services: Services, httpserver: HTTPServer
) -> None:
    import json
    from pathlib import Path

    from tests.app.test_screening_support import evm

    bodies = json.loads(
        (
            Path(__file__).resolve().parents[1]
            / "integrations/test_explorer_fixtures/etherscan/errors.json"
        ).read_text()
    )
    answer = {"body": bodies["invalid_key"]}
    httpserver.expect_request("/v2/api").respond_with_handler(
        lambda _request: Response(json.dumps(answer["body"]), content_type="application/json")
    )
    services.settings = services.settings.with_changes(
        explorer_urls={"ethereum": httpserver.url_for("/v2/api")}
    )
    window = make_window()
    context = workspace(window).screening_context
    panel = _screening(window).panel
    panel.show_address("ethereum", evm(1))
    assert panel.fetch()
    qtbot.waitUntil(lambda: "refused the key" in panel.fetch_status.text(), timeout=20_000)
    assert "Settings › Providers" in panel.fetch_status.text()
    qtbot.waitUntil(lambda: not context.explorer.busy, timeout=10_000)

    answer["body"] = bodies["daily"]
    panel.show_address("ethereum", evm(2))
    assert panel.fetch()
    qtbot.waitUntil(lambda: "Queued in the outbox" in panel.fetch_status.text(), timeout=20_000)
    assert "daily request quota of this key used up" in panel.fetch_status.text()
    qtbot.waitUntil(lambda: context.waiting == 2, timeout=10_000)


def test_locking_during_a_fetch_keeps_what_arrived_and_does_not_wait_for_the_rest(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    threaded_server: HTTPServer,
    held_answers: Callable[..., HeldAnswers],
) -> None:
    import json
    import re

    from tests.app.test_screening_explorer_data import documented
    from tests.ui.conftest import unlock
    from ui.main_window import State
    from ui.screening.context import CLOSE_WAIT

    def answer(request: Request) -> Response:
        body = (
            []
            if request.path.endswith(("/txs", "/txs/chain"))
            else documented("esplora/address.json")
        )
        return Response(json.dumps(body), content_type="application/json")

    # The look-ups of SPENDER are answered (slowly); those of the next address are held
    # until the lock was asked for, so the fetch is surely under way when the vault
    # locks; those of any later address are held to the end.
    answering = {SPENDER}
    explorer = held_answers(
        answer,
        answered=None,
        keep=lambda path: not any(a in path for a in answering),
        delay=0.3,
    )
    threaded_server.expect_request(re.compile(r"^/api/address/.*")).respond_with_handler(explorer)
    _point(services, threaded_server.url_for("/api"))
    window = make_window()
    context = workspace(window).screening_context
    addresses = [
        SPENDER,
        GENESIS,
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    ]
    arrived: list[ExplorerRefresh] = []
    context.explorer.arrived.connect(arrived.extend)
    assert context.explorer.fetch([("bitcoin", a) for a in addresses], label="five")
    qtbot.waitUntil(lambda: len(arrived) >= 1, timeout=20_000)
    qtbot.waitUntil(explorer.holding, timeout=10_000)
    start = time.monotonic()
    window.lock()
    answering.add(GENESIS)  # the address in flight is done; a later one would stay held
    explorer.release_held()
    qtbot.waitUntil(lambda: window.state is State.LOCKED, timeout=20_000)
    # A fetch that went on after the lock would wait on a held call, and the lock with
    # it until CLOSE_WAIT runs out: it did not.
    assert time.monotonic() - start < CLOSE_WAIT / 2
    unlock(session, services)

    def stored() -> set[str]:
        rows = session.vault.conn.execute("SELECT address FROM explorer_summaries")
        return {address for (address,) in rows}

    kept = on_worker(services, stored)
    assert {r.address for r in arrived if r.answer is not None} <= kept
    assert SPENDER in kept and len(kept) < len(addresses)
