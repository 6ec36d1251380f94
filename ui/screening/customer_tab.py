"""A customer's Screening tab: each address with every provider's newest answer, the
risk rating those answers suggest with the reason for a change, and Apply, which
sets the rating as an audited edit through the customer book. Screening this
customer (Ctrl+Shift+S) or asking again (Ctrl+Shift+R) runs as a batch; the rows
fill in as answers arrive. "Fetch explorer data" (Ctrl+Shift+E) asks the block
explorers for each address's balance and activity; the Balance column shows the
newest stored one with its source and age. GUI thread; reads and writes on the database worker.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.book.service import CustomerBook
from app.screening.overview import (
    CustomerScreening,
    age_of,
    age_text,
    apply_suggestion,
    balance_text,
    customer_screening,
    summary_text,
)
from app.screening.risk import RiskResult
from app.tasks import Progress
from ui import errors
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext
from ui.book.list_model import Column, ListModel
from ui.book.widgets import hint, table_view
from ui.naming import named
from ui.screening.address_panel import answer_text, source_tip
from ui.screening.context import Pair, ScreeningContext
from ui.screening.explorer_fetch import FetchState
from ui.screening.page import provider_names
from vault.store import Vault

_COLOURS = {"medium": "medium", "high": "high", "severe": "prohibited"}


@dataclass(frozen=True)
class Line:
    chain: str
    address: str
    label: str | None
    result: RiskResult | None
    explorer: dict[str, Any] | None = None


def _answer(line: Line) -> str:
    return "not screened" if line.result is None else answer_text(line.result)


COLUMNS: tuple[Column[Line], ...] = (
    Column("Chain", lambda x: x.chain),
    Column("Address", lambda x: x.address, mono=True, tooltip=lambda x: x.address),
    Column("Label", lambda x: x.label or ""),
    Column(
        "Balance",
        lambda x: balance_text(x.explorer),
        tooltip=lambda x: summary_text(x.explorer) if x.explorer else "No explorer data stored",
    ),
    Column(
        "Balance age",
        lambda x: age_text(age_of(x.explorer["fetched_at"])) if x.explorer else "",
        tooltip=lambda x: x.explorer["source"] if x.explorer else "",
    ),
    Column(
        "Answer",
        _answer,
        colour=lambda x: fmt.risk_colour(_COLOURS.get(str(x.result.level))) if x.result else None,
        tooltip=lambda x: x.result.describe() if x.result else "",
    ),
    Column(
        "Source",
        lambda x: (x.result.source or x.result.provider) if x.result else "",
        tooltip=lambda x: source_tip(x.result) if x.result else "",
    ),
    Column(
        "Age",
        lambda x: age_text(x.result.age_seconds()) if x.result else "",
        tooltip=lambda x: (
            fmt.local(x.result.fetched_at.isoformat(), seconds=True) if x.result else ""
        ),
    ),
    Column(
        "Status",
        lambda x: str(x.result.status).replace("_", " ") if x.result else "",
        tooltip=lambda x: (x.result.error or "") if x.result else "",
    ),
)


def lines(found: CustomerScreening) -> list[Line]:
    out: list[Line] = []
    for a in found.addresses:
        answers: list[RiskResult | None] = list(a.answers) or [None]
        out += [Line(a.chain, a.address, a.label, r, a.explorer) for r in answers]
    return out


def customer_pairs(vault: Vault, customer_id: int) -> list[Pair]:
    """(chain, address) of a customer's addresses. Database worker."""
    return [
        (c, a)
        for c, a in vault.conn.execute(
            "SELECT chain, address FROM addresses WHERE customer_id = ? ORDER BY id",
            (customer_id,),
        )
    ]


class CustomerScreeningTab(QWidget):
    def __init__(
        self,
        screening: ScreeningContext,
        book: BookContext,
        customer_id: Callable[[], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customerScreeningTab")
        self.screening = screening
        self.book = book
        self._customer_id = customer_id
        self.found: CustomerScreening | None = None
        self._generation = 0

        self.suggested = named(QLabel(), "suggestedRating")
        self.explanation = named(QLabel(), "suggestionReason")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.apply_button = named(QPushButton("Apply rating"), "applyRating")
        self.apply_button.setToolTip("Set the customer's risk rating to the suggestion (audited)")
        self.apply_button.clicked.connect(self.apply)
        box = named(QFrame(), "suggestionBox")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(box)
        head = QHBoxLayout()
        head.addWidget(self.suggested, 1)
        head.addWidget(self.apply_button)
        inner.addLayout(head)
        inner.addWidget(self.explanation)

        self.model: ListModel[Line] = ListModel(COLUMNS, self)
        self.view = table_view("customerScreeningTable", elide=Qt.TextElideMode.ElideMiddle)
        self.view.setModel(self.model)
        for column, width in enumerate((80, 300, 120, 120, 80, 200, 180, 80)):
            self.view.setColumnWidth(column, width)
        self.screen_button = named(QPushButton("Screen this customer"), "screenCustomer")
        self.screen_button.setToolTip(
            "Cached answers within their time to live are reused (Ctrl+Shift+S)"
        )
        self.screen_button.clicked.connect(lambda: self.screen_customer())
        self.refresh_button = named(QPushButton("Refresh (ask again)"), "refreshCustomer")
        self.refresh_button.setToolTip(
            "Ask the provider again, whatever the cache holds (Ctrl+Shift+R)"
        )
        self.refresh_button.clicked.connect(lambda: self.screen_customer(refresh=True))
        self.explorer_button = named(QPushButton("Fetch explorer data"), "fetchExplorerCustomer")
        self.explorer_button.setToolTip(
            "Balances and activity of every address from the block explorers (Ctrl+Shift+E); "
            "offline, the requests wait in the outbox"
        )
        self.explorer_button.clicked.connect(lambda: self.fetch_explorer())
        self.status = named(hint(""), "customerScreeningStatus")
        self.status.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.explorer_button)
        actions.addWidget(self.screen_button)
        actions.addWidget(self.refresh_button)

        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)
        screening.results.connect(self._results)
        screening.changed.connect(self._changed)
        screening.batch_finished.connect(lambda _state: self._update_buttons())
        screening.batch_started.connect(lambda _state: self._update_buttons())
        book.changed.connect(self._book_changed)
        screening.explorer.started.connect(lambda _state: self._update_buttons())
        screening.explorer.arrived.connect(self._results)
        screening.explorer.finished.connect(self._explorer_finished)

    # --- loading -------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        customer_id = self._customer_id()
        if customer_id is None:
            self.clear()
            return
        self._generation += 1
        generation = self._generation
        self.screening.reader.read(
            self,
            lambda conn: customer_screening(conn, customer_id),
            on_success=lambda found: self._loaded(generation, found),
            on_failure=self._failed,
        )

    def _loaded(self, generation: int, found: CustomerScreening) -> None:
        if generation != self._generation or found.customer_id != self._customer_id():
            return
        self.found = found
        self.model.set_rows(lines(found))
        rating = found.suggestion.rating
        colour = fmt.risk_colour(rating)
        style = f" style='color: {colour.name()}'" if colour is not None else ""
        shown = html.escape(fmt.label(rating, fmt.RISK_LABELS)) if rating else "none yet"
        current = fmt.label(found.current, fmt.RISK_LABELS) or "not rated"
        self.suggested.setText(
            f"Suggested rating: <b{style}>{shown}</b> &nbsp;·&nbsp; current: {html.escape(current)}"
        )
        self.explanation.setText(found.change)
        self._update_buttons()

    def _results(self, found: list[object]) -> None:
        if self.isVisible() and self.found is not None:
            ours = {(a.chain, a.address) for a in self.found.addresses}
            if any((getattr(x, "chain", None), getattr(x, "address", None)) in ours for x in found):
                self.reload()

    def _changed(self) -> None:
        if self.isVisible():
            self.reload()

    def _book_changed(self, names: frozenset[str]) -> None:
        if self.isVisible() and ctx.wants(names, ctx.CUSTOMERS, ctx.ADDRESSES):
            self.reload()

    def _failed(self, error: BaseException) -> None:
        errors.log(error, debug=self.screening.services.debug)
        self.status.setText(errors.describe(error))

    def _update_buttons(self) -> None:
        found = self.found
        editable = found is not None
        self.apply_button.setEnabled(bool(found and found.can_apply))
        idle = not self.screening.busy
        self.screen_button.setEnabled(editable and idle and bool(found and found.addresses))
        self.refresh_button.setEnabled(self.screen_button.isEnabled())
        self.explorer_button.setEnabled(
            bool(found and found.addresses) and not self.screening.explorer.busy
        )
        asks = provider_names().get(self.screening.provider, self.screening.provider)
        self.screen_button.setToolTip(
            f"Asks {asks} (chosen on the Screening page); answers still fresh in the cache "
            "are reused (Ctrl+Shift+S)"
        )

    def clear(self) -> None:
        self._generation += 1
        self.found = None
        self.model.clear()
        self.suggested.clear()
        self.explanation.clear()
        self.status.clear()
        self._update_buttons()

    # --- actions -------------------------------------------------------------------

    def screen_customer(self, *, refresh: bool = False) -> bool:
        customer_id = self._customer_id()
        if customer_id is None:
            return False

        started = self.screening.screen(
            lambda vault: customer_pairs(vault, customer_id),
            label=f"customer #{customer_id}",
            refresh=refresh,
        )
        self.status.setText("" if started else "Another screening is running; wait or cancel it.")
        return started

    def fetch_explorer(self) -> bool:
        """Explorer data for every address of this customer; False if another fetch
        runs (or no customer is open)."""
        customer_id = self._customer_id()
        if customer_id is None:
            return False
        started = self.screening.explorer.fetch(
            lambda vault: customer_pairs(vault, customer_id), label=f"customer #{customer_id}"
        )
        self.status.setText(
            "Asking the explorers…" if started else "Another explorer fetch is running."
        )
        return started

    def _explorer_finished(self, state: FetchState) -> None:
        if self.isVisible() and state.label == f"customer #{self._customer_id()}":
            self.status.setText(state.summary())
        self._update_buttons()

    def apply(self) -> None:
        found, customer_id = self.found, self._customer_id()
        if found is None or customer_id is None or not found.can_apply:
            return
        expected = str(found.suggestion.rating)

        def work(book: CustomerBook, _progress: Progress) -> bool:
            return apply_suggestion(book, customer_id, expected)

        self.apply_button.setEnabled(False)
        self.status.setText("Applying…")
        self.book.write(
            self,
            work,
            changes=(ctx.CUSTOMERS,),
            on_success=self._applied,
            on_failure=self._apply_failed,
        )

    def _applied(self, changed: bool) -> None:
        self.status.setText(
            "Rating applied (recorded in the history)." if changed else "Nothing changed."
        )
        self.reload()

    def _apply_failed(self, error: BaseException) -> None:
        self._failed(error)
        self.reload()
