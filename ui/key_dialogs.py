"""Changing the passphrase and re-keying the vault. Both run on the database worker.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from app.session import VaultSession
from ui.naming import named
from ui.passphrase_fields import NewPassphraseFields
from ui.services import Services
from ui.worker_dialog import WorkerDialog


def _password_edit(name: str) -> QLineEdit:
    edit = named(QLineEdit(), name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setProperty("lockWhileBusy", True)
    return edit


class ChangePassphraseDialog(WorkerDialog):
    """Current passphrase, the new one twice with a strength meter."""

    def __init__(
        self, session: VaultSession, services: Services, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, parent)
        self.setObjectName("changePassphraseDialog")
        self.setWindowTitle("Change passphrase")
        self.session = session
        intro = QLabel(
            "The old passphrase stops working at once. The recovery key and the OS keychain "
            "entry stay valid."
        )
        intro.setWordWrap(True)
        self.current = _password_edit("currentPassphrase")
        form = QFormLayout()
        form.addRow("Current passphrase:", self.current)
        self.fields = NewPassphraseFields(label="New passphrase")
        self.fields.setProperty("lockWhileBusy", True)
        self.body.addWidget(intro)
        self.body.addLayout(form)
        self.body.addWidget(self.fields)
        self.set_ok_text("Change passphrase")
        self.current.textChanged.connect(self.update_ok)
        self.fields.changed.connect(self.update_ok)
        self.update_ok()

    def can_submit(self) -> bool:
        return bool(self.current.text()) and self.fields.valid

    def submit(self) -> None:
        session, current, new = self.session, self.current.text(), self.fields.passphrase()
        self.run(
            lambda _progress: session.change_passphrase(current=current, new=new),
            on_success=lambda _none: self._changed(),
        )

    def _changed(self) -> None:
        self.current.clear()
        self.fields.clear()
        self.accept()


class RekeyDialog(WorkerDialog):
    """Explain re-keying, ask for the passphrase, then replace the database key."""

    def __init__(
        self, session: VaultSession, services: Services, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, parent)
        self.setObjectName("rekeyDialog")
        self.setWindowTitle("Re-key the vault")
        self.session = session
        intro = QLabel(
            "Re-keying re-encrypts the whole vault under a new random key, for example after "
            "a laptop holding the keychain entry was lost. Your passphrase and recovery key "
            "stay the same; the OS keychain entry is updated. Backups made before keep the "
            "old key.<br><br>It can take a while on a large vault. If it is interrupted, the "
            "next unlock finishes it."
        )
        intro.setWordWrap(True)
        self.passphrase = _password_edit("rekeyPassphrase")
        form = QFormLayout()
        form.addRow("Passphrase:", self.passphrase)
        self.body.addWidget(intro)
        self.body.addLayout(form)
        self.set_ok_text("Re-key")
        self.passphrase.textChanged.connect(self.update_ok)
        self.update_ok()

    def can_submit(self) -> bool:
        return bool(self.passphrase.text())

    def submit(self) -> None:
        session, passphrase = self.session, self.passphrase.text()
        self.run(
            lambda _progress: session.rekey(passphrase=passphrase),
            on_success=lambda _none: self._done(),
        )

    def _done(self) -> None:
        self.passphrase.clear()
        self.accept()
