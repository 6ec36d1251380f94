"""The customer list: counted and paged in SQL, sorted by a header click, filtered by search.

GUI thread; `CustomerQuery.resolve` and `.page` run on the database worker.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, Qt

from ui.book import format as fmt
from ui.book.context import BookContext
from ui.book.paged_model import PAGE_SIZE, PagedModel, Row
from vault.book import queries
from vault.connection import Connection
from vault.dashboards.subsets import Subset

COLUMNS = ("Name", "ID", "Kind", "Country", "KYC", "Risk", "Addresses", "Updated")
#: column → the SQL sort key in `queries.CUSTOMER_SORTS` (Addresses cannot sort: a count)
SORT_KEYS = {
    0: "name",
    1: "external_id",
    2: "kind",
    3: "country",
    4: "kyc",
    5: "risk",
    7: "updated",
}
#: columns as the query returns them
_NAME, _KIND, _COUNTRY, _KYC, _RISK, _COUNT, _UPDATED, _EXTERNAL = range(1, 9)
#: `search_customer_ids` returns at most this many
SEARCH_LIMIT = 200


@dataclass(frozen=True)
class CustomerQuery:
    text: str = ""
    sort: str = "name"
    descending: bool = False
    ids: list[int] | None = None
    #: only these customers (a figure of the Dashboards); None: everyone
    subset: Subset | None = None

    def _where(self) -> dict[str, Any]:
        return {} if self.subset is None else self.subset.query_args()

    def resolve(self, conn: Connection) -> tuple[CustomerQuery, int]:
        if not self.text.strip():
            return replace(self, ids=None), queries.count_customers(conn, **self._where())
        ids = queries.search_customer_ids(conn, self.text, limit=SEARCH_LIMIT)
        resolved = replace(self, ids=ids)
        return resolved, queries.count_customers(conn, ids=ids, **self._where()) if ids else 0

    def page(self, conn: Connection, offset: int, limit: int) -> list[Row]:
        if self.ids is not None and not self.ids:
            return []
        return queries.customer_page(
            conn,
            offset=offset,
            limit=limit,
            sort=self.sort,
            descending=self.descending,
            ids=self.ids,
            **self._where(),
        )


class CustomerModel(PagedModel):
    """Active customers (not erased, not merged away), 200 at a time."""

    COLUMNS = COLUMNS

    def __init__(
        self, context: BookContext, *, page_size: int = PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(context, page_size=page_size, parent=parent)
        self._text = ""
        self._sort = "name"
        self._descending = False

    # --- what to list ----------------------------------------------------------

    @property
    def search_text(self) -> str:
        return self._text

    @property
    def sort_key(self) -> tuple[str, bool]:
        return self._sort, self._descending

    def query(self) -> CustomerQuery:
        return CustomerQuery(self._text, self._sort, self._descending, subset=self.subset)

    def set_search(self, text: str) -> None:
        """Filter by `text` (empty: everyone); reloads, dropping any older answer."""
        text = text.strip()
        if text == self._text:
            return
        self._text = text
        self.reload()

    @property
    def search_limited(self) -> bool:
        """Whether the search hit its limit (the list shows only the first matches)."""
        query = self.resolved
        return isinstance(query, CustomerQuery) and len(query.ids or ()) >= SEARCH_LIMIT

    def sortable(self, column: int) -> bool:
        return column in SORT_KEYS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        self.reload()

    # --- cells -----------------------------------------------------------------

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return "Click to sort" if section in SORT_KEYS else "This column cannot be sorted"
        return super().headerData(section, orientation, role)

    def display(self, row: Row, column: int) -> Any:
        if column == 0:
            return row[_NAME]
        if column == 1:
            return row[_EXTERNAL] or ""
        if column == 2:
            return fmt.label(row[_KIND], fmt.KIND_LABELS)
        if column == 3:
            return row[_COUNTRY] or ""
        if column == 4:
            return fmt.label(row[_KYC], fmt.KYC_LABELS)
        if column == 5:
            return fmt.label(row[_RISK], fmt.RISK_LABELS) or "—"
        if column == 6:
            return row[_COUNT]
        if column == 7:
            return fmt.local(row[_UPDATED])
        return None

    def role_data(self, row: Row, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 6:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 5:
                return fmt.risk_colour(row[_RISK])
            if column == 4:
                return fmt.kyc_colour(row[_KYC])
        if role == Qt.ItemDataRole.FontRole and column == 5 and row[_RISK] == "prohibited":
            return fmt.bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return f"{row[_NAME]} — Enter or double-click to open"
            if column == 7:
                return f"Last changed {fmt.local(row[_UPDATED], seconds=True)} (local time)"
        return None
