"""Asking for the passphrase (or the recovery key) to unlock a vault.

The unlock itself runs on the database worker: Argon2id takes a noticeable
moment. A wrong entry shows inline and the user tries again. GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QWidget

from app.session import VaultSession
from ui import errors
from ui.naming import named
from ui.services import Services
from ui.worker_dialog import WorkerDialog
from vault.errors import AuthenticationError
from vault.store import UnlockInfo
from vault.unlock import Credentials


class UnlockDialog(WorkerDialog):
    """On `accepted`, `session` is unlocked and `info` says how."""

    def __init__(
        self,
        session: VaultSession,
        services: Services,
        *,
        reason: str = "",
        use_keychain: bool = False,
        demo_passphrase: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, parent)
        self.setObjectName("unlockDialog")
        self.setWindowTitle("Unlock Strongroom")
        self.session = session
        self.info: UnlockInfo | None = None
        # With a passphrase offered, the keychain is tried first only if asked: after
        # a lock we want the passphrase itself, or locking would protect nothing.
        self._use_keychain = use_keychain

        title = QLabel("<b>Unlock the vault</b>")
        path = named(QLabel(str(session.path)), "vaultLabel")
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        path.setStyleSheet("color: #555;")
        self.reason_label = named(QLabel(reason), "reasonLabel")
        self.reason_label.setWordWrap(True)
        self.reason_label.setVisible(bool(reason))
        self.reason_label.setStyleSheet("color: #555;")

        self.prompt = QLabel("Passphrase:")
        self.passphrase = named(QLineEdit(), "passphraseEdit")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setProperty("lockWhileBusy", True)
        self.recovery = named(QLineEdit(), "recoveryEdit")
        self.recovery.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.recovery.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.recovery.setProperty("lockWhileBusy", True)
        self.recovery.hide()
        self.use_recovery = named(QCheckBox("Use the recovery key instead"), "useRecovery")
        self.use_recovery.setProperty("lockWhileBusy", True)

        self.body.addWidget(title)
        self.body.addWidget(path)
        self.body.addWidget(self.reason_label)
        if demo_passphrase:
            demo = QLabel(f"Demo vault: the passphrase is <b>{demo_passphrase}</b>")
            demo.setObjectName("demoHint")
            self.body.addWidget(demo)
        self.body.addSpacing(4)
        self.body.addWidget(self.prompt)
        self.body.addWidget(self.passphrase)
        self.body.addWidget(self.recovery)
        self.body.addWidget(self.use_recovery)

        self.set_ok_text("Unlock")
        self.passphrase.textChanged.connect(self.update_ok)
        self.recovery.textChanged.connect(self.update_ok)
        self.use_recovery.toggled.connect(self._toggle_recovery)
        self.update_ok()
        self.passphrase.setFocus()

    def _entry(self) -> QLineEdit:
        return self.recovery if self.use_recovery.isChecked() else self.passphrase

    def _toggle_recovery(self, on: bool) -> None:
        self.passphrase.setVisible(not on)
        self.recovery.setVisible(on)
        self.prompt.setText("Recovery key:" if on else "Passphrase:")
        self.show_error("")
        self._entry().setFocus()
        self.update_ok()

    def can_submit(self) -> bool:
        return bool(self._entry().text().strip())

    def submit(self) -> None:
        if self.use_recovery.isChecked():
            credentials = Credentials(recovery_key=self.recovery.text().strip(), use_keychain=False)
        else:
            credentials = Credentials(
                passphrase=self.passphrase.text(), use_keychain=self._use_keychain
            )
        session = self.session
        self.run(
            lambda _progress: session.unlock(credentials),
            on_success=self._unlocked,
            on_failure=self._failed,
        )

    def _unlocked(self, info: UnlockInfo) -> None:
        self.info = info
        self.passphrase.clear()
        self.recovery.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.show_error(errors.describe(error))
        entry = self._entry()
        if isinstance(error, AuthenticationError):
            entry.selectAll()
        entry.setFocus()
