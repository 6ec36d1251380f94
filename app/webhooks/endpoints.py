"""Webhook endpoints: add (a new secret, shown once), list, remove, queue a test.

The signing secret goes where provider API keys go (app.screening.secrets):
the OS keychain, else sealed in the vault; never in a plain file, an event or
a log. The URL stays in the encrypted vault; lists, logs and events show it
with any user and password replaced (`redacted`). Database worker: the
keychain may block.
"""

from __future__ import annotations

import secrets as random_bytes
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from app.book.models import ValidationError
from app.screening.risk import utc_now
from app.screening.secrets import delete_key, get_key, set_key
from app.webhooks.events import EVENT_TYPES, TEST, queue_one
from app.webhooks.signing import new_secret
from integrations.webhooks.sender import host_of, redacted
from vault import webhooks as store
from vault.store import Vault

_MAX_URL = 2048


#: an endpoint as lists show it: `url` with any user and password replaced by ***
Endpoint = store.EndpointRow


@dataclass(frozen=True, slots=True)
class Added:
    id: str
    #: whsec_...: shown to the user once, then only the keychain or vault holds it
    secret: str

    def __repr__(self) -> str:  # keep the secret out of tracebacks and logs
        return f"Added(id={self.id!r}, secret=***)"

    __str__ = __repr__


def add(vault: Vault, url: str, events: Iterable[str], *, now: datetime | None = None) -> Added:
    """A new endpoint taking `events`, with a new secret. Only events from now on go to it."""
    clean = check_url(url)
    kinds = check_events(events)
    endpoint_id = "ep_" + random_bytes.token_hex(8)
    secret = new_secret()
    set_key(vault, _secret_name(endpoint_id), secret)
    moment = (now or utc_now()).isoformat()
    with vault.transaction() as tx:
        store.add_endpoint(tx.conn, endpoint_id=endpoint_id, url=clean, events=kinds, now=moment)
        tx.event(
            "webhooks.endpoint_added",
            {"endpoint": endpoint_id, "host": host_of(clean), "events": list(kinds)},
        )
    return Added(endpoint_id, secret)


def listed(vault: Vault) -> list[Endpoint]:
    return [
        Endpoint(r.id, redacted(r.url), r.events, r.created_at) for r in store.endpoints(vault.conn)
    ]


def remove(vault: Vault, endpoint_id: str, *, now: datetime | None = None) -> bool:
    """Remove an endpoint and forget its secret; what waited for it is not sent.
    False when there was no such endpoint."""
    moment = (now or utc_now()).isoformat()
    with vault.transaction() as tx:
        if not store.remove_endpoint(tx.conn, endpoint_id, now=moment):
            return False
        tx.event("webhooks.endpoint_removed", {"endpoint": endpoint_id})
    delete_key(vault, _secret_name(endpoint_id))
    return True


def queue_test(vault: Vault, endpoint_id: str, *, now: datetime | None = None) -> str:
    """Queue a `webhook.test` event for one endpoint, due now; returns its outbox key."""
    moment = now or utc_now()
    with vault.transaction() as tx:
        if store.endpoint(tx.conn, endpoint_id) is None:
            raise ValidationError("endpoint", f"there is no webhook endpoint {endpoint_id[:40]}")
        key = moment.isoformat()
        queue_one(
            tx.conn,
            endpoint_id=endpoint_id,
            event_type=TEST,
            key=key,
            data={"endpoint": endpoint_id, "test": True},
            now=moment,
        )
    return store.key_prefix(endpoint_id) + f"{TEST}:{key}"


def secret_of(vault: Vault, endpoint_id: str) -> str | None:
    """The endpoint's signing secret, or None when it is gone (keychain entry deleted)."""
    found = get_key(vault, _secret_name(endpoint_id))
    return None if found is None else found.key


def check_url(url: str) -> str:
    text = url.strip()
    parts = urlsplit(text)
    if len(text) > _MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "url", "give the endpoint as an http:// or https:// URL with a host name"
        )
    return text


def check_events(events: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(e.strip() for e in events))
    unknown = [e for e in chosen if e not in EVENT_TYPES]
    if unknown or not chosen:
        raise ValidationError("event", f"choose one or more of: {', '.join(EVENT_TYPES)}")
    return chosen


def _secret_name(endpoint_id: str) -> str:
    return f"webhook:{endpoint_id}"
