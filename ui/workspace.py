"""What an unlocked vault shows: section navigation on the left, the section on the right.

Built on unlock and deleted on lock, so nothing read from the vault
outlives the lock. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QStackedWidget, QWidget

from app.session import VaultSession
from ui.alerts.context import AlertsContext
from ui.alerts.page import AlertsPage
from ui.approvals.context import ApprovalsContext
from ui.approvals.page import ApprovalsPage
from ui.approvals.request_actions import CustomerRequests, WalletRequests
from ui.audit_page import AuditPage
from ui.book import context as ctx
from ui.book.context import BookContext, RefreshWhenShown
from ui.book.customers_page import CustomersPage
from ui.book.wallets_page import WalletsPage
from ui.cases.page import CasesPage
from ui.dashboards.drill_through import open_drill
from ui.dashboards.page import DashboardsPage
from ui.naming import named
from ui.reviews.context import CasesContext, ReviewsContext
from ui.reviews.customer_actions import CustomerReviewActions
from ui.reviews.page import ReviewsPage
from ui.screening.context import ScreeningContext
from ui.screening.customer_tab import CustomerScreeningTab
from ui.screening.page import ScreeningPage
from ui.sections import SECTIONS, NotBuiltPage, go_key
from ui.services import Services
from ui.sync.context import SyncContext
from ui.sync.page import SyncPage


class Workspace(QWidget):
    def __init__(
        self, session: VaultSession, services: Services, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.nav = named(QListWidget(), "sectionNav")
        # 150: room for "Alerts (12,345)" and leaves a 1000-pixel window to the pages.
        self.nav.setFixedWidth(150)
        self.nav.setSpacing(2)
        self.nav.setIconSize(QSize(0, 0))
        self.nav.setStyleSheet(
            "QListWidget { border: none; border-right: 1px solid #d0d0d0; outline: 0;"
            " background: palette(window); font-size: 11pt; padding-top: 6px; }"
            "QListWidget::item { padding: 8px 12px; border-radius: 4px; }"
            "QListWidget::item:selected { background: palette(highlight);"
            " color: palette(highlighted-text); }"
        )
        self.stack = named(QStackedWidget(), "sectionStack")
        self.book = BookContext(session, services, self)
        self.customers = CustomersPage(self.book)
        self.wallets = WalletsPage(self.book)
        self.wallets.open_customer.connect(self.open_customer)
        self.audit: AuditPage | None = AuditPage(session, services)
        # Every book change is an event: the log catches up the next time it is shown.
        audit_refresher = RefreshWhenShown(self.audit, self.audit.refresh)
        self.book.changed.connect(lambda _names: audit_refresher.request())
        self.approvals_context = ApprovalsContext(session, services, self)
        self.approvals = ApprovalsPage(self.approvals_context)
        self.approvals.open_customer.connect(self.open_customer)
        self.customer_requests = CustomerRequests(self.approvals_context, self.customers.detail)
        self.customer_requests.show_requests.connect(self.show_requests)
        self.wallet_requests = WalletRequests(self.approvals_context, self.wallets)
        self.approvals_context.changed.connect(audit_refresher.request)
        built: dict[str, QWidget] = {
            "customers": self.customers,
            "wallets": self.wallets,
            "approvals": self.approvals,
            "audit": self.audit,
        }
        self.screening_context = ScreeningContext(session, services, self)
        self.screening = ScreeningPage(self.screening_context)
        built["screening"] = self.screening
        detail = self.customers.detail
        self.customer_screening = CustomerScreeningTab(
            self.screening_context, self.book, lambda: detail.customer_id
        )
        detail.tabs.addTab(self.customer_screening, "Screening")
        self.screening_context.changed.connect(audit_refresher.request)
        self.screening_context.changed.connect(self.approvals.screenings_changed)
        self.dashboards = DashboardsPage(self.book.reader)
        self.dashboards.open_drill.connect(lambda label, drill: open_drill(self, label, drill))
        for context in (self.book, self.screening_context, self.approvals_context):
            context.changed.connect(lambda *_args: self.dashboards.data_changed())
        built["dashboards"] = self.dashboards
        self.alerts_context = AlertsContext(session, services, self)
        self.alerts = AlertsPage(self.alerts_context)
        self.alerts.open_customer.connect(self.open_customer)
        self.alerts.show_requests.connect(self.show_requests)
        # Every change that can trigger a rule (book and imports, screenings, explorer
        # fetches and list imports, requests and decisions) runs the rules soon after.
        for context in (self.book, self.screening_context, self.approvals_context):
            context.changed.connect(lambda *_args: self.alerts_context.schedule())
        self.alerts_context.open_count.connect(self._show_alert_count)
        self.alerts_context.changed.connect(audit_refresher.request)
        self.alerts_context.changed.connect(self.dashboards.data_changed)
        built["alerts"] = self.alerts
        book_holder, approvals_holder = self.book.holder, self.approvals_context.holder

        def forget() -> None:  # database worker: remote facts came in, drop the caches
            book_holder.forget()
            approvals_holder.forget()

        self.sync_context = SyncContext(session, services, self, forget=forget)
        self.sync = SyncPage(self.sync_context)
        built["sync"] = self.sync
        # A local write is shared once the user pauses; a sync's news reloads the views.
        self.book.changed.connect(lambda _names: self.sync_context.local_change())
        self.approvals_context.changed.connect(self.sync_context.local_change)
        self.screening_context.changed.connect(self.sync_context.local_change)
        self.sync_context.synced.connect(self._synced)
        self.reviews_context = ReviewsContext(session, services, self)
        self.cases_context = CasesContext(session, services, self)
        self.reviews = ReviewsPage(self.reviews_context)
        self.reviews.open_customer.connect(self.open_customer)
        self.cases = CasesPage(self.cases_context)
        built["reviews"], built["cases"] = self.reviews, self.cases
        self.customer_reviews = CustomerReviewActions(
            self.reviews_context, self.cases_context, self.customers.detail
        )
        self.customer_reviews.case_opened.connect(self.show_case)
        # A review, a document or a profile change moves the due list; a case's
        # closing request is an approval; all are events for the audit log.
        self.book.changed.connect(lambda _names: self.reviews_context.changed.emit())
        # A decision may close a case; asking to close one makes a request. (The queue
        # is told directly: re-emitting each other's signal would loop.)
        self.approvals_context.changed.connect(self.cases_context.changed.emit)
        self.cases_context.changed.connect(self.approvals.refresh_when_shown)
        self.reviews_context.changed.connect(audit_refresher.request)
        self.cases_context.changed.connect(audit_refresher.request)
        self.reviews_context.changed.connect(self.sync_context.local_change)
        self.cases_context.changed.connect(self.sync_context.local_change)
        for number, section in enumerate(SECTIONS, start=1):
            self.nav.addItem(section.title)
            self.nav.item(number - 1).setToolTip(f"{section.title} ({go_key(number - 1)})")
            self.stack.addWidget(built.get(section.key) or NotBuiltPage(section))
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        # Open on the first section that exists rather than on a "not built" page.
        self.nav.setCurrentRow(next(i for i, s in enumerate(SECTIONS) if s.arrives_with is None))
        self.alert_count = 0
        self.alerts_context.count()
        self.alerts_context.schedule()  # what changed while the vault was locked

    def _show_alert_count(self, count: int) -> None:
        """The navigation's badge: the open alerts' count beside the section's title."""
        self.alert_count = count
        row = next(i for i, s in enumerate(SECTIONS) if s.key == "alerts")
        item = self.nav.item(row)
        title = self.tr("Alerts")
        item.setText(f"{title} ({count:,})" if count else title)
        item.setToolTip(self.tr("%n open alert(s)", "", count) + f" ({go_key(row)})")

    def _synced(self) -> None:
        """Other devices' events were applied: every view of the vault reloads."""
        self.book.announce(ctx.CUSTOMERS, ctx.ADDRESSES, ctx.CONFLICTS, ctx.CUSTOM_FIELDS)
        self.approvals_context.changed.emit()
        self.screening_context.changed.emit()

    def select(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def select_key(self, key: str) -> None:
        self.select(next(i for i, s in enumerate(SECTIONS) if s.key == key))

    def open_customer(self, customer_id: int) -> None:
        """Show one customer's page (from Wallets, Conflicts, ...)."""
        self.select_key("customers")
        self.customers.open_customer(customer_id)

    def show_requests(self, customer: str) -> None:
        """The approval queue, filtered to one customer."""
        self.select_key("approvals")
        self.approvals.show_customer(customer)

    def show_case(self, case_id: str) -> None:
        """The Cases section, once its list holds the case, with it chosen."""
        self.select_key("cases")
        self.cases.status.setCurrentIndex(self.cases.status.count() - 1)  # all cases
        self.cases.pending_choice = case_id
        self.cases.reload()

    def focus_search(self) -> None:
        """Ctrl+K from anywhere: the customer search box."""
        self.select_key("customers")
        self.customers.focus_search()

    def screen_selection(self, *, refresh: bool = False) -> str:
        """Ctrl+Shift+S / Ctrl+Shift+R: screen what the current section has selected
        (Wallets or Screening rows, or the open customer). '' once started, else why not."""
        key = self.current_key()
        busy = "Another screening is running: wait, or cancel it (Screening › Cancel)."
        if key == "customers" and self.customers.currentWidget() is self.customers.detail:
            return "" if self.customer_screening.screen_customer(refresh=refresh) else busy
        if key == "wallets":
            targets = self.wallets.selected_targets()
        elif key == "screening":
            targets = self.screening.selected_targets()
        else:
            targets = []
        if not targets:
            return "Select addresses in Wallets or Screening, or open a customer, to screen them."
        plural = "es" if len(targets) != 1 else ""
        label = f"{len(targets)} selected address{plural}"
        return "" if self.screening_context.screen(targets, label=label, refresh=refresh) else busy

    def fetch_explorer_selection(self) -> str:
        """Ctrl+Shift+E: explorer data for what the current section has selected (Wallets
        or Screening rows, else the address shown in Screening, or the open customer).
        '' once started, else why not."""
        key = self.current_key()
        busy = "An explorer fetch is running: wait, or cancel it (Screening › Cancel explorer)."
        if key == "customers" and self.customers.currentWidget() is self.customers.detail:
            return "" if self.customer_screening.fetch_explorer() else busy
        targets: list[tuple[str, str]] = []
        if key == "wallets":
            targets = self.wallets.selected_targets()
        elif key == "screening":
            targets = self.screening.selected_targets()
            if not targets and self.screening.panel.target is not None:
                targets = [self.screening.panel.target]
        if not targets:
            return (
                "Select addresses in Wallets or Screening, or open a customer, to fetch "
                "their explorer data."
            )
        plural = "es" if len(targets) != 1 else ""
        label = f"{len(targets)} selected address{plural}"
        return "" if self.screening_context.explorer.fetch(targets, label=label) else busy

    def current_key(self) -> str:
        return SECTIONS[self.stack.currentIndex()].key

    def close_vault_views(self) -> None:
        """Lock: drop every view's data before the widget is deleted, and the book
        (its forgetting is queued on the worker ahead of the lock)."""
        self.customers.close_vault_views()
        self.wallets.close_vault_views()
        self.sync_context.close()
        self.screening_context.close()
        self.screening.close_vault_views()
        self.customer_screening.clear()
        self.approvals.close_vault_views()
        self.reviews.close_vault_views()
        self.cases.close_vault_views()
        self.reviews_context.close()
        self.cases_context.close()
        self.approvals_context.close()
        self.dashboards.close_vault_views()
        self.alerts.close_vault_views()
        self.alerts_context.close()
        if self.audit is not None:
            self.audit.close_vault_views()
        self.book.close()
