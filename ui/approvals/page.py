"""The Approvals section: filters, the queue, the evidence of the selected request.

Enter or a double-click on a request opens its customer.

Keyboard: Alt+1 … Alt+5 the kind tabs, Ctrl+F the customer filter (Alt+S,
Alt+G, Alt+U, Alt+I the other filters), Ctrl+A selects every request the
filters show, Ctrl+Y approves and Ctrl+R rejects the selection with one
reason, Ctrl+M comments, Ctrl+E exports the request with its signatures,
Ctrl+Shift+P edits the policy, Ctrl+Shift+M shows the desk's members and
their roles (admins add members and grant roles there), F5 reads again. GUI thread; the work runs on
the database worker.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.approvals.model import DecideOutcome, QueueFilter, Verdict
from ui import errors
from ui.approvals.context import ApprovalsContext, Signer
from ui.approvals.decide_dialog import DONE, DecideDialog, Selection, plural
from ui.approvals.evidence import EvidencePane
from ui.approvals.filters import FilterBar
from ui.approvals.members_dialog import MembersDialog
from ui.approvals.policy_dialog import PolicyDialog
from ui.approvals.queue_model import SORT_KEYS, QueueModel
from ui.book.context import RefreshWhenShown
from ui.book.dialogs import ask_save, open_dialog
from ui.book.widgets import (
    action_button,
    empty_state,
    hint,
    shortcut_action,
    sort_arrow_back,
    table_beside,
    table_view,
)
from ui.naming import named

#: how often a shown queue takes in the clock and new screenings
CATCH_UP_MS = 5 * 60 * 1000
_WIDTHS = (56, 130, 130, 180, 100, 140, 120, 100, 150)


class ApprovalsPage(QWidget):
    #: Enter or a double-click on a request: show its customer
    open_customer = Signal(int)

    def __init__(self, context: ApprovalsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approvalsPage")
        self.context = context
        self._keep: set[str] = set()

        title = QLabel("<h2>Approvals</h2>")
        self.count_label = named(QLabel("Counting requests…"), "queueCount")
        self.count_label.setStyleSheet("color: #555;")
        self.signer_label = named(QLabel(), "signerLabel")
        self.signer_label.setStyleSheet("color: #555;")
        # Window-wide while this page shows, so the keys work whether the focus is in
        # the table, the filters or the section list.
        action = partial(shortcut_action, self)
        self.approve_action = action("Approve…", "Ctrl+Y", lambda: self.decide("approve"))
        self.reject_action = action("Reject…", "Ctrl+R", lambda: self.decide("reject"))
        self.comment_action = action("Comment…", "Ctrl+M", lambda: self.decide("comment"))
        self.export_action = action("Export…", "Ctrl+E", self.export_request)
        self.export_action.setToolTip("The request and its signed decisions, as JSON")
        self.policy_action = action("Policy…", "Ctrl+Shift+P", self.edit_policy)
        self.members_action = action("Members…", "Ctrl+Shift+M", self.edit_members)
        self.members_action.setToolTip("Desk members, their roles and signed grants")
        self.refresh_action = action("Refresh", "F5", self.refresh)
        self.select_all_action = action("Select all", "Ctrl+A", self.select_all)
        self.find_action = action("Filter by customer", "Ctrl+F", self.focus_filter)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for shown, name in (
            (self.approve_action, "approveButton"),
            (self.reject_action, "rejectButton"),
            (self.comment_action, "commentButton"),
            (self.export_action, "exportButton"),
            (self.policy_action, "policyButton"),
            (self.members_action, "membersButton"),
        ):
            button = action_button(shown, name)
            top.addWidget(button)
            self.buttons[name] = button

        self.filters = FilterBar()
        self.filters.changed.connect(self._filter_changed)
        self._model: QueueModel | None = QueueModel(context, self.filters.value(), parent=self)
        self.filters.customer.returnPressed.connect(self._focus_table)

        self.view = table_view("queueView")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setModel(self._model)
        self.view.setSortingEnabled(True)
        header = self.view.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        for column, width in enumerate(_WIDTHS):
            self.view.setColumnWidth(column, width)
        # What is still needed is the last column and takes what is left.
        header.setStretchLastSection(True)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.activated.connect(self._activated)
        self.empty = empty_state("")
        self.evidence = EvidencePane(context)
        self.splitter = named(table_beside(self.view, self.empty, self.evidence), "queueSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([1100, 400])
        self.status = named(hint(""), "queueStatus")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addLayout(top)
        # Its own line: beside the buttons it widened the page past a 1000-pixel window.
        layout.addWidget(self.signer_label)
        layout.addWidget(self.filters)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)

        self._model.count_changed.connect(self._show_count)
        self._model.failed.connect(lambda text: self.count_label.setText(text))
        self._model.modelAboutToBeReset.connect(self._remember_selection)
        self._model.loaded.connect(self._restore_selection)
        self._refresher = RefreshWhenShown(self, self.refresh)
        context.changed.connect(self._refresher.request)
        # The first page is read when the section is first shown, not at unlock.
        self._refresher.request()
        self._update_actions()
        # While shown, statuses follow new screenings and the clock (expiry, stale
        # screenings): on every show and every few minutes, after the cached rows are up.
        self._clock = QTimer(self)
        self._clock.setInterval(CATCH_UP_MS)
        self._clock.timeout.connect(self.catch_up)

    def refresh_when_shown(self) -> None:
        """The queue changed from elsewhere (a case asked to close): read it when shown."""
        self._refresher.request()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        # Queued after the reload of a stale queue, so the cached rows show first.
        self.context.catch_up(self)
        self.context.whoami(self, self._show_signer)
        self._clock.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self._clock.stop()

    def screenings_changed(self) -> None:
        """New screenings may change statuses (risk gates, stale answers): take them in
        now if the queue shows, else when it is next shown."""
        if self.isVisible():
            self.context.catch_up(self)

    def _show_signer(self, signer: Signer | None) -> None:
        if signer is None:
            self.signer_label.setText("Your signing key is made with your first decision")
            return
        roles = ", ".join(r.replace("_", " ") for r in signer.roles) or "no role"
        text = f"Signing as {signer.name} ({roles})"
        if set(signer.roles) <= {"admin"}:  # the shipped policy lets an admin alone decide nothing
            text += " · roles: Ctrl+Shift+M"
        self.signer_label.setText(text)
        self.signer_label.setToolTip(
            f"Decisions here are signed with the key of {signer.address}. Roles are granted "
            "by an admin in Members… (Ctrl+Shift+M)."
        )

    def catch_up(self) -> None:
        """Every few minutes while shown: new screenings, expiry, and the ages."""
        if self._model is not None:
            self.context.catch_up(self)
            self._model.reload(keep_loaded=True)  # the ages move on too

    @property
    def model(self) -> QueueModel | None:
        return self._model

    # --- the list --------------------------------------------------------------------

    def refresh(self) -> None:
        if self._model is not None:
            self._model.reload(keep_loaded=True)
        self.evidence.reload()

    def show_customer(self, text: str) -> None:
        """Show every open request of one customer (from the customer's page)."""
        self.filters.reset()
        self.filters.set_customer(text)

    def focus_filter(self) -> None:
        self.filters.customer.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.customer.selectAll()

    def _focus_table(self) -> None:
        self.view.setFocus()
        if self._model is not None and self._model.rowCount() and not self.selected_ids():
            self.view.selectRow(0)

    def _filter_changed(self, flt: QueueFilter) -> None:
        if self._model is not None:
            self._model.set_filter(flt)

    def _sort_indicator_changed(self, column: int, _order: Qt.SortOrder) -> None:
        model = self._model
        if model is None or model.sortable(column):
            return
        sort_arrow_back(self.view, SORT_KEYS, model.sort_key)

    def _show_count(self, total: int) -> None:
        described = self.filters.describe()
        status = self.filters.status.currentText().lower()
        if status == "open":
            text = plural(total, "open request")
        else:
            text = plural(total, "request") + ("" if status == "any status" else f" · {status}")
        self.count_label.setText(text + (f" · {described}" if described else ""))
        self.view.setVisible(bool(total))
        self.empty.setVisible(not total)
        if not total:
            self.empty.setText(
                "No request matches these filters."
                if described or status != "open"
                else "Nothing waits for a decision. Requests are made on a customer's page "
                "(Ctrl+Shift+K, Ctrl+Shift+W), on its addresses and in Wallets (Ctrl+Shift+L)."
            )

    # --- selection -------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        if self._model is not None and index.isValid():
            self.open_customer.emit(self._model.request(index.row()).customer_id)

    def selected_positions(self) -> list[int]:
        if self._model is None:
            return []
        return sorted(index.row() for index in self.view.selectionModel().selectedRows())

    def selected_ids(self) -> list[str]:
        model = self._model
        return [] if model is None else [model.request_id(p) for p in self.selected_positions()]

    def select_all(self) -> None:
        """Ctrl+A: every request the filter shows (also those not loaded yet)."""
        self.view.setFocus()
        self.view.selectAll()

    def selection(self) -> Selection | None:
        model, positions = self._model, self.selected_positions()
        if model is None or not positions:
            return None
        preview = tuple(_preview(model, p) for p in positions[:5])
        if len(positions) == model.rowCount() and model.total > model.rowCount():
            key, descending = model.sort_key
            return Selection((), model.total, (model.filter, key, descending), preview)
        return Selection(
            tuple(model.request_id(p) for p in positions), len(positions), None, preview
        )

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        selection = self.selection()
        if len(ids) == 1:
            self.evidence.show_request(ids[0])
        elif selection is not None:
            self.evidence.show_many(selection.count)
        else:
            self.evidence.clear()
        self._update_actions()

    def _update_actions(self) -> None:
        chosen = bool(self.selected_positions())
        for action in (self.approve_action, self.reject_action, self.comment_action):
            action.setEnabled(chosen)
        for name in ("approveButton", "rejectButton", "commentButton"):
            self.buttons[name].setEnabled(chosen)
        one = len(self.selected_positions()) == 1
        self.export_action.setEnabled(one)
        self.buttons["exportButton"].setEnabled(one)

    def _remember_selection(self) -> None:
        self._keep = set(self.selected_ids())

    def _restore_selection(self) -> None:
        model = self._model
        if model is None or not self._keep:
            self._selection_changed()
            return
        # One selection of row ranges, set at once: row by row would redraw and
        # recount the selection for every row of a select-all.
        last = model.columnCount() - 1
        ranges = QItemSelection()
        start: int | None = None
        for position in range(model.rowCount() + 1):
            kept = position < model.rowCount() and model.request_id(position) in self._keep
            if kept and start is None:
                start = position
            elif not kept and start is not None:
                ranges.select(model.index(start, 0), model.index(position - 1, last))
                start = None
        self.view.selectionModel().select(ranges, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._keep = set()
        self._selection_changed()

    # --- deciding --------------------------------------------------------------------

    def decide(self, verdict: Verdict) -> DecideDialog | None:
        selection = self.selection()
        if selection is None:
            self.status.setText("Select one or more requests first (Ctrl+A selects all shown).")
            return None
        model = self._model
        if model is not None:  # name the refused ones as the queue does
            labels = {model.request_id(p): _preview(model, p) for p in self.selected_positions()}
            selection = replace(selection, labels=labels)
        dialog = DecideDialog(self.context, verdict, selection, self)
        dialog.decided.connect(lambda outcomes: self._decided(verdict, outcomes))
        dialog.decided.connect(lambda _outcomes: self.context.whoami(self, self._show_signer))
        return open_dialog(dialog)

    def _decided(self, verdict: Verdict, outcomes: list[DecideOutcome]) -> None:
        done = sum(1 for o in outcomes if o.ok)
        refused = len(outcomes) - done
        text = f"{DONE[verdict]} {plural(done, 'request')}"
        text += (
            f"; {plural(refused, 'request')} refused (listed in the dialog)." if refused else "."
        )
        self.status.setText(text + " Signed here; shared with the desk at the next sync.")
        self.view.setFocus()

    def export_request(self, path: Path | None = None) -> None:
        """Write the selected request with every decision's EIP-712 typed data, signature
        and signer, for any EIP-712 tool to check without Strongroom."""
        ids = self.selected_ids()
        if len(ids) != 1:
            self.status.setText("Select one request to export.")
            return
        request_id = ids[0]
        # Only a file the save dialog asked about may be replaced.
        confirmed = path is None
        if path is None:
            path = ask_save(
                self,
                "Export request and signatures",
                "JSON (*.json)",
                suggested=f"approval-{request_id}.json",
                suffix=".json",
            )
        if path is None:
            return
        target = path

        def done(_result: None) -> None:
            self.status.setText(f"Written {target} (the request and its signed decisions).")

        self.context.write(
            self,
            lambda service, _p: service.export(request_id, target, overwrite=confirmed),
            on_success=done,
            on_failure=lambda error: self.status.setText(f"Not exported: {errors.describe(error)}"),
        )

    def edit_policy(self) -> PolicyDialog:
        return open_dialog(PolicyDialog(self.context, self))

    def edit_members(self) -> MembersDialog:
        dialog = MembersDialog(self.context, self)
        dialog.changed.connect(lambda: self.context.whoami(self, self._show_signer))
        return open_dialog(dialog)

    # --- locking ---------------------------------------------------------------------

    def close_vault_views(self) -> None:
        self.view.setModel(None)
        self.evidence.clear()
        if self._model is not None:
            self._model.close()
            self._model.deleteLater()
            self._model = None


def _preview(model: QueueModel, position: int) -> str:
    row = model.request(position)
    return f"{row.customer_name} · {row.summary}"
