"""Drawing a case report into a PDF (QTextDocument on a QPdfWriter), for the case
page and `strongroom cases export`. Creates a QGuiApplication when there is none,
on the offscreen platform when there is no display."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument


def _application() -> QCoreApplication:
    app = QCoreApplication.instance()
    if app is not None:
        return app
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QGuiApplication(sys.argv[:1])


def write_pdf(report_html: str, path: Path) -> None:
    """Write the report's HTML as an A4 PDF at `path` (the caller makes it atomic)."""
    _application()
    writer = QPdfWriter(str(path))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(QCoreApplication.translate("CasePdf", "Strongroom case report"))
    writer.setCreator("Strongroom")
    document = QTextDocument()
    document.setHtml(report_html)
    document.print_(writer)
