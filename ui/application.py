"""Starting the desktop app: which vault, first run or unlock, and a clean exit.

`run_gui` is what `main.py` calls. `Launcher` holds the start-up decisions
so tests can drive them without `QApplication.exec`. GUI thread only; the
vault is touched only on the database worker.
"""

from __future__ import annotations

import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from app import settings as app_settings
from app.bus import EventBus
from app.demo import DEMO_PASSPHRASE, DemoFolder, new_demo_folder
from app.session import VaultSession
from app.tasks import TaskRunner
from ui import errors
from ui.bridge import Bridge
from ui.collector import GuiThreadCollector
from ui.main_window import MainWindow
from ui.ops import run_db
from ui.services import Services
from ui.wizard import FirstRunWizard
from vault.keys import Keychain
from vault.paths import default_vault_path


class Launcher(QObject):
    """Decides what to show first and owns the windows it creates."""

    #: the app should end (wizard cancelled, window closed)
    finished = Signal()

    def __init__(
        self,
        services: Services,
        *,
        bus: EventBus,
        keychain: Keychain | None = None,
        idle_interval_ms: int | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.bus = bus
        self.keychain = keychain
        self.idle_interval_ms = idle_interval_ms
        self.window: MainWindow | None = None
        self.wizard: FirstRunWizard | None = None

    def _session(self, path: Path, keychain: Keychain | None = None) -> VaultSession:
        return VaultSession(path, keychain=keychain or self.keychain, bus=self.bus)

    def _window(self, session: VaultSession, *, demo_passphrase: str | None = None) -> MainWindow:
        window = MainWindow(
            session,
            self.services,
            demo_passphrase=demo_passphrase,
            idle_interval_ms=self.idle_interval_ms,
        )
        window.closed.connect(self.finished)
        self.window = window
        window.show()
        return window

    def start_demo(self, folder: DemoFolder) -> MainWindow:
        """A throwaway vault in `folder`; its key never goes near the real keychain."""
        no_keychain = Keychain.disabled()
        session = self._session(folder.vault_path, no_keychain)
        window = self._window(session, demo_passphrase=DEMO_PASSPHRASE)
        window.create_demo(DEMO_PASSPHRASE)
        return window

    def start(self, path: Path) -> None:
        """First run if there is no vault at `path`, else open it."""
        session = self._session(path)
        run_db(
            self.services.runner,
            self,
            lambda _progress: session.exists(),
            on_success=lambda exists: self._open(session) if exists else self._first_run(path),
            on_failure=self._fatal,
        )

    def _open(self, session: VaultSession) -> None:
        window = self._window(session)
        window.unlocked.connect(lambda: self._remember(session.path))
        window.open_vault()

    def _first_run(self, path: Path) -> None:
        wizard = FirstRunWizard(self.services, default_path=path, make_session=self._session)
        self.wizard = wizard
        wizard.accepted.connect(self._created)
        wizard.rejected.connect(self.finished)
        wizard.show()

    def _created(self) -> None:
        wizard = self.wizard
        if wizard is None or wizard.session is None or wizard.created is None:
            return
        session, created = wizard.session, wizard.created
        self._remember(session.path, use_keychain=wizard.use_keychain)
        self._window(session).show_unlocked(created.vault.unlock)
        wizard.deleteLater()
        self.wizard = None

    def _remember(self, path: Path, *, use_keychain: bool | None = None) -> None:
        """Save the vault as the one to open next time (None for the default place)."""
        current = self.services.settings
        vault_path = None if path == default_vault_path() else str(path)
        keychain = current.use_keychain if use_keychain is None else use_keychain
        if (current.vault_path, current.use_keychain) == (vault_path, keychain):
            return
        self.services.update_settings(
            current.with_changes(vault_path=vault_path, use_keychain=keychain),
            self,
            on_failure=lambda error: errors.log(error, debug=True),
        )

    def _fatal(self, error: BaseException) -> None:
        errors.log(error, debug=self.services.debug)
        box = QMessageBox(QMessageBox.Icon.Critical, "Strongroom", errors.describe(error))
        box.exec()
        self.finished.emit()

    def shutdown(self) -> None:
        """Lock the vault (queued on the worker) and close the windows."""
        if self.window is not None:
            self.window.shutdown()
            self.window.close()


def _vault_path(vault: str | None, settings: app_settings.Settings) -> Path:
    if vault:
        return Path(vault).expanduser().absolute()
    if settings.vault_path:
        return Path(settings.vault_path).expanduser().absolute()
    return default_vault_path()


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def _excepthook(debug: bool) -> ExceptHook:
    """A bug in a slot: say so in a box instead of failing silently; traceback to stderr."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(kind, error, tb, file=sys.stderr)
        if QApplication.instance() is not None:
            errors.show_message(
                None, "Strongroom", errors.describe(error), icon=QMessageBox.Icon.Critical
            )

    return hook


def _quit_on_signals(app: QApplication) -> QTimer:
    """Ctrl+C or SIGTERM quits cleanly (vault locked, demo folder removed).

    Python runs signal handlers only when it gets control, so a timer hands
    it control a few times a second while Qt's event loop runs."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_args: app.quit())
    timer = QTimer()
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


def run_gui(vault: str | None, demo: bool, debug: bool) -> int:
    """Run the desktop app until the user quits; returns the process exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Strongroom")
    app.setQuitOnLastWindowClosed(False)  # we quit when the main window or wizard closes
    collector = GuiThreadCollector()
    bridge = Bridge()
    runner = TaskRunner(bridge.deliver)
    bus = EventBus()
    unsubscribe = bridge.attach(bus)
    settings = app_settings.load()
    services = Services(runner, bridge, settings, persist_settings=not demo, debug=debug)
    launcher = Launcher(services, bus=bus)
    launcher.finished.connect(app.quit)
    folder = new_demo_folder() if demo else None
    previous_hook = sys.excepthook
    sys.excepthook = _excepthook(debug)
    previous_signals = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    wake = _quit_on_signals(app)
    try:
        if folder is not None:
            launcher.start_demo(folder)
        else:
            launcher.start(_vault_path(vault, settings))
        return app.exec()
    finally:
        launcher.shutdown()
        runner.shutdown()  # waits for the lock queued by shutdown
        services.clipboard.clear_if_ours()
        unsubscribe()
        collector.stop()
        sys.excepthook = previous_hook
        wake.stop()
        for number, handler in previous_signals.items():
            signal.signal(number, handler)
        if folder is not None:
            folder.remove()
