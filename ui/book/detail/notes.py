"""A customer's timeline of notes, calls, meetings, emails and documents, newest first.

GUI thread; adding a note runs on the database worker.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.book.activity import NOTE_KINDS, add_note
from app.book.reads import CustomerDetail, NoteRow
from app.book.service import CustomerBook
from app.tasks import Progress
from ui import errors
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext
from ui.book.list_model import Column, ListModel
from ui.book.widgets import empty_state, error_label, hint, show_text, table_beside, table_view
from ui.naming import named

COLUMNS: tuple[Column[NoteRow], ...] = (
    Column("When", lambda n: fmt.local(n.at)),
    Column("Kind", lambda n: n.kind.capitalize()),
    Column("By", lambda n: n.author),
    Column("Note", lambda n: n.body.splitlines()[0] if n.body else "", tooltip=lambda n: n.body),
)


class NotesTab(QWidget):
    def __init__(
        self,
        context: BookContext,
        customer_id: Callable[[], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._customer_id = customer_id
        self.model: ListModel[NoteRow] = ListModel(COLUMNS, self)
        self.view = table_view("noteTable")
        self.view.setModel(self.model)
        for column, width in enumerate((130, 80, 120)):
            self.view.setColumnWidth(column, width)
        self.empty = empty_state("No notes yet. Record calls, meetings and documents below.")
        self.reader = named(QLabel(), "noteReader")
        self.reader.setWordWrap(True)
        self.reader.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reader.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.reader.setStyleSheet("background: palette(base); padding: 8px;")
        split = table_beside(
            self.view, self.empty, self.reader, Qt.Orientation.Vertical, stretch=(3, 1)
        )

        self.kind = named(QComboBox(), "noteKind")
        for kind in NOTE_KINDS:
            self.kind.addItem(kind.capitalize(), kind)
        self.body = named(QPlainTextEdit(), "noteBody")
        self.body.setPlaceholderText("What happened, what was agreed, what was received…")
        self.body.setFixedHeight(80)
        self.add_button = named(QPushButton("Add note"), "addNote")
        self.add_button.setToolTip("Add the note (Ctrl+Enter)")
        self.add_button.clicked.connect(self.add)
        send = QShortcut(QKeySequence("Ctrl+Return"), self.body)
        send.setContext(Qt.ShortcutContext.WidgetShortcut)
        send.activated.connect(self.add)
        self.error = error_label("noteError")
        self.status = named(hint(""), "noteStatus")
        add_row = QHBoxLayout()
        add_row.addWidget(QLabel("Kind"))
        add_row.addWidget(self.kind)
        add_row.addWidget(self.status, 1)
        add_row.addWidget(self.add_button)

        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.body)
        layout.addWidget(self.error)
        layout.addLayout(add_row)
        self.view.selectionModel().selectionChanged.connect(self._show_selected)

    def show_detail(self, detail: CustomerDetail) -> None:
        self.model.set_rows(detail.notes)
        self.view.setVisible(bool(detail.notes))
        self.empty.setVisible(not detail.notes)
        self.reader.setVisible(bool(detail.notes))
        self.reader.clear()
        editable = detail.erased_at is None and detail.merged_into is None
        for widget in (self.kind, self.body, self.add_button):
            widget.setEnabled(editable)
        if detail.notes:
            self.view.selectRow(0)

    def clear(self) -> None:
        self.model.clear()
        self.body.clear()
        self.reader.clear()

    def focus_add(self) -> None:
        self.body.setFocus()

    def _show_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            self.reader.clear()
            return
        note = self.model.row_at(rows[0].row())
        self.reader.setText(
            f"<b>{note.kind.capitalize()}</b> · {fmt.local(note.at)} · {note.author}<br>"
            + html.escape(note.body).replace("\n", "<br>")
        )

    def add(self) -> None:
        customer_id = self._customer_id()
        text, kind = self.body.toPlainText(), str(self.kind.currentData())
        if customer_id is None or not self.add_button.isEnabled():
            return
        if not text.strip():
            show_text(self.error, "Write the note first.")
            return
        show_text(self.error, "")

        def work(book: CustomerBook, _progress: Progress) -> int:
            return add_note(book, customer_id, text, kind=kind)

        self.add_button.setEnabled(False)
        self.context.write(
            self,
            work,
            changes=(ctx.CUSTOMERS,),
            on_success=self._added,
            on_failure=self._failed,
        )

    def _added(self, _note_id: int) -> None:
        self.add_button.setEnabled(True)
        self.body.clear()
        self.status.setText("Note added.")

    def _failed(self, error: BaseException) -> None:
        self.add_button.setEnabled(True)
        show_text(self.error, errors.describe(error))
