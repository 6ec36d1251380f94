"""Cyclic garbage is collected on the GUI thread, never on a worker."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from ui.collector import GuiThreadCollector


class Cycle:
    def __init__(self, seen: list[int]) -> None:
        self.me = self
        self.seen = seen

    def __del__(self) -> None:
        self.seen.append(threading.get_ident())


def test_a_cycle_dropped_on_a_worker_is_collected_on_the_gui_thread(qtbot: QtBot) -> None:
    seen: list[int] = []
    kept: list[list[list[int]]] = []

    def work() -> None:
        Cycle(seen)
        # Enough allocations kept (as a parsed file is) that an automatic
        # collection would start right here.
        kept.append([[] for _ in range(20_000)])

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert seen == []
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen == [threading.get_ident()]


def test_stop_collects_and_gives_back_automatic_collection() -> None:
    gc.enable()
    collector = GuiThreadCollector()
    assert not gc.isenabled()
    seen: list[int] = []
    Cycle(seen)
    collector.stop()
    assert seen == [threading.get_ident()]
    assert gc.isenabled()
    gc.disable()  # as the test's own collector left it
