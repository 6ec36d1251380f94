"""KYC documents attached to a customer: add, list (with expiry flags), save a copy.

Runs on the database worker (it uses the vault's writing connection and the
book's customer keys). The bytes are sealed under the customer's own key as
they are read, one chunk at a time (`vault.book.documents`), so memory stays
bounded, no clear copy is written anywhere of ours, and erasing the customer
destroys them with the key. A file is checked before a byte of it is read:
its size from the file system, then its first bytes for PDF, PNG or JPEG.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.book.models import DOCUMENT_TYPES, ValidationError
from app.book.service import CustomerBook, now
from vault.atomic import write_atomic_chunks
from vault.book import documents as rows
from vault.book.documents import DocumentRow
from vault.connection import Connection
from vault.pii import ERASED, CustomerKeys
from vault.store import Transaction

#: the largest document taken (a scanned passport is a few MB; a 100-page PDF ~20 MB)
MAX_BYTES = 25 * 1024 * 1024
#: bytes sealed per chunk: memory while adding or saving stays around two chunks
CHUNK_BYTES = 1024 * 1024
#: a document expiring within this many days is flagged "expiring"
EXPIRING_DAYS = 30

#: the formats taken, by their first bytes (never by the file's extension)
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


class FileProblem(ValidationError):
    """A file that cannot be read, or a copy's target that exists: a path to fix."""

    def __init__(self, reason: str) -> None:
        super().__init__("file", reason)


@dataclass(frozen=True)
class DocumentDraft:
    """A document to add: which customer, which file, and what it is."""

    customer_id: int
    path: Path
    type: str
    issued_on: date | None = None
    expires_on: date | None = None


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document as a person or a script sees it (file name opened)."""

    id: str
    customer: str
    type: str
    file_name: str
    media_type: str
    size: int
    issued_on: str | None
    expires_on: str | None
    added_by: str
    added_at: str
    expired: bool
    expiring: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def today() -> date:
    return datetime.now(UTC).date()


def expiry_flags(expires_on: str | None, on: date) -> tuple[bool, bool]:
    """(expired, expiring): past its date, or within EXPIRING_DAYS of it."""
    if not expires_on:
        return False, False
    end = date.fromisoformat(expires_on)
    if end < on:
        return True, False
    return False, end <= on + timedelta(days=EXPIRING_DAYS)


def readable_size(size: int) -> str:
    """A size as a person reads it: 12 KB, 3.4 MB, 2.0 GB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.1f} GB"


def check_size(size: int) -> None:
    if size == 0:
        raise ValidationError("file", "the file is empty; choose the scan or PDF itself")
    if size > MAX_BYTES:
        raise ValidationError(
            "file",
            f"the file is {readable_size(size)}; a document can be at most "
            f"{readable_size(MAX_BYTES)}. Scan it at a lower resolution or split it, then add "
            "it again",
        )


def sniff(head: bytes) -> str:
    """The media type that the file's first bytes announce, or a refusal."""
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    raise ValidationError(
        "file",
        "the file is not a PDF, PNG or JPEG (judged by its content, not its name); save or "
        "scan it as one of these and add it again",
    )


def check_file(path: Path) -> tuple[int, str]:
    """(size, media type) of a file that may be added: the size from the file system
    first, so a huge file is refused without reading it, then its first bytes."""
    try:
        info = path.stat()
    except OSError as exc:
        raise FileProblem(f"the file cannot be read: {exc.strerror or 'unknown'}") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem("it is not a regular file; choose the document itself")
    check_size(info.st_size)
    with _open(path) as handle:
        return info.st_size, sniff(handle.read(16))


def check_dates(issued_on: date | None, expires_on: date | None) -> None:
    if issued_on is not None and issued_on > today():
        raise ValidationError("issued", "the issue date is in the future; check the date")
    if issued_on is not None and expires_on is not None and expires_on < issued_on:
        raise ValidationError("expires", "the document expires before it was issued")


def _open(path: Path) -> io.FileIO:
    try:
        return path.open("rb", buffering=0)
    except OSError as exc:
        raise FileProblem(f"the file cannot be read: {exc.strerror or 'unknown'}") from None


def add_document(book: CustomerBook, draft: DocumentDraft) -> DocumentInfo:
    """Seal the file into the vault under the customer's key; returns the stored document.

    One transaction: the row, its chunks and the `document.added` event, or
    nothing. The event names the document and carries a digest of its sealed
    chunks (never of the clear bytes), so sync can later carry the chunks
    beside it and check them.
    """
    if draft.type not in DOCUMENT_TYPES:
        raise ValidationError(
            "type", f"'{draft.type[:30]}' is not one of {', '.join(DOCUMENT_TYPES)}"
        )
    check_dates(draft.issued_on, draft.expires_on)
    expected, media_type = check_file(draft.path)
    uid = str(uuid.uuid4())
    with book.vault.transaction() as tx, _open(draft.path) as handle:
        row = tx.execute(
            "SELECT uid, erased_at FROM customers WHERE id = ?", (draft.customer_id,)
        ).fetchone()
        if row is None or row[1] is not None:
            raise ValidationError("customer", "no such customer (or it was erased)")
        customer_uid = str(row[0])
        # The size is checked again on the open file: it may have changed since.
        check_size(os.fstat(handle.fileno()).st_size)
        cipher = book.keys.cipher(draft.customer_id, create=True)
        assert cipher is not None
        sealed_name = book.keys.seal(draft.customer_id, draft.path.name)
        assert sealed_name is not None
        stamp = now()
        stored = DocumentRow(
            id=0,
            uid=uid,
            customer_uid=customer_uid,
            customer_id=draft.customer_id,
            type=draft.type,
            file_name=sealed_name,
            media_type=media_type,
            size=expected,  # both set from what was read, below
            chunks=1,
            issued_on=None if draft.issued_on is None else draft.issued_on.isoformat(),
            expires_on=None if draft.expires_on is None else draft.expires_on.isoformat(),
            added_by=book.vault.log.author,
            added_at=stamp,
        )
        document_id = rows.insert(tx.conn, stored, digest="")
        size, count, digest = _store_chunks(
            tx, handle, cipher, document_uid=uid, document_id=document_id, media_type=media_type
        )
        tx.execute(
            "UPDATE documents SET size = ?, chunks = ?, digest = ? WHERE id = ?",
            (size, count, digest, document_id),
        )
        tx.event(
            "document.added",
            {
                "customer": customer_uid,
                "document": uid,
                "type": draft.type,
                "file_name": sealed_name,
                "media_type": media_type,
                "size": size,
                "chunks": count,
                "digest": digest,
                "issued_on": stored.issued_on,
                "expires_on": stored.expires_on,
            },
        )
    return _info(book.keys, find(book, uid), today())


def _store_chunks(
    tx: Transaction,
    handle: io.FileIO,
    cipher: AESGCM,
    *,
    document_uid: str,
    document_id: int,
    media_type: str,
) -> tuple[int, int, str]:
    """Read, seal and store the file one chunk at a time, looking one chunk ahead to
    know which is the last; returns (size, chunks, digest of the sealed chunks)."""
    digest = hashlib.sha256()
    size, count = 0, 0
    current = handle.read(CHUNK_BYTES)
    if sniff(current) != media_type:
        raise ValidationError("file", "the file changed while it was read; add it again")
    while True:
        following = handle.read(CHUNK_BYTES)
        size += len(current)
        check_size(size)
        body = rows.seal_chunk(cipher, document_uid, count, current, last=not following)
        digest.update(body)
        rows.insert_chunk(tx.conn, document_id, count, body)
        count += 1
        if not following:
            return size, count, digest.hexdigest()
        current = following


def move_documents(book: CustomerBook, tx: Transaction, *, source: int, target: int) -> int:
    """A merge: the documents of `source` go to `target`, sealed again under the
    target's key (a document opens only with its customer's key), each with a
    `document.moved` event naming the new digest. Returns how many moved."""
    found = rows.of_customer(tx.conn, source)
    if not found:
        return 0
    old = book.keys.cipher(source)
    new = book.keys.cipher(target, create=True)
    assert new is not None
    if old is None:  # no key, nothing readable to move
        return 0
    target_uid = book.uid_of(tx, target)
    for row in found:
        digest = rows.reseal(tx.conn, row, old, new)
        name = book.keys.open(source, row.file_name)
        sealed = book.keys.seal(target, name if isinstance(name, str) else ERASED)
        tx.execute(
            "UPDATE documents SET customer_id = ?, file_name = ?, digest = ? WHERE id = ?",
            (target, sealed, digest, row.id),
        )
        tx.event(
            "document.moved",
            {
                "customer": target_uid,
                "from": row.customer_uid,
                "document": row.uid,
                "file_name": sealed,
                "digest": digest,
            },
        )
    return len(found)


def _info(keys: CustomerKeys, row: DocumentRow, on: date) -> DocumentInfo:
    name = keys.open(row.customer_id, row.file_name)
    expired, expiring = expiry_flags(row.expires_on, on)
    return DocumentInfo(
        id=row.uid,
        customer=row.customer_uid,
        type=row.type,
        file_name=name if isinstance(name, str) else ERASED,
        media_type=row.media_type,
        size=row.size,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        added_by=row.added_by,
        added_at=row.added_at,
        expired=expired,
        expiring=expiring,
    )


def documents_of(
    conn: Connection, keys: CustomerKeys, customer_id: int, *, on: date | None = None
) -> list[DocumentInfo]:
    """The customer's documents, newest first, flagged against `on` (today)."""
    when = on or today()
    return [_info(keys, row, when) for row in rows.of_customer(conn, customer_id)]


def documents_due(
    conn: Connection,
    keys: CustomerKeys,
    *,
    on: date | None = None,
    within_days: int = EXPIRING_DAYS,
) -> list[DocumentInfo]:
    """Every expired or expiring document in the book, for the review list: expired
    longest first, then those expiring within `within_days` of `on` (today)."""
    when = on or today()
    until = (when + timedelta(days=within_days)).isoformat()
    return [_info(keys, row, when) for row in rows.expiring(conn, until=until)]


def find(book: CustomerBook, document_uid: str) -> DocumentRow:
    found = rows.by_uid(book.vault.conn, document_uid.strip())
    if found is None:
        raise ValidationError("document", f"no document with id '{document_uid[:40]}'")
    return found


def document_bytes(book: CustomerBook, row: DocumentRow) -> Iterator[bytes]:
    """The document's clear bytes, chunk by chunk (a preview, a copy)."""
    cipher = book.keys.cipher(row.customer_id)
    if cipher is None:
        raise ValidationError("document", "the customer was erased; the document is gone")
    return rows.open_chunks(book.vault.conn, cipher, row)


def write_copy(
    book: CustomerBook, row: DocumentRow, target: Path, *, replace: bool = False
) -> None:
    """Write the document to `target` atomically (a temp file beside it, removed on
    failure); an existing file only with `replace` (the user confirmed it)."""
    if target.exists() and not replace:
        raise FileProblem(f"{target} already exists; choose another name")
    write_atomic_chunks(target, document_bytes(book, row))


def save_copy(
    book: CustomerBook, document_uid: str, target: Path, *, replace: bool = False
) -> DocumentInfo:
    """Save a copy of the document to `target` (audited as a read of personal data)."""
    row = find(book, document_uid)
    write_copy(book, row, target, replace=replace)
    book.vault.audit("document.copied", {"customer": row.customer_uid, "document": row.uid})
    return _info(book.keys, row, today())


def view_document(book: CustomerBook, document_uid: str) -> tuple[DocumentInfo, bytes]:
    """The whole document in memory for a preview (at most MAX_BYTES), audited as a view."""
    row = find(book, document_uid)
    data = b"".join(document_bytes(book, row))
    book.vault.audit("document.viewed", {"customer": row.customer_uid, "document": row.uid})
    return _info(book.keys, row, today()), data
