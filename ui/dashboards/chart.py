"""One chart of the Dashboards: a pyqtgraph plot of daily series with hover values,
a crosshair, zoom and pan, "as of", and export of the picture (PNG) and the data
(CSV). Long series stay smooth: automatic downsampling and clip-to-view, and mouse
moves are rate-limited (SignalProxy). GUI thread only.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.dashboards.charts import Chart
from app.dashboards.export import write_csv
from ui.dashboards import labels
from ui.dashboards.palette import colour
from ui.naming import named
from vault.atomic import write_atomic

DAY = 86_400.0


def stamp(day: date) -> float:
    """A day's position on the x axis: its UTC midnight in seconds."""
    return datetime.combine(day, time(), UTC).timestamp()


def stacked(chart: Chart) -> list[list[float]]:
    """Each series' top edge when the series are stacked in order (bottom first)."""
    tops: list[list[float]] = []
    below = [0.0] * len(chart.days)
    for series in chart.series:
        below = [b + v for b, v in zip(below, series.values, strict=True)]
        tops.append(below)
    return tops


def highest(chart: Chart) -> float:
    """The top of the drawing: of the whole stack, or of the highest series."""
    edges = stacked(chart)[-1:] if chart.stacked else [list(x.values) for x in chart.series]
    values = [v for edge in edges for v in edge]
    return max(values, default=0.0)


class ChartWidget(QFrame):
    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"chart_{key}")
        self.chart: Chart | None = None
        self.canvas = QWidget()  # what the PNG shows: title, age, plot
        self.title = QLabel(f"<b>{title}</b>")
        self.as_of = named(QLabel(labels.tr("Reading…")), f"chartAsOf_{key}")
        self.as_of.setStyleSheet("color: palette(placeholder-text);")
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.as_of)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.plot.setObjectName(f"plot_{key}")
        self.plot.setMinimumHeight(220)
        self.plot.setBackground(None)  # the window's own colour, light or dark
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        window = self.palette().color(QPalette.ColorRole.Window)
        window.setAlpha(225)  # the legend stays readable over a filled band
        self.legend = item.addLegend(
            offset=(8, 8),
            brush=pg.mkBrush(window),
            labelTextColor=self.palette().color(QPalette.ColorRole.WindowText),
        )
        self.v_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888", width=1))
        self.h_line = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen("#888", width=1))
        canvas = QVBoxLayout(self.canvas)
        canvas.setContentsMargins(0, 0, 0, 0)
        canvas.addLayout(heading)
        canvas.addWidget(self.plot, 1)

        self.hover = named(QLabel(" "), f"chartHover_{key}")
        self.hover.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.png_button = named(QPushButton(labels.tr("PNG…")), f"chartPng_{key}")
        self.png_button.setToolTip(labels.tr("Save this chart as a picture"))
        self.png_button.clicked.connect(lambda: self._ask_save("png"))
        self.csv_button = named(QPushButton(labels.tr("CSV…")), f"chartCsv_{key}")
        self.csv_button.setToolTip(labels.tr("Save this chart's numbers as CSV"))
        self.csv_button.clicked.connect(lambda: self._ask_save("csv"))
        below = QHBoxLayout()
        below.addWidget(self.hover, 1)
        below.addWidget(self.png_button)
        below.addWidget(self.csv_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(below)
        self._proxy = pg.SignalProxy(
            self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved
        )

    # --- drawing -------------------------------------------------------------------

    def show_chart(self, chart: Chart) -> None:
        self.chart = chart
        item = self.plot.getPlotItem()
        item.clear()
        self.legend.clear()
        item.setLogMode(y=chart.log_y)
        xs = [stamp(d) for d in chart.days]
        if chart.stacked:
            # Top edges drawn from the top of the stack down, each filled to zero: the
            # lower series cover the fill of the ones above up to their own edge.
            tops = stacked(chart)
            for series, top in reversed(list(zip(chart.series, tops, strict=True))):
                self._curve(xs, top, series.key, fill=True)
        else:
            for series in chart.series:
                values = list(series.values)
                if chart.log_y:  # log(0) has no place: empty days are gaps
                    values = [v if v > 0 else math.nan for v in values]
                self._curve(xs, values, series.key, fill=False, dots=True)
        item.setLabel("left", chart.unit)
        item.addItem(self.v_line, ignoreBounds=True)
        item.addItem(self.h_line, ignoreBounds=True)
        if xs:
            item.setXRange(xs[0], xs[-1] + DAY, padding=0.01)
        if chart.log_y:
            item.enableAutoRange(axis="y")
        else:  # counts: from zero, so bands and lines compare honestly
            item.setYRange(0, max(1.0, highest(chart)) * 1.05, padding=0)
        self.as_of.setText(labels.as_of_text(chart.as_of, chart.data_at))
        self.hover.setText(
            labels.tr("Point at the chart for exact values; drag to pan, wheel to zoom")
        )

    def _curve(
        self, xs: list[float], ys: list[float], key: str, *, fill: bool, dots: bool = False
    ) -> None:
        pen = pg.mkPen(colour(key), width=2)
        options: dict[str, Any] = {
            "pen": pen,
            "name": labels.series_label(key),
            "connect": "finite",
        }
        if fill:
            brush = QColor(colour(key))
            options.update(fillLevel=0, brush=brush)
        if dots:
            options.update(symbol="o", symbolSize=4, symbolPen=None, symbolBrush=colour(key))
        self.plot.getPlotItem().plot(xs, ys, **options)

    def show_problem(self, text: str) -> None:
        self.as_of.setText(labels.tr("Could not read: {0}").format(text))

    # --- hover ---------------------------------------------------------------------

    def _mouse_moved(self, event: tuple[QPointF]) -> None:
        chart = self.chart
        if chart is None or not chart.days:
            return
        view = self.plot.getPlotItem().getViewBox()
        point = view.mapSceneToView(event[0])
        index = round((point.x() - stamp(chart.days[0])) / DAY)
        if not 0 <= index < len(chart.days):
            return
        self.v_line.setPos(stamp(chart.days[index]))
        self.h_line.setPos(point.y())
        self.hover.setText(self.values_text(index))

    def values_text(self, index: int) -> str:
        """The exact values of one day, as the hover line shows them."""
        chart = self.chart
        assert chart is not None
        parts = [chart.days[index].isoformat()]
        for series in chart.series:
            value = series.values[index]
            shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4f}"
            parts.append(f"{labels.series_label(series.key)} {shown}")
        unit = chart.unit if chart.unit != "per day" else labels.tr("per day")
        return " · ".join(parts) + f"  ({unit})"

    # --- export --------------------------------------------------------------------

    def _ask_save(self, kind: str) -> None:
        if self.chart is None:
            return
        name = f"{self.chart.key}-{self.chart.days[-1].isoformat() if self.chart.days else ''}"
        path, _ = QFileDialog.getSaveFileName(
            self, labels.tr("Save chart"), f"{name}.{kind}", f"{kind.upper()} (*.{kind})"
        )
        if path:
            (self.export_png if kind == "png" else self.export_csv)(Path(path))

    def export_png(self, path: Path) -> None:
        """The title, its age and the plot as a picture, written atomically."""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.canvas.grab().save(buffer, "PNG")
        buffer.close()
        write_atomic(path, bytes(data.data()))

    def export_csv(self, path: Path) -> None:
        if self.chart is not None:
            write_csv(self.chart, path)
