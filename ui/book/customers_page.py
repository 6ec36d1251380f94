"""The Customers section: the list, and one customer's page in its place (Esc goes back).

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QWidget

from ui.book.context import BookContext
from ui.book.customer_list import CustomerListPage
from ui.book.detail.page import CustomerDetailPage


class CustomersPage(QStackedWidget):
    def __init__(self, context: BookContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customersPage")
        self.list = CustomerListPage(context)
        self.detail = CustomerDetailPage(context)
        self.addWidget(self.list)
        self.addWidget(self.detail)
        self.list.open_customer.connect(self.open_customer)
        self.detail.open_customer.connect(self.open_customer)
        self.detail.back.connect(self.show_list)

    def open_customer(self, customer_id: int) -> None:
        self.detail.open(customer_id)
        self.setCurrentWidget(self.detail)
        self.detail.tabs.setFocus()

    def show_list(self) -> None:
        self.setCurrentWidget(self.list)
        self.list.view.setFocus()

    def focus_search(self) -> None:
        """Ctrl+K: back to the list, cursor in the search box."""
        if self.currentWidget() is self.detail and self.detail.dirty:
            self.detail.go_back()  # asks about the unsaved edits first
            return
        self.setCurrentWidget(self.list)
        self.list.focus_search()

    def close_vault_views(self) -> None:
        self.list.close_vault_views()
        self.detail.clear()
        self.setCurrentWidget(self.list)
