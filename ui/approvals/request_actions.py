"""Where requests are made: a customer's page (and its addresses) and the Wallets view.

Installed by the workspace onto those views, so the book's pages need not
know about approvals. Keys on a customer's page: Ctrl+Shift+K onboarding /
KYC, Ctrl+Shift+W withdrawal, Ctrl+Shift+L whitelist the chosen address,
Ctrl+Shift+O risk override. In Wallets: Ctrl+Shift+L whitelists every
chosen address (one request each), Ctrl+Shift+O asks for a risk override.
GUI thread only.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QBoxLayout, QMenu, QPushButton, QWidget

from app.approvals.model import RequestKind
from ui.approvals.context import ApprovalsContext
from ui.approvals.request_dialog import Customer, RequestDialog, Target
from ui.book.detail.page import CustomerDetailPage
from ui.book.dialogs import open_dialog
from ui.book.wallets_page import WalletsPage
from ui.book.widgets import shortcut_action
from ui.naming import named

CUSTOMER_KEYS: tuple[tuple[RequestKind, str, str], ...] = (
    ("onboarding", "Request onboarding / KYC approval…", "Ctrl+Shift+K"),
    ("withdrawal", "Request a withdrawal…", "Ctrl+Shift+W"),
    ("whitelist", "Request whitelisting of the address…", "Ctrl+Shift+L"),
    ("risk_override", "Request a risk override for the address…", "Ctrl+Shift+O"),
)
WALLET_KEYS: tuple[tuple[RequestKind, str, str], ...] = (
    ("whitelist", "Request whitelisting…", "Ctrl+Shift+L"),
    ("risk_override", "Request a risk override…", "Ctrl+Shift+O"),
)


def _header(page: QWidget) -> QBoxLayout | None:
    """The page's top row of buttons (its first layout item)."""
    outer = page.layout()
    item = outer.itemAt(0) if outer is not None else None
    row = item.layout() if item is not None else None
    return row if isinstance(row, QBoxLayout) else None


class CustomerRequests(QObject):
    """The "Request approval" menu on a customer's page."""

    #: show the approval queue filtered to this text (the customer's external ID or name)
    show_requests = Signal(str)

    def __init__(self, context: ApprovalsContext, page: CustomerDetailPage) -> None:
        super().__init__(page)
        self.context = context
        self.page = page
        self.last: RequestDialog | None = None
        self.actions: dict[str, QAction] = {}
        menu = QMenu(page)
        for kind, text, keys in CUSTOMER_KEYS:
            action = shortcut_action(page, text, keys, partial(self.ask, kind))
            menu.addAction(action)
            self.actions[kind] = action
        menu.addSeparator()
        queue = shortcut_action(page, "Show this customer's requests", "Ctrl+Shift+Q", self._show)
        menu.addAction(queue)
        self.actions["queue"] = queue
        self.button = named(QPushButton("Request approval"), "requestApprovalButton")
        self.button.setToolTip("Onboarding, withdrawal, whitelisting or risk override")
        self.button.setMenu(menu)
        header = _header(page)
        if header is not None:
            header.insertWidget(header.count() - 3, self.button)
        # The addresses table offers the two address requests on its context menu.
        table = page.addresses.view
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.addAction(self.actions["whitelist"])
        table.addAction(self.actions["risk_override"])

    def customer(self) -> Customer | None:
        detail = self.page.detail
        if detail is None or detail.erased_at is not None or detail.merged_into is not None:
            return None
        return Customer(detail.id, detail.display_name, detail.external_id)

    def ask(self, kind: RequestKind) -> RequestDialog | None:
        customer = self.customer()
        if customer is None:
            return None
        targets: list[Target] = []
        if kind in ("whitelist", "risk_override"):
            row = self.page.addresses.selected()
            if row is not None:
                targets.append(Target(customer, row.chain, row.address))
        self.last = RequestDialog(self.context, kind, customer, targets=targets, parent=self.page)
        return open_dialog(self.last)

    def _show(self) -> None:
        customer = self.customer()
        if customer is not None:
            self.show_requests.emit(customer.external_id or customer.name)


class WalletRequests(QObject):
    """Whitelist or override the addresses chosen in Wallets (several at once)."""

    def __init__(self, context: ApprovalsContext, page: WalletsPage) -> None:
        super().__init__(page)
        self.context = context
        self.page = page
        self.last: RequestDialog | None = None
        page.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        page.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.buttons: dict[str, QPushButton] = {}
        header = _header(page)
        for kind, text, keys in WALLET_KEYS:
            action = shortcut_action(page, text, keys, partial(self.ask, kind))
            page.view.addAction(action)
            button = named(QPushButton(text.rstrip("…") + "…"), f"wallet_{kind}_button")
            button.setToolTip(f"{text} for the chosen addresses ({keys})")
            button.clicked.connect(action.trigger)
            if header is not None:
                header.addWidget(button)
            self.buttons[kind] = button

    def targets(self) -> list[Target]:
        model = self.page.model
        if model is None:
            return []
        chosen = sorted(index.row() for index in self.page.view.selectionModel().selectedRows())
        found = []
        for position in chosen:
            row = model.row_at(position)
            found.append(Target(Customer(int(row[4]), str(row[5]), None), str(row[1]), str(row[2])))
        return found

    def ask(self, kind: RequestKind) -> RequestDialog | None:
        targets = self.targets()
        if not targets:
            self.page.count_label.setText("Choose one or more addresses first.")
            return None
        if kind == "risk_override":
            targets = targets[:1]  # each override needs its own justification
        self.last = RequestDialog(
            self.context, kind, targets[0].customer, targets=targets, parent=self.page
        )
        return open_dialog(self.last)
