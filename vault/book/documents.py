"""KYC documents: their rows and their chunks, each chunk sealed under the customer's key.

The bytes never sit in the database in clear, nor in any file of ours: a
chunk is sealed as it is read and opened as it is written out. Associated
data binds each chunk to its document, its place and whether it is the
last, so a swapped, reordered or cut-off chunk fails to open.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.connection import Connection
from vault.errors import VaultError

_COLUMNS = (
    "d.uid, c.uid, d.customer_id, d.type, d.file_name, d.media_type, d.size, d.chunks, "
    "d.issued_on, d.expires_on, d.added_by, d.added_at"
)


@dataclass(frozen=True)
class DocumentRow:
    """A stored document as its row holds it (`file_name` still sealed)."""

    id: int
    uid: str
    customer_uid: str
    customer_id: int
    type: str
    file_name: str
    media_type: str
    size: int
    chunks: int
    issued_on: str | None
    expires_on: str | None
    added_by: str
    added_at: str


def _aad(document_uid: str, n: int, *, last: bool) -> bytes:
    return b"strongroom-document-v1:%s:%d:%d" % (document_uid.encode(), n, int(last))


def seal_chunk(cipher: AESGCM, document_uid: str, n: int, data: bytes, *, last: bool) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + cipher.encrypt(nonce, data, _aad(document_uid, n, last=last))


def insert(conn: Connection, row: DocumentRow, *, digest: str) -> int:
    cur = conn.execute(
        "INSERT INTO documents (uid, customer_id, type, file_name, media_type, size, chunks, "
        "digest, issued_on, expires_on, added_by, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            row.uid,
            row.customer_id,
            row.type,
            row.file_name,
            row.media_type,
            row.size,
            row.chunks,
            digest,
            row.issued_on,
            row.expires_on,
            row.added_by,
            row.added_at,
        ),
    )
    return int(cur.lastrowid or 0)


def insert_chunk(conn: Connection, document_id: int, n: int, body: bytes) -> None:
    conn.execute(
        "INSERT INTO document_chunks (document_id, n, body) VALUES (?, ?, ?)",
        (document_id, n, body),
    )


def _row(found: Any) -> DocumentRow:
    return DocumentRow(*found)


def of_customer(conn: Connection, customer_id: int) -> list[DocumentRow]:
    """The customer's documents, newest first."""
    return [
        _row(r)
        for r in conn.execute(
            # constant column names; values are ? params
            f"SELECT d.id, {_COLUMNS} FROM documents d JOIN customers c ON c.id = d.customer_id "
            "WHERE d.customer_id = ? ORDER BY d.id DESC",  # nosec B608
            (customer_id,),
        )
    ]


def expiring(conn: Connection, *, until: str) -> list[DocumentRow]:
    """Documents of active customers (not erased or merged) that expire on or before
    `until` (an ISO date), those expired longest first: the review list's feed."""
    return [
        _row(r)
        for r in conn.execute(
            # constant column names; values are ? params
            f"SELECT d.id, {_COLUMNS} FROM documents d JOIN customers c ON c.id = d.customer_id "
            "WHERE d.expires_on IS NOT NULL AND d.expires_on <= ? "  # nosec B608
            "AND c.erased_at IS NULL AND c.merged_into IS NULL ORDER BY d.expires_on, d.id",
            (until,),
        )
    ]


def by_uid(conn: Connection, uid: str) -> DocumentRow | None:
    found = conn.execute(
        # constant column names; values are ? params
        f"SELECT d.id, {_COLUMNS} FROM documents d JOIN customers c ON c.id = d.customer_id "
        "WHERE d.uid = ?",  # nosec B608
        (uid,),
    ).fetchone()
    return None if found is None else _row(found)


def reseal(conn: Connection, row: DocumentRow, old: AESGCM, new: AESGCM) -> str:
    """Seal the document's chunks under another key (a merge moves it to another
    customer), one chunk at a time; returns the digest of the new sealed chunks."""
    digest = hashlib.sha256()
    for n in range(row.chunks):
        found = conn.execute(
            "SELECT body FROM document_chunks WHERE document_id = ? AND n = ?", (row.id, n)
        ).fetchone()
        last = n == row.chunks - 1
        try:
            raw = bytes(found[0])
            data = old.decrypt(raw[:12], raw[12:], _aad(row.uid, n, last=last))
        except (InvalidTag, TypeError):
            raise _damaged() from None
        body = seal_chunk(new, row.uid, n, data, last=last)
        digest.update(body)
        conn.execute(
            "UPDATE document_chunks SET body = ? WHERE document_id = ? AND n = ?", (body, row.id, n)
        )
    return digest.hexdigest()


def _damaged() -> VaultError:
    return VaultError(
        "A stored document is damaged (a part of it does not open). Restore the vault "
        "from a backup, or add the document again."
    )


def open_chunks(conn: Connection, cipher: AESGCM, row: DocumentRow) -> Iterator[bytes]:
    """The document's bytes, one chunk at a time (memory stays at about one chunk)."""
    cursor = conn.execute(
        "SELECT n, body FROM document_chunks WHERE document_id = ? ORDER BY n", (row.id,)
    )
    expected = 0
    for n, body in cursor:
        if n != expected or n >= row.chunks:
            break
        raw = bytes(body)
        try:
            yield cipher.decrypt(raw[:12], raw[12:], _aad(row.uid, n, last=n == row.chunks - 1))
        except InvalidTag:
            break
        expected += 1
    if expected != row.chunks:
        raise _damaged()
