"""Cases in a real vault: opened, gathering hits, addresses, documents and notes,
escalated, closed only when a second officer approves the closing request, and
exported as JSON and PDF with everything in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.approvals.policy import default_policy, parse
from app.approvals.service import ApprovalService
from app.book.documents import DocumentDraft, add_document
from app.book.models import CustomerDraft
from app.book.service import CustomerBook
from app.cases.export import export_case, html_of, report
from app.cases.model import CaseError
from app.cases.service import Cases
from vault.events import verify_chain
from vault.store import Vault

ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


def _alert(vault: Vault, *, id: int, uid: str, customer_id: int | None) -> None:
    """An alert as the rules write it (schema 16), about `customer_id`."""
    with vault.transaction() as tx:
        tx.execute(
            "INSERT INTO alerts (id, uid, rule, subject, severity, customer_id, why, facts, "
            "raised_at) VALUES (?, ?, 'inflow_drop', ?, 'warning', ?, 'inflow -60%', '{}', "
            "'2024-05-04T10:00:00+00:00')",
            (id, uid, f"subject-{id}", customer_id),
        )


@pytest.fixture
def desk(vault: Vault) -> Vault:
    book = CustomerBook(vault)
    with vault.transaction() as tx:
        customer_id, _ = book.save_customer(
            tx, CustomerDraft(display_name="Ivan Petrov", external_id="C-1", risk_rating="high")
        )
        tx.execute(
            "INSERT INTO addresses (customer_id, chain, address, address_key, created_at) "
            "VALUES (?, 'ethereum', ?, ?, '2024-01-01T00:00:00+00:00')",
            (customer_id, ADDRESS, ADDRESS.lower()),
        )
        tx.execute(
            "INSERT INTO screenings (address, chain, provider, level, score, sanctioned, "
            "fetched_at, source) VALUES (?, 'ethereum', 'offline', 'severe', 100, 1, "
            "'2024-05-04T10:00:00+00:00', 'OFAC SDN')",
            (ADDRESS,),
        )
    book.forget()
    root = ApprovalService(vault)
    root.add_member("alice", ["officer"])
    root.add_member("bob", ["officer"])
    root.forget()
    return vault


def test_a_case_gathers_and_closes_only_with_a_second_officer(desk: Vault, tmp_path: Path) -> None:
    alice = Cases(desk, acting_as="alice")
    case = alice.open_case("C-1", "Structuring below 10k, sanctioned counterparty")
    assert (case.status, case.owner, case.customer, case.number) == ("open", "alice", "C-1", 1)
    alice.add(case.id, "address_hit", f"ethereum:{ADDRESS}")
    alice.add(case.id, "flow", f"Ethereum:{ADDRESS}")
    alice.add(case.id, "note", "Six deposits of 9,900 USDT within two days.")
    _alert(desk, id=17, uid="A-17", customer_id=1)
    alice.add(case.id, "alert", "A-17")
    with pytest.raises(CaseError, match="holds this address hit already"):
        alice.add(case.id, "address_hit", f"ethereum:{ADDRESS}")
    with pytest.raises(CaseError, match="not a document of this customer"):
        alice.add(case.id, "document", "nope")
    with pytest.raises(CaseError, match="neither an address of this customer"):
        alice.add(case.id, "address_hit", "ethereum:0xdead")
    assert alice.escalate(case.id).status == "escalated"

    request = alice.request_close(str(case.number), "sar_filed", "SAR 2024-17 filed with the FIU")
    assert request.kind == "case_close" and request.status == "pending"
    waiting = alice.case(case.id)
    assert waiting.closing and waiting.status == "escalated"
    with pytest.raises(CaseError, match="waits for the decision"):
        alice.request_close(case.id, "no_further_action", "again")

    # Four eyes: whoever asked cannot approve; a second officer closes it.
    own = ApprovalService(desk, acting_as="alice").decide(request.id, "approve", "done")
    assert not own.ok and own.refusal == "four_eyes"
    assert alice.case(case.id).status == "escalated"
    bob = ApprovalService(desk, acting_as="bob").decide(request.id, "approve", "agreed")
    assert bob.ok and bob.status == "approved"
    closed = alice.case(case.id)
    assert (closed.status, closed.disposition) == ("closed", "sar_filed")
    assert closed.disposition_reason == "SAR 2024-17 filed with the FIU"
    assert closed.closed_at is not None
    with pytest.raises(CaseError, match="is closed"):
        alice.add(case.id, "note", "late")
    assert [c.id for c in alice.cases(statuses=("closed",))] == [case.id]
    assert alice.cases(statuses=("open",)) == []

    # The title and the note are sealed under the customer's key, in rows and events.
    stored = desk.conn.execute("SELECT title FROM cases").fetchone()[0]
    assert stored.startswith("enc:") and "Structuring" not in stored
    events = [bytes(p) for (p,) in desk.conn.execute("SELECT payload FROM events")]
    assert not any(b"Six deposits" in p or b"Structuring" in p for p in events)
    types = {t for (t,) in desk.conn.execute("SELECT type FROM events WHERE type LIKE 'case.%'")}
    assert types == {"case.opened", "case.item_added", "case.escalated", "case.close_requested"}
    assert verify_chain(desk.conn).ok
    alice.forget()


def test_the_export_holds_everything_as_json_and_pdf(desk: Vault, tmp_path: Path) -> None:
    scan = tmp_path / "passport.pdf"
    scan.write_bytes(b"%PDF-1.7\n" + b"p" * 300)
    book = CustomerBook(desk)
    doc = add_document(book, DocumentDraft(1, scan, "passport"))
    book.forget()
    cases = Cases(desk, acting_as="alice")
    case = cases.open_case("C-1", "Sanctioned <counterparty> & co")
    cases.add(case.id, "document", doc.id)
    cases.add(case.id, "address_hit", f"ethereum:{ADDRESS}")
    cases.add(case.id, "note", "Customer called: says the wallet is his brother's")
    drawn: list[str] = []

    def pdf(text: str, path: Path) -> None:
        drawn.append(text)
        path.write_bytes(b"%PDF-1.4 test")

    out = tmp_path / "fiu"
    written = export_case(cases, case.id, out, pdf)
    data = json.loads((out / "case-1.json").read_text(encoding="utf-8"))
    assert data["case"]["title"] == "Sanctioned <counterparty> & co"
    assert data["customer"]["external_id"] == "C-1"
    kinds = [i["kind"] for i in data["items"]]
    assert kinds == ["document", "address_hit", "note"]
    assert data["items"][1]["screenings"][0]["sanctioned"] == 1
    assert data["items"][2]["text"].startswith("Customer called")
    copy = out / data["items"][0]["file"]
    assert copy.read_bytes() == scan.read_bytes()
    assert written["documents"] == [data["items"][0]["file"]]
    assert (out / "case-1.pdf").read_bytes().startswith(b"%PDF")
    assert "Sanctioned &lt;counterparty&gt; &amp; co" in drawn[0]  # escaped in the PDF
    with pytest.raises(CaseError, match="exists already"):
        export_case(cases, case.id, out, pdf)
    audited = desk.conn.execute("SELECT count(*) FROM events WHERE type = 'case.exported'")
    assert audited.fetchone()[0] == 1
    assert "Customer called" in html_of(report(cases, case.id))
    cases.forget()


def test_a_stored_policy_without_case_close_still_parses() -> None:
    text = default_policy_text_without_case_close()
    policy = parse(text)
    rules = policy.kinds["case_close"]
    assert rules.decide == frozenset({"officer", "desk_head"})
    assert dict(rules.tiers[0].need) == {"officer": 1}
    assert default_policy().kinds["case_close"].decide == rules.decide


def default_policy_text_without_case_close() -> str:
    from app.approvals.policy import default_text

    text = default_text()
    start = text.index("  # Closing a case")
    end = text.index("# Screening of the request's address")
    return text[:start] + "\n" + text[end:]


def test_an_alert_is_checked_and_kept_by_its_uid(desk: Vault) -> None:
    cases = Cases(desk, acting_as="alice")
    case = cases.open_case("C-1", "Alert follow-up")
    other = CustomerBook(desk)
    with desk.transaction() as tx:
        other_id, _ = other.save_customer(
            tx, CustomerDraft(display_name="Other", external_id="C-2")
        )
    other.forget()
    _alert(desk, id=7, uid="al-7", customer_id=1)
    _alert(desk, id=9, uid="al-9", customer_id=other_id)
    with pytest.raises(CaseError, match="no alert '8'"):
        cases.add(case.id, "alert", "8")
    with pytest.raises(CaseError, match="no alert 'al-9' about this customer"):
        cases.add(case.id, "alert", "al-9")
    assert cases.add(case.id, "alert", "7").ref == "al-7"
    with pytest.raises(CaseError, match="holds this alert already"):
        cases.add(case.id, "alert", "al-7")
    cases.forget()
