"""ApprovalService on a real vault: requests, signed decisions, roles, policy, evidence."""

from __future__ import annotations

import json
import random
import stat
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from app.addresses import normalize
from app.addresses.evm import to_checksum_address
from app.approvals import signing
from app.approvals.model import ApprovalError, QueueFilter
from app.approvals.policy import PolicyError
from app.approvals.service import ApprovalService, signature_problems, utc_now
from app.screening.sanctions import import_sanctions
from app.screening.service import Screening, Target
from tests.app.approvals.conftest import ETH, ETH2, add_customer
from vault import events
from vault.approvals import queue, store
from vault.events import verify_chain
from vault.store import Vault


def test_nothing_is_made_before_the_first_approvals_use(vault: Vault) -> None:
    add_customer(vault, "C-1")
    before = events.count(vault.conn)
    service = ApprovalService(vault)
    assert service.count(QueueFilter()) == 0
    assert events.count(vault.conn) == before
    me = service.me()
    assert me.roles == ("admin",) and me.is_me
    types = [e.type for e in events.recent(vault.conn, limit=10)]
    assert {"approvals.member_added", "approvals.role_granted", "approvals.policy_set"} <= set(
        types
    )


def test_withdrawal_tiers_four_eyes_and_final_event(desk: ApprovalService, vault: Vault) -> None:
    row = desk.request_withdrawal("C-1", "usdt", Decimal("20000"), "ethereum", ETH.lower())
    assert row.status == "pending" and row.needed == "2 officer"
    assert row.summary.startswith("20,000 USDT")
    alice = ApprovalService(vault, acting_as="alice")
    own = alice.request_withdrawal("C-1", "ETH", Decimal("5"), "ethereum", ETH)
    refused = alice.decide(own.id, "approve", "mine")
    assert not refused.ok and "four eyes" in refused.message
    assert alice.decide(row.id, "approve", "KYC ok").status == "pending"
    again = alice.decide(row.id, "approve", "twice")
    assert not again.ok and "already decided" in again.message
    assert desk.detail(row.id).row.needed == "1 more officer"
    outcome = ApprovalService(vault, acting_as="bob").decide(row.id, "approve", "fine")
    assert outcome.ok and outcome.status == "approved"
    detail = desk.detail(row.id)
    assert [d.counted for d in detail.decisions] == [True, True]
    assert all(d.verified and d.local_only for d in detail.decisions)
    assert detail.row.local_only
    finals = [e for e in events.recent(vault.conn, limit=20) if e.type == "approvals.finalized"]
    assert len(finals) == 1 and finals[0].payload_json()["status"] == "approved"
    late = ApprovalService(vault, acting_as="dana").decide(row.id, "reject", "too late")
    assert not late.ok and "already approved" in late.message


def test_roles_follow_signed_grants_back_to_the_root(desk: ApprovalService, vault: Vault) -> None:
    desk.add_member("carol", ["admin"])
    carol = ApprovalService(vault, acting_as="carol")
    carol.add_member("erin", ["officer"])
    roles = {m.name: m.roles for m in desk.members()}
    assert roles["erin"] == ("officer",) and roles["carol"] == ("admin",)
    with pytest.raises(ApprovalError, match="not an admin"):
        ApprovalService(vault, acting_as="alice").grant_role("bob", "admin")
    # A grant signed by someone who is no admin gives nothing, even if written in the table.
    row = vault.conn.execute(
        "SELECT g.id FROM approval_grants g JOIN approval_members m ON m.id = g.member_id "
        "WHERE m.name = 'erin'"
    ).fetchone()
    alice_address = next(m.address for m in desk.members() if m.name == "alice")
    with vault.transaction() as tx:
        tx.execute(
            "UPDATE approval_grants SET granted_by = ? WHERE id = ?", (alice_address, row[0])
        )
        tx.event("test.tamper", {})
    fresh = ApprovalService(vault)
    assert {m.name: m.roles for m in fresh.members()}["erin"] == ()
    count, problems = signature_problems(vault.conn)
    assert count > 0 and any("erin" in p for p in problems)


def test_tampered_amount_invalidates_earlier_approvals(desk: ApprovalService, vault: Vault) -> None:
    row = desk.request_withdrawal("C-1", "USDT", Decimal("500"), "ethereum", ETH)
    assert (
        ApprovalService(vault, acting_as="alice").decide(row.id, "approve", "ok").status
        == "approved"
    )
    with vault.transaction() as tx:
        tx.execute(
            "UPDATE approval_requests SET content = replace(content, '\"500\"', '\"500000\"') "
            "WHERE id = ?",
            (row.id,),
        )
        tx.event("test.tamper", {})
    report = desk.verify_all()
    assert (report.checked, report.invalid) == (1, 1) and "does not verify" in report.problems[0]
    detail = desk.detail(row.id)
    assert detail.row.status == "pending"
    assert detail.decisions[0].ignored_reason is not None
    assert not detail.decisions[0].verified


def test_risk_gates_from_real_screenings(
    desk: ApprovalService, vault: Vault, tmp_path: Path
) -> None:
    desk.set_policy(desk.policy_text().replace("unscreened: allow", "unscreened: needs_refresh"))
    listed = tmp_path / "eth.txt"
    listed.write_text(ETH2 + "\n")
    import_sanctions(vault, listed, "ETH", list_date=date(2024, 9, 27))
    clean = desk.request_whitelist("C-1", "ethereum", ETH, Decimal("1000"))
    bad = desk.request_whitelist("C-1", "ethereum", ETH2, None)
    assert clean.status == bad.status == "needs_refresh"
    screening = Screening(vault)
    screening.screen([Target("ethereum", ETH), Target("ethereum", ETH2)])
    screening.forget()
    assert desk.refresh() == 2
    assert desk.detail(clean.id).row.status == "pending"
    blocked = desk.detail(bad.id)
    assert blocked.row.status == "blocked" and blocked.row.risk_level == "sanctioned"
    assert "sanctions" in blocked.reasons[0]
    alice = ApprovalService(vault, acting_as="alice")
    assert not alice.decide(bad.id, "approve", "no").ok
    assert alice.decide(bad.id, "reject", "sanctioned").status == "rejected"
    assert alice.decide(clean.id, "approve", "fine").status == "approved"
    # The address is listed later: a new screening blocks the approved request.
    listed.write_text(ETH2 + "\n" + ETH + "\n")
    import_sanctions(vault, listed, "ETH", list_date=date(2024, 9, 27))
    screening = Screening(vault)
    screening.screen([Target("ethereum", ETH)])
    screening.forget()
    assert desk.refresh() == 1
    assert desk.detail(clean.id).row.status == "blocked"
    assert desk.detail(bad.id).row.status == "rejected"


def test_expiry_follows_the_clock(desk: ApprovalService, vault: Vault) -> None:
    row = desk.request_onboarding("C-1")
    later = ApprovalService(vault, clock=lambda: utc_now() + timedelta(days=8))
    assert later.refresh() == 1
    assert later.detail(row.id).row.status == "expired"
    assert not ApprovalService(vault, acting_as="alice").decide(row.id, "approve", "x").ok


def test_bulk_reject_with_progress_and_cancel(desk: ApprovalService, vault: Vault) -> None:
    ids = [desk.request_whitelist("C-1", "ethereum", ETH, Decimal(i + 1)).id for i in range(250)]
    seen: list[tuple[int, int]] = []
    alice = ApprovalService(vault, acting_as="alice")
    outcomes = alice.decide_many(
        ids, "reject", "invalid whitelist", progress=lambda d, t: seen.append((d, t))
    )
    assert all(o.ok and o.status == "rejected" for o in outcomes) and len(outcomes) == 250
    assert seen[-1] == (250, 250)
    assert desk.count(QueueFilter(statuses=frozenset({"rejected"}))) == 250
    more = [desk.request_onboarding("C-1").id for _ in range(300)]
    asked: list[int] = []

    def cancelled() -> bool:  # the user cancels while the first batch is written
        asked.append(1)
        return len(asked) > 1

    done = alice.decide_many(more, "approve", "ok", cancelled=cancelled)
    assert len(done) == 200 and all(o.ok for o in done)


def test_queue_filters_and_sorting(desk: ApprovalService, vault: Vault) -> None:
    add_customer(vault, "C-2", "Zeta Trading")
    desk.request_withdrawal("C-1", "ETH", Decimal("3"), "ethereum", ETH)
    desk.request_withdrawal("C-2", "ETH", Decimal("300000"), "ethereum", ETH)
    desk.request_onboarding("C-2")
    everything = QueueFilter()
    assert desk.count(everything) == 3
    assert desk.count(QueueFilter(customer="zeta")) == 2
    assert desk.count(QueueFilter(kinds=frozenset({"withdrawal"}), customer="C-1")) == 1
    by_amount = desk.page(everything, "amount", True, 0, 10)
    assert [r.amount for r in by_amount][:2] == [Decimal("300000"), Decimal("3")]
    assert desk.count(QueueFilter(min_age_days=1)) == 0
    assert desk.count(QueueFilter(max_age_days=1)) == 3
    assert desk.count(QueueFilter(risk_levels=frozenset({"unscreened"}))) == 2
    with pytest.raises(ApprovalError):
        desk.page(everything, "colour", False, 0, 10)


def test_risk_sorts_by_severity_with_sanctions_worst(desk: ApprovalService, vault: Vault) -> None:
    rng = random.Random(3)
    levels = ["low", None, "severe", "none", "high", "medium", "sanctioned"]
    for level in levels:
        address = to_checksum_address(rng.randbytes(20))
        desk.request_whitelist("C-1", "ethereum", address, None)
        if level is not None:
            risk = (
                ("severe", True, "2026-12-01T00:00:00+00:00")
                if level == "sanctioned"
                else (
                    level,
                    False,
                    "2026-12-01T00:00:00+00:00",
                )
            )
            with vault.transaction() as tx:
                queue.set_risk(tx.conn, "ethereum", normalize("ethereum", address), risk)
                tx.event("test.risk", {})
    worst_first = [r.risk_level for r in desk.page(QueueFilter(), "risk", True, 0, 10)]
    assert worst_first == ["sanctioned", "severe", "high", "medium", "low", "none", None]
    best_first = [r.risk_level for r in desk.page(QueueFilter(), "risk", False, 0, 10)]
    assert best_first == worst_first[::-1]


def test_roster_shows_each_grant_its_granter_and_whether_it_counts(
    desk: ApprovalService, vault: Vault
) -> None:
    roster = {d.member.name: d for d in desk.roster()}
    root = desk.me()
    assert roster[root.name].is_root and roster[root.name].member.is_me
    (own,) = roster[root.name].grants
    assert (own.role, own.granted_by, own.counts) == ("admin", root.address, True)
    (dana,) = roster["dana"].grants
    assert (dana.role, dana.granted_by_name, dana.verified, dana.counts) == (
        "desk_head",
        root.name,
        True,
        True,
    )
    assert roster["dana"].key_here and not roster["dana"].is_root
    # A forged grant (signed by alice, who is no admin) verifies but does not count.
    alice = ApprovalService(vault, acting_as="alice")
    alice_key = store.private_key(vault.conn, alice.me().id)
    assert alice_key is not None
    bob = roster["bob"].member
    now = "2026-12-04T02:00:00.000+00:00"
    signature = signing.sign(
        alice_key, "RoleGrant", signing.grant_message(bob.address, "bob", "admin", now)
    )
    with vault.transaction() as tx:
        store.insert_grant(
            tx.conn,
            member_id=bob.id,
            role="admin",
            granted_at=now,
            granted_by=alice.me().address,
            signature=signature,
        )
        tx.event("test.forge", {})
    grants = {g.role: g for d in desk.roster() if d.member.name == "bob" for g in d.grants}
    assert grants["admin"].verified and not grants["admin"].counts
    assert grants["admin"].why_not == "the granter is not an admin"
    assert (
        grants["officer"].counts and "admin" not in {m.name: m for m in desk.members()}["bob"].roles
    )


def test_revoking_a_role_is_signed_and_keeps_earlier_decisions(
    desk: ApprovalService, vault: Vault
) -> None:
    alice = ApprovalService(vault, acting_as="alice")
    early = desk.request_withdrawal("C-1", "USDT", Decimal("500"), "ethereum", ETH)
    assert alice.decide(early.id, "approve", "ok").status == "approved"
    desk.revoke_role("alice", "officer")
    assert {m.name: m.roles for m in desk.members()}["alice"] == ()
    # The approval signed while alice was an officer still counts after a full recompute.
    desk.recompute_all()
    assert desk.detail(early.id).row.status == "approved"
    late = desk.request_withdrawal("C-1", "USDT", Decimal("700"), "ethereum", ETH2)
    refused = alice.decide(late.id, "approve", "ok")
    assert not refused.ok and "holds no role" in refused.message
    (grant,) = next(d for d in desk.roster() if d.member.name == "alice").grants
    assert not grant.counts and grant.verified
    assert grant.why_not.startswith(f"revoked by {desk.me().name}, ")
    checked, problems = signature_problems(vault.conn)
    assert problems == [] and checked == 4 + 1 + 1  # grants, revocation, decision
    # Who may revoke what.
    with pytest.raises(ApprovalError, match="not an admin"):
        ApprovalService(vault, acting_as="bob").revoke_role("dana", "desk_head")
    desk.add_member("carol", ["admin"])
    carol = ApprovalService(vault, acting_as="carol")
    with pytest.raises(ApprovalError, match="only the root admin"):
        carol.revoke_role("carol", "admin")
    with pytest.raises(ApprovalError, match="root of trust"):
        desk.revoke_role(desk.me().name, "admin")
    with pytest.raises(ApprovalError, match="does not hold"):
        desk.revoke_role("alice", "officer")
    carol.revoke_role("dana", "desk_head")  # any admin revokes other roles
    assert {m.name: m.roles for m in desk.members()}["dana"] == ()
    # A newer grant gives the role back; a tampered revocation is reported by verify.
    desk.grant_role("alice", "officer")
    assert {m.name: m.roles for m in desk.members()}["alice"] == ("officer",)
    with vault.transaction() as tx:
        tx.execute("UPDATE approval_revocations SET role = 'analyst' WHERE role = 'desk_head'")
        tx.event("test.tamper", {})
    _, problems = signature_problems(vault.conn)
    assert problems == ["the revocation of dana's analyst role does not verify"]
    assert verify_chain(vault.conn).ok
    kinds = [
        e
        for (e,) in vault.conn.execute("SELECT type FROM events WHERE type LIKE 'approvals.role%'")
    ]
    assert kinds.count("approvals.role_revoked") == 2


def test_policy_versions_and_errors(desk: ApprovalService, vault: Vault) -> None:
    row = desk.request_withdrawal("C-1", "USDT", Decimal("20000"), "ethereum", ETH)
    ApprovalService(vault, acting_as="alice").decide(row.id, "approve", "ok")
    assert desk.detail(row.id).row.status == "pending"
    desk.set_policy(desk.policy_text().replace("{below: 10000,", "{below: 50000,"))
    assert desk.detail(row.id).row.status == "approved"
    with pytest.raises(PolicyError) as caught:
        desk.set_policy("version: 2\n")
    assert caught.value.line == 1
    with pytest.raises(ApprovalError, match="not an admin"):
        ApprovalService(vault, acting_as="bob").set_policy(desk.policy_text())


def test_export_verifies_with_eth_account_alone(
    desk: ApprovalService, vault: Vault, tmp_path: Path
) -> None:
    row = desk.request_whitelist("C-1", "ethereum", ETH, None)
    ApprovalService(vault, acting_as="alice").decide(row.id, "approve", "known counterparty")
    ApprovalService(vault, acting_as="dana").decide(row.id, "comment", "looked at it")
    target = tmp_path / "evidence.json"
    desk.export(row.id, target)
    document = json.loads(target.read_text())
    assert document["request"]["content"]["address"] == ETH
    assert len(document["decisions"]) == 2
    for decision in document["decisions"]:
        signable = encode_typed_data(full_message=decision["typed_data"])
        assert (
            Account.recover_message(signable, signature=decision["signature"]) == decision["signer"]
        )
        assert decision["typed_data"]["message"]["request"] == document["request"]["content"]
    with pytest.raises(ApprovalError, match="exists"):
        desk.export(row.id, target)
    target.write_text("older export")
    desk.export(row.id, target, overwrite=True)  # the user confirmed replacing it
    assert json.loads(target.read_text())["request"]["id"] == row.id
    # Customer data: readable by the owner only, and no temp file left beside it.
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_apps_verify_checks_approval_signatures(tmp_path: Path) -> None:
    from keyring.backends import fail

    from app.session import VaultSession
    from tests.conftest import PASSPHRASE
    from vault.keys import Keychain

    session = VaultSession(tmp_path / "app.vault", keychain=Keychain(fail.Keyring()))
    session.create(passphrase=PASSPHRASE, use_keychain=False)
    add_customer(session.vault, "C-1")
    service = ApprovalService(session.vault)
    service.add_member("alice", ["officer"])
    row = service.request_onboarding("C-1")
    ApprovalService(session.vault, acting_as="alice").decide(row.id, "approve", "ok")
    report = session.verify()
    assert report.ok and report.signatures_checked == 3  # 2 grants + 1 decision
    with session.vault.transaction() as tx:
        tx.execute("UPDATE approval_decisions SET reason = 'changed'")
        tx.event("test.tamper", {})
    report = session.verify()
    assert not report.ok and "do not verify" in report.summary()
    session.lock()


def test_an_approved_risk_override_accepts_the_high_risk_of_its_address(
    desk: ApprovalService, vault: Vault
) -> None:
    add_customer(vault, "C-2", "Other Ltd")
    alice = ApprovalService(vault, acting_as="alice")
    bob = ApprovalService(vault, acting_as="bob")
    dana = ApprovalService(vault, acting_as="dana")
    mine = desk.request_withdrawal("C-1", "USDT", Decimal("20000"), "ethereum", ETH)
    open_one = desk.request_whitelist("C-1", "ethereum", ETH, Decimal("20000"))
    other_address = desk.request_withdrawal("C-1", "USDT", Decimal("20000"), "ethereum", ETH2)
    other_customer = desk.request_withdrawal("C-2", "USDT", Decimal("20000"), "ethereum", ETH)
    override = desk.request_risk_override("C-1", "ethereum", ETH, "the customer's own exchange")
    # Override the other address for the other customer too: neither pair matches.
    crossed = desk.request_risk_override("C-2", "ethereum", ETH2, "known to the desk")
    fresh = (utc_now() - timedelta(hours=1)).isoformat()
    with vault.transaction() as tx:
        for address in (ETH, ETH2):
            queue.set_risk(tx.conn, "ethereum", address, ("high", False, fresh))
        tx.event("test.risk", {})
    desk.refresh()
    wanted = [mine, open_one, other_address, other_customer]
    for row in wanted:
        assert alice.decide(row.id, "approve", "KYC ok").status == "pending"
        assert desk.detail(row.id).row.needed == "1 more desk head + 1 more officer"
    for row in (override, crossed):
        assert alice.decide(row.id, "approve", "seen the evidence").status == "pending"
        assert dana.decide(row.id, "approve", "accepted").status == "approved"
    # The approval of the override refreshed the open requests of its address.
    accepted = desk.detail(mine.id)
    assert accepted.row.needed == "1 more officer"
    assert accepted.reasons[-1] == f"high risk accepted by risk override {override.id[-8:]}"
    assert desk.detail(open_one.id).row.needed == "1 more officer"
    assert bob.decide(mine.id, "approve", "fine").status == "approved"
    for row in (other_address, other_customer):
        assert bob.decide(row.id, "approve", "fine").status == "pending"
        detail = desk.detail(row.id)
        assert detail.row.needed == "1 more desk head"
        assert not any("override" in r for r in detail.reasons)
    # An override that stops counting (here the policy now wants more for it) no
    # longer accepts the risk: the open request needs its desk head again.
    text = desk.policy_text().replace(
        "- {need: {officer: 1, desk_head: 1}}", "- {need: {officer: 2, desk_head: 1}}"
    )
    desk.set_policy(text)
    assert desk.detail(override.id).row.status == "pending"
    assert desk.detail(open_one.id).row.needed == "1 more desk head + 1 more officer"
    # An override never lifts a block: the address turns severe.
    desk.set_policy(text.replace("{officer: 2, desk_head: 1}", "{officer: 1, desk_head: 1}"))
    assert desk.detail(override.id).row.status == "approved"
    assert desk.detail(open_one.id).row.needed == "1 more officer"
    with vault.transaction() as tx:
        queue.set_risk(tx.conn, "ethereum", ETH, ("severe", False, fresh))
        tx.event("test.risk", {})
    desk.recompute_all()
    assert desk.detail(open_one.id).row.status == "blocked"
