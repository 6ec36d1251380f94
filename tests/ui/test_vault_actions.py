from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.session import VaultSession
from app.tasks import Operation
from ui.key_dialogs import ChangePassphraseDialog
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog
from vault.unlock import Credentials

from .conftest import PASSPHRASE, WindowFactory


def _message(window: MainWindow) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    return boxes[0] if boxes else None


def test_backup_runs_on_the_worker_and_reports(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    window = make_window()
    target = tmp_path / "backup.vault"
    window.vault_actions.start_backup(target)
    qtbot.waitUntil(lambda: _message(window) is not None, timeout=10_000)
    box = _message(window)
    assert box is not None and box.windowTitle() == "Backup written"
    assert str(target) in box.text()
    assert target.exists()
    box.accept()

    window.vault_actions.start_backup(target)  # never over an existing file
    qtbot.waitUntil(
        lambda: (b := _message(window)) is not None and b.windowTitle() == "Backup failed",
        timeout=10_000,
    )


def test_change_passphrase_wrong_current_then_right(
    qtbot: QtBot, make_window: WindowFactory, session: VaultSession
) -> None:
    window = make_window()
    window.vault_actions.ask_change_passphrase()
    dialog = window.findChild(ChangePassphraseDialog)
    assert dialog is not None and dialog.isVisible()
    new = "a different long passphrase"
    dialog.current.setText("wrong passphrase")
    dialog.fields.first.setText(new)
    dialog.fields.repeat.setText(new)
    dialog.ok_button.click()
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=10_000)
    assert dialog.isVisible()
    dialog.current.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.ok_button.click()
    window.close()
    credentials = Credentials(passphrase=new, use_keychain=False)
    window.services.runner.run_db(Operation(work=lambda _p: session.unlock(credentials))).wait(10)
    assert session.is_unlocked
    window.services.runner.run_db(Operation(work=lambda _p: session.lock())).wait(10)


def test_settings_change_the_idle_interval(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    window.vault_actions.ask_settings()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    assert dialog.idle_minutes.value() == 10
    dialog.idle_minutes.setValue(3)
    dialog.accept()
    assert window.services.settings.idle_lock_minutes == 3
    assert window.idle.interval_ms == 3 * 60_000
    assert window.idle.active
