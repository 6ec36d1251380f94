"""POST one webhook delivery and sort what happened; never raises for the network.

One request, no retries here: the outbox retries with backoff (app.webhooks.delivery).
2xx is delivered; anything else, or no answer, is a failure to retry. Messages
name the host and what happened, never the URL's user, password, path or query.
Blocks on the network: the network pool, never the GUI thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from integrations.http.retry import parse_retry_after

TIMEOUT = (5.0, 15.0)  # connect, read


@dataclass(frozen=True, slots=True)
class Answer:
    status: int | None
    #: None when delivered; else why not, for a person
    error: str | None
    #: the host was not reached at all: the endpoint's other deliveries need not try now
    offline: bool = False
    retry_after: float | None = None
    ms: int = 0

    @property
    def delivered(self) -> bool:
        return self.error is None


def host_of(url: str) -> str:
    """host[:port] of a URL, without user or password: safe to show and log."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def redacted(url: str) -> str:
    """The URL with any user and password replaced by ***: what lists and logs show."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc="***@" + host_of(url)).geturl()


def post(
    session: requests.Session,
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: tuple[float, float] = TIMEOUT,
) -> Answer:
    started = time.monotonic()
    host = host_of(url)

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        response = session.post(url, data=body, headers=headers, timeout=timeout,
                                allow_redirects=False)  # fmt: skip
    except requests.ConnectTimeout:
        return Answer(None, f"{host} did not accept a connection in time", offline=True, ms=took())
    except requests.ConnectionError:
        return Answer(None, f"could not connect to {host}", offline=True, ms=took())
    except requests.Timeout:
        return Answer(None, f"{host} did not answer in time", ms=took())
    except requests.RequestException:
        return Answer(None, f"the request to {host} failed", ms=took())
    status = response.status_code
    response.close()
    if 200 <= status < 300:
        return Answer(status, None, ms=took())
    return Answer(
        status,
        f"{host} answered HTTP {status}",
        retry_after=parse_retry_after(response.headers.get("Retry-After"), now=time.time()),
        ms=took(),
    )
