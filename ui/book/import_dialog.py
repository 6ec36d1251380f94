"""Importing customers or addresses from CSV/XLSX: preview, column mapping, progress, results.

The preview, the profile files and the import itself run on the database
worker; the import commits whole batches, so Cancel (or a lock) keeps the
batches already written and nothing half-done. GUI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.book import mapping as mappings
from app.book.importer import ImportReport, run_import
from app.book.mapping import Mapping
from app.book.service import CustomerBook
from app.tasks import Cancelled, Handle, Progress
from ui import errors
from ui.book import context as ctx
from ui.book.context import BookContext
from ui.book.dialogs import YAML_FILTER, ask_open, ask_save
from ui.book.import_mapping import MappingEditor, Preview
from ui.book.import_results import ResultsPanel
from ui.book.import_source import SourcePanel
from ui.book.widgets import error_label, show_text
from ui.errors import field_label
from ui.naming import named
from ui.ops import run_db

CHANGES = (ctx.CUSTOMERS, ctx.ADDRESSES, ctx.CONFLICTS, ctx.AUDIT)


class ImportDialog(QDialog):
    def __init__(self, context: BookContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import customers or addresses")
        self.resize(960, 680)
        self.context = context
        self.report: ImportReport | None = None
        self._handle: Handle | None = None
        self._rows_done = 0
        self._pending_profile: Mapping | None = None

        self.source = SourcePanel(context.runner, debug=context.debug)
        self.source.previewed.connect(self._previewed)
        self.source.kind_changed.connect(self._configure_mapping)

        self.mapping = MappingEditor()
        self.mapping.changed.connect(self._update_buttons)
        self.missing_label = error_label("missingLabel")
        load_profile = named(QPushButton("Load profile…"), "loadProfile")
        load_profile.clicked.connect(self._ask_load_profile)
        self.save_profile_button = named(QPushButton("Save profile…"), "saveProfile")
        self.save_profile_button.clicked.connect(self._ask_save_profile)
        mapping_box = QGroupBox("Columns (fields marked * are required)")
        mapping_layout = QVBoxLayout(mapping_box)
        mapping_layout.addWidget(self.mapping)
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.missing_label, 1)
        profile_row.addStretch(0)
        profile_row.addWidget(load_profile)
        profile_row.addWidget(self.save_profile_button)
        mapping_layout.addLayout(profile_row)

        self.setup = setup = QWidget()
        setup_layout = QVBoxLayout(setup)
        setup_layout.setContentsMargins(0, 0, 0, 0)
        setup_layout.addWidget(self.source, 1)
        setup_layout.addWidget(mapping_box)
        self.results = ResultsPanel(context.services)
        self.pages = QStackedWidget()
        self.pages.addWidget(setup)
        self.pages.addWidget(self.results)

        self.progress = named(QProgressBar(), "importProgress")
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.status = named(QLabel(), "importStatus")
        self.status.setWordWrap(True)
        self.import_button = named(QPushButton("Import"), "runImport")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = named(QPushButton("Cancel import"), "cancelImport")
        self.cancel_button.clicked.connect(self.cancel_import)
        self.cancel_button.hide()
        self.close_button = named(QPushButton("Close"), "closeImport")
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.status, 2)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(bottom)
        self._configure_mapping()

    # --- file and preview ------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._handle is not None

    @property
    def preview(self) -> Preview | None:
        return self.source.preview

    def set_file(self, path: Path) -> None:
        self.source.set_file(path)

    def _previewed(self) -> None:
        self._configure_mapping()
        if self._pending_profile is not None and self.preview is not None:
            self._apply_profile(self._pending_profile)
        self._pending_profile = None

    def _configure_mapping(self) -> None:
        headers = self.preview.headers if self.preview is not None else []
        self.mapping.configure(self.source.kind_code(), headers)

    def _update_buttons(self) -> None:
        missing = self.mapping.missing()
        ready = self.preview is not None and not missing and not self.running
        self.import_button.setEnabled(ready)
        self.save_profile_button.setEnabled(self.preview is not None)
        text = ""
        if self.preview is not None and missing:
            text = "Choose a column for " + ", ".join(field_label(f) for f in missing) + "."
        show_text(self.missing_label, text)

    # --- profiles ----------------------------------------------------------------------

    def _ask_load_profile(self) -> None:
        path = ask_open(self, "Load a column mapping", YAML_FILTER)
        if path is not None:
            self.load_profile(path)

    def load_profile(self, path: Path) -> None:
        run_db(
            self.context.runner,
            self,
            lambda _p: mappings.load(path),
            on_success=self._profile_loaded,
            on_failure=lambda error: show_text(self.missing_label, errors.describe(error)),
        )

    def _profile_loaded(self, profile: Mapping) -> None:
        self.source.set_kind(profile.kind)
        if self.source.set_overrides(profile.encoding, profile.delimiter) and self.preview:
            self._pending_profile = profile  # applied once the file is read the new way
            self.source.load_preview()
        else:
            self._apply_profile(profile)

    def _apply_profile(self, profile: Mapping) -> None:
        absent = self.mapping.apply(profile)
        if absent:
            show_text(self.missing_label, "Not in this file: " + ", ".join(absent))

    def _ask_save_profile(self) -> None:
        path = ask_save(self, "Save the column mapping", YAML_FILTER, suffix=".yaml")
        if path is not None:
            self.save_profile(path)

    def save_profile(self, path: Path) -> None:
        profile = self.mapping.mapping(
            encoding=self.source.encoding_override(), delimiter=self.source.delimiter_override()
        )
        run_db(
            self.context.runner,
            self,
            lambda _p: profile.save(path),
            on_success=lambda _none: self.status.setText(f"Mapping saved to {path.name}."),
            on_failure=lambda error: show_text(self.missing_label, errors.describe(error)),
        )

    # --- importing ---------------------------------------------------------------------

    def start_import(self) -> None:
        path = self.source.file()
        if path is None or self.preview is None or self.running or self.mapping.missing():
            return
        profile = self.mapping.mapping(
            encoding=self.source.encoding_override(), delimiter=self.source.delimiter_override()
        )

        def work(book: CustomerBook, progress: Progress) -> ImportReport:
            return run_import(book, path, profile, progress=progress)

        self._rows_done = 0
        self._set_running(True)
        self.status.setText(f"Importing {path.name}…")
        self._handle = self.context.write(
            self,
            work,
            changes=CHANGES,
            on_success=self._finished,
            on_failure=self._failed,
            on_progress=self._progressed,
        )

    def _progressed(self, _phase: str, done: int, _total: int) -> None:
        self._rows_done = done
        if self.running:
            self.status.setText(f"{done:,} rows checked and written…")

    def cancel_import(self) -> None:
        handle = self._handle
        if handle is None:
            return
        handle.cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText("Cancelling after the batch being written…")
        if handle.future.cancelled():  # never started
            self._failed(Cancelled())

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.setup.setEnabled(not running)
        self.close_button.setEnabled(not running)
        if not running:
            self._handle = None
        self._update_buttons()

    def _finished(self, report: ImportReport) -> None:
        self._set_running(False)
        self.report = report
        path = self.source.file()
        self.results.show_report(report, path.name if path is not None else "")
        self.pages.setCurrentWidget(self.results)
        self.import_button.hide()
        self.status.setText("")
        self.close_button.setFocus()

    def _failed(self, error: BaseException) -> None:
        self._set_running(False)
        # Whole batches may have been written before the stop: let the views catch up.
        self.context.announce(*CHANGES)
        if isinstance(error, Cancelled):
            self.status.setText(
                f"Import cancelled. {self._rows_done:,} rows were written in whole batches "
                "and stay in the book; importing the file again skips them."
            )
            return
        errors.log(error, debug=self.context.debug)
        self.status.setText("")
        show_text(self.source.file_error, errors.describe(error))

    # --- closing -------------------------------------------------------------------------

    def reject(self) -> None:
        if self.running:
            self.cancel_import()  # Esc while importing stops the import, not the dialog
            return
        super().reject()

    def force_close(self) -> None:
        """Lock: stop the import after its current batch and close now."""
        if self._handle is not None:
            self._handle.cancel()
        self.done(QDialog.DialogCode.Rejected)
