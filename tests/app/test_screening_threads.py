"""A batch and an outbox drain coordinating from a network thread (DESIGN.md "Threads"):
the database worker runs only their short vault calls, few of them, so a read queued
meanwhile is not held up by the provider; a drain stopped midway gives back what it
did not run. A real vault on a real `TaskRunner`, the documented Chainalysis
Sanctions API on pytest-httpserver."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.screening.batch import run_outbox
from app.screening.cache import Origin
from app.screening.risk import utc_now
from app.screening.service import Screening
from app.tasks import DbCalls, Operation, TaskRunner
from tests.app.test_screening_support import (
    ADDRESS_PATH,
    NAME,
    SanctionsApi,
    ScriptedProvider,
    evm,
    new_vault,
    sanctions_handler,
)
from vault.screening import outbox as store
from vault.store import Vault

T = TypeVar("T")


class CountedCalls:
    """`DbCalls` that counts the trips to the database worker."""

    def __init__(self, runner: TaskRunner) -> None:
        self.calls = DbCalls(runner)
        self.trips = 0

    def __call__(self, work: Callable[[], T], /) -> T:
        self.trips += 1
        return self.calls(work)


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    made = TaskRunner()
    yield made
    made.shutdown()


@pytest.fixture
def vault(tmp_path: Path, runner: TaskRunner) -> Iterator[Vault]:
    # Opened on the worker: the vault's connection belongs to that thread.
    made: Vault = runner.run_db(Operation(work=lambda _p: new_vault(tmp_path / "t.vault"))).wait(30)
    yield made
    runner.run_db(Operation(work=lambda _p: made.close())).wait(30)


def on_worker(runner: TaskRunner, work: Callable[[], T]) -> T:
    result: T = runner.run_db(Operation(work=lambda _p: work())).wait(30)
    return result


def read_latency(runner: TaskRunner, vault: Vault) -> float:
    start = time.monotonic()
    on_worker(runner, lambda: vault.conn.execute("SELECT count(*) FROM screenings").fetchone())
    return time.monotonic() - start


def slow(delay: float, asked: threading.Event) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        asked.set()
        time.sleep(delay)
        return sanctions_handler(request)

    return handle


def test_a_batch_on_a_network_thread_leaves_the_worker_free_for_reads(
    runner: TaskRunner, vault: Vault, httpserver: HTTPServer
) -> None:
    asked = threading.Event()
    httpserver.expect_request(ADDRESS_PATH).respond_with_handler(slow(0.5, asked))
    api = SanctionsApi(httpserver.url_for("/"))
    calls = DbCalls(runner)
    screening = Screening(vault, providers={NAME: api})
    targets = [("ethereum", evm(i)) for i in range(1, 7)]
    try:
        batch = runner.run_network(
            Operation(work=lambda _p: screening.lookup(targets, provider=NAME, db=calls))
        )
        assert asked.wait(10)
        assert read_latency(runner, vault) < 0.2  # the provider answers in 0.5 s, one by one
        found = batch.wait(60)
    finally:
        api.close()
    assert [x.origin for x in found] == [Origin.PROVIDER] * 6
    assert on_worker(runner, lambda: screening.history(*targets[0]))[0].ok


def test_a_batch_makes_few_trips_to_the_worker_cached_or_queued(
    runner: TaskRunner, vault: Vault, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(ADDRESS_PATH).respond_with_handler(sanctions_handler)
    api = SanctionsApi(httpserver.url_for("/"))
    screening = Screening(vault, providers={NAME: api})
    targets = [("ethereum", evm(i)) for i in range(1, 301)]
    fresh = CountedCalls(runner)
    cached = CountedCalls(runner)
    try:
        first = runner.run_network(
            Operation(work=lambda _p: screening.lookup(targets, provider=NAME, db=fresh))
        ).wait(60)
        again = runner.run_network(
            Operation(work=lambda _p: screening.lookup(targets, provider=NAME, db=cached))
        ).wait(60)
    finally:
        api.close()
    assert {x.origin for x in first} == {Origin.PROVIDER}
    assert {x.origin for x in again} == {Origin.CACHE}
    assert fresh.trips <= 2 + 300 // 200 + 10  # a write per 200 answers or per 0.5 s
    assert cached.trips == 3  # the provider, the cache for all 300, the run's event

    # Unreachable: every look-up queued with its last known answer, read in one go.
    offline = ScriptedProvider(mode="offline")
    queued = CountedCalls(runner)
    stuck = Screening(vault, providers={NAME: offline})
    found = runner.run_network(
        Operation(work=lambda _p: stuck.lookup(targets, provider=NAME, refresh=True, db=queued))
    ).wait(60)
    assert {x.origin for x in found} == {Origin.QUEUED}
    assert all(x.result is not None and x.result.ok for x in found)  # the last known
    assert queued.trips <= 4


def test_a_stopped_drain_gives_back_the_items_it_did_not_run(
    runner: TaskRunner, vault: Vault
) -> None:
    offline = ScriptedProvider(mode="offline")
    targets = [("ethereum", evm(i)) for i in range(1, 11)]
    on_worker(
        runner, lambda: Screening(vault, providers={NAME: offline}).lookup(targets, provider=NAME)
    )
    before = {i.id: i for i in on_worker(runner, lambda: store.pending(vault.conn))}
    assert len(before) == 10

    provider = ScriptedProvider()
    provider.gate = threading.Event()  # every call waits until the test opens it
    stop = threading.Event()
    later = utc_now() + timedelta(hours=2)  # past every backoff
    calls = DbCalls(runner)
    drain = runner.run_network(
        Operation(
            work=lambda _p: run_outbox(
                vault, {NAME: provider}, now=later, workers=2, cancelled=stop.is_set, db=calls
            )
        )
    )
    deadline = time.monotonic() + 10
    while provider.total < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert provider.total == 2  # two on the wire, eight waiting for a thread
    stop.set()
    report = drain.wait(10)
    provider.gate.set()  # the two calls end; their answers come too late to count
    assert (report.done, report.retried, report.waiting) == (0, 0, 10)
    after = {i.id: i for i in on_worker(runner, lambda: store.pending(vault.conn))}
    assert {k: (i.attempts, i.next_attempt_at) for k, i in after.items()} == {
        k: (i.attempts, i.next_attempt_at) for k, i in before.items()
    }  # due as before, the attempt not counted

    provider.gate = None
    again = on_worker(runner, lambda: run_outbox(vault, {NAME: provider}, now=later))
    assert (again.done, again.waiting) == (10, 0)
    stored = on_worker(
        runner,
        lambda: dict(
            vault.conn.execute(
                "SELECT address, count(*) FROM screenings WHERE status = 'ok' GROUP BY address"
            ).fetchall()
        ),
    )
    assert stored == {a: 1 for _c, a in targets}  # each answer stored once
