"""The `RiskProvider` interface the screening service calls, and the adapter that
turns any `integrations.kyt` client into one.

Screening runs on the network pool (it blocks on HTTP), never on the GUI
thread or the database worker. Every call ends in one `RiskResult`: an answer
mapped by the provider's `judge`, or a `failed(...)` result whose status says
what to do (STYLE.md 8). Nothing raises for a provider's fault, and nothing
that could not be read is ever reported as a clean answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from app.addresses import CHAINS, AddressError, is_evm, normalize
from app.screening.risk import Exposure, Level, RiskResult, Status, failed
from integrations.http import (
    AuthError,
    IntegrationError,
    ProviderStatus,
    QuotaError,
    TransientError,
)
from integrations.http.errors import redact
from integrations.kyt import (
    AddressRejected,
    KytClient,
    MalformedAnswer,
    Screened,
    UnsupportedChain,
)

T = TypeVar("T")


class RiskProvider(Protocol):
    """A source of risk answers about addresses, by name (see `PROVIDERS`)."""

    @property
    def name(self) -> str: ...

    def screen(self, chain: str, address: str) -> RiskResult:
        """One address on one of our chains. Blocks on the network; never raises
        for a provider's fault: failures are results with a status."""
        ...

    def test_connection(self) -> RiskResult | str:
        """For a "Test connection" button: one cheap documented call.

        A str (what was called, for the user) when the key works; otherwise a
        failed RiskResult whose status and error say why (chain and address
        empty: nothing was screened).
        """
        ...


@dataclass(frozen=True)
class ProviderInfo:
    """What settings and the cache need to know about a provider before using it."""

    name: str
    label: str
    needs_key: bool
    needs_secret: bool
    #: requests per second the client allows itself by default
    rate_per_second: float
    #: where that rate comes from (the reference doc's words)
    rate_source: str
    #: how long a cached answer is served before asking again
    ttl_seconds: int
    ttl_reason: str
    #: our chains it can screen
    chains: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """A provider's answer in our terms, before chain, address and evidence are added."""

    level: Level
    score: int
    sanctioned: bool = False
    categories: tuple[str, ...] = ()
    direct: tuple[Exposure, ...] = ()
    indirect: tuple[Exposure, ...] = ()
    sanctioned_party: str | None = None
    #: shown as "by ..." next to the figure; the provider's label when None
    source: str | None = None


def status_of(error: IntegrationError) -> Status:
    """The risk Status of a client failure.

    Offline, circuit open, 429/quota, timeouts, 5xx and "not ready yet" are
    all TRANSIENT: risk.py's "retried later with backoff" (the outbox queues
    them); the error text says which (an unreachable host reads "could not
    be reached ... the work waits until it is back").
    """
    if isinstance(error, AuthError):
        return Status.AUTH
    if isinstance(error, TransientError | QuotaError):
        return Status.TRANSIENT
    if isinstance(error, UnsupportedChain):
        return Status.UNSUPPORTED
    if isinstance(error, AddressRejected):
        return Status.INVALID_ADDRESS
    if isinstance(error, MalformedAnswer):
        return Status.MALFORMED
    return Status.FATAL


class KytRiskProvider(Generic[T]):
    """A `RiskProvider` over one KYT client and the `judge` that maps its answers.

    Before any request: a chain the provider does not cover is UNSUPPORTED and
    an address that is not valid for its chain is INVALID_ADDRESS (no paid
    call is wasted). EVM addresses are sent in lower-case hex, as every
    example in the reference docs is; results carry our canonical form.
    """

    def __init__(
        self,
        client: KytClient[T],
        *,
        info: ProviderInfo,
        judge: Callable[[T], Verdict],
        secrets: tuple[str, ...] = (),
    ) -> None:
        """`secrets` are blanked from every error text once more, whatever raised it."""
        self._client = client
        self.info = info
        self._judge = judge
        self._secrets = tuple(s for s in secrets if s)

    @property
    def name(self) -> str:
        return self.info.name

    def screen(self, chain: str, address: str) -> RiskResult:
        shown = address.strip()
        if chain not in CHAINS or not self._client.supports(chain):
            return self._failed(
                chain, shown, Status.UNSUPPORTED, f"{self.info.label} does not screen {chain!r}"
            )
        try:
            shown = normalize(chain, shown)
        except AddressError as exc:
            return self._failed(chain, shown, Status.INVALID_ADDRESS, exc.reason)
        try:
            screened = self._client.screen(chain, shown.lower() if is_evm(chain) else shown)
        except IntegrationError as error:
            return self._failed(chain, shown, status_of(error), str(error))
        return self._result(chain, shown, screened)

    def test_connection(self) -> RiskResult | str:
        try:
            called = self._client.check_key()
        except IntegrationError as error:
            return self._failed("", "", status_of(error), str(error))
        return f"{self.info.label} accepted the key ({called})"

    def status(self) -> ProviderStatus:
        return self._client.status()

    def close(self) -> None:
        self._client.close()

    def _result(self, chain: str, address: str, screened: Screened[T]) -> RiskResult:
        try:
            verdict = self._judge(screened.answer)
            return RiskResult(
                chain=chain,
                address=address,
                provider=self.info.name,
                level=verdict.level,
                score=verdict.score,
                fetched_at=screened.fetched_at,
                sanctioned=verdict.sanctioned,
                categories=verdict.categories,
                direct=verdict.direct,
                indirect=verdict.indirect,
                source=verdict.source or self.info.label,
                sanctioned_party=verdict.sanctioned_party,
                raw=screened.raw,
            )
        except (ValueError, TypeError, ArithmeticError) as exc:  # risk.py validation
            return self._failed(
                chain,
                address,
                Status.MALFORMED,
                f"{self.info.label}: gave an answer that does not fit the risk model ({exc})",
                at=screened.fetched_at,
            )

    def _failed(
        self, chain: str, address: str, status: Status, error: str, *, at: datetime | None = None
    ) -> RiskResult:
        return failed_result(
            chain=chain,
            address=address,
            provider=self.info.name,
            status=status,
            error=redact(error, self._secrets),
            at=at,
        )


class Unavailable:
    """A provider that cannot work as configured (no key, a secret that is not
    Base64...): every call answers the same failure, and no request is made."""

    def __init__(self, info: ProviderInfo, *, status: Status, error: str) -> None:
        self.info = info
        self._status = status
        self._error = error

    @property
    def name(self) -> str:
        return self.info.name

    def screen(self, chain: str, address: str) -> RiskResult:
        return failed_result(
            chain=chain,
            address=address.strip(),
            provider=self.info.name,
            status=self._status,
            error=self._error,
        )

    def test_connection(self) -> RiskResult | str:
        return self.screen("", "")

    def close(self) -> None:
        """Nothing to release."""


def failed_result(
    *,
    chain: str,
    address: str,
    provider: str,
    status: Status,
    error: str,
    at: datetime | None = None,
) -> RiskResult:
    """`risk.failed(...)`, dated `at` when the provider's answer had a date."""
    result = failed(chain=chain, address=address, provider=provider, status=status, error=error)
    return result if at is None else dataclasses.replace(result, fetched_at=at)


def categories(names: Iterable[str | None]) -> tuple[str, ...]:
    """Provider categories in one spelling (lower case, trimmed), first seen first."""
    cleaned = (" ".join(n.split()).lower() for n in names if n and n.strip())
    return tuple(dict.fromkeys(cleaned))


def exposures(
    parts: Iterable[tuple[str | None, Decimal | None, Decimal | None]],
) -> tuple[Exposure, ...]:
    """Exposures by category from (category, USD value, share 0–1) parts.

    Values of one category add up (its flows in every direction); its share
    is the largest of its parts, a share never being more than the whole.
    Parts with neither a value nor a share above zero are left out.
    """
    values: dict[str, Decimal | None] = {}
    shares: dict[str, Decimal | None] = {}
    for category, value, share in parts:
        name = categories([category])
        if not name or not ((value or 0) > 0 or (share or 0) > 0):
            continue
        key = name[0]
        values[key] = _combine(values.get(key), value, lambda xs: sum(xs, Decimal(0)))
        shares[key] = _combine(shares.get(key), share, max)
    return tuple(
        Exposure(category=key, value=_float(values[key]), share=_float(shares[key]))
        for key in values
    )


def _combine(
    old: Decimal | None, new: Decimal | None, how: Callable[[list[Decimal]], Decimal]
) -> Decimal | None:
    present = [x for x in (old, new) if x is not None]
    return how(present) if present else None


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
