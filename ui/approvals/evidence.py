"""The evidence pane beside the queue: what a person needs to decide one request.

Reads on the database worker when the current request changes (an answer
for an earlier selection is dropped). GUI thread only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from ui import errors
from ui.approvals.context import ApprovalsContext
from ui.approvals.evidence_data import Evidence, gather
from ui.approvals.evidence_text import render
from ui.naming import named

PLACEHOLDER = "Select a request to see its evidence: screenings, explorer data, KYC, decisions."


class EvidencePane(QWidget):
    def __init__(self, context: ApprovalsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.request_id: str | None = None
        self.evidence: Evidence | None = None
        self._generation = 0
        self._shown: str | None = None
        self.browser = named(QTextBrowser(), "evidenceText")
        self.browser.setOpenLinks(False)
        self.browser.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self._placeholder(PLACEHOLDER)

    def show_request(self, request_id: str | None) -> None:
        if request_id is None:
            self.clear()
            return
        if request_id != self.request_id:
            self.evidence = None
            self._placeholder("Reading the evidence…")
        self.request_id = request_id
        self.reload()

    def show_many(self, count: int) -> None:
        """Several requests selected: evidence is per request, say what the keys do."""
        self._generation += 1
        self.request_id = None
        self.evidence = None
        self._placeholder(
            f"{count:,} requests selected. Approve (Ctrl+Y) or reject (Ctrl+R) them "
            "together with one reason."
        )

    def reload(self) -> None:
        request_id = self.request_id
        if request_id is None:
            return
        self._generation += 1
        generation = self._generation
        self.context.call(
            self,
            lambda service: gather(service, request_id),
            on_success=lambda evidence: self._arrived(generation, evidence),
            on_failure=lambda error: self._failed(generation, error),
        )

    def _arrived(self, generation: int, evidence: Evidence) -> None:
        if generation != self._generation:
            return
        self.evidence = evidence
        bar = self.browser.verticalScrollBar()
        keep = bar.value() if self._shown == evidence.detail.row.id else 0
        self.browser.setHtml(render(evidence, datetime.now(UTC)))
        bar.setValue(keep)  # a reload of the same request keeps the reader's place
        self._shown = evidence.detail.row.id

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        errors.log(error, debug=self.context.debug)
        self._placeholder(f"Could not read this request: {errors.describe(error)}", error=True)

    def text(self) -> str:
        return str(self.browser.toPlainText())

    def clear(self) -> None:
        self._generation += 1
        self.request_id = None
        self.evidence = None
        self._placeholder(PLACEHOLDER)

    def _placeholder(self, text: str, *, error: bool = False) -> None:
        self._shown = None
        colour = "#b71c1c" if error else "#666"
        self.browser.setHtml(f'<p style="color: {colour}; padding: 12px;">{escape(text)}</p>')
