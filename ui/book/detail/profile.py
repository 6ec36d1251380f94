"""A customer's profile as an editable form; errors show next to the field they are about.

Only the fields the user changed are sent, so an unchanged KYC status keeps
its date. GUI thread; the save runs on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.book.activity import update_customer
from app.book.models import KINDS, KYC_STATUSES, RISK_RATINGS
from app.book.reads import CustomerDetail
from app.book.service import CustomerBook
from app.tasks import Progress
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext
from ui.book.widgets import ErrorForm, OptionalDate, hint
from ui.naming import named

Values = dict[str, object]


def baseline(detail: CustomerDetail) -> Values:
    """The stored values in the form's shape (the names `update_customer` takes)."""
    return {
        "name": detail.display_name,
        "legal_name": detail.legal_name,
        "kind": detail.kind,
        "country": detail.country or "",
        "owner": detail.owner or "",
        "external_id": detail.external_id or "",
        "kyc_status": detail.kyc_status,
        "kyc_expires_at": detail.kyc_expires_at or None,
        "risk_rating": detail.risk_rating or "",
        "risk_reason": detail.risk_reason or "",
        "email": "; ".join(detail.emails),
        "phone": "; ".join(detail.phones),
        "tags": "; ".join(detail.tags),
    }


def _combo(
    name: str, codes: tuple[str, ...], labels: dict[str, str], *, blank: str = ""
) -> QComboBox:
    combo = named(QComboBox(), name)
    if blank:
        combo.addItem(blank, "")
    for code in codes:
        combo.addItem(fmt.label(code, labels), code)
    return combo


class ProfileForm(QWidget):
    """Emits `dirty_changed(bool)` as edits appear or are saved."""

    dirty_changed = Signal(bool)

    def __init__(
        self,
        context: BookContext,
        customer_id: Callable[[], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._customer_id = customer_id
        self._baseline: Values = {}
        self._dirty = False
        self._filling = False
        self.name = named(QLineEdit(), "profileName")
        self.legal_name = named(QLineEdit(), "profileLegalName")
        self.kind = _combo("profileKind", KINDS, fmt.KIND_LABELS)
        self.country = named(QLineEdit(), "profileCountry")
        self.country.setMaxLength(2)
        self.country.setMaximumWidth(60)
        self.country.setPlaceholderText("DE")
        self.owner = named(QLineEdit(), "profileOwner")
        self.owner.setPlaceholderText("Who at the desk looks after this customer")
        self.external_id = named(QLineEdit(), "profileExternalId")
        self.kyc_status = _combo("profileKyc", KYC_STATUSES, fmt.KYC_LABELS)
        self.kyc_expires = OptionalDate("Expires on")
        self.kyc_expires.setObjectName("profileKycExpires")
        self.risk_rating = _combo("profileRisk", RISK_RATINGS, fmt.RISK_LABELS, blank="Not rated")
        self.risk_reason = named(QLineEdit(), "profileRiskReason")
        self.risk_reason.setPlaceholderText("Why this rating (kept in the history)")
        self.emails = named(QLineEdit(), "profileEmails")
        self.phones = named(QLineEdit(), "profilePhones")
        self.tags = named(QLineEdit(), "profileTags")
        for edit, text in (
            (self.emails, "name@example.com; other@example.com"),
            (self.phones, "+49 30 1234567; +65 …"),
            (self.tags, "otc; vip"),
        ):
            edit.setPlaceholderText(text)
        self.form = ErrorForm()
        self.form.add("name", "Name *", self.name)
        self.form.add("legal_name", "Legal name", self.legal_name)
        self.form.add("kind", "Kind", self.kind)
        self.form.add("country", "Country", self.country)
        self.form.add("external_id", "External ID", self.external_id)
        self.form.add("owner", "Owner", self.owner)
        self.form.add("kyc_status", "KYC status", self.kyc_status)
        self.form.add("kyc_expires_at", "KYC expiry", self.kyc_expires)
        self.form.add("risk_rating", "Risk rating", self.risk_rating)
        self.form.add("risk_reason", "Risk reason", self.risk_reason)
        self.form.add("email", "Emails", self.emails, aliases=("emails",))
        self.form.add("phone", "Phones", self.phones, aliases=("phones",))
        self.form.add("tags", "Tags", self.tags)
        self.save_button = named(QPushButton("Save"), "saveProfile")
        self.save_button.setToolTip("Save the profile (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Undo changes")
        self.revert_button.clicked.connect(self.revert)
        self.status = named(hint(""), "profileStatus")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        # A form a person reads down, not a row of fields across a wide screen.
        column = QWidget()
        column.setMaximumWidth(760)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(self.form)
        inner.addWidget(self.form.general)
        inner.addSpacing(8)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(column)
        layout.addStretch(1)
        for edit in (
            self.name,
            self.legal_name,
            self.country,
            self.owner,
            self.external_id,
            self.risk_reason,
            self.emails,
            self.phones,
            self.tags,
        ):
            edit.textChanged.connect(self._edited)
        for combo in (self.kind, self.kyc_status, self.risk_rating):
            combo.currentIndexChanged.connect(self._edited)
        self.kyc_expires.check.toggled.connect(self._edited)
        self.kyc_expires.edit.dateTimeChanged.connect(self._edited)
        self._update_buttons()

    # --- values ------------------------------------------------------------------------

    def values(self) -> Values:
        return {
            "name": self.name.text().strip(),
            "legal_name": self.legal_name.text().strip(),
            "kind": self.kind.currentData(),
            "country": self.country.text().strip().upper(),
            "owner": self.owner.text().strip(),
            "external_id": self.external_id.text().strip(),
            "kyc_status": self.kyc_status.currentData(),
            "kyc_expires_at": self.kyc_expires.value(),
            "risk_rating": self.risk_rating.currentData(),
            "risk_reason": self.risk_reason.text().strip(),
            "email": self.emails.text().strip(),
            "phone": self.phones.text().strip(),
            "tags": self.tags.text().strip(),
        }

    def changes(self) -> Values:
        current = self.values()
        return {k: v for k, v in current.items() if self._baseline.get(k) != v}

    @property
    def dirty(self) -> bool:
        return self._dirty

    def show_detail(self, detail: CustomerDetail) -> None:
        """New stored values; edits in progress are kept (and compared with the new values)."""
        keep_edits = self._dirty
        self._baseline = baseline(detail)
        if not keep_edits:
            self._fill(self._baseline)
        self.setEnabled(detail.erased_at is None and detail.merged_into is None)
        self._edited()

    def _fill(self, values: Values) -> None:
        self._filling = True  # one dirty check at the end, not one per field
        try:
            self._fill_fields(values)
        finally:
            self._filling = False

    def _fill_fields(self, values: Values) -> None:
        self.name.setText(str(values["name"]))
        self.legal_name.setText(str(values["legal_name"]))
        self.kind.setCurrentIndex(max(0, self.kind.findData(values["kind"])))
        self.country.setText(str(values["country"]))
        self.owner.setText(str(values["owner"]))
        self.external_id.setText(str(values["external_id"]))
        self.kyc_status.setCurrentIndex(max(0, self.kyc_status.findData(values["kyc_status"])))
        expires = values["kyc_expires_at"]
        self.kyc_expires.set_value(str(expires) if expires else None)
        self.risk_rating.setCurrentIndex(max(0, self.risk_rating.findData(values["risk_rating"])))
        self.risk_reason.setText(str(values["risk_reason"]))
        self.emails.setText(str(values["email"]))
        self.phones.setText(str(values["phone"]))
        self.tags.setText(str(values["tags"]))
        self.form.clear_errors()

    def revert(self) -> None:
        self._fill(self._baseline)
        self._edited()

    def clear(self) -> None:
        """Lock: no personal value stays in a widget."""
        self._baseline = {}
        for edit in (
            self.name,
            self.legal_name,
            self.country,
            self.owner,
            self.external_id,
            self.risk_reason,
            self.emails,
            self.phones,
            self.tags,
        ):
            edit.clear()
        self._dirty = False

    def _edited(self, *_args: object) -> None:
        if self._filling:
            return
        dirty = bool(self._baseline) and bool(self.changes())
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self._dirty)
        self.revert_button.setEnabled(self._dirty)
        if self._dirty:
            self.status.setText("Unsaved changes (Ctrl+S saves)")
        elif self.status.text().startswith("Unsaved"):
            self.status.setText("")

    # --- saving ------------------------------------------------------------------------

    def save(self) -> None:
        customer_id = self._customer_id()
        changes = self.changes()
        if customer_id is None or not changes:
            return
        self.form.clear_errors()
        self.save_button.setEnabled(False)
        self.status.setText("Saving…")

        def work(book: CustomerBook, _progress: Progress) -> bool:
            return update_customer(book, customer_id, changes)

        self.context.write(
            self, work, changes=(ctx.CUSTOMERS,), on_success=self._saved, on_failure=self._failed
        )

    def _saved(self, changed: bool) -> None:
        # The page reloads on the change news; until then the new values are the baseline.
        self._baseline = self.values()
        self._edited()
        self.status.setText("Saved." if changed else "Nothing changed.")

    def _failed(self, error: BaseException) -> None:
        self.form.show_error(error)
        self._update_buttons()
        self.status.setText("Not saved: see the field marked in red.")
