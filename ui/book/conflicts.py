"""Open conflicts: one wallet address held by two customers, until someone resolves it.

GUI thread; the list and the resolution run on the database worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.book.service import CustomerBook
from app.tasks import Progress
from ui import errors
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext, RefreshWhenShown
from ui.book.dialogs import BookDialog, open_dialog
from ui.book.list_model import Column, ListModel
from ui.book.widgets import ErrorForm, empty_state, hint, table_view
from ui.naming import named
from vault.book.addresses import open_conflicts

Conflict = dict[str, Any]

COLUMNS: tuple[Column[Conflict], ...] = (
    Column("Chain", lambda c: c["chain"]),
    Column("Address", lambda c: c["address"], mono=True, tooltip=lambda c: c["address"]),
    Column("First customer", lambda c: f"{c['name_a']}  (#{c['customer_a']})"),
    Column("Second customer", lambda c: f"{c['name_b']}  (#{c['customer_b']})"),
    Column("Detected", lambda c: fmt.local(c["detected_at"])),
)


class ResolveDialog(BookDialog):
    """Asks how the conflict was resolved (kept in the audit trail)."""

    def __init__(self, context: BookContext, conflict: Conflict, parent: QWidget | None) -> None:
        super().__init__(context, parent)
        self.setObjectName("resolveDialog")
        self.setWindowTitle("Resolve conflict")
        self.conflict = conflict
        self.resolution = named(QPlainTextEdit(), "resolutionEdit")
        self.resolution.setPlaceholderText(
            "e.g. Shared custody wallet, confirmed by both customers' signed declarations."
        )
        self.resolution.setFixedHeight(90)
        self.resolution.setProperty("lockWhileBusy", True)
        self.form = ErrorForm()
        self.form.add("resolution", "Resolution *", self.resolution)
        what = QLabel(
            f"<b>{conflict['chain']}</b> <code>{conflict['address']}</code><br>"
            f"held by {conflict['name_a']} (#{conflict['customer_a']}) and "
            f"{conflict['name_b']} (#{conflict['customer_b']})"
        )
        what.setWordWrap(True)
        self.body.addWidget(what)
        self.body.addLayout(self.form)
        self.body.addWidget(self.form.general)
        self.set_ok_text("Resolve")
        self.resolution.textChanged.connect(self.update_ok)
        self.update_ok()

    def can_submit(self) -> bool:
        return bool(self.resolution.toPlainText().strip())

    def submit(self) -> None:
        self.form.clear_errors()
        conflict_id, text = int(self.conflict["id"]), self.resolution.toPlainText()

        def work(book: CustomerBook, _progress: Progress) -> bool:
            return book.resolve_conflict(conflict_id, text)

        self.write(
            work,
            changes=(ctx.CONFLICTS, ctx.AUDIT),
            on_success=lambda _done: self.accept(),
            on_failure=self.form.show_error,
        )


class ConflictsView(QWidget):
    """Emits `open_customer(id)`; `count_changed(n)` for the tab title."""

    open_customer = Signal(int)
    count_changed = Signal(int)

    def __init__(self, context: BookContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictsView")
        self.context = context
        self.model: ListModel[Conflict] | None = ListModel(COLUMNS, self)
        self.status = named(
            hint("Addresses held by more than one customer. Resolve each once it is explained."),
            "conflictStatus",
        )
        self.view = table_view("conflictTable")
        self.view.setModel(self.model)
        for column, width in enumerate((80, 330, 200, 200)):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(lambda _index: self.ask_resolve())
        self.empty = empty_state("No open conflicts: no address is held by two customers.")
        self.resolve_button = named(QPushButton("Resolve…"), "resolveButton")
        self.resolve_button.setToolTip("Say how the conflict was resolved (Enter)")
        self.resolve_button.clicked.connect(self.ask_resolve)
        self.open_a = named(QPushButton("Open first customer"), "openFirst")
        self.open_b = named(QPushButton("Open second customer"), "openSecond")
        self.open_a.clicked.connect(lambda: self._open("customer_a"))
        self.open_b.clicked.connect(lambda: self._open("customer_b"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.open_a)
        buttons.addWidget(self.open_b)
        buttons.addWidget(self.resolve_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()
        self._refresher = RefreshWhenShown(self, self.reload)
        context.changed.connect(self._book_changed)
        self.reload()

    def reload(self) -> None:
        if self.model is None:
            return
        self.context.read(
            self, lambda conn: open_conflicts(conn), on_success=self._loaded, on_failure=self._fail
        )

    def _book_changed(self, names: frozenset[str]) -> None:
        if ctx.wants(names, ctx.CONFLICTS, ctx.ADDRESSES, ctx.CUSTOMERS):
            self._refresher.request()

    def _loaded(self, rows: list[Conflict]) -> None:
        if self.model is None:
            return
        selected = self.selected()
        self.model.set_rows(rows)
        self.view.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.count_changed.emit(len(rows))
        ids = [r["id"] for r in rows]
        if rows:
            keep = ids.index(selected["id"]) if selected and selected["id"] in ids else 0
            self.view.selectRow(min(keep, len(rows) - 1))
        self._update_buttons()

    def _fail(self, error: BaseException) -> None:
        errors.log(error, debug=self.context.debug)
        self.status.setText(errors.describe(error))

    def selected(self) -> Conflict | None:
        if self.model is None:
            return None
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        enabled = self.selected() is not None
        for button in (self.resolve_button, self.open_a, self.open_b):
            button.setEnabled(enabled)

    def _open(self, key: str) -> None:
        conflict = self.selected()
        if conflict is not None:
            self.open_customer.emit(int(conflict[key]))

    def ask_resolve(self) -> ResolveDialog | None:
        conflict = self.selected()
        if conflict is None:
            return None
        return open_dialog(ResolveDialog(self.context, conflict, self))

    def close_vault_views(self) -> None:
        self.view.setModel(None)
        if self.model is not None:
            self.model.clear()
            self.model.deleteLater()
            self.model = None
