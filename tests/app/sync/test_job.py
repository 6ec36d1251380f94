"""`sync` as an outbox job (real vaults, a folder target): it runs when due, waits with
backoff while no target can be reached, survives in the outbox, counts nothing in the
screening look-ups' queue, and the status bar's brief says what waits."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.book.activity import update_customer
from app.book.service import CustomerBook
from app.screening.outbox import waiting
from app.sync.desk import create_desk
from app.sync.job import KEY, request, run_job
from app.sync.overview import brief, changes_of, mark_seen, overview
from tests.app.approvals.conftest import add_customer
from tests.app.sync.conftest import MakeVault, Pair, notes, run
from vault.screening import outbox as store

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_a_vault_with_no_desk_queues_nothing(make_vault: MakeVault) -> None:
    vault = make_vault("a")
    assert request(vault, now=NOW) is False
    assert store.get(vault.conn, KEY) is None
    assert run_job(vault, now=NOW).ran is False
    assert brief(vault).desk is False


def test_the_job_runs_once_due_and_is_done(pair: Pair) -> None:
    a, _b, folder = pair
    notes(a, "one", "two")
    assert brief(a).unshared == 2
    assert request(a, now=NOW) is True
    result = run_job(a, now=NOW)
    assert result.ran and result.report is not None and result.report.pushed >= 1
    item = store.get(a.conn, KEY)
    assert item is not None and item.done_at is not None
    assert run_job(a, now=NOW).ran is False  # done: nothing due until asked again
    facts = brief(a)
    assert facts.unshared == 0 and facts.last_sync is not None and facts.waiting_until is None
    assert any(folder.rglob("*"))


def test_with_the_target_gone_the_job_waits_then_runs_when_it_is_back(pair: Pair) -> None:
    a, _b, folder = pair
    notes(a, "made offline")
    moved = folder.with_name("away")
    shutil.move(folder, moved)
    request(a, now=NOW)
    result = run_job(a, now=NOW, rng=random.Random(1))
    assert result.ran and result.offline
    assert result.next_attempt_at is not None and result.next_attempt_at > NOW.isoformat()
    assert "not there" in result.messages[0]
    facts = brief(a)
    assert facts.waiting_until == result.next_attempt_at and facts.unshared == 1
    assert facts.last_error is not None and "not there" in facts.last_error
    # The timer does not bypass the backoff; the job waits in the outbox, not lost.
    request(a, now=NOW, soon=False)
    assert run_job(a, now=NOW).ran is False
    # The screening look-ups' queue counts only look-ups (the status bar's "waiting").
    assert waiting(a.conn) == 0
    shutil.move(moved, folder)
    later = NOW + timedelta(hours=1)
    result = run_job(a, now=later)
    assert result.ran and not result.offline and result.report is not None
    assert brief(a).unshared == 0 and brief(a).waiting_until is None


def test_on_demand_skips_the_backoff(pair: Pair) -> None:
    a, _b, folder = pair
    moved = folder.with_name("away")
    shutil.move(folder, moved)
    request(a, now=NOW)
    assert run_job(a, now=NOW).offline
    shutil.move(moved, folder)
    assert request(a, now=NOW, soon=True) is True  # "Sync now", or a local change
    assert run_job(a, now=NOW).ran


def test_progress_counts_the_files_fetched(pair: Pair) -> None:
    a, b, _folder = pair
    notes(b, *[f"note {i}" for i in range(3)])
    run(b)
    seen: list[int] = []
    request(a, now=NOW)
    result = run_job(a, now=NOW, fetched=seen.append)
    assert result.report is not None and result.report.applied >= 3
    assert seen and seen == list(range(1, len(seen) + 1))


def test_the_overview_and_the_two_device_marks_of_one_customer(pair: Pair) -> None:
    a, b, _folder = pair
    customer = add_customer(a, "C-7", "Zed GmbH")
    run(a)
    run(b)
    on_b = int(b.conn.execute("SELECT id FROM customers WHERE external_id = 'C-7'").fetchone()[0])
    update_customer(CustomerBook(a), customer, {"country": "DE"})
    update_customer(CustomerBook(b), on_b, {"country": "FR"})
    run(b)
    run(a)
    [change] = changes_of(a, customer)
    assert change["field"] == "country" and {change["kept"], change["other"]} == {"DE", "FR"}
    seen = overview(a)
    assert seen.info is not None and len(seen.devices) == 2 and len(seen.changes) == 1
    assert [d["this_device"] for d in seen.devices].count(True) == 1
    assert all(d["last_sync"] for d in seen.devices)
    assert seen.runs and seen.runs[0].outcome == "ok"
    assert mark_seen(a, customer, now=NOW) == 1
    assert changes_of(a, customer) == [] and overview(a).changes == ()


def test_a_desk_created_without_its_folder_syncs_once_it_exists(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a = make_vault("a")
    folder = tmp_path / "later"
    create_desk(a, target=f"folder:{folder}")
    request(a, now=NOW)
    assert run_job(a, now=NOW).offline
    folder.mkdir()
    request(a, now=NOW + timedelta(hours=1))
    assert run_job(a, now=NOW + timedelta(hours=1)).ran
    assert any(folder.rglob("*"))
