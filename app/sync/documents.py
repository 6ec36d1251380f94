"""KYC documents carried in segments, beside the events that add or move them.

A document's bytes are not in its event (the event log would hold every scan
twice, and keep it in every segment of the chain). When a segment is sealed, each
`document.added` or `document.moved` event in it brings the document's chunks as
they are stored: sealed under the customer's key on this device (the segment
carries that key beside, as it does for every sealed value, and the segment
itself is sealed under the desk key). The receiver opens them with that key and
seals them again under its own key of the customer, so erasing the customer
destroys them there as here.

A document changed since its event (moved again, or its customer erased) is not
carried with the older event: its newer event carries it, or nothing does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from vault.connection import Connection

TYPES = frozenset({"document.added", "document.moved"})
#: a document carried is at most this many chunks (`app.book.documents.MAX_BYTES`)
MAX_CHUNKS = 64


def _payload(row: Mapping[str, Any]) -> dict[str, Any]:
    found = json.loads(base64.b64decode(row["payload"]))
    return found if isinstance(found, dict) else {}


def carried_bytes(row: Mapping[str, Any]) -> int:
    """About how many bytes a segment row's document adds to the segment (budget)."""
    if row["type"] not in TYPES:
        return 0
    size = _payload(row).get("size")
    return 4 * int(size) // 3 + 4096 if isinstance(size, int) else 32 * 1024 * 1024


def gather(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """{document uid: [digest, [sealed chunk (base64), ...]]} for the rows' documents
    still stored as their events name them."""
    found: dict[str, list[Any]] = {}
    for row in rows:
        if row["type"] not in TYPES:
            continue
        body = _payload(row)
        uid, digest = body.get("document"), body.get("digest")
        held = conn.execute("SELECT id, digest FROM documents WHERE uid = ?", (uid,)).fetchone()
        if held is None or held[1] != digest:
            continue
        chunks = [
            base64.b64encode(bytes(b)).decode("ascii")
            for (b,) in conn.execute(
                "SELECT body FROM document_chunks WHERE document_id = ? ORDER BY n", (held[0],)
            )
        ]
        found[str(uid)] = [digest, chunks]
    return found


def parse(raw: Any) -> dict[str, tuple[str, tuple[bytes, ...]]] | None:
    """The documents a segment carries, checked against the digests they name; None
    when the value is not what `gather` writes."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        return None
    documents: dict[str, tuple[str, tuple[bytes, ...]]] = {}
    try:
        for uid, (digest, chunks) in raw.items():
            if not isinstance(chunks, list) or not 0 < len(chunks) <= MAX_CHUNKS:
                return None
            bodies = tuple(base64.b64decode(c, validate=True) for c in chunks)
            h = hashlib.sha256()
            for body in bodies:
                h.update(body)
            if h.hexdigest() != digest:
                return None
            documents[str(uid)] = (str(digest), bodies)
    except (TypeError, ValueError):
        return None
    return documents
