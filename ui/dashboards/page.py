"""The Dashboards section: the desk overview's tiles, then the charts (risk over time,
approvals per day, flows), over one date range shared by the page.

Every figure is read on the database worker, one read per tile group and chart, so
tiles fill as their answers arrive and the GUI thread only draws. The page reads
when shown, and again when it is shown after the book, screenings or approvals
changed. GUI thread only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.book.models import ValidationError
from app.dashboards import charts
from app.dashboards.charts import Chart, Span
from app.dashboards.overview import READERS, Tile
from app.dashboards.scope import resolve_scope
from ui import errors
from ui.book.context import RefreshWhenShown
from ui.book.paged_model import Reader
from ui.dashboards.chart import ChartWidget
from ui.dashboards.tile import TileWidget
from ui.naming import named
from vault.connection import Connection

T = TypeVar("T")
TILES = ("kyc", "reviews", "levels", "screening_age", "sanctions", "approvals", "alerts")
COLUMNS = 3


class DashboardsPage(QWidget):
    #: a figure was clicked: (its label, app.dashboards.drill.Drill)
    open_drill = Signal(str, object)

    def __init__(self, reader: Reader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardsPage")
        self.reader = reader
        self._generation = 0
        self._closed = False
        self.flow_charts: list[Chart] = []

        title = QLabel(f"<h2>{self.tr('Dashboards')}</h2>")
        today = QDate.currentDate()
        self.first = self._date_edit("rangeFrom", today.addDays(1 - charts.DEFAULT_DAYS))
        self.last = self._date_edit("rangeUntil", today)
        self.refresh_button = named(QPushButton(self.tr("Refresh")), "dashboardsRefresh")
        self.refresh_button.setToolTip(self.tr("Read every figure again (F5)"))
        self.refresh_button.setShortcut("F5")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        for text, edit in ((self.tr("&From"), self.first), (self.tr("&Until"), self.last)):
            label = QLabel(text)
            label.setBuddy(edit)
            top.addWidget(label)
            top.addWidget(edit)
        top.addWidget(self.refresh_button)

        self.tiles: dict[str, TileWidget] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        for n, key in enumerate(TILES):
            tile = TileWidget(key)
            tile.drill.connect(self.open_drill)
            self.tiles[key] = tile
            grid.addWidget(tile, n // COLUMNS, n % COLUMNS)
        for n in range(COLUMNS):
            grid.setColumnStretch(n, 1)

        self.risk = ChartWidget("risk", self.tr("Risk over time: linked addresses by newest level"))
        self.approvals = ChartWidget(
            "approvals", self.tr("Approvals per day: requests, approvals, rejections")
        )
        self.flows = ChartWidget("flows", self.tr("Flows per day (log scale, native units)"))
        self.scope = named(QLineEdit(), "flowScope")
        self.scope.setPlaceholderText(self.tr("Whole desk, or a customer ID, or chain:address"))
        self.scope.setClearButtonEnabled(True)
        self.scope.returnPressed.connect(self._read_flows)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(600)
        self._typing.timeout.connect(self._read_flows)
        self.scope.textEdited.connect(lambda _text: self._typing.start())
        self.chain = named(QComboBox(), "flowChain")
        self.chain.setToolTip(self.tr("Each chain in its own coin"))
        self.chain.currentIndexChanged.connect(self._show_flow_chain)
        self.scope_problem = named(QLabel(), "flowScopeProblem")
        self.scope_problem.setStyleSheet("color: #D55E00;")
        self.scope_problem.hide()
        flow_bar = QHBoxLayout()
        flow_bar.addWidget(QLabel(self.tr("Flows of:")))
        flow_bar.addWidget(self.scope, 1)
        flow_bar.addWidget(QLabel(self.tr("Chain:")))
        flow_bar.addWidget(self.chain)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(16, 12, 16, 16)
        column.setSpacing(10)
        column.addLayout(top)
        column.addLayout(grid)
        column.addWidget(self.risk)
        column.addWidget(self.approvals)
        column.addLayout(flow_bar)
        column.addWidget(self.scope_problem)
        column.addWidget(self.flows)
        for chart in (self.risk, self.approvals, self.flows):
            chart.setMinimumHeight(300)
        scroll = named(QScrollArea(), "dashboardsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._refresher = RefreshWhenShown(self, self.refresh)
        self._refresher.request()

    def _date_edit(self, name: str, value: QDate) -> QDateEdit:
        edit = named(QDateEdit(value), name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.dateChanged.connect(lambda _d: self._range_changed())
        return edit

    # --- reading -------------------------------------------------------------------

    def span(self) -> Span:
        first, last = self.first.date().toPython(), self.last.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        return Span(min(first, last), max(first, last))

    def set_span(self, span: Span) -> None:
        for edit, day in ((self.first, span.first), (self.last, span.last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)
        self._read_charts()

    def data_changed(self) -> None:
        """The vault changed (book, screenings, approvals): read again once shown."""
        self._refresher.request()

    def refresh(self) -> None:
        if self._closed:
            return
        self._generation += 1
        now = datetime.now(UTC)
        for read in READERS:
            self._read(
                functools.partial(read, now=now),
                self._show_tiles,
                functools.partial(self._tiles_failed, read),
            )
        self._read_charts()

    def _range_changed(self) -> None:
        self._read_charts()

    def _read_charts(self) -> None:
        if self._closed:
            return
        now, span = datetime.now(UTC), self.span()
        self._read(lambda conn: charts.risk_chart(conn, span, now), self.risk.show_chart,
                   self.risk.show_problem)  # fmt: skip
        self._read(
            lambda conn: charts.approvals_chart(conn, span, now),
            self.approvals.show_chart,
            self.approvals.show_problem,
        )
        self._read_flows()

    def _read_flows(self) -> None:
        if self._closed:
            return
        self._typing.stop()
        now, span, text = datetime.now(UTC), self.span(), self.scope.text()

        def work(conn: Connection) -> list[Chart] | str:
            try:
                scope = resolve_scope(conn, text)
            except ValidationError as exc:
                return exc.reason
            return charts.flow_charts(conn, span, now, scope)

        self._read(work, self._show_flows, self.flows.show_problem)

    def _read(
        self,
        work: Callable[[Connection], T],
        done: Callable[[T], None],
        failed: Callable[[str], None],
    ) -> None:
        generation = self._generation

        def success(result: T) -> None:
            if generation == self._generation and not self._closed:
                done(result)

        def failure(error: BaseException) -> None:
            errors.log(error, debug=self.reader.debug)
            if generation == self._generation and not self._closed:
                failed(errors.describe(error))

        self.reader.read(self, work, on_success=success, on_failure=failure)

    # --- showing -------------------------------------------------------------------

    def _show_tiles(self, tiles: list[Tile]) -> None:
        for tile in tiles:
            if tile.key in self.tiles:
                self.tiles[tile.key].show_tile(tile)

    def _tiles_failed(self, read: Callable[..., list[Tile]], text: str) -> None:
        """The tiles a failed reader fills say why they stay empty."""
        keys = {
            "read_customers": ("kyc", "reviews"),
            "read_screening": ("levels", "screening_age"),
            "read_sanctions": ("sanctions",),
            "read_approvals": ("approvals",),
            "read_alerts": ("alerts",),
        }.get(read.__name__, ())
        for key in keys:
            self.tiles[key].show_problem(text)

    def _show_flows(self, found: list[Chart] | str) -> None:
        if isinstance(found, str):
            self.scope_problem.setText(found)
            self.scope_problem.show()
            return
        self.scope_problem.hide()
        self.flow_charts = found
        wanted = self.chain.currentData()
        self.chain.blockSignals(True)
        self.chain.clear()
        for chart in found:
            self.chain.addItem(f"{chart.chain} ({chart.unit})", chart.chain)
        index = self.chain.findData(wanted)
        self.chain.setCurrentIndex(max(0, index))
        self.chain.blockSignals(False)
        if not found:
            self.flows.chart = None
            self.flows.plot.getPlotItem().clear()
            self.flows.as_of.setText(self.tr("No explorer flows stored for this scope and range"))
            return
        self._show_flow_chain()

    def _show_flow_chain(self) -> None:
        index = self.chain.currentIndex()
        if 0 <= index < len(self.flow_charts):
            self.flows.show_chart(self.flow_charts[index])

    def close_vault_views(self) -> None:
        """Lock: forget every figure; answers still on their way are dropped."""
        self._closed = True
        self._generation += 1
        self.flow_charts = []
        for chart in (self.risk, self.approvals, self.flows):
            chart.chart = None
            chart.plot.getPlotItem().clear()
        for tile in self.tiles.values():
            tile.show_tile(Tile(tile.key, (), datetime.now(UTC), None))
