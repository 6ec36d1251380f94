"""Small dialogs of the Cases section: a case's title, a note, a closing. Each is
opened window-modal without blocking and hands its values to a callback. GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.cases.model import DISPOSITIONS
from ui.book.widgets import error_label, show_text
from ui.cases.model import DISPOSITION_LABELS
from ui.naming import named


class TextDialog(QDialog):
    """One line (a title) or a few (a note, a closing reason), and OK."""

    def __init__(
        self,
        *,
        title: str,
        prompt: str,
        on_ok: Callable[[dict[str, str]], None],
        multiline: bool = False,
        dispositions: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseTextDialog")
        self.setWindowTitle(title)
        self.on_ok = on_ok
        self.text: QLineEdit | QPlainTextEdit = (
            named(QPlainTextEdit(), "caseText") if multiline else named(QLineEdit(), "caseText")
        )
        self.disposition: QComboBox | None = None
        form = QFormLayout()
        if dispositions:
            self.disposition = named(QComboBox(), "caseDisposition")
            for code in DISPOSITIONS:
                self.disposition.addItem(self.tr(DISPOSITION_LABELS[code]), code)
            form.addRow(self.tr("Disposition"), self.disposition)
        form.addRow(prompt, self.text)
        self.error = error_label("caseDialogError")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if dispositions:
            hint = QLabel(
                self.tr(
                    "Closing is an approval request: a second officer approves it in "
                    "Approvals (whoever asks cannot approve)."
                )
            )
            hint.setWordWrap(True)
            layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(480, 260 if multiline else 140)

    def value(self) -> str:
        if isinstance(self.text, QPlainTextEdit):
            return self.text.toPlainText().strip()
        return self.text.text().strip()

    def _ok(self) -> None:
        if not self.value():
            show_text(self.error, self.tr("Write something first."))
            return
        values = {"text": self.value()}
        if self.disposition is not None:
            values["disposition"] = str(self.disposition.currentData())
        self.on_ok(values)
        self.accept()
