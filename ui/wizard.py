"""The first-run wizard: where the vault lives, its passphrase, then its recovery key.

Creating the vault (Argon2id, a new database) runs on the database worker
while the page shows a busy bar. Once created there is no way back and no
Cancel: the recovery key is shown only this once, and Finish stays disabled
until the user confirms they stored it. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.session import VaultSession
from ui import errors
from ui.naming import named
from ui.ops import run_db
from ui.passphrase_fields import NewPassphraseFields
from ui.recovery_page import RecoveryKeyPage
from ui.services import Services
from vault.keys import KeychainStatus
from vault.unlock import Created

SessionFactory = Callable[[Path], VaultSession]


def _prepare_and_create(session: VaultSession, *, passphrase: str, use_keychain: bool) -> Created:
    """Database worker: make the chosen folder (private) if needed, then create."""
    session.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return session.create(passphrase=passphrase, use_keychain=use_keychain)


class LocationPage(QWizardPage):
    def __init__(self, default_path: Path) -> None:
        super().__init__()
        self.setTitle("Where should the vault live?")
        self.setSubTitle(
            "Everything you enter in Strongroom is kept in one encrypted file on this "
            "machine. Nothing is sent to a cloud."
        )
        self.path_edit = named(QLineEdit(str(default_path)), "vaultPathEdit")
        browse = named(QPushButton("Browse…"), "browseButton")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        note = QLabel(
            "A small header file (<i>.header</i>) is kept beside the vault file. Back up "
            "both, or use <b>Vault → Back up…</b> once the vault is open."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Vault file:"))
        layout.addLayout(row)
        layout.addSpacing(8)
        layout.addWidget(note)
        layout.addStretch(1)
        # Not a mandatory field: Qt counts one as empty while it holds its initial value.
        self.registerField("path", self.path_edit)
        self.path_edit.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.path_edit.text().strip())

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Create the vault file", self.path_edit.text(), "Strongroom vault (*.vault)"
        )
        if name:
            self.path_edit.setText(name)

    def chosen_path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser().absolute()


class PassphrasePage(QWizardPage):
    """Passphrase and keychain choice; Next ("Create vault") creates on the worker."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.busy = False
        self._keychain_usable = True
        self.setTitle("Choose a passphrase")
        self.setSubTitle(
            "The passphrase opens the vault when the OS keychain cannot. Strongroom cannot "
            "recover it for you; the recovery key on the next page is the only other way in."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Create vault")

        self.fields = NewPassphraseFields()
        self.keychain_box = named(QCheckBox("Keep the key in the OS keychain"), "keychainBox")
        self.keychain_box.setChecked(True)
        self.keychain_status = named(QLabel("Checking the OS keychain…"), "keychainStatus")
        self.keychain_status.setWordWrap(True)
        self.keychain_status.setStyleSheet("color: #555;")
        explain = QLabel(
            "With the key in the keychain, this user account opens the vault without "
            "typing the passphrase. Without it, you type the passphrase at every start."
        )
        explain.setWordWrap(True)
        self.busy_bar = named(QProgressBar(), "busyBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_label = QLabel("Creating the vault…")
        self.error_label = named(QLabel(), "errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b71c1c;")

        layout = QVBoxLayout(self)
        layout.addWidget(self.fields)
        layout.addSpacing(12)
        layout.addWidget(self.keychain_box)
        layout.addWidget(self.keychain_status)
        layout.addWidget(explain)
        layout.addStretch(1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy_bar)
        self.set_busy(False)
        self.fields.changed.connect(self.completeChanged)

    def show_keychain_status(self, status: KeychainStatus) -> None:
        self.keychain_status.setText(status.describe() + ".")
        self._keychain_usable = status.usable
        if not status.usable:
            self.keychain_box.setChecked(False)
        self.keychain_box.setEnabled(status.usable and not self.busy)

    @property
    def use_keychain(self) -> bool:
        """The user's choice; with no usable keychain, "use it if one appears"."""
        return self.keychain_box.isChecked() or not self._keychain_usable

    def isComplete(self) -> bool:  # noqa: N802
        return not self.busy and self.fields.valid

    def validatePage(self) -> bool:  # noqa: N802
        if self._wizard.created is not None:
            return True
        if not self.busy and self.fields.valid:
            self._wizard.start_create(
                passphrase=self.fields.passphrase(), use_keychain=self.use_keychain
            )
        return False  # the wizard moves on when creation succeeds

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_bar.setVisible(busy)
        self.busy_label.setVisible(busy)
        self.fields.setEnabled(not busy)
        self.keychain_box.setEnabled(not busy and self._keychain_usable)
        if busy:
            self.error_label.setText("")
        self.completeChanged.emit()


class FirstRunWizard(QWizard):
    """On `accepted`, `session` is an unlocked new vault and `created` describes it."""

    def __init__(
        self,
        services: Services,
        *,
        default_path: Path,
        make_session: SessionFactory,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.setWindowTitle("Create your Strongroom vault")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setMinimumSize(720, 560)
        self.services = services
        self._make_session = make_session
        self.session: VaultSession | None = None
        self.created: Created | None = None
        #: whether the user wants the OS keychain used (saved in the settings)
        self.use_keychain = True

        self.location = LocationPage(default_path)
        self.passphrase = PassphrasePage(self)
        self.recovery = RecoveryKeyPage(services)
        for page in (self.location, self.passphrase, self.recovery):
            self.addPage(page)

        probe = make_session(default_path)
        run_db(
            services.runner,
            self,
            lambda _progress: probe.keychain_status(),
            on_success=self.passphrase.show_keychain_status,
            on_failure=lambda _error: self.passphrase.keychain_status.setText(
                "The OS keychain could not be checked."
            ),
        )

    def start_create(self, *, passphrase: str, use_keychain: bool) -> None:
        """GUI thread: create the vault on the database worker, then show its key."""
        session = self._make_session(self.location.chosen_path())
        self.use_keychain = use_keychain
        self.passphrase.set_busy(True)
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        self.button(QWizard.WizardButton.CancelButton).setEnabled(False)

        def done(created: Created) -> None:
            self.session, self.created = session, created
            self.passphrase.set_busy(False)
            self.recovery.show_created(created, session.path, chose_keychain=use_keychain)
            self.setOption(QWizard.WizardOption.NoCancelButton, True)
            self.next()

        def failed(error: BaseException) -> None:
            errors.log(error, debug=self.services.debug)
            self.passphrase.set_busy(False)
            self.button(QWizard.WizardButton.BackButton).setEnabled(True)
            self.button(QWizard.WizardButton.CancelButton).setEnabled(True)
            self.passphrase.error_label.setText(errors.describe(error))

        run_db(
            self.services.runner,
            self,
            lambda _progress: _prepare_and_create(
                session, passphrase=passphrase, use_keychain=use_keychain
            ),
            on_success=done,
            on_failure=failed,
        )

    def reject(self) -> None:
        if self.created is not None or self.passphrase.busy:
            return  # the vault exists (or is being made): finish, so the key is not lost
        super().reject()
