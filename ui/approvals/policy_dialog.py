"""The approval policy in the app: edit the YAML, see errors at their line, save.

Checked as you type (after a short pause) with the same parser the service
uses; the error names its line and column and the line is tinted. Check
(Ctrl+Return) or a refused Save puts the cursor on it. Save (Ctrl+S) goes
through the service on the database worker. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton, QWidget

from app.approvals import policy
from app.approvals.policy import PolicyError
from app.approvals.service import ApprovalService
from app.tasks import Progress
from ui import errors
from ui.approvals.context import ApprovalsContext
from ui.approvals.yaml_editor import YamlEditor
from ui.book.widgets import hint
from ui.naming import named
from ui.worker_dialog import WorkerDialog

CHECK_DELAY_MS = 300
_OK = "color: #1b5e20;"
_BAD = "color: #b71c1c;"


def check(text: str) -> PolicyError | None:
    """The first error in `text`, or None when it is a valid policy (pure; any thread)."""
    try:
        policy.parse(text)
    except PolicyError as error:
        return error
    return None


class PolicyDialog(WorkerDialog):
    saved = Signal()

    def __init__(self, context: ApprovalsContext, parent: QWidget | None = None) -> None:
        super().__init__(context.services, parent)
        self.setObjectName("policyDialog")
        self.setWindowTitle("Approval policy")
        self.context = context
        self.loaded = False
        self.error: PolicyError | None = None
        self.resize(760, 640)

        self.editor = named(YamlEditor(), "policyEditor")
        self.editor.setProperty("lockWhileBusy", True)
        self.editor.setEnabled(False)
        self.editor.setPlainText("Reading the policy…")
        self.editor.setMinimumHeight(380)
        self.verdict = named(QLabel(), "policyVerdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_button = named(QPushButton("Check"), "policyCheck")
        self.check_button.setToolTip("Check the policy and go to the first error (Ctrl+Return)")
        self.check_button.clicked.connect(self.check_now)
        self.default_button = named(QPushButton("Shipped default"), "policyDefault")
        self.default_button.setToolTip("Replace the text with the shipped default (not saved yet)")
        self.default_button.setProperty("lockWhileBusy", True)
        self.default_button.clicked.connect(lambda: self.editor.setPlainText(policy.default_text()))
        for button in (self.check_button, self.default_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.body.addWidget(
            hint(
                "Roles; who may request and who may decide each kind; quorums by amount tier; "
                "risk gates; expiry. Changing the policy re-evaluates every open request. "
                "Ctrl+S saves, Ctrl+Return checks."
            )
        )
        self.body.addWidget(self.editor, 1)
        self.body.addWidget(self.verdict)
        self.set_ok_text("Save")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self._check_quietly)
        self.editor.textChanged.connect(self._edited)
        for keys, slot in (("Ctrl+S", self._on_ok), ("Ctrl+Return", self.check_now)):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        self.update_ok()
        self.run(
            lambda _p: self._holder_text(),
            on_success=self._loaded,
        )

    def _holder_text(self) -> str:
        """Database worker: the policy in force."""
        return self.context.holder.get().policy_text()

    def _loaded(self, text: str) -> None:
        self.editor.blockSignals(True)
        self.editor.setPlainText(text)
        self.editor.blockSignals(False)
        self.editor.setEnabled(True)
        self.editor.setFocus()
        self.loaded = True
        self._check_quietly()

    # --- checking ------------------------------------------------------------

    def _edited(self) -> None:
        self.error = None  # unknown until the pause in typing is over
        self._timer.start()
        self.update_ok()

    def _check_quietly(self) -> None:
        self._show(check(self.editor.toPlainText()), move=False)

    def check_now(self) -> None:
        self._timer.stop()
        self._show(check(self.editor.toPlainText()), move=True)

    def _show(self, error: PolicyError | None, *, move: bool) -> None:
        self.error = error
        if error is None:
            self.editor.clear_error()
            self.verdict.setStyleSheet(_OK)
            self.verdict.setText("✔ A valid policy.")
        else:
            self.verdict.setStyleSheet(_BAD)
            self.verdict.setText(f"Line {error.line}, column {error.column}: {error.message}")
            if move:
                self.editor.show_error(error.line, error.column)
            else:
                self.editor.mark_error(error.line)
        self.update_ok()

    # --- saving --------------------------------------------------------------

    def can_submit(self) -> bool:
        return self.loaded

    def submit(self) -> None:
        self.check_now()
        if self.error is not None:
            return
        text = self.editor.toPlainText()

        def work(service: ApprovalService, _p: Progress) -> None:
            service.set_policy(text)

        self.start(
            lambda success, failure: self.context.write(
                self, work, on_success=success, on_failure=failure
            ),
            on_success=self._saved,
            on_failure=self._refused,
        )

    def _saved(self, _result: None) -> None:
        self.saved.emit()
        self.accept()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, PolicyError):
            self._show(error, move=True)
        else:
            self.show_error(errors.describe(error))
