"""Making an approval request: whitelist, withdrawal, onboarding / KYC, risk override.

Checked before anything is stored: the amount is a positive number, the asset
a ticker, the address valid for its chain (app/addresses, the rule the book
uses). Several addresses chosen in Wallets make one request each, with
progress. The request is stored and signed on the database worker.
GUI thread only.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QSizePolicy,
    QWidget,
)

from app.addresses import CHAINS, AddressError, normalize
from app.approvals.model import ApprovalError, QueueRow, RequestKind
from app.approvals.service import ApprovalService
from app.prices.valuation import Valuation
from app.tasks import Progress
from ui.approvals import format as fmt
from ui.approvals import value_text
from ui.approvals.context import ApprovalsContext
from ui.book import format as book_fmt
from ui.book.widgets import ErrorForm, hint, show_text
from ui.naming import named
from ui.worker_dialog import WorkerDialog
from vault.book.customers import record as customer_record

ASSET = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,15}$")
_INTROS = {
    "whitelist": "Allow withdrawals to this address once the policy's approvers agree.",
    "withdrawal": "Send an amount to an address; its value at the stored price decides how "
    "many approvers it needs.",
    "onboarding": "Approve this customer's onboarding and KYC.",
    "risk_override": "Accept an address despite its risk, with a justification the approvers "
    "read and sign.",
}


@dataclass(frozen=True)
class Customer:
    """Who the request is for: the service names customers by external ID."""

    id: int
    name: str
    external_id: str | None


@dataclass(frozen=True)
class Target:
    """An address a request is about (with the customer holding it)."""

    customer: Customer
    chain: str
    address: str


def parse_amount(text: str, *, required: bool) -> Decimal | None:
    """ "12,500.50" -> Decimal("12500.50"); raises ValueError with a reason for people."""
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if not cleaned:
        if required:
            raise ValueError("Give an amount.")
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text.strip()}” is not a number.") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("The amount must be more than 0.")
    if value.as_tuple().exponent < -18:  # type: ignore[operator]
        raise ValueError("At most 18 decimal places.")
    return value


def parse_asset(text: str) -> str:
    asset = text.strip().upper()
    if not asset:
        raise ValueError("Give the asset, e.g. USDT or BTC.")
    if not ASSET.match(asset):
        raise ValueError("An asset is a ticker of letters and digits, e.g. USDT or ETH.")
    return asset


def external_ids(service: ApprovalService, customers: Sequence[Customer]) -> dict[int, str]:
    """Database worker: each customer's external ID, which requests name customers by;
    raises before anything is made when one has none."""
    found: dict[int, str] = {}
    missing: list[str] = []
    for customer in customers:
        if customer.id in found:
            continue
        ref = customer.external_id
        if not ref:
            stored = customer_record(service.vault.conn, customer.id)
            ref = str(stored.get("external_id") or "") if stored else ""
        if ref:
            found[customer.id] = ref
        else:
            missing.append(customer.name)
    if missing:
        raise ApprovalError(
            f"{', '.join(sorted(set(missing))[:3])}: no external ID, which requests name "
            "customers by. Give one on the customer's Profile tab first."
        )
    return found


class RequestDialog(WorkerDialog):
    """One kind of request for one customer, or a whitelist request per chosen address."""

    #: the rows of the new requests
    created = Signal(object)

    def __init__(
        self,
        context: ApprovalsContext,
        kind: RequestKind,
        customer: Customer,
        *,
        targets: Sequence[Target] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context.services, parent)
        self.setObjectName("requestDialog")
        self.context = context
        self.kind: RequestKind = kind
        self.customer = customer
        self.targets = list(targets)
        self.made: list[QueueRow] = []
        many = len(self.targets) > 1
        title = fmt.label(kind, fmt.KIND_LABELS)
        self.setWindowTitle(f"Request: {title}" + (f" × {len(self.targets)}" if many else ""))

        self.form = ErrorForm()
        who = QLabel(
            f"<b>{html.escape(customer.name)}</b>"
            + (f"  ·  {customer.external_id}" if customer.external_id else f"  ·  #{customer.id}")
            if not many
            else f"<b>{len(self.targets)} addresses</b> of "
            f"{len({t.customer.id for t in self.targets})} customer(s)"
        )
        self.form.add("customer", "For", who)
        self.chain = named(QComboBox(), "requestChain")
        self.chain.addItems(list(CHAINS))
        self.address = self._line("requestAddress", "Paste the address exactly as given")
        self.address.setFont(book_fmt.mono())
        self.asset = self._line("requestAsset", "e.g. USDT")
        self.amount = self._line("requestAmount", "e.g. 25,000")
        self.limit = self._line("requestLimit", "optional: the most per withdrawal")
        self.justification = named(QPlainTextEdit(), "requestJustification")
        self.justification.setPlaceholderText(
            "Why this address is acceptable despite its risk (read and signed by the approvers)"
        )
        self.justification.setTabChangesFocus(True)
        self.justification.setFixedHeight(90)
        self.justification.setProperty("lockWhileBusy", True)
        self.progress = named(QProgressBar(), "requestProgress")
        self.progress.hide()

        if kind == "withdrawal":
            self.form.add("asset", "Asset *", self.asset)
            self.form.add("amount", "Amount *", self.amount)
        if kind in ("whitelist", "withdrawal", "risk_override"):
            if many:
                lines = [f"{t.chain}  {t.address}" for t in self.targets[:8]]
                if len(self.targets) > len(lines):
                    lines.append(f"… and {len(self.targets) - len(lines):,} more")
                listing = hint("\n".join(lines))
                listing.setWordWrap(False)
                listing.setFont(book_fmt.mono())
                self.form.add("address", "Addresses", listing)
            else:
                self.form.add("chain", "Chain", self.chain)
                self.form.add("address", "Address *", self.address)
                if self.targets:
                    self._fill(self.targets[0])
        if kind == "whitelist":
            self.form.add("limit", "Limit", self.limit)
        # What the tiers will count, from the stored prices (read on the database worker).
        self.value = named(QLabel(), "requestValue")
        self.value.setWordWrap(True)
        self.value.setTextFormat(Qt.TextFormat.RichText)
        # Empty when the form is laid out: without this it keeps that first narrow width.
        self.value.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._value_timer = QTimer(self)
        self._value_timer.setSingleShot(True)
        self._value_timer.setInterval(250)
        self._value_timer.timeout.connect(self._ask_value)
        self._value_asked = 0
        if kind in ("whitelist", "withdrawal"):
            self.form.add("value", self.tr("Value"), self.value)
            for edit in (self.asset, self.amount, self.limit):
                edit.textChanged.connect(self._value_timer.start)
            self._value_timer.start()
        if kind == "risk_override":
            self.form.add("justification", "Justification *", self.justification)
        self.body.addWidget(hint(_INTROS[kind]))
        self.body.addLayout(self.form)
        self.body.addWidget(self.form.general)
        self.body.addWidget(self.progress)
        self.set_ok_text("Request" + (f" {len(self.targets)}" if many else ""))
        for edit in (self.address, self.asset, self.amount):
            edit.textChanged.connect(self.update_ok)
        self.justification.textChanged.connect(self.update_ok)
        self.update_ok()
        first = {"withdrawal": self.asset, "risk_override": self.justification}.get(kind)
        if first is None and kind != "onboarding":
            first = self.limit if self.targets else self.address
        if first is not None:
            first.setFocus()

    # --- the value the tiers count ----------------------------------------------------

    def _ask_value(self) -> None:
        """Value what is typed so far; only the newest answer is shown."""
        self._value_asked += 1
        asked = self._value_asked
        figure: Decimal | None
        try:
            if self.kind == "withdrawal":
                asset: str | None = parse_asset(self.asset.text())
                figure = parse_amount(self.amount.text(), required=True)
            else:
                asset, figure = None, parse_amount(self.limit.text(), required=False)
        except ValueError:
            figure = None
        if figure is None:
            self.value.setText(
                self.tr("No limit: the top tier applies.")
                if self.kind == "whitelist" and not self.limit.text().strip()
                else ""
            )
            return
        kind = self.kind

        def show(found: Valuation | None) -> None:
            if asked == self._value_asked:
                self.value.setText(self._value_text(found))

        self.context.call(self, lambda s: s.value_of(kind, asset, figure), on_success=show)

    def _value_text(self, found: Valuation | None) -> str:
        if found is None:
            return ""
        now = datetime.now(UTC)
        price = html.escape(value_text.price_line(found, now))
        if found.value is None:
            why = html.escape(found.missing)
            return (
                '<span style="color:#8d5300">'
                + self.tr("No fresh price ({why}): the top tier applies.").format(why=why)
                + f"</span><br><small>{price}</small>"
            )
        money = html.escape(value_text.money(found.value, found.currency))
        return f"<b>{money}</b><br><small>{price}</small>"

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = named(QLineEdit(), name)
        edit.setPlaceholderText(placeholder)
        edit.setProperty("lockWhileBusy", True)
        return edit

    def _fill(self, target: Target) -> None:
        index = self.chain.findText(target.chain)
        if index >= 0:
            self.chain.setCurrentIndex(index)
        self.address.setText(target.address)

    # --- checking --------------------------------------------------------------

    def can_submit(self) -> bool:
        if self.kind == "risk_override" and not self.justification.toPlainText().strip():
            return False
        if self.kind == "withdrawal" and not (self.asset.text().strip() and self.amount.text()):
            return False
        needs_address = self.kind != "onboarding" and len(self.targets) <= 1
        return not needs_address or bool(self.address.text().strip())

    def _checked(self) -> list[Target] | None:
        """The targets with canonical addresses, or None after showing what is wrong."""
        if self.kind == "onboarding":
            return []
        if len(self.targets) > 1:
            return self.targets
        chain = self.chain.currentText()
        try:
            address = normalize(chain, self.address.text())
        except AddressError as error:
            text = str(error)
            show_text(self.form.error_for("address"), text[:1].upper() + text[1:])
            self.address.setFocus()
            return None
        return [Target(self.customer, chain, address)]

    def _values(self) -> tuple[Decimal | None, str, Decimal | None] | None:
        """(amount, asset, limit) checked, or None after showing what is wrong."""
        try:
            amount = limit = None
            asset = ""
            if self.kind == "withdrawal":
                field, edit = "asset", self.asset
                asset = parse_asset(self.asset.text())
                field, edit = "amount", self.amount
                amount = parse_amount(self.amount.text(), required=True)
            if self.kind == "whitelist":
                field, edit = "limit", self.limit
                limit = parse_amount(self.limit.text(), required=False)
        except ValueError as error:
            show_text(self.form.error_for(field), str(error))
            edit.setFocus()
            return None
        return amount, asset, limit

    # --- making --------------------------------------------------------------------

    def submit(self) -> None:
        self.form.clear_errors()
        values = self._values()
        targets = self._checked()
        if values is None or targets is None:
            return
        amount, asset, limit = values
        kind, justification = self.kind, self.justification.toPlainText().strip()
        customer = self.customer

        def work(service: ApprovalService, p: Progress) -> list[QueueRow]:
            refs = external_ids(service, [t.customer for t in targets] or [customer])
            if kind == "onboarding":
                return [service.request_onboarding(refs[customer.id])]
            made = []
            for done, t in enumerate(targets):
                p("Requesting", done, len(targets))
                ref = refs[t.customer.id]
                if kind == "whitelist":
                    made.append(service.request_whitelist(ref, t.chain, t.address, limit))
                elif kind == "withdrawal":
                    assert amount is not None
                    made.append(service.request_withdrawal(ref, asset, amount, t.chain, t.address))
                else:
                    made.append(
                        service.request_risk_override(ref, t.chain, t.address, justification)
                    )
            return made

        if len(targets) > 1:
            self.progress.setRange(0, len(targets))
            self.progress.show()
        self.start(
            lambda success, failure: self.context.write(
                self,
                work,
                on_success=success,
                on_failure=failure,
                on_progress=lambda _phase, done, _total: self.progress.setValue(done),
            ),
            on_success=self._made,
            on_failure=self.form.show_error,
        )

    def _made(self, rows: list[QueueRow]) -> None:
        self.made = rows
        self.created.emit(rows)
        self.accept()
