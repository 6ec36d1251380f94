"""The Vault menu's key and backup actions: each asks, then runs on the database worker.

Lock and Quit belong to the main window; everything else is here. GUI
thread only; the session calls run on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from app.session import VaultSession
from app.settings import Settings
from ui import errors
from ui.key_dialogs import ChangePassphraseDialog, RekeyDialog
from ui.naming import named
from ui.ops import alive, run_db
from ui.services import Services
from ui.settings_dialog import SettingsDialog
from vault.backup import BackupInfo


def busy_dialog(parent: QWidget, text: str) -> QProgressDialog:
    """A window-modal "please wait" without a Cancel button (the step cannot stop)."""
    dialog = QProgressDialog(text, "", 0, 0, parent)
    dialog.setObjectName("busyDialog")
    dialog.setWindowTitle("Strongroom")
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def close_if_alive(dialog: QWidget) -> None:
    if alive(dialog):
        dialog.close()


class VaultActions(QObject):
    """Owns the actions; `window` is their parent for dialogs."""

    def __init__(
        self,
        window: QWidget,
        session: VaultSession,
        services: Services,
        *,
        demo: bool,
        settings_changed: Callable[[Settings], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self.session = session
        self.services = services
        self._demo = demo
        self._settings_changed = settings_changed
        #: extra Settings tabs while unlocked (the main window sets it: Providers)
        self.settings_pages: Callable[[], list[QWidget]] = list

        self.backup = named(QAction("Back up…", window), "backupAction")
        self.change_passphrase = QAction("Change passphrase…", window)
        self.rekey = QAction("Re-key…", window)
        self.restore_keychain = QAction("Restore keychain entry", window)
        self.restore_keychain.setEnabled(False)
        self.settings = QAction("Settings…", window)
        self.backup.triggered.connect(self.ask_backup)
        self.change_passphrase.triggered.connect(self.ask_change_passphrase)
        self.rekey.triggered.connect(self.ask_rekey)
        self.restore_keychain.triggered.connect(self.start_restore_keychain)
        self.settings.triggered.connect(self.ask_settings)

    def vault_actions(self) -> list[QAction]:
        """The actions that need an unlocked vault."""
        return [self.backup, self.change_passphrase, self.rekey, self.restore_keychain]

    def set_unlocked(self, unlocked: bool) -> None:
        for action in self.vault_actions():
            action.setEnabled(unlocked)
        self.restore_keychain.setEnabled(False)
        if unlocked:
            self._check_keychain()

    def _check_keychain(self) -> None:
        session = self.session
        run_db(
            self.services.runner,
            self,
            lambda _progress: session.keychain_status(),
            on_success=lambda status: self.restore_keychain.setEnabled(
                status.usable and session.is_unlocked and not self._demo
            ),
        )

    # --- backup --------------------------------------------------------------

    def ask_backup(self) -> None:
        stamp = datetime.now().strftime("%Y-%m-%d")
        suggested = self.session.path.with_name(f"strongroom-backup-{stamp}.vault")
        name, _ = QFileDialog.getSaveFileName(
            self._window,
            "Back up the vault",
            str(suggested),
            "Strongroom backup (*.vault)",
            options=QFileDialog.Option.DontConfirmOverwrite,  # the vault refuses to overwrite
        )
        if name:
            self.start_backup(Path(name))

    def start_backup(self, target: Path) -> None:
        dialog = busy_dialog(self._window, f"Writing an encrypted backup to {target}…")
        session = self.session

        def done(info: BackupInfo) -> None:
            close_if_alive(dialog)
            errors.show_message(
                self._window,
                "Backup written",
                f"The backup {info.path} ({info.size / 1_048_576:.1f} MB, {info.created_at}) "
                "is encrypted and opens with the same passphrase and recovery key.",
            )

        def failed(error: BaseException) -> None:
            close_if_alive(dialog)
            errors.show_error(self._window, "Backup failed", error, debug=self.services.debug)

        run_db(
            self.services.runner,
            self,
            lambda _progress: session.backup(target),
            on_success=done,
            on_failure=failed,
        )

    # --- keys ----------------------------------------------------------------

    def ask_change_passphrase(self) -> None:
        dialog = ChangePassphraseDialog(self.session, self.services, self._window)
        dialog.accepted.connect(
            lambda: errors.show_message(
                self._window,
                "Passphrase changed",
                "The new passphrase opens the vault from now on; the old one no longer does.",
            )
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def ask_rekey(self) -> None:
        dialog = RekeyDialog(self.session, self.services, self._window)
        dialog.accepted.connect(
            lambda: errors.show_message(
                self._window,
                "Vault re-keyed",
                "The vault is encrypted under a new key. The passphrase and recovery key "
                "are unchanged. Make a new backup: older ones still use the old key.",
            )
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def start_restore_keychain(self) -> None:
        session = self.session
        dialog = busy_dialog(self._window, "Storing the vault key in the OS keychain…")

        def done(stored: bool) -> None:
            close_if_alive(dialog)
            if stored:
                errors.show_message(
                    self._window,
                    "Keychain entry restored",
                    "The OS keychain holds the vault key again: this account opens the vault "
                    "at start without the passphrase.",
                )
            else:
                errors.show_message(
                    self._window,
                    "Keychain entry not restored",
                    "The OS keychain did not accept the key. The vault still opens with its "
                    "passphrase.",
                    icon=QMessageBox.Icon.Warning,
                )

        def failed(error: BaseException) -> None:
            close_if_alive(dialog)
            errors.show_error(self._window, "Keychain", error, debug=self.services.debug)

        run_db(
            self.services.runner,
            self,
            lambda _progress: session.restore_keychain(),
            on_success=done,
            on_failure=failed,
        )

    # --- settings ------------------------------------------------------------

    def ask_settings(self) -> None:
        dialog = SettingsDialog(
            self.services.settings,
            demo=self._demo,
            pages=self.settings_pages(),
            parent=self._window,
        )
        dialog.setObjectName("settingsDialog")

        def not_saved(error: BaseException) -> None:
            errors.show_error(self._window, "Settings not saved", error, debug=self.services.debug)

        def save() -> None:
            new = dialog.result_settings()
            self.services.update_settings(
                new,
                self,
                on_failure=not_saved,
            )
            self._settings_changed(new)

        dialog.accepted.connect(save)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
