"""KYC documents across a desk (real vaults, a folder target): a document added on one
device opens byte for byte on the other, sealed there under that device's own key of
the customer; a merge moves it on both; the segment carries it sealed, never in clear
and never inside an event; erasing the customer removes it on both."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.book.documents import (
    CHUNK_BYTES,
    DocumentDraft,
    add_document,
    document_bytes,
    find,
)
from app.book.duplicates import merge
from app.book.models import ValidationError
from app.book.service import CustomerBook
from app.sync.state import state_digest
from app.sync.status import sync_status
from tests.app.book.test_documents import MARKER, _customer, _file
from tests.app.sync.conftest import Pair, run
from vault.events import verify_chain
from vault.store import Vault


def _id(vault: Vault, external_id: str) -> int:
    return int(
        vault.conn.execute(
            "SELECT id FROM customers WHERE external_id = ?", (external_id,)
        ).fetchone()[0]
    )


def _clear(book: CustomerBook, uid: str) -> bytes:
    return b"".join(document_bytes(book, find(book, uid)))


def test_a_document_added_on_one_device_opens_on_the_other(pair: Pair, tmp_path: Path) -> None:
    a, b, folder = pair
    on_a = CustomerBook(a)
    jane = _customer(on_a, "J1")
    scan = _file(tmp_path / "passport.pdf", 2 * CHUNK_BYTES + 12_345)
    uid = add_document(on_a, DocumentDraft(jane, scan, "passport")).id
    run(a)
    # On the target: the scan is carried, but nothing of it in clear.
    for segment in folder.rglob("*.seg"):
        assert MARKER not in segment.read_bytes()
    # Nor inside any event (the event log would keep every scan twice).
    largest = a.conn.execute("SELECT max(length(payload)) FROM events").fetchone()[0]
    assert largest < 10_000
    run(b)
    assert sync_status(b)["awaiting_projection"] == 0
    on_b = CustomerBook(b)
    assert _clear(on_b, uid) == scan.read_bytes()
    held = find(on_b, uid)
    assert held.customer_id == _id(b, "J1") and held.type == "passport"
    assert on_b.keys.open(held.customer_id, held.file_name) == "passport.pdf"
    # Sealed under B's own key of Jane: the stored chunks differ from A's.
    chunk = "SELECT body FROM document_chunks ORDER BY n LIMIT 1"
    assert a.conn.execute(chunk).fetchone() != b.conn.execute(chunk).fetchone()
    assert state_digest(a.conn) == state_digest(b.conn)

    # A merge on A moves the document to the kept customer on B too.
    kim = _customer(on_a, "K2")
    merge(on_a, kim, jane, reason="same person")
    run(a)
    run(b)
    moved = find(on_b, uid)
    assert moved.customer_id == _id(b, "K2")
    assert _clear(on_b, uid) == scan.read_bytes()
    assert state_digest(a.conn) == state_digest(b.conn)

    # Erasing the customer on B removes the document on both devices.
    on_b.erase_customer(_id(b, "K2"), reason="data-subject request #7")
    run(b)
    run(a)
    for vault, book in ((a, on_a), (b, on_b)):
        assert vault.conn.execute("SELECT count(*) FROM documents").fetchone() == (0,)
        assert vault.conn.execute("SELECT count(*) FROM document_chunks").fetchone() == (0,)
        with pytest.raises(ValidationError):
            find(book, uid)
        assert verify_chain(vault.conn).ok
    assert state_digest(a.conn) == state_digest(b.conn)


def test_a_document_erased_before_its_segment_was_sealed_travels_nowhere(
    pair: Pair, tmp_path: Path
) -> None:
    a, b, folder = pair
    on_a = CustomerBook(a)
    jane = _customer(on_a, "J1")
    add_document(on_a, DocumentDraft(jane, _file(tmp_path / "id.pdf", 5_000), "id_card"))
    on_a.erase_customer(jane, reason="asked at once")
    run(a)
    run(b)
    assert b.conn.execute("SELECT count(*) FROM documents").fetchone() == (0,)
    assert sum(f.stat().st_size for f in folder.rglob("*.seg")) < 5_000 + 64_000
    assert state_digest(a.conn) == state_digest(b.conn)


def test_a_document_moved_before_its_segment_was_sealed_arrives_with_its_move(
    pair: Pair, tmp_path: Path
) -> None:
    a, b, _ = pair
    on_a = CustomerBook(a)
    jane, kim = _customer(on_a, "J1"), _customer(on_a, "K2")
    scan = _file(tmp_path / "proof.pdf", CHUNK_BYTES + 99)
    uid = add_document(on_a, DocumentDraft(jane, scan, "proof_of_address")).id
    merge(on_a, kim, jane, reason="same person")
    run(a)  # one segment: the addition (whose chunks are sealed differently now), the move
    run(b)
    on_b = CustomerBook(b)
    assert find(on_b, uid).customer_id == _id(b, "K2")
    assert _clear(on_b, uid) == scan.read_bytes()
    assert state_digest(a.conn) == state_digest(b.conn)
