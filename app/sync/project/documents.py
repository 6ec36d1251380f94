"""Projections of KYC documents: a document added on one device is held on every
device, sealed under that device's own key of the customer.

- `document.added` writes the document from the chunks its segment carried
  (`app.sync.documents`): opened with the key the adding device sealed them
  under (carried beside them), sealed again under this device's key. Without
  them (the document was moved or its customer erased before the segment was
  sealed) the newer event brings it, or it stays on the device that holds it.
- `document.moved` follows a merge: the document goes to the customer it was
  merged into and is sealed again under that customer's key here; one this
  device does not hold yet is made from the chunks the move carried.
- Erasure is the book's: erasing the customer deletes its documents here too,
  and with its keys every sealed copy (the carried chunks included) is unreadable.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.sync.project import common
from app.sync.projection import Projection
from vault.book import documents as rows
from vault.book.documents import DocumentRow
from vault.errors import VaultError
from vault.events import Event
from vault.pii import ERASED, CustomerKeys
from vault.sync import customer_keys


def _theirs(p: Projection, event: Event, uid: str) -> AESGCM | None:
    """The key the event's device sealed customer `uid`'s documents with."""
    raw = p.carried.get((event.device, uid))
    if raw is not None:
        return AESGCM(raw[1])
    found = customer_keys.cipher(p.conn, log_device=event.device, uid=uid)
    return None if found is None else found[1]


def _name(p: Projection, event: Event, uid: str, token: Any) -> str | None:
    name = p.opener(event, uid).open(token)
    return name if isinstance(name, str) and name and name != ERASED else None


def document_added(p: Projection, event: Event) -> None:
    body = common.body(event)
    uid = body.get("customer")
    customer_id = common.live(p, uid)
    if customer_id is not None and isinstance(uid, str):
        _create(p, event, uid=uid, customer_id=customer_id, about=body)


def document_moved(p: Projection, event: Event) -> None:
    body = common.body(event)
    uid = body.get("customer")
    target = common.live(p, uid)
    if target is None or not isinstance(uid, str):
        return
    held = rows.by_uid(p.conn, str(body.get("document")))
    if held is None:  # moved before the segment of its addition was sealed: it comes now
        added = p.conn.execute(
            "SELECT payload FROM events WHERE type = 'document.added' "
            "AND json_extract(CAST(payload AS TEXT), '$.document') = ?",
            (body.get("document"),),
        ).fetchone()
        if added is not None:
            about = {**json.loads(added[0]), **body}
            _create(p, event, uid=uid, customer_id=target, about=about)
        return
    if held.customer_id == target:
        return
    keys = CustomerKeys(p.conn)
    old, new = keys.cipher(held.customer_id), keys.cipher(target, create=True)
    name = _name(p, event, uid, body.get("file_name"))
    if old is None or new is None or name is None:
        return
    digest = rows.reseal(p.conn, held, old, new)
    p.conn.execute(
        "UPDATE documents SET customer_id = ?, file_name = ?, digest = ? WHERE id = ?",
        (target, keys.seal(target, name), digest, held.id),
    )


def _create(
    p: Projection, event: Event, *, uid: str, customer_id: int, about: dict[str, Any]
) -> None:
    """The document `about` describes, from the chunks `event`'s segment carried
    (sealed under its device's key of customer `uid`), sealed again under this
    device's key; nothing when they were not carried or do not open."""
    document = str(about.get("document"))
    carried = p.documents.get(document)
    if carried is None or carried[0] != about.get("digest"):
        return
    if rows.by_uid(p.conn, document) is not None:
        return
    chunks = carried[1]
    theirs = _theirs(p, event, uid)
    name = _name(p, event, uid, about.get("file_name"))
    if theirs is None or name is None:
        return
    keys = CustomerKeys(p.conn)
    mine = keys.cipher(customer_id, create=True)
    assert mine is not None
    row = DocumentRow(
        id=0,
        uid=document,
        customer_uid=uid,
        customer_id=customer_id,
        type=str(about["type"]),
        file_name=str(keys.seal(customer_id, name)),
        media_type=str(about["media_type"]),
        size=int(about["size"]),
        chunks=len(chunks),
        issued_on=about.get("issued_on"),
        expires_on=about.get("expires_on"),
        added_by=event.author,
        added_at=event.created_at,
    )
    document_id = rows.insert(p.conn, row, digest="")
    for n, chunk in enumerate(chunks):
        rows.insert_chunk(p.conn, document_id, n, chunk)
    try:
        mine_digest = rows.reseal(p.conn, replace(row, id=document_id), theirs, mine)
    except VaultError:  # a chunk the sender's key does not open: keep nothing of it
        p.conn.execute("DELETE FROM document_chunks WHERE document_id = ?", (document_id,))
        p.conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        return
    p.conn.execute("UPDATE documents SET digest = ? WHERE id = ?", (mine_digest, document_id))


APPLIERS = {"document.added": document_added, "document.moved": document_moved}
