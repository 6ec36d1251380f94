"""The wizard's last page: the recovery key, shown once, and how to keep it.

GUI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from ui import errors
from ui.naming import named
from ui.recovery_print import print_recovery_key, save_recovery_pdf
from ui.services import Services
from vault.unlock import Created


class RecoveryKeyPage(QWizardPage):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self._key = ""
        self._vault_path = Path()
        self.setTitle("Your recovery key")
        self.setSubTitle(
            "This key opens the vault if the passphrase is forgotten. It is shown only now: "
            "print it or write it down and keep it offline, away from this computer."
        )
        self.key_label = named(QLabel(), "recoveryKey")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(17)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.key_label.setMinimumHeight(64)
        self.key_label.setStyleSheet("padding: 12px; background: palette(base);")

        self.copy_button = named(QPushButton("Copy"), "copyButton")
        self.print_button = named(QPushButton("Print…"), "printButton")
        self.pdf_button = named(QPushButton("Save as PDF…"), "pdfButton")
        self.copy_button.clicked.connect(self._copy)
        self.print_button.clicked.connect(self._print)
        self.pdf_button.clicked.connect(self._save_pdf)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.copy_button, self.print_button, self.pdf_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.action_label = named(QLabel(), "actionLabel")
        self.action_label.setWordWrap(True)
        self.action_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keychain_label = named(QLabel(), "keychainLabel")
        self.keychain_label.setWordWrap(True)
        self.stored_box = named(QCheckBox("I have stored the recovery key"), "storedBox")

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.key_label)
        layout.addLayout(buttons)
        layout.addWidget(self.action_label)
        layout.addSpacing(8)
        layout.addWidget(self.keychain_label)
        layout.addStretch(1)
        layout.addWidget(self.stored_box)
        self.registerField("stored*", self.stored_box)

    def show_created(self, created: Created, vault_path: Path, *, chose_keychain: bool) -> None:
        self._key = created.recovery_key
        self._vault_path = vault_path
        self.key_label.setText(created.recovery_key)
        if created.keychain_stored:
            text = (
                "The OS keychain holds the vault key: this user account opens the vault "
                "without a passphrase."
            )
        elif not chose_keychain:
            text = (
                "As you chose, the OS keychain does not hold the vault key: you type the "
                "passphrase to open the vault."
            )
        else:
            text = created.vault.unlock.keychain_note or (
                "The OS keychain did not take the key: you type the passphrase to open the vault."
            )
        self.keychain_label.setText(text)

    def _copy(self) -> None:
        self.services.clipboard.copy(self._key)
        self.action_label.setText(
            "Copied. The clipboard is cleared when the vault locks or Strongroom quits; "
            "do not paste the key into a file on this computer."
        )

    def _print(self) -> None:
        try:
            if print_recovery_key(self, recovery_key=self._key, vault_path=self._vault_path):
                self.action_label.setText("Sent to the printer.")
        except (OSError, RuntimeError) as error:
            errors.show_error(self, "Printing failed", error, debug=self.services.debug)

    def _save_pdf(self) -> None:
        try:
            target = save_recovery_pdf(self, recovery_key=self._key, vault_path=self._vault_path)
        except OSError as error:
            errors.log(error, debug=self.services.debug)
            self.action_label.setText(f"Could not save the PDF: {error.strerror or error}.")
            return
        if target is not None:
            self.action_label.setText(
                f"Saved to {target}. Move it offline (a USB stick you lock away, or print "
                "it) and delete it from this computer."
            )
