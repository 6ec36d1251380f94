"""The sync's line in the window's status bar: the last sync, what waits to be shared,
anything quarantined; "Syncing…" with the files fetched while a run goes; and, with
no network, that sync waits and when it tries again. Hidden on a vault with no desk.
GUI thread.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QWidget

from app.sync.overview import Brief
from ui.book import format as fmt
from ui.sync.context import SyncContext


class SyncStatus(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.context: SyncContext | None = None
        self._fetched = 0
        self.hide()

    def attach(self, context: SyncContext | None) -> None:
        """Follow `context` (None on lock: hide). The old context is deleted with its
        workspace, which drops its connections."""
        self.context = context
        self._fetched = 0
        if context is None:
            self.hide()
            return
        context.brief_changed.connect(self._show)
        context.started.connect(self._started)
        context.fetched.connect(self._progress)
        if context.brief is not None:
            self._show(context.brief)

    def _started(self) -> None:
        self._fetched = 0
        if self.context is not None and self.context.brief is not None:
            self._show(self.context.brief)

    def _progress(self, fetched: int) -> None:
        self._fetched = fetched
        if self.context is not None and self.context.brief is not None:
            self._show(self.context.brief)

    def _show(self, facts: Brief) -> None:
        if self.context is None:  # a late result after the lock
            return
        self.setVisible(facts.desk)
        if not facts.desk:
            return
        running = self.context.running
        self.setText(self.text_for(facts, running=running, fetched=self._fetched))
        self.setToolTip(
            self.tr("Why sync waits: {reason}").format(reason=facts.last_error)
            if facts.waiting_until and facts.last_error
            else self.tr("Sync › Sync now (Ctrl+Shift+Y)")
        )
        self.setStyleSheet("color: #b71c1c;" if facts.quarantined else "")

    def text_for(self, facts: Brief, *, running: bool, fetched: int = 0) -> str:
        if running:
            first = (
                self.tr("Syncing… {n} file(s) fetched").format(n=fetched)
                if fetched
                else self.tr("Syncing…")
            )
        elif facts.waiting_until:
            first = self.tr("Offline: sync waits, next try {when}").format(
                when=_short(facts.waiting_until)
            )
        elif facts.last_sync:
            first = self.tr("Synced {when}").format(when=_short(facts.last_sync))
        else:
            first = self.tr("Not synced yet")
        parts = [first]
        if facts.unshared:
            parts.append(self.tr("{n} wait to be shared").format(n=facts.unshared))
        if facts.quarantined:
            parts.append(self.tr("{n} quarantined").format(n=facts.quarantined))
        return "  ·  ".join(parts)


def _short(stamp: str | None) -> str:
    """Today's times as HH:MM (the status bar is narrow), other days with the date."""
    shown = fmt.local(stamp)
    today = datetime.now().strftime("%Y-%m-%d ")
    return shown.removeprefix(today)
