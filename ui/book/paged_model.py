"""A table model that holds only a count and the pages fetched so far (STYLE.md point 4).

Subclasses describe their query (`query()`, GUI thread) as an object whose
`resolve` and `page` run on the database worker; sorting and filtering
happen there, in SQL. `reload` counts and fetches the first page in one
step; `fetchMore` asks for the next page and returns at once, the rows
are inserted when they arrive. Answers for an older reload are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.session import VaultSession
from app.tasks import Handle, TaskRunner
from ui import errors
from ui.ops import run_db
from vault.connection import Connection
from vault.dashboards.subsets import Subset

PAGE_SIZE = 200
#: a reload that keeps the rows already scrolled through fetches at most this many at once
MAX_KEEP = 2000
Index = QModelIndex | QPersistentModelIndex
Row = tuple[Any, ...]
T = TypeVar("T")


class Reader(Protocol):
    """Runs reads on the database worker (BookContext is one)."""

    @property
    def debug(self) -> bool: ...

    def read(
        self,
        owner: QObject,
        work: Callable[[Connection], T],
        *,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Handle: ...


class Query(Protocol):
    """What to list; `resolve` and `page` run on the database worker."""

    def resolve(self, conn: Connection) -> tuple[Query, int]:
        """The query with its filter worked out (ids of a search), and the row count."""
        ...

    def page(self, conn: Connection, offset: int, limit: int) -> list[Row]: ...


class SessionReader:
    """A Reader over the unlocked session's vault connection."""

    def __init__(self, session: VaultSession, runner: TaskRunner, *, debug: bool) -> None:
        self._session = session
        self._runner = runner
        self._debug = debug

    @property
    def debug(self) -> bool:
        return self._debug

    def read(
        self,
        owner: QObject,
        work: Callable[[Connection], T],
        *,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Handle:
        session = self._session
        return run_db(
            self._runner,
            owner,
            lambda _progress: work(session.vault.conn),
            on_success=on_success,
            on_failure=on_failure,
        )


class PagedModel(QAbstractTableModel):
    """GUI thread. Row 0 of each stored tuple is the row's id."""

    #: the total number of rows, once counted
    count_changed = Signal(int)
    #: a reload finished (first page in place)
    loaded = Signal()
    #: a page or the count could not be read; the text is for the user
    failed = Signal(str)

    COLUMNS: tuple[str, ...] = ()

    def __init__(
        self, context: Reader, *, page_size: int = PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._page_size = page_size
        self._rows: list[Row] = []
        self._total = 0
        self._query: Query | None = None
        self._fetching = False
        self._closed = False
        self._generation = 0
        self._subset: Subset | None = None

    # --- narrowing to a Dashboards figure -----------------------------------------

    @property
    def subset(self) -> Subset | None:
        return self._subset

    def set_subset(self, subset: Subset | None) -> None:
        """Only the rows of `subset` (None: all of them); reloads. A subclass's `query`
        reads `subset`."""
        if subset != self._subset:
            self._subset = subset
            self.reload()

    # --- for subclasses ------------------------------------------------------

    def query(self) -> Query:
        raise NotImplementedError

    def display(self, row: Row, column: int) -> Any:
        raise NotImplementedError

    def role_data(self, row: Row, column: int, role: int) -> Any:
        """Other roles (font, colour, alignment, tooltip); None by default."""
        return None

    def header_tip(self, column: int) -> str | None:
        """A column header's tooltip; None by default."""
        return None

    # --- loading -------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def fetching(self) -> bool:
        return self._fetching

    @property
    def resolved(self) -> Query | None:
        return self._query

    def reload(self, *, keep_loaded: bool = False) -> None:
        """Count again and start from the top; `keep_loaded` re-reads as many rows as
        are loaded now (up to MAX_KEEP), so the view can keep its place."""
        if self._closed:
            return
        self._generation += 1
        generation = self._generation
        query = self.query()
        first = self._page_size
        if keep_loaded:
            first = min(max(first, len(self._rows)), MAX_KEEP)
        self._fetching = True

        def work(conn: Connection) -> tuple[Query, int, list[Row]]:
            resolved, total = query.resolve(conn)
            return resolved, total, resolved.page(conn, 0, first)

        self._context.read(
            self,
            work,
            on_success=lambda result: self._reloaded(generation, *result),
            on_failure=lambda error: self._failed(generation, error),
        )

    def _reloaded(self, generation: int, query: Query, total: int, rows: list[Row]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._query = query
        self._rows = rows[:total]
        self._total = total if len(rows) else 0
        self._fetching = False
        self.endResetModel()
        self.count_changed.emit(total)
        self.loaded.emit()

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        if parent.isValid() or self._closed or self._query is None:
            return False
        return not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if not self.canFetchMore(parent) or self._query is None:
            return
        self._fetching = True
        generation, offset, limit, query = (
            self._generation,
            len(self._rows),
            self._page_size,
            self._query,
        )
        self._context.read(
            self,
            lambda conn: query.page(conn, offset, limit),
            on_success=lambda rows: self._arrived(generation, offset, rows),
            on_failure=lambda error: self._failed(generation, error),
        )

    def _arrived(self, generation: int, offset: int, rows: list[Row]) -> None:
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
        errors.log(error, debug=self._context.debug)
        self.failed.emit(errors.describe(error))

    def close(self) -> None:
        """Forget every row (the vault is locking); later answers are ignored."""
        self._closed = True
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._total = 0
        self._query = None
        self.endResetModel()

    # --- rows ------------------------------------------------------------------

    def row_id(self, position: int) -> int:
        return int(self._rows[position][0])

    def position_of(self, row_id: int) -> int | None:
        for position, row in enumerate(self._rows):
            if row[0] == row_id:
                return position
        return None

    def row_at(self, position: int) -> Row:
        return self._rows[position]

    # --- Qt model ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tip(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        return self.role_data(row, column, role)
