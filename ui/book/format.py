"""How book values read on screen: labels for codes, local dates, risk colours, fonts.

Pure helpers; any thread (they build no widgets).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtGui import QColor, QFont, QFontDatabase

KYC_LABELS = {
    "not_started": "Not started",
    "pending": "Pending",
    "approved": "Approved",
    "rejected": "Rejected",
    "expired": "Expired",
}
RISK_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "prohibited": "Prohibited"}
KIND_LABELS = {"individual": "Individual", "entity": "Entity"}
_RISK_COLOURS = {"medium": "#8d5300", "high": "#b71c1c", "prohibited": "#7f0000"}
_KYC_COLOURS = {"rejected": "#b71c1c", "expired": "#b71c1c", "pending": "#8d5300"}


def label(code: str | None, labels: dict[str, str]) -> str:
    if not code:
        return ""
    return labels.get(code, code.replace("_", " ").capitalize())


def risk_colour(code: str | None) -> QColor | None:
    colour = _RISK_COLOURS.get(code or "")
    return QColor(colour) if colour else None


def kyc_colour(code: str | None) -> QColor | None:
    colour = _KYC_COLOURS.get(code or "")
    return QColor(colour) if colour else None


def local(stamp: str | None, *, seconds: bool = False) -> str:
    """A stored ISO time in the machine's local time; dates stay dates."""
    if not stamp:
        return ""
    if len(stamp) == 10:
        return stamp
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def mono() -> QFont:
    """The system's fixed-width font: addresses must be read character by character."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    font.setFixedPitch(True)
    return font


def bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font
