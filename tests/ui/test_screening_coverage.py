"""The window on the issue-10 answers: an address no imported list covers shows as
"not covered" (never a level), filters apart from "not sanctioned", and every list
answer names its file, date and hash (list footer, history, evidence, customer tab)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.book.models import AddressDraft
from app.book.service import CustomerBook
from app.screening.sanctions import import_sanctions
from app.session import VaultSession
from tests.ui.book_helpers import add_customer, on_worker
from tests.ui.conftest import WindowFactory
from tests.ui.screening_helpers import CLEAN, LISTED, screen_offline, workspace
from tests.ui.test_screening import row_of
from ui.services import Services

BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def _desk(session: VaultSession, services: Services, tmp_path: Path) -> int:
    listed = tmp_path / "eth.txt"
    listed.write_text(f"{LISTED[0]}\n", encoding="utf-8")
    on_worker(
        services,
        lambda: import_sanctions(session.vault, listed, "ETH", list_date=date(2024, 9, 27)),
    )
    customer = add_customer(session, services, name="Coin Co", addresses=(CLEAN[0],))

    def add_bitcoin() -> None:
        with session.vault.transaction() as tx:
            CustomerBook(session.vault).save_address(tx, customer, AddressDraft("bitcoin", BTC))

    on_worker(services, add_bitcoin)
    screen_offline(session, services, [("ethereum", CLEAN[0]), ("bitcoin", BTC)])
    return customer


def test_not_covered_in_the_list_its_filters_and_the_panel(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    tmp_path: Path,
) -> None:
    window = make_window()
    _desk(session, services, tmp_path)
    ws = workspace(window)
    ws.select_key("screening")
    page = ws.screening
    page.refresh()
    model = page.model
    assert model is not None
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    cell = lambda r, c: model.index(r, c).data()  # noqa: E731
    uncovered, clean = row_of(model, BTC), row_of(model, CLEAN[0])
    assert (cell(uncovered, 2), cell(uncovered, 8)) == ("not covered", "not covered")
    assert "--asset XBT" in model.index(uncovered, 8).data(0x03)  # ToolTipRole: what to import
    assert cell(clean, 2) == "none" and cell(clean, 4) == "plain list eth.txt (ETH)"
    footer = page.lists_label.text()
    assert "plain list eth.txt (ETH)" in footer and "2024-09-27 (stated on import)" in footer
    assert "sha256 " in footer

    page.sanctioned.setCurrentIndex(page.sanctioned.findData(False))  # "Not sanctioned"
    qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.fetching)
    assert model.target(0)[1] == CLEAN[0]
    page.sanctioned.setCurrentIndex(0)
    page.status.setCurrentIndex(page.status.findData("not_covered"))
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.target(0)[1] == BTC)

    page.view.selectRow(0)
    panel = page.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert panel.model.index(0, 2).data() == "not covered"
    page.status.setCurrentIndex(0)
    qtbot.waitUntil(lambda: model.rowCount() == 2 and not model.fetching)
    page.view.selectRow(row_of(model, CLEAN[0]))
    qtbot.waitUntil(lambda: CLEAN[0] in panel.title.text())
    qtbot.waitUntil(lambda: "Lists: eth.txt, 2024-09-27" in panel.evidence_label.text())
    assert '"file_name": "eth.txt"' in panel.evidence.toPlainText()
    for size in ((1280, 800), (1000, 640)):
        window.resize(*size)
        window.grab().save(str(tmp_path / f"screening-{size[0]}.png"))


def test_the_customer_tab_does_not_suggest_from_a_chain_no_list_covers(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    tmp_path: Path,
) -> None:
    window = make_window()
    customer = _desk(session, services, tmp_path)
    ws = workspace(window)
    ws.open_customer(customer)
    tab = ws.customer_screening
    ws.customers.detail.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.found is not None)
    assert tab.found is not None and not tab.found.suggestion.complete
    assert "1 of 2 could not be screened" in tab.found.suggestion.reason
    assert "not covered" in tab.found.suggestion.reason
    assert "Not every address could be screened" in tab.explanation.text()
    answers = {tab.model.index(r, 1).data(): tab.model.index(r, 5).data() for r in range(2)}
    assert answers == {CLEAN[0]: "none (0)", BTC: "not covered"}
