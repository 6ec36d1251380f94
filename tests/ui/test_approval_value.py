"""The value a request counts for the tiers, in the queue, the evidence pane and the
request dialog: from real stored prices, with the price's age, and "no fresh price"."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.session import VaultSession
from tests.app.approvals.conftest import add_prices
from ui.approvals.queue_model import NEEDED_COLUMN, VALUE_COLUMN
from ui.approvals.request_dialog import Customer, RequestDialog
from ui.services import Services

from .approval_helpers import ANA, addresses, desk, service
from .book_helpers import add_customer, on_worker
from .conftest import WindowFactory, unlock
from .test_approvals import _open_queue

SIZES = ((1280, 800), (1000, 640))


def _shoot(widget: QWidget, name: str, qtbot: QtBot) -> None:
    """With STRONGROOM_SHOTS=DIR: the widget at both sizes, to look at."""
    folder = os.environ.get("STRONGROOM_SHOTS")
    if not folder:
        return
    for width, height in SIZES:
        widget.resize(width, height)
        qtbot.wait(150)
        widget.grab().save(str(Path(folder) / f"{name}-{width}.png"))


def test_queue_evidence_and_dialog_show_the_value_and_the_price_age(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    desk(session, services)
    customer_id = add_customer(session, services, name="Acme Trading", external_id="ACME-1")
    on_worker(services, lambda: add_prices(session.vault, BTC="60000"))
    stale_age = timedelta(hours=30)
    on_worker(services, lambda: add_prices(session.vault, age=stale_age, SOL="150"))
    to_btc, to_sol = addresses(2, seed=7)

    def requests() -> tuple[str, str]:
        ana = service(session, ANA)
        btc = ana.request_withdrawal("ACME-1", "BTC", Decimal("2.5"), "ethereum", to_btc)
        sol = ana.request_withdrawal("ACME-1", "SOL", Decimal("10"), "ethereum", to_sol)
        return btc.id, sol.id

    btc_id, sol_id = on_worker(services, requests)
    window = make_window()
    page, model = _open_queue(qtbot, window)
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    rows = {model.request_id(n): n for n in range(2)}
    assert model.index(rows[btc_id], VALUE_COLUMN).data() == "150,000.00 USD · 1 h"
    assert model.index(rows[btc_id], NEEDED_COLUMN).data() == "2 officer"
    assert model.index(rows[sol_id], VALUE_COLUMN).data() == "no fresh price"
    assert model.index(rows[sol_id], NEEDED_COLUMN).data() == "1 desk head + 2 officer"
    tip = model.index(rows[sol_id], VALUE_COLUMN).data(3)  # ToolTipRole
    assert "older than 24 hours" in tip and "top tier" in tip

    page.view.selectRow(rows[sol_id])
    pane = page.evidence
    qtbot.waitUntil(lambda: pane.evidence is not None and pane.evidence.detail.row.id == sol_id)
    text = pane.text()
    assert "No fresh price: the newest SOL price is from" in text
    assert "the top tier applies" in text
    assert "1 SOL = 150 USD" in text and "(30 h old) from test prices" in text
    page.view.clearSelection()
    page.view.selectRow(rows[btc_id])
    qtbot.waitUntil(lambda: pane.evidence is not None and pane.evidence.detail.row.id == btc_id)
    text = pane.text()
    assert "2.5 BTC = 150,000.00 USD" in text
    assert "1 BTC = 60,000 USD" in text and "(1 h old) from test prices" in text
    _shoot(window, "prices-evidence", qtbot)

    dialog = RequestDialog(
        page.context, "withdrawal", Customer(customer_id, "Acme Trading", "ACME-1"), parent=window
    )
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.asset.setText("BTC")
    dialog.amount.setText("2.5")
    qtbot.waitUntil(lambda: "150,000.00 USD" in dialog.value.text())
    assert "1 h old" in dialog.value.text()
    _shoot(dialog, "prices-request-btc", qtbot)
    dialog.asset.setText("SOL")
    qtbot.waitUntil(lambda: "No fresh price" in dialog.value.text())
    text = dialog.value.text()
    assert "older than 24 hours" in text and "(30 h old)" in text and "top tier" in text
    _shoot(dialog, "prices-request-sol", qtbot)
    dialog.reject()
