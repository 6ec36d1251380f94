"""The Wallets section: every linked address (paged), and the open conflicts.

Double-clicking an address or choosing a conflict's customer asks the
workspace to open that customer. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.book import context as ctx
from ui.book.conflicts import ConflictsView
from ui.book.context import BookContext, RefreshWhenShown
from ui.book.subset_bar import SubsetBar
from ui.book.wallet_model import WalletModel
from ui.book.widgets import empty_state, table_view
from ui.naming import named
from vault.dashboards.subsets import Subset


class WalletsPage(QWidget):
    open_customer = Signal(int)

    def __init__(self, context: BookContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walletsPage")
        self.context = context
        self._model: WalletModel | None = WalletModel(context, parent=self)

        title = QLabel("<h2>Wallets</h2>")
        self.count_label = named(QLabel("Counting addresses…"), "walletCount")
        self.count_label.setStyleSheet("color: #555;")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)

        self.view = table_view("walletView", elide=Qt.TextElideMode.ElideMiddle)
        self.view.setModel(self._model)
        for column, width in enumerate((90, 420, 180, 220)):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(self._activated)
        # Several addresses can be screened at once (Ctrl+Shift+S).
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.empty = empty_state(
            "No wallet addresses yet. Add them on a customer's page, or import a list "
            "(Customers → Import…, kind “Wallet addresses”)."
        )
        self.subset_bar = SubsetBar("walletSubset")
        self.subset_bar.cleared.connect(lambda: self.show_subset(None))
        addresses = QWidget()
        inner = QVBoxLayout(addresses)
        inner.setContentsMargins(0, 8, 0, 0)
        inner.addWidget(self.subset_bar)
        inner.addWidget(self.view, 1)
        inner.addWidget(self.empty, 1)

        self.conflicts = ConflictsView(context)
        self.conflicts.open_customer.connect(self.open_customer)
        self.conflicts.count_changed.connect(self._conflict_count)
        self.tabs = named(QTabWidget(), "walletTabs")
        self.tabs.addTab(addresses, "Addresses")
        self.tabs.addTab(self.conflicts, "Conflicts")
        self.tabs.setTabToolTip(1, "Addresses held by more than one customer")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self._model.count_changed.connect(self._show_count)
        self._model.failed.connect(lambda text: self.count_label.setText(text))
        self._refresher = RefreshWhenShown(self, self._refresh)
        context.changed.connect(self._book_changed)
        self._model.reload()

    @property
    def model(self) -> WalletModel | None:
        return self._model

    def show_subset(self, subset: Subset | None) -> None:
        """Only the addresses behind a Dashboards figure (None: every one again)."""
        self.tabs.setCurrentIndex(0)
        self.subset_bar.show_subset(subset)
        if self._model is not None:
            self._model.set_subset(subset)

    def show_conflicts(self) -> None:
        self.tabs.setCurrentWidget(self.conflicts)
        self.conflicts.view.setFocus()

    def _refresh(self) -> None:
        if self._model is not None:
            self._model.reload(keep_loaded=True)

    def _book_changed(self, names: frozenset[str]) -> None:
        if ctx.wants(names, ctx.ADDRESSES, ctx.CUSTOMERS):
            self._refresher.request()

    def _show_count(self, total: int) -> None:
        self.count_label.setText(f"{total:,} address{'es' if total != 1 else ''} linked")
        narrowed = self._model is not None and self._model.subset is not None
        self.view.setVisible(bool(total) or narrowed)
        self.empty.setVisible(not total and not narrowed)

    def _conflict_count(self, count: int) -> None:
        self.tabs.setTabText(1, f"Conflicts ({count})" if count else "Conflicts")

    def _activated(self, index: QModelIndex) -> None:
        if self._model is not None and index.isValid():
            self.open_customer.emit(self._model.customer_id(index.row()))

    def selected_targets(self) -> list[tuple[str, str]]:
        """(chain, address) of the selected rows, in list order."""
        if self._model is None:
            return []
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [(str(r[1]), str(r[2])) for r in map(self._model.row_at, rows)]

    def close_vault_views(self) -> None:
        self.subset_bar.hide()
        self.view.setModel(None)
        if self._model is not None:
            self._model.close()
            self._model.deleteLater()
            self._model = None
        self.conflicts.close_vault_views()
