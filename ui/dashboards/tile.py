"""One tile of the desk overview: a title, its figures (each a button that opens the
rows behind it), a note and how old its data is. GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.dashboards.drill import Drill
from app.dashboards.overview import Figure, Tile
from ui.dashboards import labels
from ui.dashboards.palette import TONES
from ui.naming import named

_BUTTON = (
    "QPushButton {{ border: none; text-align: right; padding: 1px 4px; font-weight: 600;"
    " color: {colour}; }} QPushButton:hover {{ text-decoration: underline; }}"
)


class TileWidget(QFrame):
    """Emits `drill(figure label, Drill)` when a figure is clicked."""

    drill = Signal(str, object)

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"tile_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"QFrame#tile_{key} {{ border-radius: 6px; }}")
        self.title = QLabel(f"<b>{labels.tile_title(key)}</b>")
        self.title.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        self.note = named(QLabel(), f"tileNote_{key}")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(placeholder-text);")
        self.as_of = named(QLabel(labels.tr("Reading…")), f"tileAsOf_{key}")
        self.as_of.setStyleSheet("color: palette(placeholder-text); font-size: 9pt;")
        self.as_of.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addLayout(self.grid)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addWidget(self.as_of)
        self.buttons: dict[str, QPushButton] = {}

    def show_tile(self, tile: Tile) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons = {}
        if tile.key == "levels":
            self._levels(tile)
        else:
            for row, figure in enumerate(tile.figures):
                self.grid.addWidget(QLabel(labels.figure_label(figure.key)), row, 0)
                self.grid.addWidget(self._button(figure), row, 1)
        self.grid.setColumnStretch(0, 1)
        self.note.setText(labels.tile_note(tile))
        self.note.setVisible(bool(self.note.text()))
        self.as_of.setText(labels.as_of_text(tile.as_of, tile.data_at))

    def show_problem(self, text: str) -> None:
        self.as_of.setText(labels.tr("Could not read: {0}").format(text))

    def _levels(self, tile: Tile) -> None:
        """Level rows with an addresses and a customers column."""
        for column, text in ((1, labels.tr("Addresses")), (2, labels.tr("Customers"))):
            header = QLabel(f"<i>{text}</i>")
            header.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.grid.addWidget(header, 0, column)
        rows: dict[str, int] = {}
        for figure in tile.figures:
            what, level = figure.key.split("_", 1)
            if level not in rows:
                rows[level] = len(rows) + 1
                self.grid.addWidget(QLabel(labels.series_label(level)), rows[level], 0)
            self.grid.addWidget(self._button(figure), rows[level], 1 if what == "addresses" else 2)

    def _button(self, figure: Figure) -> QPushButton:
        button = named(QPushButton(f"{figure.value:,}"), f"figure_{figure.key}")
        button.setStyleSheet(_BUTTON.format(colour=TONES.get(figure.tone, "palette(link)")))
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        label = labels.figure_label(figure.key)
        drill = figure.drill
        if drill is None:
            button.setEnabled(False)
        else:
            button.setToolTip(labels.tr("Open the list behind “{0}”").format(label))
            button.clicked.connect(lambda _checked=False, d=drill: self._open(label, d))
        self.buttons[figure.key] = button
        return button

    def _open(self, label: str, drill: Drill) -> None:
        self.drill.emit(label, drill)
