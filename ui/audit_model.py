"""The audit log as a lazily paged table model (STYLE.md point 4).

The model knows how many events there are and holds only the pages the
view has asked for. `fetchMore` asks the database worker for the next page
of 200 and returns at once; the rows are inserted when the page arrives on
the GUI thread. `close` (on lock) drops every row it holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.session import AuditRow, VaultSession
from app.tasks import TaskRunner
from ui import errors
from ui.ops import run_db

PAGE_SIZE = 200
COLUMNS = ("#", "Time", "Device", "Author", "Event", "Details")
Index = QModelIndex | QPersistentModelIndex


def local_time(created_at: str) -> str:
    """The stored UTC timestamp in the machine's local time, to the second."""
    try:
        when = datetime.fromisoformat(created_at)
    except ValueError:
        return created_at
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class AuditModel(QAbstractTableModel):
    """GUI thread. Rows come newest first."""

    #: the total number of events, once counted
    count_changed = Signal(int)
    #: a page or the count could not be read; the text is for the user
    failed = Signal(str)

    def __init__(
        self,
        session: VaultSession,
        runner: TaskRunner,
        *,
        page_size: int = PAGE_SIZE,
        debug: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._runner = runner
        self._page_size = page_size
        self._debug = debug
        self._rows: list[AuditRow] = []
        self._total = 0
        self._fetching = False
        self._closed = False
        # Bumped on every reload and on close: answers for an older generation are dropped.
        self._generation = 0

    # --- loading -------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def fetching(self) -> bool:
        return self._fetching

    def reload(self) -> None:
        """Count the events again and start over from the newest."""
        if self._closed:
            return
        self._generation += 1
        generation = self._generation
        session = self._session
        self._fetching = True
        run_db(
            self._runner,
            self,
            lambda _progress: session.audit_count(),
            on_success=lambda total: self._counted(generation, total),
            on_failure=lambda error: self._failed(generation, error),
        )

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = []
        self._total = total
        self._fetching = False
        self.endResetModel()
        self.count_changed.emit(total)
        self.fetchMore(QModelIndex())

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        if parent.isValid() or self._closed:
            return False
        return not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation, offset, limit = self._generation, len(self._rows), self._page_size
        session = self._session
        run_db(
            self._runner,
            self,
            lambda _progress: session.audit_page(offset=offset, limit=limit),
            on_success=lambda rows: self._arrived(generation, offset, rows),
            on_failure=lambda error: self._failed(generation, error),
        )

    def _arrived(self, generation: int, offset: int, rows: list[AuditRow]) -> None:
        if generation != self._generation:
            return
        rows = rows[: max(0, self._total - offset)] if offset == len(self._rows) else []
        if not rows:
            self._total = len(self._rows)  # fewer than counted: stop asking
        else:
            # Still "fetching" while inserting: views may ask for more from inside
            # the insert signals, and must not start a second request for this page.
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._fetching = False

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        errors.log(error, debug=self._debug)
        self.failed.emit(errors.describe(error))

    def close(self) -> None:
        """Forget every row (the vault is locking); later answers are ignored."""
        self._closed = True
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._total = 0
        self.endResetModel()

    # --- Qt model ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == 1:
            return "Local time; hover a cell for the stored UTC time"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return {1: row.created_at, 2: row.device, 5: row.details}.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: AuditRow, column: int) -> str | int | None:
        if column == 0:
            return row.seq
        if column == 1:
            return local_time(row.created_at)
        if column == 2:
            return row.device[:8]
        if column == 3:
            return row.author
        if column == 4:
            return row.type
        if column == 5:
            return row.details
        return None

    def row_at(self, position: int) -> AuditRow:
        return self._rows[position]
