"""The queue's filters: kind tabs over status, age, customer and risk fields.

One click or key picks a kind (Alt+1 … Alt+5 the tabs); Alt+S, Alt+G, Alt+U
and Alt+I focus the fields (Ctrl+F the customer); the customer text waits for
a pause in typing. Emits the whole `QueueFilter` on every change. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app.approvals.model import KINDS, OPEN_STATUSES, STATUSES, QueueFilter
from ui.approvals import format as fmt
from ui.naming import named

TYPING_DELAY_MS = 200

Choice = tuple[str, object]
KIND_CHOICES: tuple[Choice, ...] = (
    ("All kinds", frozenset()),
    *((fmt.label(k, fmt.KIND_LABELS), frozenset({k})) for k in KINDS),
)
STATUS_CHOICES: tuple[Choice, ...] = (
    ("Open", OPEN_STATUSES),  # the default view: the work to do
    ("Any status", frozenset()),
    *((fmt.label(s, fmt.STATUS_LABELS), frozenset({s})) for s in STATUSES),
)
#: (min_age_days, max_age_days)
AGE_CHOICES: tuple[Choice, ...] = (
    ("Any age", (None, None)),
    ("Under 1 d", (None, 1)),
    ("Older than 1 d", (1, None)),
    ("Older than 3 d", (3, None)),
    ("Older than 7 d", (7, None)),
    ("Older than 30 d", (30, None)),
)
RISK_CHOICES: tuple[Choice, ...] = (
    ("Any risk", frozenset()),
    ("High or severe", frozenset({"high", "severe"})),
    *((fmt.label(r, {}), frozenset({r})) for r in fmt.RISK_LEVELS),
    ("Sanctioned", frozenset({"sanctioned"})),
    ("Not screened", frozenset({"unscreened"})),
)


def _combo(name: str, choices: tuple[Choice, ...]) -> QComboBox:
    combo = named(QComboBox(), name)
    for text, value in choices:
        combo.addItem(text, value)
    return combo


def _labelled(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label


class FilterBar(QWidget):
    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = named(QTabBar(), "kindTabs")
        self.kind.setExpanding(False)
        self.kind.setDrawBase(False)
        for number, (text, value) in enumerate(KIND_CHOICES, start=1):
            self.kind.addTab(text)
            self.kind.setTabData(number - 1, value)
            self.kind.setTabToolTip(number - 1, f"Alt+{number}")
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.activated.connect(lambda i=number - 1: self.kind.setCurrentIndex(i))
        self.status = _combo("statusFilter", STATUS_CHOICES)
        self.age = _combo("ageFilter", AGE_CHOICES)
        self.risk = _combo("riskFilter", RISK_CHOICES)
        self.customer = named(QLineEdit(), "customerFilter")
        self.customer.setPlaceholderText("Name or external ID  (Ctrl+F)")
        self.customer.setClearButtonEnabled(True)
        self.customer.setMinimumWidth(120)
        self.reset_button = named(QPushButton("Reset"), "resetFilters")
        self.reset_button.setToolTip("Back to all open requests")
        self.reset_button.clicked.connect(self.reset)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_DELAY_MS)
        self._timer.timeout.connect(self._emit)
        self.customer.textChanged.connect(lambda _text: self._timer.start())
        self.customer.returnPressed.connect(self.apply_now)
        self.kind.currentChanged.connect(lambda _index: self._emit())
        for combo in (self.status, self.age, self.risk):
            combo.currentIndexChanged.connect(lambda _index: self._emit())

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(6)
        column.addLayout(row)
        column.addWidget(self.kind)
        for text, field in (
            ("&Status", self.status),
            ("A&ge", self.age),
            ("C&ustomer", self.customer),
            ("R&isk", self.risk),
        ):
            row.addWidget(_labelled(text, field))
            row.addWidget(field, 1 if field is self.customer else 0)
            row.addSpacing(6)
        row.addWidget(self.reset_button)

    def value(self) -> QueueFilter:
        min_age, max_age = self.age.currentData()
        return QueueFilter(
            kinds=self.kind.tabData(self.kind.currentIndex()),
            statuses=self.status.currentData(),
            customer=self.customer.text().strip(),
            min_age_days=min_age,
            max_age_days=max_age,
            risk_levels=self.risk.currentData(),
        )

    def describe(self) -> str:
        """The filter in words, for the count line ("" when it is the default)."""
        parts = [self.kind.tabText(self.kind.currentIndex())] if self.kind.currentIndex() else []
        parts += [combo.currentText() for combo in (self.age, self.risk) if combo.currentIndex()]
        if self.customer.text().strip():
            parts.append(f"customer “{self.customer.text().strip()}”")
        return ", ".join(parts)

    def set_kind(self, kind: str) -> None:
        wanted = frozenset({kind})
        for index in range(self.kind.count()):
            if self.kind.tabData(index) == wanted:
                self.kind.setCurrentIndex(index)

    def set_customer(self, text: str) -> None:
        self.customer.setText(text)
        self.apply_now()

    def apply_now(self) -> None:
        self._timer.stop()
        self._emit()

    def reset(self) -> None:
        for widget in (self.kind, self.status, self.age, self.risk):
            widget.blockSignals(True)
            widget.setCurrentIndex(0)
            widget.blockSignals(False)
        self.customer.blockSignals(True)
        self.customer.clear()
        self.customer.blockSignals(False)
        self._timer.stop()
        self._emit()

    def _emit(self) -> None:
        self.changed.emit(self.value())
