"""The Alerts section on a real demo-filled vault: the badge counts the open alerts,
the inbox lists them from the worker, acknowledging is audited, a change that triggers
a rule raises a new alert without a click; screenshots at two sizes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from app.book.activity import update_customer
from app.book.service import CustomerBook
from app.session import VaultSession
from tests.ui.book_helpers import on_worker, read
from tests.ui.conftest import WindowFactory
from tests.ui.demo_window import demo_filled_window
from ui.alerts.page import AlertsPage
from ui.book.context import CUSTOMERS
from ui.main_window import MainWindow
from ui.services import Services
from vault.alerts import store
from vault.keys import Keychain


def _open_now(session: VaultSession, services: Services) -> int:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return read(session, services, lambda conn: store.count(conn, status="open", now=now))


@pytest.fixture
def alerts_window(
    vault_file: Path, no_keychain: Keychain, make_window: WindowFactory, qtbot: QtBot
) -> tuple[MainWindow, AlertsPage]:
    window = demo_filled_window(vault_file, no_keychain, make_window, "alerts")
    assert window.workspace is not None
    page = window.workspace.alerts
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and not page.model.fetching, timeout=30_000)
    return window, page


def _badge(window: MainWindow) -> str:
    assert window.workspace is not None
    nav = window.workspace.nav
    return nav.item(window.workspace.stack.indexOf(window.workspace.alerts)).text()


def test_the_badge_and_the_inbox_show_the_open_alerts(
    alerts_window: tuple[MainWindow, AlertsPage],
    qtbot: QtBot,
    session: VaultSession,
    services: Services,
) -> None:
    window, page = alerts_window
    count = _open_now(session, services)
    assert count > 0
    qtbot.waitUntil(lambda: _badge(window) == f"Alerts ({count:,})")
    assert page.model.total == count
    QAbstractItemModelTester(page.model, QAbstractItemModelTester.FailureReportingMode.Warning)
    rules = {page.model.alert_at(i).rule for i in range(page.model.rowCount())}
    assert {"inflow_drop", "risk_raised", "sanctions_hit"} <= rules
    for size in ((1280, 800), (1000, 640)):
        window.resize(*size)
        page.view.selectRow(0)
        qtbot.waitUntil(lambda: page.alert is not None)
        window.grab().save(f"/tmp/alerts-{size[0]}.png")


def test_acknowledging_from_the_inbox_is_audited_and_lowers_the_badge(
    alerts_window: tuple[MainWindow, AlertsPage],
    qtbot: QtBot,
    session: VaultSession,
    services: Services,
) -> None:
    window, page = alerts_window
    before = _open_now(session, services)
    qtbot.waitUntil(lambda: _badge(window) == f"Alerts ({before:,})")
    row = next(
        i for i in range(page.model.rowCount()) if page.model.alert_at(i).customer_id is not None
    )
    page.view.selectRow(row)
    alert = page.model.alert_at(row)
    qtbot.waitUntil(lambda: page.alert is not None and page.alert.uid == alert.uid)
    assert alert.why in page.detail.text()
    assert not page.ack_button.isEnabled()  # no reason yet
    qtbot.keyClicks(page.reason, "Checked with the client")
    assert page.ack_button.isEnabled()
    qtbot.mouseClick(page.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _badge(window) == f"Alerts ({before - 1:,})", timeout=10_000)
    qtbot.waitUntil(lambda: page.model.total == before - 1 and not page.model.fetching)
    reasons = read(session, services, lambda conn: conn.execute(
        "SELECT json_extract(CAST(payload AS TEXT), '$.reason') FROM events "
        "WHERE type = 'alert.acknowledged'").fetchall())  # fmt: skip
    assert reasons == [("Checked with the client",)]
    # the link to the customer
    page.status.setCurrentIndex(page.status.findData("acknowledged"))
    qtbot.waitUntil(lambda: page.model.total == 1 and not page.model.fetching)
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: page.customer_button.isEnabled())
    qtbot.mouseClick(page.customer_button, Qt.MouseButton.LeftButton)
    assert window.workspace is not None
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.current_key() == "customers"
    )


def test_a_change_that_triggers_a_rule_raises_without_a_click(
    alerts_window: tuple[MainWindow, AlertsPage],
    qtbot: QtBot,
    session: VaultSession,
    services: Services,
) -> None:
    window, page = alerts_window
    before = _open_now(session, services)
    qtbot.waitUntil(lambda: _badge(window) == f"Alerts ({before:,})")
    soon = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()

    def review_soon() -> None:
        book = CustomerBook(session.vault)
        try:
            (customer,) = session.vault.conn.execute(
                "SELECT min(id) FROM customers WHERE kyc_expires_at IS NULL"
            ).fetchone()
            update_customer(book, customer, {"kyc_expires_at": soon})
        finally:
            book.forget()

    on_worker(services, review_soon)
    assert window.workspace is not None
    window.workspace.book.announce(CUSTOMERS)
    qtbot.waitUntil(lambda: _badge(window) == f"Alerts ({before + 1:,})", timeout=15_000)
    qtbot.waitUntil(lambda: page.model.total == before + 1 and not page.model.fetching)
    whys = [page.model.alert_at(i).why for i in range(page.model.rowCount())]
    assert f"KYC review due in 3 days (on {soon})" in whys
