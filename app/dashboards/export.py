"""Writing a chart's data as CSV, atomically (STYLE.md point 6); the PNG is drawn by
the view (ui.dashboards), which the command line hands in."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from app.dashboards.charts import Chart
from vault.atomic import write_atomic

#: draws a chart into a PNG file (ui.dashboards.render.write_png)
PngWriter = Callable[[Chart, Path], None]


def csv_text(chart: Chart) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(chart.csv_rows())
    return buffer.getvalue()


def write_csv(chart: Chart, path: Path) -> None:
    write_atomic(path, csv_text(chart).encode("utf-8"))


def export_charts(charts: list[Chart], folder: Path, png: PngWriter) -> list[dict[str, str]]:
    """One CSV and one PNG per chart in `folder` (made if missing), named by chart key."""
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for chart in charts:
        csv_path, png_path = folder / f"{chart.key}.csv", folder / f"{chart.key}.png"
        write_csv(chart, csv_path)
        png(chart, png_path)
        done.append({"chart": chart.key, "csv": str(csv_path), "png": str(png_path)})
    return done
