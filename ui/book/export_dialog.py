"""Exporting the customer or address list (filtered like the list on screen), with a reason.

The reason goes into the audit trail with the file name and the filter.
GUI thread; the export runs on the database worker.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.book.export import ExportResult, export
from app.book.service import CustomerBook
from app.tasks import Progress
from ui import errors
from ui.book import context as ctx
from ui.book.context import BookContext
from ui.book.dialogs import TABLE_FILTER, BookDialog, ask_save
from ui.book.widgets import ErrorForm, browse_row, hint
from ui.naming import named

KINDS = (("Customers", "customers"), ("Wallet addresses", "addresses"))


class ExportDialog(BookDialog):
    def __init__(
        self, context: BookContext, *, text_filter: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.text_filter = text_filter
        self.exported: ExportResult | None = None
        self.kind = named(QComboBox(), "exportKind")
        for text, code in KINDS:
            self.kind.addItem(text, code)
        self.kind.setProperty("lockWhileBusy", True)
        self.path = named(QLineEdit(), "exportPath")
        self.path.setPlaceholderText("A new .csv or .xlsx file")
        file_row = browse_row(self.path, "Choose…", self._browse)
        self.reason = named(QLineEdit(), "exportReason")
        self.reason.setPlaceholderText("Why, for the audit trail (e.g. quarterly review for …)")
        self.reason.setProperty("lockWhileBusy", True)
        self.form = ErrorForm()
        self.form.add("kind", "What", self.kind)
        self.form.add("file", "File *", file_row)
        self.form.add("reason", "Reason *", self.reason)
        scope = (
            f"Only the customers matching the search “{text_filter}” are exported."
            if text_filter
            else "Every active customer is exported (search first to export fewer)."
        )
        self.scope_label = named(hint(scope), "exportScope")
        self.body.addWidget(self.scope_label)
        self.body.addLayout(self.form)
        self.body.addWidget(self.form.general)
        self.set_ok_text("Export")
        self.path.textChanged.connect(self.update_ok)
        self.reason.textChanged.connect(self.update_ok)
        self.update_ok()

    def _browse(self) -> None:
        suggested = f"{self.kind.currentData()}.csv"
        path = ask_save(self, "Export to", TABLE_FILTER, suggested=suggested)
        if path is not None:
            self.path.setText(str(path))

    def can_submit(self) -> bool:
        return bool(self.path.text().strip()) and bool(self.reason.text().strip())

    def submit(self) -> None:
        self.form.clear_errors()
        kind, reason, text = str(self.kind.currentData()), self.reason.text(), self.text_filter
        path = Path(self.path.text().strip()).expanduser()
        if path.suffix.lower() not in (".csv", ".xlsx"):
            path = path.with_suffix(".csv")

        def work(book: CustomerBook, _progress: Progress) -> ExportResult:
            return export(book.vault, kind, path, reason=reason, text_filter=text)

        self.write(work, changes=(ctx.AUDIT,), on_success=self._done, on_failure=self._failed)

    def _done(self, result: ExportResult) -> None:
        self.exported = result
        one, many = ("customer", "customers")
        if self.kind.currentData() == "addresses":
            one, many = ("address", "addresses")
        noun = one if result.rows == 1 else many
        errors.show_message(
            self.parentWidget(), "Export", f"{result.rows:,} {noun} written to\n{result.path}"
        )
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.form.show_error(error)
