"""One customer's page: a header with the actions, and a tab per part of the record.

Esc goes back to the list (asking first if edits are unsaved); Ctrl+S
saves the profile and the custom fields; Ctrl+Shift+A adds an address,
Ctrl+Shift+N a note. The record is read on the database worker, again
after every change announced by the book context. GUI thread only.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.book import custom_fields
from app.book.reads import CustomerDetail, customer_detail
from app.book.service import CustomerBook
from ui import errors
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext, RefreshWhenShown
from ui.book.detail.actions import EraseDialog, SubjectExportDialog
from ui.book.detail.addresses import AddressesTab
from ui.book.detail.custom import CustomFieldsTab
from ui.book.detail.documents import DocumentsTab
from ui.book.detail.history import HistoryTab
from ui.book.detail.notes import NotesTab
from ui.book.detail.profile import ProfileForm
from ui.book.detail.tasks import TasksTab
from ui.book.dialogs import open_dialog
from ui.book.duplicates import DuplicatesDialog
from ui.book.widgets import show_text
from ui.naming import named
from ui.sync.two_devices import TwoDevicesPanel

Loaded = tuple[CustomerDetail | None, dict[str, tuple[str, ...]]]


def load(book: CustomerBook, customer_id: int) -> Loaded:
    """Database worker: the record and the choices of the vault's custom fields."""
    definitions = {f.name: f.choices for f in custom_fields.fields(book)}
    return customer_detail(book.vault.conn, customer_id), definitions


class CustomerDetailPage(QWidget):
    #: back to the list
    back = Signal()
    #: show another customer (after a merge into it, or from a link)
    open_customer = Signal(int)

    def __init__(self, context: BookContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerDetailPage")
        self.context = context
        self.customer_id: int | None = None
        self.detail: CustomerDetail | None = None
        self._generation = 0
        current: Callable[[], int | None] = lambda: self.customer_id  # noqa: E731

        self.back_button = named(QPushButton("← Customers"), "backButton")
        self.back_button.setToolTip("Back to the list (Esc)")
        self.back_button.clicked.connect(self.go_back)
        self.title = named(QLabel(), "detailTitle")
        self.subtitle = named(QLabel(), "detailSubtitle")
        self.subtitle.setStyleSheet("color: #555;")
        self.banner = named(QLabel(), "detailBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "color: #6b4e00; background: #fff3cd; border: 1px solid #e0c36a; padding: 6px;"
        )
        self.banner.hide()
        self.two_devices = TwoDevicesPanel(context.session, context.services)
        self.export_button = named(QPushButton("Export data…"), "subjectExportButton")
        self.export_button.setToolTip("Data-subject access: everything held about this customer")
        self.export_button.clicked.connect(self.ask_export)
        self.merge_button = named(QPushButton("Merge…"), "mergeCustomerButton")
        self.merge_button.setToolTip("Merge with a likely duplicate of this customer")
        self.merge_button.clicked.connect(self.ask_merge)
        self.erase_button = named(QPushButton("Erase…"), "eraseButton")
        self.erase_button.setToolTip("Erase this customer's personal data (GDPR/PIPL)")
        self.erase_button.clicked.connect(self.ask_erase)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addSpacing(8)
        top.addLayout(names, 1)
        for button in (self.export_button, self.merge_button, self.erase_button):
            top.addWidget(button)

        self.profile = ProfileForm(context, current)
        self.addresses = AddressesTab(context, current)
        self.notes = NotesTab(context, current)
        self.tasks = TasksTab(context, current)
        self.custom = CustomFieldsTab(context, current)
        self.documents = DocumentsTab(context, current)
        self.documents.counted.connect(self._count_documents)
        self.history = HistoryTab(context, current)
        self.tabs = named(QTabWidget(), "detailTabs")
        for widget, text in (
            (self.profile, "Profile"),
            (self.addresses, "Addresses"),
            (self.notes, "Notes"),
            (self.tasks, "Tasks"),
            (self.custom, "Custom fields"),
            (self.documents, self.tr("Documents")),
            (self.history, "History"),
        ):
            self.tabs.addTab(widget, text)
        self.error = named(QLabel(), "detailError")
        self.error.setStyleSheet("color: #b71c1c;")
        self.error.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.two_devices)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)

        self._shortcut("Esc", self.go_back)
        self.save_action = self._shortcut("Ctrl+S", self.save)
        self._shortcut("Ctrl+Shift+A", self.add_address)
        self._shortcut("Ctrl+Shift+N", self.add_note)
        self._refresher = RefreshWhenShown(self, self.reload)
        context.changed.connect(self._book_changed)

    def _shortcut(self, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # --- loading -------------------------------------------------------------------------

    def open(self, customer_id: int) -> None:
        if customer_id != self.customer_id:
            self.clear()
            self.customer_id = customer_id
            self.title.setText("<h2>Opening…</h2>")
            self.tabs.setCurrentWidget(self.profile)
        self.reload()

    def reload(self) -> None:
        customer_id = self.customer_id
        if customer_id is None:
            return
        self._generation += 1
        generation = self._generation
        self.context.write(
            self,
            lambda book, _p: load(book, customer_id),
            changes=(),
            on_success=lambda loaded: self._loaded(generation, loaded),
            on_failure=self._failed,
        )
        self.history.request()
        self.two_devices.load(customer_id)

    def _book_changed(self, names: frozenset[str]) -> None:
        if self.customer_id is not None and ctx.wants(
            names, ctx.CUSTOMERS, ctx.ADDRESSES, ctx.CONFLICTS, ctx.CUSTOM_FIELDS, ctx.DOCUMENTS
        ):
            self._refresher.request()

    def _loaded(self, generation: int, loaded: Loaded) -> None:
        if generation != self._generation:
            return
        detail, definitions = loaded
        if detail is None:
            self._failed_text("This customer no longer exists.")
            return
        show_text(self.error, "")
        self.detail = detail
        self._show_header(detail)
        self.profile.show_detail(detail)
        self.addresses.show_detail(detail)
        self.notes.show_detail(detail)
        self.tasks.show_detail(detail)
        self.custom.show_detail(detail, definitions)
        self.documents.load(editable=detail.erased_at is None and detail.merged_into is None)
        self._count_tabs(detail)

    def _show_header(self, detail: CustomerDetail) -> None:
        self.title.setText(f"<h2>{html.escape(detail.display_name)}</h2>")
        parts = [
            fmt.label(detail.kind, fmt.KIND_LABELS),
            detail.country or "no country",
            f"KYC {fmt.label(detail.kyc_status, fmt.KYC_LABELS).lower()}",
            f"risk {fmt.label(detail.risk_rating, fmt.RISK_LABELS).lower() or 'not rated'}",
            f"#{detail.id}" + (f" · {detail.external_id}" if detail.external_id else ""),
        ]
        if detail.kyc_expires_at:
            parts.insert(3, f"KYC expires {detail.kyc_expires_at[:10]}")
        self.subtitle.setText("  ·  ".join(parts))
        active = detail.erased_at is None and detail.merged_into is None
        for button in (self.merge_button, self.erase_button):
            button.setEnabled(active)
        self.export_button.setEnabled(detail.erased_at is None)
        if detail.erased_at is not None:
            show_text(
                self.banner,
                f"Erased on {fmt.local(detail.erased_at)}. Only the "
                "tombstone, the wallet addresses and the history's outline remain.",
            )
        elif detail.merged_into is not None:
            show_text(self.banner, f"Merged into customer #{detail.merged_into}; read only.")
        else:
            show_text(self.banner, "")

    def _count_tabs(self, detail: CustomerDetail) -> None:
        open_tasks = sum(1 for t in detail.tasks if t.done_at is None)
        shared = any(a.shared_with for a in detail.addresses)
        self.tabs.setTabText(1, f"Addresses ({len(detail.addresses)}){' ⚠' if shared else ''}")
        self.tabs.setTabText(2, f"Notes ({len(detail.notes)})")
        self.tabs.setTabText(3, f"Tasks ({open_tasks} open)" if open_tasks else "Tasks")

    def _count_documents(self, total: int, flagged: int) -> None:
        """The tab's title: how many, and a mark when one is expired or expiring."""
        index = self.tabs.indexOf(self.documents)
        text = self.tr("Documents ({n})").format(n=total) if total else self.tr("Documents")
        self.tabs.setTabText(index, f"{text} ⚠" if flagged else text)
        self.tabs.setTabToolTip(
            index,
            self.tr("{n} document(s) expired or expiring within 30 days").format(n=flagged)
            if flagged
            else "",
        )

    def _failed(self, error: BaseException) -> None:
        errors.log(error, debug=self.context.debug)
        self._failed_text(errors.describe(error))

    def _failed_text(self, text: str) -> None:
        self.title.setText("<h2>Customer</h2>")
        show_text(self.error, text)

    def clear(self) -> None:
        """Forget the record shown (lock, or another customer opening)."""
        self._generation += 1
        self.detail = None
        self.customer_id = None
        self.title.clear()
        self.subtitle.clear()
        for tab in (self.profile, self.addresses, self.notes, self.tasks, self.custom):
            tab.clear()
        self.documents.clear()
        self.history.clear()
        self.two_devices.load(None)

    # --- keys and actions ----------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self.profile.dirty or self.custom.dirty

    def save(self) -> None:
        self.profile.save()
        self.custom.save()

    def add_address(self) -> None:
        self.tabs.setCurrentWidget(self.addresses)
        self.addresses.focus_add()

    def add_note(self) -> None:
        self.tabs.setCurrentWidget(self.notes)
        self.notes.focus_add()

    def go_back(self) -> None:
        if not self.dirty:
            self.back.emit()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            "This customer has unsaved changes. Leave without saving them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("unsavedBox")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(
            lambda result: self._leave() if result == QMessageBox.StandardButton.Discard else None
        )
        box.open()

    def _leave(self) -> None:
        self.profile.revert()
        self.custom.revert()
        self.back.emit()

    def ask_export(self) -> None:
        if self.detail is not None:
            open_dialog(
                SubjectExportDialog(self.context, self.detail.id, self.detail.display_name, self)
            )

    def ask_erase(self) -> None:
        if self.detail is None:
            return
        dialog = EraseDialog(self.context, self.detail.id, self.detail.display_name, self)
        dialog.erased.connect(lambda _id: self.back.emit())
        open_dialog(dialog)

    def ask_merge(self) -> None:
        if self.detail is None:
            return
        dialog = DuplicatesDialog(self.context, self, only=self.detail.id)
        dialog.merged.connect(self._merged)
        dialog.open_customer.connect(self.open_customer)
        open_dialog(dialog)

    def _merged(self, keep: int, other: int) -> None:
        if other == self.customer_id:
            self.open_customer.emit(keep)
