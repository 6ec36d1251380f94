"""The guard against PySide 6.12.0 losing a reference to True on each emit."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from ui.signals import emit


class _Sender(QObject):
    changed = Signal(object)


def test_emitting_many_times_keeps_true_alive() -> None:
    sender = _Sender()
    received: list[object] = []
    sender.changed.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(5000):
        emit(sender.changed, i)
    assert len(received) == 5000
    assert abs(sys.getrefcount(True) - before) < 50
