"""The Approvals section against the real vault and the real approvals core."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from app.approvals.model import DecideOutcome, QueueFilter
from app.session import VaultSession
from ui.approvals.decide_dialog import DecideDialog
from ui.approvals.page import ApprovalsPage
from ui.main_window import MainWindow
from ui.ops import alive
from ui.services import Services

from .approval_helpers import ANA, count, desk, whitelist_many, withdrawal
from .book_helpers import add_customer
from .conftest import WindowFactory, unlock


def _open_queue(qtbot: QtBot, window: MainWindow) -> ApprovalsPage:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace is not None
    page = window.workspace.approvals
    assert window.workspace.current_key() == "approvals"
    qtbot.waitUntil(lambda: page.model is not None and page.model.total > 0, timeout=10_000)
    return page


def _dialog(page: ApprovalsPage) -> DecideDialog | None:
    found = page.findChildren(DecideDialog)
    visible = [d for d in found if d.isVisible()]
    return visible[-1] if visible else None


def test_bulk_reject_of_100_invalid_whitelist_requests_takes_four_actions(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    desk(session, services)
    add_customer(session, services, name="Acme Trading", external_id="ACME-1")
    whitelist_many(session, services, "ACME-1", 100)
    keep = withdrawal(session, services, "ACME-1", "2500")
    window = make_window()
    page = _open_queue(qtbot, window)
    model = page.model
    assert model is not None
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    qtbot.waitUntil(lambda: model.total == 101)
    assert "101 open requests" in page.count_label.text()

    actions = 0
    # 1: the Whitelist tab (Alt+2)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    actions += 1
    qtbot.waitUntil(lambda: model.total == 100 and not model.fetching)
    # 2: select the filtered set
    qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    actions += 1
    assert len(page.selected_ids()) == 100
    # 3: reject: the reason dialog opens with the cursor in the reason
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    actions += 1
    dialog = _dialog(page)
    assert dialog is not None and dialog.windowTitle() == "Reject 100 requests"
    qtbot.waitUntil(dialog.reason.hasFocus)
    decided: list[list[DecideOutcome]] = []
    dialog.decided.connect(decided.append)
    # 4: the reason, confirmed with Enter
    qtbot.keyClicks(dialog.reason, "Invalid address")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    actions += 1

    qtbot.waitUntil(lambda: bool(decided), timeout=30_000)
    qtbot.waitUntil(lambda: not alive(dialog) or not dialog.isVisible())  # closed by itself
    assert actions <= 4
    assert [o.ok for o in decided[0]] == [True] * 100
    rejected = QueueFilter(kinds=frozenset({"whitelist"}), statuses=frozenset({"rejected"}))
    assert count(session, services, rejected) == 100
    still = QueueFilter(statuses=frozenset({"pending", "needs_refresh"}))
    assert count(session, services, still) == 1  # the withdrawal was not touched
    assert keep.kind == "withdrawal"
    qtbot.waitUntil(lambda: model.total == 0)
    assert page.status.text().startswith("Rejected 100 requests.")
    assert page.empty.isVisible()


def test_four_eyes_refusal_is_listed_not_raised(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    desk(session, services)
    add_customer(session, services, name="Borealis GmbH", external_id="BOR-7")
    mine = withdrawal(session, services, "BOR-7", "900", by=None, seed=1)
    theirs = withdrawal(session, services, "BOR-7", "800", by=ANA, seed=2)
    window = make_window()
    page = _open_queue(qtbot, window)
    model = page.model
    assert model is not None
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    page.select_all()
    dialog = page.decide("approve")
    assert dialog is not None
    dialog.reason.setText("Checked: evidence complete")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(dialog.outcomes), timeout=30_000)
    assert dialog.isVisible()  # stays open to show the refusal
    by_id = {o.request_id: o for o in dialog.outcomes}
    assert by_id[theirs.id].ok
    assert not by_id[mine.id].ok and "four eyes" in by_id[mine.id].message
    assert dialog.refused.count() == 1
    assert "four eyes" in dialog.refused.item(0).text()
    assert "Approved 1 request. 1 request refused" in dialog.result_label.text()
    assert "1 request refused" in page.status.text()
    dialog.reject()
