"""The running batch and the outbox, in the window's status bar: progress with Cancel
(Esc does not reach a status bar, so the button and the Screening menu do), the
last batch's summary, and how many look-ups wait for the network. GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.screening.batch import OutboxRun
from ui.naming import named
from ui.screening.context import BatchState, ScreeningContext


def waiting_text(count: int) -> str:
    if not count:
        return ""
    return f"{count:,} waiting in the outbox"


class BatchStatus(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchStatus")
        self.context: ScreeningContext | None = None
        self.text = named(QLabel(), "batchText")
        self.bar = named(QProgressBar(), "batchProgress")
        self.bar.setFixedWidth(160)
        self.bar.setFixedHeight(14)
        self.bar.setTextVisible(False)
        self.cancel_button = named(QPushButton("Cancel"), "batchCancel")
        self.cancel_button.setToolTip("Stop the screening; the answers so far are kept")
        self.cancel_button.clicked.connect(self.cancel)
        self.outbox = named(QLabel(), "outboxCount")
        self.outbox.setStyleSheet("color: #8d5300;")
        self.outbox.setToolTip(
            "Look-ups that could not reach their provider wait in the vault and run by "
            "themselves when it is reachable (Screening › Run outbox now)"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.text, self.bar, self.cancel_button, self.outbox):
            row.addWidget(widget)
        self._idle()
        self.outbox.hide()

    def attach(self, context: ScreeningContext | None) -> None:
        """Follow `context` (None on lock: show nothing)."""
        self.context = context
        self._idle()
        self.text.clear()
        self.show_waiting(0)
        if context is None:
            return
        context.batch_started.connect(self._started)
        context.batch_progress.connect(self._progress)
        context.batch_finished.connect(self._finished)
        context.waiting_changed.connect(self.show_waiting)
        context.drained.connect(self._drained)
        context.failed.connect(lambda text: self.text.setText(text))

    def cancel(self) -> None:
        if self.context is not None:
            self.context.cancel()
            self.text.setText("Cancelling…")

    def show_waiting(self, count: int) -> None:
        self.outbox.setText(waiting_text(count))
        self.outbox.setVisible(bool(count))

    def _idle(self) -> None:
        self.bar.hide()
        self.cancel_button.hide()

    def _started(self, state: BatchState) -> None:
        self.bar.setRange(0, 0)
        self.bar.show()
        self.cancel_button.show()
        self.text.setText("Screening…")
        self.text.setToolTip(f"Screening {state.label}")

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        state = self.context.batch if self.context is not None else None
        label = state.label if state is not None else ""
        # Short: the status bar is shared; the whole label is in the tooltip.
        self.text.setText(f"Screening {done:,} / {total:,}")
        self.text.setToolTip(f"Screening {label}")

    def _finished(self, state: BatchState) -> None:
        self._idle()
        if not self.text.text().startswith("Screening") and not state.cancelled:
            return  # a failure's text is showing
        self.text.setText(state.summary())

    def _drained(self, report: OutboxRun) -> None:
        if report.done or report.given_up:
            self.text.setText(f"Outbox: {report.done + report.given_up} look-up(s) ran")
