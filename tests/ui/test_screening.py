"""The Screening section, batches and the customer's Screening tab, against a real vault
(and a local provider on pytest-httpserver speaking the documented Chainalysis
Sanctions API where a network provider is needed)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.screening.cache import Lookup, Origin
from app.session import VaultSession
from tests.app.test_screening_support import evm
from tests.ui.book_helpers import add_customer, on_worker, read
from tests.ui.conftest import WindowFactory
from tests.ui.screening_helpers import (
    CLEAN,
    KYT,
    LISTED,
    HeldAnswers,
    import_list,
    screen_offline,
    serve_kyt,
    store_key,
    workspace,
    write_sample_xml,
)
from ui.screening.context import BatchState
from ui.screening.sanctions_dialog import SanctionsImportDialog
from ui.services import Services
from vault.screening import explorer


def book_pairs(session: VaultSession, services: Services) -> list[tuple[str, str]]:
    return read(
        session,
        services,
        lambda conn: [(c, a) for c, a in conn.execute("SELECT chain, address FROM addresses")],
    )


def row_of(model: object, address: str) -> int:
    for position in range(model.rowCount()):  # type: ignore[attr-defined]
        if model.target(position)[1].lower() == address.lower():  # type: ignore[attr-defined]
            return position
    raise AssertionError(f"{address} is not listed")


def test_section_lists_newest_answers_with_age_source_filters_and_evidence(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    tmp_path: Path,
) -> None:
    window = make_window()
    add_customer(session, services, name="Example Exchange", addresses=(LISTED[0], CLEAN[0]))
    add_customer(session, services, name="Clean Co", addresses=(CLEAN[1],))
    import_list(session, services, write_sample_xml(tmp_path))
    screen_offline(session, services, book_pairs(session, services))
    ws = workspace(window)
    ws.select_key("screening")
    page = ws.screening
    page.refresh()
    model = page.model
    assert model is not None
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    assert page.count_label.text().startswith("3 answers")
    listed = row_of(model, LISTED[0])
    cell = lambda r, c: model.index(r, c).data()  # noqa: E731
    assert cell(listed, 2) == "severe" and cell(listed, 3) == "SANCTIONED"
    assert cell(listed, 4) == "OFAC SDN" and cell(listed, 5) == "just now"
    assert cell(listed, 7) == "Example Exchange"
    clean = row_of(model, CLEAN[1])
    assert cell(clean, 2) == "none" and cell(clean, 3) == "" and cell(clean, 5) == "just now"
    # the lists are read after the rows (a read of their own)
    qtbot.waitUntil(lambda: "OFAC SDN" in page.lists_label.text())
    assert "2024-09-27" in page.lists_label.text()

    page.sanctioned.setCurrentIndex(page.sanctioned.findData(True))
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.target(0)[1].lower() == LISTED[0].lower()
    page.sanctioned.setCurrentIndex(0)
    page.level.setCurrentIndex(page.level.findData("none"))
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    page.level.setCurrentIndex(0)
    page.age.setCurrentIndex(page.age.findData("Older than 7 days"))
    qtbot.waitUntil(lambda: model.total == 0 and not model.fetching)
    assert not page.empty.isVisible()  # filtered to nothing: the table stays, not "no screenings"
    page.age.setCurrentIndex(0)
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not model.fetching and cell(0, 2) == "severe")

    # an address's history, its evidence and the explorer figures stored for it
    on_worker(
        services,
        lambda: _store_summary(session, model.target(0)),
    )
    page.view.selectRow(0)
    panel = page.panel
    # (the panel may show this address already, read before the figures were stored)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and "ETH" in panel.explorer.text())
    assert "EXAMPLE EXCHANGE" in panel.evidence.toPlainText()
    assert "1.5 ETH" in panel.explorer.text() and "12 transactions" in panel.explorer.text()
    assert "etherscan" in panel.explorer.text()
    del tester


def _store_summary(session: VaultSession, target: tuple[str, str]) -> None:
    from app.screening.risk import utc_now

    chain, address = target
    with session.vault.transaction() as tx:
        explorer.put_summary(
            tx.conn,
            {
                "chain": chain,
                "address": address,
                "source": "etherscan",
                "balances": [
                    {"symbol": "ETH", "contract": None, "decimals": 18, "amount": 15 * 10**17}
                ],
                "tx_count": 12,
                "nonce": 3,
                "first_seen": "2021-03-01T00:00:00+00:00",
                "last_seen": "2024-05-02T00:00:00+00:00",
                "fetched_at": utc_now().isoformat(),
                "raw": b"{}",
            },
        )


def test_batch_of_a_wallet_selection_shows_progress_results_and_cancels(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    threaded_server: HTTPServer,
    held_answers: Callable[..., HeldAnswers],
) -> None:
    # Twenty answers, then the provider holds the rest until the cancel is seen: the
    # batch is surely still running when Cancel is pressed, however slow the machine.
    provider = held_answers(answered=20, delay=0.05)
    serve_kyt(services, threaded_server, provider)
    window = make_window()
    store_key(session, services)
    add_customer(
        session, services, name="Many Wallets", addresses=tuple(evm(i) for i in range(1, 121))
    )
    ws = workspace(window)
    context = ws.screening_context
    ws.select_key("wallets")
    wallets = ws.wallets
    wallets.model.reload()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: wallets.model is not None and wallets.model.rowCount() == 120)
    wallets.view.setFocus()
    wallets.view.selectAll()
    progress: list[tuple[int, int]] = []
    arrived: list[list[Lookup]] = []
    context.batch_progress.connect(lambda done, total: progress.append((done, total)))
    context.results.connect(arrived.append)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(context.batch_started, timeout=5000):
        qtbot.keyClick(
            window,
            Qt.Key.Key_S,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    status = window.batch_status
    # >= 1, not more: results reach the GUI with the progress reports (at most ten a
    # second), so answers that come together may wait for the next one to be shown
    qtbot.waitUntil(lambda: sum(map(len, arrived)) >= 1, timeout=20_000)
    assert status.bar.isVisible() and status.cancel_button.isVisible()
    assert "120 selected addresses" in status.text.toolTip()
    assert re.fullmatch(r"Screening (…|\d+ / 120)", status.text.text())
    with qtbot.waitSignal(context.batch_finished, timeout=20_000) as finished:
        qtbot.mouseClick(status.cancel_button, Qt.MouseButton.LeftButton)
    state: BatchState = finished.args[0]
    got = [x for batch in arrived for x in batch]
    assert state.cancelled and 0 < state.done < 120 and state.done == len(got)
    assert all(x.origin is Origin.PROVIDER and x.status == "ok" for x in got)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert {t for _, t in progress} == {120}
    assert status.text.text().startswith("Cancelled") and not status.bar.isVisible()
    stored = read(
        session,
        services,
        lambda conn: conn.execute(
            "SELECT count(*) FROM screenings WHERE provider = ?", (KYT,)
        ).fetchone()[0],
    )
    assert stored == len(got)  # what arrived is kept, nothing else
    assert not context.busy
    provider.release()

    # The same selection again: cached answers come back at once, the rest are asked;
    # results arrive chunk by chunk while the batch runs.
    arrived.clear()
    with qtbot.waitSignal(context.batch_finished, timeout=30_000) as finished:
        window.screening_actions.screen.trigger()
    state = finished.args[0]
    assert not state.cancelled and state.done == 120 and len(arrived) > 1
    origins = [x.origin for batch in arrived for x in batch]
    assert origins.count(Origin.CACHE) == stored
    assert origins.count(Origin.PROVIDER) == 120 - stored
    ws.select_key("screening")
    model = ws.screening.model
    assert model is not None
    qtbot.waitUntil(lambda: model.total == 120)

    # Ctrl+Shift+R on three rows of the Screening list: asked again despite the cache.
    asked = len(threaded_server.log)
    view = ws.screening.view
    view.setFocus()
    for row in range(3):
        view.selectionModel().select(
            model.index(row, 0),
            view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
        )
    arrived.clear()
    with qtbot.waitSignal(context.batch_finished, timeout=10_000) as finished:
        qtbot.keyClick(
            window,
            Qt.Key.Key_R,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert finished.args[0].label == "3 selected addresses" and finished.args[0].refresh
    assert [x.origin for batch in arrived for x in batch] == [Origin.PROVIDER] * 3
    assert len(threaded_server.log) == asked + 3


def test_customer_tab_suggests_a_rating_explains_it_and_applies_it(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    tmp_path: Path,
) -> None:
    window = make_window()
    import_list(session, services, write_sample_xml(tmp_path))
    customer = add_customer(
        session, services, name="Example Exchange", addresses=(LISTED[0], CLEAN[0])
    )
    ws = workspace(window)
    ws.open_customer(customer)
    detail = ws.customers.detail
    tab = ws.customer_screening
    detail.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.found is not None)
    assert "none yet" in tab.suggested.text()  # never screened: nothing to suggest
    assert not tab.apply_button.isEnabled()

    with qtbot.waitSignal(ws.screening_context.batch_finished, timeout=10_000):
        window.activateWindow()
        window.screening_actions.screen.trigger()  # Ctrl+Shift+S on the customer's page
    qtbot.waitUntil(lambda: tab.found is not None and tab.found.suggestion.rating == "prohibited")
    assert "Prohibited" in tab.suggested.text() and "not rated" in tab.suggested.text()
    assert "from not rated to prohibited" in tab.explanation.text()
    assert "EXAMPLE EXCHANGE" in tab.explanation.text()
    assert tab.model.rowCount() == 2 and tab.apply_button.isEnabled()

    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.found is not None and tab.found.current == "prohibited")
    assert not tab.apply_button.isEnabled()
    assert "matches" in tab.explanation.text()
    rating, reason = read(
        session,
        services,
        lambda conn: conn.execute(
            "SELECT risk_rating, risk_reason FROM customers WHERE id = ?", (customer,)
        ).fetchone(),
    )
    assert rating == "prohibited" and reason.startswith("From screening: prohibited")
    events = read(
        session,
        services,
        lambda conn: [r[0] for r in conn.execute("SELECT type FROM events ORDER BY rowid")],
    )
    assert events[-1] == "customer.updated"
    qtbot.waitUntil(lambda: "risk prohibited" in detail.subtitle.text())


def test_sanctions_list_import_from_the_gui_shows_counts_date_and_source(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    window = make_window()
    ws = workspace(window)
    ws.select_key("screening")
    page = ws.screening
    qtbot.waitUntil(lambda: "No sanctions list" in page.lists_label.text())
    page.ask_import()
    dialog = window.findChild(SanctionsImportDialog)
    assert dialog is not None and not dialog.ok_button.isEnabled()
    dialog.path.setText(str(tmp_path / "missing.xml"))
    dialog.path.editingFinished.emit()
    qtbot.waitUntil(lambda: "no publication date" in dialog.date_note.text())
    assert not dialog.ok_button.isEnabled()  # no date yet: nothing to import with
    dialog.published.setDate(QDate(2024, 9, 27))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert "missing.xml" in dialog.error_label.text()

    dialog.published.setDate(QDate(1990, 1, 1))  # back to "no date"
    dialog.path.setText(str(write_sample_xml(tmp_path)))
    dialog.path.editingFinished.emit()
    qtbot.waitUntil(lambda: dialog.published.date() == QDate(2024, 9, 27))  # the file's own
    assert "published on 2024-09-27" in dialog.date_note.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.done_once)
    text = dialog.result_label.text()
    assert "Imported" in text and "published 2024-09-27 (from the file)" in text
    assert "file SDN_ADVANCED.XML" in text and "sha256 " in text
    assert "<td>evm</td>" in text and "<td>bitcoin</td>" in text and "<td>tron</td>" in text
    qtbot.waitUntil(lambda: "2024-09-27" in page.lists_label.text())
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # Close
    qtbot.waitUntil(lambda: not dialog.isVisible())

    plain = tmp_path / "eth_list.txt"
    plain.write_text(f"{LISTED[0]}\n{CLEAN[0]}\n", encoding="utf-8")
    page.ask_import()
    dialog = next(d for d in window.findChildren(SanctionsImportDialog) if d.isVisible())
    dialog.path.setText(str(plain))
    dialog.path.editingFinished.emit()
    dialog.asset.setCurrentIndex(dialog.asset.findData("ETH"))
    qtbot.waitUntil(lambda: "no publication date" in dialog.date_note.text())
    assert not dialog.ok_button.isEnabled()
    for size in ((1280, 800), (1000, 640)):
        window.resize(*size)
        qtbot.wait(100)
        dialog.grab().save(str(tmp_path / f"dialog-{size[0]}.png"))
    dialog.published.setDate(QDate(2024, 10, 1))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.done_once)
    assert "<td>evm</td><td align='right'>2</td>" in dialog.result_label.text()
    assert "plain list eth_list.txt (ETH)" in dialog.result_label.text()
    assert "published 2024-10-01 (stated on import)" in dialog.result_label.text()
    qtbot.waitUntil(lambda: "plain list eth_list.txt (ETH)" in page.lists_label.text())
