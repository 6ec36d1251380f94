"""The desk overview's counts, each one SQL statement over the whole book.

Times are ISO-8601 UTC strings and dates ISO dates, given by the caller (the
use case decides what "now" is, so tests can fix it). Database worker.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from vault.connection import Connection
from vault.dashboards.levels import LEVELS

ACTIVE = "erased_at IS NULL AND merged_into IS NULL"
#: approval statuses a decision can still change (ui.approvals.filters.OPEN)
OPEN_STATUSES = ("pending", "needs_refresh", "blocked")


def kyc_counts(conn: Connection) -> tuple[dict[str, int], str | None]:
    """Active customers per KYC status, and the newest customer change."""
    rows = conn.execute(
        # SQL fragments are module constants
        f"SELECT kyc_status, count(*), max(updated_at) FROM customers WHERE {ACTIVE} "  # nosec B608
        "GROUP BY kyc_status"
    ).fetchall()
    return {str(s): int(n) for s, n, _ in rows}, max((str(r[2]) for r in rows), default=None)


def reviews_due(conn: Connection, *, today: str, bounds: list[str]) -> list[int]:
    """Active customers whose KYC expiry date falls before `today` (overdue), then in
    each window up to the next of `bounds` (ISO dates, ascending): [today, bounds[0]],
    (bounds[0], bounds[1]], and so on."""
    parts = ["sum(d < ?)", "sum(d >= ? AND d <= ?)"]
    params = [today, today, bounds[0]]
    for lower, upper in itertools.pairwise(bounds):
        parts.append("sum(d > ? AND d <= ?)")
        params += [lower, upper]
    row = conn.execute(
        # clauses are fixed SQL from code; values are ? params
        f"SELECT {', '.join(parts)} FROM (SELECT substr(kyc_expires_at, 1, 10) AS d "  # nosec B608
        f"FROM customers WHERE {ACTIVE} AND kyc_expires_at IS NOT NULL)",
        params,
    ).fetchone()
    return [int(v or 0) for v in row]


@dataclass(frozen=True)
class ScreeningState:
    addresses: dict[str, int]  # level -> linked addresses
    customers: dict[str, int]  # level -> customers
    never: int
    stale: int
    linked: int
    newest: str | None


def screening_state(conn: Connection, *, stale_before: str) -> ScreeningState:
    """Per linked address (as the Wallets list counts them) its worst newest level (see
    vault.dashboards.levels); the same per customer (worst over its addresses);
    addresses never screened (no answer at all) and those whose newest answer is older
    than `stale_before`; the newest answer's time. The levels and times are kept on
    each link as answers arrive (migration 0011), so these are index counts."""
    rows = conn.execute(
        # SQL fragments are module constants
        "SELECT 'address', risk_rank, count(*) FROM addresses WHERE risk_rank IS NOT NULL "
        "GROUP BY risk_rank "  # nosec B608
        # per active customer one look-up in the (customer_id, risk_rank) index; rank
        # NULL (no address answered) is skipped below, not in SQL, which would look twice
        "UNION ALL SELECT 'customer', rank, count(*) FROM (SELECT (SELECT max(a.risk_rank) "
        f"FROM addresses a WHERE a.customer_id = c.id) AS rank FROM customers c WHERE {ACTIVE}) "
        "GROUP BY rank "
        "UNION ALL SELECT 'screened', 0, count(*) FROM addresses WHERE risk_rank IS NOT NULL "
        "UNION ALL SELECT 'stale', 0, count(*) FROM addresses WHERE screened_at < ? "
        "UNION ALL SELECT 'book', 0, count(*) FROM addresses "
        # (the condition lets the partial index serve the max, migration 0019)
        "UNION ALL SELECT 'newest', 0, max(screened_at) FROM addresses "
        "WHERE screened_at IS NOT NULL",
        (stale_before,),
    ).fetchall()
    addresses: dict[str, int] = {}
    customers: dict[str, int] = {}
    found: dict[str, object | None] = {}
    for what, rank, value in rows:
        if what == "address":
            addresses[LEVELS[int(rank)]] = int(value)
        elif what == "customer":
            if rank is not None:
                customers[LEVELS[int(rank)]] = int(value)
        else:
            found[str(what)] = value
    return ScreeningState(
        addresses,
        customers,
        never=int(str(found.get("book") or 0)) - int(str(found.get("screened") or 0)),
        stale=int(str(found.get("stale") or 0)),
        linked=int(str(found.get("book") or 0)),
        newest=None if found.get("newest") is None else str(found["newest"]),
    )


def sanctions_hits(conn: Connection, *, since: str) -> tuple[int, str | None]:
    """Distinct addresses with a sanctioned answer fetched at or after `since`, and the
    newest such answer's time."""
    row = conn.execute(
        "SELECT count(*), max(at) FROM (SELECT chain, address, max(fetched_at) AS at "
        "FROM screenings WHERE sanctioned = 1 AND fetched_at >= ? GROUP BY chain, address)",
        (since,),
    ).fetchone()
    return int(row[0]), row[1]


@dataclass(frozen=True)
class OpenRequests:
    open: int
    younger: int  # than the first age
    older: dict[int, int]  # age in days -> requests at least that old
    expired: int
    newest: str | None


def open_requests(conn: Connection, *, now: str, ages: tuple[int, ...]) -> OpenRequests:
    """Open approval requests (pending, needs refresh, blocked): in all, younger than
    ages[0] days, and older than each of `ages` (days); the expired ones; the newest
    request or decision time."""
    marks = ", ".join("?" for _ in OPEN_STATUSES)
    age = "(julianday(?) - julianday(created_at))"
    parts = ["count(*)", f"sum({age} < ?)"]
    params: list[object] = [now, ages[0]]
    for days in ages:
        parts.append(f"sum({age} >= ?)")
        params += [now, days]
    row = conn.execute(
        # only ? placeholders are joined in
        f"SELECT {', '.join(parts)} FROM approval_requests WHERE status IN ({marks})",  # nosec B608
        (*params, *OPEN_STATUSES),
    ).fetchone()
    expired = conn.execute(
        "SELECT count(*) FROM approval_requests WHERE status = 'expired'"
    ).fetchone()[0]
    newest = conn.execute(
        "SELECT max(at) FROM (SELECT max(created_at) AS at FROM approval_requests "
        "UNION ALL SELECT max(created_at) FROM approval_decisions)"
    ).fetchone()[0]
    return OpenRequests(
        open=int(row[0]),
        younger=int(row[1] or 0),
        older={days: int(v or 0) for days, v in zip(ages, row[2:], strict=True)},
        expired=int(expired),
        newest=newest,
    )
