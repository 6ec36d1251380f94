"""What the customer views show: one customer's page and its history, decrypted.

Read-only; runs on the database worker (it needs the customer keys, which
live with the writing connection).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.addresses import explorer_url
from app.authorship import Members
from app.book.models import PERSONAL_FIELDS
from vault.connection import Connection
from vault.pii import CustomerKeys


@dataclass(frozen=True)
class AddressRow:
    id: int
    chain: str
    address: str
    label: str | None
    evidence: str | None
    first_seen: str | None
    last_seen: str | None
    explorer_url: str
    #: other customers holding the same address: (id, display name)
    shared_with: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class NoteRow:
    id: int
    kind: str
    body: str
    at: str
    author: str


@dataclass(frozen=True)
class TaskRow:
    id: int
    title: str
    due_at: str | None
    remind_at: str | None
    done_at: str | None


@dataclass(frozen=True)
class CustomValue:
    field_id: int
    name: str
    label: str
    type: str
    value: str | None


@dataclass(frozen=True)
class CustomerDetail:
    id: int
    uid: str
    external_id: str | None
    kind: str
    legal_name: str
    display_name: str
    country: str | None
    owner: str | None
    kyc_status: str
    kyc_updated_at: str | None
    kyc_expires_at: str | None
    risk_rating: str | None
    risk_reason: str | None
    created_at: str
    updated_at: str
    erased_at: str | None
    merged_into: int | None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    addresses: list[AddressRow] = field(default_factory=list)
    notes: list[NoteRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    custom: list[CustomValue] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    at: str
    #: the OS user who recorded the event on `device`
    author: str
    type: str
    #: the payload with personal values opened (or "[erased]")
    details: dict[str, Any]
    #: the event's place in the log; pass the last one as `before` for older events
    position: int = 0
    #: the desk member who made an approvals fact (whose key signed it); "" otherwise
    member: str = ""
    device: str = ""

    @property
    def who(self) -> str:
        """Whom the history names: the member for an approvals fact, else the OS user."""
        return self.member or self.author

    def summary(self) -> str:
        parts = []
        for key, value in self.details.items():
            if key == "customer":
                continue
            parts.append(f"{key}: {value}")
        return "; ".join(parts)


_DETAIL_COLUMNS = (
    "id, uid, external_id, kind, legal_name, display_name, country, owner, kyc_status, "
    "kyc_updated_at, kyc_expires_at, risk_rating, risk_reason, created_at, updated_at, "
    "erased_at, merged_into"
)


def customer_detail(conn: Connection, customer_id: int) -> CustomerDetail | None:
    row = conn.execute(
        # constant column names; values are ? params
        f"SELECT {_DETAIL_COLUMNS} FROM customers WHERE id = ?",  # nosec B608
        (customer_id,),
    ).fetchone()
    if row is None:
        return None
    contacts = conn.execute(
        "SELECT kind, value FROM contacts WHERE customer_id = ? ORDER BY id", (customer_id,)
    ).fetchall()
    tags = [
        r[0]
        for r in conn.execute(
            "SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag", (customer_id,)
        )
    ]
    links = []
    for a in conn.execute(
        "SELECT id, chain, address, label, evidence, first_seen, last_seen FROM addresses "
        "WHERE customer_id = ? ORDER BY id",
        (customer_id,),
    ).fetchall():
        shared = tuple(
            (int(r[0]), str(r[1]))
            for r in conn.execute(
                "SELECT c.id, c.display_name FROM addresses o JOIN customers c "
                "ON c.id = o.customer_id WHERE o.chain = ? AND o.address = ? "
                "AND o.customer_id != ?",
                (a[1], a[2], customer_id),
            )
        )
        links.append(
            AddressRow(
                id=a[0],
                chain=a[1],
                address=a[2],
                label=a[3],
                evidence=a[4],
                first_seen=a[5],
                last_seen=a[6],
                explorer_url=explorer_url(a[1], a[2]),
                shared_with=shared,
            )
        )
    notes = [
        NoteRow(*r)
        for r in conn.execute(
            "SELECT id, kind, body, at, author FROM notes WHERE customer_id = ? "
            "ORDER BY at DESC, id DESC",
            (customer_id,),
        )
    ]
    tasks = [
        TaskRow(*r)
        for r in conn.execute(
            "SELECT id, title, due_at, remind_at, done_at FROM tasks WHERE customer_id = ? "
            "ORDER BY done_at IS NOT NULL, due_at IS NULL, due_at, id",
            (customer_id,),
        )
    ]
    custom = [
        CustomValue(*r)
        for r in conn.execute(
            "SELECT f.id, f.name, f.label, f.type, v.value FROM custom_fields f "
            "LEFT JOIN custom_values v ON v.field_id = f.id AND v.customer_id = ? "
            "ORDER BY f.position, f.id",
            (customer_id,),
        )
    ]
    values = dict(zip(_DETAIL_COLUMNS.replace(" ", "").split(","), row, strict=True))
    return CustomerDetail(
        **values,
        emails=[v for k, v in contacts if k == "email"],
        phones=[v for k, v in contacts if k == "phone"],
        tags=tags,
        addresses=links,
        notes=notes,
        tasks=tasks,
        custom=custom,
    )


def _open_values(keys: CustomerKeys, customer_id: int, value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (
                _open_values(keys, customer_id, v)
                if k in PERSONAL_FIELDS or isinstance(v, dict)
                else v
            )
            for k, v in value.items()
        }
    opened = keys.open(customer_id, value)
    if isinstance(opened, str) and "\x1f" in opened:
        return opened.split("\x1f")
    return opened


#: a history row's position: its event's rowid, then (batch events) the row's index
_ROW_BITS = 20
_NO_BOUND = 2**62


def customer_history(
    conn: Connection,
    keys: CustomerKeys,
    customer_id: int,
    *,
    limit: int = 500,
    before: int | None = None,
) -> list[HistoryRow]:
    """The customer's events, newest first, with who, when, old and new values.

    A batch event (an import) gives one row per row of this customer in it.
    `before` is the `position` of the oldest row already shown: the next page
    starts just older than it (within the same batch event, if it was one).
    """
    # The customer and everyone merged into it: a merge keeps both histories.
    owners = {
        str(uid): int(cid)
        for cid, uid in conn.execute(
            "SELECT id, uid FROM customers WHERE id = ? OR merged_into = ?",
            (customer_id, customer_id),
        )
    }
    if not owners:
        return []
    ids = sorted(set(owners.values()))
    last_event = _NO_BOUND if before is None else before >> _ROW_BITS
    # One more event than rows wanted: the event `before` points into may have no
    # rows left to show.
    wanted = limit + 1
    found = conn.execute(
        # only ? placeholders are joined in
        "SELECT rowid_, seq, created_at, author, type, payload, subject, device FROM events "
        f"WHERE subject IN ({','.join('?' * len(owners))}) AND rowid_ <= ? "  # nosec B608
        "ORDER BY rowid_ DESC LIMIT ?",
        (*owners, last_event, wanted),
    ).fetchall()
    found += conn.execute(
        # only ? placeholders are joined in
        "SELECT e.rowid_, e.seq, e.created_at, e.author, e.type, e.payload, NULL, e.device "
        "FROM event_customers x JOIN events e ON e.rowid_ = x.event "  # nosec B608
        f"WHERE x.customer_id IN ({','.join('?' * len(ids))}) AND x.event <= ? "
        "ORDER BY x.event DESC LIMIT ?",
        (*ids, last_event, wanted),
    ).fetchall()
    found.sort(key=lambda r: r[0], reverse=True)
    history: list[HistoryRow] = []
    members = Members(conn)
    seen: set[int] = set()
    for rowid, seq, at, author, type_, payload, subject, device in found:
        if rowid in seen:
            continue
        seen.add(rowid)
        try:
            details = json.loads(payload)
        except ValueError:
            details = {"payload": "(unreadable)"}
        member = members.of(type_, details)
        for position, entry, owner in _entries(rowid, details, subject, owners, customer_id):
            if before is not None and position >= before:
                continue
            opened = _open_values(keys, owner, entry)
            history.append(HistoryRow(seq, at, author, type_, opened, position, member, device))
            if len(history) == limit:
                return history
    return history


def _entries(
    rowid: int, details: Any, subject: str | None, owners: dict[str, int], customer_id: int
) -> list[tuple[int, Any, int]]:
    """(position, details, owner id) of each history row this event gives, newest first:
    one for an event about one customer, one per row of theirs in a batch event."""
    position = rowid << _ROW_BITS
    if subject is not None or not isinstance(details, dict) or "rows" not in details:
        return [(position, details, owners.get(subject or "", customer_id))]
    columns = details.get("columns") or []
    entries = []
    # A batch event holds EVENT_ROWS rows, far fewer than a position has room for.
    for index, row in enumerate(details["rows"][: 1 << _ROW_BITS]):
        owner = owners.get(row[0]) if isinstance(row, list) and row else None
        if owner is not None:
            entries.append((position | index, dict(zip(columns, row, strict=False)), owner))
    entries.reverse()
    return entries
