"""Which file column feeds which field: one combo per field, pre-filled by header name.

Also the file preview (the first rows as they will be read). GUI thread only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QWidget

from app.book import tables
from app.book.mapping import FIELDS, REQUIRED, Mapping
from ui.book.list_model import Column, ListModel
from ui.errors import field_label
from ui.naming import named

PREVIEW_ROWS = 20
NOT_IMPORTED = "— not imported —"
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "gb18030", "big5", "shift_jis", "cp1252", "latin-1")
DELIMITERS = ((",", "Comma ,"), (";", "Semicolon ;"), ("\t", "Tab"), ("|", "Pipe |"))


@dataclass(frozen=True)
class Preview:
    path: Path
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str


def read_preview(path: Path, *, encoding: str | None, delimiter: str | None) -> Preview:
    """A worker thread: the headers and first rows; raises TableError for a bad file."""
    table = tables.read(path, encoding=encoding, delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for line, cells in table.rows:
            rows.append((line, cells))
            if len(rows) >= PREVIEW_ROWS:
                break
    finally:
        close = getattr(table.rows, "close", None)
        if close is not None:
            close()  # closes the file (CSV) or workbook (XLSX) the generator holds
    return Preview(path, table.headers, rows, table.encoding, table.delimiter)


def preview_model(preview: Preview, parent: QWidget) -> ListModel[tuple[int, list[str]]]:
    def cell(index: int) -> Column[tuple[int, list[str]]]:
        title = preview.headers[index] or f"(column {index + 1})"
        return Column(title, lambda r: r[1][index] if index < len(r[1]) else "")

    columns = [Column[tuple[int, list[str]]]("Line", lambda r: r[0], right=True)]
    columns += [cell(i) for i in range(len(preview.headers))]
    model: ListModel[tuple[int, list[str]]] = ListModel(columns, parent)
    model.set_rows(preview.rows)
    return model


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


class MappingEditor(QWidget):
    """GUI thread. `changed` whenever a choice changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = "customers"
        self.headers: list[str] = []
        self.combos: dict[str, QComboBox] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(4)

    def configure(self, kind: str, headers: list[str]) -> None:
        """Rebuild the combos for `kind`, each pre-set to the header of the same name."""
        self.kind, self.headers = kind, list(headers)
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.combos = {}
        by_key = {}
        for header in reversed(headers):
            by_key[_key(header)] = header
        fields = FIELDS[kind]
        per_column = (len(fields) + 1) // 2
        for position, field in enumerate(fields):
            required = field in REQUIRED[kind]
            label = QLabel(f"{field_label(field)}{' *' if required else ''}")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if required:
                label.setToolTip("Required: every row needs a value here")
                label.setStyleSheet("font-weight: bold;")
            combo = named(QComboBox(), f"map_{field}")
            combo.addItem(NOT_IMPORTED, None)
            for header in headers:
                if header:
                    combo.addItem(header, header)
            match = by_key.get(_key(field))
            if match is not None:
                combo.setCurrentIndex(combo.findData(match))
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            row, pair = position % per_column, position // per_column
            self._grid.addWidget(label, row, pair * 2)
            self._grid.addWidget(combo, row, pair * 2 + 1)
            self.combos[field] = combo
        for pair in range(2):
            self._grid.setColumnStretch(pair * 2 + 1, 1)
        self.changed.emit()

    def columns(self) -> dict[str, str]:
        """Field → header; "" for a field left out (even if a column has its name)."""
        return {
            field: "" if combo.currentData() is None else str(combo.currentData())
            for field, combo in self.combos.items()
        }

    def missing(self) -> list[str]:
        """Required fields with no column chosen."""
        chosen = self.columns()
        return [f for f in REQUIRED[self.kind] if not chosen.get(f)]

    def apply(self, mapping: Mapping) -> list[str]:
        """Choose the columns a saved profile names; returns those not in this file."""
        absent = []
        for field, header in mapping.columns.items():
            combo = self.combos.get(field)
            if combo is None:
                continue
            index = combo.findData(header)
            if index < 0:
                absent.append(header)
            else:
                combo.setCurrentIndex(index)
        return absent

    def mapping(self, *, encoding: str | None, delimiter: str | None) -> Mapping:
        return Mapping(self.kind, self.columns(), encoding, delimiter)
