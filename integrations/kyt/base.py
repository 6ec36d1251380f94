"""What every KYT client shares: the `KytClient` Protocol, the `Screened` envelope
(parsed answer + the exact bytes it came in), the errors special to risk screening,
and the decoder that turns an HTTP answer into one or the other.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Protocol, TypeVar

import requests

from integrations.http.client import Decoder, ProviderStatus
from integrations.http.clock import Clock
from integrations.http.errors import REDACTED, IntegrationError, ProviderError, TransientError
from integrations.http.responses import parse_json, status_error

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

#: what a parser raises on a body of the wrong shape (mirrors integrations.http.client)
SHAPE_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError, ArithmeticError)


@dataclass(frozen=True)
class Screened(Generic[T_co]):
    """A provider's parsed answer, the exact body bytes it came in (kept as evidence,
    never re-serialised), and when it arrived (UTC, from the client's clock)."""

    answer: T_co
    raw: bytes
    fetched_at: datetime


class KytClient(Protocol[T_co]):
    """One KYT provider product that screens an address.

    Calls block on the network: run them on the network pool, never on the
    GUI thread. Failures raise `integrations.http.IntegrationError` subclasses
    (those below included), never anything from `requests`, never with a key.
    `chain` is one of our chain names ("ethereum", "bitcoin", "tron", ...);
    each client maps it to the provider's own naming.
    """

    @property
    def name(self) -> str:
        """The product as shown to users, e.g. "Elliptic"."""
        ...

    def supports(self, chain: str) -> bool:
        """Whether the provider's documented naming covers this chain."""
        ...

    def screen(self, chain: str, address: str) -> Screened[T_co]:
        """The provider's risk answer for `address`, sent exactly as given."""
        ...

    def check_key(self) -> str:
        """One cheap documented call that proves the key works; returns what it called."""
        ...

    def status(self) -> ProviderStatus: ...

    def close(self) -> None: ...


class MalformedAnswer(ProviderError):
    """The provider answered 2xx with something we cannot read: bad JSON, a web
    page, missing or mistyped fields, a value outside its documented set."""

    kind = "malformed"
    default_hint = "Nothing was recorded; if it persists the provider may have changed its API"


class AddressRejected(ProviderError):
    """The provider says the address is not valid (for the chain asked)."""

    kind = "invalid_address"
    default_hint = "Check the address and its chain"


class UnsupportedChain(ProviderError):
    """The provider does not cover this chain or asset."""

    kind = "unsupported"
    default_hint = "Screen this chain with another provider"


class UnknownAddress(ProviderError):
    """The provider has no record of the address (never used on chain, or not processed yet)."""

    kind = "unknown_address"
    default_hint = "Screen it again once the address has been used on chain"


class NotReady(TransientError):
    """The provider accepted the request but its assessment is not finished yet.

    Retried within the call like a 5xx; it does not count against the breaker:
    the provider is working, only slowly.
    """

    kind = "not_ready"
    trips_breaker = False


def decoder(
    parse: Callable[[Any], T],
    *,
    clock: Clock,
    refuse: Callable[[requests.Response], IntegrationError] = status_error,
    secrets: tuple[str, ...] = (),
) -> Decoder[Screened[T]]:
    """A decoder for HttpClient: non-2xx -> `refuse(response)`; 2xx -> JSON -> `parse`.

    Anything wrong with a 2xx body (bad JSON, HTML, a shape `parse` cannot
    read) becomes `MalformedAnswer`, so the app can tell "unreadable" from
    "refused". Errors `parse` raises on purpose (NotReady...) pass through.
    `secrets` are blanked from an error body before `refuse` quotes it (see
    `scrubbed`).
    """

    def decode(response: requests.Response) -> Screened[T]:
        if not 200 <= response.status_code < 300:
            raise refuse(scrubbed(response, secrets))
        try:
            body = parse_json(response)
        except ProviderError as error:
            raise MalformedAnswer(error.message, status=response.status_code) from None
        try:
            answer = parse(body)
        except SHAPE_ERRORS as exc:
            raise MalformedAnswer(
                f"gave an answer of an unexpected shape ({type(exc).__name__}: {exc})",
                status=response.status_code,
            ) from None
        return Screened(answer, response.content, wall_time(clock))

    return decode


def scrubbed(response: requests.Response, secrets: tuple[str, ...]) -> requests.Response:
    """`response` with every secret in its body replaced by ***.

    Error messages quote the start of an error body (cut at 160 characters by
    `integrations.http.responses`), and the client blanks whole keys only
    after that cut: a key echoed back near the cut would leave its first
    characters in the message. Blanking the body first closes that gap.
    """
    content = response.content
    found = [s.encode() for s in secrets if s and s.encode() in content]
    if not found:
        return response
    for secret in sorted(found, key=len, reverse=True):
        content = content.replace(secret, REDACTED.encode())
    clean = copy.copy(response)
    clean._content = content
    return clean


def wall_time(clock: Clock) -> datetime:
    """Now as a UTC datetime, from the injectable clock."""
    return datetime.fromtimestamp(clock.time(), UTC)


# Readers for parsers: each raises a SHAPE_ERRORS member on a value of the wrong type.


def text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} is not a string")
    return value


def optional_text(value: Any, what: str) -> str | None:
    return None if value is None else text(value, what)


def items(value: Any, what: str) -> list[dict[str, Any]]:
    """A JSON array of objects."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise TypeError(f"{what} is not a list of objects")
    return value


def obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not an object")
    return value


def number(value: Any, what: str) -> Decimal:
    """A JSON number (parse_json gives floats as Decimal) or a decimal string, exact."""
    if isinstance(value, bool):
        raise TypeError(f"{what} is a boolean, not a number")
    if isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{what} is not a decimal number") from None
    else:
        raise TypeError(f"{what} is not a number")
    if not result.is_finite():
        raise ValueError(f"{what} is not a finite number")
    return result


def optional_number(value: Any, what: str) -> Decimal | None:
    return None if value is None else number(value, what)
