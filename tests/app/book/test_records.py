"""Edits, notes, tasks, custom fields, duplicates and merge, subject export, history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.book import activity, custom_fields, duplicates, validate
from app.book.custom_fields import FieldDef
from app.book.models import AddressDraft, ValidationError
from app.book.reads import customer_detail, customer_history
from app.book.service import CustomerBook
from app.book.subject_export import export_subject
from vault.book import queries
from vault.events import verify_chain

ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def _add(book: CustomerBook, **fields: str) -> int:
    with book.vault.transaction() as tx:
        cid, _ = book.save_customer(tx, validate.customer(fields))
    return cid


def test_edit_records_old_and_new_values(book: CustomerBook) -> None:
    cid = _add(book, external_id="E1", name="Ada Lovelace", country="GB")
    assert activity.update_customer(book, cid, {"kyc_status": "approved", "risk_rating": "low"})
    assert not activity.update_customer(book, cid, {"kyc_status": "approved"})
    with pytest.raises(ValidationError) as err:
        activity.update_customer(book, cid, {"email": "not-an-email"})
    assert err.value.field == "email"
    detail = customer_detail(book.vault.conn, cid)
    assert detail is not None and detail.kyc_status == "approved" and detail.kyc_updated_at
    history = customer_history(book.vault.conn, book.keys, cid)
    assert [h.type for h in history] == ["customer.updated", "customer.created"]
    assert history[0].details["old"]["kyc_status"] == "not_started"
    assert history[0].details["new"]["kyc_status"] == "approved"
    assert history[1].details["values"]["display_name"] == "Ada Lovelace"


def test_history_pages_older_events_without_gaps_or_repeats(book: CustomerBook) -> None:
    cid = _add(book, name="Ada Lovelace")
    other = _add(book, name="Grace Hopper")
    for n in range(7):
        activity.add_note(book, cid, f"note {n}")
        activity.add_note(book, other, f"other {n}")
    whole = customer_history(book.vault.conn, book.keys, cid)
    pages, before = [], None
    while page := customer_history(book.vault.conn, book.keys, cid, limit=3, before=before):
        pages.append(page)
        before = page[-1].position
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [h.position for p in pages for h in p] == [h.position for h in whole]
    assert [h.type for h in whole][-1] == "customer.created"
    assert {h.details.get("body") for h in whole if h.type == "note.added"} == {
        f"note {n}" for n in range(7)
    }


def test_notes_tasks_and_reminders(book: CustomerBook) -> None:
    cid = _add(book, name="Grace Hopper")
    activity.add_note(book, cid, "Called about the COBOL desk", kind="call")
    task = activity.add_task(book, cid, "Renew KYC", due_at="2026-12-01", remind_at="2026-11-01")
    with pytest.raises(ValidationError):
        activity.add_task(book, cid, "Bad", due_at="next tuesday")
    assert activity.due_reminders(book, at="2026-11-02T00:00")[0][0] == task
    assert activity.complete_task(book, task)
    assert not activity.complete_task(book, task)
    assert activity.due_reminders(book, at="2026-11-02T00:00") == []
    assert queries.search_customer_ids(book.vault.conn, "cobol") == [cid]
    detail = customer_detail(book.vault.conn, cid)
    assert detail is not None and detail.notes[0].kind == "call" and detail.tasks[0].done_at
    payloads = b"".join(bytes(r[0]) for r in book.vault.conn.execute("SELECT payload FROM events"))
    assert b"COBOL" not in payloads and b"Renew KYC" not in payloads


def test_custom_fields_typed_and_yaml(book: CustomerBook) -> None:
    custom_fields.define(book, FieldDef("whitelist_limit", "Whitelist limit", "number"))
    custom_fields.define(
        book, FieldDef("contract_risk", "Contract risk", "choice", ("low", "medium", "high"))
    )
    cid = _add(book, name="Satoshi Test")
    assert custom_fields.set_value(book, cid, "whitelist_limit", "250,000")
    with pytest.raises(ValidationError):
        custom_fields.set_value(book, cid, "whitelist_limit", "lots")
    with pytest.raises(ValidationError):
        custom_fields.set_value(book, cid, "contract_risk", "extreme")
    custom_fields.set_value(book, cid, "contract_risk", "medium")
    assert queries.search_customer_ids(book.vault.conn, "250000") == [cid]
    detail = customer_detail(book.vault.conn, cid)
    assert detail is not None
    assert {c.name: c.value for c in detail.custom} == {
        "whitelist_limit": "250000",
        "contract_risk": "medium",
    }
    text = custom_fields.to_yaml(book)
    assert "whitelist_limit" in text
    other = CustomerBook(book.vault)
    assert custom_fields.from_yaml(other, text) == 0  # same definitions: nothing changes
    added = custom_fields.from_yaml(
        book, "fields:\n  - name: wallet_of_record\n    type: address\n"
    )
    assert added == 1
    with pytest.raises(ValidationError) as err:
        custom_fields.from_yaml(book, "fields:\n  - name: x\n   type: [")
    assert "line" in err.value.reason
    assert custom_fields.set_value(book, cid, "wallet_of_record", f"ethereum:{ADDRESS.lower()}")
    with pytest.raises(ValidationError):
        custom_fields.set_value(book, cid, "wallet_of_record", "ethereum:0x123")


def test_duplicates_found_and_merge_keeps_everything(book: CustomerBook) -> None:
    a = _add(book, external_id="A", name="Jonas Berglund", email="jonas@example.com")
    b = _add(book, external_id="B", name="Jonas  Berglünd", phone="+46 8 123 456 78")
    c = _add(book, external_id="C", name="Completely Different", email="JONAS@example.com")
    with book.vault.transaction() as tx:
        book.save_address(tx, a, AddressDraft("ethereum", ADDRESS, "a's wallet"))
        outcome = book.save_address(tx, b, AddressDraft("ethereum", ADDRESS.lower(), "b's"))
    assert outcome.conflicts
    activity.add_note(book, b, "Second record's note")
    pairs = {(p.first, p.second): p for p in duplicates.find(book.vault.conn)}
    assert "similar name" in pairs[(a, b)].reasons
    assert "same wallet address" in pairs[(a, b)].reasons
    assert "same email" in pairs[(a, c)].reasons
    duplicates.merge(book, a, b, reason="same person, typo in the name")
    detail = customer_detail(book.vault.conn, a)
    assert detail is not None
    assert detail.phones == ["+46812345678"] and detail.emails == ["jonas@example.com"]
    assert [n.body for n in detail.notes] == ["Second record's note"]
    assert len(detail.addresses) == 1
    merged = book.vault.conn.execute("SELECT merged_into FROM customers WHERE id = ?", (b,))
    assert merged.fetchone()[0] == a
    assert queries.count_customers(book.vault.conn) == 2
    open_conflicts = book.vault.conn.execute(
        "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL"
    ).fetchone()[0]
    assert open_conflicts == 0
    types = [h.type for h in customer_history(book.vault.conn, book.keys, a)]
    assert "customer.merged" in types and types.count("customer.created") == 2
    assert "note.added" in types
    assert verify_chain(book.vault.conn).ok
    with pytest.raises(ValidationError):
        duplicates.merge(book, a, b, reason="again")


def test_subject_export(book: CustomerBook, tmp_path: Path) -> None:
    cid = _add(book, external_id="S1", name="Subject Person", email="subject@example.com")
    with book.vault.transaction() as tx:
        book.save_address(tx, cid, AddressDraft("ethereum", ADDRESS, "main"))
    activity.add_note(book, cid, "Asked for their data")
    files = export_subject(book, cid, tmp_path, reason="DSAR 2026-17")
    doc = json.loads(files[0].read_text())
    assert doc["customer"]["emails"] == ["subject@example.com"]
    assert doc["customer"]["addresses"][0]["address"] == ADDRESS
    assert any(h["type"] == "note.added" for h in doc["history"])
    text = files[1].read_text()
    assert "Subject Person" in text and "Asked for their data" in text
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"
    audit = book.vault.conn.execute(
        "SELECT count(*) FROM events WHERE type = 'subject.exported'"
    ).fetchone()[0]
    assert audit == 1
    with pytest.raises(ValidationError):
        export_subject(book, cid, tmp_path, reason="again")


def test_demo_data_has_conflicts_and_duplicates(book: CustomerBook) -> None:
    from app.demo import fill_demo

    counts = fill_demo(book.vault, customers=300)
    assert counts["customers"] == 300 and counts["conflicts"] >= 10
    pairs = duplicates.find(book.vault.conn)
    assert any("similar name" in p.reasons for p in pairs)
    assert verify_chain(book.vault.conn).ok
