"""What the window shows while no vault is open: opening, locked, or why it failed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.naming import named


class LockedScreen(QWidget):
    """GUI thread. `unlock_button` asks the window to unlock (or retry opening)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockedScreen")
        self.title = named(QLabel(), "lockedTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = named(QLabel(), "lockedMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = named(QProgressBar(), "lockedBusy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedSize(240, 8)
        self.unlock_button = named(QPushButton("Unlock…"), "unlockButton")
        self.unlock_button.setMinimumWidth(160)
        self.unlock_button.setDefault(True)
        column = QWidget()
        column.setMaximumWidth(560)
        inner = QVBoxLayout(column)
        inner.addWidget(self.title)
        inner.addSpacing(8)
        inner.addWidget(self.message)
        inner.addSpacing(16)
        inner.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 3)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def show_busy(self, title: str, message: str = "") -> None:
        self._show(title, message, busy=True, button=None)

    def show_locked(self, message: str, *, button: str = "Unlock…") -> None:
        self._show("The vault is locked", message, busy=False, button=button)

    def show_problem(self, title: str, message: str, *, button: str = "Try again") -> None:
        self._show(title, message, busy=False, button=button)

    def _show(self, title: str, message: str, *, busy: bool, button: str | None) -> None:
        self.title.setText(f"<h2>{title}</h2>")
        self.message.setText(message)
        self.message.setVisible(bool(message))
        self.busy.setVisible(busy)
        self.unlock_button.setVisible(button is not None)
        if button is not None:
            self.unlock_button.setText(button)
            self.unlock_button.setFocus()
