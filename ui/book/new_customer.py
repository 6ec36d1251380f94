"""Adding one customer by hand: the essentials, checked as the import checks them.

The rest (addresses, KYC expiry, notes) is edited on the customer's page,
which opens once the customer exists. GUI thread; the save runs on the
database worker.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.book import validate
from app.book.models import KINDS, ValidationError
from app.book.service import CustomerBook
from app.tasks import Progress
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext
from ui.book.dialogs import BookDialog
from ui.book.widgets import ErrorForm, hint
from ui.naming import named
from vault.book import customers


def _line(name: str, placeholder: str = "") -> QLineEdit:
    edit = named(QLineEdit(), name)
    edit.setPlaceholderText(placeholder)
    edit.setProperty("lockWhileBusy", True)
    return edit


def save_new(book: CustomerBook, fields: dict[str, str]) -> int:
    """Database worker: validate and add; an external ID in use is an error, not an update."""
    draft = validate.customer(fields)
    if draft.external_id and customers.by_external_id(book.vault.conn, draft.external_id):
        raise ValidationError("external_id", "another customer already has this ID")
    with book.vault.transaction() as tx:
        customer_id, _outcome = book.save_customer(tx, draft)
    return customer_id


class NewCustomerDialog(BookDialog):
    #: the new customer's id (or the identical one that already existed)
    created = Signal(int)

    def __init__(self, context: BookContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("newCustomerDialog")
        self.setWindowTitle("New customer")
        self.name = _line("nameEdit", "Display name, as the desk calls them")
        self.kind = named(QComboBox(), "kindCombo")
        for code in KINDS:
            self.kind.addItem(fmt.label(code, fmt.KIND_LABELS), code)
        self.country = _line("countryEdit", "Two letters, e.g. DE, SG, AE")
        self.country.setMaxLength(2)
        self.email = _line("emailEdit", "Several? Separate with ;")
        self.phone = _line("phoneEdit", "+<country code> number")
        self.external = _line("externalIdEdit", "Your back-office ID (optional)")
        self.form = ErrorForm()
        self.form.add("name", "Name *", self.name)
        self.form.add("kind", "Kind", self.kind)
        self.form.add("country", "Country", self.country)
        self.form.add("email", "Email", self.email)
        self.form.add("phone", "Phone", self.phone)
        self.form.add("external_id", "External ID", self.external)
        self.body.addWidget(hint("Addresses, KYC and notes are added on the customer's page."))
        self.body.addLayout(self.form)
        self.body.addWidget(self.form.general)
        self.set_ok_text("Add customer")
        self.name.textChanged.connect(self.update_ok)
        self.update_ok()

    def fields(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "kind": str(self.kind.currentData()),
            "country": self.country.text(),
            "email": self.email.text(),
            "phone": self.phone.text(),
            "external_id": self.external.text(),
        }

    def can_submit(self) -> bool:
        return bool(self.name.text().strip())

    def submit(self) -> None:
        self.form.clear_errors()
        fields = self.fields()

        def work(book: CustomerBook, _progress: Progress) -> int:
            return save_new(book, fields)

        self.write(work, changes=(ctx.CUSTOMERS,), on_success=self._saved, on_failure=self._failed)

    def _saved(self, customer_id: int) -> None:
        self.created.emit(customer_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.form.show_error(error)
