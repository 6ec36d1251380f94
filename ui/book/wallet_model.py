"""Every wallet address in the book, paged in SQL. GUI thread; the query runs on the worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt

from ui.book import format as fmt
from ui.book.paged_model import PagedModel, Row
from vault.book import queries
from vault.connection import Connection
from vault.dashboards.subsets import Subset

COLUMNS = ("Chain", "Address", "Label", "Customer", "Shared")
SHARED_MARK = "⚠ shared"


@dataclass(frozen=True)
class WalletQuery:
    #: only these addresses (a figure of the Dashboards); None: every one
    subset: Subset | None = None

    def _where(self) -> dict[str, Any]:
        return {} if self.subset is None else self.subset.query_args()

    def resolve(self, conn: Connection) -> tuple[WalletQuery, int]:
        return self, queries.count_addresses(conn, **self._where())

    def page(self, conn: Connection, offset: int, limit: int) -> list[Row]:
        return queries.address_page(conn, offset=offset, limit=limit, **self._where())


class WalletModel(PagedModel):
    """Rows: (id, chain, address, label, customer id, customer name, shared flag)."""

    COLUMNS = COLUMNS

    def query(self) -> WalletQuery:
        return WalletQuery(self.subset)

    def customer_id(self, position: int) -> int:
        return int(self.row_at(position)[4])

    def display(self, row: Row, column: int) -> Any:
        if column == 0:
            return row[1]
        if column == 1:
            return row[2]
        if column == 2:
            return row[3] or ""
        if column == 3:
            return row[5]
        if column == 4:
            return SHARED_MARK if row[6] else ""
        return None

    def role_data(self, row: Row, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and column == 1:
            return fmt.mono()
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and row[6]:
            return fmt.risk_colour("high")
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return row[2]
            if column == 4 and row[6]:
                return "Another customer holds this address too: see Conflicts"
            if column == 3:
                return "Double-click to open the customer"
        return None
