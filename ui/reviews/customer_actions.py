"""On a customer's page: "Review / case" menu with Record review… (Ctrl+Shift+V) and
Open case… (Ctrl+Shift+J). Installed by the workspace, so the book's page needs not
know about reviews or cases. GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QPushButton

from app.book.reads import CustomerDetail
from app.cases.model import CaseView
from ui.approvals.request_actions import _header
from ui.book.detail.page import CustomerDetailPage
from ui.book.dialogs import open_dialog
from ui.book.widgets import shortcut_action
from ui.cases.dialogs import TextDialog
from ui.errors import show_error, show_message
from ui.naming import named
from ui.reviews.context import CasesContext, ReviewsContext
from ui.reviews.record_dialog import RecordReviewDialog


class CustomerReviewActions(QObject):
    #: a case was opened from the page (its id): the Cases section shows it
    case_opened = Signal(str)

    def __init__(
        self, reviews: ReviewsContext, cases: CasesContext, page: CustomerDetailPage
    ) -> None:
        super().__init__(page)
        self.reviews = reviews
        self.cases = cases
        self.page = page
        menu = QMenu(page)
        self.review_action = shortcut_action(
            page, self.tr("Record review…"), "Ctrl+Shift+V", self.record_review
        )
        self.case_action = shortcut_action(
            page, self.tr("Open case…"), "Ctrl+Shift+J", self.open_case
        )
        menu.addAction(self.review_action)
        menu.addAction(self.case_action)
        self.button = named(QPushButton(self.tr("Review / case")), "reviewCaseButton")
        self.button.setToolTip(self.tr("Record a periodic review, or open a case"))
        self.button.setMenu(menu)
        header = _header(page)
        if header is not None:
            header.insertWidget(header.count() - 3, self.button)

    def _customer(self) -> CustomerDetail | None:
        detail = self.page.detail
        if detail is None or detail.erased_at is not None or detail.merged_into is not None:
            return None
        if not detail.external_id:
            show_message(
                self.page,
                self.tr("Review / case"),
                self.tr(
                    "Give the customer an external ID first (Profile): reviews and cases "
                    "name it by that."
                ),
            )
            return None
        return detail

    def record_review(self) -> RecordReviewDialog | None:
        detail = self._customer()
        if detail is None:
            return None
        return open_dialog(
            RecordReviewDialog(
                self.reviews, detail.external_id or "", detail.display_name, self.page
            )
        )

    def open_case(self) -> TextDialog | None:
        detail = self._customer()
        if detail is None:
            return None
        external_id = detail.external_id or ""
        title = self.tr("Open a case about {}").format(detail.display_name)

        def failed(error: BaseException) -> None:
            show_error(self.page, title, error, debug=self.cases.debug)

        def opened(case: CaseView) -> None:
            self.case_opened.emit(case.id)

        def start(values: dict[str, str]) -> None:
            self.cases.write(
                self.page,
                lambda s, _p: s.open_case(external_id, values["text"]),
                on_success=opened,
                on_failure=failed,
            )

        return open_dialog(
            TextDialog(
                title=title, prompt=self.tr("What is suspected"), on_ok=start, parent=self.page
            )
        )
