"""A customer's history: every event about them, newest first, personal values opened.

Read when the tab is first shown (it needs the customer's key, on the
database worker) and again after each change. GUI thread only.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.book.reads import HistoryRow, customer_history
from app.book.service import CustomerBook
from app.tasks import Progress
from ui import errors
from ui.book import format as fmt
from ui.book.context import BookContext, RefreshWhenShown
from ui.book.detail.history_text import describe
from ui.book.list_model import Column, ListModel
from ui.book.widgets import hint, table_view
from ui.naming import named


def _who_tip(row: HistoryRow) -> str:
    recorded = QCoreApplication.translate(
        "HistoryTab", "Recorded by the OS user {user} on device {device}"
    ).format(user=row.author, device=row.device[:8])
    if not row.member:
        return recorded
    made = QCoreApplication.translate(
        "HistoryTab", "Made by the desk member {member} (their key signs it)"
    ).format(member=row.member)
    return f"{made}\n{recorded}"


def _full(row: HistoryRow) -> str:
    return json.dumps(row.details, ensure_ascii=False, indent=1, default=str)[:2000]


#: events read at a time; "Show older events" reads the next page
PAGE = 500

COLUMNS: tuple[Column[HistoryRow], ...] = (
    Column("When", lambda h: fmt.local(h.at, seconds=True)),
    Column("Who", lambda h: h.who, tooltip=_who_tip),
    Column("What", lambda h: h.type),
    Column("Details", describe, tooltip=_full),
)


class HistoryTab(QWidget):
    def __init__(
        self,
        context: BookContext,
        customer_id: Callable[[], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._customer_id = customer_id
        self._generation = 0
        self.model: ListModel[HistoryRow] = ListModel(COLUMNS, self)
        self.status = named(hint("Reading the history…"), "historyStatus")
        self.older = named(QPushButton("Show &older events"), "historyOlder")
        self.older.setToolTip(f"Read the next {PAGE} events (Alt+O)")
        self.older.clicked.connect(self.read_older)
        self.older.hide()
        self.view = table_view("historyTable")
        self.view.setModel(self.model)
        for column, width in enumerate((150, 120, 150)):
            self.view.setColumnWidth(column, width)
        header = QHBoxLayout()
        header.addWidget(self.status, 1)
        header.addWidget(self.older)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)
        self._refresher = RefreshWhenShown(self, self.reload)

    def request(self) -> None:
        """The customer or its data changed: read again now if shown, else when shown."""
        self._refresher.request()

    def reload(self) -> None:
        self._read(before=None)

    def read_older(self) -> None:
        rows = self.model.rows
        if rows:
            self._read(before=rows[-1].position)

    def _read(self, *, before: int | None) -> None:
        customer_id = self._customer_id()
        if customer_id is None:
            return
        self._generation += 1
        generation = self._generation
        self.older.setEnabled(False)

        def work(book: CustomerBook, _progress: Progress) -> list[HistoryRow]:
            return customer_history(
                book.vault.conn, book.keys, customer_id, limit=PAGE, before=before
            )

        self.context.write(
            self,
            work,
            changes=(),
            on_success=lambda rows: self._loaded(generation, rows, more=before is not None),
            on_failure=lambda error: self.status.setText(errors.describe(error)),
        )

    def _loaded(self, generation: int, rows: list[HistoryRow], *, more: bool) -> None:
        if generation != self._generation:
            return
        if more:
            self.model.append_rows(rows)
        else:
            self.model.set_rows(rows)
        count = self.model.rowCount()
        self.older.setVisible(len(rows) == PAGE)
        self.older.setEnabled(True)
        shown = f" (the latest {count})" if len(rows) == PAGE else ""
        self.status.setText(
            f"{count} event{'s' if count != 1 else ''}{shown}, newest first. "
            "Hover a row for every detail."
            if count
            else "No events yet."
        )

    def clear(self) -> None:
        self._generation += 1
        self.model.clear()
