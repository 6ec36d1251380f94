"""A dialog whose main button runs one step on the database worker.

While the step runs the dialog shows a busy bar, disables its buttons and
refuses to close (the step could still change the vault). An error shows
inline so the user can correct the input and try again. Locking the vault
calls `force_close`, which closes it even while busy; the late result is
then ignored. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QProgressBar,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from app.tasks import Progress
from ui import errors
from ui.naming import named
from ui.ops import run_db
from ui.services import Services

T = TypeVar("T")


class WorkerDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._busy = False
        self._forced = False

        self.error_label = named(QLabel(), "errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b71c1c;")
        self.error_label.hide()
        self.busy_bar = named(QProgressBar(), "busyBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(8)
        self.busy_bar.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.setContentsMargins(20, 18, 20, 14)
        # Grow when an error line appears instead of squeezing the wrapped labels.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        # Sets the dialog's minimum width (the size constraint overrides setMinimumWidth).
        layout.addSpacerItem(QSpacerItem(440, 0, QSizePolicy.Policy.Fixed))
        layout.addLayout(self.body)
        layout.addWidget(self.error_label)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.buttons)

    # --- for subclasses ------------------------------------------------------

    @property
    def ok_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def set_ok_text(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(text)

    def can_submit(self) -> bool:
        """Whether the input is complete; subclasses override."""
        return True

    def submit(self) -> None:
        """Start the step with `run`; subclasses override."""
        raise NotImplementedError

    def update_ok(self) -> None:
        self.ok_button.setEnabled(not self._busy and self.can_submit())

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def run(
        self,
        work: Callable[[Progress], T],
        *,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run `work` on the database worker; the callbacks are skipped once closed."""
        self.start(
            lambda success, failure: run_db(
                self.services.runner, self, work, on_success=success, on_failure=failure
            ),
            on_success=on_success,
            on_failure=on_failure,
        )

    def start(
        self,
        launch: Callable[[Callable[[T], None], Callable[[BaseException], None]], object],
        *,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Like `run`, for work started another way: `launch(success, failure)` starts it
        and arranges for one of the two to be called on the GUI thread."""
        self._set_busy(True)
        self.show_error("")

        def success(result: T) -> None:
            self._set_busy(False)
            if not self._forced:
                on_success(result)

        def failure(error: BaseException) -> None:
            self._set_busy(False)
            if self._forced:
                return
            errors.log(error, debug=self.services.debug)
            if on_failure is not None:
                on_failure(error)
            else:
                self.show_error(errors.describe(error))

        launch(success, failure)

    # --- closing -------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._busy

    def force_close(self) -> None:
        """Close now, even while busy (the vault is being locked)."""
        self._forced = True
        self.done(QDialog.DialogCode.Rejected)

    def reject(self) -> None:
        if self._busy and not self._forced:
            return  # a step is changing the vault: let it finish
        super().reject()

    def _on_ok(self) -> None:
        if not self._busy and self.can_submit():
            self.submit()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not busy)
        for child in self.findChildren(QWidget):
            if child.property("lockWhileBusy"):
                child.setEnabled(not busy)
        self.update_ok()
