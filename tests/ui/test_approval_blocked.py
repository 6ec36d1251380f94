"""Approving a blocked request (issue 10): the dialog says it is blocked and why
before anything is signed, and a block stays a block."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.approvals.model import QueueFilter
from app.session import VaultSession
from ui.approvals.decide_dialog import DecideDialog
from ui.approvals.page import ApprovalsPage
from ui.main_window import MainWindow
from ui.services import Services

from .approval_helpers import count, desk, screened, withdrawal
from .book_helpers import add_customer
from .conftest import WindowFactory, unlock


def blocked_desk(session: VaultSession, services: Services) -> tuple[str, str]:
    """Two withdrawals by Ana for Acme Trading: one to an address screened severe
    (blocked by the default policy), one to a low-risk one. Returns their ids."""
    unlock(session, services)
    desk(session, services)
    add_customer(session, services, name="Acme Trading", external_id="ACME-1")
    bad = withdrawal(session, services, "ACME-1", "2500", seed=3)
    fine = withdrawal(session, services, "ACME-1", "1500", seed=4)
    assert bad.address is not None and fine.address is not None
    screened(session, services, bad.address, level="severe", hours_ago=1)
    screened(session, services, fine.address, level="low", hours_ago=1)
    return bad.id, fine.id


def open_queue(qtbot: QtBot, window: MainWindow, rows: int) -> ApprovalsPage:
    assert window.workspace is not None
    window.workspace.select_key("approvals")
    page = window.workspace.approvals
    qtbot.waitUntil(
        lambda: page.model is not None and page.model.rowCount() == rows, timeout=10_000
    )
    return page


def approve_dialog(qtbot: QtBot, page: ApprovalsPage) -> DecideDialog:
    dialog = page.decide("approve")
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.blocked is not None, timeout=10_000)
    return dialog


def test_approving_a_blocked_request_says_it_is_blocked_and_why(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    bad, _fine = blocked_desk(session, services)
    page = open_queue(qtbot, make_window(), 2)
    model = page.model
    assert model is not None
    qtbot.waitUntil(lambda: {model.request(r).status for r in range(2)} == {"blocked", "pending"})
    row = next(r for r in range(2) if model.request(r).id == bad)
    page.view.selectRow(row)
    dialog = approve_dialog(qtbot, page)
    qtbot.waitUntil(dialog.blocked_note.isVisible)
    note = dialog.blocked_note.text()
    assert "Blocked." in note and "blocked by the risk gate: risk severe" in note
    assert "Acme Trading" in note  # which request
    assert "can only be rejected" in note
    dialog.reason.setText("Checked: evidence complete")
    assert not dialog.ok_button.isEnabled()  # nothing here may be approved
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert not dialog.outcomes
    dialog.reject()
    assert count(session, services, QueueFilter(statuses=frozenset({"blocked"}))) == 1


def test_a_selection_with_some_blocked_approves_the_others_and_refuses_those(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    bad, fine = blocked_desk(session, services)
    page = open_queue(qtbot, make_window(), 2)
    page.select_all()
    dialog = approve_dialog(qtbot, page)
    qtbot.waitUntil(dialog.blocked_note.isVisible)
    assert "1 of 2 requests are blocked" in dialog.blocked_note.text()
    assert "risk severe" in dialog.blocked_note.text()
    dialog.reason.setText("Checked: evidence complete")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(dialog.outcomes), timeout=30_000)
    by_id = {o.request_id: o for o in dialog.outcomes}
    assert by_id[fine].ok
    assert not by_id[bad].ok and by_id[bad].refusal == "blocked"
    assert "risk severe" in by_id[bad].message
    assert dialog.refused.count() == 1
    assert "blocked by the risk gate: risk severe" in dialog.refused.item(0).text()
    dialog.reject()
