"""One address in the Screening section: explorer figures where stored (balances,
activity, the last days' inflow/outflow, each with its source and age), every
stored answer (history), and the evidence kept with the chosen answer. "Fetch
explorer data" (Ctrl+Shift+E, window-wide) asks the chain's explorer on the
network pool (`ExplorerFetch`). GUI thread; the reads run on the database worker.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.screening.explorer_data import ExplorerRefresh
from app.screening.explorer_view import flow_text
from app.screening.overview import (
    AddressView,
    address_view,
    age_of,
    age_text,
    evidence_text,
    summary_text,
)
from app.screening.risk import RiskResult, Status
from app.screening.sanctions.answers import list_refs, refs_text
from ui import errors
from ui.book import format as fmt
from ui.book.list_model import Column, ListModel
from ui.book.widgets import hint, table_view
from ui.naming import named
from ui.screening.context import ScreeningContext
from ui.screening.explorer_fetch import FetchState, result_text
from vault.screening.explorer import FlowRow

Entry = tuple[int, RiskResult]
_COLOURS = {"medium": "medium", "high": "high", "severe": "prohibited"}


def answer_text(result: RiskResult) -> str:
    """An answer in a cell: 'severe (100) · SANCTIONED', 'not covered', or '—' (failed)."""
    if result.status is Status.NOT_COVERED:
        return "not covered"
    if not result.ok:
        return "—"
    return f"{result.level} ({result.score})" + (" · SANCTIONED" if result.sanctioned else "")


def source_tip(result: RiskResult) -> str:
    """Who answered and, for the offline list, each list's file, date and hash."""
    refs = list_refs(result)
    return f"{result.provider}: {refs_text(refs)}" if refs else result.provider


def _level(entry: Entry) -> str:
    return answer_text(entry[1])


HISTORY: tuple[Column[Entry], ...] = (
    Column(
        "Fetched",
        lambda e: fmt.local(e[1].fetched_at.isoformat()),
        tooltip=lambda e: age_text(e[1].age_seconds()),
    ),
    Column("Source", lambda e: e[1].source or e[1].provider, tooltip=lambda e: source_tip(e[1])),
    Column(
        "Answer",
        _level,
        colour=lambda e: fmt.risk_colour(_COLOURS.get(str(e[1].level))),
        tooltip=lambda e: e[1].describe(),
    ),
    Column(
        "Status", lambda e: str(e[1].status).replace("_", " "), tooltip=lambda e: e[1].error or ""
    ),
)


FLOWS: tuple[Column[FlowRow], ...] = (
    Column("Day", lambda f: f.day, tooltip=lambda f: "" if f.complete else "may miss transfers"),
    Column("Asset", lambda f: flow_text(f)[0], tooltip=lambda f: f.asset or "native coin"),
    Column("In", lambda f: flow_text(f)[1]),
    Column("Out", lambda f: flow_text(f)[2]),
    Column("Transfers", lambda f: f"{f.transfers}" + ("" if f.complete else "+")),
)


class AddressPanel(QWidget):
    def __init__(self, context: ScreeningContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addressPanel")
        self.context = context
        self.target: tuple[str, str] | None = None
        self._generation = 0
        self.title = named(QLabel("Choose a row to see its history and evidence."), "panelTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explorer = named(hint(""), "explorerFigures")
        self.explorer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explorer.setWordWrap(True)
        self.fetch_button = named(QPushButton("Fetch explorer data"), "fetchExplorer")
        self.fetch_button.setToolTip(
            "Ask the chain's explorer for balances and activity now (Ctrl+Shift+E); "
            "offline, the request waits in the outbox"
        )
        self.fetch_button.clicked.connect(lambda: self.fetch())
        self.fetch_button.setEnabled(False)
        self.fetch_status = named(hint(""), "explorerStatus")
        self.fetch_status.setWordWrap(True)
        self.flows_model: ListModel[FlowRow] = ListModel(FLOWS, self)
        self.flows = table_view("flowsTable")
        self.flows.setModel(self.flows_model)
        self.flows.setToolTip("Daily inflow and outflow from the explorer's recent transfers")
        for column, width in enumerate((80, 50, 85, 85)):
            self.flows.setColumnWidth(column, width)
        self.model: ListModel[Entry] = ListModel(HISTORY, self)
        self.history = table_view("historyTable")
        self.history.setModel(self.model)
        for column, width in enumerate((120, 100, 150)):
            self.history.setColumnWidth(column, width)
        self.history.selectionModel().currentRowChanged.connect(lambda *_: self._show_evidence())
        self.evidence = named(QPlainTextEdit(), "evidenceText")
        self.evidence.setReadOnly(True)
        self.evidence.setFont(fmt.mono())
        self.evidence.setPlaceholderText("The raw answer kept as evidence shows here.")
        self.evidence_label = named(hint("Evidence (the provider's raw answer)"), "evidenceLabel")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.evidence_label)
        lower_layout.addWidget(self.evidence, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.flows)
        split.addWidget(self.history)
        split.addWidget(lower)
        split.setSizes([120, 200, 220])
        fetch_row = QHBoxLayout()
        fetch_row.addWidget(self.fetch_status, 1)
        fetch_row.addWidget(self.fetch_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.explorer)
        layout.addLayout(fetch_row)
        layout.addWidget(split, 1)
        context.explorer.arrived.connect(self._arrived)
        context.explorer.started.connect(lambda _s: self._update_fetch())
        context.explorer.finished.connect(self._fetch_finished)

    # --- explorer data -------------------------------------------------------------

    def fetch(self) -> bool:
        """Fetch explorer data for the shown address; False if none is shown or a
        fetch already runs (the status says which)."""
        if self.target is None:
            return False
        chain, address = self.target
        started = self.context.explorer.fetch([self.target], label=f"{chain} {address[:12]}…")
        self.fetch_status.setText(
            "Asking the explorer…" if started else "Another explorer fetch is running."
        )
        return started

    def _arrived(self, found: list[ExplorerRefresh]) -> None:
        mine = [r for r in found if (r.chain, r.address) == self.target]
        if mine:
            self.fetch_status.setText(result_text(mine[-1]))
            self.reload()

    def _fetch_finished(self, state: FetchState) -> None:
        if state.problem and self.target is not None:
            self.fetch_status.setText(state.summary())
        self._update_fetch()

    def _update_fetch(self) -> None:
        self.fetch_button.setEnabled(self.target is not None and not self.context.explorer.busy)

    def show_address(self, chain: str, address: str) -> None:
        if self.target != (chain, address):
            self.fetch_status.clear()
        self.target = (chain, address)
        self._update_fetch()
        self.reload()

    def reload(self) -> None:
        if self.target is None:
            return
        self._generation += 1
        generation, (chain, address) = self._generation, self.target
        self.context.reader.read(
            self,
            lambda conn: address_view(conn, chain, address),
            on_success=lambda view: self._loaded(generation, view),
            on_failure=self._failed,
        )

    def _loaded(self, generation: int, view: AddressView) -> None:
        if generation != self._generation:
            return
        self.title.setText(
            f"<b>{html.escape(view.chain)}</b> <code>{html.escape(view.address)}</code> · "
            f"{len(view.history)} answer{'s' if len(view.history) != 1 else ''} stored"
        )
        texts = [summary_text(s) for s in view.summaries]
        self.explorer.setText(
            "\n".join(texts)
            if texts
            else "No explorer data stored for this address: press “Fetch explorer data”."
        )
        self.explorer.setToolTip(
            "\n".join(
                f"{s['source']}: fetched {fmt.local(s['fetched_at'], seconds=True)} "
                f"({age_text(age_of(s['fetched_at']))})"
                for s in view.summaries
            )
        )
        self.flows_model.set_rows(view.flows)
        self.flows.setVisible(bool(view.flows))
        self.model.set_rows(view.history)
        if view.history:
            self.history.selectRow(0)
        self._show_evidence()

    def _show_evidence(self) -> None:
        rows = self.history.selectionModel().selectedRows()
        if not rows:
            self.evidence.setPlainText("")
            return
        _id, result = self.model.row_at(rows[0].row())
        refs = list_refs(result)
        self.evidence_label.setText(
            f"Evidence: {result.source or result.provider}, "
            f"{fmt.local(result.fetched_at.isoformat(), seconds=True)}"
            + (f" · {result.raw_ref}" if result.raw_ref else "")
            + (f"\n{self._lists_word(result)}: {refs_text(refs)}" if refs else "")
        )
        self.evidence_label.setWordWrap(True)
        self.evidence.setPlainText(evidence_text(result))

    def _lists_word(self, result: RiskResult) -> str:
        if result.status is Status.NOT_COVERED:
            return self.tr("Imported lists (none covers %s)") % result.chain
        return self.tr("Lists")

    def _failed(self, error: BaseException) -> None:
        errors.log(error, debug=self.context.services.debug)
        self.title.setText(errors.describe(error))

    def clear(self) -> None:
        self._generation += 1
        self.target = None
        self.model.clear()
        self.evidence.clear()
        self.explorer.clear()
        self.flows_model.clear()
        self.fetch_status.clear()
        self._update_fetch()
        self.title.setText("Choose a row to see its history and evidence.")
