"""Making approval requests from the customer page and Wallets, and editing the policy."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.approvals.model import QueueFilter
from app.session import VaultSession
from ui.approvals.policy_dialog import PolicyDialog
from ui.approvals.request_dialog import RequestDialog
from ui.main_window import MainWindow
from ui.ops import alive
from ui.services import Services

from .approval_helpers import count, desk, service
from .book_helpers import ETH_A, ETH_B, add_customer, customer_page, on_worker
from .conftest import WindowFactory, unlock


def _kind(kind: str) -> QueueFilter:
    return QueueFilter(kinds=frozenset({kind}))


def _open_customer(qtbot: QtBot, window: MainWindow, customer_id: int) -> object:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.workspace is not None
    window.workspace.open_customer(customer_id)
    detail = customer_page(window).detail
    qtbot.waitUntil(lambda: detail.detail is not None)
    return detail


def _keys(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    """Ctrl+Shift+key on the main window (made active again after a dialog closed)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window, key, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )


def _shown_dialog(window: MainWindow, kind: type) -> object:
    found = [d for d in window.findChildren(kind) if d.isVisible()]
    assert len(found) == 1
    return found[0]


def test_requests_from_the_customer_page_by_keyboard(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    desk(session, services)
    customer = add_customer(
        session, services, name="Acme Trading", external_id="ACME-1", addresses=(ETH_A, ETH_B)
    )
    window = make_window()
    detail = _open_customer(qtbot, window, customer)

    # Onboarding / KYC: Ctrl+Shift+K, then Enter.
    _keys(qtbot, window, Qt.Key.Key_K)
    dialog = _shown_dialog(window, RequestDialog)
    assert isinstance(dialog, RequestDialog) and dialog.kind == "onboarding"
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: count(session, services, _kind("onboarding")) == 1)
    qtbot.waitUntil(lambda: _closed(dialog))

    # Withdrawal: a wrong amount and address are refused in the dialog, nothing is stored.
    _keys(qtbot, window, Qt.Key.Key_W)
    dialog = _shown_dialog(window, RequestDialog)
    assert isinstance(dialog, RequestDialog) and dialog.kind == "withdrawal"
    qtbot.keyClicks(dialog.asset, "usdt")
    qtbot.keyClicks(dialog.amount, "-3")
    qtbot.keyClicks(dialog.address, "0x1234")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    assert dialog.form.error_for("amount").text() == "The amount must be more than 0."
    assert dialog.isVisible()
    dialog.amount.setText("25,000.50")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    assert "wrong length" in dialog.form.error_for("address").text().lower()
    assert count(session, services, _kind("withdrawal")) == 0
    dialog.address.setText(ETH_B.lower())
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: count(session, services, _kind("withdrawal")) == 1)
    qtbot.waitUntil(lambda: _closed(dialog))
    made = on_worker(
        services, lambda: service(session).page(_kind("withdrawal"), "created_at", False, 0, 5)
    )
    assert made[0].amount == Decimal("25000.50") and made[0].asset == "USDT"
    assert made[0].address == ETH_B  # stored checksummed

    # Whitelist the address chosen on the Addresses tab: it is filled in.
    detail.tabs.setCurrentWidget(detail.addresses)
    detail.addresses.view.selectRow(0)
    chosen = detail.addresses.selected()
    assert chosen is not None
    _keys(qtbot, window, Qt.Key.Key_L)
    dialog = _shown_dialog(window, RequestDialog)
    assert isinstance(dialog, RequestDialog) and dialog.kind == "whitelist"
    assert dialog.address.text() == chosen.address
    qtbot.keyClicks(dialog.limit, "10,000")
    qtbot.keyClick(dialog.limit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: count(session, services, _kind("whitelist")) == 1)
    qtbot.waitUntil(lambda: _closed(dialog))
    row = on_worker(
        services, lambda: service(session).page(_kind("whitelist"), "created_at", False, 0, 1)
    )[0]
    assert row.address == chosen.address and row.amount == Decimal("10000")

    # Ctrl+Shift+Q: this customer's requests in the queue.
    _keys(qtbot, window, Qt.Key.Key_Q)
    assert window.workspace is not None
    queue = window.workspace.approvals
    assert window.workspace.current_key() == "approvals"
    assert queue.filters.customer.text() == "ACME-1"
    qtbot.waitUntil(lambda: queue.model is not None and queue.model.total == 3)


def test_a_customer_without_external_id_is_told_why(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    desk(session, services)
    customer = add_customer(session, services, name="No Ref Ltd")
    window = make_window()
    _open_customer(qtbot, window, customer)
    assert window.workspace is not None
    dialog = window.workspace.customer_requests.ask("onboarding")
    assert dialog is not None
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.form.general.isVisible())
    assert "no external ID" in dialog.form.general.text()
    assert count(session, services, QueueFilter()) == 0


def test_bulk_whitelist_from_a_wallets_selection(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    desk(session, services)
    add_customer(session, services, name="Acme Trading", external_id="ACME-1", addresses=(ETH_A,))
    add_customer(session, services, name="Borealis GmbH", external_id="BOR-7", addresses=(ETH_B,))
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace is not None
    wallets = window.workspace.wallets
    model = wallets.model
    assert model is not None
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    wallets.view.setFocus()
    wallets.view.selectAll()
    _keys(qtbot, window, Qt.Key.Key_L)
    dialog = _shown_dialog(window, RequestDialog)
    assert isinstance(dialog, RequestDialog) and len(dialog.targets) == 2
    assert dialog.windowTitle() == "Request: Whitelist × 2"
    qtbot.keyClick(dialog.limit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: count(session, services, _kind("whitelist")) == 2)
    rows = on_worker(
        services, lambda: service(session).page(QueueFilter(), "customer", False, 0, 5)
    )
    assert [(r.customer_name, r.address) for r in rows] == [
        ("Acme Trading", ETH_A),
        ("Borealis GmbH", ETH_B),
    ]


def test_policy_editor_points_at_the_wrong_line_and_saves_through_the_service(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    desk(session, services)
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    _keys(qtbot, window, Qt.Key.Key_P)
    dialog = _shown_dialog(window, PolicyDialog)
    assert isinstance(dialog, PolicyDialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    original = dialog.editor.toPlainText()
    assert dialog.verdict.text() == "✔ A valid policy."
    lines = original.splitlines()
    wrong = next(i for i, line in enumerate(lines, start=1) if line.startswith("expiry_days:"))
    dialog.editor.setPlainText(original.replace("expiry_days: 7", "expiry_days: seven"))
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.error is not None and dialog.error.line == wrong
    assert dialog.verdict.text().startswith(f"Line {wrong}, column 14:")
    assert dialog.editor.cursor_position() == (wrong, 14)
    assert dialog.editor.error_line == wrong

    # Ctrl+S on a broken policy stores nothing and leaves the cursor on the error.
    dialog.editor.moveCursor(dialog.editor.textCursor().MoveOperation.Start)
    qtbot.keyClick(dialog.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.editor.cursor_position()[0] == wrong
    assert on_worker(services, lambda: service(session).policy_text()) == original

    # Broken YAML (an unclosed bracket) names its line too, as you type.
    broken = original.replace("roles: [officer,", "roles: [officer,,\n  [", 1)
    dialog.editor.setPlainText(broken)
    qtbot.waitUntil(lambda: dialog.error is not None, timeout=3000)
    assert dialog.editor.error_line == dialog.error.line

    fixed = original.replace("expiry_days: 7", "expiry_days: 5")
    dialog.editor.setPlainText(fixed)
    qtbot.keyClick(dialog.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _closed(dialog))
    assert on_worker(services, lambda: service(session).policy_text()) == fixed


def _closed(dialog: QWidget) -> bool:
    return not alive(dialog) or not dialog.isVisible()
