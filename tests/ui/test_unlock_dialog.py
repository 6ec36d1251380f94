from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.session import VaultSession
from ui.services import Services
from ui.unlock_dialog import UnlockDialog
from vault.store import UnlockMethod

from .conftest import PASSPHRASE


def _dialog(qtbot: QtBot, session: VaultSession, services: Services) -> UnlockDialog:
    dialog = UnlockDialog(session, services, reason="No OS keychain on this machine.")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_wrong_then_right_passphrase(
    qtbot: QtBot, session: VaultSession, services: Services
) -> None:
    dialog = _dialog(qtbot, session, services)
    assert dialog.reason_label.text() == "No OS keychain on this machine."
    assert not dialog.ok_button.isEnabled()  # nothing typed yet

    dialog.passphrase.setText("not the passphrase")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.ok_button.isEnabled()  # busy while Argon2id runs
    assert not dialog.passphrase.isEnabled()
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=10_000)
    assert "passphrase" in dialog.error_label.text().lower()
    assert dialog.isVisible() and not session.is_unlocked
    assert dialog.passphrase.isEnabled() and dialog.ok_button.isEnabled()

    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert session.is_unlocked
    assert dialog.info is not None and dialog.info.method is UnlockMethod.PASSPHRASE
    assert dialog.passphrase.text() == ""


def test_recovery_key_toggle(qtbot: QtBot, session: VaultSession, services: Services) -> None:
    dialog = _dialog(qtbot, session, services)
    dialog.use_recovery.setChecked(True)
    assert dialog.recovery.isVisible() and not dialog.passphrase.isVisible()
    assert dialog.prompt.text() == "Recovery key:"
    dialog.recovery.setText("AAAA-BBBB-CCCC")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=10_000)
    assert "recovery key" in dialog.error_label.text().lower()
    assert not session.is_unlocked


def test_cannot_be_cancelled_while_unlocking(
    qtbot: QtBot, session: VaultSession, services: Services
) -> None:
    dialog = _dialog(qtbot, session, services)
    dialog.passphrase.setText(PASSPHRASE)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    dialog.reject()
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert session.is_unlocked
