from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from app.session import VaultSession
from ui.book.context import BookContext
from ui.book.customer_model import COLUMNS, CustomerModel
from ui.book.wallet_model import WalletModel
from ui.main_window import MainWindow, State
from ui.sections import SECTIONS
from ui.services import Services
from vault.book import queries

from .book_helpers import customer_page, fill, read
from .conftest import WindowFactory, settled, unlock


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _names(model: CustomerModel) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def _fetch_all(qtbot: QtBot, model: Any) -> None:
    while model.canFetchMore(QModelIndex()) or model.fetching:
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.fetching)


def _activate(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_customer_model_passes_the_tester_and_fetches_lazily(
    qtbot: QtBot, qtlog: Any, services: Services, session: VaultSession
) -> None:
    unlock(session, services)
    fill(session, services, 1000)
    total = read(session, services, queries.count_customers)
    assert total > 1000  # with the demo's near-duplicates
    context = BookContext(session, services)
    model = CustomerModel(context)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    with qtbot.captureExceptions() as exceptions:
        model.reload()
        # The tester itself asks for one more page once the first is in.
        qtbot.waitUntil(lambda: model.rowCount() >= 200 and not model.fetching)
        assert model.total == total  # counted, but only the pages asked for are held
        assert model.rowCount() in (200, 400)
        assert model.canFetchMore(QModelIndex())
        _fetch_all(qtbot, model)
    assert not exceptions
    assert model.rowCount() == total
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)] == list(COLUMNS)
    names = _names(model)
    assert names == sorted(names, key=lambda n: n.casefold())  # by name, in SQL
    assert not [r.message for r in qtlog.records if "FAIL" in r.message]
    model.close()
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    del tester


def test_sorting_by_a_header_asks_sql_for_the_new_order(
    qtbot: QtBot, services: Services, session: VaultSession
) -> None:
    unlock(session, services)
    fill(session, services, 300)
    model = CustomerModel(BookContext(session, services))
    model.reload()
    qtbot.waitUntil(lambda: model.rowCount() == 200)
    first = _names(model)[0]
    model.sort(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: _names(model)[0] != first)
    names = _names(model)
    assert names == sorted(names, key=lambda n: n.casefold(), reverse=True)
    model.sort(3, Qt.SortOrder.AscendingOrder)  # country
    qtbot.waitUntil(lambda: model.sort_key == ("country", False) and not model.fetching)
    countries = [model.index(r, 3).data() for r in range(model.rowCount())]
    assert countries == sorted(countries)
    model.sort(1, Qt.SortOrder.AscendingOrder)  # the desk's own id
    qtbot.waitUntil(lambda: model.sort_key == ("external_id", False) and not model.fetching)
    ids = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert ids == sorted(ids)
    model.sort(6, Qt.SortOrder.AscendingOrder)  # Addresses: a count, no SQL sort
    assert model.sort_key == ("external_id", False) and not model.fetching


def test_wallet_model_passes_the_tester(
    qtbot: QtBot, qtlog: Any, services: Services, session: VaultSession
) -> None:
    unlock(session, services)
    fill(session, services, 120)
    model = WalletModel(BookContext(session, services), page_size=50)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    model.reload()
    qtbot.waitUntil(lambda: model.rowCount() >= 50)
    _fetch_all(qtbot, model)
    assert model.rowCount() == model.total == read(session, services, queries.count_addresses)
    shared = [r for r in range(model.rowCount()) if model.index(r, 4).data()]
    assert shared  # the demo links a few addresses to two customers
    assert model.index(0, 1).data(Qt.ItemDataRole.FontRole).fixedPitch()
    assert not [r.message for r in qtlog.records if "FAIL" in r.message]
    del tester


def test_search_as_you_type_filters_the_list(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    fill(session, services, 300)
    window = make_window()
    page = customer_page(window).list
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == 200)
    everyone = model.total
    qtbot.keyClicks(page.search, "Bergl")
    qtbot.waitUntil(lambda: model.search_text == "Bergl" and not model.fetching, timeout=3000)
    names = _names(model)
    assert 0 < model.total < everyone
    assert all("berglund" in _plain(name) for name in names)
    assert "match" in page.count_label.text()
    qtbot.keyClicks(page.search, "zzzz")
    qtbot.waitUntil(lambda: model.total == 0, timeout=3000)
    assert page.empty.isVisible() and "No customer matches" in page.empty.text()
    page.search.clear()
    qtbot.waitUntil(lambda: model.total == everyone, timeout=3000)


def test_an_older_search_answer_is_dropped(
    qtbot: QtBot, services: Services, session: VaultSession
) -> None:
    unlock(session, services)
    fill(session, services, 200)
    model = CustomerModel(BookContext(session, services))
    model.set_search("a")
    model.set_search("Nakamura")  # before the answer for "a" arrives
    qtbot.waitUntil(lambda: not model.fetching and model.rowCount() > 0)
    settled(qtbot, services)  # the answer for "a" has come too, and was dropped
    assert model.search_text == "Nakamura"
    # (the demo's near-duplicates spell it "Nákamura": the index ignores accents)
    assert all("nakamura" in _plain(n) for n in _names(model))


def test_ctrl_k_focuses_the_search_from_another_section(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    _activate(qtbot, window)
    assert window.workspace is not None
    assert window.workspace.current_key() == "customers"  # opens on the customer book
    window.select_section([s.key for s in SECTIONS].index("audit"))
    assert window.workspace.current_key() == "audit"
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.current_key() == "customers"
    page = customer_page(window).list
    qtbot.waitUntil(page.search.hasFocus)
    # the empty state shows once the list's first read is back
    qtbot.waitUntil(lambda: page.empty.isVisible() and "No customers yet" in page.empty.text())


def test_enter_opens_the_customer_and_esc_goes_back(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    fill(session, services, 50)
    window = make_window()
    _activate(qtbot, window)
    customers = customer_page(window)
    model = customers.list.model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    customers.list.view.setFocus()
    customers.list.view.selectRow(0)
    name = model.index(0, 0).data()
    qtbot.keyClick(customers.list.view, Qt.Key.Key_Return)
    assert customers.currentWidget() is customers.detail
    qtbot.waitUntil(lambda: name in customers.detail.title.text())
    assert customers.detail.addresses.model.rowCount() >= 1
    qtbot.keyClick(customers.detail, Qt.Key.Key_Escape)
    assert customers.currentWidget() is customers.list


def test_lock_drops_the_book_views_and_unlock_rebuilds_them(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    fill(session, services, 30)
    window = make_window()
    customers = customer_page(window)
    model = customers.list.model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    customers.open_customer(model.row_id(0))
    qtbot.waitUntil(lambda: customers.detail.detail is not None)
    wallets = window.workspace.wallets  # type: ignore[union-attr]
    destroyed: list[str] = []
    model.destroyed.connect(lambda: destroyed.append("customers"))
    wallets.model.destroyed.connect(lambda: destroyed.append("wallets"))
    window.lock()
    assert customers.detail.detail is None and customers.detail.profile.name.text() == ""
    qtbot.waitUntil(lambda: window.state is State.LOCKED)
    qtbot.waitUntil(lambda: sorted(destroyed) == ["customers", "wallets"])
    unlock(session, services)
    window.show_unlocked(session.vault.unlock)
    rebuilt = customer_page(window).list.model
    qtbot.waitUntil(lambda: rebuilt.rowCount() > 0)


def test_the_audit_log_catches_up_with_book_changes_when_shown(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    window = make_window()
    assert window.workspace is not None and window.workspace.audit is not None
    audit = window.workspace.audit.model
    assert audit is not None
    qtbot.waitUntil(lambda: audit.total == 3)  # created, locked, unlocked
    page = customer_page(window).list
    dialog = page.new_customer()
    dialog.name.setText("Kaito Abara")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: customer_page(window).detail.detail is not None)
    assert audit.total == 3  # hidden: no work yet
    window.select_section([s.key for s in SECTIONS].index("audit"))
    qtbot.waitUntil(lambda: audit.total == 4)
    assert audit.index(0, 4).data() == "customer.created"
