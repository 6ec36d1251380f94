"""A new passphrase, typed twice, with a strength meter. GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QProgressBar, QWidget

from ui.naming import named
from ui.passphrase_strength import LABELS, estimate

# Meter colours by score: red, red, amber, green, dark green.
_COLOURS = ("#c62828", "#c62828", "#ef8f00", "#2e7d32", "#1b5e20")


class NewPassphraseFields(QWidget):
    """Passphrase and repeat fields; `valid` once long enough and both match."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, label: str = "Passphrase") -> None:
        super().__init__(parent)
        self.first = named(QLineEdit(), "newPassphrase")
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = named(QLineEdit(), "repeatPassphrase")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = named(QProgressBar(), "strengthMeter")
        self.meter.setRange(0, len(LABELS) - 1)
        self.meter.setTextVisible(False)
        self.meter.setFixedHeight(10)
        self.hint = named(QLabel(), "strengthHint")
        self.hint.setWordWrap(True)
        # Room for two lines from the start: a form layout does not grow for wrapped text.
        self.hint.setMinimumHeight(2 * self.hint.fontMetrics().lineSpacing() + 2)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.match = named(QLabel(), "matchHint")

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(f"{label}:", self.first)
        form.addRow("Strength:", self.meter)
        form.addRow("", self.hint)
        form.addRow("Repeat it:", self.repeat)
        form.addRow("", self.match)

        self.first.textChanged.connect(self._update)
        self.repeat.textChanged.connect(self._update)
        self._update()

    def passphrase(self) -> str:
        return self.first.text()

    def clear(self) -> None:
        self.first.clear()
        self.repeat.clear()

    @property
    def valid(self) -> bool:
        return estimate(self.first.text()).acceptable and self.first.text() == self.repeat.text()

    def _update(self) -> None:
        strength = estimate(self.first.text())
        self.meter.setValue(strength.score)
        self.meter.setFormat(strength.label if self.first.text() else "")
        self.meter.setStyleSheet(
            "QProgressBar { border: 1px solid #bbb; border-radius: 4px; background: #fafafa; }"
            f"QProgressBar::chunk {{ background-color: {_COLOURS[strength.score]};"
            " border-radius: 3px; }"
        )
        colour = _COLOURS[strength.score]
        self.hint.setText(
            f'<b style="color: {colour}">{strength.label}</b> — {strength.hint}'
            if self.first.text()
            else ""
        )
        if not self.repeat.text():
            self.match.setText("")
        elif self.repeat.text() == self.first.text():
            self.match.setText("The two entries match.")
        else:
            self.match.setText("The two entries differ.")
        self.changed.emit()
