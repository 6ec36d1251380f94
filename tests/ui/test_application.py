from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bus import EventBus
from ui.application import Launcher, run_gui
from ui.main_window import MainWindow, State
from ui.services import Services
from ui.unlock_dialog import UnlockDialog
from vault.keys import Keychain

from .conftest import PASSPHRASE


@pytest.fixture
def launcher(services: Services, bus: EventBus, no_keychain: Keychain) -> Iterator[Launcher]:
    launcher = Launcher(services, bus=bus, keychain=no_keychain)
    yield launcher
    launcher.shutdown()
    if launcher.wizard is not None:
        launcher.wizard.deleteLater()


def test_no_vault_starts_the_first_run_wizard(
    qtbot: QtBot, launcher: Launcher, tmp_path: Path
) -> None:
    launcher.start(tmp_path / "nothing-here.vault")
    qtbot.waitUntil(lambda: launcher.wizard is not None and launcher.wizard.isVisible())
    assert launcher.window is None


def test_existing_vault_without_keychain_asks_for_the_passphrase(
    qtbot: QtBot, launcher: Launcher, services: Services, vault_file: Path
) -> None:
    services.settings = services.settings.with_changes(use_keychain=True)
    launcher.start(vault_file)
    qtbot.waitUntil(lambda: launcher.window is not None)
    window = launcher.window
    assert window is not None

    def dialog() -> UnlockDialog | None:
        found = [d for d in window.findChildren(UnlockDialog) if d.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: dialog() is not None, timeout=10_000)
    unlock = dialog()
    assert unlock is not None
    assert "No OS keychain" in unlock.reason_label.text()
    unlock.passphrase.setText(PASSPHRASE)
    unlock.ok_button.click()
    qtbot.waitUntil(lambda: window.state is State.UNLOCKED, timeout=10_000)
    assert "No OS keychain" in window.note_label.text()
    assert window.method_label.text() == "Unlocked with the passphrase"


def test_demo_mode_opens_a_throwaway_vault(
    qtbot: QtBot, launcher: Launcher, tmp_path: Path
) -> None:
    from app.demo import DemoFolder

    window = launcher.start_demo(DemoFolder(tmp_path))
    assert "DEMO" in window.windowTitle()
    # filling the demo vault takes seconds, many more on a busy machine
    qtbot.waitUntil(lambda: window.state is State.UNLOCKED, timeout=60_000)
    assert window.session.path.parent == tmp_path
    assert not window.vault_actions.restore_keychain.isEnabled()
    # The Approvals section shows the demo desk's open requests on first open.
    assert window.workspace is not None
    window.workspace.select_key("approvals")
    page = window.workspace.approvals
    qtbot.waitUntil(lambda: page.model is not None and page.model.total >= 10, timeout=10_000)
    assert "open requests" in page.count_label.text()
    # Queued behind the catch-up of the demo's screenings: seconds on a busy machine.
    qtbot.waitUntil(lambda: "(admin, officer)" in page.signer_label.text(), timeout=60_000)
    page.grab().save("/tmp/members_demo_queue.png")


def test_run_gui_demo_end_to_end(qtbot: QtBot) -> None:
    """The real entry point: demo window, quit, and the demo folder is gone."""
    seen: dict[str, object] = {}

    def poll() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        live = [w for w in windows if w.isVisible() and w.state is State.UNLOCKED]
        if not live:
            QTimer.singleShot(50, poll)
            return
        seen["title"] = live[0].windowTitle()
        seen["folder"] = live[0].session.path.parent
        live[0].close()

    QTimer.singleShot(0, poll)
    assert run_gui(vault=None, demo=True, debug=False) == 0
    assert "DEMO" in str(seen["title"])
    folder = seen["folder"]
    assert isinstance(folder, Path) and not folder.exists()
