"""The customer list: one search box, the paged table, and the book's actions.

Typing filters as you type: a 150 ms timer waits for a pause, then the
search runs on the database worker; an answer for older text is dropped
by the model. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.book import context as ctx
from ui.book.context import BookContext, RefreshWhenShown
from ui.book.customer_model import SORT_KEYS, CustomerModel
from ui.book.dialogs import open_dialog
from ui.book.duplicates import DuplicatesDialog
from ui.book.export_dialog import ExportDialog
from ui.book.import_dialog import ImportDialog
from ui.book.new_customer import NewCustomerDialog
from ui.book.subset_bar import SubsetBar
from ui.book.widgets import action_button, empty_state, shortcut_action, sort_arrow_back, table_view
from ui.naming import named
from vault.dashboards.subsets import Subset

SEARCH_DELAY_MS = 150
_WIDTHS = (260, 110, 90, 70, 100, 90, 85)


class CustomerListPage(QWidget):
    """Emits `open_customer(id)` for Enter or a double-click on a row."""

    open_customer = Signal(int)

    def __init__(self, context: BookContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerListPage")
        self.context = context
        self._model: CustomerModel | None = CustomerModel(context, parent=self)
        self._selected: int | None = None

        title = QLabel("<h2>Customers</h2>")
        self.count_label = named(QLabel("Counting customers…"), "customerCount")
        self.count_label.setStyleSheet("color: #555;")
        self.search = named(QLineEdit(), "customerSearch")
        self.search.setPlaceholderText(
            "Search names, emails, phones, wallet addresses, tags and notes  (Ctrl+K)"
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_now)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self._search_then_focus_table)

        self.new_action = self._action("New customer", "Ctrl+N", self.new_customer)
        self.import_action = self._action("Import…", "Ctrl+I", self.import_file)
        self.export_action = self._action("Export…", "Ctrl+E", self.export_list)
        self.duplicates_action = self._action("Duplicates…", "", self.find_duplicates)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for action, name in (
            (self.new_action, "newCustomerButton"),
            (self.import_action, "importButton"),
            (self.export_action, "exportButton"),
            (self.duplicates_action, "duplicatesButton"),
        ):
            buttons.addWidget(action_button(action, name))

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addLayout(buttons)

        self.view = table_view("customerView")
        self.view.setModel(self._model)
        self.view.setSortingEnabled(True)
        header = self.view.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        for column, width in enumerate(_WIDTHS):
            self.view.setColumnWidth(column, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.view.setColumnWidth(7, 130)
        self.view.activated.connect(self._activated)
        self.empty = empty_state("")
        self.subset_bar = SubsetBar("customerSubset")
        self.subset_bar.cleared.connect(lambda: self.show_subset(None))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addLayout(top)
        layout.addWidget(self.subset_bar)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)

        self._model.count_changed.connect(self._show_count)
        self._model.failed.connect(self._show_failure)
        self._model.modelAboutToBeReset.connect(self._remember_selection)
        self._model.loaded.connect(self._restore_selection)
        self._refresher = RefreshWhenShown(self, self._refresh)
        context.changed.connect(self._book_changed)
        self._model.reload()

    def _action(self, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        return shortcut_action(self, text, keys, slot)

    @property
    def model(self) -> CustomerModel | None:
        return self._model

    # --- search ------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def show_subset(self, subset: Subset | None) -> None:
        """Only the customers behind a Dashboards figure (None: everyone again)."""
        self.subset_bar.show_subset(subset)
        if self._model is not None:
            self._model.set_subset(subset)

    def _search_now(self) -> None:
        if self._model is not None:
            self._model.set_search(self.search.text())

    def _search_then_focus_table(self) -> None:
        self._timer.stop()
        self._search_now()
        self.view.setFocus()
        if self._model is not None and self._model.rowCount() and not self.view.selectedIndexes():
            self.view.selectRow(0)

    # --- list --------------------------------------------------------------------

    def _refresh(self) -> None:
        if self._model is not None:
            self._model.reload(keep_loaded=True)

    def _book_changed(self, names: frozenset[str]) -> None:
        if ctx.wants(names, ctx.CUSTOMERS, ctx.ADDRESSES):
            self._refresher.request()

    def _sort_indicator_changed(self, column: int, _order: Qt.SortOrder) -> None:
        model = self._model
        if model is None or model.sortable(column):
            return
        sort_arrow_back(self.view, SORT_KEYS, model.sort_key)

    def _show_count(self, total: int) -> None:
        model = self._model
        text = model.search_text if model is not None else ""
        if text:
            more = " (the first 200; type more to narrow)" if model and model.search_limited else ""
            self.count_label.setText(f"{total:,} match{'es' if total != 1 else ''}{more}")
        else:
            self.count_label.setText(f"{total:,} customer{'s' if total != 1 else ''}")
        if total:
            self.empty.hide()
            self.view.show()
            return
        if text:
            self.empty.setText(f"No customer matches “{text}”.")
        elif model is not None and model.subset is not None:
            self.empty.setText(self.tr("No customer is in this figure any more."))
        else:
            self.empty.setText(
                "No customers yet.\nAdd one with New customer (Ctrl+N) "
                "or bring a list in with Import… (Ctrl+I)."
            )
        self.view.hide()
        self.empty.show()

    def _show_failure(self, text: str) -> None:
        self.count_label.setText(f"Could not read the customers: {text}")

    def _remember_selection(self) -> None:
        model, rows = self._model, self.view.selectionModel().selectedRows()
        self._selected = model.row_id(rows[0].row()) if model is not None and rows else None

    def _restore_selection(self) -> None:
        if self._model is None or self._selected is None:
            return
        position = self._model.position_of(self._selected)
        if position is not None:
            self.view.selectRow(position)
            self.view.scrollTo(self._model.index(position, 0))

    def _activated(self, index: QModelIndex) -> None:
        if self._model is not None and index.isValid():
            self.open_customer.emit(self._model.row_id(index.row()))

    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows() if self._model is not None else []
        return self._model.row_id(rows[0].row()) if self._model is not None and rows else None

    # --- actions -------------------------------------------------------------------

    def new_customer(self) -> NewCustomerDialog:
        dialog = NewCustomerDialog(self.context, self)
        dialog.created.connect(self.open_customer)
        open_dialog(dialog)
        return dialog

    def import_file(self) -> ImportDialog:
        return open_dialog(ImportDialog(self.context, self))

    def export_list(self) -> ExportDialog:
        text = self._model.search_text if self._model is not None else ""
        return open_dialog(ExportDialog(self.context, text_filter=text, parent=self))

    def find_duplicates(self) -> DuplicatesDialog:
        dialog = DuplicatesDialog(self.context, self)
        dialog.open_customer.connect(self.open_customer)
        return open_dialog(dialog)

    # --- locking -------------------------------------------------------------------

    def close_vault_views(self) -> None:
        self.subset_bar.hide()
        self.search.clear()
        self._timer.stop()
        self.view.setModel(None)
        if self._model is not None:
            self._model.close()
            self._model.deleteLater()
            self._model = None
