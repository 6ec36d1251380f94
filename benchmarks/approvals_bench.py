"""Approval figures: verifying every decision signature, and the status of a big queue.

python -m benchmarks.approvals_bench     (or through benchmarks/run.py --only approvals)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import coincurve

from app.approvals import signing
from app.approvals.service import ApprovalService, utc_now
from app.book.models import CustomerDraft
from app.book.service import CustomerBook
from app.prices.book import store_quotes
from app.prices.quotes import Quote
from benchmarks.common import PASSPHRASE, Figure, MemoryKeyring, temp_folder
from vault.approvals import store
from vault.events import canonical_payload, time_ordered_id
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

SIGNED_REQUESTS = 10_000
STATUS_REQUESTS = 100_000
PER_REQUEST = 5
ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


def _desk(vault: Vault) -> tuple[ApprovalService, list[tuple[str, bytes]], str, int]:
    """The root admin, five officers with keys in the vault, one customer."""
    book = CustomerBook(vault)
    with vault.transaction() as tx:
        customer_id, _ = book.save_customer(
            tx, CustomerDraft(display_name="Bench Ltd", external_id="B-1")
        )
    service = ApprovalService(vault)
    service.set_policy(
        service.policy_text().replace("unscreened: needs_refresh", "unscreened: allow")
    )
    # The tiers count USD: a fresh USDT price, so every request is valued (at par).
    usdt = Quote("USDT", "USD", Decimal(1), utc_now() - timedelta(hours=2), "bench")
    store_quotes(vault, [usdt], now=utc_now(), about={"file": "bench"})
    officers = []
    for n in range(PER_REQUEST):
        member = service.add_member(f"officer {n}", ["officer"])
        key = vault.conn.execute(
            "SELECT id FROM approval_members WHERE name = ?", (member.name,)
        ).fetchone()[0]
        private = store.private_key(vault.conn, str(key))
        assert private is not None
        officers.append((member.address, private))
    return service, officers, service.me().address, customer_id


def _requests(
    count: int, root_member: str, creator: str, customer_id: int
) -> Iterator[tuple[dict[str, str], tuple[object, ...]]]:
    start = utc_now() - timedelta(hours=1)
    for i in range(count):
        created = (start + timedelta(microseconds=i)).isoformat(timespec="microseconds")
        rid = time_ordered_id()
        amount = str(1000 + (i % 240) * 1000)  # every tier but the desk head one
        content = {
            "id": rid,
            "kind": "withdrawal",
            "customer": "B-1",
            "asset": "USDT",
            "amount": amount,
            "chain": "ethereum",
            "address": ADDRESS,
            "limit": "",
            "justification": "",
            "createdAt": created,
            "createdBy": creator,
        }
        row = (
            rid,
            "withdrawal",
            customer_id,
            canonical_payload(content).decode(),
            float(amount),
            amount,
            "USDT",
            "ethereum",
            ADDRESS,
            created,
            root_member,
        )
        yield content, row


_INSERT_REQUEST = (
    "INSERT INTO approval_requests (id, kind, customer_id, content, amount, amount_exact, "
    "asset, chain, address, created_at, created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)
_INSERT_DECISION = (
    "INSERT INTO approval_decisions (id, request_id, signer, verdict, reason, created_at, "
    "typed_hash, signature, verified, local_only) VALUES (?,?,?,?,?,?,?,?,?,1)"
)


def _fill(vault: Vault, count: int, officers: list[tuple[str, bytes]], *, sign: bool) -> None:
    """`count` requests with one decision by each officer. Signed for real (coincurve on
    the EIP-712 digest, which eth-account's signature equals: tests/app/approvals) when
    `sign`; else marked verified, as a vault that checked them before would hold them."""
    root_member, creator = vault.conn.execute(
        "SELECT id, address FROM approval_members WHERE is_root = 1"
    ).fetchone()
    customer_id = vault.conn.execute("SELECT id FROM customers").fetchone()[0]
    keys = [(address, coincurve.PrivateKey(private)) for address, private in officers]
    requests: list[tuple[object, ...]] = []
    decisions: list[tuple[object, ...]] = []
    decided = utc_now().isoformat(timespec="milliseconds")
    with vault.transaction() as tx:
        for content, row in _requests(count, root_member, creator, customer_id):
            requests.append(row)
            for address, key in keys:
                verdict = "approve"
                digest = signing.decision_digest(content, verdict, "fine", decided)
                if sign:
                    raw = key.sign_recoverable(digest, hasher=None)
                    signature = raw[:64] + bytes([raw[64] + 27])
                else:
                    signature = bytes(65)
                decisions.append(
                    (
                        time_ordered_id(),
                        row[0],
                        address,
                        verdict,
                        "fine",
                        decided,
                        digest,
                        signature,
                        None if sign else 1,
                    )
                )
            if len(decisions) >= 50_000:
                tx.conn.executemany(_INSERT_REQUEST, requests)
                tx.conn.executemany(_INSERT_DECISION, decisions)
                requests.clear()
                decisions.clear()
        tx.conn.executemany(_INSERT_REQUEST, requests)
        tx.conn.executemany(_INSERT_DECISION, decisions)
        store.sync_facts(tx.conn, None)
        tx.event("bench.filled", {"requests": count})


def _filled(path: Path, count: int, *, sign: bool) -> tuple[Vault, ApprovalService]:
    vault = create_vault(path, passphrase=PASSPHRASE, keychain=Keychain(MemoryKeyring())).vault
    service, officers, _, _ = _desk(vault)
    _fill(vault, count, officers, sign=sign)
    return vault, service


def bench_approvals() -> list[Figure]:
    figures: list[Figure] = []
    with temp_folder() as folder:
        vault, service = _filled(folder / "signed.vault", SIGNED_REQUESTS, sign=True)
        start = time.perf_counter()
        report = service.verify_all()
        elapsed = time.perf_counter() - start
        total = SIGNED_REQUESTS * PER_REQUEST
        if report.checked != total or report.invalid:
            raise SystemExit(f"approvals benchmark: unexpected report {report}")
        approved = vault.conn.execute(
            "SELECT count(*) FROM approval_requests WHERE status = 'approved'"
        ).fetchone()[0]
        if approved != SIGNED_REQUESTS:
            raise SystemExit(f"approvals benchmark: {approved} approved, not {SIGNED_REQUESTS}")
        vault.close(audit=False)
        figures.append(
            Figure(
                "approvals_verify_10k_requests_x5",
                elapsed,
                "s",
                f"< 20 s ({total} EIP-712 signatures recovered and checked, statuses computed)",
                elapsed / 20,
                "target",
            )
        )

        vault, service = _filled(folder / "queue.vault", STATUS_REQUESTS, sign=False)
        start = time.perf_counter()
        changed = service.recompute_all()
        first = time.perf_counter() - start
        vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as the idle app would have
        start = time.perf_counter()
        service.recompute_all()
        again = time.perf_counter() - start
        if changed != STATUS_REQUESTS:
            raise SystemExit(f"approvals benchmark: {changed} statuses changed")
        vault.close(audit=False)
        figures += [
            Figure(
                "approvals_status_100k",
                again,
                "s",
                f"< 2 s ({STATUS_REQUESTS} requests x {PER_REQUEST} decisions, verification "
                "cached in the vault: every status recomputed by the pure function)",
                again / 2,
                "target",
            ),
            Figure(
                "approvals_status_100k_first_write",
                first,
                "s",
                "none (informational: the same when every request becomes approved at once, "
                "so 100k cached statuses and 100k finalized events are written)",
                first / 2,
                "approvals_status_100k target",
            ),
        ]
    return figures


if __name__ == "__main__":
    for figure in bench_approvals():
        print(figure.line())
