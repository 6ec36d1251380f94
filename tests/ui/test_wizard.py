from __future__ import annotations

import re
import stat
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizard
from pytestqt.qtbot import QtBot

from app.bus import EventBus
from app.session import VaultSession
from ui.recovery_print import write_recovery_pdf
from ui.services import Services
from ui.wizard import FirstRunWizard
from vault.keys import Keychain

from .conftest import PASSPHRASE

Button = QWizard.WizardButton


def _wizard(
    qtbot: QtBot, services: Services, no_keychain: Keychain, bus: EventBus, path: Path
) -> FirstRunWizard:
    wizard = FirstRunWizard(
        services,
        default_path=path,
        make_session=lambda p: VaultSession(p, keychain=no_keychain, bus=bus),
    )
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def _to_passphrase_page(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    qtbot.mouseClick(wizard.button(Button.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.passphrase
    qtbot.waitUntil(lambda: "Checking" not in wizard.passphrase.keychain_status.text())


def test_wizard_creates_the_vault_and_requires_the_stored_checkbox(
    qtbot: QtBot, services: Services, no_keychain: Keychain, bus: EventBus, tmp_path: Path
) -> None:
    path = tmp_path / "new folder" / "desk.vault"  # the folder does not exist yet
    wizard = _wizard(qtbot, services, no_keychain, bus, path)
    assert wizard.location.path_edit.text() == str(path)
    _to_passphrase_page(qtbot, wizard)

    page = wizard.passphrase
    assert "No OS keychain" in page.keychain_status.text()
    assert not page.keychain_box.isChecked() and not page.keychain_box.isEnabled()
    create = wizard.button(Button.CommitButton)
    assert create.text() == "Create vault" and not create.isEnabled()
    page.fields.first.setText("short")
    page.fields.repeat.setText("short")
    assert not create.isEnabled()
    page.fields.first.setText(PASSPHRASE)
    page.fields.repeat.setText(PASSPHRASE + "x")
    assert not create.isEnabled()
    assert "differ" in page.fields.match.text()
    page.fields.repeat.setText(PASSPHRASE)
    assert page.fields.meter.format() == "Strong"
    assert create.isEnabled()

    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    assert page.busy_bar.isVisible()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery, timeout=10_000)

    recovery = wizard.recovery
    key = recovery.key_label.text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){8}", key)
    assert recovery.keychain_label.text().startswith("No OS keychain on this machine")
    finish = wizard.button(Button.FinishButton)
    assert not finish.isEnabled()
    assert not wizard.button(Button.BackButton).isVisible()
    assert not wizard.button(Button.CancelButton).isVisible()
    wizard.reject()  # Escape or the window's close button: refused, the key is shown once
    assert wizard.isVisible()

    qtbot.mouseClick(recovery.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == key
    assert services.clipboard.clear_if_ours()
    assert QApplication.clipboard().text() != key

    recovery.stored_box.setChecked(True)
    assert finish.isEnabled()
    with qtbot.waitSignal(wizard.accepted):
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert wizard.session is not None and wizard.session.is_unlocked
    assert path.exists() and path.with_name(path.name + ".header").exists()
    wizard.session.lock()


def test_wizard_refuses_an_existing_vault(
    qtbot: QtBot,
    services: Services,
    no_keychain: Keychain,
    bus: EventBus,
    vault_file: Path,
) -> None:
    before = vault_file.read_bytes()
    wizard = _wizard(qtbot, services, no_keychain, bus, vault_file)
    _to_passphrase_page(qtbot, wizard)
    wizard.passphrase.fields.first.setText(PASSPHRASE)
    wizard.passphrase.fields.repeat.setText(PASSPHRASE)
    qtbot.mouseClick(wizard.button(Button.CommitButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(wizard.passphrase.error_label.text()), timeout=10_000)
    assert "already exists" in wizard.passphrase.error_label.text()
    assert wizard.currentPage() is wizard.passphrase
    assert wizard.created is None
    assert vault_file.read_bytes() == before


def test_recovery_pdf_is_private_and_complete(tmp_path: Path, qtbot: QtBot) -> None:
    target = tmp_path / "key.pdf"
    write_recovery_pdf(target, recovery_key="ABCD-EFGH", vault_path=tmp_path / "x.vault")
    assert target.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["key.pdf"]  # no temp file left
