"""Emitting Qt signals from Python: use `emit(signal, *args)`, not `signal.emit(...)`.

PySide6 6.12.0 drops one reference to `True` on every `SignalInstance.emit`
called from Python (the bool it returns is not increfed). Python's `True`
has a few thousand references, so after that many emits the interpreter
aborts with "bool_dealloc: deallocating True or False" — within minutes of
normal use. At import we measure whether this PySide has the bug and, if
it does, put the lost reference back after each emit. On a fixed PySide the
check finds nothing and `emit` is a plain call. Thread-safe (the GIL is
held throughout).
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 64


def _incref_true(times: int) -> None:
    true = ctypes.py_object(True)
    for _ in range(times):
        ctypes.pythonapi.Py_IncRef(true)


class _Probe(QObject):
    ping = Signal()


def _measure_leak() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    leaks = lost >= _PROBES * 3 // 4
    if leaks:
        _incref_true(_PROBES)  # repair what the measurement itself lost
    return leaks


#: whether this PySide loses a reference to True on each emit
EMIT_LEAKS_TRUE = _measure_leak()


def emit(signal: SignalInstance, *args: Any) -> None:
    """`signal.emit(*args)`, repairing PySide 6.12.0's lost reference to True."""
    signal.emit(*args)
    if EMIT_LEAKS_TRUE:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
