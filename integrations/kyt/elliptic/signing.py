"""Elliptic's HMAC request signing (elliptic.md, "Authentication: HMAC request signing").

Every request carries `x-access-key` (the key), `x-access-timestamp` (Unix
time in milliseconds) and `x-access-sign`: Base64 of HMAC-SHA256, keyed with
the Base64-*decoded* secret, over the concatenation with no separators of

    timestamp + METHOD + lower-cased path (with the query string) + body

where body is the exact JSON sent, "or the two characters `{}` when there is
no body (e.g. on GET)". The signer is a `requests` auth hook, so it runs on
every attempt (a retry after a Retry-After wait gets a fresh timestamp) and
signs the bytes that are really sent ("sign the exact bytes you send").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

import requests
from requests.auth import AuthBase

from integrations.http.clock import Clock
from integrations.http.errors import AuthError

#: stands for the body of a request that has none (GET)
NO_BODY = b"{}"


def decode_secret(secret: str) -> bytes:
    """The HMAC key: "The HMAC key is the API secret Base64-decoded to bytes"."""
    try:
        decoded = base64.b64decode(secret.strip(), validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if not decoded:
        raise AuthError(
            "has an API secret that is not valid Base64",
            hint="Copy the secret again from the Elliptic API keys page",
        )
    return decoded


def signature(*, secret: bytes, timestamp: str, method: str, path: str, body: bytes | None) -> str:
    """`x-access-sign` for one request. `path` includes any query string."""
    message = (
        timestamp.encode("ascii")
        + method.upper().encode("ascii")
        + path.lower().encode("utf-8")
        + (body if body else NO_BODY)
    )
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class EllipticAuth(AuthBase):
    """Signs each prepared request with a fresh millisecond timestamp from `clock`."""

    def __init__(self, *, key: str, secret: bytes, clock: Clock) -> None:
        self._key = key
        self._secret = secret
        self._clock = clock

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        timestamp = str(int(self._clock.time() * 1000))
        body = request.body
        raw = body.encode("utf-8") if isinstance(body, str) else body
        request.headers["x-access-key"] = self._key
        request.headers["x-access-timestamp"] = timestamp
        request.headers["x-access-sign"] = signature(
            secret=self._secret,
            timestamp=timestamp,
            method=request.method or "GET",
            path=request.path_url,
            body=raw,
        )
        return request
