"""The audit log as a lazily paged table model, newest first (STYLE.md point 4).

Paging, stale answers and lock are PagedModel's; this module only says how
to count and read the log, and how an event is shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt

from app.session import AuditRow, VaultSession
from app.tasks import TaskRunner
from ui.book.paged_model import PAGE_SIZE, PagedModel, Row, SessionReader
from vault.connection import Connection

COLUMNS = ("#", "Time", "Device", "Author", "Event", "Details")


def local_time(created_at: str) -> str:
    """The stored UTC timestamp in the machine's local time, to the second."""
    try:
        when = datetime.fromisoformat(created_at)
    except ValueError:
        return created_at
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class _AuditQuery:
    """Database worker: the session reads the log on its own read connection."""

    def __init__(self, session: VaultSession) -> None:
        self._session = session

    def resolve(self, conn: Connection) -> tuple[_AuditQuery, int]:
        return self, self._session.audit_count()

    def page(self, conn: Connection, offset: int, limit: int) -> list[Row]:
        return [(row.seq, row) for row in self._session.audit_page(offset=offset, limit=limit)]


class AuditModel(PagedModel):
    """GUI thread. Each stored row is (seq, AuditRow)."""

    COLUMNS = COLUMNS

    def __init__(
        self,
        session: VaultSession,
        runner: TaskRunner,
        *,
        page_size: int = PAGE_SIZE,
        debug: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(
            SessionReader(session, runner, debug=debug), page_size=page_size, parent=parent
        )
        self._session = session

    def query(self) -> _AuditQuery:
        return _AuditQuery(self._session)

    def display(self, row: Row, column: int) -> str | int | None:
        event: AuditRow = row[1]
        if column == 0:
            return event.seq
        if column == 1:
            return local_time(event.created_at)
        if column == 2:
            return event.device[:8]
        if column == 3:
            return event.who
        if column == 4:
            return event.type
        if column == 5:
            return event.details
        return None

    def role_data(self, row: Row, column: int, role: int) -> Any:
        event: AuditRow = row[1]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 3:
                return self._who_tip(event)
            return {1: event.created_at, 2: event.device, 5: event.details}.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _who_tip(self, event: AuditRow) -> str:
        recorded = self.tr("Recorded by the OS user {user} on device {device}").format(
            user=event.author, device=event.device[:8]
        )
        if not event.member:
            return recorded
        return (
            self.tr("Made by the desk member {member} (their key signs it)").format(
                member=event.member
            )
            + "\n"
            + recorded
        )

    def header_tip(self, column: int) -> str | None:
        if column == 3:
            return self.tr(
                "The desk member who made an approvals fact; for anything else the OS user "
                "who recorded it. Hover a cell for both."
            )
        return "Local time; hover a cell for the stored UTC time" if column == 1 else None

    def event_at(self, position: int) -> AuditRow:
        event: AuditRow = self.row_at(position)[1]
        return event
