"""Drawing a chart into a PNG without a window (`strongroom dashboard export`): the
same ChartWidget as the page, laid out off screen. Creates the QApplication when
there is none, on the offscreen platform when there is no display."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.dashboards.charts import Chart
from ui.dashboards.chart import ChartWidget
from ui.dashboards.labels import chart_title

SIZE = (1200, 520)


def _application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication(sys.argv[:1])


def write_png(chart: Chart, path: Path) -> None:
    app = _application()
    widget = ChartWidget(chart.key, chart_title(chart))
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.resize(*SIZE)
    widget.show_chart(chart)
    widget.show()
    app.processEvents()
    try:
        widget.export_png(path)
    finally:
        widget.close()
        widget.deleteLater()
