"""Settings: auto-lock minutes and whether to use the OS keychain. GUI thread only."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.settings import Settings
from ui.naming import named


class SettingsDialog(QDialog):
    """Edits a copy of the settings; `result_settings()` after `accepted`."""

    def __init__(self, settings: Settings, *, demo: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(440)
        self._settings = settings
        self.idle_minutes = named(QSpinBox(), "idleMinutes")
        self.idle_minutes.setRange(0, 24 * 60)
        self.idle_minutes.setSuffix(" min")
        self.idle_minutes.setSpecialValueText("Off")
        self.idle_minutes.setValue(settings.idle_lock_minutes)
        self.use_keychain = named(
            QCheckBox("Unlock through the OS keychain at start"), "useKeychain"
        )
        self.use_keychain.setChecked(settings.use_keychain)
        keychain_note = QLabel(
            "When off, Strongroom asks for the passphrase at every start. The keychain entry "
            "itself is kept; after a lock the passphrase is always asked."
        )
        keychain_note.setWordWrap(True)
        keychain_note.setStyleSheet("color: #555;")
        form = QFormLayout()
        form.addRow("Lock after no input for:", self.idle_minutes)
        form.addRow("", self.use_keychain)
        form.addRow("", keychain_note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if demo:
            demo_note = QLabel("Demo mode: changes apply until Strongroom quits; nothing is saved.")
            demo_note.setWordWrap(True)
            layout.addWidget(demo_note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def result_settings(self) -> Settings:
        return self._settings.with_changes(
            idle_lock_minutes=self.idle_minutes.value(),
            use_keychain=self.use_keychain.isChecked(),
        )
