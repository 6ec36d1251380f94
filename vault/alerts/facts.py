"""The facts the alert rules read, each one SQL statement over the whole book.

Plain rows out, no judgement: app.alerts.checks decides what raises. Times are
ISO-8601 UTC strings and days ISO dates given by the caller. Database worker.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from vault.connection import Connection
from vault.dashboards.levels import LEVELS

#: customers the rules look at: not erased, not merged into another
ACTIVE = "c.erased_at IS NULL AND c.merged_into IS NULL"


@dataclass(frozen=True)
class FlowRow:
    """Native-coin flows of one address over days from `day` on, with a customer
    holding it (amounts as decimal text of the smallest unit)."""

    customer_id: int
    chain: str
    symbol: str | None
    decimals: int | None
    day: str
    inflow: str
    outflow: str
    fetched_at: str


def _exact_sum(column: str) -> str:
    """SUM of a decimal-text column without overflow or rounding: SQLite's integers stop
    at 2**63 (9.2 ETH in wei is near it), so the digits above the last twelve and the
    last twelve are summed apart (each fits for millions of rows) and joined in Python."""
    return (
        f"sum(CAST(substr({column}, 1, max(length({column}) - 12, 0)) AS INTEGER)), "
        f"sum(CAST(substr({column}, -12) AS INTEGER))"
    )


def flow_sums(conn: Connection, *, first_day: str, split_day: str) -> Iterator[FlowRow]:
    """Per address its native flows summed over [first_day, split_day) and from
    split_day on (each with the first day it covers), once per active customer linked
    to it. Summed per address before the join, so the links are looked up once per
    address with flows, not once per day."""
    rows = conn.execute(
        # SQL fragments are module constants; values are ? params
        "WITH per AS (SELECT chain, address, max(symbol) AS symbol, max(decimals) AS decimals, "  # nosec B608
        f"min(day) AS first, {_exact_sum('inflow')}, {_exact_sum('outflow')}, "
        "max(fetched_at) AS fetched FROM explorer_flows WHERE day >= ? AND asset = '' "
        "GROUP BY chain, address, day >= ?) "
        "SELECT a.customer_id, per.* FROM per "
        "JOIN addresses a ON a.chain = per.chain AND a.address = per.address "
        f"JOIN customers c ON c.id = a.customer_id WHERE {ACTIVE}",
        (first_day, split_day),
    )
    unit = 10**12
    for cid, chain, _address, symbol, decimals, day, ih, il, oh, ol, fetched in rows:
        inflow, outflow = (ih or 0) * unit + (il or 0), (oh or 0) * unit + (ol or 0)
        yield FlowRow(cid, chain, symbol, decimals, day, str(inflow), str(outflow), fetched)


@dataclass(frozen=True)
class Waking:
    """An address with transfers from `first_day` on, and its last day before that."""

    chain: str
    address: str
    customer_id: int
    first_active: str
    last_before: str | None


def waking_addresses(conn: Connection, first_day: str) -> list[Waking]:
    """Linked addresses with transfers from `first_day` on; each with the last day with
    transfers before `first_day` (None: none stored)."""
    rows = conn.execute(
        # SQL fragments are module constants; values are ? params
        "WITH active AS (SELECT chain, address, min(day) AS first FROM explorer_flows "  # nosec B608
        "WHERE day >= ? AND transfers > 0 GROUP BY chain, address) "
        "SELECT f.chain, f.address, (SELECT min(a.customer_id) FROM addresses a "
        f"JOIN customers c ON c.id = a.customer_id WHERE a.chain = f.chain "
        f"AND a.address = f.address AND {ACTIVE}) AS holder, f.first, "
        "(SELECT max(p.day) FROM explorer_flows p WHERE p.chain = f.chain "
        "AND p.address = f.address AND p.day < ? AND p.transfers > 0) "
        "FROM active f WHERE holder IS NOT NULL",
        (first_day, first_day),
    ).fetchall()
    return [Waking(str(r[0]), str(r[1]), int(r[2]), str(r[3]), r[4]) for r in rows]


@dataclass(frozen=True)
class RiskyAddress:
    chain: str
    address: str
    customer_id: int
    level: str
    #: the providers whose newest answer is at that level, and the newest such answer
    providers: str
    at: str | None


def addresses_at_levels(conn: Connection, levels: Collection[str]) -> list[RiskyAddress]:
    """Linked addresses of active customers whose newest level (the worst over the
    providers' newest answers, schema 14) is one of `levels`; one row per address."""
    ranks = sorted(LEVELS.index(level) for level in levels)
    if not ranks:
        return []
    marks = ", ".join("?" * len(ranks))
    rows = conn.execute(
        # SQL fragments are module constants; values are ? params
        "SELECT a.chain, a.address, min(a.customer_id), a.risk_rank, "  # nosec B608
        "group_concat(DISTINCT n.provider), max(n.at) "
        "FROM addresses a JOIN customers c ON c.id = a.customer_id "
        "JOIN screening_newest n ON n.chain = a.chain AND n.address = a.address "
        f"AND n.rank = a.risk_rank WHERE a.risk_rank IN ({marks}) AND {ACTIVE} "
        "GROUP BY a.chain, a.address",
        ranks,
    ).fetchall()
    return [
        RiskyAddress(str(r[0]), str(r[1]), int(r[2]), LEVELS[int(r[3])], str(r[4] or ""), r[5])
        for r in rows
    ]


@dataclass(frozen=True)
class ListedCandidate:
    """A book address whose lower-cased form equals a listed key (the caller checks the
    family and the key's exact form)."""

    chain: str
    address: str
    customer_id: int
    family: str
    key: str
    source: str
    label: str
    list_date: str | None


def listed_candidates(conn: Connection) -> list[ListedCandidate]:
    """Every linked address of an active customer that an imported sanctions list may
    name: the whole book against every list at once, from the (small) lists through
    the addresses' key index."""
    rows = conn.execute(
        # SQL fragments are module constants
        "SELECT a.chain, a.address, a.customer_id, s.family, s.key, s.source, l.label, "  # nosec B608
        "l.list_date FROM sanctions_addresses s "
        "JOIN sanctions_lists l ON l.source = s.source "
        "JOIN addresses a ON a.address_key = lower(s.key) "
        f"JOIN customers c ON c.id = a.customer_id WHERE {ACTIVE}"
    ).fetchall()
    return [
        ListedCandidate(str(r[0]), str(r[1]), int(r[2]), str(r[3]), str(r[4]), str(r[5]),
                        str(r[6]), r[7])
        for r in rows
    ]  # fmt: skip


def reviews_due(conn: Connection, until_day: str) -> list[tuple[int, str]]:
    """(customer id, KYC expiry date) of active customers whose expiry falls on or
    before `until_day` (overdue ones included)."""
    rows = conn.execute(
        # SQL fragments are module constants; values are ? params
        "SELECT c.id, substr(c.kyc_expires_at, 1, 10) FROM customers c "  # nosec B608
        f"WHERE c.kyc_expires_at IS NOT NULL AND substr(c.kyc_expires_at, 1, 10) <= ? AND {ACTIVE}",
        (until_day,),
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def requests_open_before(
    conn: Connection, before: str, statuses: Collection[str]
) -> list[tuple[str, int, str, str]]:
    """(id, customer id, kind, created_at) of requests in `statuses` made before `before`."""
    marks = ", ".join("?" * len(statuses))
    rows = conn.execute(
        # SQL fragments are module constants; values are ? params
        "SELECT id, customer_id, kind, created_at FROM approval_requests "  # nosec B608
        f"WHERE status IN ({marks}) AND created_at < ?",
        (*sorted(statuses), before),
    ).fetchall()
    return [(str(r[0]), int(r[1]), str(r[2]), str(r[3])) for r in rows]


def exports_per_person_day(conn: Connection, since: str) -> list[tuple[str, str, int, int]]:
    """(person, UTC day, customers exported, exports) from `since` on: the rows of each
    audited customer list export, and one per customer data (subject) export."""
    rows = conn.execute(
        "SELECT author, substr(created_at, 1, 10), "
        "sum(CASE type WHEN 'export.created' THEN "
        "coalesce(json_extract(CAST(payload AS TEXT), '$.rows'), 0) ELSE 1 END), count(*) "
        "FROM events WHERE type IN ('export.created', 'subject.exported') AND created_at >= ? "
        "AND (type = 'subject.exported' "
        "OR json_extract(CAST(payload AS TEXT), '$.kind') = 'customers') "
        "GROUP BY author, substr(created_at, 1, 10)",
        (since,),
    ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]


def customer_names(conn: Connection, ids: Collection[int]) -> dict[int, tuple[str, str | None]]:
    """id -> (uid, external id) of the given customers."""
    found: dict[int, tuple[str, str | None]] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for cid, uid, external in conn.execute(
            # marks are ? placeholders
            f"SELECT id, uid, external_id FROM customers WHERE id IN ({marks})",  # nosec B608
            chunk,
        ):
            found[int(cid)] = (str(uid), external)
    return found
