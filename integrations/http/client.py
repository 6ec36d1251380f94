"""The one HTTP client every provider uses: timeouts, rate limit, retries, breaker.

Runs on the network pool, never on the GUI thread: calls block, sleeping
through rate limits and backoff. One `HttpClient` per provider account (one
Etherscan key serves every chain, so its chains share one client and thus
one rate limit and one breaker). Safe to share between threads: each thread
gets its own `requests.Session`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import requests
import urllib3.exceptions

from integrations.http import logredact
from integrations.http.breaker import CircuitBreaker, CircuitState
from integrations.http.clock import Clock, SystemClock
from integrations.http.errors import (
    IntegrationError,
    Offline,
    ProviderError,
    TransientError,
)
from integrations.http.ratelimit import TokenBucket
from integrations.http.retry import RetryPolicy, parse_retry_after

T = TypeVar("T")

#: turns an answer into data, or raises IntegrationError; any KeyError,
#: TypeError, ValueError... it raises means "the answer had an unexpected shape"
Decoder = Callable[[requests.Response], T]

_SHAPE_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError, ArithmeticError)


@dataclass(frozen=True)
class ProviderConfig:
    """How to talk to one provider. Holds no secret: keys are passed to the client."""

    #: shown to users in every message, e.g. "Etherscan"
    name: str
    base_url: str
    #: seconds to connect; a bit over a multiple of 3, the TCP retransmit window
    connect_timeout: float = 3.05
    #: seconds to wait for the answer
    read_timeout: float = 15.0
    #: requests per second allowed by the provider's plan
    rate_per_second: float = 5.0
    burst: int = 1
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: consecutive failed calls that open the circuit
    breaker_threshold: int = 5
    #: seconds the circuit stays open before one trial call
    breaker_cool_down: float = 30.0
    user_agent: str = "Strongroom"


@dataclass(frozen=True)
class ProviderStatus:
    """What the UI shows about a provider's health."""

    name: str
    circuit: CircuitState
    reopens_in: float


@dataclass(frozen=True)
class _Done(Generic[T]):
    value: T


class HttpClient:
    def __init__(
        self,
        config: ProviderConfig,
        *,
        secrets: tuple[str, ...] = (),
        clock: Clock | None = None,
        rng: random.Random | None = None,
        session_factory: Callable[[], requests.Session] = requests.Session,
    ) -> None:
        """`secrets`: API keys this client sends; blanked from errors and urllib3 logs."""
        self.config = config
        self._secrets = tuple(s for s in secrets if s)
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()  # jitter, not cryptography
        self._limiter = TokenBucket(
            rate=config.rate_per_second, burst=config.burst, clock=self._clock
        )
        self._breaker = CircuitBreaker(
            threshold=config.breaker_threshold,
            cool_down=config.breaker_cool_down,
            clock=self._clock,
        )
        self._session_factory = session_factory
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        logredact.protect(self._secrets)

    @property
    def clock(self) -> Clock:
        return self._clock

    def status(self) -> ProviderStatus:
        return ProviderStatus(self.config.name, self._breaker.state, self._breaker.reopens_in())

    def get(
        self,
        path: str,
        *,
        decode: Decoder[T],
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> T:
        return self.request(
            "GET", path, decode=decode, params=params, headers=headers, secrets=secrets
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        decode: Decoder[T],
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        secrets: tuple[str, ...] = (),
    ) -> T:
        """One logical call: rate-limited, retried per the policy, guarded by the breaker.

        `path` is appended to the base URL. `secrets` are keys sent with this
        call only. Raises an `IntegrationError` subclass, never anything from
        `requests`, and never with a secret or the URL in its text.
        """
        extra = tuple(s for s in secrets if s)
        hidden = self._secrets + extra
        try:
            self._breaker.before_call()
        except IntegrationError as failure:
            raise self._finish(failure, hidden, attempts=0) from None
        url = self.config.base_url.rstrip("/") + path if path else self.config.base_url
        settled = False
        logredact.protect(extra)
        try:
            outcome = self._call_with_retries(
                method, url, decode=decode, params=params, headers=headers, body=body
            )
            settled = True
        finally:
            logredact.release(extra)
            if not settled:
                self._breaker.abandoned()
        if isinstance(outcome, _Done):
            self._breaker.succeeded()
            return outcome.value
        error, attempts = outcome
        if error.trips_breaker:
            self._breaker.failed(error.kind)
        else:
            self._breaker.succeeded()  # it answered; the fault is ours or the key's
        raise self._finish(error, hidden, attempts=attempts)

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        logredact.release(self._secrets)
        self._secrets = ()

    def _call_with_retries(
        self,
        method: str,
        url: str,
        *,
        decode: Decoder[T],
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        body: bytes | None,
    ) -> _Done[T] | tuple[IntegrationError, int]:
        policy = self.config.retry
        attempt = 0
        while True:
            attempt += 1
            self._limiter.acquire()
            outcome = self._attempt(
                method, url, decode=decode, params=params, headers=headers, body=body
            )
            if isinstance(outcome, _Done):
                return outcome
            wait = self._wait_before_retry(
                outcome, retry=attempt - 1, attempts_left=policy.attempts - attempt
            )
            if wait is None:
                return outcome, attempt
            self._clock.sleep(wait)

    def _attempt(
        self,
        method: str,
        url: str,
        *,
        decode: Decoder[T],
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        body: bytes | None,
    ) -> _Done[T] | IntegrationError:
        """One HTTP request. Returns the failure rather than raising it, so the
        error that finally leaves the client carries no chained `requests`
        exception (whose text holds the full URL, key included)."""
        try:
            response = self._session().request(
                method,
                url,
                params=params,
                headers=headers,
                data=body,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
            )
        except requests.RequestException as exc:
            return self._network_failure(exc)
        with response:
            try:
                return _Done(decode(response))
            except IntegrationError as failure:
                if failure.retryable and failure.retry_after is None:
                    failure.retry_after = parse_retry_after(
                        response.headers.get("Retry-After"), now=self._clock.time()
                    )
                return failure
            except _SHAPE_ERRORS as exc:
                return ProviderError(
                    f"gave an answer of an unexpected shape ({type(exc).__name__}: {exc})",
                    status=response.status_code,
                )

    def _wait_before_retry(
        self, failure: IntegrationError, *, retry: int, attempts_left: int
    ) -> float | None:
        """Seconds to sleep before the next attempt, or None to give up now."""
        if not failure.retryable or attempts_left <= 0:
            return None
        policy = self.config.retry
        if failure.retry_after is not None:
            # The provider said how long; longer than we will block a worker
            # for means the caller should schedule it (the error keeps the figure).
            return failure.retry_after if failure.retry_after <= policy.max_retry_after else None
        return policy.backoff(retry, self._rng)

    def _network_failure(self, exc: requests.RequestException) -> IntegrationError:
        connect, read = self.config.connect_timeout, self.config.read_timeout
        if isinstance(exc, requests.ConnectTimeout):
            return Offline(f"could not be reached within {connect:g} s", retryable=True)
        if isinstance(exc, requests.Timeout):
            return TransientError(f"did not answer within {read:g} s", retryable=True)
        if isinstance(exc, requests.exceptions.SSLError):
            return ProviderError(
                "failed the secure-connection check",
                hint="Check the system clock and any proxy that intercepts HTTPS",
            )
        if isinstance(exc, requests.ConnectionError):
            if unreachable(exc):
                return Offline("could not be reached", retryable=True)
            return TransientError("dropped the connection", retryable=True)
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
            return ProviderError("has an invalid base URL", hint="Fix it in the provider settings")
        return TransientError(f"failed ({type(exc).__name__})", retryable=True)

    def _finish(
        self, failure: IntegrationError, secrets: tuple[str, ...], *, attempts: int
    ) -> IntegrationError:
        failure.provider = self.config.name
        failure.attempts = attempts
        failure.redact(secrets)
        failure.__context__ = None
        failure.__cause__ = None
        return failure.with_traceback(None)

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._session_factory()
            session.headers["User-Agent"] = self.config.user_agent
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session


def unreachable(exc: BaseException) -> bool:
    """True when the host was never reached: refused, no route, or DNS failed.

    requests wraps urllib3's NewConnectionError (NameResolutionError is a
    subclass) in a MaxRetryError inside its ConnectionError; walk the chain.
    """
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
            return True
        reason = getattr(current, "reason", None)
        linked = [reason, current.__cause__, current.__context__, *current.args]
        todo.extend(e for e in linked if isinstance(e, BaseException))
    return False
