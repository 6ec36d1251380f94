"""Customer rows that a customers import rejected, by external id.

An address import that finds no customer for an external id looks here, so it can
say "customer C-005 was rejected on line 6 of people.csv (phone: ...)" rather than
"no customer". One JSON value in `meta`: local to this vault, inside its encryption,
never synced and never in an event. The caller stores reasons without the values
they were about. A later import that adds the customer drops its entry, and only the
newest LIMIT entries are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from vault.connection import Connection

KEY = "book.rejected_customers"
LIMIT = 20_000

#: external id -> (line, file name, reason)
Rejected = dict[str, tuple[int, str, str]]


def load(conn: Connection) -> Rejected:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY,)).fetchone()
    if row is None:
        return {}
    try:
        stored = json.loads(row[0])
        return {str(k): (int(v[0]), str(v[1]), str(v[2])) for k, v in stored.items()}
    except (ValueError, TypeError, IndexError, AttributeError):
        return {}  # only a hint for messages: an unreadable value is as good as none


def remember(
    conn: Connection,
    *,
    file: str,
    rejected: Mapping[str, tuple[int, str]],
    imported: Iterable[str],
) -> None:
    """After a customers import of `file`: its rejected rows (external id -> line,
    reason) replace older entries for those ids; the ids it `imported` are dropped."""
    kept = load(conn)
    for external in imported:
        kept.pop(external, None)
    for external, (line, reason) in rejected.items():
        kept.pop(external, None)  # re-inserted last: the newest survive the limit
        kept[external] = (line, file, reason)
    newest = dict(list(kept.items())[-LIMIT:])
    if not newest:
        conn.execute("DELETE FROM meta WHERE key = ?", (KEY,))
        return
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (KEY, json.dumps(newest, ensure_ascii=False, separators=(",", ":"))),
    )
