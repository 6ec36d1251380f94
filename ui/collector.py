"""Python's cyclic garbage collection, kept on the GUI thread.

An automatic collection runs on whichever thread happens to allocate past the
threshold, often a worker parsing a file. If the garbage holds Qt objects (the
pyqtgraph charts keep parentless menus in reference cycles), they are destroyed on
that worker: Qt takes its own lock in `QObject::~QObject` and then waits for the
GIL, which the GUI thread holds while it waits for that same lock. Full test runs
hung that way. So while the GUI runs, automatic collection is off and a timer on
the GUI thread collects instead, generation by generation as the thresholds say.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiThreadCollector(QObject):
    """Turns automatic collection off; collects from a GUI-thread timer until `stop`."""

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        gc.disable()
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds, as the
        interpreter itself would have."""
        first, second, third = gc.get_threshold()
        young, middle, old = gc.get_count()
        if young <= first:
            return
        if old > third:
            gc.collect(2)
        elif middle > second:
            gc.collect(1)
        else:
            gc.collect(0)

    def stop(self) -> None:
        """Collect everything here, on the GUI thread, then restore automatic collection."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
