"""The customers or addresses behind one overview figure, as a condition the Customers
and Wallets lists add to their own SQL (customers as `c`, addresses as `a`), so a
tile opens exactly the rows it counted. Plain values; the SQL runs on the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vault.dashboards.levels import LEVELS


@dataclass(frozen=True)
class Subset:
    """What a list is narrowed to: `label` for people, `where` and `params` for SQL."""

    label: str
    where: str
    params: tuple[Any, ...] = ()

    def query_args(self) -> dict[str, Any]:
        """The keyword arguments of vault.book.queries' counts and pages."""
        return {"where": self.where, "where_params": self.params}


def customers_with_kyc(status: str, label: str) -> Subset:
    return Subset(label, "c.kyc_status = ?", (status,))


def customers_review_between(first: str | None, last: str, label: str) -> Subset:
    """KYC expiry date in (first, last] (first None: any date up to `last`, i.e. overdue
    when `last` is the day before today)."""
    day = "substr(c.kyc_expires_at, 1, 10)"
    if first is None:
        return Subset(label, f"c.kyc_expires_at IS NOT NULL AND {day} <= ?", (last,))
    return Subset(label, f"{day} > ? AND {day} <= ?", (first, last))


def customers_at_level(level: str, label: str) -> Subset:
    """Customers whose addresses' worst newest level is `level` (kept on each link as
    answers arrive, migration 0011)."""
    return Subset(
        label,
        "c.id IN (SELECT customer_id FROM addresses GROUP BY customer_id "
        "HAVING max(risk_rank) = ?)",
        (LEVELS.index(level),),
    )


def addresses_at_level(level: str, label: str) -> Subset:
    return Subset(label, "a.risk_rank = ?", (LEVELS.index(level),))


def addresses_never_screened(label: str) -> Subset:
    return Subset(label, "a.risk_rank IS NULL")


def addresses_screened_before(before: str, label: str) -> Subset:
    """Addresses whose newest answer (any provider) is older than `before`."""
    return Subset(label, "a.screened_at < ?", (before,))
