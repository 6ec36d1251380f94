"""Turning an HTTP answer into data or into the right `IntegrationError`.

Providers build their decoders from these pieces and add what is special
about them (an error inside a 200 body, a 403 that means "slow down").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import requests

from integrations.http.errors import (
    AuthError,
    IntegrationError,
    ProviderError,
    QuotaError,
    TransientError,
)
from vault import bounded_json

#: how much of an error body may appear in a message
_SNIPPET = 160


def check_status(response: requests.Response) -> None:
    """Raise the error an HTTP status means; return for 2xx."""
    code = response.status_code
    if 200 <= code < 300:
        return
    raise status_error(response)


def status_error(response: requests.Response) -> IntegrationError:
    """The generic meaning of a non-2xx status."""
    code = response.status_code
    said = error_text(response)
    detail = f" ({said})" if said else ""
    if code == 401:
        return AuthError(f"refused the API key (HTTP 401){detail}", status=code)
    if code == 403:
        return AuthError(
            f"refused access (HTTP 403){detail}",
            hint="Check the API key, and whether the service blocks this network",
            status=code,
        )
    if code == 429:
        return QuotaError(f"is rate limiting us (HTTP 429){detail}", status=code, retryable=True)
    if code == 408 or code >= 500:
        return TransientError(
            f"had a server error (HTTP {code}){detail}", status=code, retryable=True
        )
    if code == 404:
        return ProviderError(
            f"does not know this address or path (HTTP 404){detail}",
            hint="Check the base URL in the provider settings",
            status=code,
        )
    return ProviderError(f"rejected the request (HTTP {code}){detail}", status=code)


def parse_json(response: requests.Response) -> Any:
    """The body as JSON, decimals kept exact; an HTML page or bad JSON is a ProviderError."""
    if looks_like_html(response):
        raise ProviderError(
            "answered with a web page instead of data",
            hint="A proxy, captive portal or wrong base URL may be in the way; check the settings",
            status=response.status_code,
        )
    try:
        return bounded_json.loads(response.content, parse_float=Decimal)
    except ValueError:
        raise ProviderError("answered with malformed JSON", status=response.status_code) from None


def json_body(response: requests.Response) -> Any:
    """The usual decoder: status check, then JSON."""
    check_status(response)
    return parse_json(response)


def looks_like_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type:
        return True
    return response.content.lstrip()[:1] == b"<"


def error_text(response: requests.Response) -> str:
    """A short, human part of an error body: a JSON message, or plain text; never HTML."""
    if not response.content or looks_like_html(response):
        return ""
    try:
        body = bounded_json.loads(response.content)
    except ValueError:
        return _short(response.text)
    return _short(message_in(body))


def message_in(body: Any) -> str:
    """The message of the common JSON error shapes; "" when there is none.

    Shapes: {"message": ...}; JSON:API {"errors": [{"detail": ...}]};
    {"error": ...} or {"Error": ...} (key case varies, e.g. TronGrid).
    """
    if not isinstance(body, dict):
        return ""
    lowered = {str(k).lower(): v for k, v in body.items()}
    for key in ("message", "error"):
        value = lowered.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return str(value["message"])
    errors = lowered.get("errors")
    if isinstance(errors, list):
        details = [
            str(e.get("detail") or e.get("title") or "") for e in errors if isinstance(e, dict)
        ]
        return "; ".join(d for d in details if d)
    return ""


def _short(text: str) -> str:
    """At most _SNIPPET characters, cut between words only: a key echoed in the body is
    then either whole (and blanked by the client's redaction) or left out, never a
    prefix that redaction would no longer recognise."""
    text = " ".join(text.split())
    if len(text) <= _SNIPPET:
        return text
    cut = text[: _SNIPPET - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else "") + "…"
