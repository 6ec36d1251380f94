"""An address import logs one event per batch of rows, not one per row, and keeps what
the log promises: every row replayable from it, history per customer, erasure, verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.book import import_rows, service
from app.book.importer import default_mapping, run_import
from app.book.reads import customer_history
from app.book.service import IMPORTED_ADDRESSES, CustomerBook
from tests.app.book.conftest import write
from vault.events import verify_chain
from vault.pii import ERASED, CustomerKeys

CUSTOMERS = "external_id,name,country\nC1,Jane Doe,DE\nC2,Acme Ltd,GB\nC3,Wei Zhang,CN\n"


def _address(n: int) -> str:
    return f"0x{n:040x}"  # all lowercase: valid, no checksum given


def _import(book: CustomerBook, tmp_path: Path, owners: list[str]) -> None:
    run_import(book, write(tmp_path / "c.csv", CUSTOMERS), default_mapping("customers"))
    lines = "".join(
        f"{owner},ethereum,{_address(n + 1)},{owner} wallet {n}\n" for n, owner in enumerate(owners)
    )
    text = "customer_external_id,chain,address,label\n" + lines
    report = run_import(book, write(tmp_path / "a.csv", text), default_mapping("addresses"))
    assert report.counts()["added"] == len(owners) and not report.rejects


def _batch_events(book: CustomerBook) -> list[tuple[int, dict[str, Any]]]:
    return [
        (int(seq), json.loads(payload))
        for seq, payload in book.vault.conn.execute(
            "SELECT seq, payload FROM events WHERE type = ? ORDER BY seq", (IMPORTED_ADDRESSES,)
        )
    ]


def _id(book: CustomerBook, external: str) -> int:
    row = book.vault.conn.execute("SELECT id FROM customers WHERE external_id = ?", (external,))
    return int(row.fetchone()[0])


def test_one_event_per_batch_carries_every_row_sealed(
    book: CustomerBook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "EVENT_ROWS", 4)
    owners = ["C1", "C2", "C1", "C3", "C2", "C1", "C1"]
    _import(book, tmp_path, owners)
    conn = book.vault.conn
    assert conn.execute("SELECT count(*) FROM events WHERE type = 'address.added'").fetchone() == (
        0,
    )
    batches = _batch_events(book)
    assert [len(p["rows"]) for _, p in batches] == [4, 3]
    uids = dict(conn.execute("SELECT external_id, uid FROM customers").fetchall())
    rows = [dict(zip(p["columns"], row, strict=True)) for _, p in batches for row in p["rows"]]
    # Everything needed to replay the rows, in file order; labels only sealed.
    assert [(r["customer"], r["address"]) for r in rows] == [
        (uids[o], _address(n + 1)) for n, o in enumerate(owners)
    ]
    assert all(r["chain"] == "ethereum" and r["evidence"] is None for r in rows)
    assert all(r["label"].startswith("enc:v1:") for r in rows)
    payloads = b"".join(bytes(r[0]) for r in conn.execute("SELECT payload FROM events"))
    assert b"wallet" not in payloads
    keys = CustomerKeys(conn)
    first = rows[0]
    assert keys.open(_id(book, "C1"), first["label"]) == "C1 wallet 0"
    # Each batch event is indexed under exactly the customers it holds rows of.
    indexed = conn.execute(
        "SELECT e.seq, x.customer_id FROM event_customers x JOIN events e ON e.rowid_ = x.event "
        "ORDER BY e.seq, x.customer_id"
    ).fetchall()
    c1, c2, c3 = (_id(book, c) for c in ("C1", "C2", "C3"))
    (s1, _), (s2, _) = batches
    assert indexed == [(s1, c1), (s1, c2), (s1, c3), (s2, c1), (s2, c2)]
    assert verify_chain(conn).ok


def test_history_shows_a_customers_imported_rows_only(
    book: CustomerBook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "EVENT_ROWS", 3)
    _import(book, tmp_path, ["C1", "C2", "C1", "C2", "C1"])
    conn = book.vault.conn
    history = customer_history(conn, book.keys, _id(book, "C1"))
    imported = [h for h in history if h.type == IMPORTED_ADDRESSES]
    # Newest first: the second batch event, then the first one's rows in reverse.
    assert [h.details["label"] for h in imported] == ["C1 wallet 4", "C1 wallet 2", "C1 wallet 0"]
    assert [h.details["address"] for h in imported] == [_address(5), _address(3), _address(1)]
    assert history[-1].type == "customer.created"
    # Paged one row at a time, the pages (which split a batch event) add up to the whole.
    pages, before = [], None
    while page := customer_history(conn, book.keys, _id(book, "C2"), limit=1, before=before):
        pages.append(page)
        before = page[-1].position
    whole = customer_history(conn, book.keys, _id(book, "C2"))
    assert [h.position for p in pages for h in p] == [h.position for h in whole]
    assert [h.details.get("label") for h in whole][:2] == ["C2 wallet 3", "C2 wallet 1"]


def test_erasure_makes_the_customers_rows_unreadable_in_batch_events(
    book: CustomerBook, tmp_path: Path
) -> None:
    _import(book, tmp_path, ["C1", "C2", "C1"])
    conn = book.vault.conn
    c1, c2 = _id(book, "C1"), _id(book, "C2")
    book.erase_customer(c1, reason="data-subject request #7")
    # A new session's keys, as after a restart: nothing cached.
    keys = CustomerKeys(conn)
    ((_, payload),) = _batch_events(book)
    labels = {row[2]: row[3] for row in payload["rows"]}
    assert keys.open(c1, labels[_address(1)]) == ERASED
    assert keys.open(c1, labels[_address(3)]) == ERASED
    assert keys.open(c2, labels[_address(2)]) == "C2 wallet 1"
    erased = [h for h in customer_history(conn, keys, c1) if h.type == IMPORTED_ADDRESSES]
    assert [h.details["label"] for h in erased] == [ERASED, ERASED]
    # Wallet addresses stay for AML record-keeping, as in the tombstone.
    assert {h.details["address"] for h in erased} == {_address(1), _address(3)}
    kept = [h for h in customer_history(conn, keys, c2) if h.type == IMPORTED_ADDRESSES]
    assert [h.details["label"] for h in kept] == ["C2 wallet 1"]
    assert verify_chain(conn).ok


def test_verify_names_an_edited_batch_event(book: CustomerBook, tmp_path: Path) -> None:
    _import(book, tmp_path, ["C1", "C2"])
    conn = book.vault.conn
    ((seq, payload),) = _batch_events(book)
    payload["rows"][1][2] = _address(99)  # someone swaps a wallet address
    conn.execute(
        "UPDATE events SET payload = ? WHERE seq = ?",
        (json.dumps(payload, sort_keys=True, separators=(",", ":")).encode(), seq),
    )
    report = verify_chain(conn)
    assert report.first_break is not None
    assert report.first_break.seq == seq
    assert "edited" in report.first_break.reason


def test_cancel_keeps_only_whole_batches_with_their_events(
    book: CustomerBook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(import_rows.BATCH, "addresses", 6)
    monkeypatch.setattr(service, "EVENT_ROWS", 4)

    class Stop(Exception):
        pass

    def progress(phase: str, done: int, total: int) -> None:
        if done >= 12:
            raise Stop

    run_import(book, write(tmp_path / "c.csv", CUSTOMERS), default_mapping("customers"))
    lines = "".join(f"C{1 + n % 3},ethereum,{_address(n + 1)},w{n}\n" for n in range(15))
    path = write(tmp_path / "a.csv", "customer_external_id,chain,address,label\n" + lines)
    with pytest.raises(Stop):
        run_import(book, path, default_mapping("addresses"), progress=progress)
    conn = book.vault.conn
    assert conn.execute("SELECT count(*) FROM addresses").fetchone() == (12,)
    batches = _batch_events(book)
    assert [len(p["rows"]) for _, p in batches] == [4, 2, 4, 2]
    assert verify_chain(conn).ok
