"""The import's reader process: same rows as reading inline, errors carried over, no leftovers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.book import import_rows, tables
from app.book.importer import default_mapping, run_import
from app.book.mapping import Mapping, MappingError
from app.book.service import CustomerBook
from tests.app.book.conftest import write
from vault.events import verify_chain

GOOD = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def _addresses(rows: int) -> str:
    lines = ["customer_external_id;chain;address;label"]
    for i in range(rows):
        if i % 7 == 3:
            lines.append(f"C{i % 5};ethereum;0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD;bad {i}")
        elif i % 11 == 4:
            lines.append(f";bitcoin;bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4;no owner {i}")
        else:
            lines.append(f"C{i % 5};ethereum;0x{i:040x};wallet «{i}»")
    return "\ufeff" + "\n".join(lines) + "\n"


def _children() -> list[int]:
    """Our live children running the reader (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and stat[0] != "Z" and b"import_rows" in cmdline:
            found.append(int(entry.name))
    return found


def _read_all(path: Path, mapping: Mapping, *, parallel: bool, size: int) -> tuple[list, list]:
    rows, rejects = [], []
    with import_rows.open_rows(path, mapping, parallel=parallel, size=size) as source:
        assert source.headers == ["customer_external_id", "chain", "address", "label"]
        for batch in source.batches:
            rows.extend(batch.rows())
            rejects.extend(batch.rejects)
    return rows, rejects


def test_reader_process_sends_what_inline_reading_finds(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", _addresses(2_500))
    mapping = default_mapping("addresses")
    inline = _read_all(path, mapping, parallel=False, size=700)
    parallel = _read_all(path, mapping, parallel=True, size=700)
    assert parallel == inline
    rows, rejects = inline
    assert len(rows) + len(rejects) == 2_500
    assert rejects[0].line == 5 and rejects[0].reason.startswith("address: ")
    assert any(r.reason == "customer_external_id: is empty" for r in rejects)
    assert rows[0][2].draft.label == "wallet «0»"  # BOM stripped, text intact across the pipe
    assert _children() == []


def test_parallel_import_writes_the_same_as_inline(book: CustomerBook, tmp_path: Path) -> None:
    people = "external_id,name\n" + "".join(f"C{i},Person {i}\n" for i in range(5))
    run_import(book, write(tmp_path / "c.csv", people), default_mapping("customers"))
    path = write(tmp_path / "a.csv", _addresses(3_000))
    first = run_import(book, path, default_mapping("addresses"), parallel=True)
    assert first.added > 2_000 and first.rejected > 0
    assert [r.line for r in first.rejects] == sorted(r.line for r in first.rejects)
    again = run_import(book, path, default_mapping("addresses"), parallel=False)
    assert again.added == 0
    assert again.unchanged == first.added
    assert [(r.line, r.reason) for r in again.rejects] == [
        (r.line, r.reason) for r in first.rejects
    ]
    assert verify_chain(book.vault.conn).ok


def test_file_errors_come_back_from_the_reader_process(tmp_path: Path) -> None:
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with (
        pytest.raises(tables.TableError, match="binary data"),
        import_rows.open_rows(binary, default_mapping("addresses"), parallel=True),
    ):
        pass
    wrong = write(tmp_path / "w.csv", "foo,bar\n1,2\n")
    with (
        pytest.raises(MappingError, match="no column for"),
        import_rows.open_rows(wrong, default_mapping("addresses"), parallel=True),
    ):
        pass
    assert _children() == []


def test_a_reader_that_dies_is_an_error_not_a_short_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "a.csv", _addresses(10))
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with (
        pytest.raises(RuntimeError, match=r"stopped unexpectedly \(exit code 1\)"),
        import_rows.open_rows(path, default_mapping("addresses"), parallel=True),
    ):
        pass


def test_stopping_early_stops_the_reader(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", _addresses(60_000))

    class Stop(Exception):
        pass

    with (
        pytest.raises(Stop),
        import_rows.open_rows(path, default_mapping("addresses"), parallel=True, size=500) as src,
    ):
        next(src.batches)
        assert len(_children()) == 1
        raise Stop
    assert _children() == []


def test_big_files_go_to_the_reader_process(tmp_path: Path) -> None:
    small = write(tmp_path / "s.csv", _addresses(10))
    big = write(tmp_path / "b.csv", _addresses(20_000))
    assert big.stat().st_size >= import_rows.PARALLEL_FROM_BYTES
    with import_rows.open_rows(small, default_mapping("addresses")):
        assert _children() == []
    with import_rows.open_rows(big, default_mapping("addresses")):
        assert len(_children()) == 1


def test_customers_cross_the_pipe_as_the_same_drafts(tmp_path: Path) -> None:
    lines = ["external_id;name;email;phone;tags;country"]
    for i in range(300):
        lines.append(
            f"K{i};Person «{i}»;p{i}@example.com,q{i}@example.org;+49 30 1234{i:04d};"
            f"vip|otc;{'DE' if i % 9 else 'XX'}"
        )
    path = write(tmp_path / "c.csv", "\n".join(lines) + "\n")
    mapping = default_mapping("customers")

    def read(parallel: bool) -> tuple[list, list]:
        rows, rejects = [], []
        with import_rows.open_rows(path, mapping, parallel=parallel, size=70) as source:
            for batch in source.batches:
                rows.extend(batch.rows())
                rejects.extend(batch.rejects)
        return rows, rejects

    inline, parallel = read(False), read(True)
    assert parallel == inline
    draft = parallel[0][0][2]
    assert draft.emails == ("p1@example.com", "q1@example.org") and draft.tags == ("otc", "vip")
    assert parallel[1] and parallel[1][0].external_id == "K0"


def test_the_writer_reads_only_data_from_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the reader process sends is decoded as data, never run: a reader that parsed a
    hostile file and was made to send a pickle gets an error, and the pickle does nothing."""
    import pickle

    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    blob = tmp_path / "blob"
    blob.write_bytes(pickle.dumps(("head", ["a"], 1)) + pickle.dumps(Payload()) + b"\n")
    fake = tmp_path / "reader.sh"
    fake.write_text(f"#!/bin/sh\ncat >/dev/null\ncat {blob}\n")
    fake.chmod(0o700)
    monkeypatch.setattr(sys, "executable", str(fake))
    path = write(tmp_path / "a.csv", _addresses(10))
    with (
        pytest.raises(RuntimeError, match="unreadable"),
        import_rows.open_rows(path, default_mapping("addresses"), parallel=True) as source,
    ):
        list(source.batches)
    assert not marker.exists()


def test_the_reader_orders_rows_as_the_writer_would(book: CustomerBook, tmp_path: Path) -> None:
    """The reader process hands each batch's (chain, address) order to the writer; the
    first of two equal rows in the file is still the one added and the later one
    relabels it, as when read inline."""
    people = "external_id,name\n" + "".join(f"C{i},Person {i}\n" for i in range(5))
    run_import(book, write(tmp_path / "c.csv", people), default_mapping("customers"))
    lines = ["customer_external_id,chain,address,label"]
    for i in range(900):
        lines.append(f"C{i % 5},ethereum,0x{(7 * i) % 600:040x},label {i}")
    path = write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    mapping = default_mapping("addresses")
    with import_rows.open_rows(path, mapping, parallel=True, size=500) as source:
        batches = list(source.batches)
    assert all(b.order is not None for b in batches)
    for batch in batches:
        keys = [(batch.fields[n][1], batch.fields[n][2]) for n in batch.order or []]
        assert keys == sorted(keys) and sorted(batch.order or []) == list(range(len(keys)))
    report = run_import(book, path, mapping, parallel=True)
    stored = dict(
        book.vault.conn.execute(
            "SELECT address_key || '/' || customer_id, label FROM addresses WHERE label IS NOT NULL"
        ).fetchall()
    )
    assert (report.added, report.changed, len(stored)) == (600, 300, 600)
    last = {f"0x{(7 * i) % 600:040x}/{i % 5 + 1}": f"label {i}" for i in range(900)}
    assert stored == last
    events = book.vault.conn.execute(
        "SELECT type, count(*) FROM events WHERE type LIKE 'address%' GROUP BY type"
    ).fetchall()
    assert dict(events) == {"addresses.imported": 1, "address.updated": 300}
    assert verify_chain(book.vault.conn).ok
