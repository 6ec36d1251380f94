"""Approval-queue figure: the queue view over 100k requests shows its first rows.

python -m benchmarks.queue_view_bench     (or through benchmarks/run.py --only queue)

The requests are written in bulk (setup, not timed) in the shape the approval
service stores them; the timing runs in a child process (benchmarks/queue_probe.py)
that unlocks the vault and builds the real queue model and view.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from app.addresses.evm import to_checksum_address
from app.approvals.service import ApprovalService
from benchmarks.book_bench import insert_customers
from benchmarks.common import PASSPHRASE, Figure, MemoryKeyring, run_probe, temp_folder
from vault.events import canonical_payload
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

REQUESTS = 100_000
CUSTOMERS = 20_000
KINDS = ("whitelist", "whitelist", "withdrawal", "withdrawal", "onboarding", "risk_override")
STATUSES = ("pending", "pending", "needs_refresh", "approved", "rejected", "blocked", "expired")
LEVELS = (None, "none", "low", "medium", "high", "severe")
_COLUMNS = (
    "id, kind, customer_id, content, amount, amount_exact, asset, chain, address, created_at, "
    "created_by, status, approvals, needed, risk_level, sanctioned, risk_fetched_at, local_only"
)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _request(
    rng: random.Random, i: int, member: tuple[str, str], now: datetime
) -> tuple[object, ...]:
    kind = rng.choice(KINDS)
    customer = rng.randrange(1, CUSTOMERS + 1)
    created = now - timedelta(seconds=rng.randrange(30 * 86_400))
    chain = address = asset = None
    amount: int | None = None
    if kind != "onboarding":
        chain, address = "ethereum", to_checksum_address(rng.randbytes(20))
    if kind == "withdrawal":
        asset, amount = "USDT", rng.randrange(100, 1_000_000)
    elif kind == "whitelist" and rng.random() < 0.7:
        amount = rng.choice((5_000, 10_000, 50_000, 250_000))
    request_id = str(uuid.UUID(int=i + 1))
    content = {
        "id": request_id,
        "kind": kind,
        "customer": f"C{customer}",
        "asset": asset or "",
        "amount": str(amount) if kind == "withdrawal" and amount else "",
        "chain": chain or "",
        "address": address or "",
        "limit": str(amount) if kind == "whitelist" and amount else "",
        "justification": "accepted: known counterparty" if kind == "risk_override" else "",
        "createdAt": _iso(created),
        "createdBy": member[1],
    }
    level = rng.choice(LEVELS) if address else None
    return (
        request_id,
        kind,
        customer,
        canonical_payload(content).decode(),
        None if amount is None else float(amount),
        None if amount is None else str(amount),
        asset,
        chain,
        address,
        _iso(created),
        member[0],
        rng.choice(STATUSES),
        rng.randrange(3),
        rng.choice(("", "1 officer", "1 more officer", "1 desk head")),
        level,
        int(level == "severe" and rng.random() < 0.3),
        None if level is None else _iso(created - timedelta(hours=rng.randrange(72))),
        int(rng.random() < 0.2),
    )


def fill_queue(vault: Vault, rng: random.Random) -> None:
    """20k customers and 100k requests written in bulk (setup, not timed)."""
    me = ApprovalService(vault).me()  # the vault's member, its key and the default policy
    conn = vault.conn
    member = (
        str(conn.execute("SELECT id FROM approval_members WHERE is_root = 1").fetchone()[0]),
        me.address,
    )
    now = datetime.now(UTC)
    stamp = _iso(now)
    conn.execute("BEGIN")
    insert_customers(conn, rng, CUSTOMERS, stamp)
    batch = []
    for i in range(REQUESTS):
        batch.append(_request(rng, i, member, now))
        if len(batch) == 20_000:
            conn.executemany(
                f"INSERT INTO approval_requests ({_COLUMNS}) VALUES ({', '.join('?' * 18)})",
                batch,
            )
            batch.clear()
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def bench_queue_view() -> list[Figure]:
    rng = random.Random(23)
    with temp_folder() as folder:
        path = folder / "queue.vault"
        vault = create_vault(path, passphrase=PASSPHRASE, keychain=Keychain(MemoryKeyring())).vault
        fill_queue(vault, rng)
        vault.close(audit=False)
        view = run_probe("benchmarks.queue_probe", path)
    if not view["default_rows"] or not view["narrow_rows"]:
        raise SystemExit(f"queue view benchmark: no rows shown: {view}")
    return [
        Figure(
            "queue_view_first_rows",
            view["default_s"],
            "s",
            f"< 1 s (100k requests, {view['default_total']:,} open, oldest first)",
            view["default_s"] / 1.0,
            "target",
        ),
        Figure(
            "queue_view_filtered_first_rows",
            view["narrow_s"],
            "s",
            f"< 1 s (open whitelist requests of customers named like 'Maria': "
            f"{view['narrow_total']:,}, largest limit first)",
            view["narrow_s"] / 1.0,
            "target",
        ),
        Figure(
            "queue_view_rss",
            view["rss_mib"],
            "MiB",
            "< 400 MiB peak RSS of the process showing the queue",
            view["rss_mib"] / 400,
            "target",
        ),
    ]


if __name__ == "__main__":
    for figure in bench_queue_view():
        print(figure.line())
