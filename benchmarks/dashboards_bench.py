"""The Dashboards over a big vault: each overview reader (one tile group, as the page
runs them on the database worker) and the risk-over-time chart.

The issue's vault is 1M addresses, 200k customers, 1M screenings and 100k requests.
Writing that takes many minutes on a small machine, so this builds it at SCALE (a
quarter by default; STRONGROOM_BENCH_SCALE=1 for the full size) and says so in each
figure. Setup is bulk SQL and not timed.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from app.dashboards import charts, overview
from benchmarks.book_bench import insert_customers
from benchmarks.common import Figure, temp_folder
from benchmarks.screening_bench import _bench_vault
from vault.connection import Connection

SCALE = float(os.environ.get("STRONGROOM_BENCH_SCALE", "0.25"))
CUSTOMERS = int(200_000 * SCALE)
ADDRESSES = int(1_000_000 * SCALE)
REQUESTS = int(100_000 * SCALE)
#: the issue's targets: every tile filled under 2 s (the first sooner, under 1 s)
ALL_TILES = 2.0
FIRST_TILE = 1.0
RISK_CHART = 2.0
_LEVELS = ("none", "none", "none", "low", "low", "medium", "high", "severe")
_KYC = ("approved", "approved", "pending", "not_started", "expired")
_STATUSES = ("pending", "approved", "approved", "rejected", "expired", "blocked")


def _fill(conn: Connection, rng: random.Random, now: datetime) -> None:
    stamp = now.isoformat()
    conn.execute("BEGIN")
    insert_customers(conn, rng, CUSTOMERS, stamp)
    conn.executemany(
        "UPDATE customers SET kyc_status = ?, kyc_expires_at = ? WHERE id = ?",
        (
            (rng.choice(_KYC), (now + timedelta(days=rng.randint(-30, 400))).date().isoformat(), i)
            for i in range(1, CUSTOMERS + 1)
        ),
    )
    conn.executemany(
        "INSERT INTO addresses (customer_id, chain, address, address_key, created_at) "
        "VALUES (?, 'ethereum', ?, ?, ?)",
        (
            (rng.randrange(1, CUSTOMERS + 1), f"0x{i:040x}", f"0x{i:040x}", stamp)
            for i in range(1, ADDRESSES + 1)
        ),
    )
    # One answer per address (9 in 10 addresses), spread over the last 90 days.
    conn.executemany(
        "INSERT INTO screenings (address, chain, provider, level, score, sanctioned, "
        "fetched_at, status) VALUES (?, 'ethereum', ?, ?, 0, ?, ?, 'ok')",
        (
            (
                f"0x{i:040x}",
                rng.choice(("sanctions-list", "chainalysis")),
                level,
                int(level == "severe" and i % 7 == 0),
                (now - timedelta(seconds=rng.randrange(90 * 86_400))).isoformat(),
            )
            for i in range(1, ADDRESSES + 1)
            if i % 10 and (level := rng.choice(_LEVELS))
        ),
    )
    member = str(uuid.UUID(int=1))
    conn.execute(
        "INSERT INTO approval_members (id, name, address, is_root, created_at) "
        "VALUES (?, 'bench', '0x0000000000000000000000000000000000000001', 1, ?)",
        (member, stamp),
    )
    conn.executemany(
        "INSERT INTO approval_requests (id, kind, customer_id, content, created_at, "
        "created_by, status) VALUES (?, 'withdrawal', ?, '{}', ?, ?, ?)",
        (
            (
                str(uuid.UUID(int=i)),
                rng.randrange(1, CUSTOMERS + 1),
                (now - timedelta(seconds=rng.randrange(30 * 86_400))).isoformat(),
                member,
                rng.choice(_STATUSES),
            )
            for i in range(1, REQUESTS + 1)
        ),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def bench_dashboards() -> list[Figure]:
    rng = random.Random(12)
    now = datetime.now(UTC)
    size = (
        f"{ADDRESSES:,} addresses, {CUSTOMERS:,} customers, {int(ADDRESSES * 0.9):,} "
        f"screenings, {REQUESTS:,} requests (scale {SCALE:g} of the issue's vault)"
    )
    with temp_folder() as folder, _bench_vault(folder) as vault:
        _fill(vault.conn, rng, now)
        times: dict[str, float] = {}
        for read in overview.READERS:
            start = time.perf_counter()
            tiles = read(vault.conn, now)
            times[read.__name__] = time.perf_counter() - start
            if not tiles or not any(f.value for t in tiles for f in t.figures):
                raise SystemExit(f"{read.__name__}: no figures")
        start = time.perf_counter()
        chart = charts.risk_chart(vault.conn, charts.Span.last_days(90, now.date()), now)
        risk = time.perf_counter() - start
        if sum(s.values[-1] for s in chart.series) < ADDRESSES * 0.8:
            raise SystemExit("risk chart: too few addresses on the last day")
    every = sum(times.values())
    first = min(times.values())
    slowest = max(times, key=lambda k: times[k])
    return [
        Figure("dashboards_first_tile", first, "s", f"< {FIRST_TILE} s; {size}",
               first / FIRST_TILE, "target"),
        Figure("dashboards_all_tiles", every, "s",
               f"< {ALL_TILES} s, the readers one after another on the worker (slowest: "
               f"{slowest} {times[slowest]:.2f} s); {size}", every / ALL_TILES, "target"),
        Figure("dashboards_risk_chart_90_days", risk, "s", f"< {RISK_CHART} s; {size}",
               risk / RISK_CHART, "target"),
    ]  # fmt: skip
