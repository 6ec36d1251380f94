"""The `state` digest: one value two devices print alike when they have seen the same events.

It covers what the events project, by what every device calls it alike:
customers by uid (record, tags, contacts, erased, merged into), their addresses,
conflicts, notes, tasks, custom fields and values, "changed on two devices"
marks, approval members (id, address), grants and revocations, the policy in
force (its digest), requests (status, approvals, needed) and their decisions;
signed periodic reviews; KYC dates, screening answers (evidence included),
explorer summaries and flows, sanctions lists with their provenance, prices,
name-screening hits and their dispositions, KYC documents (not their file names
and chunks: each device seals them under its own key). Local-only columns are
left out: row numbers, the times rows were written here (and when this device
imported a list or first held a price), members' keys and names (a clash is
renamed here), which member is this vault's root, whether a decision was shared
yet, the hit number a disposition's signature covers.

Each table's rows are hashed in a fixed order under the table's name, and
those hashes in a fixed order into the digest, so two vaults with the same
projected rows print the same digest whatever order their events arrived in.
It reads every synced row: about a second per several hundred thousand rows.

So a connection keeps each table's hash (`state_parts`, a TEMP table: per
connection, never on disk) until a row of a table its query reads changes:
TEMP triggers on those tables, made with the first digest, drop the parts
that read them on this connection's writes (a rollback restores both alike),
and `PRAGMA data_version` tells another connection's commits, which drop
them all. A `sync run` with nothing new then costs a few small reads, and one
after a decision reads the requests and decisions again, not the whole book.
"""

from __future__ import annotations

import contextlib
import hashlib
import re

from vault.connection import Connection, DatabaseError

VERSION = b"strongroom state v4: projected tables, a hash per table\x00"

#: (name, query): every query orders its rows completely
_TABLES: tuple[tuple[str, str], ...] = (
    (
        "customers",
        "SELECT c.uid, c.external_id, c.kind, c.legal_name, c.display_name, c.country, c.owner, "
        "c.kyc_status, c.risk_rating, c.risk_reason, c.erased_at IS NOT NULL, m.uid "
        "FROM customers c LEFT JOIN customers m ON m.id = c.merged_into ORDER BY c.uid",
    ),
    (
        "tags",
        "SELECT c.uid, t.tag FROM customer_tags t JOIN customers c ON c.id = t.customer_id "
        "ORDER BY 1, 2",
    ),
    (
        "contacts",
        "SELECT c.uid, k.kind, k.value FROM contacts k JOIN customers c ON c.id = k.customer_id "
        "ORDER BY 1, 2, 3",
    ),
    (
        "addresses",
        "SELECT c.uid, a.chain, a.address, a.label, a.evidence FROM addresses a "
        "JOIN customers c ON c.id = a.customer_id ORDER BY 1, 2, 3",
    ),
    (
        "conflicts",
        "SELECT k.chain, k.address, min(a.uid, b.uid), max(a.uid, b.uid), "
        "k.resolved_at IS NOT NULL, k.resolution FROM conflicts k "
        "JOIN customers a ON a.id = k.customer_a JOIN customers b ON b.id = k.customer_b "
        "ORDER BY 1, 2, 3, 4",
    ),
    (
        "notes",
        "SELECT c.uid, n.kind, n.body FROM notes n JOIN customers c ON c.id = n.customer_id "
        "ORDER BY 1, 2, 3",
    ),
    (
        "tasks",
        "SELECT c.uid, t.title, t.due_at, t.remind_at, t.done_at IS NOT NULL FROM tasks t "
        "JOIN customers c ON c.id = t.customer_id ORDER BY 1, 2, 3, 4, 5",
    ),
    ("custom_fields", "SELECT name, label, type, choices FROM custom_fields ORDER BY name"),
    (
        "custom_values",
        "SELECT c.uid, f.name, v.value FROM custom_values v JOIN customers c "
        "ON c.id = v.customer_id JOIN custom_fields f ON f.id = v.field_id ORDER BY 1, 2",
    ),
    (
        "changed_on_two_devices",
        "SELECT c.uid, x.field, x.winner, x.loser FROM customer_changes x "
        "JOIN customers c ON c.id = x.customer_id ORDER BY 1, 2, 3, 4",
    ),
    ("members", "SELECT id, address FROM approval_members ORDER BY id"),
    (
        "grants",
        "SELECT member_id, role, granted_at, granted_by, hex(signature) FROM approval_grants "
        "ORDER BY 1, 2",
    ),
    (
        "revocations",
        "SELECT member_id, role, revoked_at, revoked_by, hex(signature) "
        "FROM approval_revocations ORDER BY 1, 2",
    ),
    ("policy", "SELECT sha256 FROM approval_policies ORDER BY version DESC LIMIT 1"),
    (
        "requests",
        "SELECT r.id, r.kind, c.uid, r.content, r.status, r.approvals, r.needed "
        "FROM approval_requests r JOIN customers c ON c.id = r.customer_id ORDER BY r.id",
    ),
    (
        "decisions",
        "SELECT id, request_id, signer, verdict, reason, created_at, hex(signature) "
        "FROM approval_decisions ORDER BY id",
    ),
    (
        "reviews",
        "SELECT r.uid, c.uid, r.reviewed_at, r.outcome, r.signer, hex(r.signature) "
        "FROM reviews r JOIN customers c ON c.id = r.customer_id ORDER BY r.uid",
    ),
    (
        "kyc_dates",
        "SELECT uid, kyc_updated_at, kyc_expires_at FROM customers "
        "WHERE kyc_updated_at IS NOT NULL OR kyc_expires_at IS NOT NULL ORDER BY uid",
    ),
    (
        "screenings",
        "SELECT chain, address, provider, fetched_at, level, score, sanctioned, categories, "
        "exposures, status, source, sanctioned_party, list_date, error, raw FROM screenings "
        "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15",
    ),
    (
        "explorer_summaries",
        "SELECT chain, address, source, balances, tx_count, nonce, first_seen, last_seen, "
        "fetched_at, raw FROM explorer_summaries ORDER BY 1, 2, 3",
    ),
    (
        "explorer_flows",
        "SELECT chain, address, day, asset, symbol, decimals, inflow, outflow, transfers, "
        "complete, source, fetched_at FROM explorer_flows ORDER BY 1, 2, 3, 4",
    ),
    (
        "sanctions_lists",
        "SELECT source, label, list_date, date_from, file_name, sha256, counts "
        "FROM sanctions_lists ORDER BY source",
    ),
    (
        "sanctions_addresses",
        "SELECT a.source, a.family, a.key, a.address, a.assets, a.valid, p.entry_id, p.name "
        "FROM sanctions_addresses a LEFT JOIN sanctions_parties p ON p.address_id = a.id "
        "ORDER BY 1, 2, 3, 7",
    ),
    (
        "sanctions_entries",
        "SELECT source, entry_id, kind, name, aliases, programs, birth_dates, nationalities, "
        "digest FROM sanctions_entries ORDER BY 1, 2",
    ),
    (
        "sanctions_list_files",
        "SELECT source, role, file_name, sha256 FROM sanctions_list_files ORDER BY 1, 2",
    ),
    (
        "name_hits",
        "SELECT c.uid, h.entry_id, h.name_digest, h.entry_digest, h.field, h.source, "
        "h.listed_name, h.program, h.score, h.why, h.raised_at, h.status, d.verdict, d.reason, "
        "d.decided_at, d.signer, hex(d.signature) FROM name_hits h "
        "JOIN customers c ON c.id = h.customer_id "
        "LEFT JOIN name_dispositions d ON d.hit_id = h.id ORDER BY 1, 2, 3, 4",
    ),
    (
        "documents",
        "SELECT d.uid, c.uid, d.type, d.media_type, d.size, d.chunks, d.issued_on, "
        "d.expires_on, d.added_by FROM documents d JOIN customers c ON c.id = d.customer_id "
        "ORDER BY 1",
    ),
    (
        "prices",
        "SELECT asset, currency, as_of, source, price FROM prices ORDER BY 1, 2, 3, 4",
    ),
)


#: per part of the digest, the tables its query reads (the cache's triggers watch them)
_READS = {n: frozenset(re.findall(r"(?:FROM|JOIN) (\w+)", q)) for n, q in _TABLES}
#: per table, the parts that read it
_READERS = {
    t: tuple(sorted(n for n, reads in _READS.items() if t in reads))
    for t in sorted(set().union(*_READS.values()))
}


def state_digest(conn: Connection) -> str:
    """SHA-256 (hex) over the projected tables' parts, in a fixed order; the part of a
    table none of whose rows changed since it was last read is the cached one."""
    version: int | None = None
    parts: dict[str, bytes] = {}
    try:
        version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        parts = _cached(conn, version)
    except DatabaseError:  # a connection that cannot hold a TEMP table: no cache
        version = None
    h = hashlib.sha256(VERSION)
    fresh: dict[str, bytes] = {}
    for name, query in _TABLES:
        part = parts.get(name)
        if part is None:
            part = fresh[name] = _part(conn, name, query)
        h.update(part)
    if fresh and version is not None:
        with contextlib.suppress(DatabaseError):
            _keep(conn, fresh, version)
    return h.hexdigest()


def compute(conn: Connection) -> str:
    """The digest read from the tables themselves, without the cache."""
    h = hashlib.sha256(VERSION)
    for name, query in _TABLES:
        h.update(_part(conn, name, query))
    return h.hexdigest()


def _part(conn: Connection, name: str, query: str) -> bytes:
    """One table's part: the SHA-256 of its name and of its rows, in the query's order."""
    h = hashlib.sha256(b"table\x00" + name.encode() + b"\x00")
    cursor = conn.execute(query)
    while rows := cursor.fetchmany(5000):
        for row in rows:
            h.update(repr(tuple(row)).encode() + b"\n")
    return h.digest()


def _cached(conn: Connection, version: int) -> dict[str, bytes]:
    """The parts kept on this connection that are still good: none when another
    connection has committed since (`PRAGMA data_version`), or triggers are missing."""
    ready = conn.execute(
        "SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE 'state%'"
    ).fetchone()
    if int(ready[0]) != 3 * len(_READERS):
        return {}
    rows = conn.execute("SELECT name, part, version FROM temp.state_parts").fetchall()
    return {str(n): bytes(p) for n, p, v in rows if int(v) == version}


def _keep(conn: Connection, fresh: dict[str, bytes], version: int) -> None:
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS state_parts "
        "(name TEXT PRIMARY KEY, part BLOB NOT NULL, version INTEGER NOT NULL)"
    )
    for table, readers in _READERS.items():
        names = ", ".join(f"'{n}'" for n in readers)
        for op in ("INSERT", "UPDATE", "DELETE"):
            conn.execute(
                # names from the constant queries above
                f"CREATE TEMP TRIGGER IF NOT EXISTS state_{table}_{op.lower()} "  # nosec B608
                f"AFTER {op} ON main.{table} "
                f"BEGIN DELETE FROM temp.state_parts WHERE name IN ({names}); END"
            )
    # Parts of another data version are stale: drop them with the new ones' arrival.
    conn.execute("DELETE FROM temp.state_parts WHERE version != ?", (version,))
    conn.executemany(
        "INSERT OR REPLACE INTO temp.state_parts (name, part, version) VALUES (?, ?, ?)",
        [(n, p, version) for n, p in fresh.items()],
    )
