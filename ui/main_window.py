"""The main window: opening, unlocking and locking the vault, and the sections.

States: opening → unlocked ⇄ locked. While unlocked the window shows the
`Workspace` (navigation and sections); locking deletes it with every model,
closes open dialogs, clears our clipboard entry and shows the locked screen.
Every session call runs on the database worker. GUI thread only.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QStackedWidget, QWidget

from app.demo import fill_demo_vault
from app.demo_dashboards import fill_demo_dashboards
from app.session import VaultSession
from app.settings import Settings
from app.tasks import Operation, Progress
from ui import errors
from ui.book import context as ctx
from ui.idle import IdleWatcher
from ui.locked_screen import LockedScreen
from ui.naming import named
from ui.ops import run_db
from ui.screening.actions import ScreeningActions
from ui.screening.batch_status import BatchStatus
from ui.screening.provider_settings import ProvidersPage
from ui.sections import SECTIONS, go_key
from ui.services import Services
from ui.sync.status import SyncStatus
from ui.unlock_dialog import UnlockDialog
from ui.vault_actions import VaultActions
from ui.webhooks_page import WebhooksPage
from ui.workspace import Workspace
from vault.errors import AuthenticationError, CorruptVaultError
from vault.store import UnlockInfo
from vault.unlock import Credentials

_METHOD_TEXT = {
    "keychain": "Unlocked through the OS keychain",
    "passphrase": "Unlocked with the passphrase",
    "recovery key": "Unlocked with the recovery key",
    "new vault": "New vault, unlocked",
}


class State(enum.Enum):
    OPENING = "opening"
    UNLOCKED = "unlocked"
    LOCKING = "locking"
    LOCKED = "locked"
    CLOSED = "closed"


class MainWindow(QMainWindow):
    #: the vault was unlocked and the workspace is showing
    unlocked = Signal()
    #: the window was closed (the app should quit)
    closed = Signal()

    def __init__(
        self,
        session: VaultSession,
        services: Services,
        *,
        demo_passphrase: str | None = None,
        idle_interval_ms: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.session = session
        self.services = services
        self.demo = demo_passphrase is not None
        self._demo_passphrase = demo_passphrase
        self.state = State.OPENING
        self.workspace: Workspace | None = None
        self._retry_open = False
        #: why the first unlock needs a passphrase (kept if the user cancels the dialog)
        self._open_reason = ""
        self._fixed_idle = idle_interval_ms is not None
        self._title = (
            "Strongroom — DEMO vault (throwaway)"
            if self.demo
            else f"Strongroom — {session.path.name}"
        )
        self.setWindowTitle(self._title)
        self.resize(1100, 700)

        self.locked_screen = LockedScreen()
        self.locked_screen.unlock_button.clicked.connect(self._unlock_clicked)
        self._screens = QStackedWidget()
        self._screens.addWidget(self.locked_screen)
        self.setCentralWidget(self._screens)

        self.vault_actions = VaultActions(
            self, session, services, demo=self.demo, settings_changed=self._settings_changed
        )
        self._build_menus()
        self._build_status_bar()

        self.idle = IdleWatcher(
            idle_interval_ms
            if idle_interval_ms is not None
            else services.settings.idle_lock_minutes * 60_000,
            self,
        )
        self.idle.idle.connect(lambda: self.lock(reason="idle"))
        services.bridge.vault_locked.connect(self._locked_elsewhere)
        self._set_unlocked_ui(False)
        self.locked_screen.show_busy("Opening the vault…", str(session.path))

    # --- building ------------------------------------------------------------

    def _build_menus(self) -> None:
        self.lock_action = named(QAction("Lock", self), "lockAction")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.lock(reason="user"))
        quit_action = named(QAction("Quit", self), "quitAction")
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        actions = self.vault_actions
        menu = self.menuBar().addMenu("&Vault")
        menu.addAction(self.lock_action)
        menu.addSeparator()
        for action in (actions.backup, actions.change_passphrase, actions.rekey):
            menu.addAction(action)
        menu.addAction(actions.restore_keychain)
        menu.addSeparator()
        menu.addAction(actions.settings)
        menu.addSeparator()
        menu.addAction(quit_action)

        self.screening_actions = ScreeningActions(
            self, lambda: self.workspace, lambda text: self.statusBar().showMessage(text, 8000)
        )
        self.screening_actions.fill(self.menuBar().addMenu("&Screening"))
        self.vault_actions.settings_pages = self._settings_pages

        sync = self.menuBar().addMenu(self.tr("S&ync"))
        self.sync_action = named(QAction(self.tr("Sync now"), self), "syncNowAction")
        self.sync_action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.sync_action.setToolTip(self.tr("Share this device's changes and fetch the desk's"))
        self.sync_action.triggered.connect(self.sync_now)
        sync.addAction(self.sync_action)

        go = self.menuBar().addMenu("&Go")
        self.search_action = named(QAction("Find customer…", self), "searchAction")
        self.search_action.setShortcut(QKeySequence("Ctrl+K"))
        self.search_action.setToolTip("Search customers, contacts, addresses, tags and notes")
        self.search_action.triggered.connect(self.focus_search)
        go.addAction(self.search_action)
        go.addSeparator()
        self.go_actions: list[QAction] = []
        for number, section in enumerate(SECTIONS, start=1):
            action = named(QAction(section.title, self), f"go{section.title}")
            action.setShortcut(QKeySequence(go_key(number - 1)))
            action.triggered.connect(lambda _checked=False, i=number - 1: self.select_section(i))
            go.addAction(action)
            self.go_actions.append(action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.path_label = named(QLabel(str(self.session.path)), "pathLabel")
        self.method_label = named(QLabel(), "methodLabel")
        self.note_label = named(QLabel(), "noteLabel")
        self.note_label.setStyleSheet("color: #8d5300;")
        bar.addWidget(self.path_label)
        bar.addWidget(self.method_label)
        bar.addWidget(self.note_label, 1)
        self.batch_status = BatchStatus()
        bar.addPermanentWidget(self.batch_status)
        self.sync_status = SyncStatus()
        bar.addPermanentWidget(self.sync_status)
        if self.demo:
            demo = QLabel(f" DEMO vault · passphrase: {self._demo_passphrase} ")
            demo.setStyleSheet("background: #fff3cd; color: #6b4e00; border-radius: 3px;")
            bar.addPermanentWidget(demo)

    def _set_unlocked_ui(self, unlocked: bool) -> None:
        self.lock_action.setEnabled(unlocked)
        self.search_action.setEnabled(unlocked)
        for action in self.go_actions:
            action.setEnabled(unlocked)
        self.vault_actions.set_unlocked(unlocked)
        self.screening_actions.set_enabled(unlocked)
        self.sync_action.setEnabled(unlocked)
        if not unlocked:
            self.method_label.setText("Locked")

    def select_section(self, index: int) -> None:
        if self.workspace is not None:
            self.workspace.select(index)

    def sync_now(self) -> None:
        """Ctrl+Shift+Y: sync now; on a vault with no desk, show how to make one."""
        if self.workspace is None:
            return
        brief = self.workspace.sync_context.brief
        if brief is not None and not brief.desk:
            self.workspace.select_key("sync")
            self.statusBar().showMessage(
                self.tr("This vault is not part of a desk: create or join one here."), 8000
            )
            return
        self.workspace.sync_context.sync_now()

    def focus_search(self) -> None:
        if self.workspace is not None:
            self.workspace.focus_search()

    # --- opening -------------------------------------------------------------

    def open_vault(self) -> None:
        """Unlock silently through the keychain if it can; else ask for the passphrase."""
        self.state = State.OPENING
        self._retry_open = False
        self.locked_screen.show_busy("Opening the vault…", str(self.session.path))
        session = self.session
        credentials = Credentials(use_keychain=self.services.settings.use_keychain)
        run_db(
            self.services.runner,
            self,
            lambda _progress: session.unlock(credentials),
            on_success=self._unlocked,
            on_failure=self._open_failed,
        )

    def create_demo(self, passphrase: str) -> None:
        """Create the throwaway demo vault (never with the keychain), fill it with
        synthetic customers, and show it."""
        self.state = State.OPENING
        self.locked_screen.show_busy("Preparing the demo vault…")
        session = self.session

        def work(progress: Progress) -> UnlockInfo:
            created = session.create(passphrase=passphrase, use_keychain=False)
            progress("filling", 0, 0)
            fill_demo_vault(created.vault, history=False)
            return created.vault.unlock

        run_db(
            self.services.runner,
            self,
            work,
            on_success=self._demo_unlocked,
            on_failure=self._open_failed,
            on_progress=lambda *_: self.locked_screen.show_busy(
                "Filling the demo vault…",
                "Synthetic customers, wallets, screenings and an approval desk, a few seconds",
            ),
        )

    def _demo_unlocked(self, info: UnlockInfo) -> None:
        """Show the demo, then add the dashboards' history behind it (seconds more that
        the user need not wait for); the views catch up when it is in."""
        self._unlocked(info)
        session = self.session

        def added(_counts: dict[str, int]) -> None:
            if self.workspace is not None:
                self.workspace.book.announce(ctx.CUSTOMERS, ctx.ADDRESSES)
                self.workspace.screening_context.changed.emit()

        run_db(
            self.services.runner,
            self,
            lambda _progress: fill_demo_dashboards(session.vault),
            on_success=added,
            on_failure=lambda error: errors.log(error, debug=self.services.debug),
        )

    def show_unlocked(self, info: UnlockInfo) -> None:
        """The session was unlocked elsewhere (the first-run wizard): show it."""
        self._unlocked(info)

    def _open_failed(self, error: BaseException) -> None:
        self.state = State.LOCKED
        if isinstance(error, AuthenticationError):
            self._open_reason = errors.describe(error)
            self.locked_screen.show_locked(self._open_reason)
            self.ask_unlock(reason=self._open_reason, use_keychain=True)
            return
        self._retry_open = True
        self.locked_screen.show_problem("The vault could not be opened", errors.describe(error))
        errors.show_error(self, "Strongroom", error, debug=self.services.debug)

    def _unlock_clicked(self) -> None:
        if self._retry_open:
            self.open_vault()
        elif self._open_reason:  # not yet unlocked in this run
            self.ask_unlock(reason=self._open_reason, use_keychain=True)
        else:
            self.ask_unlock()

    def ask_unlock(self, *, reason: str = "", use_keychain: bool = False) -> UnlockDialog:
        """Show the unlock dialog. `use_keychain` only at start: after a lock the
        passphrase is required, or locking would protect nothing."""
        dialog = UnlockDialog(
            self.session,
            self.services,
            reason=reason,
            use_keychain=use_keychain and self.services.settings.use_keychain,
            demo_passphrase=self._demo_passphrase,
            parent=self,
        )
        keep_note = not use_keychain

        def accepted() -> None:
            if dialog.info is not None:
                self._unlocked(dialog.info, keep_note=keep_note)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _unlocked(self, info: UnlockInfo, *, keep_note: bool = False) -> None:
        if self.state is State.CLOSED:
            return
        self.state = State.UNLOCKED
        self._open_reason = ""
        self.workspace = Workspace(self.session, self.services)
        self._screens.addWidget(self.workspace)
        self._screens.setCurrentWidget(self.workspace)
        self._set_unlocked_ui(True)
        self.batch_status.attach(self.workspace.screening_context)
        self.sync_status.attach(self.workspace.sync_context)
        self.workspace.focus_search()  # the first thing a person does is look someone up
        self.method_label.setText(_METHOD_TEXT.get(info.method.value, info.method.value))
        if not keep_note:
            self.note_label.setText(info.keychain_note or "")
        # A vault on read-only media, on a full disk or with a damaged page opens
        # read-only: say so where the user looks, and why (the refusal's message).
        refusal = self.session.vault.write_refusal
        if refusal is not None:
            self.setWindowTitle(self.tr("{title} (read-only)").format(title=self._title))
            damaged = isinstance(refusal, CorruptVaultError)
            self.note_label.setText(
                self.tr("Read-only: the vault is damaged, restore a backup")
                if damaged
                else self.tr("Read-only: nothing can be saved here")
            )
            self.note_label.setToolTip(refusal.message)
        self.idle.start()
        if refusal is None:  # a read-only vault cannot record what a sync brings
            self.workspace.sync_context.start()
        else:
            self.workspace.sync_context.refresh()
        self.unlocked.emit()

    # --- locking -------------------------------------------------------------

    def lock(self, *, reason: str = "user") -> None:
        """Drop every view of the vault now, then close the vault on the worker."""
        if self.state is not State.UNLOCKED:
            return
        self.state = State.LOCKING
        self._drop_vault_views()
        self.locked_screen.show_busy("Locking…")
        session = self.session
        run_db(
            self.services.runner,
            self,
            lambda _progress: session.lock(reason=reason),
            on_success=lambda _none: self._locked(reason),
            on_failure=self._lock_failed,
        )

    def _drop_vault_views(self) -> None:
        self.idle.stop()
        self.close_dialogs()
        self.batch_status.attach(None)
        self.sync_status.attach(None)
        if self.workspace is not None:
            self.workspace.close_vault_views()
            self._screens.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        self._screens.setCurrentWidget(self.locked_screen)
        self.services.clipboard.clear_if_ours()
        self._set_unlocked_ui(False)
        self.setWindowTitle(self._title)
        self.note_label.setToolTip("")

    def close_dialogs(self) -> None:
        for dialog in self.findChildren(QDialog):
            force_close = getattr(dialog, "force_close", None)
            if callable(force_close):
                # WorkerDialog, ImportDialog: a busy one refuses reject(); this stops
                # its work (or ignores the late result) and closes it.
                force_close()
            elif dialog.isVisible():
                dialog.reject()

    def _locked(self, reason: str) -> None:
        if self.state is State.CLOSED:
            return
        self.state = State.LOCKED
        if reason == "idle":
            minutes = self.services.settings.idle_lock_minutes
            message = f"Locked after {minutes} minutes without input." if minutes else "Locked."
        else:
            message = "Locked."
        self.locked_screen.show_locked(f"{message} Unlock with the passphrase to continue.")

    def _lock_failed(self, error: BaseException) -> None:
        self._locked("error")
        errors.show_error(self, "Locking", error, debug=self.services.debug)

    def _locked_elsewhere(self, reason: str) -> None:
        """The session was locked without us asking (bus event): catch up."""
        if self.state is State.UNLOCKED and not self.session.is_unlocked:
            self.lock(reason=reason or "elsewhere")

    def _settings_pages(self) -> list[QWidget]:
        """Settings tabs that need the unlocked vault (API keys, webhooks)."""
        if self.workspace is None:
            return []
        context = self.workspace.screening_context
        return [ProvidersPage(context, self.services.settings), WebhooksPage(context)]

    def _settings_changed(self, settings: Settings) -> None:
        if self.workspace is not None:
            self.workspace.screening_context.settings_changed()
        if not self._fixed_idle:
            self.idle.set_interval(settings.idle_lock_minutes * 60_000)
            if self.state is State.UNLOCKED:
                self.idle.start()

    # --- closing -------------------------------------------------------------

    def shutdown(self) -> None:
        """Quit: drop the views and queue the lock on the worker (the caller then
        shuts the runner down, which waits for it)."""
        if self.state is State.CLOSED:
            return
        self._drop_vault_views()
        self.state = State.CLOSED
        session = self.session
        self.services.runner.run_db(_lock_operation(session))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.shutdown()
        event.accept()
        self.closed.emit()


def _lock_operation(session: VaultSession) -> Operation[None]:
    return Operation(work=lambda _progress: session.lock(reason="quit"))
