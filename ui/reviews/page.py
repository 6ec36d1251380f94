"""The Reviews section: who is due for a periodic review and why, sortable and
filterable, with Record review and Open customer. Loads on the database worker when
shown and after each review. GUI thread."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.reviews.due import DueItem
from ui.book.context import RefreshWhenShown
from ui.book.dialogs import open_dialog
from ui.book.widgets import empty_state, table_view
from ui.errors import describe, log
from ui.naming import named
from ui.reviews.context import ReviewsContext
from ui.reviews.model import REASON_LABELS, DueFilter, DueModel
from ui.reviews.record_dialog import RecordReviewDialog


class ReviewsPage(QWidget):
    #: a customer's page, by id
    open_customer = Signal(int)

    def __init__(self, context: ReviewsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewsPage")
        self.context = context
        self.model = DueModel(self)
        self.proxy = DueFilter(self)
        self.proxy.setSourceModel(self.model)
        self.within = named(QSpinBox(), "reviewsWithin")
        self.within.setRange(0, 3660)
        self.within.setSuffix(self.tr(" days ahead"))
        self.within.setToolTip(self.tr("Also list those due within this many days"))
        self.kind = named(QComboBox(), "reviewsReason")
        self.kind.addItem(self.tr("Every reason"), "")
        for key, label in REASON_LABELS.items():
            self.kind.addItem(self.tr(label), key)
        self.overdue = named(QCheckBox(self.tr("Overdue only")), "reviewsOverdue")
        self.search = named(QLineEdit(), "reviewsSearch")
        self.search.setPlaceholderText(self.tr("Customer or name"))
        self.search.setClearButtonEnabled(True)
        self.record_button = named(QPushButton(self.tr("Record review…")), "recordReviewButton")
        self.customer_button = named(QPushButton(self.tr("Open customer")), "openDueCustomer")
        self.summary = named(QLabel(), "reviewsSummary")
        self.view = table_view("reviewsTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # the earliest due first
        for column, width in enumerate((100, 180, 70, 95, 80, 95)):
            self.view.setColumnWidth(column, width)
        self.empty = empty_state(
            self.tr(
                "Nobody is due for review: every customer was reviewed within their "
                "risk rating's interval and no document or KYC approval is expiring."
            ),
            "reviewsEmpty",
        )
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("<h2>Periodic reviews</h2>")))
        top.addStretch(1)
        top.addWidget(self.record_button)
        top.addWidget(self.customer_button)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.kind)
        filters.addWidget(self.within)
        filters.addWidget(self.overdue)
        filters.addStretch(1)
        filters.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        self.search.textChanged.connect(self._filter)
        self.kind.currentIndexChanged.connect(self._filter)
        self.overdue.toggled.connect(self._filter)
        self.within.valueChanged.connect(lambda _v: self.reload())
        self.record_button.clicked.connect(self.record_selected)
        self.customer_button.clicked.connect(self._open_selected)
        self.view.doubleClicked.connect(lambda _i: self._open_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._enable())
        self._refresher = RefreshWhenShown(self, self.reload)
        context.changed.connect(self._refresher.request)
        self._refresher.request()  # read when first shown, not at unlock
        self._generation = 0
        self._enable()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        within = self.within.value()
        self.summary.setText(self.tr("Reading…"))
        self.context.ask(
            self,
            lambda s: (s.due(within_days=within), s.today()),
            on_success=lambda found: self._loaded(generation, *found),
            on_failure=self._failed,
        )

    def _loaded(self, generation: int, items: list[DueItem], today: date) -> None:
        if generation != self._generation:
            return
        self.model.set_items(items, today)
        self._filter()

    def _failed(self, error: BaseException) -> None:
        log(error, debug=self.context.debug)
        self.summary.setText(describe(error))

    def _filter(self) -> None:
        self.proxy.set_filter(
            text=self.search.text(),
            kind=str(self.kind.currentData() or ""),
            overdue_only=self.overdue.isChecked(),
        )
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        overdue = sum(1 for i in self.model.rows if i.overdue_days(self.model.today))
        self.summary.setText(self.tr("{} of {} due · {} overdue").format(shown, total, overdue))
        self.view.setVisible(total > 0)
        self.empty.setVisible(total == 0)
        self._enable()

    def selected(self) -> DueItem | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def _enable(self) -> None:
        chosen = self.selected()
        self.record_button.setEnabled(chosen is not None and bool(chosen.customer.external_id))
        self.customer_button.setEnabled(chosen is not None)

    def record_selected(self) -> RecordReviewDialog | None:
        chosen = self.selected()
        if chosen is None or not chosen.customer.external_id:
            return None
        c = chosen.customer
        return open_dialog(RecordReviewDialog(self.context, c.external_id or "", c.name, self))

    def _open_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.open_customer.emit(chosen.customer.id)

    def close_vault_views(self) -> None:
        self.model.clear()
