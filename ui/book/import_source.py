"""The import's source: which file, what it holds, how to read it, and its first rows.

Reading the preview runs on the database worker (a file may sit on a slow
share); an answer for an older choice is dropped. GUI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.tasks import TaskRunner
from ui import errors
from ui.book.dialogs import TABLE_FILTER, ask_open
from ui.book.import_mapping import DELIMITERS, ENCODINGS, Preview, preview_model, read_preview
from ui.book.widgets import error_label, hint, show_text, table_view
from ui.naming import named
from ui.ops import run_db

KINDS = (("Customers", "customers"), ("Wallet addresses", "addresses"))
MAX_PREVIEW_COLUMN = 260


class SourcePanel(QWidget):
    """Emits `previewed` when the preview changed (None: the file cannot be read)
    and `kind_changed` when the user picks what the file holds."""

    previewed = Signal()
    kind_changed = Signal()

    def __init__(self, runner: TaskRunner, *, debug: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._debug = debug
        self.preview: Preview | None = None
        self._generation = 0

        self.path = named(QLineEdit(), "importPath")
        self.path.setPlaceholderText("A .csv or .xlsx file")
        self.path.editingFinished.connect(self.load_preview)
        browse = named(QPushButton("Choose…"), "chooseFile")
        browse.clicked.connect(self._browse)
        self.kind = named(QComboBox(), "importKind")
        for text, code in KINDS:
            self.kind.addItem(text, code)
        self.kind.currentIndexChanged.connect(lambda _i: self.kind_changed.emit())
        self.encoding = named(QComboBox(), "importEncoding")
        self.encoding.addItem("Detect", None)
        for name in ENCODINGS:
            self.encoding.addItem(name, name)
        self.delimiter = named(QComboBox(), "importDelimiter")
        self.delimiter.addItem("Detect", None)
        for value, text in DELIMITERS:
            self.delimiter.addItem(text, value)
        for combo in (self.encoding, self.delimiter):
            combo.setToolTip("CSV only: override what was detected if the preview looks wrong")
            combo.currentIndexChanged.connect(lambda _i: self.load_preview())
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel("File"))
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        file_row.addSpacing(12)
        file_row.addWidget(QLabel("Import"))
        file_row.addWidget(self.kind)
        csv_row = QHBoxLayout()
        csv_row.addWidget(QLabel("Encoding"))
        csv_row.addWidget(self.encoding)
        csv_row.addWidget(QLabel("Delimiter"))
        csv_row.addWidget(self.delimiter)
        self.detected = named(hint(""), "detectedLabel")
        csv_row.addWidget(self.detected, 1)

        self.view = table_view("previewView", stretch_last=False)
        self.status = named(hint("Choose a file to see its first rows."), "previewStatus")
        self.file_error = error_label("fileError")
        box = QGroupBox("Preview (first 20 rows)")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.status)
        box_layout.addWidget(self.file_error)
        box_layout.addWidget(self.view, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(file_row)
        layout.addLayout(csv_row)
        layout.addWidget(box, 1)

    # --- choices -----------------------------------------------------------------------

    def kind_code(self) -> str:
        return str(self.kind.currentData())

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))

    def file(self) -> Path | None:
        text = self.path.text().strip()
        return Path(text).expanduser() if text else None

    def is_csv(self) -> bool:
        path = self.file()
        return path is None or path.suffix.lower() not in (".xlsx", ".xlsm")

    def encoding_override(self) -> str | None:
        value = self.encoding.currentData()
        return str(value) if value and self.is_csv() else None

    def delimiter_override(self) -> str | None:
        value = self.delimiter.currentData()
        return str(value) if value and self.is_csv() else None

    def set_overrides(self, encoding: str | None, delimiter: str | None) -> bool:
        """Set both without re-reading; True if either changed (the caller re-reads)."""
        changed = False
        for combo, value in ((self.encoding, encoding), (self.delimiter, delimiter)):
            index = max(0, combo.findData(value)) if value else 0
            changed = changed or index != combo.currentIndex()
            combo.blockSignals(True)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)
        return changed

    def set_file(self, path: Path) -> None:
        self.path.setText(str(path))
        self.load_preview()

    def _browse(self) -> None:
        path = ask_open(self, "Import from", TABLE_FILTER)
        if path is not None:
            self.set_file(path)

    # --- preview -----------------------------------------------------------------------

    def load_preview(self) -> None:
        path = self.file()
        for combo in (self.encoding, self.delimiter):
            combo.setEnabled(self.is_csv())
        if path is None or not self.isEnabled():
            return
        self._generation += 1
        generation = self._generation
        encoding, delimiter = self.encoding_override(), self.delimiter_override()
        self.status.setText(f"Reading {path.name}…")
        show_text(self.file_error, "")
        run_db(
            self._runner,
            self,
            lambda _p: read_preview(path, encoding=encoding, delimiter=delimiter),
            on_success=lambda preview: self._previewed(generation, preview),
            on_failure=lambda error: self._failed(generation, error),
        )

    def _previewed(self, generation: int, preview: Preview) -> None:
        if generation != self._generation:
            return
        self.preview = preview
        old = self.view.model()
        self.view.setModel(preview_model(preview, self))
        if old is not None:
            old.deleteLater()
        self.view.resizeColumnsToContents()
        for column in range(len(preview.headers) + 1):
            if self.view.columnWidth(column) > MAX_PREVIEW_COLUMN:
                self.view.setColumnWidth(column, MAX_PREVIEW_COLUMN)
        shown = len(preview.rows)
        self.status.setText(
            f"{preview.path.name}: {len(preview.headers)} columns; "
            f"showing the first {shown} row{'s' if shown != 1 else ''}."
        )
        if preview.encoding == "xlsx":
            self.detected.setText("Excel workbook: the first sheet is read")
        else:
            shown_delimiter = "Tab" if preview.delimiter == "\t" else preview.delimiter
            self.detected.setText(f"Read as {preview.encoding}, delimiter “{shown_delimiter}”")
        self.previewed.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.preview = None
        errors.log(error, debug=self._debug)
        self.status.setText("")
        show_text(self.file_error, errors.describe(error))
        self.previewed.emit()
