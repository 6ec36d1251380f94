"""The app's sections, in navigation order, and the honest page for unbuilt ones."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.naming import named


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    #: what brings this section, for the "not built yet" page; None once built
    arrives_with: str | None


def go_key(row: int) -> str:
    """The Go shortcut of the section at `row` (0-based): Ctrl+1 … Ctrl+9, then Ctrl+0."""
    return f"Ctrl+{(row + 1) % 10}"


SECTIONS = (
    Section("customers", "Customers", None),
    Section("wallets", "Wallets", None),
    Section("screening", "Screening", None),
    Section("approvals", "Approvals", None),
    Section("dashboards", "Dashboards", None),
    Section("alerts", "Alerts", None),
    Section("sync", "Sync", None),
    Section("audit", "Audit", None),
    Section("reviews", "Reviews", None),
    Section("cases", "Cases", None),
)


def not_built_text(section: Section) -> str:
    return f"{section.title} — not built yet. This section arrives with {section.arrives_with}."


class NotBuiltPage(QWidget):
    """Says plainly that a section does not exist yet; shows nothing made up."""

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{section.key}Page")
        title = QLabel(f"<h2>{section.title}</h2>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label = named(QLabel(not_built_text(section)), "notBuiltText")
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(self.text_label)
        layout.addStretch(2)
