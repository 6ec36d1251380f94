"""SQL for the Screening section: each address's newest answer per provider, filtered,
sorted and paged in SQL; one stored answer by id (with its evidence).

The newest row of (chain, address, provider) is found through the
`screenings_latest` index, so the list needs no table of its own. Plain
values in and out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vault.connection import Connection
from vault.screening.screenings import _COLUMNS

#: sort keys → SQL; level sorts by severity (unknown, i.e. an error, first)
SORTS = {
    "chain": "s.chain",
    "address": "s.address",
    "customer": "customer",
    "level": "CASE s.level WHEN 'unknown' THEN -1 WHEN 'none' THEN 0 WHEN 'low' THEN 1 "
    "WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END",
    "score": "coalesce(s.score, -1)",
    "sanctioned": "s.sanctioned",
    "provider": "s.provider",
    "age": "s.fetched_at",
    "status": "s.status",
}

#: id, chain, address, provider, level, score, sanctioned, status, source,
#: fetched_at, error, sanctioned_party, customer (a holder's name, if any)
_SELECT = (
    "SELECT s.id, s.chain, s.address, s.provider, s.level, s.score, s.sanctioned, s.status, "
    "s.source, s.fetched_at, s.error, s.sanctioned_party, "
    "(SELECT c.display_name FROM addresses a JOIN customers c ON c.id = a.customer_id "
    "WHERE a.chain = s.chain AND a.address = s.address ORDER BY a.id LIMIT 1) AS customer "
    "FROM screenings s"
)
_NEWEST = (
    "s.id = (SELECT n.id FROM screenings n WHERE n.chain = s.chain AND n.address = s.address "
    "AND n.provider = s.provider ORDER BY n.fetched_at DESC, n.id DESC LIMIT 1)"
)


@dataclass(frozen=True)
class Filter:
    """What the list shows; None means "any". Times are ISO-8601 UTC strings."""

    level: str | None = None
    provider: str | None = None
    #: "not sanctioned" means answered and not listed: never an address that could
    #: not be screened (not covered by a list, an error)
    sanctioned: bool | None = None
    #: the answer's status (ok, not_covered, invalid_address, auth, ...)
    status: str | None = None
    newer_than: str | None = None
    older_than: str | None = None
    #: part of the address (case-insensitive)
    text: str = ""

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = [_NEWEST]
        params: list[Any] = []
        if self.level is not None:
            clauses.append("s.level = ?")
            params.append(self.level)
        if self.provider is not None:
            clauses.append("s.provider = ?")
            params.append(self.provider)
        if self.sanctioned is not None:
            clauses.append("s.sanctioned = ?" + ("" if self.sanctioned else " AND s.status = 'ok'"))
            params.append(int(self.sanctioned))
        if self.status is not None:
            clauses.append("s.status = ?")
            params.append(self.status)
        if self.newer_than is not None:
            clauses.append("s.fetched_at >= ?")
            params.append(self.newer_than)
        if self.older_than is not None:
            clauses.append("s.fetched_at < ?")
            params.append(self.older_than)
        if self.text.strip():
            clauses.append("instr(lower(s.address), ?) > 0")
            params.append(self.text.strip().lower())
        return " AND ".join(clauses), params


def count(conn: Connection, where: Filter) -> int:
    sql, params = where.where()
    # clauses are fixed SQL from code; values are ? params
    found = conn.execute(f"SELECT count(*) FROM screenings s WHERE {sql}", params)  # nosec B608
    return int(found.fetchone()[0])


def page(
    conn: Connection,
    where: Filter,
    *,
    sort: str = "age",
    descending: bool = True,
    offset: int,
    limit: int,
) -> list[tuple[Any, ...]]:
    sql, params = where.where()
    order = "DESC" if descending else "ASC"
    return conn.execute(
        f"{_SELECT} WHERE {sql} ORDER BY {SORTS[sort]} {order}, s.id {order} LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()


def providers(conn: Connection) -> list[str]:
    """Every provider that ever answered in this vault (for the filter)."""
    return [str(r[0]) for r in conn.execute("SELECT DISTINCT provider FROM screenings ORDER BY 1")]


def evidence(conn: Connection, screening_id: int) -> bytes | None:
    """The raw body kept with one stored answer."""
    row = conn.execute("SELECT raw FROM screenings WHERE id = ?", (screening_id,)).fetchone()
    return None if row is None or row[0] is None else bytes(row[0])


def history(
    conn: Connection, chain: str, address: str, *, limit: int = 200
) -> list[tuple[int, dict[str, Any]]]:
    """Every stored answer about an address, newest first, as (id, record) pairs: the
    record is what `screenings.history` gives, the id finds its evidence."""
    rows = conn.execute(
        # constant column names; values are ? params
        f"SELECT id, {', '.join(_COLUMNS)} FROM screenings WHERE chain = ? AND address = ? "
        "ORDER BY fetched_at DESC, id DESC LIMIT ?",  # nosec B608
        (chain, address, limit),
    )
    return [(int(r[0]), dict(zip(_COLUMNS, r[1:], strict=True))) for r in rows]
