"""Where a figure of the overview leads: a section and the filter that shows exactly
(or, for the Screening and Approvals filters, as nearly as they allow) its rows."""

from __future__ import annotations

from dataclasses import dataclass

from vault.dashboards.subsets import Subset

CUSTOMERS = "customers"
WALLETS = "wallets"
SCREENING = "screening"
APPROVALS = "approvals"
ALERTS = "alerts"


@dataclass(frozen=True)
class Drill:
    section: str
    #: Customers and Wallets: the rows counted (its label is filled in by the view)
    subset: Subset | None = None
    #: Screening: the level and sanctioned filters
    level: str | None = None
    sanctioned: bool | None = None
    #: Approvals: statuses (empty: the queue's "Open") and the age filter in days;
    #: Alerts: the one status shown
    statuses: frozenset[str] = frozenset()
    min_age_days: int | None = None
    max_age_days: int | None = None
