"""The running batch, the running explorer fetch and the outbox, in the window's
status bar: progress with Cancel (Esc does not reach a status bar, so the buttons
and the Screening menu do), the last summaries, and how many look-ups wait for
the network. GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.screening.batch import OutboxRun
from ui.naming import named
from ui.screening.context import BatchState, ScreeningContext
from ui.screening.explorer_fetch import FetchState


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
        self.explorer_text = named(QLabel(), "explorerText")
        self.explorer_bar = named(QProgressBar(), "explorerProgress")
        self.explorer_bar.setFixedWidth(120)
        self.explorer_bar.setFixedHeight(14)
        self.explorer_bar.setTextVisible(False)
        self.explorer_cancel = named(QPushButton("Cancel"), "explorerCancel")
        self.explorer_cancel.setToolTip("Stop fetching explorer data; what arrived is kept")
        self.explorer_cancel.clicked.connect(self.cancel_explorer)
        self.outbox = named(QLabel(), "outboxCount")
        self.outbox.setStyleSheet("color: #8d5300;")
        self.outbox.setToolTip(
            "Look-ups that could not reach their provider wait in the vault and run by "
            "themselves when it is reachable (Screening › Run outbox now)"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.text,
            self.bar,
            self.cancel_button,
            self.explorer_text,
            self.explorer_bar,
            self.explorer_cancel,
            self.outbox,
        ):
            row.addWidget(widget)
        self._idle()
        self._explorer_idle()
        self.outbox.hide()

    def attach(self, context: ScreeningContext | None) -> None:
        """Follow `context` (None on lock: show nothing)."""
        self.context = context
        self._idle()
        self._explorer_idle()
        self.text.clear()
        self.explorer_text.clear()
        self.show_waiting(0)
        if context is None:
            return
        context.batch_started.connect(self._started)
        context.batch_progress.connect(self._progress)
        context.batch_finished.connect(self._finished)
        context.waiting_changed.connect(self.show_waiting)
        context.drained.connect(self._drained)
        context.failed.connect(lambda text: self.text.setText(text))
        context.explorer.started.connect(self._explorer_started)
        context.explorer.progress.connect(self._explorer_progress)
        context.explorer.finished.connect(self._explorer_finished)

    def cancel(self) -> None:
        if self.context is not None:
            self.context.cancel()
            self.text.setText("Cancelling…")

    def cancel_explorer(self) -> None:
        if self.context is not None:
            self.context.explorer.cancel()
            self.explorer_text.setText("Cancelling…")

    def _explorer_idle(self) -> None:
        self.explorer_bar.hide()
        self.explorer_cancel.hide()

    def _explorer_started(self, state: FetchState) -> None:
        self.explorer_bar.setRange(0, 0)
        self.explorer_bar.show()
        self.explorer_cancel.show()
        self.explorer_text.setText("Explorer…")
        self.explorer_text.setToolTip(f"Fetching explorer data: {state.label}")

    def _explorer_progress(self, done: int, total: int) -> None:
        self.explorer_bar.setRange(0, max(total, 1))
        self.explorer_bar.setValue(done)
        self.explorer_text.setText(f"Explorer {done:,} / {total:,}")

    def _explorer_finished(self, state: FetchState) -> None:
        self._explorer_idle()
        self.explorer_text.setText(state.summary())
        self.explorer_text.setToolTip(state.summary())

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
