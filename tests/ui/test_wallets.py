from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bus import EventBus
from app.demo import DemoFolder, new_demo_folder
from app.session import VaultSession
from ui.application import Launcher
from ui.book.conflicts import ResolveDialog
from ui.main_window import State
from ui.services import Services
from vault.book.addresses import open_conflicts

from .book_helpers import ETH_A, ETH_B, add_customer, customer_page, on_worker, read
from .conftest import WindowFactory, unlock


def test_conflicts_list_both_customers_and_resolving_removes_one(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    first = add_customer(session, services, name="Ines Moreau", addresses=(ETH_A,))
    add_customer(session, services, name="Jonas Ibsen", addresses=(ETH_A, ETH_B))
    add_customer(session, services, name="Kaito Xu", addresses=(ETH_B,))
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace is not None
    wallets = window.workspace.wallets
    model = wallets.model
    assert model is not None
    qtbot.waitUntil(lambda: model.rowCount() == 4)
    assert [model.index(r, 4).data() for r in range(4)].count("⚠ shared") == 4
    assert wallets.tabs.tabText(1) == "Conflicts (2)"

    wallets.show_conflicts()
    view = wallets.conflicts
    assert view.model is not None and view.model.rowCount() == 2
    assert view.model.index(0, 2).data().startswith("Ines Moreau")
    assert view.model.index(0, 3).data().startswith("Jonas Ibsen")
    assert view.model.index(0, 1).data() == ETH_A
    dialog = view.ask_resolve()
    assert isinstance(dialog, ResolveDialog) and not dialog.ok_button.isEnabled()
    dialog.resolution.setPlainText("Joint account of the two; declarations on file.")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: view.model is not None and view.model.rowCount() == 1)
    assert wallets.tabs.tabText(1) == "Conflicts (1)"
    assert len(read(session, services, open_conflicts)) == 1

    view.view.selectRow(0)
    view.open_a.click()  # opens the customer on the Customers page
    customers = customer_page(window)
    assert window.workspace.current_key() == "customers"
    qtbot.waitUntil(lambda: customers.detail.detail is not None)
    assert customers.detail.detail.display_name == "Jonas Ibsen"
    assert customers.detail.tabs.tabText(1) == "Addresses (2) ⚠"
    assert first != customers.detail.customer_id


def test_double_click_on_an_address_opens_its_customer(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    add_customer(session, services, name="Lena Varga", addresses=(ETH_A,))
    window = make_window()
    window.select_section(1)
    assert window.workspace is not None
    wallets = window.workspace.wallets
    qtbot.waitUntil(lambda: wallets.model is not None and wallets.model.rowCount() == 1)
    view = wallets.view
    rect = view.visualRect(wallets.model.index(0, 3))  # type: ignore[union-attr]
    # A real double-click starts with a press (the view checks the pressed row).
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.workspace.current_key() == "customers"
    detail = customer_page(window).detail
    qtbot.waitUntil(lambda: detail.detail is not None)
    assert detail.detail.display_name == "Lena Varga"


@pytest.fixture
def demo(services: Services, bus: EventBus) -> Iterator[tuple[Launcher, DemoFolder]]:
    folder = new_demo_folder()
    launcher = Launcher(services, bus=bus)
    yield launcher, folder
    launcher.shutdown()
    on_worker(services, lambda: None)  # the lock queued by shutdown is done
    folder.remove()


def test_demo_mode_opens_on_a_filled_customer_list(
    qtbot: QtBot, demo: tuple[Launcher, DemoFolder]
) -> None:
    launcher, folder = demo
    window = launcher.start_demo(folder)
    assert "Filling" in window.locked_screen.title.text() or window.state is State.OPENING
    qtbot.waitUntil(lambda: window.state is State.UNLOCKED, timeout=60_000)  # a busy machine
    assert window.workspace is not None and window.workspace.current_key() == "customers"
    model = customer_page(window).list.model
    qtbot.waitUntil(lambda: model.rowCount() == 200, timeout=10_000)
    assert model.total >= 3000
    assert "customers" in customer_page(window).list.count_label.text()
