"""Settings: auto-lock minutes, whether to use the OS keychain, and pages that other
parts add while the vault is unlocked (Providers). GUI thread only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.book.models import ValidationError
from app.settings import Settings
from ui.naming import named


class SettingsDialog(QDialog):
    """Edits a copy of the settings; `result_settings()` after `accepted`. Each of `pages`
    is a tab with a `title` whose `apply(settings)` adds its values (a ValidationError
    keeps the dialog open, with the reason under the tabs)."""

    def __init__(
        self,
        settings: Settings,
        *,
        demo: bool,
        pages: Sequence[QWidget] = (),
        parent: QWidget | None = None,
    ) -> None:
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
        self.pages = list(pages)
        if self.pages:
            self.tabs = named(QTabWidget(), "settingsTabs")
            general = QWidget()
            general_layout = QVBoxLayout(general)
            general_layout.addLayout(form)
            general_layout.addStretch(1)
            self.tabs.addTab(general, "General")
            for page in self.pages:
                self.tabs.addTab(page, str(getattr(page, "title", "")))
            layout.addWidget(self.tabs, 1)
            self.resize(720, 640)
        else:
            layout.addLayout(form)
        self.error = named(QLabel(), "settingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b71c1c;")
        self.error.hide()
        layout.addWidget(self.error)
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

    def accept(self) -> None:
        try:
            self.result_settings()
        except ValidationError as exc:
            self.error.setText(f"Not saved: {exc.reason}.")
            self.error.show()
            return
        super().accept()

    def result_settings(self) -> Settings:
        settings = self._settings.with_changes(
            idle_lock_minutes=self.idle_minutes.value(),
            use_keychain=self.use_keychain.isChecked(),
        )
        for page in self.pages:
            apply = getattr(page, "apply", None)
            if callable(apply):
                settings = apply(settings)
        return settings
