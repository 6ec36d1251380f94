"""`sync` as a job in the vault's outbox (m0003): the app's side of `sync run`.

One outbox row (key `sync:desk`) stands for "this device has something to
share or should look for news". The app queues it (after unlock, on a timer,
after a local change, on demand), and `run_job` claims it, runs `sync_run`
and marks it done, or, when no target could be reached, pushes it back with
the outbox's backoff so an offline laptop waits quietly and tries again; the
row survives a quit, so the next unlock picks the work up.

Database worker: `run_job` blocks on the network as `sync_run` does.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.screening.outbox import Backoff
from app.sync.desk import desk_info
from app.sync.run import OpenTarget, SyncReport, sync_run
from integrations.http.errors import IntegrationError
from integrations.sync.base import Entry, Put, Transport
from integrations.sync.targets import Target, open_transport
from vault.screening import outbox as store
from vault.store import Vault

KIND = "sync"
KEY = "sync:desk"
#: a claimed run is due again after this long if it never reported back (killed)
LEASE = timedelta(minutes=10)
#: how an unreachable desk waits: 30 s, then doubling to at most 15 minutes
BACKOFF = Backoff(base=30.0, cap=900.0)

#: (files fetched so far) -> None; called on the database worker
Fetched = Callable[[int], None]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def request(vault: Vault, *, now: datetime, soon: bool = True) -> bool:
    """Queue the sync job. With `soon` a job that waits on its backoff is made due now
    (a local change, "Sync now"); without, a waiting job keeps its time (the timer).
    True when it is due now; False, and nothing queued, on a vault with no desk."""
    if desk_info(vault) is None:
        return False
    with vault.transaction() as tx:
        store.enqueue(
            tx.conn, kind=KIND, key=KEY, payload={}, now=_iso(now), next_attempt_at=_iso(now)
        )
        if soon:
            store.make_due(tx.conn, kind=KIND, key_prefix=KEY, now=_iso(now))
    item = store.get(vault.conn, KEY)
    return item is not None and item.done_at is None and item.next_attempt_at <= _iso(now)


@dataclass
class JobResult:
    """What one run of the job did: `report` when it ran, else why not."""

    ran: bool
    report: SyncReport | None = None
    #: every target failed as unreachable: the job waits for the network
    offline: bool = False
    #: when the job is tried again (ISO UTC), if it waits
    next_attempt_at: str | None = None
    #: the targets' failures, for the user (no secrets: transports' own messages)
    messages: list[str] = field(default_factory=list)


def run_job(
    vault: Vault,
    *,
    now: datetime,
    fetched: Fetched | None = None,
    open_target: OpenTarget = open_transport,
    rng: random.Random | None = None,
) -> JobResult:
    """Run the sync job if it is due and the vault is a desk device."""
    if desk_info(vault) is None:
        return JobResult(ran=False)
    item = store.get(vault.conn, KEY)
    if item is None or item.done_at is not None or item.next_attempt_at > _iso(now):
        return JobResult(ran=False, next_attempt_at=item.next_attempt_at if item else None)
    with vault.transaction() as tx:
        if not store.claim(tx.conn, item.id, now=_iso(now), lease_until=_iso(now + LEASE)):
            return JobResult(ran=False)
    opener = open_target if fetched is None else _counting(open_target, fetched)
    started = time.monotonic()
    report = sync_run(vault, open_target=opener)
    # the wait counts from the run's end, on the caller's clock
    done = now + timedelta(seconds=time.monotonic() - started)
    failed = [t for t in report.targets if t.outcome != "ok"]
    result = JobResult(ran=True, report=report)
    result.messages = [t.message for t in failed if t.message]
    with vault.transaction() as tx:
        if report.targets and len(failed) == len(report.targets):
            result.offline = all(t.outcome == "offline" for t in failed)
            attempts = item.attempts + 1
            wait = BACKOFF.delay(attempts, rng or random.Random())
            when = done + timedelta(seconds=wait)
            result.next_attempt_at = _iso(when)
            store.retry_at(tx.conn, item.id, when=_iso(when), error="; ".join(result.messages))
        else:  # at least one target took part: the desk moved on; failures are in the log
            store.finish(tx.conn, item.id, now=_iso(done))
    return result


def _counting(open_target: OpenTarget, fetched: Fetched) -> OpenTarget:
    count = [0]

    def opener(target: Target, *, credentials: Any) -> Transport:
        return _Counted(open_target(target, credentials=credentials), count, fetched)

    return opener


class _Counted:
    """A transport that reports each file fetched (progress for a long pull)."""

    def __init__(self, inner: Transport, count: list[int], fetched: Fetched) -> None:
        self._inner = inner
        self.label = inner.label
        self._count = count
        self._fetched = fetched

    def put_if_absent(self, name: str, data: bytes) -> Put:
        return self._inner.put_if_absent(name, data)

    def get(self, name: str) -> bytes | None:
        data = self._inner.get(name)
        self._count[0] += 1
        self._fetched(self._count[0])
        return data

    def list(self, prefix: str = "") -> list[Entry]:
        return self._inner.list(prefix)

    def close(self) -> None:
        self._inner.close()


def test_connection(target: Target, credentials: Mapping[str, str]) -> tuple[int | None, str]:
    """List the target once ("Test connection"): (files listed, "") or (None, why not).
    Network pool: blocks on the network, touches no vault."""
    try:
        transport = open_transport(target, credentials=credentials)
        try:
            return len(transport.list("")), ""
        finally:
            transport.close()
    except IntegrationError as exc:
        return None, str(exc)
