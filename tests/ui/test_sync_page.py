"""The Sync section, Sync now and the status bar with real vaults and a folder target:
create a desk in the dialog, invite (the code shown large and copyable), another
device's edits arriving, "changed on two devices" on the customer's page until
someone looks, a target that is gone (sync waits and says so), and a local change
shared once idle."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.approvals.service import ApprovalService
from app.book.activity import update_customer
from app.book.models import CustomerDraft
from app.book.service import CustomerBook
from app.sync.desk import create_desk
from app.sync.join import join
from app.sync.run import sync_run
from app.tasks import Operation
from tests.app.approvals.conftest import add_customer
from tests.ui.conftest import PASSPHRASE, WindowFactory
from ui.book import context as ctx
from ui.main_window import MainWindow
from ui.services import Services
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

T = TypeVar("T")
WAIT = 30_000


def on_db(services: Services, work: Callable[[], T]) -> T:
    """Run `work` on the database worker (where the window's vault lives) and wait."""
    result: T = services.runner.run_db(Operation(work=lambda _p: work())).wait(60)
    return result


def window_vault(window: MainWindow) -> Vault:
    return window.session.vault


def desk_window(
    make_window: WindowFactory, services: Services, folder: Path, *, admin: bool = False
) -> MainWindow:
    """A window on a vault that is a desk's first device, its first sync asked for."""
    folder.mkdir(exist_ok=True)
    window = make_window()
    vault = window_vault(window)
    on_db(services, lambda: create_desk(vault, target=f"folder:{folder}"))
    if admin:
        on_db(services, lambda: ApprovalService(vault).me())  # the root admin
    assert window.workspace is not None
    window.workspace.sync_context.sync_now()
    return window


def synced(qtbot: QtBot, window: MainWindow, *, unshared: int = 0) -> None:
    """Wait for a sync run to have finished with nothing left to share."""
    assert window.workspace is not None
    context = window.workspace.sync_context
    qtbot.waitUntil(
        lambda: (
            not context.running
            and context.brief is not None
            and context.brief.last_sync is not None
            and context.brief.unshared == unshared
        ),
        timeout=WAIT,
    )


def test_without_a_desk_the_page_offers_to_create_or_join(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    assert window.workspace is not None
    page = window.workspace.sync
    context = window.workspace.sync_context
    qtbot.waitUntil(lambda: context.brief is not None, timeout=WAIT)
    window.sync_action.trigger()  # Ctrl+Shift+Y with no desk: shows where to make one
    qtbot.waitUntil(lambda: window.workspace is not None and page.isVisible(), timeout=WAIT)
    assert window.workspace.current_key() == "sync"
    qtbot.waitUntil(lambda: page.stack.isVisible() and page.stack.currentIndex() == 0)
    assert page.create_button.isVisible() and page.join_button.isVisible()
    assert not window.sync_status.isVisible()
    assert window.sync_action.shortcut().toString() == "Ctrl+Shift+Y"


def test_create_a_desk_in_the_dialog_and_the_first_sync_runs(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "target"
    folder.mkdir()
    window = make_window()
    assert window.workspace is not None
    page = window.workspace.sync
    window.workspace.select_key("sync")
    qtbot.waitUntil(lambda: page.stack.isVisible() and page.stack.currentIndex() == 0)
    dialog = page.ask_create()
    dialog.name.setText("OTC desk Zurich")
    dialog.folder.setText(str(folder))
    ok = dialog.ok_button
    assert isinstance(ok, QPushButton) and ok.isEnabled()
    ok.click()
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 1, timeout=WAIT)
    assert "OTC desk Zurich" in page.title.text()
    synced(qtbot, window)
    assert any(folder.rglob("*"))  # this device's announcement is on the target
    qtbot.waitUntil(lambda: window.sync_status.text().startswith("Synced"), timeout=WAIT)
    assert window.sync_status.isVisible()
    qtbot.waitUntil(lambda: page.runs.rowCount() >= 1, timeout=WAIT)
    assert page.runs.item(0, 2).text() == "ok"
    assert page.devices.rowCount() == 1
    assert "(this device)" in page.devices.item(0, 0).text()
    assert page.targets.item(0, 0).text() == f"folder:{folder}"
    page.tabs.setCurrentIndex(1)
    assert page.test_button.isEnabled()
    page.test_button.click()
    qtbot.waitUntil(lambda: page.test_result.text().startswith("Reachable"), timeout=WAIT)


def test_the_webdav_fields_make_a_webdav_target(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    assert window.workspace is not None
    dialog = window.workspace.sync.ask_create()
    dialog.kind.setCurrentIndex(1)
    assert not dialog.ok_button.isEnabled()
    dialog.webdav_url.setText("https://desk@nas.example/strongroom/")
    assert dialog.ok_button.isEnabled()
    assert dialog.target() == ("webdav:https://desk@nas.example/strongroom/", None)
    dialog.kind.setCurrentIndex(2)
    dialog.bucket.setText("desk/zurich")
    dialog.endpoint.setText("http://127.0.0.1:9000")
    assert dialog.target() == ("s3:desk/zurich", "http://127.0.0.1:9000")
    dialog.reject()


def test_invite_shows_the_code_large_and_copyable_and_the_other_device_joins(
    qtbot: QtBot,
    make_window: WindowFactory,
    services: Services,
    tmp_path: Path,
    no_keychain: Keychain,
) -> None:
    window = desk_window(make_window, services, tmp_path / "target", admin=True)
    assert window.workspace is not None
    page = window.workspace.sync
    synced(qtbot, window)
    dialog = page.ask_invite()
    dialog.member.setText("Bea")
    dialog.roles["officer"].setChecked(True)
    invitation = tmp_path / "bea.invite"
    dialog.file.setText(str(invitation))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.invited is not None, timeout=WAIT)
    assert dialog.invited is not None
    code = dialog.invited.code
    assert dialog.code.text() == code and dialog.code.font().pointSize() >= 20
    assert dialog.code.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == code
    dialog.ok_button.click()  # "Done"
    qtbot.waitUntil(lambda: not dialog.isVisible())

    folder = tmp_path / "b"
    folder.mkdir()
    b = create_vault(folder / "b.vault", passphrase=PASSPHRASE, keychain=no_keychain).vault
    try:
        joined = join(b, file=invitation, code=code, now=datetime.now(UTC))
        assert joined.member == "Bea"
        add_customer(b, "C-9", "Made on B")
        assert sync_run(b).ok
    finally:
        b.close()
    window.sync_action.trigger()  # Ctrl+Shift+Y
    synced(qtbot, window)
    window.workspace.select_key("sync")
    qtbot.waitUntil(lambda: page.devices.rowCount() == 2, timeout=WAIT)
    members = {page.devices.item(r, 1).text() for r in range(2)}
    assert "Bea" in members
    found = on_db(
        services,
        lambda: (
            window_vault(window)
            .conn.execute("SELECT display_name FROM customers WHERE external_id = 'C-9'")
            .fetchone()
        ),
    )
    assert found == ("Made on B",)


def test_a_field_changed_on_two_devices_shows_both_until_someone_looks(
    qtbot: QtBot,
    make_window: WindowFactory,
    services: Services,
    tmp_path: Path,
    no_keychain: Keychain,
) -> None:
    folder = tmp_path / "target"
    window = desk_window(make_window, services, folder)
    assert window.workspace is not None
    workspace = window.workspace
    customer = on_db(services, lambda: add_customer(window_vault(window), "C-7", "Zed GmbH"))
    b_folder = tmp_path / "b"
    b_folder.mkdir()
    b = create_vault(b_folder / "b.vault", passphrase=PASSPHRASE, keychain=no_keychain).vault
    try:
        # b joins as the fixtures do (the invitation is tested above)
        from tests.app.sync.conftest import join as hand_over

        on_db(services, lambda: hand_over(b, desk_of=window_vault(window)))
        window.sync_action.trigger()
        synced(qtbot, window)
        assert sync_run(b).ok
        on_b = int(
            b.conn.execute("SELECT id FROM customers WHERE external_id = 'C-7'").fetchone()[0]
        )
        on_db(
            services,
            lambda: update_customer(
                CustomerBook(window_vault(window)), customer, {"country": "DE"}
            ),
        )
        update_customer(CustomerBook(b), on_b, {"country": "FR"})
        assert sync_run(b).ok
    finally:
        b.close()
    window.sync_action.trigger()
    synced(qtbot, window)
    workspace.select_key("sync")
    page = workspace.sync
    qtbot.waitUntil(lambda: page.changes.rowCount() == 1, timeout=WAIT)
    assert page.tabs.tabText(4) == "Changed on two devices (1)"
    workspace.open_customer(customer)
    panel = workspace.customers.detail.two_devices
    qtbot.waitUntil(panel.isVisible, timeout=WAIT)
    text = panel.text.text()
    assert "Changed on two devices" in text and "DE" in text and "FR" in text
    panel.looked_button.click()
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=WAIT)
    workspace.customers.detail.reload()
    qtbot.waitUntil(lambda: panel.customer_id == customer, timeout=WAIT)
    assert not panel.isVisible()


def test_with_the_target_gone_sync_waits_and_says_so(
    qtbot: QtBot, make_window: WindowFactory, services: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "target"
    window = desk_window(make_window, services, folder)
    synced(qtbot, window)
    shutil.rmtree(folder)
    window.sync_action.trigger()
    qtbot.waitUntil(lambda: "sync waits" in window.sync_status.text(), timeout=WAIT)
    assert "not there" in window.sync_status.toolTip()
    assert window.workspace is not None
    page = window.workspace.sync
    window.workspace.select_key("sync")
    qtbot.waitUntil(lambda: "could be reached" in page.status.text(), timeout=WAIT)
    assert not window.batch_status.outbox.isVisible()  # not a screening look-up
    folder.mkdir()
    window.sync_action.trigger()  # on demand: whatever the backoff
    qtbot.waitUntil(lambda: window.sync_status.text().startswith("Synced"), timeout=WAIT)


def test_a_local_change_is_shared_once_idle(
    qtbot: QtBot, make_window: WindowFactory, services: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "target"
    window = desk_window(make_window, services, folder)
    assert window.workspace is not None
    workspace = window.workspace
    synced(qtbot, window)
    before = len(list(folder.rglob("*")))
    workspace.sync_context.idle.setInterval(200)
    # After a push the approval views reload: a decision's "local — not yet shared"
    # is read again (the push cleared it in the vault).
    with qtbot.waitSignal(workspace.approvals_context.changed, timeout=WAIT):
        workspace.book.write(
            workspace,
            lambda book, _p: _save(book, "C-1"),
            changes=(ctx.CUSTOMERS,),
        )
        qtbot.waitUntil(lambda: len(list(folder.rglob("*"))) > before, timeout=WAIT)
    synced(qtbot, window)
    assert "wait to be shared" not in window.sync_status.text()


def _save(book: CustomerBook, external_id: str) -> int:
    with book.vault.transaction() as tx:
        customer_id, _ = book.save_customer(
            tx, CustomerDraft(display_name="Local Ltd", external_id=external_id)
        )
    return customer_id


def test_remove_a_device_after_confirming(
    qtbot: QtBot,
    make_window: WindowFactory,
    services: Services,
    tmp_path: Path,
    no_keychain: Keychain,
) -> None:
    window = desk_window(make_window, services, tmp_path / "target", admin=True)
    assert window.workspace is not None
    page = window.workspace.sync
    synced(qtbot, window)
    (tmp_path / "b").mkdir()
    b = create_vault(tmp_path / "b" / "b.vault", passphrase=PASSPHRASE, keychain=no_keychain).vault
    try:
        from tests.app.sync.conftest import join as hand_over

        on_db(services, lambda: hand_over(b, desk_of=window_vault(window)))
        assert sync_run(b).ok
    finally:
        b.close()
    window.sync_action.trigger()
    synced(qtbot, window)
    window.workspace.select_key("sync")
    qtbot.waitUntil(lambda: page.devices.rowCount() == 2, timeout=WAIT)
    other = next(r for r in range(2) if "(this device)" not in page.devices.item(r, 0).text())
    page.devices.selectRow(1 - other)
    assert not page.remove_button.isEnabled()  # not this device
    page.devices.selectRow(other)
    assert page.remove_button.isEnabled()
    box = page.ask_remove()
    assert box is not None
    confirm = next(b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.DestructiveRole)
    confirm.click()
    qtbot.waitUntil(
        lambda: (
            page.devices.rowCount() == 2
            and any(page.devices.item(r, 5).text() == "removed" for r in range(2))
        ),
        timeout=WAIT,
    )
