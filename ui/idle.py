"""Auto-lock after a stretch without keyboard or mouse input.

An event filter on the QApplication restarts a single-shot timer on every
input event; when the timer runs out, `idle` fires. Runs on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._expired)
        self._interval = interval_ms
        self._watching = False

    @property
    def interval_ms(self) -> int:
        return self._interval

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def set_interval(self, interval_ms: int) -> None:
        """0 turns auto-lock off. Takes effect at once if watching."""
        self._interval = interval_ms
        if self._watching:
            self.start()

    def start(self) -> None:
        app = QCoreApplication.instance()
        if self._interval <= 0 or app is None:
            self.stop()
            return
        if not self._watching:
            app.installEventFilter(self)
            self._watching = True
        self._timer.start(self._interval)

    def stop(self) -> None:
        self._timer.stop()
        app = QCoreApplication.instance()
        if self._watching and app is not None:
            app.removeEventFilter(self)
        self._watching = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _INPUT and self._watching:
            self._timer.start(self._interval)
        return False

    def _expired(self) -> None:
        self.stop()
        self.idle.emit()
