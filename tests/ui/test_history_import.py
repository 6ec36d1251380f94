"""The History tab lists a customer's rows of an address import (one batch event for
many customers), with the label opened, and "[erased]" once the customer is erased."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.book.importer import default_mapping, run_import
from app.book.service import IMPORTED_ADDRESSES, CustomerBook
from app.session import VaultSession
from ui.main_window import MainWindow
from ui.services import Services

from .book_helpers import ETH_A, ETH_B, add_customer, customer_page, on_worker
from .conftest import WindowFactory, unlock


def test_history_shows_the_customers_imported_addresses(
    qtbot: QtBot,
    services: Services,
    session: VaultSession,
    make_window: WindowFactory,
    tmp_path: Path,
) -> None:
    unlock(session, services)
    ada = add_customer(session, services, name="Ada Quint", external_id="A1")
    add_customer(session, services, name="Bo Rivers", external_id="B1")
    csv = tmp_path / "addresses.csv"
    csv.write_text(
        "customer_external_id,chain,address,label\n"
        f"A1,ethereum,{ETH_A},Ada's hot wallet\n"
        f"B1,ethereum,{ETH_B},Bo's wallet\n"
        "A1,bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,Ada's cold wallet\n"
    )
    on_worker(
        services,
        lambda: run_import(CustomerBook(session.vault), csv, default_mapping("addresses")),
    )
    window: MainWindow = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    customers = customer_page(window)
    customers.open_customer(ada)
    page = customers.detail
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.id == ada)
    page.tabs.setCurrentWidget(page.history)
    tab = page.history
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3)
    kinds = [tab.model.index(r, 2).data() for r in range(3)]
    assert kinds == [IMPORTED_ADDRESSES, IMPORTED_ADDRESSES, "customer.created"]
    lines = [tab.model.index(r, 3).data() for r in range(2)]
    assert "Ada's cold wallet" in lines[0] and lines[0].startswith("bitcoin bc1q")
    assert "Ada's hot wallet" in lines[1] and ETH_A in lines[1]
    assert not any("Bo's" in line for line in lines)
