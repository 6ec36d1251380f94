"""A customer's wallet addresses: add one (checked per chain), open it in a block explorer.

An invalid address is never stored; the reason shows under the field.
GUI thread; the add runs on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.addresses import CHAINS
from app.book.models import AddressDraft, Outcome
from app.book.reads import AddressRow, CustomerDetail
from app.book.service import CustomerBook
from app.tasks import Progress
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext
from ui.book.list_model import Column, ListModel
from ui.book.widgets import ErrorForm, empty_state, hint, show_text, table_view
from ui.naming import named


def _shared(row: AddressRow) -> str:
    if not row.shared_with:
        return ""
    return "⚠ also " + ", ".join(f"{name} (#{cid})" for cid, name in row.shared_with)


COLUMNS: tuple[Column[AddressRow], ...] = (
    Column("Chain", lambda a: a.chain),
    Column("Address", lambda a: a.address, mono=True, tooltip=lambda a: a.address),
    Column("Label", lambda a: a.label or "", tooltip=lambda a: a.evidence or ""),
    Column("Shared", _shared, colour=lambda a: fmt.risk_colour("high") if a.shared_with else None),
)


class AddressesTab(QWidget):
    def __init__(
        self,
        context: BookContext,
        customer_id: Callable[[], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._customer_id = customer_id
        self.model: ListModel[AddressRow] = ListModel(COLUMNS, self)
        self.view = table_view("addressTable")
        self.view.setModel(self.model)
        for column, width in enumerate((90, 400, 180)):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(lambda _index: self.open_explorer())
        self.empty = empty_state("No wallet addresses linked yet. Add one below (Ctrl+Shift+A).")
        self.explorer_button = named(QPushButton("Open in block explorer"), "explorerButton")
        self.explorer_button.setToolTip("Opens the address page in your web browser (Enter)")
        self.explorer_button.clicked.connect(self.open_explorer)
        self.copy_button = named(QPushButton("Copy address"), "copyAddress")
        self.copy_button.clicked.connect(self.copy_address)
        row_actions = QHBoxLayout()
        row_actions.addStretch(1)
        row_actions.addWidget(self.copy_button)
        row_actions.addWidget(self.explorer_button)

        self.chain = named(QComboBox(), "chainCombo")
        self.chain.addItems(list(CHAINS))
        self.address = named(QLineEdit(), "addressEdit")
        self.address.setFont(fmt.mono())
        self.address.setPlaceholderText("Paste the address exactly as given")
        self.address.returnPressed.connect(self.add)
        self.label = named(QLineEdit(), "addressLabel")
        self.label.setPlaceholderText("e.g. cold wallet, Binance deposit")
        self.label.returnPressed.connect(self.add)
        self.add_button = named(QPushButton("Add address"), "addAddress")
        self.add_button.clicked.connect(self.add)
        self.form = ErrorForm()
        self.form.add("chain", "Chain", self.chain)
        self.form.add("address", "Address *", self.address)
        self.form.add("label", "Label", self.label)
        self.status = named(hint(""), "addressStatus")
        add_row = QHBoxLayout()
        add_row.addWidget(self.status, 1)
        add_row.addWidget(self.add_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(row_actions)
        layout.addLayout(self.form)
        layout.addWidget(self.form.general)
        layout.addLayout(add_row)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def show_detail(self, detail: CustomerDetail) -> None:
        self.model.set_rows(detail.addresses)
        self.view.setVisible(bool(detail.addresses))
        self.empty.setVisible(not detail.addresses)
        editable = detail.erased_at is None and detail.merged_into is None
        for widget in (self.chain, self.address, self.label, self.add_button):
            widget.setEnabled(editable)
        if detail.addresses:
            self.view.selectRow(0)
        self._update_buttons()

    def clear(self) -> None:
        self.model.clear()
        self.address.clear()
        self.label.clear()

    def focus_add(self) -> None:
        self.address.setFocus()
        self.address.selectAll()

    def selected(self) -> AddressRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.explorer_button.setEnabled(chosen)
        self.copy_button.setEnabled(chosen)

    def open_explorer(self) -> None:
        row = self.selected()
        if row is not None and row.explorer_url:
            QDesktopServices.openUrl(QUrl(row.explorer_url))

    def copy_address(self) -> None:
        row = self.selected()
        if row is not None:
            self.context.services.clipboard.copy(row.address)
            self.status.setText("Address copied (cleared from the clipboard when the vault locks).")

    def add(self) -> None:
        customer_id = self._customer_id()
        if customer_id is None or not self.add_button.isEnabled():
            return
        self.form.clear_errors()
        text = self.address.text().strip()
        if not text:
            show_text(self.form.error_for("address"), "Paste an address first.")
            return
        draft = AddressDraft(self.chain.currentText(), text, self.label.text())

        def work(book: CustomerBook, _progress: Progress) -> Outcome:
            with book.vault.transaction() as tx:
                return book.save_address(tx, customer_id, draft)

        self.add_button.setEnabled(False)
        self.status.setText("Checking and saving…")
        self.context.write(
            self,
            work,
            changes=(ctx.ADDRESSES, ctx.CONFLICTS, ctx.CUSTOMERS),
            on_success=self._added,
            on_failure=self._failed,
        )

    def _added(self, outcome: Outcome) -> None:
        self.add_button.setEnabled(True)
        if outcome.conflicts:
            self.status.setText(
                "Added. ⚠ Another customer holds this address too: see Wallets → Conflicts."
            )
        elif outcome.added:
            self.status.setText("Added.")
        elif outcome.changed:
            self.status.setText("Already linked; the label was updated.")
        else:
            self.status.setText("Already linked to this customer; nothing changed.")
        self.address.clear()
        self.label.clear()
        self.address.setFocus()

    def _failed(self, error: BaseException) -> None:
        self.add_button.setEnabled(True)
        self.status.setText("Not added.")
        self.form.show_error(error)
