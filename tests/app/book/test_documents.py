"""KYC documents in a real vault: bytes back identical, nothing in clear anywhere, gone
after erasure, huge files refused from their size alone, expiry flags."""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from app.book import validate
from app.book.documents import (
    CHUNK_BYTES,
    MAX_BYTES,
    DocumentDraft,
    FileProblem,
    add_document,
    document_bytes,
    documents_due,
    documents_of,
    expiry_flags,
    find,
    save_copy,
)
from app.book.duplicates import merge
from app.book.models import ValidationError
from app.book.reads import customer_history
from app.book.service import CustomerBook
from app.book.subject_export import export_subject
from vault.errors import VaultError
from vault.events import verify_chain

#: a string that must never be found outside the document itself
MARKER = b"MARKER-passport-of-Jane-Quixotic-7f3a9c"
PDF = b"%PDF-1.7\n"
PNG = b"\x89PNG\r\n\x1a\n"


def _customer(book: CustomerBook, external_id: str = "J1") -> int:
    with book.vault.transaction() as tx:
        cid, _ = book.save_customer(
            tx, validate.customer({"external_id": external_id, "name": "Jane Quixotic"})
        )
    return cid


def _file(path: Path, size: int, head: bytes = PDF) -> Path:
    """A document of `size` bytes: the format's magic, then the marker over and over
    (so any clear copy of any part of it would be found)."""
    body = (MARKER + os.urandom(24)) * (size // (len(MARKER) + 24) + 1)
    path.write_bytes((head + body)[:size])
    return path


def _add(book: CustomerBook, cid: int, path: Path, **dates: date) -> str:
    return add_document(book, DocumentDraft(cid, path, "passport", **dates)).id


def _clear_bytes(book: CustomerBook, uid: str) -> bytes:
    return b"".join(document_bytes(book, find(book, uid)))


@pytest.mark.parametrize("size", [10, CHUNK_BYTES, 2 * CHUNK_BYTES + 12_345])
def test_bytes_come_back_identical(book: CustomerBook, tmp_path: Path, size: int) -> None:
    cid = _customer(book)
    source = _file(tmp_path / "scan.pdf", size)
    uid = _add(book, cid, source)
    assert _clear_bytes(book, uid) == source.read_bytes()
    copy = save_copy(book, uid, tmp_path / "copy.pdf")
    assert (tmp_path / "copy.pdf").read_bytes() == source.read_bytes()
    assert copy.size == size and copy.file_name == "scan.pdf"
    assert copy.media_type == "application/pdf"
    chunks = book.vault.conn.execute("SELECT count(*) FROM document_chunks").fetchone()[0]
    assert chunks == -(-size // CHUNK_BYTES)
    # A copy is a read of personal data: audited.
    types = [r[0] for r in book.vault.conn.execute("SELECT type FROM events")]
    assert "document.added" in types and "document.copied" in types
    assert verify_chain(book.vault.conn).ok


def test_the_type_comes_from_the_first_bytes_not_the_name(
    book: CustomerBook, tmp_path: Path
) -> None:
    cid = _customer(book)
    uid = _add(book, cid, _file(tmp_path / "looks-like.pdf", 5_000, head=PNG))
    assert find(book, uid).media_type == "image/png"
    text = tmp_path / "notes.pdf"
    text.write_bytes(b"just some text " + MARKER)
    with pytest.raises(ValidationError) as refused:
        _add(book, cid, text)
    assert "not a PDF, PNG or JPEG" in refused.value.reason
    with pytest.raises(FileProblem):
        _add(book, cid, tmp_path / "missing.pdf")
    with pytest.raises(ValidationError):
        add_document(book, DocumentDraft(cid, text, "diary"))


def _files_below(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_no_trace_of_the_content_in_the_vault_files_or_the_database(
    book: CustomerBook, tmp_path: Path
) -> None:
    cid = _customer(book)
    (tmp_path / "in").mkdir()
    source = _file(tmp_path / "in" / "scan.pdf", 3 * CHUNK_BYTES)
    _add(book, cid, source)
    vault_dir = book.vault.paths.db.parent
    files = [p for p in _files_below(vault_dir) if p.parent != source.parent]
    assert any(p.name.endswith("-wal") for p in files), "the WAL should hold the write"
    for path in files:
        assert MARKER not in path.read_bytes(), path
    # Not even in the decrypted database: the chunks are sealed under the customer's key.
    conn = book.vault.conn
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                raw = value if isinstance(value, bytes) else str(value).encode()
                assert MARKER not in raw and b"scan.pdf" not in raw, table


def test_erasing_the_customer_erases_the_documents(book: CustomerBook, tmp_path: Path) -> None:
    cid = _customer(book)
    other = _customer(book, "K2")
    uid = _add(book, cid, _file(tmp_path / "jane.pdf", 2 * CHUNK_BYTES))
    kept = _add(book, other, _file(tmp_path / "kim.pdf", 1_000))
    row = find(book, uid)
    book.erase_customer(cid, reason="data-subject request #7")
    conn = book.vault.conn
    assert (
        conn.execute("SELECT count(*) FROM documents WHERE customer_id = ?", (cid,)).fetchone()[0]
        == 0
    )
    assert (
        conn.execute(
            "SELECT count(*) FROM document_chunks WHERE document_id = ?", (row.id,)
        ).fetchone()[0]
        == 0
    )
    assert documents_of(conn, book.keys, cid) == []
    with pytest.raises(ValidationError):
        find(book, uid)
    # Even a copy of the old rows (a backup, say) no longer opens: the key is gone.
    with pytest.raises(ValidationError):
        list(document_bytes(book, row))
    # The event stays, its file name unreadable; the chain verifies.
    history = customer_history(conn, book.keys, cid)
    added = [h for h in history if h.type == "document.added"]
    assert added and added[0].details["file_name"] == "[erased]"
    assert verify_chain(conn).ok
    # The other customer's document is untouched.
    assert _clear_bytes(book, kept) == (tmp_path / "kim.pdf").read_bytes()


def test_a_2_gb_file_is_refused_from_its_size_without_being_read(
    book: CustomerBook, tmp_path: Path
) -> None:
    cid = _customer(book)
    huge = tmp_path / "huge.pdf"
    huge.write_bytes(PDF)
    os.truncate(huge, 2 * 1024**3)  # sparse: no 2 GB written
    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        _add(book, cid, huge)
    took = time.perf_counter() - started
    assert "2.0 GB" in refused.value.reason and "25.0 MB" in refused.value.reason
    assert took < 0.5, took
    assert book.vault.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    just_over = _file(tmp_path / "over.pdf", MAX_BYTES + 1)
    with pytest.raises(ValidationError):
        _add(book, cid, just_over)
    assert book.vault.conn.execute("SELECT count(*) FROM document_chunks").fetchone()[0] == 0


def test_memory_stays_bounded_while_adding_and_copying(book: CustomerBook, tmp_path: Path) -> None:
    cid = _customer(book)
    source = _file(tmp_path / "big.pdf", 20 * CHUNK_BYTES)
    tracemalloc.start()
    try:
        uid = _add(book, cid, source)
        save_copy(book, uid, tmp_path / "copy.pdf")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * CHUNK_BYTES, peak  # a 20 MB document, a few chunks in memory
    assert (tmp_path / "copy.pdf").read_bytes() == source.read_bytes()


def test_a_missing_or_moved_chunk_is_reported_as_damage(book: CustomerBook, tmp_path: Path) -> None:
    cid = _customer(book)
    uid = _add(book, cid, _file(tmp_path / "scan.pdf", 3 * CHUNK_BYTES))
    row = find(book, uid)
    with book.vault.transaction() as tx:  # cut off the last chunk
        tx.execute("DELETE FROM document_chunks WHERE document_id = ? AND n = 2", (row.id,))
    with pytest.raises(VaultError, match="damaged"):
        list(document_bytes(book, row))
    target = tmp_path / "partial.pdf"
    with pytest.raises(VaultError):
        save_copy(book, uid, target)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_expiry_flags(book: CustomerBook, tmp_path: Path) -> None:
    day = date(2025, 6, 1)
    assert expiry_flags(None, day) == (False, False)
    assert expiry_flags("2025-05-31", day) == (True, False)
    assert expiry_flags("2025-06-01", day) == (False, True)
    assert expiry_flags("2025-07-01", day) == (False, True)
    assert expiry_flags("2025-07-02", day) == (False, False)
    cid = _customer(book)
    old = _add(book, cid, _file(tmp_path / "a.pdf", 100), expires_on=date(2025, 5, 1))
    soon = _add(book, cid, _file(tmp_path / "b.pdf", 100), expires_on=date(2025, 6, 20))
    fine = _add(
        book,
        cid,
        _file(tmp_path / "c.pdf", 100),
        issued_on=date(2024, 1, 2),
        expires_on=date(2034, 1, 1),
    )
    listed = {d.id: d for d in documents_of(book.vault.conn, book.keys, cid, on=day)}
    assert (listed[old].expired, listed[old].expiring) == (True, False)
    assert (listed[soon].expired, listed[soon].expiring) == (False, True)
    assert (listed[fine].expired, listed[fine].expiring) == (False, False)
    assert listed[fine].issued_on == "2024-01-02" and listed[fine].added_by
    with pytest.raises(ValidationError, match="expires before"):
        _add(
            book,
            cid,
            _file(tmp_path / "d.pdf", 100),
            issued_on=date(2024, 1, 2),
            expires_on=date(2023, 1, 1),
        )


def test_the_book_lists_expired_and_expiring_documents_for_review(
    book: CustomerBook, tmp_path: Path
) -> None:
    day = date(2025, 6, 1)
    jane, kim, gone = _customer(book), _customer(book, "K2"), _customer(book, "G3")
    pdf = _file(tmp_path / "a.pdf", 100)
    late = _add(book, kim, pdf, expires_on=date(2025, 1, 1))
    soon = _add(book, jane, pdf, expires_on=date(2025, 6, 30))
    _add(book, jane, pdf, expires_on=date(2025, 7, 2))  # beyond 30 days
    _add(book, jane, pdf)  # no expiry
    _add(book, gone, pdf, expires_on=date(2024, 1, 1))
    book.erase_customer(gone, reason="request #9")
    due = documents_due(book.vault.conn, book.keys, on=day)
    assert [(d.id, d.expired, d.expiring) for d in due] == [
        (late, True, False),
        (soon, False, True),
    ]


def test_a_merge_moves_the_documents_sealed_under_the_kept_customers_key(
    book: CustomerBook, tmp_path: Path
) -> None:
    keep, other = _customer(book), _customer(book, "J2")
    source = _file(tmp_path / "dup.pdf", CHUNK_BYTES + 10)
    uid = _add(book, other, source)
    merge(book, keep, other, reason="same person")
    [moved] = documents_of(book.vault.conn, book.keys, keep)
    assert moved.id == uid and moved.file_name == "dup.pdf"
    assert documents_of(book.vault.conn, book.keys, other) == []
    # It opens with the kept customer's key alone: the other key is destroyed here.
    book.keys.destroy(other)
    assert _clear_bytes(book, uid) == source.read_bytes()
    types = [r[0] for r in book.vault.conn.execute("SELECT type FROM events")]
    assert "document.moved" in types and verify_chain(book.vault.conn).ok


def test_documents_are_part_of_the_data_subject_export(book: CustomerBook, tmp_path: Path) -> None:
    cid = _customer(book)
    source = _file(tmp_path / "scan.png", 5_000, head=PNG)
    uid = _add(book, cid, source, expires_on=date(2030, 1, 1))
    out = tmp_path / "export"
    out.mkdir()
    written = export_subject(book, cid, out, reason="access request #3")
    record = json.loads(next(p for p in written if p.suffix == ".json").read_text())
    [document] = record["documents"]
    assert document["id"] == uid and document["file_name"] == "scan.png"
    assert (out / document["copy"]).read_bytes() == source.read_bytes()
    text = next(p for p in written if p.suffix == ".txt").read_text()
    assert "passport" in text and "2030-01-01" in text
