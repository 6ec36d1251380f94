"""The line above a list narrowed to a Dashboards figure: what it shows, and a way back
to everything. GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ui.naming import named
from vault.dashboards.subsets import Subset


class SubsetBar(QFrame):
    #: "Show all" was pressed
    cleared = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(
            f"QFrame#{name} {{ background: palette(alternate-base); border-radius: 4px; }}"
        )
        self.label = named(QLabel(), f"{name}Label")
        self.label.setWordWrap(True)
        self.clear_button = named(QPushButton(self.tr("Show all")), f"{name}Clear")
        self.clear_button.setToolTip(self.tr("Back to the whole list"))
        self.clear_button.clicked.connect(self.cleared)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.clear_button)
        self.hide()

    def show_subset(self, subset: Subset | None) -> None:
        if subset is None:
            self.hide()
            return
        self.label.setText(self.tr("Showing only: {0} (from Dashboards)").format(subset.label))
        self.show()
