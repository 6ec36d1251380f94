"""The charts' daily series, aggregated in SQL. Days are UTC ISO dates; every
function takes the first and last day wanted (inclusive). Database worker.
"""

from __future__ import annotations

from typing import Any

from vault.connection import Connection
from vault.dashboards.levels import ANSWERED_SQL, rank_sql


def risk_changes(conn: Connection, *, last: str) -> list[tuple[str, int, int]]:
    """How the number of linked addresses at each worst newest level changes, as
    (day, rank, change) up to `last`, by day: the running sum from the first day gives
    the count per level on each day (an address counts from the day of its first answer).

    Per provider the last answer of each day holds until that provider's next one;
    an address's level on a day is the worst its providers hold at the day's end. An
    address linked to two customers counts twice, as in the Wallets list.

    Rows reaching Python cost the most, and so do look-ups per answer. Each link keeps
    its address's answer count, newest level and time (migration 0011), so an address
    answered once (most of a book: that answer's level from its day on) is counted by
    SQL from an index of the links alone. The history of the others comes to Python
    per address in time order (the addresses_answered_again and screenings_history
    indexes), one address in memory at a time."""
    changes: dict[tuple[str, int], int] = {
        (str(day), int(rank)): int(n)
        for day, rank, n in conn.execute(
            "SELECT substr(screened_at, 1, 10) AS day, risk_rank, count(*) FROM addresses "
            "INDEXED BY addresses_by_answer_day WHERE answers = 1 AND day <= ? "
            "GROUP BY day, risk_rank",
            (last,),
        )
    }
    current: tuple[str, str] | None = None
    held: dict[str, int] = {}
    level, count, day = -1, 0, ""

    def settle() -> None:
        """The end of `day` for the current address: record its level if it changed."""
        nonlocal level
        worst = max(held.values())
        if worst != level:
            if level >= 0:
                changes[(day, level)] = changes.get((day, level), 0) - count
            changes[(day, worst)] = changes.get((day, worst), 0) + count
            level = worst

    for chain, address, links, provider, rank, on in conn.execute(
        # SQL fragments are module constants
        "SELECT l.chain, l.address, l.n, s.provider, "  # nosec B608
        f"{rank_sql('s.level')}, substr(s.fetched_at, 1, 10) FROM (SELECT chain, address, "
        "count(*) AS n FROM addresses INDEXED BY addresses_answered_again WHERE answers > 1 "
        "GROUP BY chain, address) l JOIN screenings s INDEXED BY screenings_history "
        f"ON s.chain = l.chain AND s.address = l.address WHERE s.status IN {ANSWERED_SQL} "
        "AND substr(s.fetched_at, 1, 10) <= ? ORDER BY l.chain, l.address, s.fetched_at",
        (last,),
    ):
        if (chain, address) != current:
            if held:
                settle()
            current, held, level, day = (chain, address), {}, -1, on
            count = int(links)
        elif on != day:
            settle()
            day = on
        held[str(provider)] = int(rank)
    if held:
        settle()
    return sorted((day, rank, n) for (day, rank), n in changes.items() if n)


def newest_answer(conn: Connection) -> str | None:
    """The newest answer for a linked address: the newest the risk chart counts (kept on
    each link, migration 0011, so an index look-up, not a pass over the history)."""
    return _newest(conn, "SELECT max(screened_at) FROM addresses WHERE screened_at IS NOT NULL")


def approvals_per_day(conn: Connection, *, first: str, last: str) -> list[tuple[str, str, int]]:
    """(day, what, count): requests made, and decisions that approve or reject, per day."""
    day = "substr(created_at, 1, 10)"
    return [
        (str(d), str(what), int(n))
        for d, what, n in conn.execute(
            # SQL fragments are module constants
            f"SELECT {day} AS d, 'requests', count(*) FROM approval_requests "  # nosec B608
            "WHERE created_at >= ? AND d <= ? GROUP BY d "
            f"UNION ALL SELECT {day} AS d, verdict, count(*) FROM approval_decisions "
            "WHERE verdict IN ('approve', 'reject') AND created_at >= ? AND d <= ? "
            "GROUP BY d, verdict ORDER BY 1",
            (first, last, first, last),
        )
    ]


def newest_approval(conn: Connection) -> str | None:
    return _newest(
        conn,
        "SELECT max(at) FROM (SELECT max(created_at) AS at FROM approval_requests "
        "UNION ALL SELECT max(created_at) FROM approval_decisions)",
    )


def flows_per_day(
    conn: Connection,
    *,
    first: str,
    last: str,
    customer_id: int | None = None,
    target: tuple[str, str] | None = None,
) -> list[tuple[str, str, str | None, int | None, float, float]]:
    """(day, chain, symbol, decimals, inflow, outflow) of the native coin per day and
    chain, summed over the book's addresses (each address once), one customer's, or one
    address; amounts in the smallest unit (floats: a chart needs no more precision)."""
    where = ["f.asset = ''", "f.day >= ?", "f.day <= ?"]
    params: list[Any] = [first, last]
    if target is not None:
        where.append("f.chain = ? AND f.address = ?")
        params += list(target)
    elif customer_id is not None:
        where.append(
            "(f.chain, f.address) IN (SELECT chain, address FROM addresses WHERE customer_id = ?)"
        )
        params.append(customer_id)
    else:
        where.append("(f.chain, f.address) IN (SELECT chain, address FROM addresses)")
    return [
        (str(d), str(c), s, None if dec is None else int(dec), float(i or 0), float(o or 0))
        for d, c, s, dec, i, o in conn.execute(
            # clauses are fixed SQL from code; values are ? params
            "SELECT f.day, f.chain, max(f.symbol), f.decimals, sum(CAST(f.inflow AS REAL)), "
            f"sum(CAST(f.outflow AS REAL)) FROM explorer_flows f WHERE {' AND '.join(where)} "
            "GROUP BY f.day, f.chain, f.decimals ORDER BY f.day, f.chain",  # nosec B608
            params,
        )
    ]


def newest_flows(conn: Connection) -> str | None:
    return _newest(conn, "SELECT max(fetched_at) FROM explorer_flows")


def _newest(conn: Connection, sql: str) -> str | None:
    value = conn.execute(sql).fetchone()[0]
    return None if value is None else str(value)
