"""SIGKILL a writer at random moments: every reported commit survives, the chain verifies."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import PASSPHRASE
from vault.events import verify_chain
from vault.keys import Keychain
from vault.unlock import Credentials, create_vault, open_vault
from vault.verify import verify_vault

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50


def _run_and_kill(path: Path, rng: random.Random) -> list[int]:
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_writer.py")), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(PASSPHRASE + "\n")
    proc.stdin.flush()
    if rng.random() < 0.8:
        # Mostly kill while it writes; sometimes while it is still unlocking.
        proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.25))
    else:
        time.sleep(rng.uniform(0.0, 0.6))
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    return [int(line) for line in out.split() if line.isdigit()]


def test_sigkill_never_loses_a_reported_commit(vault_path: Path, no_keychain: Keychain) -> None:
    create_vault(vault_path, passphrase=PASSPHRASE, keychain=no_keychain).vault.close()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261122")))
    reported: set[int] = set()
    killed_mid_write = 0
    for i in range(KILLS):
        committed = _run_and_kill(vault_path, rng)
        killed_mid_write += bool(committed)
        reported.update(committed)
        vault = open_vault(vault_path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
        try:
            assert verify_chain(vault.conn).ok, f"chain broken after kill {i}"
            has_table = vault.conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'crash_rows'"
            ).fetchone()[0]
            rows = (
                {r[0] for r in vault.conn.execute("SELECT n FROM crash_rows")}
                if has_table
                else set()
            )
            missing = reported - rows
            assert not missing, f"kill {i}: reported commits lost: {sorted(missing)[:5]}"
            events = {
                int(r[0])
                for r in vault.conn.execute(
                    "SELECT json_extract(payload, '$.n') FROM events WHERE type = 'test.crash_row'"
                )
            }
            assert events == rows, f"kill {i}: rows and events disagree"
        finally:
            vault.close(audit=False)
    assert killed_mid_write >= KILLS // 2, "too few kills landed while writing"
    assert len(reported) > 100
    report = verify_vault(vault_path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert report.ok, report.summary()
