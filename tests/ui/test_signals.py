"""Regression: PySide6 6.12.0 dropped a reference to True on every Python-side emit,
aborting the interpreter after a few thousand emits ("bool_dealloc"). We pin a
PySide6 without that bug; this test fails if a version with it comes back."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Sender(QObject):
    changed = Signal(object)


def test_emitting_many_times_keeps_true_alive() -> None:
    sender = _Sender()
    received: list[object] = []
    sender.changed.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(2000):
        sender.changed.emit(i)
    assert len(received) == 2000
    assert abs(sys.getrefcount(True) - before) < 50
