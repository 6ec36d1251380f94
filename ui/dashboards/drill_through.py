"""Opening the list behind a Dashboards figure: the section, with its filters set to
the figure's rows. GUI thread only."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from PySide6.QtWidgets import QComboBox

from app.dashboards.drill import ALERTS, APPROVALS, CUSTOMERS, SCREENING, WALLETS, Drill
from ui.alerts.page import AlertsPage
from ui.approvals.page import ApprovalsPage
from ui.book.customers_page import CustomersPage
from ui.book.wallets_page import WalletsPage
from ui.screening.page import ScreeningPage


class Sections(Protocol):
    """What the workspace offers a drill."""

    customers: CustomersPage
    wallets: WalletsPage
    screening: ScreeningPage
    approvals: ApprovalsPage
    alerts: AlertsPage

    def select_key(self, key: str) -> None: ...


def open_drill(sections: Sections, label: str, drill: Drill) -> None:
    subset = None if drill.subset is None else replace(drill.subset, label=label)
    if drill.section == CUSTOMERS:
        sections.customers.show_list()
        sections.customers.list.show_subset(subset)
    elif drill.section == WALLETS:
        sections.wallets.show_subset(subset)
    elif drill.section == SCREENING:
        _screening(sections.screening, drill)
    elif drill.section == APPROVALS:
        _approvals(sections.approvals, drill)
    elif drill.section == ALERTS:
        page = sections.alerts
        wanted = next(iter(drill.statuses), "open")
        page.status.setCurrentIndex(max(0, page.status.findData(wanted)))
    sections.select_key(drill.section)


def _choose(combo: QComboBox, value: object) -> None:
    """Pick the item whose data is `value` (the first, "any", when there is none)."""
    # findData cannot match Python tuples and frozensets: compare the items ourselves.
    found = next((i for i in range(combo.count()) if combo.itemData(i) == value), 0)
    combo.blockSignals(True)
    combo.setCurrentIndex(found)
    combo.blockSignals(False)


def _screening(page: ScreeningPage, drill: Drill) -> None:
    page.search.blockSignals(True)
    page.search.clear()
    page.search.blockSignals(False)
    for combo in (page.source, page.age):
        _choose(combo, None)
    _choose(page.level, drill.level)
    _choose(page.sanctioned, drill.sanctioned)
    page.apply_filter()


def _approvals(page: ApprovalsPage, drill: Drill) -> None:
    bar = page.filters
    for combo, value in (
        (bar.age, (drill.min_age_days, drill.max_age_days)),
        (bar.status, drill.statuses or None),
        (bar.risk, frozenset()),
    ):
        _choose(combo, value)
    bar.kind.blockSignals(True)
    bar.kind.setCurrentIndex(0)
    bar.kind.blockSignals(False)
    bar.customer.blockSignals(True)
    bar.customer.clear()
    bar.customer.blockSignals(False)
    bar.apply_now()
