"""The Approvals section against the real vault and the real approvals core."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_typed_data
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.approvals.model import DecideOutcome, QueueFilter
from app.session import VaultSession
from app.tasks import Operation
from ui.approvals.decide_dialog import DecideDialog
from ui.approvals.page import ApprovalsPage
from ui.approvals.queue_model import QueueModel
from ui.book.paged_model import PAGE_SIZE
from ui.main_window import MainWindow, State
from ui.ops import alive
from ui.services import Services

from .approval_helpers import (
    ANA,
    addresses,
    count,
    desk,
    screened,
    service,
    whitelist_many,
    withdrawal,
)
from .book_helpers import add_customer, on_worker
from .conftest import WindowFactory, unlock


def acme_desk(session: VaultSession, services: Services) -> None:
    """The desk (see `desk`) and one customer, Acme Trading, external ID ACME-1."""
    unlock(session, services)
    desk(session, services)
    add_customer(session, services, name="Acme Trading", external_id="ACME-1")


def _open_queue(qtbot: QtBot, window: MainWindow) -> tuple[ApprovalsPage, QueueModel]:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.workspace is not None
    window.workspace.nav.setFocus()  # the keyboard is in the section list
    qtbot.keyClick(window.workspace.nav, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    page = window.workspace.approvals
    assert window.workspace.current_key() == "approvals"
    model = page.model
    assert model is not None
    qtbot.waitUntil(lambda: model.total > 0, timeout=10_000)
    return page, model


def _dialog(page: ApprovalsPage) -> DecideDialog | None:
    found = page.findChildren(DecideDialog)
    visible = [d for d in found if d.isVisible()]
    return visible[-1] if visible else None


def test_bulk_reject_of_100_invalid_whitelist_requests_takes_four_actions(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    acme_desk(session, services)
    whitelist_many(session, services, "ACME-1", 100)
    keep = withdrawal(session, services, "ACME-1", "2500")
    window = make_window()
    page, model = _open_queue(qtbot, window)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    qtbot.waitUntil(lambda: model.total == 101)
    assert "101 open requests" in page.count_label.text()
    qtbot.waitUntil(lambda: page.signer_label.text().startswith("Signing as "))
    assert "(admin, officer)" in page.signer_label.text()

    actions = 0

    def press(key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
        """One user action: a key pressed where the keyboard focus is (the section list
        after Ctrl+4), as a person would, not sent to a chosen widget."""
        nonlocal actions
        focused = QApplication.focusWidget() or window
        qtbot.keyClick(focused, key, modifier)
        actions += 1

    assert window.workspace is not None
    assert QApplication.focusWidget() is window.workspace.nav
    # 1: the Whitelist tab (Alt+2)
    press(Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: model.total == 100 and not model.fetching)
    # 2: select the filtered set
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(page.selected_ids()) == 100
    # 3: reject: the reason dialog opens with the cursor in the reason
    press(Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
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
    page, model = _open_queue(qtbot, window)
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
    assert dialog.refused.item(0).text().startswith("four eyes: ")
    assert "Borealis GmbH · 900 USDT · ethereum 0x" in dialog.refused.item(0).text()
    assert "Approved 1 request. 1 request refused" in dialog.result_label.text()
    assert "1 request refused" in page.status.text()
    dialog.reject()


def test_evidence_pane_shows_screenings_explorer_kyc_and_decisions(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    me = desk(session, services)
    add_customer(
        session, services, name="Acme Trading", external_id="ACME-1", kyc_status="approved"
    )
    target = addresses(1, seed=42)[0]
    screened(session, services, target, level="high", hours_ago=3)
    row = on_worker(
        services,
        lambda: service(session, ANA).request_whitelist("ACME-1", "ethereum", target, None),
    )
    on_worker(
        services, lambda: service(session).decide(row.id, "approve", "Owner verified by call")
    )
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.index(0, 8).data() == "local — not yet shared"
    assert model.index(0, 6).data() == "High · 3 h"
    assert model.index(0, 0).data() == "just now"
    assert "desk head" in model.index(0, 9).data().replace("_", " ")
    page.view.selectRow(0)
    pane = page.evidence
    qtbot.waitUntil(lambda: pane.evidence is not None)
    text = pane.text()
    for expected in (
        "Whitelist · Acme Trading",
        "Why this status",
        "Approved by " + me,
        "✔ verified",
        "local — not yet shared",
        "“Owner verified by call”",
        "chainalysis",
        "high · score",
        "3 h ago",
        "Chainalysis KYT",
        "1.5 ETH · 42 transactions",
        "etherscan",
        "KYC Approved",
        target,
    ):
        assert expected in text, expected


def test_filters_narrow_the_queue_in_sql(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    acme_desk(session, services)
    add_customer(session, services, name="Borealis GmbH", external_id="BOR-7")
    whitelist_many(session, services, "ACME-1", 3)
    withdrawal(session, services, "BOR-7", "500")
    high = addresses(1, seed=77)[0]
    screened(session, services, high, level="high")
    on_worker(
        services,
        lambda: service(session, ANA).request_whitelist("BOR-7", "ethereum", high, None),
    )
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.total == 5)

    page.filters.set_customer("Borealis")
    qtbot.waitUntil(lambda: model.total == 2)
    assert {model.request(p).customer_name for p in range(2)} == {"Borealis GmbH"}
    assert "customer “Borealis”" in page.count_label.text()

    page.filters.risk.setCurrentIndex(page.filters.risk.findText("High or severe"))
    qtbot.waitUntil(lambda: model.total == 1)
    assert model.request(0).address == high

    page.filters.reset()
    qtbot.waitUntil(lambda: model.total == 5)
    page.filters.age.setCurrentIndex(page.filters.age.findText("Older than 1 d"))
    qtbot.waitUntil(lambda: model.total == 0)
    assert page.empty.isVisible() and "No request matches" in page.empty.text()

    page.filters.reset()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # Withdrawal tab
    qtbot.waitUntil(lambda: model.total == 1)
    assert model.request(0).kind == "withdrawal"
    page.filters.status.setCurrentIndex(page.filters.status.findText("Rejected"))
    qtbot.waitUntil(lambda: model.total == 0)

    # Sorting runs in SQL too: by customer, descending.
    page.filters.reset()
    qtbot.waitUntil(lambda: model.total == 5)
    page.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: model.sort_key == ("customer", True) and not model.fetching)
    qtbot.waitUntil(lambda: model.request(0).customer_name == "Borealis GmbH")
    assert model.request(4).customer_name == "Acme Trading"


def test_select_all_takes_the_whole_filtered_set_not_just_the_loaded_page(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    acme_desk(session, services)
    whitelist_many(session, services, "ACME-1", PAGE_SIZE + 30)
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.total == PAGE_SIZE + 30)
    page.view.setFocus()
    assert model.rowCount() < model.total  # only the first pages are loaded
    page.select_all()
    selection = page.selection()
    assert selection is not None and selection.count == PAGE_SIZE + 30
    assert selection.matching is not None
    assert f"{PAGE_SIZE + 30:,} requests selected" in page.evidence.text()
    dialog = page.decide("reject")
    assert dialog is not None and dialog.windowTitle() == f"Reject {PAGE_SIZE + 30} requests"
    decided: list[list[DecideOutcome]] = []
    dialog.decided.connect(decided.append)
    dialog.reason.setText("Duplicate request")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(decided), timeout=60_000)
    assert len(decided[0]) == PAGE_SIZE + 30 and all(o.ok for o in decided[0])
    rejected = QueueFilter(statuses=frozenset({"rejected"}))
    assert count(session, services, rejected) == PAGE_SIZE + 30


def test_a_selected_filtered_set_that_changed_meanwhile_decides_nothing(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    acme_desk(session, services)
    whitelist_many(session, services, "ACME-1", PAGE_SIZE + 30)
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.total == PAGE_SIZE + 30)
    page.view.setFocus()
    page.select_all()
    dialog = page.decide("reject")
    assert dialog is not None
    # A request arrives (another member, a sync) after the set was chosen: the set
    # read again at confirmation would hold a request the user never saw.
    whitelist_many(session, services, "ACME-1", 1)
    dialog.reason.setText("Duplicate request")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "queue changed" in dialog.form.general.text(), timeout=30_000)
    rejected = QueueFilter(statuses=frozenset({"rejected"}))
    assert count(session, services, rejected) == 0


def test_a_decision_that_no_longer_counts_shows_why(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    acme_desk(session, services)
    row = withdrawal(session, services, "ACME-1", "700", by=None)
    on_worker(services, lambda: service(session, ANA).decide(row.id, "approve", "Looks fine"))

    def officers_may_not_decide() -> None:
        own = service(session)
        text = own.policy_text()
        start, end = text.index("  withdrawal:"), text.index("  onboarding:")
        block = (
            "  withdrawal:\n    request: [officer, desk_head, admin]\n    decide: [desk_head]\n"
            "    reject: 1\n    tiers:\n      - {need: {desk_head: 1}}\n"
        )
        own.set_policy(text[:start] + block + text[end:])

    on_worker(services, officers_may_not_decide)
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: page.evidence.evidence is not None)
    decision = page.evidence.evidence.detail.decisions[0]  # type: ignore[union-attr]
    assert decision.ignored_reason
    assert f"ignored: {decision.ignored_reason}" in page.evidence.text()
    assert "✔ verified" not in page.evidence.text()

    # Enter on the request opens its customer.
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert window.workspace is not None
    qtbot.waitUntil(lambda: window.workspace.current_key() == "customers")


def test_the_queue_takes_in_screenings_made_after_the_request(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    acme_desk(session, services)
    (row,) = whitelist_many(session, services, "ACME-1", 1)
    assert row.status == "needs_refresh" and row.risk_level is None
    assert row.address is not None
    screened(session, services, row.address, level="low", hours_ago=1)
    window = make_window()
    _page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.request(0).risk_level == "low")
    assert model.request(0).status == "pending"
    assert model.index(0, 6).data() == "Low · 1 h"


def test_stop_keeps_what_was_decided_and_says_what_was_not(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    acme_desk(session, services)
    whitelist_many(session, services, "ACME-1", 5)
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.total == 5 and not model.fetching)
    page.select_all()
    dialog = page.decide("reject")
    assert dialog is not None
    dialog.reason.setText("Created by mistake")
    # Hold the database worker so Stop lands before the batch starts.
    gate = threading.Event()
    services.runner.run_db(Operation(work=lambda _p: gate.wait(10)))
    dialog.ok_button.click()  # type: ignore[attr-defined]
    assert dialog.busy and dialog.stop_button.isVisible()
    dialog.reject()  # Esc while busy does not close: the batch may be writing
    assert dialog.isVisible()
    dialog.stop()
    gate.set()
    qtbot.waitUntil(lambda: dialog.result_label.isVisible(), timeout=20_000)
    assert dialog.outcomes == []
    assert "Stopped; 5 not decided." in dialog.result_label.text()
    assert count(session, services, QueueFilter(statuses=frozenset({"rejected"}))) == 0


def test_export_writes_typed_data_that_eth_account_recovers(
    qtbot: QtBot,
    services: Services,
    session: VaultSession,
    make_window: WindowFactory,
    tmp_path: Path,
) -> None:
    acme_desk(session, services)
    row = withdrawal(session, services, "ACME-1", "700")
    on_worker(services, lambda: service(session).decide(row.id, "approve", "Checked"))
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    page.view.selectRow(0)
    assert page.export_action.isEnabled()
    target = tmp_path / "export.json"
    page.export_request(target)
    qtbot.waitUntil(lambda: page.status.text().startswith("Written"))
    document = json.loads(target.read_text())
    (decision,) = document["decisions"]
    signable = encode_typed_data(full_message=decision["typed_data"])
    recovered = Account.recover_message(signable, signature=decision["signature"])
    assert recovered == decision["signer"]
    page.export_request(target)  # never overwrites
    qtbot.waitUntil(lambda: page.status.text().startswith("Not exported"))


def test_locking_closes_the_dialogs_and_forgets_the_queue(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    acme_desk(session, services)
    whitelist_many(session, services, "ACME-1", 3)
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: page.evidence.evidence is not None)
    policy = page.edit_policy()
    qtbot.waitUntil(lambda: policy.loaded)
    destroyed: list[bool] = []
    model.destroyed.connect(lambda: destroyed.append(True))
    window.lock(reason="idle")  # the idle lock: the dialog is open and modal
    qtbot.waitUntil(lambda: window.state is State.LOCKED)
    assert not session.is_unlocked and window.workspace is None
    qtbot.waitUntil(lambda: bool(destroyed))
    assert not alive(policy) or not policy.isVisible()


def test_a_reload_keeps_the_selection(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    acme_desk(session, services)
    whitelist_many(session, services, "ACME-1", 4)
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.rowCount() == 4)
    chosen = page.view.selectionModel()
    for position in (0, 2, 3):
        chosen.select(
            model.index(position, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    before = page.selected_ids()
    assert len(before) == 3
    loads: list[bool] = []
    model.loaded.connect(lambda: loads.append(True))
    page.refresh()
    qtbot.waitUntil(lambda: bool(loads))
    assert page.selected_ids() == before
    assert "3 requests selected" in page.evidence.text()
