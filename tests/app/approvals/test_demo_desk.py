"""The demo vault's approval desk: demo members, requests in every status, real signatures."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_typed_data

from app.approvals.model import QueueFilter
from app.approvals.service import ApprovalService, signature_problems
from app.demo import fill_demo
from app.demo_approvals import DESK_HEAD, OFFICERS
from vault.events import verify_chain
from vault.store import Vault


def test_the_demo_desk_has_requests_in_every_status_whose_signatures_verify(
    vault: Vault, tmp_path: Path
) -> None:
    counts = fill_demo(vault, customers=300)
    service = ApprovalService(vault)
    assert counts["requests"] == service.count(QueueFilter()) >= 30
    statuses = dict(
        vault.conn.execute("SELECT status, count(*) FROM approval_requests GROUP BY status")
    )
    assert set(statuses) == {
        "pending",
        "approved",
        "rejected",
        "blocked",
        "expired",
        "needs_refresh",
    }
    assert statuses["pending"] >= 10
    kinds = {k for (k,) in vault.conn.execute("SELECT DISTINCT kind FROM approval_requests")}
    assert kinds == {"whitelist", "withdrawal", "onboarding", "risk_override"}
    roles = {m.name: m.roles for m in service.members()}
    me = service.me()
    assert roles[me.name] == ("admin", "officer")
    assert roles[DESK_HEAD] == ("desk_head", "officer")
    assert all(roles[name] == ("officer",) for name in OFFICERS)

    # The user has work: open requests made by others that the user may approve.
    mine = vault.conn.execute(
        "SELECT count(*) FROM approval_requests r JOIN approval_members m "
        "ON m.id = r.created_by WHERE r.status = 'pending' AND m.is_root = 0"
    ).fetchone()[0]
    assert mine >= 10
    # Approved by two members: two counted approvals by different signers.
    two = [
        d
        for (rid,) in vault.conn.execute(
            "SELECT id FROM approval_requests WHERE status = 'approved' AND approvals = 2"
        )
        for d in [service.detail(rid)]
    ]
    assert len(two) >= 5
    for detail in two:
        counted = [d for d in detail.decisions if d.counted]
        assert len({d.signer for d in counted}) == 2 and all(d.verified for d in counted)
    blocked = [
        service.detail(rid)
        for (rid,) in vault.conn.execute(
            "SELECT id FROM approval_requests WHERE status = 'blocked'"
        )
    ]
    assert {b.row.risk_level for b in blocked} == {"sanctioned", "severe"}

    # Every signature verifies, checked again from the stored content, and the chain holds.
    report = service.verify_all()
    decisions = vault.conn.execute("SELECT count(*) FROM approval_decisions").fetchone()[0]
    assert report.ok and report.checked == decisions >= 20
    checked, problems = signature_problems(vault.conn)
    assert problems == [] and checked > decisions
    assert verify_chain(vault.conn).ok
    # And with eth-account alone, from an export.
    target = tmp_path / "approved.json"
    service.export(two[0].row.id, target)
    for decision in json.loads(target.read_text())["decisions"]:
        signable = encode_typed_data(full_message=decision["typed_data"])
        assert (
            Account.recover_message(signable, signature=decision["signature"])
            == (decision["signer"])
        )
