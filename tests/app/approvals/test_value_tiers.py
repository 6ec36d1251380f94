"""Tiers count the request's value in the reference currency, from the vault's prices.

The bug (issue 10): the policy counted amounts in the request's own asset, so
2.5 BTC needed one officer, like 2,500 USDT.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_typed_data

from app.approvals import record, signing
from app.approvals.service import ApprovalService
from app.prices import book
from tests.app.approvals.conftest import ETH
from vault import events
from vault.approvals import store
from vault.approvals.store import DecisionRow
from vault.store import Vault


def import_prices(vault: Vault, tmp_path: Path, *lines: str, name: str = "prices.csv") -> None:
    path = tmp_path / name
    path.write_text("asset,price,currency,as_of\n" + "".join(f"{x}\n" for x in lines))
    book.import_csv(vault, path)


def hours_ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")


def test_btc_at_a_stored_price_needs_the_higher_tiers_quorum(
    desk: ApprovalService, vault: Vault, tmp_path: Path
) -> None:
    import_prices(vault, tmp_path, f"BTC,60000,USD,{hours_ago(1)}")
    row = desk.request_withdrawal("C-1", "BTC", Decimal("2.5"), "ethereum", ETH)
    # 2.5 BTC at 60,000 USD is 150,000 USD: the 10,000-250,000 tier, two officers.
    assert row.needed == "2 officer"
    outcome = ApprovalService(vault, acting_as="alice").decide(row.id, "approve", "ok")
    assert outcome.status == "pending"
    assert desk.detail(row.id).row.needed == "1 more officer"
    outcome = ApprovalService(vault, acting_as="bob").decide(row.id, "approve", "ok")
    assert outcome.status == "approved"


def test_no_fresh_price_takes_the_top_tier(
    desk: ApprovalService, vault: Vault, tmp_path: Path
) -> None:
    never = desk.request_withdrawal("C-1", "DOGE", Decimal("10"), "ethereum", ETH)
    assert never.needed == "1 desk head + 2 officer"
    import_prices(vault, tmp_path, f"SOL,150,USD,{hours_ago(30)}")
    stale = desk.request_withdrawal("C-1", "SOL", Decimal("1"), "ethereum", ETH)
    assert stale.needed == "1 desk head + 2 officer"
    reasons = " ".join(desk.detail(stale.id).reasons)
    assert "no fresh price (the newest SOL price is from" in reasons
    assert "older than 24 hours): the top tier applies" in reasons
    for who in ("alice", "bob"):
        ApprovalService(vault, acting_as=who).decide(stale.id, "approve", "ok")
    assert desk.detail(stale.id).row.status == "pending"
    assert desk.detail(stale.id).row.needed == "1 more desk head"


def test_a_new_price_moves_an_open_request_and_decisions_sign_the_price(
    desk: ApprovalService, vault: Vault, tmp_path: Path
) -> None:
    row = desk.request_withdrawal("C-1", "LINK", Decimal("2"), "ethereum", ETH)
    assert row.valuation is not None and not row.valuation.fresh
    assert row.needed == "1 desk head + 2 officer"
    import_prices(vault, tmp_path, f"LINK,3000,USD,{hours_ago(2)}")
    assert desk.refresh() >= 1
    row = desk.detail(row.id).row
    assert row.needed == "1 officer"  # 6,000 USD
    assert row.valuation is not None and row.valuation.value == Decimal("6000")
    assert row.valuation.quote is not None and row.valuation.quote.source == "csv:prices.csv"
    outcome = ApprovalService(vault, acting_as="alice").decide(row.id, "approve", "ok")
    assert outcome.status == "approved"
    (decision,) = desk.detail(row.id).decisions
    assert decision.verified and decision.counted
    assert decision.valuation is not None
    assert (decision.valuation["value"], decision.valuation["price"]) == ("6000", "3000")
    assert decision.valuation["priceSource"] == "csv:prices.csv"
    # A price imported after the decision changes nothing decided.
    import_prices(vault, tmp_path, f"LINK,9000,USD,{hours_ago(1)}", name="later.csv")
    desk.refresh()
    assert desk.detail(row.id).row.status == "approved"
    assert desk.detail(row.id).row.valuation.value == Decimal("6000")  # type: ignore[union-attr]
    # The export carries typed data version 2, which eth-account checks alone.
    target = tmp_path / "export.json"
    desk.export(row.id, target)
    (exported,) = json.loads(target.read_text())["decisions"]
    typed = exported["typed_data"]
    assert typed["domain"]["version"] == "2"
    assert typed["message"]["valuation"]["price"] == "3000"
    signable = encode_typed_data(full_message=typed)
    assert Account.recover_message(signable, signature=exported["signature"]) == exported["signer"]
    # The decided event carries the valuation, so the decision verifies anywhere.
    payloads = [e.payload_json() for e in events.recent(vault.conn, limit=50)]
    decided = next(p for p in payloads if p.get("decision") == decision.id)
    assert decided["valuation"]["price"] == "3000"


def test_a_changed_signed_price_no_longer_verifies_and_version_1_still_does(
    desk: ApprovalService, vault: Vault, tmp_path: Path
) -> None:
    import_prices(vault, tmp_path, f"BTC,60000,USD,{hours_ago(1)}")
    row = desk.request_withdrawal("C-1", "BTC", Decimal("0.1"), "ethereum", ETH)
    ApprovalService(vault, acting_as="alice").decide(row.id, "approve", "ok")
    assert desk.verify_all().ok
    # A decision signed before prices (version 1: no valuation) keeps verifying.
    other = desk.request_withdrawal("C-1", "BTC", Decimal("0.1"), "ethereum", ETH)
    bob = next(m for m in desk.members() if m.name == "bob")
    key = store.private_key(vault.conn, bob.id)
    bob_row = store.member_by_name(vault.conn, "bob")
    assert key is not None and bob_row is not None
    content = json.loads(store.contents(vault.conn, [other.id])[other.id])
    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    message = signing.decision_message(content, "approve", "v1", at)
    with vault.transaction() as tx:
        record.decision(
            tx,
            DecisionRow(
                id="old-v1-decision",
                request_id=other.id,
                signer=bob.address,
                verdict="approve",
                reason="v1",
                created_at=at,
                typed_hash=signing.decision_digest(content, "approve", "v1", at),
                signature=signing.sign(key, "Decision", message),
                verified=None,
                local_only=True,
            ),
            customer_uid="c",
            signer=bob_row,
        )
    report = desk.verify_all()
    assert report.ok and report.checked == 2
    assert desk.detail(other.id).row.status == "approved"
    # Changing the signed price in the vault breaks that signature.
    with vault.transaction() as tx:
        tx.execute(
            "UPDATE approval_decisions SET valuation = replace(valuation, '60000', '6000') "
            "WHERE request_id = ?",
            (row.id,),
        )
        tx.event("test.tamper", {})
    report = desk.verify_all()
    assert (report.checked, report.invalid) == (2, 1)
    assert desk.detail(row.id).row.status == "pending"
