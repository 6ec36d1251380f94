"""Desk members known from another device: their rows without a key (it stays on
their own device). Plain SQL; who may be added is decided in app.sync."""

from __future__ import annotations

from vault.connection import Connection


def add_member(
    conn: Connection, *, member_id: str, name: str, address: str, is_root: bool, now: str
) -> bool:
    """The member unless one with that id is here already; False when it was."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO approval_members (id, name, address, is_root, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (member_id, name, address, int(is_root), now),
    )
    return cur.rowcount > 0


def member_id_of(conn: Connection, address: str) -> str | None:
    row = conn.execute("SELECT id FROM approval_members WHERE address = ?", (address,)).fetchone()
    return None if row is None else str(row[0])


def name_taken(conn: Connection, name: str, *, other_than: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM approval_members WHERE name = ? AND id != ?", (name, other_than)
    ).fetchone()
    return row is not None
