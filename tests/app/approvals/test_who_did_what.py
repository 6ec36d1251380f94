"""Who did what (issue 10): the member whose key signed, apart from the device and
OS user that recorded it; and an approval of a blocked request refused, saying why."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from keyring.backends import fail

from app.approvals.service import ApprovalService
from app.book.reads import customer_history
from app.book.service import CustomerBook
from app.screening.sanctions import import_sanctions
from app.screening.service import Screening, Target
from app.session import VaultSession
from tests.app.approvals.conftest import ETH, add_customer
from tests.conftest import PASSPHRASE
from vault import events
from vault.events import verify_chain
from vault.keys import Keychain
from vault.store import Vault


def test_history_and_audit_name_the_member_who_signed_not_the_os_user(tmp_path: Path) -> None:
    session = VaultSession(tmp_path / "who.vault", keychain=Keychain(fail.Keyring()))
    session.create(passphrase=PASSPHRASE, use_keychain=False)
    vault = session.vault
    customer = add_customer(vault, "C-1")
    root = ApprovalService(vault)
    root.add_member("Demo Officer Jun", ["officer"])
    row = root.request_onboarding("C-1")
    jun = ApprovalService(vault, acting_as="Demo Officer Jun")
    assert jun.decide(row.id, "approve", "documents complete").ok
    os_user = vault.log.author
    assert os_user != "Demo Officer Jun"

    book = CustomerBook(vault)
    history = {h.type: h for h in customer_history(vault.conn, book.keys, customer)}
    decided = history["approvals.decided"]
    assert decided.who == "Demo Officer Jun" and decided.member == "Demo Officer Jun"
    assert decided.author == os_user and decided.device == vault.log.device  # the recorder
    assert history["approvals.requested"].who == root.me().name
    assert history["customer.created"].who == os_user  # not an approvals fact: the OS user

    audit = {a.type: a for a in session.audit_page(offset=0, limit=50)}
    assert audit["approvals.decided"].who == "Demo Officer Jun"
    assert audit["approvals.decided"].author == os_user
    assert audit["approvals.role_granted"].who == root.me().name  # the admin who signed
    assert audit["approvals.finalized"].who == os_user  # derived by the rules, signed by none
    payload = events.recent(vault.conn, limit=50)
    signed = next(e for e in payload if e.type == "approvals.decided").payload_json()
    assert signed["by"] == {"member": jun.me().id, "name": "Demo Officer Jun"}
    assert verify_chain(vault.conn).ok
    session.lock()


def test_events_written_before_by_existed_still_verify_and_name_the_signer(vault: Vault) -> None:
    from app.authorship import Members

    add_customer(vault, "C-1")
    root = ApprovalService(vault)
    alice = root.add_member("alice", ["officer"])
    with vault.transaction() as tx:  # the shape the service wrote before this change
        tx.event(
            "approvals.decided",
            {"decision": "d-1", "request": "r-1", "verdict": "approve", "signer": alice.address},
        )
    old = events.recent(vault.conn, limit=1)[0]
    assert "by" not in old.payload_json()
    assert Members(vault.conn).of(old.type, old.payload_json()) == "alice"
    assert verify_chain(vault.conn).ok


def test_approving_a_request_screened_blocked_since_its_status_was_cached_is_refused(
    desk: ApprovalService, vault: Vault, tmp_path: Path
) -> None:
    row = desk.request_whitelist("C-1", "ethereum", ETH, Decimal("1000"))
    assert row.status == "pending"
    listed = tmp_path / "eth.txt"
    listed.write_text(ETH + "\n")
    import_sanctions(vault, listed, "ETH", list_date=date(2024, 9, 27))
    screening = Screening(vault)
    screening.screen([Target("ethereum", ETH)])
    screening.forget()
    # No refresh ran: the cached status still says pending.
    alice = ApprovalService(vault, acting_as="alice")
    outcome = alice.decide(row.id, "approve", "known counterparty")
    assert not outcome.ok and outcome.refusal == "blocked" and outcome.status == "blocked"
    assert "a sanctions list names the address" in outcome.message
    assert "can only be rejected" in outcome.message
    assert not desk.detail(row.id).decisions  # nothing was signed or recorded
    rejected = alice.decide(row.id, "reject", "sanctioned")
    assert rejected.ok and rejected.status == "rejected"


def test_the_blocked_ones_of_a_selection_are_named_with_why(
    desk: ApprovalService, vault: Vault, tmp_path: Path
) -> None:
    from app.approvals.model import QueueFilter

    fine = desk.request_onboarding("C-1")
    bad = desk.request_whitelist("C-1", "ethereum", ETH, None)
    listed = tmp_path / "eth.txt"
    listed.write_text(ETH + "\n")
    import_sanctions(vault, listed, "ETH", list_date=date(2024, 9, 27))
    Screening(vault).screen([Target("ethereum", ETH)])
    desk.refresh()
    found = desk.blocked([fine.id, bad.id])
    assert found.count == 1
    assert found.reasons == (
        (bad.id, "blocked by the risk gate: a sanctions list names the address"),
    )
    assert desk.blocked_matching(QueueFilter()).count == 1
    assert desk.blocked_matching(QueueFilter(statuses=frozenset({"pending"}))).count == 0
