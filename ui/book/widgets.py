"""Small widgets the book's forms share: inline field errors, optional dates, tables.

GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.book.models import ValidationError
from ui import errors
from ui.naming import named

ERROR_STYLE = "color: #b71c1c;"
HINT_STYLE = "color: #666;"


def error_label(name: str = "") -> QLabel:
    """A red line under a field; hidden while empty."""
    label = QLabel()
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_text(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


class ErrorForm(QFormLayout):
    """A form whose rows each have an error line; `show_error` puts a
    `ValidationError` next to the field it names (or under the form)."""

    def __init__(self, parent: QWidget | None = None, *, general: QLabel | None = None) -> None:
        super().__init__(parent)
        # Text fields grow; combos and dates keep their natural width.
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._errors: dict[str, QLabel] = {}
        self._aliases: dict[str, str] = {}
        #: errors that name no field of this form; the caller places it
        self.general = general if general is not None else error_label("formError")

    def add(
        self, field: str, text: str, editor: QWidget, *, aliases: tuple[str, ...] = ()
    ) -> QLabel:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        error = error_label(f"{field}Error")
        column.addWidget(error)
        self.addRow(text, box)
        self._errors[field] = error
        for alias in aliases:
            self._aliases[alias] = field
        return error

    def error_for(self, field: str) -> QLabel:
        return self._errors.get(self._aliases.get(field, field), self.general)

    def clear_errors(self) -> None:
        for label in (*self._errors.values(), self.general):
            show_text(label, "")

    def show_error(self, error: BaseException) -> None:
        """Show `error` next to the field it names, or under the form."""
        if isinstance(error, ValidationError):
            label = self.error_for(error.field)
            text = error.reason if label is not self.general else errors.describe(error)
            show_text(label, text[:1].upper() + text[1:])
            return
        show_text(self.general, errors.describe(error))


class OptionalDate(QWidget):
    """A date (or date and time) that may also be "none": a check box and a picker."""

    def __init__(
        self, text: str = "Set", *, with_time: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.with_time = with_time
        self.check = QCheckBox(text)
        self.edit: QDateTimeEdit = QDateTimeEdit() if with_time else QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm" if with_time else "yyyy-MM-dd")
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check)
        row.addWidget(self.edit)
        row.addStretch(1)
        self.set_value(None)

    def value(self) -> str | None:
        """ISO date ("2026-05-01") or minute ("2026-05-01T09:30"), or None."""
        if not self.check.isChecked():
            return None
        if self.with_time:
            return str(self.edit.dateTime().toString("yyyy-MM-ddTHH:mm"))
        return str(self.edit.date().toString("yyyy-MM-dd"))

    def set_value(self, value: str | None) -> None:
        self.check.setChecked(bool(value))
        if not value:
            today = QDate.currentDate()
            self.edit.setDateTime(QDateTime(today, QTime(9, 0)))
            return
        if self.with_time and len(value) > 10:
            parsed = QDateTime.fromString(value[:16], "yyyy-MM-ddTHH:mm")
            if parsed.isValid():
                self.edit.setDateTime(parsed)
            return
        date = QDate.fromString(value[:10], "yyyy-MM-dd")
        if date.isValid():
            self.edit.setDate(date)


def table_view(
    name: str,
    *,
    stretch_last: bool = True,
    elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
) -> QTableView:
    """A read-only, row-selecting table in the house style (addresses: elide in the middle,
    so both ends a person compares stay visible)."""
    view = named(QTableView(), name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(elide)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setStretchLastSection(stretch_last)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


def empty_state(text: str, name: str = "emptyState") -> QLabel:
    """Grey centred text shown instead of an empty table."""
    label = named(QLabel(text), name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setStyleSheet("color: #666; padding: 24px;")
    label.hide()
    return label


def table_beside(
    view: QTableView,
    empty: QLabel,
    side: QWidget,
    orientation: Qt.Orientation = Qt.Orientation.Horizontal,
    *,
    stretch: tuple[int, int] = (3, 2),
) -> QSplitter:
    """A table with its empty-state text in the same place, split from a side pane
    (details, evidence, a reader) that keeps its share when the window grows."""
    table = QWidget()
    stack = QVBoxLayout(table)
    stack.setContentsMargins(0, 0, 0, 0)
    stack.addWidget(view, 1)
    stack.addWidget(empty, 1)
    split = QSplitter(orientation)
    split.addWidget(table)
    split.addWidget(side)
    split.setStretchFactor(0, stretch[0])
    split.setStretchFactor(1, stretch[1])
    return split


def shortcut_action(owner: QWidget, text: str, keys: str, slot: Callable[[], object]) -> QAction:
    """An action on `owner` with its keys (none when ""): window-wide while `owner` shows,
    since Qt skips the shortcuts of hidden widgets."""
    action = QAction(text, owner)
    if keys:
        action.setShortcut(QKeySequence(keys))
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


def action_button(action: QAction, name: str) -> QPushButton:
    """A button that triggers `action`, its keys in the tooltip."""
    button = named(QPushButton(action.text()), name)
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    tip = action.toolTip() or action.text()
    button.setToolTip(f"{tip} ({keys})" if keys else tip)
    button.clicked.connect(action.trigger)
    return button


def sort_arrow_back(view: QTableView, keys: Mapping[int, str], sort_key: tuple[str, bool]) -> None:
    """A click on a column with no SQL sort: put the header's arrow back on the column
    the rows are sorted by (`keys` maps columns to sort keys)."""
    key, descending = sort_key
    current = next(c for c, k in keys.items() if k == key)
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    view.horizontalHeader().setSortIndicator(current, order)


def browse_row(edit: QLineEdit, text: str, on_browse: Callable[[], object]) -> QWidget:
    """A path field with its Choose… button (`text`) beside it; both lock while the
    dialog works."""
    button = QPushButton(text)
    for widget in (edit, button):
        widget.setProperty("lockWhileBusy", True)
    button.clicked.connect(on_browse)
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    row.addWidget(button)
    return box
