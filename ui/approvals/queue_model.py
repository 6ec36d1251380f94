"""The approval queue as a paged table: filter and sort run in SQL inside the service.

Rows are `(request id, QueueRow)`; only the pages scrolled to are held.
GUI thread; the query runs on the database worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt

from app.approvals.model import QueueFilter, QueueRow
from ui.approvals import format as fmt
from ui.approvals import value_text
from ui.approvals.context import ApprovalsContext, ServiceHolder
from ui.book import format as book_fmt
from ui.book.paged_model import PagedModel, Row
from vault.connection import Connection

COLUMNS = (
    "Age",
    "Kind",
    "Customer",
    "Request",
    "Amount",
    "Value",
    "Risk",
    "Status",
    "Sharing",
    "Still needed",
)
#: column -> the service's sort key; columns missing here do not sort
SORT_KEYS = {0: "created_at", 1: "kind", 2: "customer", 4: "amount", 6: "risk", 7: "status"}
VALUE_COLUMN = 5
RISK_COLUMN = 6
STATUS_COLUMN = 7
LOCAL_COLUMN = 8
NEEDED_COLUMN = 9
_TIPS = {
    VALUE_COLUMN: "What the policy's tiers count: the amount in the reference currency, "
    "with the age of the price (no fresh price: the top tier)",
    0: "Time since the request was made",
    NEEDED_COLUMN: "What the policy still needs before the request is approved",
    LOCAL_COLUMN: "Decisions taken here that no other device has seen yet (sync shares them)",
}


@dataclass(frozen=True)
class QueueQuery:
    holder: ServiceHolder
    flt: QueueFilter
    sort: str
    descending: bool

    def resolve(self, conn: Connection) -> tuple[QueueQuery, int]:
        return self, self.holder.get().count(self.flt)

    def page(self, conn: Connection, offset: int, limit: int) -> list[Row]:
        rows = self.holder.get().page(self.flt, self.sort, self.descending, offset, limit)
        return [(r.id, r) for r in rows]


class QueueModel(PagedModel):
    COLUMNS = COLUMNS

    def __init__(
        self,
        context: ApprovalsContext,
        flt: QueueFilter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(context.reader, parent=parent)
        self._holder = context.holder
        self._filter = flt or QueueFilter()
        self._sort = ("created_at", False)
        self._now = datetime.now(UTC)

    # --- what to show --------------------------------------------------------

    @property
    def filter(self) -> QueueFilter:
        return self._filter

    @property
    def sort_key(self) -> tuple[str, bool]:
        return self._sort

    def set_filter(self, flt: QueueFilter) -> None:
        if flt != self._filter:
            self._filter = flt
            self.reload()

    def sortable(self, column: int) -> bool:
        return column in SORT_KEYS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column not in SORT_KEYS:
            return
        wanted = (SORT_KEYS[column], order == Qt.SortOrder.DescendingOrder)
        if wanted != self._sort:
            self._sort = wanted
            self.reload()

    def query(self) -> QueueQuery:
        self._now = datetime.now(UTC)  # ages are read against one moment per load
        key, descending = self._sort
        return QueueQuery(self._holder, self._filter, key, descending)

    # --- rows ----------------------------------------------------------------

    def request(self, position: int) -> QueueRow:
        row: QueueRow = self.row_at(position)[1]
        return row

    def request_id(self, position: int) -> str:
        return str(self.row_at(position)[0])

    def display(self, row: Row, column: int) -> Any:
        r: QueueRow = row[1]
        if column == 0:
            return fmt.age(r.created_at, self._now)
        if column == 1:
            return fmt.label(r.kind, fmt.KIND_LABELS)
        if column == 2:
            return r.customer_name
        if column == 3:
            return r.summary
        if column == 4:
            return fmt.amount(r.amount, r.asset)
        if column == VALUE_COLUMN:
            return value_text.cell(r.valuation, self._now)
        if column == RISK_COLUMN:
            return _risk_text(r, self._now)
        if column == STATUS_COLUMN:
            return fmt.label(r.status, fmt.STATUS_LABELS)
        if column == NEEDED_COLUMN:
            return r.needed or "—"
        if column == LOCAL_COLUMN:
            return fmt.LOCAL_LABEL if r.local_only else ""
        return None

    def role_data(self, row: Row, column: int, role: int) -> Any:
        r: QueueRow = row[1]
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == STATUS_COLUMN:
                return fmt.status_colour(r.status)
            if column == RISK_COLUMN:
                return fmt.risk_colour(r.risk_level)
            if column == VALUE_COLUMN and r.valuation is not None and not r.valuation.fresh:
                return fmt.status_colour("needs_refresh")
            if column == LOCAL_COLUMN:
                return fmt.LOCAL_COLOUR
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 4, VALUE_COLUMN):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and column == STATUS_COLUMN and r.status == "pending":
            return book_fmt.bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(r, column, self._now)
        return None

    def header_tip(self, column: int) -> str | None:
        if column in _TIPS:
            return _TIPS[column]
        return None if column in SORT_KEYS else "Not sortable"


def _risk_text(row: QueueRow, now: datetime) -> str:
    if not row.risk_level:
        return "not screened" if row.address else ""
    level = fmt.label(row.risk_level, {})
    if row.risk_fetched_at is None:
        return level
    return f"{level} · {fmt.age(row.risk_fetched_at, now)}"


def _tooltip(row: QueueRow, column: int, now: datetime) -> str | None:
    if column == 0:
        return f"Made {fmt.local_time(row.created_at)} by {row.created_by}"
    if column == 2:
        return row.customer_external_id or None
    if column == 3:
        return row.summary if not row.address else f"{row.summary}\n{row.chain}: {row.address}"
    if column == VALUE_COLUMN:
        return value_text.tooltip(row.valuation, now)
    if column == RISK_COLUMN and row.risk_fetched_at is not None:
        return f"Screened {fmt.local_time(row.risk_fetched_at)}"
    if column == LOCAL_COLUMN and row.local_only:
        return _TIPS[LOCAL_COLUMN]
    if column == NEEDED_COLUMN and row.needed:
        return row.needed
    return None
