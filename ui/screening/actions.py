"""The Screening menu and its shortcuts, acting on what the window shows.

Ctrl+Shift+S screens the selection: the addresses selected in Wallets or in the
Screening list, or the customer whose page is open; Ctrl+Shift+R does the same
but asks the provider again whatever the cache holds; Ctrl+Shift+E fetches
balances and activity from the block explorers for the same. The shortcuts live here
only (window-wide), so no page's own shortcut can make them ambiguous.
GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from ui.naming import named

if TYPE_CHECKING:
    from ui.workspace import Workspace


class ScreeningActions:
    def __init__(
        self,
        window: QWidget,
        workspace: Callable[[], Workspace | None],
        say: Callable[[str], None],
    ) -> None:
        self._workspace = workspace
        self._say = say
        self.screen = self._action(window, "Screen selection", "Ctrl+Shift+S", "screenSelection")
        self.screen.setToolTip(
            "Screen the addresses selected in Wallets or Screening, or the open customer"
        )
        self.screen.triggered.connect(lambda: self._selection(refresh=False))
        self.refresh = self._action(window, "Refresh selection", "Ctrl+Shift+R", "refreshSelection")
        self.refresh.setToolTip("Ask the provider again, whatever the cache holds")
        self.refresh.triggered.connect(lambda: self._selection(refresh=True))
        self.explorer = self._action(
            window, "Fetch explorer data", "Ctrl+Shift+E", "fetchExplorerSelection"
        )
        self.explorer.setToolTip(
            "Balances and activity from the block explorers for the addresses selected in "
            "Wallets or Screening, the address shown, or the open customer"
        )
        self.explorer.triggered.connect(self._explorer)
        self.book = self._action(window, "Screen whole book", None, "screenBook")
        self.book.triggered.connect(self._book)
        self.cancel = self._action(window, "Cancel screening", None, "cancelScreening")
        self.cancel.triggered.connect(self._cancel)
        self.cancel_explorer = self._action(
            window, "Cancel explorer fetch", None, "cancelExplorerFetch"
        )
        self.cancel_explorer.triggered.connect(self._cancel_explorer)
        self.import_list = self._action(window, "Import sanctions list…", None, "importSanctions")
        self.import_list.triggered.connect(self._import)
        self.outbox = self._action(window, "Run outbox now", None, "runOutbox")
        self.outbox.setToolTip("Try every look-up that waits for the network now")
        self.outbox.triggered.connect(self._outbox)
        self.all = [
            self.screen,
            self.refresh,
            self.explorer,
            self.book,
            self.cancel,
            self.cancel_explorer,
            self.import_list,
            self.outbox,
        ]

    @staticmethod
    def _action(window: QWidget, text: str, keys: str | None, name: str) -> QAction:
        action = named(QAction(text, window), name)
        if keys:
            action.setShortcut(QKeySequence(keys))
        window.addAction(action)
        return action

    def fill(self, menu: QMenu) -> None:
        for action in (self.screen, self.refresh, self.book, self.cancel):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.explorer)
        menu.addAction(self.cancel_explorer)
        menu.addSeparator()
        menu.addAction(self.import_list)
        menu.addAction(self.outbox)

    def set_enabled(self, enabled: bool) -> None:
        for action in self.all:
            action.setEnabled(enabled)

    def _selection(self, *, refresh: bool) -> None:
        workspace = self._workspace()
        if workspace is not None and (why := workspace.screen_selection(refresh=refresh)):
            self._say(why)

    def _explorer(self) -> None:
        workspace = self._workspace()
        if workspace is not None and (why := workspace.fetch_explorer_selection()):
            self._say(why)

    def _cancel_explorer(self) -> None:
        workspace = self._workspace()
        if workspace is not None:
            workspace.screening_context.explorer.cancel()

    def _book(self) -> None:
        workspace = self._workspace()
        if workspace is not None and not workspace.screening.screen_book():
            self._say("Another screening is running: wait, or cancel it (Screening › Cancel).")

    def _cancel(self) -> None:
        workspace = self._workspace()
        if workspace is not None:
            workspace.screening_context.cancel()

    def _import(self) -> None:
        workspace = self._workspace()
        if workspace is not None:
            workspace.select_key("screening")
            workspace.screening.ask_import()

    def _outbox(self) -> None:
        workspace = self._workspace()
        if workspace is not None:
            workspace.screening_context.drain(retry_now=True)
