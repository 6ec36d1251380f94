"""Screening many addresses, and draining the outbox, with the provider calls on a
pool of network threads.

Threads (DESIGN.md "Threads"): the calling thread coordinates. Provider calls run
on a `concurrent.futures` thread pool (the client's token bucket keeps them within
the provider's rate); their outcomes come back to the calling thread, which
reports each one as it arrives. Every vault access goes through `db`
(`app.tasks.OnDb`): the GUI calls from a network thread and passes `DbCalls`, so
the database worker only ever runs the short reads and writes, never a wait on a
provider; the CLI and tests call on the vault's own thread with the default
`here`. The reads and writes are batched: one call for the cache (every pair at
once), then one per write (`write_every` results or `flush_seconds`), which also
reads the last known answers of the look-ups queued since the previous one.

Cancel: `progress(done, total)` or `on_result` may raise (e.g. `app.tasks.
Cancelled`), or `cancelled()` turn true (checked while waiting on the provider).
The batch then stops submitting, drops calls still in flight, writes the whole
results it already reported, records the run, and re-raises.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from app.screening import explorer_data, shared
from app.screening.cache import ANSWERED, Lookup, Origin, ResultCache, TtlPolicy
from app.screening.outbox import (
    EXPLORER,
    LEASE,
    SCREENING,
    Backoff,
    Outcome,
    RiskProvider,
    attempt,
    iso,
    queue_screening,
    retry_delay,
    waiting,
)
from app.screening.risk import RiskResult, utc_now
from app.tasks import Cancelled, OnDb, here
from integrations.http import IntegrationError
from vault.connection import Connection
from vault.screening import outbox as store
from vault.screening import screenings
from vault.store import Vault

Progress = Callable[[int, int], None]
OnResult = Callable[[Lookup], None]
Pair = tuple[str, str]


@dataclass
class BatchReport:
    """What a batch did. `fetched` counts provider answers (error statuses included)."""

    provider: str
    total: int = 0
    fetched: int = 0
    cached: int = 0
    queued: int = 0
    errors: int = 0
    sanctioned: int = 0
    cancelled: bool = False

    @property
    def done(self) -> int:
        return self.fetched + self.cached + self.queued

    def event(self) -> dict[str, object]:
        return {
            "provider": self.provider,
            "addresses": self.total,
            "fetched": self.fetched,
            "cached": self.cached,
            "queued": self.queued,
            "sanctioned": self.sanctioned,
            "errors": self.errors,
            "cancelled": self.cancelled,
        }


@dataclass
class _Writer:
    """Results and queued look-ups of one batch, written one transaction at a time.
    Filled on the calling thread; `write` runs where the vault may be used."""

    vault: Vault
    provider: str
    backoff: Backoff
    rng: random.Random
    results: list[RiskResult] = field(default_factory=list)
    queued: list[tuple[str, str, Outcome | None, datetime]] = field(default_factory=list)
    since: float | None = None
    broken: bool = False

    def __len__(self) -> int:
        return len(self.results) + len(self.queued)

    def add(self, result: RiskResult) -> None:
        self.results.append(result)
        self._started()

    def add_queued(self, chain: str, address: str, outcome: Outcome | None, now: datetime) -> None:
        self.queued.append((chain, address, outcome, now))
        self._started()

    def _started(self) -> None:
        if self.since is None:
            self.since = time.monotonic()

    def due(self, every: int, seconds: float) -> bool:
        if self.since is None:
            return False
        return len(self) >= every or time.monotonic() - self.since >= seconds

    def write(self, event: dict[str, object] | None = None) -> None:
        if not len(self) and event is None:
            return
        try:
            with self.vault.transaction() as tx:
                records = [result.to_record() for result in self.results]
                for record in records:
                    screenings.record(tx.conn, record)
                shared.screened(tx, records)
                for chain, address, outcome, now in self.queued:
                    queue_screening(
                        tx.conn,
                        provider=self.provider,
                        chain=chain,
                        address=address,
                        now=now,
                        outcome=outcome,
                        backoff=self.backoff,
                        rng=self.rng,
                    )
                if event is not None:
                    tx.event("screening.run", event)
        except BaseException:
            self.broken = True
            raise
        self.results.clear()
        self.queued.clear()
        self.since = None


def screen_batch(
    vault: Vault,
    provider: RiskProvider,
    targets: Iterable[Pair],
    *,
    policy: TtlPolicy | None = None,
    refresh: bool = False,
    offline: bool = False,
    progress: Progress | None = None,
    on_result: OnResult | None = None,
    cancelled: Callable[[], bool] | None = None,
    workers: int = 8,
    executor: Executor | None = None,
    inline: bool = False,
    write_every: int = 200,
    flush_seconds: float = 0.5,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], datetime] = utc_now,
    db: OnDb = here,
) -> BatchReport:
    """Screen each (chain, address) once with `provider`; one audit event per run.

    A stored answer within the provider's time to live is reported from the cache
    without a call, unless `refresh`. `offline` makes no call at all: misses are
    queued and reported with their last known answer. A provider that cannot be
    reached queues the rest of the batch too. `inline` runs the provider on the
    calling thread (the offline list: no network, microseconds per call).
    """
    pairs = list(dict.fromkeys(targets))
    report = BatchReport(provider.name, total=len(pairs))
    cache = ResultCache(vault.conn, policy)
    writer = _Writer(vault, provider.name, backoff or Backoff(), rng or random.Random())
    run = _Run(report, cache, writer, provider.name, progress, on_result, clock, db)
    try:
        hits, known = db(lambda: _read_cache(cache, pairs, provider.name, refresh, offline, clock))
        misses = []
        for chain, address in pairs:
            hit = hits.get((chain, address))
            if hit is not None:
                run.report_cached(chain, address, hit)
            elif offline:
                run.report_offline(chain, address, known.get((chain, address)))
            else:
                misses.append((chain, address))
        if inline:
            for chain, address in misses:
                run.handle(chain, address, attempt(provider, chain, address))
                run.tick(write_every, flush_seconds)
        else:
            pool = _Pool(provider, run, workers, executor, write_every, flush_seconds, cancelled)
            pool.screen(misses)
        run.sync(report.event())
    except BaseException:
        report.cancelled = True
        if not writer.broken and not run.recorded:
            db(lambda: writer.write(report.event()))
        raise
    return report


def _read_cache(
    cache: ResultCache,
    pairs: list[Pair],
    provider: str,
    refresh: bool,
    offline: bool,
    clock: Callable[[], datetime],
) -> tuple[dict[Pair, RiskResult], dict[Pair, RiskResult | None]]:
    """One pass over the vault for a whole batch: the fresh answers (none with
    `refresh`) and, `offline`, the last known answers of the others."""
    hits = {} if refresh else cache.fresh_many(pairs, provider, now=clock())
    if not offline:
        return hits, {}
    return hits, {p: cache.last_known(*p, provider) for p in pairs if p not in hits}


@dataclass
class _Run:
    """The calling thread's side of a batch: report each outcome, buffer its write."""

    report: BatchReport
    cache: ResultCache
    writer: _Writer
    provider: str
    progress: Progress | None
    on_result: OnResult | None
    clock: Callable[[], datetime]
    db: OnDb
    unreachable: Outcome | None = None
    #: queued look-ups reported at the next write, with the last known answer it reads
    unknown: list[tuple[str, str, str]] = field(default_factory=list)
    #: the run's event is written
    recorded: bool = False

    def _emit(self, lookup: Lookup) -> None:
        if self.on_result is not None:
            self.on_result(lookup)
        if self.progress is not None:
            self.progress(self.report.done, self.report.total)

    def report_cached(self, chain: str, address: str, result: RiskResult) -> None:
        self.report.cached += 1
        self._emit(Lookup(chain, address, self.provider, Origin.CACHE, result))

    def report_offline(self, chain: str, address: str, known: RiskResult | None) -> None:
        self.writer.add_queued(chain, address, None, self.clock())
        self.report.queued += 1
        note = "offline: only the cache was asked"
        self._emit(Lookup(chain, address, self.provider, Origin.QUEUED, known, note))

    def queue(self, chain: str, address: str, outcome: Outcome | None, note: str) -> None:
        self.writer.add_queued(chain, address, outcome, self.clock())
        self.report.queued += 1
        self.unknown.append((chain, address, note))

    def handle(self, chain: str, address: str, outcome: Outcome) -> None:
        if outcome.offline and self.unreachable is None:
            self.unreachable = outcome
        if outcome.result is not None:
            result = outcome.result
            self.writer.add(result)
            self.report.errors += not result.ok
            self.report.sanctioned += result.sanctioned
        if outcome.retry:
            if outcome.result is None:
                self.queue(
                    chain, address, outcome, outcome.error or "the provider could not be reached"
                )
                return
            # An error status the provider gave (quota, key refused): stored, and
            # the look-up waits in the outbox too; reported as the status it is.
            self.writer.add_queued(chain, address, outcome, self.clock())
        self.report.fetched += 1
        self._emit(Lookup(chain, address, self.provider, Origin.PROVIDER, outcome.result))

    def tick(self, every: int, seconds: float) -> None:
        if self.writer.due(every, seconds):
            self.sync()

    def sync(self, event: dict[str, object] | None = None) -> None:
        """One trip to the vault: write what is buffered (and `event`), read the last
        known answers of the look-ups queued meanwhile; then report those."""
        unknown, self.unknown = self.unknown, []
        cache, provider, writer = self.cache, self.provider, self.writer

        def on_db() -> list[RiskResult | None]:
            writer.write(event)
            return [cache.last_known(chain, address, provider) for chain, address, _ in unknown]

        known = self.db(on_db)
        self.recorded = event is not None
        for (chain, address, note), result in zip(unknown, known, strict=True):
            self._emit(Lookup(chain, address, provider, Origin.QUEUED, result, note))


@dataclass
class _Pool:
    """Provider calls on a thread pool, a few in flight at a time; the outcomes are
    handled on the calling thread as they complete."""

    provider: RiskProvider
    run: _Run
    workers: int
    executor: Executor | None
    write_every: int
    flush_seconds: float
    cancelled: Callable[[], bool] | None

    def screen(self, misses: list[Pair]) -> None:
        if not misses:
            return
        own = self.executor is None
        pool = self.executor or ThreadPoolExecutor(
            self.workers, thread_name_prefix="strongroom-screen"
        )
        window = max(1, self.workers) * 2
        todo = iter(misses)
        in_flight: dict[Future[Outcome], Pair] = {}
        finished = False
        run = self.run
        try:
            self._submit(pool, todo, in_flight, window)
            while in_flight:
                done, _ = wait(in_flight, timeout=self.flush_seconds, return_when=FIRST_COMPLETED)
                if self.cancelled is not None and self.cancelled():
                    raise Cancelled
                for future in done:
                    chain, address = in_flight.pop(future)
                    run.handle(chain, address, future.result())
                run.tick(self.write_every, self.flush_seconds)
                self._submit(pool, todo, in_flight, window)
            finished = True
        finally:
            if not finished:
                for future in in_flight:
                    future.cancel()
            if own:
                pool.shutdown(wait=finished, cancel_futures=not finished)

    def _submit(
        self,
        pool: Executor,
        todo: Iterator[Pair],
        in_flight: dict[Future[Outcome], Pair],
        window: int,
    ) -> None:
        """Keep `window` calls in flight; once the provider proved unreachable, queue the
        rest without calling it (the outbox tries them when it is back)."""
        run = self.run
        while len(in_flight) < window:
            pair = next(todo, None)
            if pair is None:
                return
            if run.unreachable is not None:
                run.queue(*pair, run.unreachable, run.unreachable.error or "unreachable")
                continue
            in_flight[pool.submit(attempt, self.provider, *pair)] = pair


# --- draining the outbox -------------------------------------------------------


@dataclass
class OutboxRun:
    """What one drain did, and how many items still wait."""

    done: int = 0  # ran, and the answer is stored
    given_up: int = 0  # ran into an error that retrying will not fix (stored as a status)
    retried: int = 0  # failed again: pushed back with backoff
    waiting: int = 0  # left in the outbox after this run


@dataclass(frozen=True)
class _Ran:
    item: store.Item
    outcome: Outcome
    answer: explorer_data.ExplorerAnswer | None = None


def run_outbox(
    vault: Vault,
    providers: Mapping[str, RiskProvider],
    *,
    now: datetime | None = None,
    limit: int = 100,
    explorers: explorer_data.ExplorerSource | None = None,
    workers: int = 4,
    executor: Executor | None = None,
    write_every: int = 200,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
    lease: timedelta = LEASE,
    cancelled: Callable[[], bool] | None = None,
    db: OnDb = here,
) -> OutboxRun:
    """Run up to `limit` due items whose provider (or explorer) is at hand.

    Each item is claimed before it runs and marked done in the transaction that
    stores its result, so an item runs once even when drains overlap, and its
    result is stored once even if a lease ran out. The vault is used through `db`
    (see the module doc); the calls run on the pool. Once `cancelled()` turns true
    the drain stores what ran, gives back the claims of the rest and returns.
    """
    moment = now or utc_now()
    backoff = backoff or Backoff()
    rng = rng or random.Random()
    prefixes = [f"{SCREENING}:{name}:" for name in providers]
    if explorers is not None:
        prefixes.append(f"{EXPLORER}:")

    def claim() -> list[store.Item]:
        items = store.due(vault.conn, now=iso(moment), limit=limit, key_prefixes=prefixes)
        with vault.transaction() as tx:
            return [
                i
                for i in items
                if store.claim(tx.conn, i.id, now=iso(moment), lease_until=iso(moment + lease))
            ]

    claimed = db(claim)
    report = OutboxRun()

    def settle(ran: list[_Ran], left: Iterable[store.Item] = ()) -> int:
        _settle(vault, ran, report, moment, backoff, rng)
        _release(vault, left, lease_until=iso(moment + lease))
        return waiting(vault.conn)

    if not claimed:
        report.waiting = db(lambda: waiting(vault.conn))
        return report
    own = executor is None
    pool = executor or ThreadPoolExecutor(workers, thread_name_prefix="strongroom-outbox")
    running = {pool.submit(_run_item, item, providers, explorers): item for item in claimed}
    try:
        ran: list[_Ran] = []
        while running:
            done, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                del running[future]
                ran.append(future.result())
            if len(ran) >= write_every:
                db(partial(settle, ran))
                ran = []
            if running and cancelled is not None and cancelled():
                break
        # The last write also gives back what never ran and counts what still waits.
        report.waiting = db(partial(settle, ran, running.values()))
    finally:
        for future in running:
            future.cancel()
        if own:
            pool.shutdown(wait=False, cancel_futures=True)
    return report


def _release(vault: Vault, items: Iterable[store.Item], *, lease_until: str) -> None:
    """Claims whose calls were dropped (the drain was stopped): due again, so the
    next drain runs them instead of waiting for the lease to run out."""
    items = list(items)
    if not items:
        return
    with vault.transaction() as tx:
        for item in items:
            store.release(tx.conn, item, lease_until=lease_until)


def _run_item(
    item: store.Item,
    providers: Mapping[str, RiskProvider],
    explorers: explorer_data.ExplorerSource | None,
) -> _Ran:
    """Network pool: one item's call, its failure sorted, never raised."""
    chain, address = item.payload["chain"], item.payload["address"]
    if item.kind == EXPLORER:
        assert explorers is not None
        try:
            answer = explorer_data.fetch(explorers, chain, address)
            return _Ran(item, Outcome(None, retry=False), answer)
        except IntegrationError as exc:
            return _Ran(item, explorer_data.explorer_outcome(exc))
        except KeyError:
            return _Ran(item, Outcome(None, retry=False, error=f"no explorer for {chain}"))
        except Exception as exc:  # an explorer bug must not stall the drain: give it up
            error = f"the explorer failed unexpectedly ({type(exc).__name__})"
            return _Ran(item, Outcome(None, retry=False, error=error))
    return _Ran(item, attempt(providers[item.payload["provider"]], chain, address))


def _settle(
    vault: Vault,
    ran: list[_Ran],
    report: OutboxRun,
    now: datetime,
    backoff: Backoff,
    rng: random.Random,
) -> None:
    if not ran:
        return
    kept = _Kept()
    with vault.transaction() as tx:
        for done in ran:
            _settle_one(tx.conn, done, report, now, backoff, rng, kept)
        shared.screened(tx, kept.screenings)
        shared.explored(tx, kept.explorer)


@dataclass
class _Kept:
    """What a drain wrote, for the events that share it with the desk."""

    screenings: list[dict[str, Any]] = field(default_factory=list)
    explorer: list[dict[str, Any]] = field(default_factory=list)


def _settle_one(
    conn: Connection,
    ran: _Ran,
    report: OutboxRun,
    now: datetime,
    backoff: Backoff,
    rng: random.Random,
    kept: _Kept,
) -> None:
    item, outcome = ran.item, ran.outcome
    if outcome.retry:
        delay = retry_delay(outcome, item.attempts + 1, backoff, rng)
        error = outcome.error or "failed"
        if store.retry_at(conn, item.id, when=iso(now + timedelta(seconds=delay)), error=error):
            report.retried += 1
            if outcome.result is not None:
                kept.screenings.append(outcome.result.to_record())
                screenings.record(conn, kept.screenings[-1])
        return
    answered = ran.answer is not None or (
        outcome.result is not None and outcome.result.status in ANSWERED
    )
    given_up = None if answered else (outcome.error or _error_of(outcome.result))
    if not store.finish(conn, item.id, now=iso(now), error=given_up):
        return  # finished by another drain already: its result is stored, not this one
    if ran.answer is not None:
        kept.explorer.append(explorer_data.store_answer(conn, ran.answer))
    if outcome.result is not None:
        kept.screenings.append(outcome.result.to_record())
        screenings.record(conn, kept.screenings[-1])
    if given_up is None:
        report.done += 1
    else:
        report.given_up += 1


def _error_of(result: RiskResult | None) -> str:
    if result is None:
        return "no answer"
    return result.error or str(result.status)
