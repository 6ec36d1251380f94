"""Stored answers as a cache: how long a provider's answer stays fresh, and what a
look-up came back with (a new answer, a cached one, or "queued" with the last known).

The `screenings` table is both the cache and the history: the newest row of
(chain, address, provider) is the cached answer and its `fetched_at` says how
old it is. Only answers count as cached: an error status (key refused, quota,
malformed body) is history, never a reason to skip asking again.
Reads use the connection it is given: the database worker's, or a reader's.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.screening.risk import RiskResult, Status, utc_now
from app.screening.sanctions import PROVIDER as SANCTIONS
from vault.connection import Connection
from vault.screening import screenings

#: statuses that are an answer about the address, so they may be served from the cache
ANSWERED = frozenset({Status.OK, Status.INVALID_ADDRESS, Status.UNSUPPORTED})

#: how far back in an address's history the last known answer is looked for
_HISTORY_DEPTH = 200


def _default_ttls() -> dict[str, timedelta]:
    # The offline list answers in microseconds and must reflect a new import at
    # once: never served from the cache.
    return {SANCTIONS: timedelta(0)}


@dataclass(frozen=True)
class TtlPolicy:
    """How long each provider's answers stay fresh. A KYT verdict changes slowly
    (exposure builds up over days); a day is what desks re-screen at by default."""

    default: timedelta = timedelta(hours=24)
    per_provider: Mapping[str, timedelta] = field(default_factory=_default_ttls)

    def ttl(self, provider: str) -> timedelta:
        return self.per_provider.get(provider, self.default)

    def with_ttl(self, provider: str, ttl: timedelta) -> TtlPolicy:
        return TtlPolicy(self.default, {**self.per_provider, provider: ttl})


class Origin(enum.StrEnum):
    PROVIDER = "provider"  # asked just now
    CACHE = "cache"  # a stored answer within its time to live
    QUEUED = "queued"  # not reachable now: waits in the outbox; the last known answer if any


@dataclass(frozen=True, slots=True)
class Lookup:
    """What one look-up came back with. `result` is the answer (or the error status
    the provider gave); for a queued look-up it is the last known answer, or None."""

    chain: str
    address: str
    provider: str
    origin: Origin
    result: RiskResult | None
    #: why the look-up waits in the outbox (queued only)
    note: str | None = None

    @property
    def status(self) -> str:
        """ "queued", or the result's status ("ok", "auth", ...)."""
        if self.origin is Origin.QUEUED or self.result is None:
            return str(Origin.QUEUED)
        return str(self.result.status)

    def age_seconds(self, now: datetime | None = None) -> float | None:
        """How old the shown answer is; None when there is none."""
        return None if self.result is None else self.result.age_seconds(now)


class ResultCache:
    """Cached answers read from `screenings`, judged fresh by a `TtlPolicy`."""

    def __init__(self, conn: Connection, policy: TtlPolicy | None = None) -> None:
        self._conn = conn
        self.policy = policy or TtlPolicy()

    def fresh(
        self, chain: str, address: str, provider: str, *, now: datetime | None = None
    ) -> RiskResult | None:
        """The stored answer if it is within the provider's time to live, else None."""
        ttl = self.policy.ttl(provider)
        if ttl <= timedelta(0):
            return None
        row = screenings.latest(self._conn, chain, address, provider)
        if row is None or Status(row["status"]) not in ANSWERED:
            return None
        result = RiskResult.from_record(row)
        return result if (now or utc_now()) - result.fetched_at < ttl else None

    def fresh_many(
        self, pairs: Iterable[tuple[str, str]], provider: str, *, now: datetime | None = None
    ) -> dict[tuple[str, str], RiskResult]:
        """`fresh` for each (chain, address): the ones with a fresh answer."""
        if self.policy.ttl(provider) <= timedelta(0):
            return {}
        moment = now or utc_now()
        found = {}
        for chain, address in pairs:
            hit = self.fresh(chain, address, provider, now=moment)
            if hit is not None:
                found[(chain, address)] = hit
        return found

    def last_known(self, chain: str, address: str, provider: str) -> RiskResult | None:
        """The newest answer of `provider`, however old (shown while offline)."""
        row = screenings.latest(self._conn, chain, address, provider)
        if row is not None and Status(row["status"]) in ANSWERED:
            return RiskResult.from_record(row)
        for older in screenings.history(self._conn, chain, address, limit=_HISTORY_DEPTH):
            if older["provider"] == provider and Status(older["status"]) in ANSWERED:
                return RiskResult.from_record(older)
        return None
