"""The Dashboards section on a real demo-filled vault: tiles fill from the worker and
open the right filter, charts show exact values on hover and export what they show."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from app.bus import EventBus
from app.dashboards.export import csv_text
from app.demo import new_demo_folder
from tests.ui.book_helpers import on_worker
from tests.ui.conftest import WindowFactory
from tests.ui.demo_window import demo_filled_window
from ui.application import Launcher
from ui.dashboards.chart import stamp
from ui.dashboards.page import DashboardsPage
from ui.main_window import MainWindow, State
from ui.services import Services
from vault.keys import Keychain


@pytest.fixture
def demo_window(
    vault_file: Path, no_keychain: Keychain, make_window: WindowFactory, qtbot: QtBot
) -> tuple[MainWindow, DashboardsPage]:
    window = demo_filled_window(vault_file, no_keychain, make_window, "dashboards")
    assert window.workspace is not None
    page = window.workspace.dashboards
    qtbot.waitUntil(lambda: all(tile.buttons for tile in page.tiles.values()), timeout=30_000)
    return window, page


def _value(page: DashboardsPage, tile: str, figure: str) -> int:
    return int(page.tiles[tile].buttons[figure].text().replace(",", ""))


def test_tiles_open_the_lists_behind_their_figures(
    demo_window: tuple[MainWindow, DashboardsPage], qtbot: QtBot
) -> None:
    window, page = demo_window
    workspace = window.workspace
    assert workspace is not None
    for tile in page.tiles.values():
        assert tile.as_of.text().startswith("As of"), tile.key

    expired = _value(page, "kyc", "expired")
    assert expired > 0
    qtbot.mouseClick(page.tiles["kyc"].buttons["expired"], Qt.MouseButton.LeftButton)
    customers = workspace.customers.list
    qtbot.waitUntil(lambda: workspace.current_key() == "customers")
    model = customers.model
    assert model is not None
    qtbot.waitUntil(lambda: model.total == expired and not model.fetching)
    assert customers.subset_bar.isVisible() and "Expired" in customers.subset_bar.label.text()
    rows = [model.row_at(i) for i in range(model.rowCount())]
    assert {r[4] for r in rows} == {"expired"}
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    customers.subset_bar.clear_button.click()
    qtbot.waitUntil(lambda: model.subset is None and model.total > expired)
    assert not customers.subset_bar.isVisible()

    workspace.select_key("dashboards")
    high = _value(page, "levels", "addresses_high")
    page.tiles["levels"].buttons["addresses_high"].click()
    wallets = workspace.wallets.model
    assert wallets is not None
    qtbot.waitUntil(lambda: workspace.current_key() == "wallets")
    qtbot.waitUntil(lambda: wallets.subset is not None and wallets.total == high)
    QAbstractItemModelTester(wallets, QAbstractItemModelTester.FailureReportingMode.Warning)

    workspace.select_key("dashboards")
    never = _value(page, "screening_age", "never")
    page.tiles["screening_age"].buttons["never"].click()
    qtbot.waitUntil(lambda: wallets.total == never == 25)

    workspace.select_key("dashboards")
    page.tiles["sanctions"].buttons["hits"].click()
    qtbot.waitUntil(lambda: workspace.current_key() == "screening")
    screening = workspace.screening
    assert screening.sanctioned.currentData() is True and screening.level.currentData() is None
    latest = screening.model
    assert latest is not None
    qtbot.waitUntil(lambda: latest.where.sanctioned is True)

    workspace.select_key("dashboards")
    page.tiles["approvals"].buttons["older_1"].click()
    qtbot.waitUntil(lambda: workspace.current_key() == "approvals")
    bar = workspace.approvals.filters
    assert bar.age.currentData() == (1, None) and bar.status.currentText() == "Open"
    queue = workspace.approvals.model
    assert queue is not None
    older = _value(page, "approvals", "older_1")
    qtbot.waitUntil(lambda: queue.total == older)
    workspace.select_key("dashboards")
    page.tiles["approvals"].buttons["expired"].click()
    qtbot.waitUntil(lambda: bar.status.currentData() == frozenset({"expired"}))
    qtbot.waitUntil(lambda: queue.total == _value(page, "approvals", "expired"))


def test_charts_hover_exact_values_and_export_what_they_show(
    demo_window: tuple[MainWindow, DashboardsPage], qtbot: QtBot, tmp_path: Path
) -> None:
    _window, page = demo_window
    risk = page.risk
    qtbot.waitUntil(lambda: risk.chart is not None and page.flows.chart is not None, timeout=20_000)
    chart = risk.chart
    assert chart is not None and chart.stacked
    page.show()
    day = len(chart.days) - 3
    view = risk.plot.getPlotItem().getViewBox()
    scene = view.mapViewToScene(QPointF(stamp(chart.days[day]) + 3600, 10))
    risk._mouse_moved((scene,))
    text = risk.hover.text()
    assert chart.days[day].isoformat() in text
    severe = next(s for s in chart.series if s.key == "severe").values[day]
    assert f"Severe {severe:,.0f}" in text
    assert risk.v_line.value() == stamp(chart.days[day])
    risk.export_csv(tmp_path / "risk.csv")
    risk.export_png(tmp_path / "risk.png")
    assert (tmp_path / "risk.csv").read_text(encoding="utf-8") == csv_text(chart)
    assert (tmp_path / "risk.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The shared range: narrowing it reads every chart again over the new days.
    page.first.setDate(page.last.date().addDays(-9))
    qtbot.waitUntil(lambda: risk.chart is not None and len(risk.chart.days) == 10)
    qtbot.waitUntil(
        lambda: page.approvals.chart is not None and len(page.approvals.chart.days) == 10
    )


def test_flows_follow_the_scope_and_say_what_was_not_found(
    demo_window: tuple[MainWindow, DashboardsPage], qtbot: QtBot
) -> None:
    _window, page = demo_window
    qtbot.waitUntil(lambda: page.chain.count() > 0, timeout=20_000)
    desk = {page.chain.itemData(i) for i in range(page.chain.count())}
    assert "ethereum" in desk
    page.scope.setText("NOBODY-1")
    page.scope.returnPressed.emit()
    qtbot.waitUntil(lambda: page.scope_problem.isVisible())
    assert "NOBODY-1" in page.scope_problem.text()
    page.scope.setText("DEMO-00000")
    page.scope.returnPressed.emit()
    qtbot.waitUntil(lambda: not page.scope_problem.isVisible())
    chart = page.flows.chart
    assert chart is None or chart.scope == "customer DEMO-00000"


def test_the_demo_window_adds_the_dashboards_history_after_it_opens(
    qtbot: QtBot, services: Services, bus: EventBus
) -> None:
    folder = new_demo_folder()
    launcher = Launcher(services, bus=bus)
    try:
        window = launcher.start_demo(folder)
        qtbot.waitUntil(lambda: window.state is State.UNLOCKED, timeout=60_000)
        workspace = window.workspace
        assert workspace is not None
        workspace.select_key("dashboards")
        page = workspace.dashboards
        # The history arrives after the window opens; the page reads again when it does.
        qtbot.waitUntil(
            lambda: (
                "never" in page.tiles["screening_age"].buttons
                and _value(page, "screening_age", "never") == 25
            ),
            timeout=60_000,
        )
        qtbot.waitUntil(lambda: page.chain.count() > 0, timeout=20_000)
    finally:
        launcher.shutdown()
        on_worker(services, lambda: None)
        folder.remove()
