"""What every window needs, passed in constructors (no global singletons)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject

from app import settings as app_settings
from app.settings import Settings
from app.tasks import TaskRunner
from ui.bridge import Bridge
from ui.clipboard import ClipboardGuard
from ui.ops import run_db


@dataclass
class Services:
    """Shared by the windows of one running app. GUI thread only."""

    runner: TaskRunner
    bridge: Bridge
    settings: Settings = field(default_factory=Settings)
    #: where settings are saved; None means the platform's default file
    settings_path: Path | None = None
    #: False in demo mode and tests: changes apply to this run only
    persist_settings: bool = True
    debug: bool = False
    clipboard: ClipboardGuard = field(default_factory=ClipboardGuard)

    def update_settings(
        self,
        new: Settings,
        owner: QObject,
        *,
        on_saved: Callable[[None], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Apply `new` at once and save it on the database worker (when persisting)."""
        self.settings = new
        if not self.persist_settings:
            if on_saved is not None:
                on_saved(None)
            return
        path = self.settings_path
        run_db(
            self.runner,
            owner,
            lambda _progress: app_settings.save(new, path),
            on_success=on_saved,
            on_failure=on_failure,
        )
