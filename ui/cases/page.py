"""The Cases section: the desk's cases (filter by status, sortable) beside the chosen
case as its report reads (everything it gathers), with Add note, Escalate, Ask to
close (a 'case_close' approval request) and Export (JSON, PDF and documents).
Loads on the database worker when shown and after each change. GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.cases.export import export_case, html_of, report
from app.cases.model import STATUSES, CaseView
from ui.book.context import RefreshWhenShown
from ui.book.dialogs import ask_folder, open_dialog
from ui.book.widgets import empty_state, table_beside, table_view
from ui.cases.dialogs import TextDialog
from ui.cases.model import STATUS_LABELS, CasesModel
from ui.cases.pdf import write_pdf
from ui.errors import describe, log, show_error, show_message
from ui.naming import named
from ui.reviews.context import CasesContext


class CasesPage(QWidget):
    def __init__(self, context: CasesContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("casesPage")
        self.context = context
        self.model = CasesModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.status = named(QComboBox(), "casesStatus")
        self.status.addItem(self.tr("Open and escalated"), ("open", "escalated"))
        for code in STATUSES:
            self.status.addItem(self.tr(STATUS_LABELS[code]), (code,))
        self.status.addItem(self.tr("All cases"), ())
        self.summary = named(QLabel(), "casesSummary")
        self.view = table_view("casesTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        for column, width in enumerate((40, 170, 140, 170, 70, 45)):
            self.view.setColumnWidth(column, width)
        self.empty = empty_state(
            self.tr("No case here. Open one from a customer's page (Open case…)."), "casesEmpty"
        )
        self.reader = named(QTextBrowser(), "caseReader")
        self.note_button = named(QPushButton(self.tr("Add note…")), "caseNoteButton")
        self.escalate_button = named(QPushButton(self.tr("Escalate")), "caseEscalateButton")
        self.close_button = named(QPushButton(self.tr("Ask to close…")), "caseCloseButton")
        self.export_button = named(QPushButton(self.tr("Export…")), "caseExportButton")
        side = QWidget()
        actions = QHBoxLayout()
        for button in (
            self.note_button,
            self.escalate_button,
            self.close_button,
            self.export_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addLayout(actions)
        side_layout.addWidget(self.reader, 1)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("<h2>Cases</h2>")))
        top.addStretch(1)
        top.addWidget(self.summary)
        top.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(table_beside(self.view, self.empty, side, stretch=(1, 1)), 1)
        self.chosen: CaseView | None = None
        #: the case to choose once the list is read (just opened from a customer's page)
        self.pending_choice: str | None = None
        self._generation = 0
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._show_chosen())
        self.note_button.clicked.connect(self.ask_note)
        self.escalate_button.clicked.connect(self.escalate)
        self.close_button.clicked.connect(self.ask_close)
        self.export_button.clicked.connect(self.ask_export)
        self._refresher = RefreshWhenShown(self, self.reload)
        context.changed.connect(self._refresher.request)
        self._refresher.request()  # read when first shown, not at unlock
        self._enable()

    # --- the list --------------------------------------------------------------------

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        statuses = tuple(self.status.currentData() or ())
        self.context.ask(
            self,
            lambda s: s.cases(statuses=statuses),
            on_success=lambda found: self._loaded(generation, found),
            on_failure=self._failed,
        )

    def _loaded(self, generation: int, cases: list[CaseView]) -> None:
        if generation != self._generation:
            return
        keep = self.pending_choice or (self.chosen.id if self.chosen else None)
        self.pending_choice = None
        self.model.set_rows(cases)
        self.summary.setText(self.tr("{} cases").format(len(cases)))
        self.view.setVisible(bool(cases))
        self.empty.setVisible(not cases)
        if keep is not None:
            self.select_case(keep)
        self._show_chosen()

    def select_case(self, case_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0))
            if self.model.row_at(source.row()).id == case_id:
                self.view.selectRow(row)
                return

    def _failed(self, error: BaseException) -> None:
        log(error, debug=self.context.debug)
        self.summary.setText(describe(error))

    def _selected(self) -> CaseView | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def _show_chosen(self) -> None:
        self.chosen = self._selected()
        self._enable()
        if self.chosen is None:
            self.reader.setHtml(self.tr("<p style='color:#666'>Choose a case to read it.</p>"))
            return
        key = self.chosen.id
        self.context.ask(
            self,
            lambda s: html_of(report(s, key)),
            on_success=self._show_report,
            on_failure=self._failed,
        )

    def _show_report(self, text: str) -> None:
        self.reader.setHtml(text)

    def _enable(self) -> None:
        case = self.chosen
        open_case = case is not None and case.status != "closed"
        self.note_button.setEnabled(open_case)
        self.escalate_button.setEnabled(case is not None and case.status == "open")
        self.close_button.setEnabled(open_case and case is not None and not case.closing)
        self.export_button.setEnabled(case is not None)

    # --- actions ---------------------------------------------------------------------

    def _failure(self, title: str) -> Callable[[BaseException], None]:
        def failed(error: BaseException) -> None:
            show_error(self, title, error, debug=self.context.debug)

        return failed

    def _write(self, title: str, work: Any, done: str = "") -> None:
        def succeeded(_result: object) -> None:
            if done:
                show_message(self, title, done)

        self.context.write(
            self, lambda s, _p: work(s), on_success=succeeded, on_failure=self._failure(title)
        )

    def ask_note(self) -> TextDialog | None:
        if self.chosen is None:
            return None
        key = self.chosen.id
        return open_dialog(
            TextDialog(
                title=self.tr("Add a note"),
                prompt=self.tr("Note"),
                multiline=True,
                on_ok=lambda v: self._write(
                    self.tr("Add a note"), lambda s: s.add(key, "note", v["text"])
                ),
                parent=self,
            )
        )

    def escalate(self) -> None:
        if self.chosen is not None:
            key = self.chosen.id
            self._write(self.tr("Escalate"), lambda s: s.escalate(key))

    def ask_close(self) -> TextDialog | None:
        if self.chosen is None:
            return None
        key = self.chosen.id
        title = self.tr("Ask to close case {}").format(self.chosen.number)
        done = self.tr("The closing request waits for a second officer in Approvals.")
        return open_dialog(
            TextDialog(
                title=title,
                prompt=self.tr("Why it can close"),
                multiline=True,
                dispositions=True,
                on_ok=lambda v: self._write(
                    title, lambda s: s.request_close(key, v["disposition"], v["text"]), done
                ),
                parent=self,
            )
        )

    def ask_export(self) -> None:
        if self.chosen is None:
            return
        folder = ask_folder(self, self.tr("Export the case into a folder"))
        if folder is None:
            return
        self.export_to(folder)

    def export_to(self, folder: Path) -> None:
        if self.chosen is None:
            return
        key = self.chosen.id
        title = self.tr("Export case")
        # The PDF is drawn on the database worker: QTextDocument and QPdfWriter are
        # safe off the GUI thread, and the report's data is read there anyway.
        self.context.ask(
            self,
            lambda s: export_case(s, key, folder, write_pdf),
            on_success=lambda w: self._exported(title, w),
            on_failure=self._failure(title),
        )

    def _exported(self, title: str, written: dict[str, Any]) -> None:
        show_message(
            self, title, self.tr("Written: {} and {}.").format(written["json"], written["pdf"])
        )

    def close_vault_views(self) -> None:
        self.model.clear()
        self.reader.clear()
        self.chosen = None
