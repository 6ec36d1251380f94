"""Erasure (GDPR/PIPL) and export: values gone everywhere, chain intact; formulas neutralised."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.book import validate
from app.book.export import export
from app.book.models import AddressDraft, ValidationError
from app.book.service import CustomerBook
from vault.book import queries
from vault.events import verify_chain

JANE = {
    "external_id": "J1",
    "name": "Jane Quixotic-Doe",
    "country": "DE",
    "email": "jane.quixotic@example.org",
    "phone": "+49 30 1234567",
    "tags": "vip",
}


def _jane(book: CustomerBook) -> int:
    with book.vault.transaction() as tx:
        cid, _ = book.save_customer(tx, validate.customer(JANE))
        book.save_address(
            tx,
            cid,
            AddressDraft(
                "ethereum", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "Jane's cold wallet"
            ),
        )
        changed = validate.customer({**JANE, "name": "Jane Quixotic-Smith"})
        book.save_customer(tx, changed)
    return cid


def _all_text(book: CustomerBook) -> str:
    """Every value of every table of the decrypted database, FTS shadow tables included."""
    conn = book.vault.conn
    chunks: list[str] = []
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in conn.execute(f'SELECT * FROM "{name}"'):
            for value in row:
                if isinstance(value, bytes):
                    chunks.append(value.decode("utf-8", "replace"))
                elif value is not None:
                    chunks.append(str(value))
    return "\n".join(chunks)


def _index_terms(book: CustomerBook) -> set[str]:
    conn = book.vault.conn
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, search, row)")
    return {r[0] for r in conn.execute("SELECT term FROM temp.terms")}


def test_erase_removes_every_personal_value(book: CustomerBook) -> None:
    cid = _jane(book)
    assert queries.search_customer_ids(book.vault.conn, "quixotic") == [cid]
    assert "quixotic" in _index_terms(book)
    book.erase_customer(cid, reason="data-subject request #42")
    text = _all_text(book)
    for value in ("Quixotic", "quixotic", "jane.quixotic", "1234567", "cold wallet", "Smith"):
        assert value not in text, value
    terms = _index_terms(book)
    assert not {"quixotic", "jane", "smith", "doe", "49301234567"} & terms
    assert queries.search_customer_ids(book.vault.conn, "quixotic") == []
    # The tombstone and the audit trail stay; the chain still verifies.
    row = book.vault.conn.execute(
        "SELECT display_name, erased_at, country FROM customers WHERE id = ?", (cid,)
    ).fetchone()
    assert row[0] == "[erased]" and row[1] is not None and row[2] == "DE"
    types = [r[0] for r in book.vault.conn.execute("SELECT type FROM events")]
    assert "customer.created" in types and "customer.erased" in types
    assert verify_chain(book.vault.conn).ok
    # History can still be listed, but the sealed values now read as erased.
    sealed = [
        r[0]
        for r in book.vault.conn.execute(
            "SELECT json_extract(payload, '$.values.display_name') FROM events "
            "WHERE type = 'customer.created'"
        )
    ]
    assert book.keys.open(cid, sealed[0]) == "[erased]"


def test_erase_needs_a_reason(book: CustomerBook) -> None:
    cid = _jane(book)
    with pytest.raises(ValidationError):
        book.erase_customer(cid, reason="  ")


def test_export_neutralises_formulas_and_is_audited(book: CustomerBook, tmp_path: Path) -> None:
    with book.vault.transaction() as tx:
        for i, name in enumerate(
            ["=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@evil", "\tTab", "Plain"]
        ):
            book.save_customer(tx, validate.customer({"external_id": f"E{i}", "name": name}))
    out = tmp_path / "out.csv"
    result = export(book.vault, "customers", out, reason="regulator request")
    assert result.rows == 6
    text = out.read_bytes().decode("utf-8-sig")
    names = [row[1] for row in csv.reader(io.StringIO(text))][1:]
    assert all(not n.startswith(("=", "+", "-", "@", "\t")) for n in names)
    assert "'=cmd|' /C calc'!A0" in names and "Plain" in names
    xlsx = tmp_path / "out.xlsx"
    export(book.vault, "customers", xlsx, reason="regulator request")
    sheet = load_workbook(xlsx).active
    cells = [sheet.cell(row=r, column=2).value for r in range(2, 8)]
    assert "'+SUM(1)" in cells
    audits = book.vault.conn.execute(
        "SELECT json_extract(payload, '$.reason') FROM events WHERE type = 'export.created'"
    ).fetchall()
    assert audits == [("regulator request",), ("regulator request",)]
    with pytest.raises(ValidationError):
        export(book.vault, "customers", tmp_path / "x.csv", reason="")
    # An export imports back as the same records: nothing added, nothing changed.
    from app.book.importer import default_mapping, run_import

    again = run_import(book, out, default_mapping("customers"))
    assert again.counts()["unchanged"] == 6, again.rejects
    with pytest.raises(ValidationError):
        export(book.vault, "customers", out, reason="again")
