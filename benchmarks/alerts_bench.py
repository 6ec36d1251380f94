"""All alert rules over the dashboards' big vault (issue 12: under 2 s).

The vault of benchmarks.dashboards_bench (at its SCALE), plus what the flow, dormant,
sanctions and export rules read: 14 days of native flows for one address in
FLOW_EVERY (a third of them with a drop), an old transfer before a quiet spell for
some, a sanctions list naming LISTED book addresses, and a few exports. Setup is bulk
SQL and not timed. Two figures: the first run (which raises every alert, all inserted
in one transaction) and a run over the same vault after it (the steady state: the
rules read everything again and find nothing new).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from app.alerts.engine import run_rules
from benchmarks.common import Figure, temp_folder
from benchmarks.dashboards_bench import ADDRESSES, CUSTOMERS, REQUESTS, SCALE, _fill
from benchmarks.screening_bench import _bench_vault
from vault.connection import Connection

TARGET = 2.0
FLOW_EVERY = 20
LISTED = 1000
ETH = 10**18


def _more(conn: Connection, rng: random.Random, now: datetime) -> int:
    today = now.date()
    fetched = now.isoformat()
    conn.execute("BEGIN")
    rows = []
    for i in range(1, ADDRESSES + 1, FLOW_EVERY):
        address = f"0x{i:040x}"
        drop = i % 3 == 0
        quiet = i % 7 == 0  # dormant for a year, active this week
        for n in range(7 if quiet else 14):
            inflow = rng.randrange(ETH, 40 * ETH)
            if drop and n < 7:
                inflow //= 4
            day = (today - timedelta(days=n)).isoformat()
            rows.append(("ethereum", address, day, "", "ETH", 18, str(inflow),
                         str(rng.randrange(ETH)), 3, 1, "bench", fetched))  # fmt: skip
        if quiet:  # a transfer long before the quiet spell
            day = (today - timedelta(days=400)).isoformat()
            rows.append(("ethereum", address, day, "", "ETH", 18, str(ETH), "0", 1, 1, "bench",
                         fetched))  # fmt: skip
    conn.executemany(
        "INSERT OR IGNORE INTO explorer_flows (chain, address, day, asset, symbol, decimals, "
        "inflow, outflow, transfers, complete, source, fetched_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.execute(
        "INSERT INTO sanctions_lists (source, label, list_date, file_name, sha256, imported_at, "
        "counts) VALUES ('ofac-plain-ETH', 'bench list', ?, 'bench.txt', '00', ?, '{}')",
        (today.isoformat(), fetched),
    )
    conn.executemany(
        "INSERT INTO sanctions_addresses (source, family, key, address, assets, valid) "
        "VALUES ('ofac-plain-ETH', 'evm', ?, ?, '[\"ETH\"]', 1)",
        ((f"0x{i:040x}", f"0x{i:040x}") for i in rng.sample(range(1, ADDRESSES + 1), LISTED)),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return len(rows)


def bench_alerts() -> list[Figure]:
    rng = random.Random(12)
    now = datetime.now(UTC)
    with temp_folder() as folder, _bench_vault(folder) as vault:
        _fill(vault.conn, rng, now)
        flows = _more(vault.conn, rng, now)
        for n in range(3):  # one person's exports today: 3 x 400 customers
            vault.audit("export.created", {"kind": "customers", "rows": 400, "reason": f"b{n}"})
        size = (
            f"{ADDRESSES:,} addresses, {CUSTOMERS:,} customers, {int(ADDRESSES * 0.9):,} "
            f"screenings, {REQUESTS:,} requests, {flows:,} flow days (scale {SCALE:g})"
        )
        start, cpu = time.perf_counter(), time.process_time()
        first = run_rules(vault, now=now)
        first_s, first_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        again = run_rules(vault, now=now)
        again_s, again_cpu = time.perf_counter() - start, time.process_time() - cpu
    if again.raised or not first.raised:
        raise SystemExit("alerts: the second run raised again, or the first raised nothing")
    rules = Counter(r.rule for r in first.raised)
    if len(rules) < 8:
        raise SystemExit(f"alerts: only {sorted(rules)} raised")
    raised = ", ".join(f"{k} {v:,}" for k, v in sorted(rules.items()))
    return [
        Figure("alerts_all_rules", again_s, "s",
               f"< {TARGET} s, every rule read again, nothing new ({again_cpu:.2f} s of CPU); "
               f"{first.live:,} live alerts; "
               f"{size}", again_s / TARGET, "target"),
        Figure("alerts_all_rules_first_run", first_s, "s",
               f"< {TARGET} s, raising {len(first.raised):,} alerts in one transaction "
               f"({first_cpu:.2f} s of CPU) "
               f"({raised}); {size}", first_s / TARGET, "target"),
    ]  # fmt: skip
