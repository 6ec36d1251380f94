"""A customer's tasks: add one with a due date and a reminder, mark one done.

GUI thread; the writes run on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.book.activity import add_task, complete_task
from app.book.reads import CustomerDetail, TaskRow
from app.book.service import CustomerBook
from app.tasks import Progress
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext
from ui.book.list_model import Column, ListModel
from ui.book.widgets import ErrorForm, OptionalDate, empty_state, hint, table_view
from ui.naming import named


def _overdue(task: TaskRow) -> QColor | None:
    if task.done_at is None and task.due_at and task.due_at[:10] < date.today().isoformat():
        return QColor("#b71c1c")
    return QColor("#777") if task.done_at else None


COLUMNS: tuple[Column[TaskRow], ...] = (
    Column("Done", lambda t: "✓" if t.done_at else "", colour=_overdue),
    Column("Task", lambda t: t.title, tooltip=lambda t: t.title, colour=_overdue),
    Column("Due", lambda t: fmt.local(t.due_at), colour=_overdue),
    Column("Reminder", lambda t: fmt.local(t.remind_at), colour=_overdue),
    Column("Completed", lambda t: fmt.local(t.done_at), colour=_overdue),
)


class TasksTab(QWidget):
    def __init__(
        self,
        context: BookContext,
        customer_id: Callable[[], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._customer_id = customer_id
        self._editable = True
        self.model: ListModel[TaskRow] = ListModel(COLUMNS, self)
        self.view = table_view("taskTable")
        self.view.setModel(self.model)
        for column, width in enumerate((50, 320, 110, 130)):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(lambda _index: self.mark_done())
        self.empty = empty_state("No tasks. Add a follow-up below, with a reminder if needed.")
        self.done_button = named(QPushButton("Mark done"), "markDone")
        self.done_button.setToolTip("Mark the selected task done (Enter)")
        self.done_button.clicked.connect(self.mark_done)
        done_row = QHBoxLayout()
        done_row.addStretch(1)
        done_row.addWidget(self.done_button)

        self.title = named(QLineEdit(), "taskTitle")
        self.title.setPlaceholderText("e.g. Request updated proof of address")
        self.title.returnPressed.connect(self.add)
        self.due = OptionalDate("Set")
        self.due.setObjectName("taskDue")
        self.remind = OptionalDate("Set", with_time=True)
        self.remind.setObjectName("taskRemind")
        self.form = ErrorForm()
        self.form.add("task", "New task *", self.title)
        self.form.add("due_at", "Due date", self.due)
        self.form.add("remind_at", "Reminder", self.remind)
        self.add_button = named(QPushButton("Add task"), "addTask")
        self.add_button.clicked.connect(self.add)
        self.status = named(hint(""), "taskStatus")
        add_row = QHBoxLayout()
        add_row.addWidget(self.status, 1)
        add_row.addWidget(self.add_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(done_row)
        layout.addLayout(self.form)
        layout.addWidget(self.form.general)
        layout.addLayout(add_row)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def show_detail(self, detail: CustomerDetail) -> None:
        self.model.set_rows(detail.tasks)
        self.view.setVisible(bool(detail.tasks))
        self.empty.setVisible(not detail.tasks)
        self._editable = detail.erased_at is None and detail.merged_into is None
        for widget in (self.title, self.due, self.remind, self.add_button):
            widget.setEnabled(self._editable)
        self._update_buttons()

    def clear(self) -> None:
        self.model.clear()
        self.title.clear()

    def selected(self) -> TaskRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        task = self.selected()
        self.done_button.setEnabled(self._editable and task is not None and task.done_at is None)

    def mark_done(self) -> None:
        task = self.selected()
        if task is None or task.done_at is not None or not self._editable:
            return
        task_id = task.id

        def work(book: CustomerBook, _progress: Progress) -> bool:
            return complete_task(book, task_id)

        self.done_button.setEnabled(False)
        self.context.write(
            self,
            work,
            changes=(ctx.CUSTOMERS,),
            on_success=lambda _done: self.status.setText(f"Done: {task.title}"),
            on_failure=self.form.show_error,
        )

    def add(self) -> None:
        customer_id = self._customer_id()
        if customer_id is None or not self._editable:
            return
        self.form.clear_errors()
        title, due, remind = self.title.text(), self.due.value(), self.remind.value()

        def work(book: CustomerBook, _progress: Progress) -> int:
            return add_task(book, customer_id, title, due_at=due, remind_at=remind)

        self.add_button.setEnabled(False)
        self.context.write(
            self, work, changes=(ctx.CUSTOMERS,), on_success=self._added, on_failure=self._failed
        )

    def _added(self, _task_id: int) -> None:
        self.add_button.setEnabled(True)
        self.title.clear()
        self.due.set_value(None)
        self.remind.set_value(None)
        self.status.setText("Task added.")

    def _failed(self, error: BaseException) -> None:
        self.add_button.setEnabled(True)
        self.form.show_error(error)
