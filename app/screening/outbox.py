"""Look-ups that wait for the network: the provider edge, what a failure means, and
the durable queue they wait in.

A look-up that cannot reach its provider (offline, timeouts and 5xx after the
client's own retries, circuit open, quota used up) goes into the vault's
`outbox` table under an idempotency key (provider, chain, address), so asking
twice queues it once, and closing the app loses nothing. Each failed run pushes
the item back with exponential backoff and jitter. `app.screening.batch.run_outbox`
drains what is due.

What is stored for each kind of outcome (STYLE.md point 8):

| the provider...                     | stored on the screening       | outbox          |
|-------------------------------------|-------------------------------|-----------------|
| answered                            | the answer                    | done            |
| could not be reached / 5xx / paused | nothing (no answer was had)   | waits, backoff  |
| raised QuotaError                   | status transient ("quota: ")  | waits, backoff  |
| refused the key                     | status auth: ask for it again | waits (1)       |
| answered something unreadable       | status malformed / fatal      | given up        |

(1) `auth_delay`, or until a new key is entered (`secrets.set_key` makes it due).
Providers that return failures as results rather than raising
(`app.screening.providers`) fold quota into status transient: such a result is
queued like an unreachable provider, with its text as the reason.

An error is never stored as a clean result. Queueing and counting run on the
database worker; `attempt` runs on the network pool.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from app.screening.risk import RiskResult, Status, failed
from integrations.http import AuthError, IntegrationError, ProviderError, QuotaError
from integrations.http import TransientError as TransientFailure
from vault.connection import Connection
from vault.screening import outbox as store

SCREENING = "screening"
EXPLORER = "explorer"
#: the look-ups' kinds: the outbox also holds other work (the sync job)
LOOKUPS = (SCREENING, EXPLORER)

#: a claimed item is due again after this long if its run never reported back
LEASE = timedelta(minutes=10)


class RiskProvider(Protocol):
    """A risk provider as the screening service sees it (KYT clients, the offline list).

    `screen` blocks on the network (run it on the network pool) and either
    returns a `RiskResult` (an answer, or an error status) or raises an
    `integrations.http.IntegrationError`.
    """

    @property
    def name(self) -> str: ...

    def screen(self, chain: str, address: str) -> RiskResult: ...


@dataclass(frozen=True)
class Backoff:
    """When to try a failed item again: exponential, with "equal jitter".

    The n-th failure waits between half and all of min(cap, base * 2**(n-1)),
    so waits grow (each one's floor is the previous one's ceiling) yet items
    that failed together do not come back together. A provider's Retry-After
    is honoured when longer. A refused key waits `auth_delay`, or until a new
    key is entered.
    """

    base: float = 30.0
    cap: float = 3600.0
    auth_delay: float = 6 * 3600.0

    def delay(
        self, attempts: int, rng: random.Random, *, retry_after: float | None = None
    ) -> float:
        ceiling = min(self.cap, self.base * 2.0 ** max(attempts - 1, 0))
        wait = ceiling / 2 + rng.uniform(0.0, ceiling / 2)
        return max(wait, retry_after or 0.0)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt gave: a result to store (if any) and whether to try again."""

    result: RiskResult | None
    retry: bool
    error: str | None = None
    retry_after: float | None = None
    auth: bool = False
    #: the host was never reached: the rest of a batch need not try either
    offline: bool = False


def attempt(provider: RiskProvider, chain: str, address: str) -> Outcome:
    """Ask the provider once (its client retries within the call) and sort the outcome.
    Never raises for a provider failure. Network pool."""
    name = provider.name
    try:
        result = provider.screen(chain, address)
    except IntegrationError as exc:
        return _failure(exc, name, chain, address)
    except Exception as exc:  # a provider bug must not lose the batch: record it
        message = f"{name} failed unexpectedly ({type(exc).__name__})"
        return Outcome(
            failed(chain=chain, address=address, provider=name, status=Status.FATAL, error=message),
            retry=False,
            error=message,
        )
    if result.status is Status.TRANSIENT:
        # Not an answer: nothing to store; the look-up waits, with the reason.
        return Outcome(None, retry=True, error=result.error or "transient failure")
    if result.status is Status.AUTH:
        return Outcome(result, retry=True, error=result.error or "key refused", auth=True)
    return Outcome(result, retry=False)


def _failure(exc: IntegrationError, name: str, chain: str, address: str) -> Outcome:
    text = str(exc)

    def status(kind: Status, error: str = text) -> RiskResult:
        return failed(chain=chain, address=address, provider=name, status=kind, error=error)

    if isinstance(exc, QuotaError):
        return Outcome(
            status(Status.TRANSIENT, f"quota: {text}"),
            retry=True,
            error=text,
            retry_after=exc.retry_after,
        )
    if isinstance(exc, TransientFailure):  # Offline and CircuitOpen are transient too
        return Outcome(
            None, retry=True, error=text, retry_after=exc.retry_after, offline=exc.offline
        )
    if isinstance(exc, AuthError):
        return Outcome(status(Status.AUTH), retry=True, error=text, auth=True)
    if isinstance(exc, ProviderError) and _unreadable(exc.message):
        return Outcome(status(Status.MALFORMED), retry=False, error=text)
    return Outcome(status(Status.FATAL), retry=False, error=text)


def _unreadable(message: str) -> bool:
    lowered = message.lower()
    return any(s in lowered for s in ("malformed", "unexpected shape", "web page", "not json"))


# --- the queue (database worker) ---------------------------------------------


def screening_key(provider: str, chain: str, address: str) -> str:
    """The idempotency key of a look-up: the same look-up is queued once."""
    return f"{SCREENING}:{provider}:{chain}:{address}"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def queue(
    conn: Connection,
    *,
    kind: str,
    key: str,
    payload: dict[str, str],
    now: datetime,
    outcome: Outcome | None,
    backoff: Backoff,
    rng: random.Random,
) -> bool:
    """Put work in the outbox inside the caller's transaction; True if newly queued.

    `outcome` is the failed first attempt (counted, with its error and backoff);
    None queues work that was not tried (asked for while offline): due at once.
    """
    if outcome is None:
        return store.enqueue(
            conn, kind=kind, key=key, payload=payload, now=iso(now), next_attempt_at=iso(now)
        )
    when = now + timedelta(seconds=retry_delay(outcome, 1, backoff, rng))
    return store.enqueue(
        conn,
        kind=kind,
        key=key,
        payload=payload,
        now=iso(now),
        next_attempt_at=iso(when),
        attempts=1,
        last_error=outcome.error,
    )


def queue_screening(
    conn: Connection,
    *,
    provider: str,
    chain: str,
    address: str,
    now: datetime,
    outcome: Outcome | None = None,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
) -> bool:
    return queue(
        conn,
        kind=SCREENING,
        key=screening_key(provider, chain, address),
        payload={"provider": provider, "chain": chain, "address": address},
        now=now,
        outcome=outcome,
        backoff=backoff or Backoff(),
        rng=rng or random.Random(),
    )


def retry_delay(outcome: Outcome, attempts: int, backoff: Backoff, rng: random.Random) -> float:
    if outcome.auth:
        return backoff.auth_delay
    return backoff.delay(attempts, rng, retry_after=outcome.retry_after)


def waiting(conn: Connection, *, kind: str | None = None) -> int:
    """How many look-ups wait (due or not): the count the window shows."""
    return store.waiting(conn, kinds=LOOKUPS if kind is None else (kind,))


def waiting_per_provider(conn: Connection) -> dict[str, int]:
    """Waiting look-ups by provider name (e.g. to say "12 wait for TRM")."""
    return store.waiting_by(conn, kind=SCREENING, field="provider")


def pending(conn: Connection, *, kind: str | None = None, limit: int = 1000) -> list[store.Item]:
    """The visible queue: what waits, the soonest first, with attempts and last error."""
    return store.pending(conn, kind=kind, limit=limit)


def retry_now(conn: Connection, *, now: datetime) -> int:
    """Let everything that waits run now, backoff or not (the user pressed "retry")."""
    return sum(
        store.make_due(conn, kind=kind, key_prefix="", now=iso(now))
        for kind in (SCREENING, EXPLORER)
    )


def release_provider(conn: Connection, provider: str, *, now: datetime) -> int:
    """Let a provider's waiting look-ups run now (its key was just entered again)."""
    return store.make_due(conn, kind=SCREENING, key_prefix=f"{SCREENING}:{provider}:", now=iso(now))
