"""The heavy actions on one customer: the data-subject export and erasure.

Both ask for a reason (it goes into the audit trail); erasure also asks
for the customer's name, typed. GUI thread; the work runs on the database
worker.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.book.service import CustomerBook
from app.book.subject_export import export_subject
from app.tasks import Progress
from ui import errors
from ui.book import context as ctx
from ui.book.context import BookContext
from ui.book.dialogs import BookDialog, ask_folder
from ui.book.widgets import ERROR_STYLE, ErrorForm, browse_row, hint
from ui.naming import named


def _line(name: str, placeholder: str) -> QLineEdit:
    edit = named(QLineEdit(), name)
    edit.setPlaceholderText(placeholder)
    edit.setProperty("lockWhileBusy", True)
    return edit


class SubjectExportDialog(BookDialog):
    """Everything held about the customer, as JSON and as text, into a folder."""

    def __init__(
        self, context: BookContext, customer_id: int, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.setObjectName("subjectExportDialog")
        self.setWindowTitle("Export customer data")
        self.customer_id = customer_id
        self.written: list[Path] = []
        self.folder = _line("subjectFolder", "The folder to write the files into")
        folder_row = browse_row(self.folder, "Choose…", self._browse)
        self.reason = _line("subjectReason", "e.g. access request received 2026-03-02")
        self.form = ErrorForm()
        self.form.add("file", "Folder *", folder_row, aliases=("folder",))
        self.form.add("reason", "Reason *", self.reason)
        self.body.addWidget(
            hint(
                f"Writes everything held about {name} — profile, addresses, notes, tasks, "
                "custom fields, documents and the full history — as a JSON file and a "
                "readable text file, with a copy of each document beside them. The export is "
                "recorded in the audit log."
            )
        )
        self.body.addLayout(self.form)
        self.body.addWidget(self.form.general)
        self.set_ok_text("Export")
        self.folder.textChanged.connect(self.update_ok)
        self.reason.textChanged.connect(self.update_ok)
        self.update_ok()

    def _browse(self) -> None:
        folder = ask_folder(self, "Export into")
        if folder is not None:
            self.folder.setText(str(folder))

    def can_submit(self) -> bool:
        return bool(self.folder.text().strip()) and bool(self.reason.text().strip())

    def submit(self) -> None:
        self.form.clear_errors()
        customer_id, reason = self.customer_id, self.reason.text()
        folder = Path(self.folder.text().strip()).expanduser()

        def work(book: CustomerBook, _progress: Progress) -> list[Path]:
            if not folder.is_dir():
                raise NotADirectoryError(20, "not a folder", str(folder))
            return export_subject(book, customer_id, folder, reason=reason)

        self.write(
            work, changes=(ctx.AUDIT,), on_success=self._done, on_failure=self.form.show_error
        )

    def _done(self, paths: list[Path]) -> None:
        self.written = paths
        errors.show_message(
            self.parentWidget(),
            "Export customer data",
            "Written:\n" + "\n".join(str(p) for p in paths),
        )
        self.accept()


class EraseDialog(BookDialog):
    """Erasure cannot be undone: the name must be typed and a reason given."""

    erased = Signal(int)

    def __init__(
        self, context: BookContext, customer_id: int, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.setObjectName("eraseDialog")
        self.setWindowTitle("Erase customer")
        self.customer_id = customer_id
        self.name = name
        warning = QLabel(
            f"<b>Erase {name}?</b><br>Names, contacts, notes, tasks, tags, custom values, "
            "documents and address labels are destroyed, in the history too. Wallet "
            "addresses, dates and the fact of the erasure stay for AML record-keeping. "
            "This cannot be undone."
        )
        warning.setWordWrap(True)
        warning.setStyleSheet(ERROR_STYLE)
        self.typed = _line("eraseTypedName", name)
        self.reason = _line("eraseReason", "e.g. GDPR erasure request of 2026-03-02, ticket 4411")
        self.form = ErrorForm()
        self.form.add("confirm", "Type the name *", self.typed)
        self.form.add("reason", "Reason *", self.reason)
        self.body.addWidget(warning)
        self.body.addLayout(self.form)
        self.body.addWidget(self.form.general)
        self.set_ok_text("Erase for good")
        self.typed.textChanged.connect(self.update_ok)
        self.reason.textChanged.connect(self.update_ok)
        self.update_ok()

    def can_submit(self) -> bool:
        return self.typed.text().strip() == self.name.strip() and bool(self.reason.text().strip())

    def submit(self) -> None:
        self.form.clear_errors()
        customer_id, reason = self.customer_id, self.reason.text()

        def work(book: CustomerBook, _progress: Progress) -> int:
            book.erase_customer(customer_id, reason=reason)
            return customer_id

        self.write(
            work,
            changes=(ctx.CUSTOMERS, ctx.ADDRESSES, ctx.CONFLICTS, ctx.AUDIT),
            on_success=self._done,
            on_failure=self.form.show_error,
        )

    def _done(self, customer_id: int) -> None:
        self.erased.emit(customer_id)
        self.accept()
