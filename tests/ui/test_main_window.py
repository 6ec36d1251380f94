from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.session import VaultSession
from tests.vault.helpers import make_read_only, undo_read_only
from ui.main_window import MainWindow, State
from ui.sections import SECTIONS, NotBuiltPage
from ui.unlock_dialog import UnlockDialog

from .conftest import PASSPHRASE, WindowFactory


def _activate(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _unlock_dialog(window: MainWindow) -> UnlockDialog | None:
    dialogs = [d for d in window.findChildren(UnlockDialog) if d.isVisible()]
    return dialogs[0] if dialogs else None


def test_has_the_seven_sections_and_unbuilt_ones_say_so(make_window: WindowFactory) -> None:
    window = make_window()
    assert window.workspace is not None
    nav = window.workspace.nav
    titles = [nav.item(i).text() for i in range(nav.count())]
    assert titles == [
        "Customers",
        "Wallets",
        "Screening",
        "Approvals",
        "Dashboards",
        "Alerts",
        "Sync",
        "Audit",
        "Reviews",
        "Cases",
    ]
    stack = window.workspace.stack
    assert stack.widget(0) is window.workspace.customers
    assert stack.widget(1) is window.workspace.wallets
    assert stack.widget(2) is window.workspace.screening
    assert stack.widget(3) is window.workspace.approvals
    for i, section in enumerate(SECTIONS):
        page = stack.widget(i)
        if section.arrives_with is None:
            assert not isinstance(page, NotBuiltPage)
            continue
        assert isinstance(page, NotBuiltPage)
        assert page.text_label.text().startswith(f"{section.title} — not built yet.")
    assert window.workspace.current_key() == "customers"  # opens on the customer book


def test_ctrl_number_switches_sections(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    _activate(qtbot, window)
    assert window.workspace is not None
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.current_key() == "customers"
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.current_key() == "alerts"
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.current_key() == "sync"
    qtbot.keyClick(window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.current_key() == "audit"
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.current_key() == "reviews"
    # the tenth section: "Ctrl+10" is no key
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.current_key() == "cases"


def test_status_bar_says_how_the_vault_was_unlocked(make_window: WindowFactory) -> None:
    window = make_window()
    assert str(window.session.path) in window.path_label.text()
    assert window.method_label.text() == "Unlocked with the passphrase"
    assert window.windowTitle() == f"Strongroom — {window.session.path.name}"


def test_a_read_only_vault_says_so_in_title_and_status_bar(
    qtbot: QtBot, make_window: WindowFactory, session: VaultSession
) -> None:
    folder = session.path.parent
    make_read_only(folder)
    try:
        window = make_window()
        assert window.windowTitle() == f"Strongroom — {session.path.name} (read-only)"
        assert window.note_label.text() == "Read-only: nothing can be saved here"
        assert str(folder) in window.note_label.toolTip()
        window.resize(1000, 640)
        window.grab().save("/tmp/readonly-vault-1000.png")
        window.resize(1280, 800)
        window.grab().save("/tmp/readonly-vault-1280.png")
        window.lock()
        qtbot.waitUntil(lambda: window.state is State.LOCKED, timeout=10_000)
        assert window.windowTitle() == f"Strongroom — {session.path.name}"
    finally:
        undo_read_only(folder)


def test_ctrl_l_locks_drops_the_model_and_clears_our_clipboard(
    qtbot: QtBot, make_window: WindowFactory, session: VaultSession
) -> None:
    window = make_window()
    _activate(qtbot, window)
    assert window.workspace is not None and window.workspace.audit is not None
    audit = window.workspace.audit
    model = audit.model
    assert model is not None
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    window.services.clipboard.copy("SECRET-RECOVERY-KEY")
    destroyed: list[bool] = []
    model.destroyed.connect(lambda: destroyed.append(True))

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(lambda: window.state is State.LOCKED)
    assert not session.is_unlocked
    assert window.workspace is None
    qtbot.waitUntil(lambda: bool(destroyed))
    assert QApplication.clipboard().text() != "SECRET-RECOVERY-KEY"
    assert window.locked_screen.isVisible()
    assert not window.lock_action.isEnabled()
    assert all(not a.isEnabled() for a in window.go_actions)
    assert window.method_label.text() == "Locked"


def test_unlock_after_lock_asks_for_the_passphrase_and_rebuilds(
    qtbot: QtBot, make_window: WindowFactory, session: VaultSession
) -> None:
    window = make_window()
    window.lock()
    qtbot.waitUntil(lambda: window.state is State.LOCKED)
    qtbot.mouseClick(window.locked_screen.unlock_button, Qt.MouseButton.LeftButton)
    dialog = _unlock_dialog(window)
    assert dialog is not None
    dialog.passphrase.setText(PASSPHRASE)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.state is State.UNLOCKED)
    assert session.is_unlocked
    assert window.workspace is not None and window.workspace.audit is not None
    model = window.workspace.audit.model
    assert model is not None
    qtbot.waitUntil(lambda: model.rowCount() >= 5)  # ..., locked, unlocked


def test_idle_auto_lock(qtbot: QtBot, make_window: WindowFactory, session: VaultSession) -> None:
    window = make_window(idle_interval_ms=300)
    assert window.idle.active
    qtbot.waitUntil(lambda: window.state is State.LOCKED, timeout=10_000)
    assert not session.is_unlocked
    assert window.workspace is None
    assert "Locked" in window.locked_screen.message.text()


def test_input_postpones_the_idle_lock(qtbot: QtBot, make_window: WindowFactory) -> None:
    interval = 1000
    window = make_window(idle_interval_ms=interval)
    timer = window.idle._timer
    start = time.monotonic()
    for _ in range(3):
        # Half the interval gone (waited for on the timer itself, not slept: a busy
        # machine may wake us late), then a key press starts it again.
        qtbot.waitUntil(lambda: timer.remainingTime() < interval // 2, timeout=10_000)
        assert window.state is State.UNLOCKED
        qtbot.keyClick(window, Qt.Key.Key_Shift)
        assert timer.remainingTime() > interval // 2
    assert time.monotonic() - start > interval / 1000  # longer than the idle time, still open
    assert window.state is State.UNLOCKED
    qtbot.waitUntil(lambda: window.state is State.LOCKED, timeout=10_000)


def test_lock_closes_open_dialogs(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    window.vault_actions.ask_change_passphrase()
    dialogs = [w for w in window.findChildren(object) if w.objectName() == "changePassphraseDialog"]
    assert dialogs and dialogs[0].isVisible()
    window.lock()
    assert not dialogs[0].isVisible()
    qtbot.waitUntil(lambda: window.state is State.LOCKED)


def test_every_section_fits_a_1000_by_640_window(qtbot: QtBot, make_window: WindowFactory) -> None:
    """A laptop's window: no section asks for more width than 1000 pixels."""
    window = make_window()
    assert window.workspace is not None
    window.resize(1000, 640)
    window.show()
    for section in SECTIONS:
        window.workspace.select_key(section.key)  # synchronous: the page shows at once
        assert window.minimumSizeHint().width() <= 1000, section.key
        assert window.width() == 1000, section.key
