"""Rows of the approvals tables (m0005). Plain SQL; the rules live in app.approvals."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from vault import crypto
from vault.connection import Connection


@dataclass(frozen=True)
class MemberRow:
    id: str
    name: str
    address: str
    is_root: bool
    has_key: bool


@dataclass(frozen=True)
class GrantRow:
    id: int
    member_id: str
    member_address: str
    member_name: str
    role: str
    granted_at: str
    granted_by: str
    signature: bytes
    valid: bool | None


@dataclass(frozen=True)
class DecisionRow:
    id: str
    request_id: str
    signer: str
    verdict: str
    reason: str
    created_at: str
    typed_hash: bytes
    signature: bytes
    verified: bool | None
    local_only: bool
    #: the valuation signed (typed data version 2) as canonical JSON; None: version 1
    valuation: str | None = None


_MEMBER = "SELECT id, name, address, is_root, key_sealed IS NOT NULL FROM approval_members"
_DECISION = (
    "SELECT id, request_id, signer, verdict, reason, created_at, typed_hash, signature, "
    "verified, local_only, valuation FROM approval_decisions"
)


def _member(row: Sequence[Any]) -> MemberRow:
    return MemberRow(str(row[0]), str(row[1]), str(row[2]), bool(row[3]), bool(row[4]))


def _decision(row: Sequence[Any]) -> DecisionRow:
    return DecisionRow(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        str(row[3]),
        str(row[4]),
        str(row[5]),
        bytes(row[6]),
        bytes(row[7]),
        None if row[8] is None else bool(row[8]),
        bool(row[9]),
        None if row[10] is None else str(row[10]),
    )


# --- members and their keys ---------------------------------------------------


def members(conn: Connection) -> list[MemberRow]:
    return [_member(r) for r in conn.execute(f"{_MEMBER} ORDER BY is_root DESC, name")]


def member_by_name(conn: Connection, name: str) -> MemberRow | None:
    row = conn.execute(f"{_MEMBER} WHERE name = ?", (name,)).fetchone()
    return None if row is None else _member(row)


def root(conn: Connection) -> MemberRow | None:
    row = conn.execute(f"{_MEMBER} WHERE is_root = 1").fetchone()
    return None if row is None else _member(row)


def _seal_key(conn: Connection, *, create: bool) -> bytes | None:
    row = conn.execute("SELECT key FROM approval_key_seal WHERE id = 1").fetchone()
    if row is not None:
        return bytes(row[0])
    if not create:
        return None
    key = secrets.token_bytes(32)
    conn.execute("INSERT INTO approval_key_seal (id, key) VALUES (1, ?)", (key,))
    return key


def insert_member(
    conn: Connection,
    *,
    member_id: str,
    name: str,
    address: str,
    private_key: bytes,
    is_root: bool,
    now: str,
) -> None:
    """A member whose key lives in this vault, sealed (the id as associated data)."""
    seal_key = _seal_key(conn, create=True)
    assert seal_key is not None
    nonce, sealed = crypto.seal(seal_key, private_key, member_id.encode())
    conn.execute(
        "INSERT INTO approval_members (id, name, address, key_nonce, key_sealed, is_root, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (member_id, name, address, nonce, sealed, int(is_root), now),
    )


def insert_known_member(
    conn: Connection, *, member_id: str, name: str, address: str, is_root: bool, now: str
) -> None:
    """A member whose key lives on another device (only their address is known here)."""
    conn.execute(
        "INSERT INTO approval_members (id, name, address, is_root, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (member_id, name, address, int(is_root), now),
    )


def private_key(conn: Connection, member_id: str) -> bytes | None:
    """The member's private key, or None when it is not kept in this vault."""
    seal_key = _seal_key(conn, create=False)
    row = conn.execute(
        "SELECT key_nonce, key_sealed FROM approval_members WHERE id = ?", (member_id,)
    ).fetchone()
    if seal_key is None or row is None or row[1] is None:
        return None
    try:
        return crypto.open_sealed(seal_key, bytes(row[0]), bytes(row[1]), member_id.encode())
    except crypto.UnwrapError:
        return None


# --- grants -------------------------------------------------------------------


def grants(conn: Connection) -> list[GrantRow]:
    rows = conn.execute(
        "SELECT g.id, g.member_id, m.address, m.name, g.role, g.granted_at, g.granted_by, "
        "g.signature, g.valid FROM approval_grants g JOIN approval_members m "
        "ON m.id = g.member_id ORDER BY g.id"
    )
    return [_grant(r) for r in rows]


def _grant(r: Sequence[Any]) -> GrantRow:
    return GrantRow(
        int(r[0]),
        str(r[1]),
        str(r[2]),
        str(r[3]),
        str(r[4]),
        str(r[5]),
        str(r[6]),
        bytes(r[7]),
        None if r[8] is None else bool(r[8]),
    )


def insert_grant(
    conn: Connection,
    *,
    member_id: str,
    role: str,
    granted_at: str,
    granted_by: str,
    signature: bytes,
) -> None:
    conn.execute(
        "INSERT INTO approval_grants (member_id, role, granted_at, granted_by, signature, valid) "
        "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (member_id, role) DO UPDATE SET "
        "granted_at = excluded.granted_at, granted_by = excluded.granted_by, "
        "signature = excluded.signature, valid = 1",
        (member_id, role, granted_at, granted_by, signature),
    )


def set_grant_validity(conn: Connection, changes: Iterable[tuple[bool, int]]) -> None:
    conn.executemany("UPDATE approval_grants SET valid = ? WHERE id = ?", changes)


def revocations(conn: Connection) -> list[GrantRow]:
    """Role revocations (m0006), as GrantRows: `granted_at` and `granted_by` are the
    revocation's time and signer."""
    rows = conn.execute(
        "SELECT r.id, r.member_id, m.address, m.name, r.role, r.revoked_at, r.revoked_by, "
        "r.signature, r.valid FROM approval_revocations r JOIN approval_members m "
        "ON m.id = r.member_id ORDER BY r.id"
    )
    return [_grant(r) for r in rows]


def insert_revocation(
    conn: Connection,
    *,
    member_id: str,
    role: str,
    revoked_at: str,
    revoked_by: str,
    signature: bytes,
) -> None:
    conn.execute(
        "INSERT INTO approval_revocations (member_id, role, revoked_at, revoked_by, signature, "
        "valid) VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (member_id, role) DO UPDATE SET "
        "revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by, "
        "signature = excluded.signature, valid = 1",
        (member_id, role, revoked_at, revoked_by, signature),
    )


def set_revocation_validity(conn: Connection, changes: Iterable[tuple[bool, int]]) -> None:
    conn.executemany("UPDATE approval_revocations SET valid = ? WHERE id = ?", changes)


# --- policy ---------------------------------------------------------------------


#: the tables that keep a policy's versions (the review policy's has the same columns)
POLICY_TABLES = ("approval_policies", "review_policies")


def current_policy(conn: Connection, *, table: str = POLICY_TABLES[0]) -> tuple[int, str] | None:
    assert table in POLICY_TABLES
    row = conn.execute(
        f"SELECT version, text FROM {table} ORDER BY version DESC LIMIT 1"  # nosec B608
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def insert_policy(
    conn: Connection,
    *,
    text: str,
    sha256: str,
    set_by: str,
    now: str,
    table: str = POLICY_TABLES[0],
) -> int:
    current = current_policy(conn, table=table)
    version = 1 if current is None else current[0] + 1
    conn.execute(
        # table: one of POLICY_TABLES (checked above); values are ? params
        f"INSERT INTO {table} (version, text, sha256, set_by, created_at) "  # nosec B608
        "VALUES (?, ?, ?, ?, ?)",
        (version, text, sha256, set_by, now),
    )
    return version


# --- requests and decisions -------------------------------------------------------

#: a request's valuation (m0008): value in the reference currency, that currency, and
#: the price used (or the stale one found), its time and source, and when it was valued
VALUATION_COLUMNS = (
    "value_exact",
    "value_currency",
    "price",
    "price_as_of",
    "price_source",
    "valued_at",
)

REQUEST_COLUMNS = (
    "id",
    "kind",
    "customer_id",
    "content",
    "amount",
    "amount_exact",
    "asset",
    "chain",
    "address",
    "created_at",
    "created_by",
    "risk_level",
    "sanctioned",
    "risk_fetched_at",
    *VALUATION_COLUMNS,
)


def insert_request(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(
        # constant column names; values are ? params
        f"INSERT INTO approval_requests ({', '.join(REQUEST_COLUMNS)}) "  # nosec B608
        f"VALUES ({', '.join('?' for _ in REQUEST_COLUMNS)})",
        tuple(values.get(c) for c in REQUEST_COLUMNS),
    )


def insert_decision(conn: Connection, row: DecisionRow) -> None:
    conn.execute(
        "INSERT INTO approval_decisions (id, request_id, signer, verdict, reason, created_at, "
        "typed_hash, signature, verified, local_only, valuation) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.id,
            row.request_id,
            row.signer,
            row.verdict,
            row.reason,
            row.created_at,
            row.typed_hash,
            row.signature,
            None if row.verified is None else int(row.verified),
            int(row.local_only),
            row.valuation,
        ),
    )
    if row.local_only:
        conn.execute("UPDATE approval_requests SET local_only = 1 WHERE id = ?", (row.request_id,))
    sync_facts(conn, [row.request_id])


def set_shared(conn: Connection, *, device: str, first: int, last: int, now: str) -> int:
    """Decisions recorded by `device`'s events `first`..`last` are on a target now: no
    longer "local - not yet shared" (nor their requests, once none of theirs is).
    Returns how many decisions changed."""
    cur = conn.execute(
        "UPDATE approval_decisions SET local_only = 0, shared_at = ? WHERE local_only = 1 "
        "AND id IN (SELECT json_extract(CAST(payload AS TEXT), '$.decision') FROM events "
        "WHERE device = ? AND seq BETWEEN ? AND ? AND type = 'approvals.decided')",
        (now, device, first, last),
    )
    if cur.rowcount:
        conn.execute(
            "UPDATE approval_requests SET local_only = 0 WHERE local_only = 1 AND NOT EXISTS "
            "(SELECT 1 FROM approval_decisions d WHERE d.request_id = approval_requests.id "
            "AND d.local_only = 1)"
        )
    return int(cur.rowcount)


def decisions_of(conn: Connection, request_id: str) -> list[DecisionRow]:
    return [
        _decision(r)
        for r in conn.execute(
            f"{_DECISION} WHERE request_id = ? ORDER BY created_at, id", (request_id,)
        )
    ]


def all_decisions(conn: Connection) -> Iterator[DecisionRow]:
    cursor = conn.execute(f"{_DECISION} ORDER BY request_id")
    while batch := cursor.fetchmany(5000):
        for r in batch:
            yield _decision(r)


def set_verified(conn: Connection, changes: Sequence[tuple[bool, str]]) -> None:
    """Cache signature checks, and the requests' facts with them."""
    if not changes:
        return
    conn.executemany("UPDATE approval_decisions SET verified = ? WHERE id = ?", changes)
    if len(changes) > 1000:
        sync_facts(conn, None)
        return
    ids = [did for _, did in changes]
    marks = ", ".join("?" for _ in ids)
    affected = [
        str(r[0])
        for r in conn.execute(
            # only ? placeholders are joined in
            "SELECT DISTINCT request_id FROM approval_decisions "  # nosec B608
            f"WHERE id IN ({marks})",
            ids,
        )
    ]
    sync_facts(conn, affected)


_FACTS = (
    "UPDATE approval_requests SET facts = (SELECT coalesce(json_group_array(json_array("
    "d.id, d.signer, d.verdict, d.created_at, d.verified)), '[]') FROM approval_decisions d "
    "WHERE d.request_id = approval_requests.id)"
)


def sync_facts(conn: Connection, request_ids: Sequence[str] | None) -> None:
    """Copy the decisions' status inputs into their requests (None: every request)."""
    if request_ids is None:
        conn.execute(_FACTS)
        return
    for start in range(0, len(request_ids), 500):
        chunk = request_ids[start : start + 500]
        conn.execute(f"{_FACTS} WHERE id IN ({', '.join('?' for _ in chunk)})", tuple(chunk))


def contents(conn: Connection, request_ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(request_ids), 500):
        chunk = request_ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for rid, content in conn.execute(
            # only ? placeholders are joined in
            f"SELECT id, content FROM approval_requests WHERE id IN ({marks})",  # nosec B608
            tuple(chunk),
        ):
            found[str(rid)] = str(content)
    return found


def set_statuses(conn: Connection, changes: Iterable[tuple[str, int, str, str]]) -> None:
    """(status, approvals, needed, id) per changed request."""
    conn.executemany(
        "UPDATE approval_requests SET status = ?, approvals = ?, needed = ? WHERE id = ?",
        changes,
    )


def set_valuations(conn: Connection, changes: Iterable[Sequence[Any]]) -> None:
    """(value_exact, value_currency, price, price_as_of, price_source, valued_at, id)
    per request valued again."""
    sets = ", ".join(f"{c} = ?" for c in VALUATION_COLUMNS)
    # constant column names; values are ? params
    conn.executemany(f"UPDATE approval_requests SET {sets} WHERE id = ?", changes)  # nosec B608


_OVERRIDES = (
    "SELECT customer_id, chain, address, min(id) FROM approval_requests "
    "WHERE kind = 'risk_override' AND status = 'approved'"
)


def approved_overrides(
    conn: Connection, target: tuple[int, str, str] | None = None
) -> dict[tuple[int, str, str], str]:
    """(customer id, chain, address) -> the approved risk override request accepting its
    risk (the first by id when there are several); only `target`'s when given."""
    if target is None:
        rows = conn.execute(f"{_OVERRIDES} GROUP BY customer_id, chain, address")
    else:
        rows = conn.execute(
            f"{_OVERRIDES} AND customer_id = ? AND chain = ? AND address = ? "
            "GROUP BY customer_id, chain, address",
            target,
        )
    return {(int(c), str(ch), str(a)): str(rid) for c, ch, a, rid in rows}
