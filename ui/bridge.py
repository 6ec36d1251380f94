"""The one bridge from worker threads to the GUI thread (STYLE.md point 2).

`Bridge.deliver` is what `app.tasks.TaskRunner` calls to run a callback:
it may be called from any thread and always runs the callback later on the
thread the bridge lives on (the GUI thread). Events published on an
`app.bus.EventBus` come back the same way as Qt signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.bus import EventBus


class Bridge(QObject):
    """Create it on the GUI thread; its slots and signals then fire on the GUI thread."""

    #: any bus topic with its data, e.g. ("vault.locked", {"reason": "idle"})
    bus_event = Signal(str, dict)
    #: the vault was locked; the argument is the reason ("user", "idle", ...)
    vault_locked = Signal(str)
    #: the vault was unlocked; the argument is the method ("keychain", "passphrase", ...)
    vault_unlocked = Signal(str)

    _call = Signal(object)
    _topic = Signal(str, dict)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Queued: the slot runs in this object's thread, whichever thread emitted.
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)
        self._topic.connect(self._relay, Qt.ConnectionType.QueuedConnection)

    def deliver(self, callback: Callable[[], None]) -> None:
        """Any thread: run `callback` soon on the GUI thread."""
        self._call.emit(callback)

    def attach(self, bus: EventBus) -> Callable[[], None]:
        """Re-emit `bus` topics as signals on the GUI thread; returns the unsubscribe call."""

        def handler(topic: str, data: dict[str, Any]) -> None:
            self._topic.emit(topic, dict(data))  # a copy: the publisher may reuse its dict

        return bus.subscribe(handler)

    @Slot(object)
    def _run(self, callback: Callable[[], None]) -> None:
        callback()

    @Slot(str, dict)
    def _relay(self, topic: str, data: dict[str, Any]) -> None:
        self.bus_event.emit(topic, data)
        if topic == "vault.locked":
            self.vault_locked.emit(str(data.get("reason", "")))
        elif topic == "vault.unlocked":
            self.vault_unlocked.emit(str(data.get("method", "")))
