"""The Screening section's list: each address's newest answer per provider, counted,
filtered, sorted and paged in SQL (`vault.screening.latest`). GUI thread; the
query runs on the database worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt

from app.screening.overview import age_of, age_text
from ui.book import format as fmt
from ui.book.paged_model import PAGE_SIZE, PagedModel, Reader, Row
from vault.connection import Connection
from vault.screening import latest

#: age and source come right after the verdict, so they are never scrolled out of sight
COLUMNS = (
    "Chain",
    "Address",
    "Level",
    "Sanctioned",
    "Source",
    "Age",
    "Score",
    "Customer",
    "Status",
)
SORT_KEYS = {
    0: "chain",
    1: "address",
    2: "level",
    3: "sanctioned",
    4: "provider",
    5: "age",
    6: "score",
    7: "customer",
    8: "status",
}
TIPS = {
    2: "none < low < medium < high < severe; not covered: no imported list covers the "
    "chain; unknown: the look-up failed (see Status)",
    4: "Who answered (the provider, and the list or product it used)",
    5: "How old the answer is; refresh (Ctrl+Shift+R) asks again",
    8: "ok, or why there is no answer: not covered (no imported list covers the chain), "
    "auth (key refused), transient, not configured, ...",
}
(_ID, _CHAIN, _ADDRESS, _PROVIDER, _LEVEL, _SCORE, _SANCTIONED, _STATUS, _SOURCE, _FETCHED,
 _ERROR, _PARTY, _CUSTOMER) = range(13)  # fmt: skip
_LEVEL_COLOURS = {"medium": "medium", "high": "high", "severe": "prohibited"}
NOT_COVERED = "not_covered"


def status_text(status: str) -> str:
    """A stored status as the window shows it ('not_covered' -> 'not covered')."""
    return status.replace("_", " ")


@dataclass(frozen=True)
class LatestQuery:
    where: latest.Filter
    sort: str
    descending: bool

    def resolve(self, conn: Connection) -> tuple[LatestQuery, int]:
        return self, latest.count(conn, self.where)

    def page(self, conn: Connection, offset: int, limit: int) -> list[Row]:
        return latest.page(
            conn,
            self.where,
            sort=self.sort,
            descending=self.descending,
            offset=offset,
            limit=limit,
        )


class LatestModel(PagedModel):
    """Rows as `latest.page` returns them; newest answers first by default."""

    COLUMNS = COLUMNS

    def __init__(
        self, context: Reader, *, page_size: int = PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(context, page_size=page_size, parent=parent)
        self.where = latest.Filter()
        self.sort_by = ("age", True)

    def query(self) -> LatestQuery:
        return LatestQuery(self.where, *self.sort_by)

    def set_filter(self, where: latest.Filter) -> None:
        if where != self.where:
            self.where = where
            self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        wanted = (key, order == Qt.SortOrder.DescendingOrder)
        if key is not None and wanted != self.sort_by:
            self.sort_by = wanted  # type: ignore[assignment]
            self.reload()

    def header_tip(self, column: int) -> str | None:
        return TIPS.get(column, "Click to sort")

    def target(self, position: int) -> tuple[str, str]:
        row = self.row_at(position)
        return str(row[_CHAIN]), str(row[_ADDRESS])

    def display(self, row: Row, column: int) -> Any:
        if column == 0:
            return row[_CHAIN]
        if column == 1:
            return row[_ADDRESS]
        if column == 2:
            # Not screened at all: never shown as a level a reader could take for one.
            return "not covered" if row[_STATUS] == NOT_COVERED else row[_LEVEL]
        if column == 3:
            return "SANCTIONED" if row[_SANCTIONED] else ""
        if column == 4:
            return row[_SOURCE] or row[_PROVIDER]
        if column == 5:
            return age_text(age_of(row[_FETCHED]))
        if column == 6:
            return "" if row[_SCORE] is None else row[_SCORE]
        if column == 7:
            return row[_CUSTOMER] or "—"
        if column == 8:
            return status_text(row[_STATUS])
        return None

    def role_data(self, row: Row, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole:
            if column == 1:
                return fmt.mono()
            if column == 3 and row[_SANCTIONED]:
                return fmt.bold()
        if role == Qt.ItemDataRole.ForegroundRole:
            if column in (2, 3) and row[_STATUS] != NOT_COVERED:
                return fmt.risk_colour(_LEVEL_COLOURS.get(row[_LEVEL]))
            if column in (2, 8) and row[_STATUS] != "ok":
                return fmt.risk_colour("medium")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 6:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, column)
        return None

    def _tip(self, row: Row, column: int) -> str | None:
        if column == 1:
            return str(row[_ADDRESS])
        if column == 3 and row[_PARTY]:
            return f"Listed party: {row[_PARTY]}"
        if column == 4:
            return f"provider: {row[_PROVIDER]}"
        if column == 5:
            return f"Fetched {fmt.local(row[_FETCHED], seconds=True)} (local time)"
        if column in (2, 8) and row[_ERROR]:
            return str(row[_ERROR])
        return None
