from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.book import activity
from app.book.reads import customer_detail
from app.book.service import CustomerBook
from app.session import VaultSession
from ui.book.detail import history
from ui.book.detail.actions import EraseDialog
from ui.book.detail.page import CustomerDetailPage
from ui.main_window import MainWindow
from ui.services import Services

from .book_helpers import (
    ETH_A,
    add_customer,
    count_events,
    customer_page,
    on_worker,
    open_customer,
    read,
)
from .conftest import WindowFactory, unlock


def _open(qtbot: QtBot, window: MainWindow, customer_id: int) -> CustomerDetailPage:
    page: CustomerDetailPage = open_customer(qtbot, window, customer_id)
    return page


def _detail(session: VaultSession, services: Services, customer_id: int) -> Any:
    return read(session, services, lambda conn: customer_detail(conn, customer_id))


def test_invalid_email_shows_inline_and_saves_nothing(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    customer = add_customer(session, services, name="Ada Quint", email="ada@example.com")
    page = _open(qtbot, make_window(), customer)
    profile = page.profile
    assert profile.emails.text() == "ada@example.com"
    profile.country.setText("GB")
    profile.emails.setText("ada@example.com; not-an-email")
    assert profile.dirty and profile.save_button.isEnabled()
    qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = profile.form.error_for("email")
    qtbot.waitUntil(error.isVisible)
    assert "@" in error.text()
    assert not profile.form.error_for("country").isVisible()
    stored = _detail(session, services, customer)
    assert stored.emails == ["ada@example.com"] and stored.country is None
    assert count_events(session, services, "customer.updated") == 0
    assert profile.emails.text().endswith("not-an-email")  # the edit is kept to fix

    profile.emails.setText("ada@example.com; ada.q@example.org")
    qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: profile.status.text() == "Saved.")
    assert not error.isVisible()
    stored = _detail(session, services, customer)
    assert stored.emails == ["ada@example.com", "ada.q@example.org"] and stored.country == "GB"
    # the header reloads on the change news, after "Saved." (asynchronously)
    qtbot.waitUntil(lambda: "GB" in page.subtitle.text())


def test_invalid_address_shows_the_reason_and_is_not_stored(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    customer = add_customer(session, services, name="Bo Rahman")
    page = _open(qtbot, make_window(), customer)
    qtbot.keyClick(
        page, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    tab = page.addresses
    assert page.tabs.currentWidget() is tab
    assert QApplication.focusWidget() is tab.address
    tab.chain.setCurrentText("ethereum")
    tab.address.setText("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")  # checksum broken
    qtbot.keyClick(tab.address, Qt.Key.Key_Return)
    error = tab.form.error_for("address")
    qtbot.waitUntil(error.isVisible)
    assert "checksum" in error.text().lower()
    assert _detail(session, services, customer).addresses == []

    tab.address.setText(ETH_A.lower())
    tab.label.setText("cold wallet")
    tab.add_button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert not error.isVisible()
    assert tab.model.index(0, 1).data() == ETH_A  # stored checksummed
    assert page.tabs.tabText(1) == "Addresses (1)"
    tab.view.selectRow(0)
    assert tab.explorer_button.isEnabled()


def test_notes_and_tasks_are_added_and_done(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    customer = add_customer(session, services, name="Chidi Ueda")
    page = _open(qtbot, make_window(), customer)
    qtbot.keyClick(
        page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    notes = page.notes
    assert QApplication.focusWidget() is notes.body
    notes.kind.setCurrentIndex(notes.kind.findData("call"))
    notes.body.setPlainText("Called about the source of funds.\nWill send bank statements.")
    qtbot.keyClick(notes.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: notes.model.rowCount() == 1)
    assert notes.model.index(0, 1).data() == "Call"
    assert "bank statements" in notes.reader.text()

    tasks = page.tasks
    page.tabs.setCurrentWidget(tasks)
    tasks.title.setText("Chase the statements")
    tasks.due.set_value("2020-01-01")
    tasks.add_button.click()
    qtbot.waitUntil(lambda: tasks.model.rowCount() == 1)
    assert page.tabs.tabText(3) == "Tasks (1 open)"
    tasks.view.selectRow(0)
    tasks.done_button.click()
    qtbot.waitUntil(lambda: tasks.model.rows[0].done_at is not None)
    assert page.tabs.tabText(3) == "Tasks"

    page.tabs.setCurrentWidget(page.history)
    qtbot.waitUntil(lambda: page.history.model.rowCount() >= 4)
    kinds = [page.history.model.index(r, 2).data() for r in range(page.history.model.rowCount())]
    assert kinds[0] == "task.done" and kinds[-1] == "customer.created"  # newest first
    assert "Called about" in page.history.model.index(kinds.index("note.added"), 3).data()


def test_erase_needs_the_typed_name_and_a_reason(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    customer = add_customer(session, services, name="Dana Weiss", email="dana@example.com")
    window = make_window()
    page = _open(qtbot, window, customer)
    page.ask_erase()
    dialog = next(d for d in page.findChildren(EraseDialog) if d.isVisible())
    assert not dialog.ok_button.isEnabled()
    dialog.typed.setText("Dana")
    dialog.reason.setText("GDPR request 2026-03-02")
    assert not dialog.ok_button.isEnabled()
    dialog.typed.setText("Dana Weiss")
    dialog.reason.setText("  ")
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setText("GDPR request 2026-03-02")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()  # type: ignore[attr-defined]
    customers = customer_page(window)
    qtbot.waitUntil(lambda: customers.currentWidget() is customers.list)
    stored = _detail(session, services, customer)
    assert stored.erased_at is not None and stored.emails == []
    assert count_events(session, services, "customer.erased") == 1


def test_history_shows_older_events_on_request(
    qtbot: QtBot,
    services: Services,
    session: VaultSession,
    make_window: WindowFactory,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(history, "PAGE", 3)
    unlock(session, services)
    customer = add_customer(session, services, name="Ada Quint")

    def notes() -> None:
        book = CustomerBook(session.vault)
        for n in range(4):
            activity.add_note(book, customer, f"note {n}")

    on_worker(services, notes)
    page = _open(qtbot, make_window(), customer)
    page.tabs.setCurrentWidget(page.history)
    tab = page.history
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3)
    assert tab.older.isVisible() and "latest 3" in tab.status.text()
    tab.view.selectRow(1)
    qtbot.keyClick(tab.older, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 5)
    kinds = [tab.model.index(r, 2).data() for r in range(5)]
    assert kinds == ["note.added"] * 4 + ["customer.created"]
    assert not tab.older.isVisible() and tab.status.text().startswith("5 events")
    assert tab.view.currentIndex().row() == 1  # appending kept the selection
