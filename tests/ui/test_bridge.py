from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from app.bus import EventBus
from ui.bridge import Bridge


def test_deliver_runs_callbacks_on_the_gui_thread(qtbot: QtBot) -> None:
    bridge = Bridge()
    seen: list[threading.Thread] = []
    worker = threading.Thread(
        target=lambda: bridge.deliver(lambda: seen.append(threading.current_thread()))
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen[0] is threading.main_thread()


def test_bus_topics_come_back_as_signals(qtbot: QtBot) -> None:
    bridge = Bridge()
    bus = EventBus()
    unsubscribe = bridge.attach(bus)
    with qtbot.waitSignal(bridge.vault_locked) as blocker:
        threading.Thread(target=lambda: bus.publish("vault.locked", reason="idle")).start()
    assert blocker.args == ["idle"]
    with qtbot.waitSignal(bridge.bus_event) as blocker:
        bus.publish("vault.unlocked", method="passphrase")
    assert blocker.args == ["vault.unlocked", {"method": "passphrase"}]
    unsubscribe()
    with qtbot.assertNotEmitted(bridge.bus_event, wait=50):
        bus.publish("vault.locked", reason="user")
