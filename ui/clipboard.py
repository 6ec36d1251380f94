"""Copying secrets (the recovery key) and taking them back off the clipboard.

STYLE.md point 7: locking clears the clipboard if we put something there.
We only clear it when it still holds exactly what we copied, so a user who
copied something else since keeps it. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtGui import QClipboard, QGuiApplication


class ClipboardGuard:
    def __init__(self) -> None:
        self._ours: str | None = None

    @staticmethod
    def _clipboard() -> QClipboard:
        return QGuiApplication.clipboard()

    def copy(self, text: str) -> None:
        self._clipboard().setText(text)
        self._ours = text

    @property
    def holds_ours(self) -> bool:
        return self._ours is not None and self._clipboard().text() == self._ours

    def clear_if_ours(self) -> bool:
        """Clear the clipboard if it still holds what we copied; True if it did."""
        cleared = self.holds_ours
        if cleared:
            self._clipboard().clear()
        self._ours = None
        return cleared
