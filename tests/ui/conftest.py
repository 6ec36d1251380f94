"""Fixtures for the GUI tests: real vaults in tmp_path, no OS keychain, offscreen Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QApplication
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.bus import EventBus
from app.session import VaultSession
from app.settings import Settings
from app.tasks import Operation, TaskRunner
from tests.ui.screening_helpers import HeldAnswers
from ui.bridge import Bridge
from ui.collector import GuiThreadCollector
from ui.main_window import MainWindow
from ui.services import Services
from vault.keys import Keychain

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def gui_thread_collection(qapp: QApplication) -> Iterator[None]:
    """As in the app: no automatic collection on a worker thread during a GUI test
    (it destroys chart objects there and deadlocks); what the test left is
    collected at its end, here on the GUI thread."""
    collector = GuiThreadCollector()
    yield
    collector.stop()


@pytest.fixture
def no_keychain() -> Keychain:
    """A keychain that holds nothing: the real OS keychain is never touched."""
    return Keychain(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def services(qtbot: QtBot, bus: EventBus, tmp_path: Path) -> Iterator[Services]:
    bridge = Bridge()
    unsubscribe = bridge.attach(bus)
    runner = TaskRunner(bridge.deliver)
    services = Services(
        runner,
        bridge,
        Settings(use_keychain=False),
        settings_path=tmp_path / "settings.json",
        persist_settings=False,
    )
    yield services
    runner.shutdown()
    unsubscribe()
    services.clipboard.clear_if_ours()


@pytest.fixture
def vault_file(tmp_path: Path, no_keychain: Keychain) -> Path:
    """A locked vault created with PASSPHRASE and no keychain entry."""
    path = tmp_path / "vaults" / "test.vault"
    path.parent.mkdir()
    session = VaultSession(path, keychain=no_keychain)
    session.create(passphrase=PASSPHRASE, use_keychain=False)
    session.lock(reason="test setup")
    return path


@pytest.fixture
def session(vault_file: Path, no_keychain: Keychain, bus: EventBus) -> VaultSession:
    """A locked session on `vault_file`, publishing on `bus`."""
    return VaultSession(vault_file, keychain=no_keychain, bus=bus)


def unlock(session: VaultSession, services: Services) -> None:
    from vault.unlock import Credentials

    credentials = Credentials(passphrase=PASSPHRASE, use_keychain=False)
    services.runner.run_db(Operation(work=lambda _p: session.unlock(credentials))).wait(10)


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, services: Services, session: VaultSession) -> Iterator[WindowFactory]:
    """Main windows on an unlocked `session`; closed (vault locked) after the test."""
    windows: list[MainWindow] = []

    def make(**kwargs: object) -> MainWindow:
        unlock(session, services)
        window = MainWindow(session, services, **kwargs)  # type: ignore[arg-type]
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        # Already unlocked: shows the workspace. Waited for by its signal, not by the
        # state, which a short idle interval may change again before a poll sees it.
        with qtbot.waitSignal(window.unlocked, timeout=10_000):
            window.open_vault()
        return window

    yield make
    for window in windows:
        window.close()
    windows.clear()


def settled(qtbot: QtBot, services: Services) -> None:
    """Wait until the work queued on the database worker so far has run and its
    callbacks have run on the GUI thread (the worker runs in order, the bridge
    delivers in order): a check that something did NOT happen is then not early."""
    done: list[bool] = []
    marker = Operation(work=lambda _p: None, on_success=lambda _none: done.append(True))
    services.runner.run_db(marker)
    qtbot.waitUntil(lambda: bool(done))


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A provider answering concurrently, as a real service does."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def held_answers(threaded_server: HTTPServer) -> Iterator[Callable[..., HeldAnswers]]:
    """Makes `HeldAnswers` handlers; all released before `threaded_server` stops, so no
    request is left waiting."""
    made: list[HeldAnswers] = []

    def make(*args: object, **kwargs: object) -> HeldAnswers:
        held = HeldAnswers(*args, **kwargs)  # type: ignore[arg-type]
        made.append(held)
        return held

    yield make
    for held in made:
        held.release()
