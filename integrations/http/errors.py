"""The failures a provider call can end in, sorted the way the app reacts to them.

STYLE point 8: auth (ask for the key again), transient (retry quietly later),
fatal (show, with what to do). Quota sits between: the provider is fine but
this key may not ask for now. Every message is written for a person and never
holds an API key or a URL query; the client redacts known secrets once more
before it raises.

    IntegrationError
    ├── AuthError        the key was refused: ask for it again
    ├── QuotaError       rate limited beyond retries, or the daily quota is used up
    ├── TransientError   retried and still failing: timeouts, 5xx
    │   ├── Offline      the host could not be reached at all: queue the work
    │   └── CircuitOpen  too many failures in a row: calls are paused
    └── ProviderError    fatal: malformed or unexpected answer, bad request
"""

from __future__ import annotations

from typing import ClassVar


class IntegrationError(Exception):
    """A provider call that did not give a usable answer.

    `retryable` and `retry_after` steer the client's retry loop; callers
    mostly need `kind`, `offline`, `retry_after` and `str(error)`.
    """

    kind: ClassVar[str] = "error"
    #: whether this failure counts towards opening the provider's circuit breaker
    trips_breaker: ClassVar[bool] = False
    default_hint: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = self.default_hint if hint is None else hint
        #: the HTTP status, when there was an answer
        self.status = status
        self.retryable = retryable
        #: seconds the provider asked us to wait (Retry-After and the like)
        self.retry_after = retry_after
        #: shown to users, e.g. "Etherscan"; set by the client that raised it
        self.provider = ""
        #: how many HTTP requests the call made before giving up
        self.attempts = 0

    @property
    def offline(self) -> bool:
        """True when the host was never reached: nothing is wrong with the provider."""
        return False

    def __str__(self) -> str:
        text = f"{self.provider}: {self.message}" if self.provider else self.message
        return f"{text}. {self.hint}" if self.hint else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def redact(self, secrets: tuple[str, ...]) -> None:
        """Blank every secret out of the texts this error shows."""
        self.message = redact(self.message, secrets)
        self.hint = redact(self.hint, secrets)
        self.args = (self.message,)


class AuthError(IntegrationError):
    kind = "auth"
    default_hint = "Enter the API key again in Settings › Providers"


class QuotaError(IntegrationError):
    kind = "quota"
    trips_breaker = True
    default_hint = "Try again later, or use a key with a higher plan"


class TransientError(IntegrationError):
    kind = "transient"
    trips_breaker = True
    default_hint = "It will be tried again later"


class Offline(TransientError):
    kind = "offline"
    default_hint = "Check the network connection; the work waits until it is back"

    @property
    def offline(self) -> bool:
        return True


class CircuitOpen(TransientError):
    """Calls to this provider are paused after too many failures in a row."""

    kind = "circuit_open"
    trips_breaker = False

    def __init__(self, *, reopens_in: float, last_failure: str | None) -> None:
        cause = f" (last: {last_failure})" if last_failure else ""
        super().__init__(
            f"paused after repeated failures{cause}",
            hint=f"Calls resume in {max(reopens_in, 0.0):.0f} s",
            retry_after=max(reopens_in, 0.0),
        )
        self.reopens_in = max(reopens_in, 0.0)
        #: the `kind` of the failure that opened the circuit, e.g. "offline"
        self.last_failure = last_failure

    @property
    def offline(self) -> bool:
        return self.last_failure == Offline.kind


class ProviderError(IntegrationError):
    kind = "fatal"
    default_hint = "Check the provider settings; if it persists the provider may have changed"


REDACTED = "***"


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every non-empty secret replaced by ***."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
