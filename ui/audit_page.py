"""The Audit section: the event log, and verifying the vault.

Verify runs on the database worker with a progress bar and a Cancel
button; the result is shown in green (passed) or red (anything else).
GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.session import VaultSession
from app.tasks import Cancelled, Handle
from ui import errors
from ui.audit_model import AuditModel
from ui.naming import named
from ui.ops import run_db
from ui.services import Services
from vault.verify import VerifyReport

_OK = "color: #1b5e20; background: #e8f5e9; border: 1px solid #a5d6a7; padding: 8px;"
_BAD = "color: #b71c1c; background: #ffebee; border: 1px solid #ef9a9a; padding: 8px;"
_NEUTRAL = "color: #333; background: #f5f5f5; border: 1px solid #ddd; padding: 8px;"


class AuditPage(QWidget):
    def __init__(
        self, session: VaultSession, services: Services, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("auditPage")
        self.session = session
        self.services = services
        self._verify: Handle | None = None
        self._model: AuditModel | None = AuditModel(
            session, services.runner, debug=services.debug, parent=self
        )

        title = QLabel("<h2>Audit log</h2>")
        self.count_label = named(QLabel("Counting events…"), "countLabel")
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.refresh)
        self.addAction(self.refresh_action)
        refresh = named(QPushButton("Refresh"), "refreshButton")
        refresh.setToolTip("Read the log again (F5)")
        refresh.clicked.connect(self.refresh_action.trigger)
        self.verify_button = named(QPushButton("Verify vault"), "verifyButton")
        self.verify_button.setToolTip(
            "Check every encrypted page and the hash chain of the event log"
        )
        self.verify_button.clicked.connect(self.start_verify)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(refresh)
        top.addWidget(self.verify_button)

        self.progress = named(QProgressBar(), "verifyProgress")
        self.progress.setTextVisible(True)
        self.cancel_button = named(QPushButton("Cancel"), "cancelVerify")
        self.cancel_button.clicked.connect(self.cancel_verify)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        self.progress_box.hide()
        self.result_label = named(QLabel(), "verifyResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()

        self.view = named(QTableView(), "auditView")
        self.view.setModel(self._model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((60, 150, 90, 120, 170)):
            self.view.setColumnWidth(column, width)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addLayout(top)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.result_label)
        layout.addWidget(self.view, 1)

        self._model.count_changed.connect(self._show_count)
        self._model.failed.connect(self._show_read_error)
        self._model.reload()

    @property
    def model(self) -> AuditModel | None:
        return self._model

    def refresh(self) -> None:
        if self._model is not None:
            self.count_label.setText("Counting events…")
            self._model.reload()

    def _show_count(self, total: int) -> None:
        self.count_label.setText(f"{total} event{'s' if total != 1 else ''}, newest first")

    def _show_read_error(self, text: str) -> None:
        self.count_label.setText("Could not read the log.")
        self._show_result(text, _BAD)

    # --- verify --------------------------------------------------------------

    def start_verify(self) -> None:
        if self._verify is not None:
            return
        self.verify_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setFormat("Checking every page…")
        self.progress_box.show()
        self.cancel_button.setEnabled(True)
        self.result_label.hide()
        session = self.session
        self._verify = run_db(
            self.services.runner,
            self,
            lambda progress: session.verify(progress),
            on_success=self._verified,
            on_failure=self._verify_failed,
            on_progress=self._verify_progress,
            changes=frozenset({"audit"}),
        )

    def cancel_verify(self) -> None:
        handle = self._verify
        if handle is None:
            return
        handle.cancel()
        if handle.future.cancelled():  # still queued: it will never run or report
            self._verify_failed(Cancelled())
            return
        self.cancel_button.setEnabled(False)
        self.progress.setFormat("Cancelling…")

    def _verify_progress(self, phase: str, done: int, total: int) -> None:
        if phase == "events" and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"Checking the event chain… {done} of {total}")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat("Checking every page…")

    def _verify_done(self) -> None:
        self._verify = None
        self.progress_box.hide()
        self.verify_button.setEnabled(True)

    def _verified(self, report: VerifyReport) -> None:
        self._verify_done()
        self._show_result(report.summary(), _OK if report.ok else _BAD)
        self.refresh()  # a passing run adds a vault.verified event

    def _verify_failed(self, error: BaseException) -> None:
        self._verify_done()
        if isinstance(error, Cancelled):
            self._show_result("Verification cancelled; nothing was changed.", _NEUTRAL)
            return
        errors.log(error, debug=self.services.debug)
        self._show_result(errors.describe(error), _BAD)

    def _show_result(self, text: str, style: str) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(style)
        self.result_label.show()

    # --- locking -------------------------------------------------------------

    def close_vault_views(self) -> None:
        """Lock: stop verifying, detach and delete the model with its rows."""
        if self._verify is not None:
            self._verify.cancel()
            self._verify = None
        self.view.setModel(None)
        if self._model is not None:
            self._model.close()
            self._model.deleteLater()
            self._model = None
