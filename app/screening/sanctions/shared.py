"""The event that lets the desk's other devices hold the same sanctions list: every
row of the list as imported here, with its provenance (file, digest, publication
date and where that date comes from, the files imported with it).

A list is large (the SDN list's addresses and parties are megabytes of JSON) and
repeats itself: the rows travel compressed (zlib, then base64 as an event is JSON),
a tenth of their size or less. Imported again unchanged (same digest of every
file), a list is not shared again.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from vault.screening import list_rows
from vault.store import Transaction

SHARED = "sanctions.list"


def share(tx: Transaction, source: str) -> None:
    """After `source` was written in `tx`: its rows, for the other devices."""
    rows = list_rows.dump(tx.conn, source)
    if rows is None:
        return
    files = sorted([rows["list"]["sha256"], *(f[2] for f in rows["files"])])
    if _last_shared(tx, source) == files:
        return
    packed = zlib.compress(json.dumps(rows, separators=(",", ":")).encode(), 6)
    tx.event(
        SHARED,
        {"source": source, "files": files, "rows": base64.b64encode(packed).decode("ascii")},
    )


def unpack(payload: dict[str, Any]) -> dict[str, Any]:
    """The rows an event of `share` carries."""
    found = json.loads(zlib.decompress(base64.b64decode(payload["rows"])))
    if not isinstance(found, dict):
        raise ValueError("a shared sanctions list is an object")
    return found


def _last_shared(tx: Transaction, source: str) -> Any:
    row = tx.conn.execute(
        "SELECT type, json_extract(CAST(payload AS TEXT), '$.files') FROM events "
        "WHERE type IN (?, 'sanctions.removed') "
        "AND json_extract(CAST(payload AS TEXT), '$.source') = ? "
        "ORDER BY lamport DESC, device DESC, seq DESC LIMIT 1",
        (SHARED, source),
    ).fetchone()
    return None if row is None or row[0] != SHARED else json.loads(row[1])
