"""Possible duplicate customers, and merging two into one.

The search (`duplicates.find`, seconds on a big book) and the merge run on
the database worker. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.book import duplicates
from app.book.duplicates import DuplicatePair
from app.book.service import CustomerBook
from app.tasks import Progress
from ui import errors
from ui.book import context as ctx
from ui.book.context import BookContext
from ui.book.dialogs import BookDialog, open_dialog
from ui.book.list_model import Column, ListModel
from ui.book.widgets import ErrorForm, empty_state, hint, table_view
from ui.naming import named

COLUMNS: tuple[Column[DuplicatePair], ...] = (
    Column("First", lambda p: f"{p.first_name}  (#{p.first})"),
    Column("Second", lambda p: f"{p.second_name}  (#{p.second})"),
    Column("Score", lambda p: f"{p.score:.0f}", right=True),
    Column("Why", lambda p: ", ".join(p.reasons)),
)


class MergeDialog(BookDialog):
    """Which record to keep, and why they are the same customer."""

    #: (kept id, merged-away id)
    merged = Signal(int, int)

    def __init__(
        self, context: BookContext, pair: DuplicatePair, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge customers")
        self.pair = pair
        self.keep_first = named(
            QRadioButton(f"Keep {pair.first_name} (#{pair.first})"), "keepFirst"
        )
        self.keep_second = named(
            QRadioButton(f"Keep {pair.second_name} (#{pair.second})"), "keepSecond"
        )
        self.keep_first.setChecked(True)
        self.reason = named(QLineEdit(), "mergeReason")
        self.reason.setPlaceholderText("e.g. same passport number; entered twice at onboarding")
        for widget in (self.keep_first, self.keep_second, self.reason):
            widget.setProperty("lockWhileBusy", True)
        self.form = ErrorForm()
        self.form.add("reason", "Reason *", self.reason, aliases=("merge",))
        self.body.addWidget(
            hint(
                "Contacts, addresses, notes, tasks, tags and custom values move to the record "
                "you keep. The other stays in the history, pointing at it."
            )
        )
        self.body.addWidget(self.keep_first)
        self.body.addWidget(self.keep_second)
        self.body.addLayout(self.form)
        self.body.addWidget(self.form.general)
        self.set_ok_text("Merge")
        self.reason.textChanged.connect(self.update_ok)
        self.update_ok()

    def can_submit(self) -> bool:
        return bool(self.reason.text().strip())

    def submit(self) -> None:
        self.form.clear_errors()
        pair, reason = self.pair, self.reason.text()
        keep, other = (
            (pair.first, pair.second) if self.keep_first.isChecked() else (pair.second, pair.first)
        )

        def work(book: CustomerBook, _progress: Progress) -> tuple[int, int]:
            duplicates.merge(book, keep, other, reason=reason)
            return keep, other

        self.write(
            work,
            changes=(ctx.CUSTOMERS, ctx.ADDRESSES, ctx.CONFLICTS),
            on_success=self._done,
            on_failure=self.form.show_error,
        )

    def _done(self, ids: tuple[int, int]) -> None:
        self.merged.emit(*ids)
        self.accept()


class DuplicatesDialog(QDialog):
    """Lists possible duplicates (all, or those of one customer); merges a chosen pair."""

    open_customer = Signal(int)
    #: (kept id, merged-away id)
    merged = Signal(int, int)

    def __init__(
        self, context: BookContext, parent: QWidget | None = None, *, only: int | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesDialog")
        self.setWindowTitle("Possible duplicates")
        self.resize(820, 480)
        self.context = context
        self.only = only
        self.status = named(QLabel("Looking for possible duplicates…"), "duplicatesStatus")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedHeight(8)
        self.busy.setTextVisible(False)
        self.model: ListModel[DuplicatePair] = ListModel(COLUMNS, self)
        self.view = table_view("duplicatesView")
        self.view.setModel(self.model)
        for column, width in enumerate((250, 250, 60)):
            self.view.setColumnWidth(column, width)
        self.view.doubleClicked.connect(lambda _index: self.ask_merge())
        self.empty = empty_state("No likely duplicates found.", "duplicatesEmpty")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.merge_button = named(QPushButton("Merge…"), "mergeButton")
        self.open_first = QPushButton("Open first")
        self.open_second = QPushButton("Open second")
        for button in (self.merge_button, self.open_first, self.open_second):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.setEnabled(False)
        self.merge_button.clicked.connect(self.ask_merge)
        self.open_first.clicked.connect(lambda: self._open(first=True))
        self.open_second.clicked.connect(lambda: self._open(first=False))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(buttons)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.reload()

    def reload(self) -> None:
        self.busy.show()
        self.context.read(
            self, lambda conn: duplicates.find(conn), on_success=self._found, on_failure=self._fail
        )

    def _found(self, pairs: list[DuplicatePair]) -> None:
        if self.only is not None:
            pairs = [p for p in pairs if self.only in (p.first, p.second)]
        self.busy.hide()
        self.model.set_rows(pairs)
        count = len(pairs)
        self.status.setText(
            f"{count} possible duplicate pair{'s' if count != 1 else ''}, most likely first. "
            "Check before merging: a merge cannot be undone."
            if count
            else "No likely duplicates found."
        )
        self.view.setVisible(bool(count))
        self.empty.setVisible(not count)
        if count:
            self.view.selectRow(0)
            self.view.setFocus()

    def _fail(self, error: BaseException) -> None:
        self.busy.hide()
        errors.log(error, debug=self.context.debug)
        self.status.setText(errors.describe(error))

    def selected(self) -> DuplicatePair | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selection_changed(self) -> None:
        pair = self.selected()
        for button in (self.merge_button, self.open_first, self.open_second):
            button.setEnabled(pair is not None)
        if pair is not None:
            self.open_first.setText(f"Open {pair.first_name.strip()[:24]}")
            self.open_second.setText(f"Open {pair.second_name.strip()[:24]}")

    def _open(self, *, first: bool) -> None:
        pair = self.selected()
        if pair is not None:
            self.open_customer.emit(pair.first if first else pair.second)
            self.accept()

    def ask_merge(self, _index: QModelIndex | None = None) -> MergeDialog | None:
        pair = self.selected()
        if pair is None:
            return None
        dialog = MergeDialog(self.context, pair, self)
        dialog.merged.connect(self._merged)
        return open_dialog(dialog)

    def _merged(self, keep: int, other: int) -> None:
        self.merged.emit(keep, other)
        left = [p for p in self.model.rows if other not in (p.first, p.second)]
        self._found(left)
        self.status.setText(f"Merged #{other} into #{keep}. {len(left)} pair(s) left to check.")
