"""Speed figures for Strongroom, measured against real vaults on this machine.

    python benchmarks/run.py [--only NAME] [--json FILE]

Prints one line per figure: `NAME: VALUE UNIT (target ...; ratio R to BASELINE)`.
Where an issue names a baseline, the baseline is measured in the same run and
the ratio is value / baseline; otherwise the ratio is value / target, so a
ratio under 1 means the target is met. The JSON file maps each NAME to
`{value, unit, target, ratio, baseline}`.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from benchmarks import (
    alerts_bench,
    approvals_bench,
    book_bench,
    crash_bench,
    dashboards_bench,
    names_bench,
    queue_view_bench,
    screening_bench,
    screening_view_bench,
    sync_bench,
    sync_run_bench,
)
from benchmarks.common import PASSPHRASE, Figure, MemoryKeyring, temp_folder
from vault.events import GENESIS, canonical_payload, event_hash
from vault.keys import Keychain
from vault.unlock import Credentials, create_vault, open_vault
from vault.verify import check


def _keychain() -> tuple[Keychain, str]:
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        from keyring.backends import SecretService

        ring = SecretService.Keyring()  # type: ignore[no-untyped-call]
        try:
            ring.get_password("strongroom-probe", "probe")  # type: ignore[no-untyped-call]
            return Keychain(ring), "Secret Service"
        except Exception:  # noqa: S110 - no usable Secret Service: measure without it
            pass
    return Keychain(MemoryKeyring()), "in-memory keychain"


def bench_unlock() -> list[Figure]:
    keychain, where = _keychain()
    with temp_folder() as folder:
        path = folder / "bench.vault"
        made = create_vault(path, passphrase=PASSPHRASE, keychain=keychain)
        made.vault.close()
        times = []
        for _ in range(20):
            start = time.perf_counter()
            vault = open_vault(path, Credentials(), keychain=keychain)
            times.append(time.perf_counter() - start)
            vault.close(audit=False)
        keychain.delete(made.vault.vault_id)
        median_ms = statistics.median(times) * 1000
    return [
        Figure(
            "unlock_raw_key_median",
            median_ms,
            "ms",
            f"< 150 ms, median of 20 opens, key from the {where}",
            median_ms / 150,
            "target",
        )
    ]


ROWS = 100_000


def _rows() -> list[tuple[int, str]]:
    return [(i, f"customer-{i:06d}|note number {i} for the desk") for i in range(ROWS)]


def _timed_inserts(conn: sqlite3.Connection, rows: list[tuple[int, str]]) -> float:
    conn.execute("CREATE TABLE bench (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO bench VALUES (?, ?)", rows)
    conn.execute("COMMIT")
    return time.perf_counter() - start


def bench_writes() -> list[Figure]:
    rows = _rows()
    figures: list[Figure] = []
    with temp_folder() as folder:
        plain = sqlite3.connect(folder / "plain.db", isolation_level=None)
        plain.execute("PRAGMA journal_mode = WAL")
        plain.execute("PRAGMA synchronous = FULL")
        plain.execute("PRAGMA secure_delete = ON")
        plain_s = _timed_inserts(plain, rows)
        plain.close()
        vault = create_vault(
            folder / "bench.vault", passphrase=PASSPHRASE, keychain=Keychain(MemoryKeyring())
        ).vault
        vault_s = _timed_inserts(vault.conn, rows)
        start = time.perf_counter()
        with vault.transaction() as tx:
            for i in range(ROWS):
                tx.event("bench.write", {"i": i})
        events_s = time.perf_counter() - start
        vault.close(audit=False)
        figures = [
            Figure(
                "write_100k_plain_sqlite3",
                plain_s * 1000,
                "ms",
                "baseline (plain sqlite3, same pragmas, one transaction)",
                1.0,
                "itself",
            ),
            Figure(
                "write_100k_vault",
                vault_s * 1000,
                "ms",
                "ratio < 2 to plain sqlite3",
                vault_s / plain_s,
                "write_100k_plain_sqlite3",
            ),
            Figure(
                "append_100k_events_vault",
                events_s * 1000,
                "ms",
                "none (informational: hash-chained events, one transaction)",
                events_s / plain_s,
                "write_100k_plain_sqlite3",
            ),
        ]
    return figures


EVENTS = 1_000_000


def _bulk_chain(conn: sqlite3.Connection, device: str, count: int) -> None:
    """Write a valid chain of `count` events fast (bypassing per-event upserts)."""
    prev = GENESIS
    created = "2026-01-01T00:00:00.000+00:00"
    conn.execute("BEGIN IMMEDIATE")
    batch: list[tuple[object, ...]] = []
    for seq in range(1, count + 1):
        event_id = str(uuid.UUID(int=seq))
        payload = canonical_payload({"n": seq, "note": "benchmark event"})
        digest = event_hash(
            prev_hash=prev,
            event_id=event_id,
            device=device,
            seq=seq,
            lamport=seq,
            type_="bench.event",
            payload=payload,
            author="bench",
            created_at=created,
        )
        batch.append(
            (event_id, device, seq, seq, "bench.event", payload, "bench", created, prev, digest)
        )
        prev = digest
        if len(batch) == 50_000:
            conn.executemany(
                "INSERT INTO events (id, device, seq, lamport, type, payload, author, created_at, "
                "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                batch,
            )
            batch.clear()
    if batch:
        conn.executemany(
            "INSERT INTO events (id, device, seq, lamport, type, payload, author, created_at, "
            "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            batch,
        )
    conn.execute(
        "INSERT INTO devices (device, last_seq, last_hash) VALUES (?, ?, ?)", (device, count, prev)
    )
    conn.execute("COMMIT")


def bench_verify() -> list[Figure]:
    figures: list[Figure] = []
    with temp_folder() as folder:
        path = folder / "big.vault"
        vault = create_vault(path, passphrase=PASSPHRASE, keychain=Keychain(MemoryKeyring())).vault
        vault.conn.execute("DELETE FROM events")
        vault.conn.execute("DELETE FROM devices")
        _bulk_chain(vault.conn, "bench-device", EVENTS)
        vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        start = time.perf_counter()
        report = check(vault.reader, path)
        elapsed = time.perf_counter() - start
        if not report.ok or report.chain is None or report.chain.events_checked != EVENTS:
            raise SystemExit(f"verify benchmark: unexpected report: {report.summary()}")
        size_mb = path.stat().st_size / 1e6
        vault.close(audit=False)
        figures = [
            Figure(
                "verify_1m_events",
                elapsed,
                "s",
                f"< 10 s (pages + structure + chain; {size_mb:.0f} MB vault)",
                elapsed / 10,
                "target",
            )
        ]
    return figures


BENCHES: dict[str, Callable[[], list[Figure]]] = {
    "unlock": bench_unlock,
    "writes": bench_writes,
    "verify": bench_verify,
    "import": book_bench.bench_import,
    "book": book_bench.bench_big_book,
    "sanctions": screening_bench.bench_sanctions,
    "queue": queue_view_bench.bench_queue_view,
    "screening": lambda: [
        *screening_bench.bench_screening_rate_limited(),
        *screening_bench.bench_screening_cached(),
    ],
    "screening_view": screening_view_bench.bench_screening_view,
    "approvals": approvals_bench.bench_approvals,
    "dashboards": dashboards_bench.bench_dashboards,
    "alerts": alerts_bench.bench_alerts,
    "names": names_bench.bench_names,
    "sync": lambda: [*sync_bench.bench_sync_apply(), *sync_run_bench.bench_sync_run()],
    "crash": crash_bench.bench_crash,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="a group or figure name")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    wanted = set(args.only or [])
    figures: list[Figure] = []
    for group, bench in BENCHES.items():
        if wanted and group not in wanted and not any(w.startswith(group) for w in wanted):
            continue
        for figure in bench():
            if wanted and group not in wanted and figure.name not in wanted:
                continue
            print(figure.line(), flush=True)
            figures.append(figure)
    if args.json:
        data = {f.name: {k: v for k, v in asdict(f).items() if k != "name"} for f in figures}
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
