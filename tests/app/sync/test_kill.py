"""SIGKILL during a push and during a pull, then sync again: nothing lost, nothing twice,
both vaults verify. The syncing process is a real child process killed with -9."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from tests.app.sync.conftest import Pair, event_ids, notes
from tests.conftest import PASSPHRASE
from vault.keys import Keychain
from vault.unlock import Credentials, open_vault
from vault.verify import verify_vault

ROOT = Path(__file__).resolve().parents[3]
CHILD = """
import sys
from keyring.backends import fail
from app.sync import push
from app.sync.run import sync_run
from vault.keys import Keychain
from vault.unlock import Credentials, open_vault

push.MAX_EVENTS = 25
vault = open_vault(
    sys.argv[1], Credentials(passphrase=sys.argv[2], use_keychain=False),
    keychain=Keychain(fail.Keyring()),
)
print("open", flush=True)
report = sync_run(vault)
vault.close()
print("done", report.pushed, report.pulled, flush=True)
"""


def _sync_killed(path: Path, rng: random.Random, *, kills: int) -> str:
    """Run sync in a child `kills` times, each killed with SIGKILL a moment after it
    opened the vault; then once to the end. Returns the last child's last line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    for attempt in range(kills + 1):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), PASSPHRASE],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "open"
        if attempt < kills:
            try:
                child.wait(timeout=rng.uniform(0.05, 0.6))
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
            continue
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        return out.strip().splitlines()[-1]
    raise AssertionError("unreachable")


def test_sync_killed_during_push_and_pull_loses_nothing_and_repeats_nothing(
    pair: Pair, no_keychain: Keychain
) -> None:
    a, b, folder = pair
    notes(a, *(f"note {i}" for i in range(1000)))  # 40 segments of 25 events
    a_path, b_path = a.paths.db, b.paths.db
    a.close()
    b.close()
    rng = random.Random(11)

    _sync_killed(a_path, rng, kills=4)
    segments = sorted(p.name for p in folder.rglob("*.seg"))
    assert segments == [f"{n:08d}.seg" for n in range(1, len(segments) + 1)]
    assert len(segments) >= 40
    _sync_killed(b_path, rng, kills=4)

    creds = Credentials(passphrase=PASSPHRASE, use_keychain=False)
    a = open_vault(a_path, creds, keychain=no_keychain)
    b = open_vault(b_path, creds, keychain=no_keychain)
    try:
        [(shared,)] = a.conn.execute("SELECT max(last_event) FROM sync_outgoing").fetchall()
        mine = event_ids(a, a.device)
        assert event_ids(b, a.device) == mine[:shared]
        # What a still holds back are the unlocks and locks of the runs since.
        later = a.conn.execute(
            "SELECT DISTINCT type FROM events WHERE device = ? AND seq > ?", (a.device, shared)
        )
        assert {t for (t,) in later} <= {"vault.unlocked", "vault.locked"}
        mine = mine[:shared]
        [(receipts,)] = b.conn.execute("SELECT count(*) FROM event_receipts").fetchall()
        assert receipts == len(mine)
        # Each own event travelled in exactly one segment, in order.
        spans = a.conn.execute("SELECT first_event, last_event FROM sync_outgoing ORDER BY seq")
        ends = [(int(f), int(t)) for f, t in spans]
        assert all(f == t0 + 1 for (_, t0), (f, _) in itertools.pairwise(ends))
    finally:
        a.close()
        b.close()
    for path in (a_path, b_path):
        report = verify_vault(path, creds, keychain=no_keychain)
        assert report.ok, report.summary()
