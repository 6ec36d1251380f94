"""Opening the book's dialogs without blocking, and asking for files. GUI thread only."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from app.book.service import CustomerBook
from app.tasks import Progress
from ui.book.context import BookContext
from ui.worker_dialog import WorkerDialog

DialogT = TypeVar("DialogT", bound=QDialog)
T = TypeVar("T")

TABLE_FILTER = "Tables (*.csv *.xlsx);;CSV (*.csv);;Excel workbook (*.xlsx)"
YAML_FILTER = "YAML (*.yaml *.yml)"


def open_dialog(dialog: DialogT) -> DialogT:
    """Show `dialog` window-modal without a nested event loop; it deletes itself when closed
    (and the main window's lock closes it like every other dialog)."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def ask_open(parent: QWidget, title: str, filters: str) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


def ask_save(
    parent: QWidget, title: str, filters: str, *, suggested: str = "", suffix: str = ".csv"
) -> Path | None:
    name, chosen = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    if not name:
        return None
    path = Path(name)
    if not path.suffix:
        # The filter chosen decides the extension when the user typed none.
        path = path.with_suffix(".xlsx" if "xlsx" in chosen and "csv" not in chosen else suffix)
        # The dialog confirmed replacing the name as typed, not this one.
        if path.exists():
            answer = QMessageBox.question(parent, title, f"{path.name} exists already. Replace it?")
            if answer != QMessageBox.StandardButton.Yes:
                return None
    return path


def ask_folder(parent: QWidget, title: str) -> Path | None:
    name = QFileDialog.getExistingDirectory(parent, title)
    return Path(name) if name else None


class BookDialog(WorkerDialog):
    """A `WorkerDialog` whose step changes the book (and says what it changed)."""

    def __init__(self, context: BookContext, parent: QWidget | None = None) -> None:
        super().__init__(context.services, parent)
        self.context = context

    def write(
        self,
        work: Callable[[CustomerBook, Progress], T],
        *,
        changes: Collection[str],
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        context = self.context
        self.start(
            lambda success, failure: context.write(
                self, work, changes=changes, on_success=success, on_failure=failure
            ),
            on_success=on_success,
            on_failure=on_failure,
        )
