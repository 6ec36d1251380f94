"""Adding a KYC document: the file, what it is, and its dates.

GUI thread; the file is checked, sealed and stored on the database worker
(`app.book.documents`), so a large scan never stalls the window.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.book.documents import MAX_BYTES, DocumentDraft, DocumentInfo, add_document, readable_size
from app.book.models import DOCUMENT_TYPES
from app.book.service import CustomerBook
from app.tasks import Progress
from ui.book import context as ctx
from ui.book.context import BookContext
from ui.book.dialogs import BookDialog, ask_open
from ui.book.widgets import ErrorForm, OptionalDate, browse_row, hint
from ui.naming import named

FILE_FILTER = "PDF or image (*.pdf *.png *.jpg *.jpeg);;All files (*)"


def type_label(kind: str) -> str:
    """The words a person reads for a document type."""
    labels = {
        "passport": QCoreApplication.translate("documents", "Passport"),
        "id_card": QCoreApplication.translate("documents", "ID card"),
        "proof_of_address": QCoreApplication.translate("documents", "Proof of address"),
        "source_of_funds": QCoreApplication.translate("documents", "Source of funds"),
        "company_registry_extract": QCoreApplication.translate(
            "documents", "Company registry extract"
        ),
        "other": QCoreApplication.translate("documents", "Other"),
    }
    return labels.get(kind, kind)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


class AddDocumentDialog(BookDialog):
    """Choose a file, its type and (optionally) its issue and expiry dates."""

    def __init__(
        self, context: BookContext, customer_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.setObjectName("addDocumentDialog")
        self.setWindowTitle(self.tr("Add document"))
        self.setMinimumWidth(520)
        self.customer_id = customer_id
        self.added: DocumentInfo | None = None
        self.file = named(QLineEdit(), "documentFile")
        self.file.setPlaceholderText(self.tr("The scan or PDF to keep in the vault"))
        file_row = browse_row(self.file, self.tr("Choose…"), self._browse)
        self.type = named(QComboBox(), "documentType")
        for kind in DOCUMENT_TYPES:
            self.type.addItem(type_label(kind), kind)
        self.type.setProperty("lockWhileBusy", True)
        self.issued = named(OptionalDate(self.tr("Set")), "documentIssued")
        self.expires = named(OptionalDate(self.tr("Set")), "documentExpires")
        self.form = ErrorForm()
        self.form.add("file", self.tr("File *"), file_row)
        self.form.add("type", self.tr("Type *"), self.type)
        self.form.add("issued", self.tr("Issued"), self.issued)
        self.form.add("expires", self.tr("Expires"), self.expires)
        self.body.addWidget(
            hint(
                self.tr(
                    "A PDF, PNG or JPEG of at most {limit}. It is encrypted under this "
                    "customer's own key inside the vault; erasing the customer destroys it."
                ).format(limit=readable_size(MAX_BYTES))
            )
        )
        self.body.addLayout(self.form)
        self.body.addWidget(self.form.general)
        self.set_ok_text(self.tr("Add"))
        self.file.textChanged.connect(self.update_ok)
        self.update_ok()

    def _browse(self) -> None:
        chosen = ask_open(self, self.tr("Choose a document"), FILE_FILTER)
        if chosen is not None:
            self.file.setText(str(chosen))

    def can_submit(self) -> bool:
        return bool(self.file.text().strip())

    def submit(self) -> None:
        self.form.clear_errors()
        draft = DocumentDraft(
            customer_id=self.customer_id,
            path=Path(self.file.text().strip()).expanduser(),
            type=str(self.type.currentData()),
            issued_on=_day(self.issued.value()),
            expires_on=_day(self.expires.value()),
        )

        def work(book: CustomerBook, _progress: Progress) -> DocumentInfo:
            return add_document(book, draft)

        self.write(
            work,
            changes=(ctx.DOCUMENTS, ctx.AUDIT),
            on_success=self._done,
            on_failure=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        self.form.show_error(error)
        self.adjustSize()  # a wrapped refusal needs more height than the dialog had

    def _done(self, info: DocumentInfo) -> None:
        self.added = info
        self.accept()
