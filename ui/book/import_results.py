"""What an import did: the counts, and every rejected row with its line and reason.

GUI thread; saving the rejects runs on the database worker (a file write).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.book.importer import ImportReport, Reject
from ui import errors
from ui.book.dialogs import TABLE_FILTER, ask_save
from ui.book.list_model import Column, ListModel
from ui.book.widgets import error_label, hint, show_text, table_view
from ui.naming import named
from ui.ops import run_db
from ui.services import Services

COUNTS = (
    ("added", "Added"),
    ("unchanged", "Unchanged"),
    ("changed", "Changed"),
    ("rejected", "Rejected"),
    ("conflicts", "Conflicts"),
)
REJECT_COLUMNS: tuple[Column[Reject], ...] = (
    Column("Line", lambda r: r.line, right=True),
    Column("Reason", lambda r: r.reason, tooltip=lambda r: r.reason),
    Column("Row", lambda r: " | ".join(r.cells), tooltip=lambda r: " | ".join(r.cells)),
)


class ResultsPanel(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.report: ImportReport | None = None
        self.title = named(QLabel(), "resultTitle")
        self.count_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        for column, (key, text) in enumerate(COUNTS):
            number = named(QLabel("0"), f"count_{key}")
            number.setStyleSheet("font-size: 18pt;")
            grid.addWidget(number, 0, column)
            grid.addWidget(QLabel(text), 1, column)
            self.count_labels[key] = number
        grid.setColumnStretch(len(COUNTS), 1)
        self.conflict_hint = hint(
            "Conflicts are addresses another customer already holds: review them under "
            "Wallets → Conflicts."
        )
        self.rejects_title = QLabel(
            "<b>Rejected rows</b> — fix them in the file and import it again; "
            "rows already imported are left as they are."
        )
        self.rejects_title.setWordWrap(True)
        self.model: ListModel[Reject] = ListModel(REJECT_COLUMNS, self)
        self.view = table_view("rejectsView")
        self.view.setModel(self.model)
        self.view.setColumnWidth(0, 60)
        self.view.setColumnWidth(1, 360)
        self.save_button = named(QPushButton("Save rejects…"), "saveRejects")
        self.save_button.setToolTip("The rejected rows as they were, with line and reason")
        self.save_button.clicked.connect(self.ask_save_rejects)
        self.message = error_label("saveRejectsError")
        row = QHBoxLayout()
        row.addWidget(self.rejects_title, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addWidget(self.conflict_hint)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)

    def show_report(self, report: ImportReport, file_name: str) -> None:
        self.report = report
        total = sum(report.counts().values()) - report.conflicts
        self.title.setText(f"<h3>Imported {file_name}: {total:,} rows read</h3>")
        for key, value in report.counts().items():
            label = self.count_labels[key]
            label.setText(f"{value:,}")
            bad = key in ("rejected", "conflicts") and value > 0
            label.setStyleSheet(f"font-size: 18pt;{' color: #b71c1c;' if bad else ''}")
        self.conflict_hint.setVisible(report.conflicts > 0)
        self.model.set_rows(report.rejects)
        has_rejects = bool(report.rejects)
        title = self.tr(
            "<b>Rejected rows</b> — fix them in the file and import it again; "
            "rows already imported are left as they are."
        )
        if not report.all_rejects_kept:
            # Only the first rows are kept, so memory stays flat for a file of bad rows.
            title += " " + self.tr(
                "Only the first %1 of %2 rejected rows are shown and saved here; to save all "
                "of them, import from the command line with --rejects FILE."
            ).replace("%1", f"{len(report.rejects):,}").replace("%2", f"{report.rejected:,}")
        self.rejects_title.setText(title)
        for widget in (self.rejects_title, self.view, self.save_button):
            widget.setVisible(has_rejects)

    def ask_save_rejects(self) -> None:
        path = ask_save(self, "Save rejected rows", TABLE_FILTER, suggested="rejects.csv")
        if path is not None:
            self.save_rejects(path)

    def save_rejects(self, target: Path) -> None:
        report = self.report
        if report is None:
            return
        show_text(self.message, "")
        run_db(
            self.services.runner,
            self,
            lambda _progress: report.save_rejects(target),
            on_success=lambda _none: self._saved(target),
            on_failure=lambda error: show_text(self.message, errors.describe(error)),
        )

    def _saved(self, path: Path) -> None:
        self.message.setStyleSheet("color: #1b5e20;")
        show_text(self.message, f"Saved to {path}")
