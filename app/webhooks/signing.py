"""Standard Webhooks signing (standardwebhooks.com; /work reference standard-webhooks.md).

A secret is `whsec_` and the base64 of 32 random bytes; the HMAC key is those
bytes. Each delivery carries `webhook-id` (the same on every retry, so a
receiver drops duplicates), `webhook-timestamp` (Unix seconds when sent) and
`webhook-signature`: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`
over the exact body bytes sent. Pure functions; any thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
_KEY_BYTES = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode()


def key_of(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret; ValueError when it is not one."""
    if not secret.startswith(PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    key = base64.b64decode(secret[len(PREFIX) :], validate=True)
    if not 24 <= len(key) <= 64:
        raise ValueError("a webhook secret holds 24 to 64 bytes")
    return key


def message_id(outbox_key: str) -> str:
    """The webhook-id of an event for an endpoint: derived from its outbox key, so every
    retry (and a redelivery after a crash) carries the same id."""
    return "msg_" + hashlib.sha256(outbox_key.encode()).hexdigest()[:32]


def signature(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }
