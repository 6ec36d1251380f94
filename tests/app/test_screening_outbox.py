"""The outbox: look-ups that could not reach their provider wait in the vault, survive
a killed process, and run exactly once when the provider is back."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from app.screening.batch import run_outbox
from app.screening.cache import Origin
from app.screening.outbox import Backoff, screening_key
from app.screening.risk import Status, utc_now
from app.screening.secrets import set_key
from app.screening.service import Screening
from tests.app.test_screening_support import (
    ADDRESS_PATH,
    NAME,
    SanctionsApi,
    ScriptedProvider,
    evm,
    new_vault,
    reopen,
    sanctions_handler,
)
from vault.screening import outbox as store
from vault.store import Vault

ROOT = Path(__file__).resolve().parents[2]
LATER = timedelta(hours=2)  # past any first backoff


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    made = new_vault(tmp_path / "outbox.vault")
    yield made
    if made.is_open:
        made.close()


def refused_url() -> str:
    """127.0.0.1 on a port where nothing listens: the connection is refused (offline)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return f"http://127.0.0.1:{port}"


def screenings_of(vault: Vault) -> dict[str, int]:
    return dict(
        vault.conn.execute("SELECT address, count(*) FROM screenings GROUP BY address").fetchall()
    )


CHILD = """
import sys, time
from pathlib import Path
from app.screening.service import Screening
from tests.app.test_screening_support import NAME, SanctionsApi, evm, reopen

vault = reopen(Path(sys.argv[1]))
api = SanctionsApi(sys.argv[2])  # nothing listens there: offline
found = Screening(vault, providers={NAME: api}).lookup(
    [("ethereum", evm(i)) for i in range(100)], provider=NAME
)
assert [x.status for x in found] == ["queued"] * 100, found[:3]
print("queued", Screening(vault).waiting(), flush=True)
time.sleep(600)  # killed here, the vault never closed
"""


def test_queued_look_ups_survive_a_killed_process_and_run_exactly_once(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    path = tmp_path / "desk.vault"
    new_vault(path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), refused_url()],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.split() == ["queued", "100"], (line, child.stderr and child.stderr.read())
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # Restart: a new opening of the vault, and the provider is reachable again.
    httpserver.expect_request(ADDRESS_PATH).respond_with_handler(sanctions_handler)
    api = SanctionsApi(httpserver.url_for("/"))
    vault = reopen(path)
    try:
        assert Screening(vault).waiting() == 100
        waiting = store.pending(vault.conn)
        assert {i.attempts for i in waiting} == {1}
        # The first calls found nothing listening; the breaker then paused the rest.
        assert all(
            "could not be reached" in (i.last_error or "") or "paused" in (i.last_error or "")
            for i in waiting
        )
        assert screenings_of(vault) == {}  # unreachable is not an answer: nothing stored

        now = utc_now() + LATER
        first = run_outbox(vault, {NAME: api}, now=now, limit=1000)
        assert (first.done, first.retried, first.waiting) == (100, 0, 0)
        assert len(httpserver.log) == 100  # the provider call counter
        again = run_outbox(vault, {NAME: api}, now=now + LATER, limit=1000)
        assert (again.done, len(httpserver.log)) == (0, 100)  # drained twice: none twice
        assert screenings_of(vault) == {evm(i): 1 for i in range(100)}
        assert Screening(vault).waiting() == 0
    finally:
        api.close()
        vault.close()
    # Closing and opening again changes nothing: the outbox stays drained.
    vault = reopen(path)
    try:
        assert Screening(vault).waiting() == 0
        assert run_outbox(vault, {NAME: ScriptedProvider()}, now=utc_now() + LATER).done == 0
    finally:
        vault.close()


def _queue_offline(vault: Vault, count: int) -> None:
    offline = ScriptedProvider(mode="offline")
    found = Screening(vault, providers={NAME: offline}).lookup(
        [("ethereum", evm(i)) for i in range(count)], provider=NAME
    )
    assert all(x.origin is Origin.QUEUED for x in found)
    if count > 50:  # the first unreachable answer queued the rest without asking again
        assert offline.total < count


def test_overlapping_drains_run_each_item_once(vault: Vault) -> None:
    _queue_offline(vault, 100)
    slow, fast = ScriptedProvider(), ScriptedProvider()
    slow.gate = threading.Event()
    now = utc_now() + LATER
    outcome: list[object] = []
    first = threading.Thread(
        target=lambda: outcome.append(run_outbox(vault, {NAME: slow}, now=now, limit=60))
    )
    first.start()
    deadline = time.monotonic() + 30
    while slow.total < 4:  # its 60 are claimed before the first call starts
        assert time.monotonic() < deadline
        time.sleep(0.01)
    second = run_outbox(vault, {NAME: fast}, now=now, limit=1000)
    slow.gate.set()
    first.join(30)
    assert second.done == 40 and fast.total == 40
    assert slow.total == 60 and getattr(outcome[0], "done", None) == 60
    assert set(slow.calls).isdisjoint(fast.calls)
    assert screenings_of(vault) == {evm(i): 1 for i in range(100)}
    assert Screening(vault).waiting() == 0


def test_a_result_is_stored_once_even_when_a_lease_ran_out(vault: Vault) -> None:
    """A drain that hangs past its lease: the item runs again elsewhere, and whichever
    finishes second stores nothing."""
    _queue_offline(vault, 5)
    hung, other = ScriptedProvider(), ScriptedProvider()
    hung.gate = threading.Event()
    now = utc_now() + LATER
    worker = threading.Thread(target=lambda: run_outbox(vault, {NAME: hung}, now=now))
    worker.start()
    deadline = time.monotonic() + 30
    while hung.total < 4:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert run_outbox(vault, {NAME: other}, now=now).done == 0  # all 5 are claimed
    late = run_outbox(vault, {NAME: other}, now=now + timedelta(minutes=11))
    assert late.done == 5
    hung.gate.set()
    worker.join(30)
    assert screenings_of(vault) == {evm(i): 1 for i in range(5)}


def test_backoff_grows_is_jittered_and_honours_retry_after() -> None:
    backoff = Backoff(base=30.0, cap=3600.0)
    delays = {
        n: [backoff.delay(n, random.Random(seed)) for seed in range(200)] for n in range(1, 9)
    }
    for n in range(1, 8):
        ceiling = min(3600.0, 30.0 * 2 ** (n - 1))
        assert all(ceiling / 2 <= d <= ceiling for d in delays[n])
        assert len({round(d, 6) for d in delays[n]}) > 150  # jittered, not lock-step
        if 2 * ceiling < 3600.0:  # below the cap each wait is longer than the last
            assert max(delays[n]) <= min(delays[n + 1])
    assert max(delays[8]) <= 3600.0  # capped
    assert backoff.delay(1, random.Random(1), retry_after=900.0) == 900.0


def _item(vault: Vault, i: int) -> store.Item:
    found = store.get(vault.conn, screening_key(NAME, "ethereum", evm(i)))
    assert found is not None
    return found


def test_each_failure_records_attempts_and_error_and_pushes_the_item_back(vault: Vault) -> None:
    _queue_offline(vault, 1)
    queued = _item(vault, 0)
    assert queued.attempts == 1 and queued.done_at is None
    first_wait = datetime.fromisoformat(queued.next_attempt_at) - datetime.fromisoformat(
        queued.created_at
    )
    assert timedelta(seconds=15) <= first_wait <= timedelta(seconds=30)
    # Not due yet: a drain right away runs nothing.
    assert run_outbox(vault, {NAME: ScriptedProvider()}).done == 0
    now = utc_now() + LATER
    still_offline = ScriptedProvider(mode="offline")
    report = run_outbox(vault, {NAME: still_offline}, now=now, rng=random.Random(5))
    assert (report.retried, report.waiting) == (1, 1)
    item = _item(vault, 0)
    assert item.attempts == 2 and "could not be reached" in (item.last_error or "")
    wait = datetime.fromisoformat(item.next_attempt_at) - now
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=60)  # second backoff band
    report = run_outbox(vault, {NAME: ScriptedProvider()}, now=now + LATER)
    assert report.done == 1 and _item(vault, 0).done_at is not None


def test_the_same_look_up_is_queued_once_and_again_after_it_ran(vault: Vault) -> None:
    offline = ScriptedProvider(mode="offline")
    screening = Screening(vault, providers={NAME: offline})
    for _ in range(3):
        screening.lookup([("ethereum", evm(9))], provider=NAME)
    assert screening.waiting() == 1
    run_outbox(vault, {NAME: ScriptedProvider()}, now=utc_now() + LATER)
    assert screening.waiting() == 0
    screening.lookup([("ethereum", evm(9))], provider=NAME, refresh=True)
    assert screening.waiting() == 1
    assert _item(vault, 9).attempts == 1  # a new piece of work, counted afresh
    rows = vault.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert rows == 1


def test_offline_mode_asks_nobody_and_shows_the_last_known_answer(vault: Vault) -> None:
    provider = ScriptedProvider()
    Screening(vault, providers={NAME: provider}).lookup([("ethereum", evm(1))], provider=NAME)
    old = utc_now() + timedelta(days=3)  # the answer is past its time to live
    screening = Screening(vault, providers={NAME: provider}, clock=lambda: old)
    found = screening.lookup(
        [("ethereum", evm(1)), ("ethereum", evm(2))], provider=NAME, offline=True
    )
    assert provider.total == 1
    assert [x.status for x in found] == ["queued", "queued"]
    assert found[0].result is not None and found[0].result.ok  # the last known answer
    assert found[1].result is None
    assert screening.waiting() == 2
    due = store.due(vault.conn, now=old.isoformat(), limit=10)
    assert {i.attempts for i in due} == {0}  # never tried: due at once


def test_a_refused_key_waits_for_a_new_key(vault: Vault) -> None:
    _queue_offline(vault, 1)
    now = utc_now() + LATER
    report = run_outbox(vault, {NAME: ScriptedProvider(mode="auth")}, now=now)
    assert (report.retried, report.waiting) == (1, 1)
    statuses = [r.status for r in Screening(vault).history("ethereum", evm(0))]
    assert statuses == [Status.AUTH]  # "ask for the key again", never a clean result
    waits = datetime.fromisoformat(_item(vault, 0).next_attempt_at) - now
    assert waits >= timedelta(hours=6)
    set_key(vault, NAME, "a-new-key")
    assert (
        run_outbox(vault, {NAME: ScriptedProvider()}, now=utc_now() + timedelta(seconds=1)).done
        == 1
    )


def test_an_unreadable_answer_is_stored_as_a_status_and_given_up(vault: Vault) -> None:
    _queue_offline(vault, 1)
    report = run_outbox(vault, {NAME: ScriptedProvider(mode="fatal")}, now=utc_now() + LATER)
    assert (report.done, report.given_up, report.waiting) == (0, 1, 0)
    item = _item(vault, 0)
    assert item.done_at is not None and "malformed" in (item.last_error or "")
    [result] = Screening(vault).history("ethereum", evm(0))
    assert result.status is Status.MALFORMED and result.score is None


def test_items_of_a_provider_without_a_key_do_not_block_the_others(vault: Vault) -> None:
    other = ScriptedProvider(name="trm", mode="offline")
    Screening(vault, providers={"trm": other}).lookup(
        [("ethereum", evm(i)) for i in range(10)], provider="trm"
    )
    _queue_offline(vault, 3)
    report = run_outbox(vault, {NAME: ScriptedProvider()}, now=utc_now() + LATER, limit=3)
    assert (report.done, report.waiting) == (3, 10)
