"""Screening addresses: whom to screen, which provider answers, what is kept.

Every answer is stored in the vault (`screenings`: the cache and the history,
with the raw body as evidence); each run is one audit event. The offline
sanctions list is the provider that works with no key and no network; the
KYT providers (`app.screening.providers.make_provider`, with the key from
`app.screening.secrets`) answer through the same calls, behind the cache
(`cache`), on a pool of network threads (`batch`), and wait in the outbox
(`outbox`) when they cannot be reached.

`Screening` is the use-case object the GUI and the CLI hold; its methods run
on the database worker (network calls go to the pool inside them), but for
`lookup` and `run_outbox`, which may instead run on a network thread and use
the vault through a `db` call (`app.tasks.DbCalls`), so the worker never waits
on a provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.addresses import AddressError, normalize
from app.book.models import ValidationError
from app.screening import explorer_data
from app.screening.batch import BatchReport, OnResult, OutboxRun, Progress, run_outbox, screen_batch
from app.screening.cache import ANSWERED, Lookup, Origin, TtlPolicy
from app.screening.outbox import (
    Backoff,
    RiskProvider,
    retry_now,
    waiting,
    waiting_per_provider,
)
from app.screening.providers import PROVIDERS as KYT_PROVIDERS
from app.screening.providers import make_provider
from app.screening.risk import RatingSuggestion, RiskResult, Status, failed, suggest_rating, utc_now
from app.screening.sanctions import PROVIDER as SANCTIONS
from app.screening.sanctions import OfflineSanctions, SanctionsSnapshot
from app.screening.secrets import ApiKey, get_key
from app.tasks import OnDb, here
from integrations.explorers import Explorers, ExplorerSettings
from vault.book import customers
from vault.connection import Connection
from vault.screening import screenings
from vault.store import Vault

#: providers every vault has, with no key and no network
PROVIDERS = (SANCTIONS,)

#: builds a network provider from its name and stored key (None: no key stored)
ProviderFactory = Callable[[str, ApiKey | None], RiskProvider]


@dataclass(frozen=True)
class Target:
    chain: str
    address: str
    customer_id: int | None = None


def parse_target(text: str) -> Target:
    """`chain:address` as typed on the command line or pasted in a form."""
    chain, sep, address = text.strip().partition(":")
    if not sep or not address:
        raise ValidationError("address", f"'{text[:60]}' is not chain:address")
    try:
        return Target(chain.lower(), normalize(chain.lower(), address))
    except AddressError as exc:
        raise ValidationError("address", exc.reason) from None


def customer_targets(vault: Vault, external_id: str) -> list[Target]:
    customer_id = customers.by_external_id(vault.conn, external_id)
    if customer_id is None:
        raise ValidationError("customer", f"no customer with external id '{external_id[:40]}'")
    return [
        Target(chain, address, customer_id)
        for chain, address in vault.conn.execute(
            "SELECT chain, address FROM addresses WHERE customer_id = ? ORDER BY id",
            (customer_id,),
        )
    ]


def all_targets(vault: Vault) -> Iterator[Target]:
    cursor = vault.conn.execute(
        "SELECT a.chain, a.address, a.customer_id FROM addresses a JOIN customers c "
        "ON c.id = a.customer_id WHERE c.erased_at IS NULL AND c.merged_into IS NULL ORDER BY a.id"
    )
    while batch := cursor.fetchmany(5000):
        for chain, address, customer_id in batch:
            yield Target(chain, address, int(customer_id))


class SanctionsProvider:
    """The offline list as a `RiskProvider`: one snapshot, so any thread may screen."""

    name = SANCTIONS

    def __init__(self, snapshot: SanctionsSnapshot) -> None:
        self._snapshot = snapshot

    def screen(self, chain: str, address: str) -> RiskResult:
        # Targets come normalised from parse_target or the book: no second validation.
        return self._snapshot.screen(chain, address, validate=False)


def make_network_provider(
    name: str, key: ApiKey | None, *, base_url: str | None = None
) -> RiskProvider:
    """A KYT provider (`app.screening.providers`) with the key stored for it; `base_url`
    replaces the documented endpoint (Settings › Providers)."""
    if name not in KYT_PROVIDERS:
        names = ", ".join((*PROVIDERS, *KYT_PROVIDERS))
        raise ValidationError("provider", f"no provider called '{name}'; available: {names}")
    if key is None:
        raise ValidationError(
            "provider", f"no API key for '{name}' in this vault: strongroom keys set {name}"
        )
    if base_url:
        return make_provider(name, key=key.key, secret=key.secret, base_url=base_url)
    return make_provider(name, key=key.key, secret=key.secret)


def default_policy() -> TtlPolicy:
    """Each KYT provider's own time to live (`ProviderInfo.ttl_seconds`), a day for any
    other, never for the offline list."""
    policy = TtlPolicy()
    for name, info in KYT_PROVIDERS.items():
        policy = policy.with_ttl(name, timedelta(seconds=info.ttl_seconds))
    return policy


def explorers_for(vault: Vault, settings: ExplorerSettings | None = None) -> Explorers:
    """The explorers of `settings` (the defaults if None) with the keys stored in this
    vault. Close them (`close()`) when done."""
    settings = settings or ExplorerSettings()
    keys: dict[str, str] = {}
    for chain in settings.chains:
        if chain.key_id not in keys and (found := get_key(vault, chain.key_id)) is not None:
            keys[chain.key_id] = found.key
    return Explorers(settings, keys=keys)


class Screening:
    """The screening use cases of one open vault. `forget()` on lock.

    `providers` are ready providers by name (tests, or the GUI's own); others are
    built on first use by `factory` from the key stored for them.
    """

    def __init__(
        self,
        vault: Vault,
        *,
        providers: Mapping[str, RiskProvider] | None = None,
        factory: ProviderFactory = make_network_provider,
        policy: TtlPolicy | None = None,
        backoff: Backoff | None = None,
        workers: int = 8,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.vault = vault
        self.sanctions = OfflineSanctions(vault)
        self.policy = policy or default_policy()
        self.backoff = backoff or Backoff()
        self.workers = workers
        self.clock = clock
        self._given = dict(providers or {})
        self._built: dict[str, RiskProvider] = {}
        self._factory = factory
        #: what the last `lookup` did (counts for a status line)
        self.last_report: BatchReport | None = None

    def forget(self) -> None:
        """On lock: drop the sanctions snapshot and close the providers built here."""
        self.sanctions.forget()
        built, self._built = self._built, {}
        for provider in built.values():
            close = getattr(provider, "close", None)
            if callable(close):
                close()

    def provider(self, name: str) -> RiskProvider:
        """The provider called `name`; a ValidationError says why there is none."""
        if name == SANCTIONS:
            return SanctionsProvider(self.sanctions.refresh())
        if name in self._given:
            return self._given[name]
        if name not in self._built:
            self._built[name] = self._factory(name, get_key(self.vault, name))
        return self._built[name]

    def lookup(
        self,
        targets: Iterable[Target | tuple[str, str]],
        *,
        provider: str = SANCTIONS,
        offline: bool = False,
        refresh: bool = False,
        progress: Progress | None = None,
        on_result: OnResult | None = None,
        cancelled: Callable[[], bool] | None = None,
        db: OnDb = here,
    ) -> list[Lookup]:
        """Screen each address once, in the order given: from the cache within its time
        to live (unless `refresh`), else from the provider; queued in the outbox when
        it cannot be reached (or `offline`). Results are stored as they arrive, in
        batches; `progress(done, total)` may raise to cancel, or `cancelled()` turn
        true. Called off the database worker, `db` runs the vault's part there."""
        pairs = list(dict.fromkeys(_pair(t) for t in targets))
        if provider == SANCTIONS or not offline:
            chosen = db(lambda: self.provider(provider))
        else:
            chosen = _Unavailable(provider)  # --offline: never built, never called
        found: dict[tuple[str, str], Lookup] = {}

        def collect(lookup: Lookup) -> None:
            found[(lookup.chain, lookup.address)] = lookup
            if on_result is not None:
                on_result(lookup)

        self.last_report = self._batch(
            chosen,
            pairs,
            offline=offline and provider != SANCTIONS,
            refresh=refresh,
            progress=progress,
            on_result=collect,
            cancelled=cancelled,
            db=db,
        )
        return [found[p] for p in pairs if p in found]

    def _batch(
        self,
        provider: RiskProvider,
        pairs: list[tuple[str, str]],
        *,
        offline: bool,
        refresh: bool,
        progress: Progress | None,
        on_result: OnResult,
        cancelled: Callable[[], bool] | None,
        db: OnDb,
    ) -> BatchReport:
        return screen_batch(
            self.vault,
            provider,
            pairs,
            policy=self.policy,
            refresh=refresh,
            offline=offline,
            progress=progress,
            on_result=on_result,
            cancelled=cancelled,
            workers=self.workers,
            inline=provider.name == SANCTIONS,
            backoff=self.backoff,
            clock=self.clock,
            db=db,
        )

    def screen(
        self,
        targets: Sequence[Target],
        *,
        provider: str = SANCTIONS,
        offline: bool = False,
        refresh: bool = False,
    ) -> list[RiskResult]:
        """`lookup`, keeping only the answers (queued look-ups with no known answer
        are left out)."""
        found = self.lookup(targets, provider=provider, offline=offline, refresh=refresh)
        return [x.result for x in found if x.result is not None]

    def history(self, chain: str, address: str, *, limit: int = 100) -> list[RiskResult]:
        """Every stored answer about the address, newest first, all providers."""
        rows = screenings.history(self.vault.conn, chain, address, limit=limit)
        return [RiskResult.from_record(r) for r in rows]

    def suggestion_for(self, customer_id: int) -> RatingSuggestion:
        return suggestion_for(self.vault, customer_id)

    def waiting(self) -> int:
        """Look-ups and refreshes waiting for the network: the count the window shows."""
        return waiting(self.vault.conn)

    def waiting_per_provider(self) -> dict[str, int]:
        return waiting_per_provider(self.vault.conn)

    def run_outbox(
        self,
        *,
        now: datetime | None = None,
        limit: int = 100,
        explorers: explorer_data.ExplorerSource | None = None,
        cancelled: Callable[[], bool] | None = None,
        db: OnDb = here,
    ) -> OutboxRun:
        """Run what is due, for every provider that can be built now (a key is set).
        Called off the database worker, `db` runs the vault's part there; once
        `cancelled()` turns true the drain stops (see `batch.run_outbox`)."""
        return run_outbox(
            self.vault,
            db(self.queued_providers),
            now=now,
            limit=limit,
            explorers=explorers,
            workers=self.workers,
            backoff=self.backoff,
            cancelled=cancelled,
            db=db,
        )

    def retry_now(self) -> int:
        """Make every waiting item due now, whatever its backoff; returns how many."""
        with self.vault.transaction() as tx:
            return retry_now(tx.conn, now=self.clock())

    def queued_providers(self) -> dict[str, RiskProvider]:
        """The providers of the waiting look-ups that can be built (a key is set)."""
        ready: dict[str, RiskProvider] = {}
        for name in waiting_per_provider(self.vault.conn):
            try:
                ready[name] = self.provider(name)
            except ValidationError:
                continue  # no key or no client yet: its look-ups keep waiting
        return ready

    def refresh_explorer(
        self,
        explorers: explorer_data.ExplorerSource,
        chain: str,
        address: str,
        *,
        db: OnDb = here,
    ) -> explorer_data.ExplorerRefresh:
        return explorer_data.refresh_explorer(
            self.vault, explorers, chain, address, now=self.clock(), backoff=self.backoff, db=db
        )


class _Unavailable:
    """Stands for a provider that must not be called (an --offline look-up)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def screen(self, chain: str, address: str) -> RiskResult:
        raise AssertionError(f"{self.name} was called while offline")


def _pair(target: Target | tuple[str, str]) -> tuple[str, str]:
    if isinstance(target, Target):
        return target.chain, target.address
    return target


def suggestion_for(vault: Vault, customer_id: int) -> RatingSuggestion:
    """The risk rating the customer's addresses suggest, from each address's latest
    answer per provider (an address never screened counts as not screened)."""
    return suggestion_from(vault.conn, customer_id)


def suggestion_from(conn: Connection, customer_id: int) -> RatingSuggestion:
    """`suggestion_for` on a given connection (a view's reader)."""
    results: list[RiskResult] = []
    for chain, address in _customer_addresses(conn, customer_id):
        latest = latest_per_provider(conn, chain, address)
        results += latest or [
            failed(
                chain=chain,
                address=address,
                provider=SANCTIONS,
                status=Status.NOT_CONFIGURED,
                error="not screened yet",
            )
        ]
    return suggest_rating(results)


def _customer_addresses(conn: Connection, customer_id: int) -> list[tuple[str, str]]:
    return [
        (chain, address)
        for chain, address in conn.execute(
            "SELECT chain, address FROM addresses WHERE customer_id = ? ORDER BY id",
            (customer_id,),
        )
    ]


def latest_per_provider(conn: Connection, chain: str, address: str) -> list[RiskResult]:
    """Per provider: the newest answer, or the newest error when it never answered.
    A later failure (key refused) does not hide an earlier answer; a later "not
    covered" does: the lists that answered then no longer cover the chain (or never
    did: a "none" stored before coverage was checked), so that answer is not
    current, and the address counts as not screened."""
    answer: dict[str, RiskResult] = {}
    error: dict[str, RiskResult] = {}
    for row in screenings.history(conn, chain, address, limit=500):
        result = RiskResult.from_record(row)
        if result.status in ANSWERED or result.status is Status.NOT_COVERED:
            answer.setdefault(result.provider, result)
        else:
            error.setdefault(result.provider, result)
    return [answer.get(p) or error[p] for p in dict.fromkeys([*answer, *error])]


__all__ = [
    "PROVIDERS",
    "Lookup",
    "Origin",
    "Screening",
    "Target",
    "all_targets",
    "customer_targets",
    "parse_target",
    "suggestion_for",
]
