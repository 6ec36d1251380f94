"""The crash harness (benchmarks/crash_bench.py): 50 SIGKILLs of a process importing,
screening, deciding and syncing; every kill leaves a vault that opens and verifies, with
every acknowledged write in it once. The benchmark runs 1,000."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.screening.risk import Level, RiskResult, utc_now
from benchmarks import crash_bench
from vault.screening import screenings

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50


def test_fifty_kills_lose_nothing_and_apply_nothing_twice(tmp_path: Path) -> None:
    # In its own process: the harness forks its writers, which a test process with
    # threads must not do.
    out = tmp_path / "tally.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.crash_bench", "--kills", str(KILLS), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tally = json.loads(out.read_text())
    assert tally["ok"] and tally["kills"] == KILLS, done.stdout
    assert tally["corrupt"] == tally["lost"] == tally["twice"] == tally["errors"] == []
    assert tally["converged"]
    # The kills landed inside writes, and every kind of write was acknowledged.
    assert tally["mid_operation"] >= KILLS // 2
    assert set(tally["by_kind"]) == {"import", "screen", "request", "decision", "sync"}
    assert tally["synced_from_b"] > 0


def test_the_checks_see_a_lost_write_and_one_applied_twice(tmp_path: Path) -> None:
    """The harness would say so: an acknowledged import that is not there is lost, a
    screening stored twice is doubled."""
    desk = crash_bench.make_desk(tmp_path)
    acks, tally = crash_bench.Acks(), crash_bench.Tally()
    acks.take("ack import never-1")
    acks.take(f"ack screen 0x{'a' * 40}")
    crash_bench.check(desk, acks, tally, 0)
    assert len(tally.lost) == crash_bench.PER_FILE + 1 and not tally.twice
    assert not tally.corrupt

    vault = crash_bench._open(desk, desk.a)
    answer = RiskResult(
        chain="ethereum",
        address="0x" + "b" * 40,
        provider=crash_bench.PROVIDER,
        level=Level.LOW,
        score=1,
        fetched_at=utc_now(),
        source="test",
    )
    with vault.transaction() as tx:
        screenings.record(tx.conn, answer.to_record())
        screenings.record(tx.conn, answer.to_record())
    vault.close()
    tally = crash_bench.Tally()
    crash_bench.check(desk, crash_bench.Acks(), tally, 1)
    assert tally.twice == [f"kill 1: screening stored twice: 0x{'b' * 40}"]
