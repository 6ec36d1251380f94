"""Delivering queued webhook events: claim what is due, POST it signed, log, settle.

Deliveries wait in the outbox (kind 'webhook') and go through its three steps
(vault.screening.outbox): `claim` in a short transaction (so two drains never
send the same item), the POST with no transaction open, then `finish` or
`retry_at` with the outbox's `Backoff`, in the transaction that also writes
the attempt to the delivery log. Nothing is given up while its endpoint
exists: a receiver that is down gets the event once it is up again, with the
same webhook-id, so it can drop a repeat (a crash between the POST and the
write is the only way to send twice). Once one delivery finds its host
unreachable, the endpoint's other due items wait for the next drain.

Called off the GUI thread: the vault through `db` (the database worker), the
POSTs on the calling (network) thread.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests

from app.screening.outbox import LEASE, Backoff, iso
from app.screening.risk import utc_now
from app.tasks import OnDb, here
from app.webhooks.endpoints import secret_of
from app.webhooks.events import body
from app.webhooks.signing import headers, message_id
from integrations.webhooks.sender import Answer, post
from vault import webhooks as hooks
from vault.screening import outbox as store
from vault.store import Vault
from vault.webhooks import REMOVED

#: POST one delivery: (url, body, headers) -> what happened. Network thread.
Send = Callable[[str, bytes, dict[str, str]], Answer]
UNSIGNABLE = "the endpoint's signing secret is missing: remove the endpoint and add it again"


@dataclass
class WebhookRun:
    delivered: int = 0
    retried: int = 0  # failed: tried again later, with backoff
    dropped: int = 0  # its endpoint was removed
    waiting: int = 0  # webhook deliveries left in the outbox


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    secret: str | None


@dataclass(frozen=True, slots=True)
class _Sent:
    item: store.Item
    answer: Answer | None  # None: not sent (no endpoint, no secret, host unreachable)
    error: str
    attempted_at: str


def deliver_due(
    vault: Vault,
    *,
    send: Send | None = None,
    now: datetime | None = None,
    limit: int = 100,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
    lease: timedelta = LEASE,
    cancelled: Callable[[], bool] | None = None,
    db: OnDb = here,
) -> WebhookRun:
    """Deliver up to `limit` due webhook events; see the module text."""
    moment = now or utc_now()
    backoff = backoff or Backoff()
    rng = rng or random.Random()
    claimed, targets = db(lambda: _claim(vault, moment, limit, lease))
    report = WebhookRun()
    if not claimed:  # the usual timer tick: no session, no write
        report.waiting = db(lambda: waiting(vault))
        return report
    session: requests.Session | None = None
    if send is None:
        session = requests.Session()
        send = _poster(session)
    try:
        sent = _send_all(claimed, targets, send, cancelled)
    finally:
        if session is not None:
            session.close()
    left = claimed[len(sent) :]
    report.waiting = db(lambda: _settle(vault, sent, left, report, moment, backoff, rng, lease))
    return report


def waiting(vault: Vault) -> int:
    return store.waiting(vault.conn, kinds=(hooks.KIND,))


def retry_now(vault: Vault, *, now: datetime | None = None) -> int:
    """Let every waiting delivery run now, whatever its backoff (the user asked for it);
    returns how many. Database worker."""
    with vault.transaction() as tx:
        return store.make_due(tx.conn, kind=hooks.KIND, key_prefix="", now=iso(now or utc_now()))


def _poster(session: requests.Session) -> Send:
    def send(url: str, data: bytes, sign: dict[str, str]) -> Answer:
        return post(session, url, body=data, headers=sign)

    return send


def _claim(
    vault: Vault, moment: datetime, limit: int, lease: timedelta
) -> tuple[list[store.Item], dict[str, _Target]]:
    """Database worker: the due deliveries, claimed, and where each goes."""
    prefix = f"{hooks.KIND}:"
    items = store.due(vault.conn, now=iso(moment), limit=limit, key_prefixes=[prefix])
    if not items:
        return [], {}
    until = iso(moment + lease)
    with vault.transaction() as tx:
        claimed = [
            i for i in items if store.claim(tx.conn, i.id, now=iso(moment), lease_until=until)
        ]
    targets: dict[str, _Target] = {}
    for endpoint_id in {str(i.payload["endpoint"]) for i in claimed}:
        row = hooks.endpoint(vault.conn, endpoint_id)
        if row is not None:
            targets[endpoint_id] = _Target(row.url, secret_of(vault, endpoint_id))
    return claimed, targets


def _send_all(
    claimed: list[store.Item],
    targets: dict[str, _Target],
    send: Send,
    cancelled: Callable[[], bool] | None,
) -> list[_Sent]:
    """Network thread: POST each claimed item in turn; stops early once cancelled."""
    sent: list[_Sent] = []
    unreachable: dict[str, str] = {}
    for item in claimed:
        if cancelled is not None and cancelled():
            break
        endpoint_id = str(item.payload["endpoint"])
        target = targets.get(endpoint_id)
        at = iso(utc_now())
        if target is None:
            sent.append(_Sent(item, None, REMOVED, at))
        elif target.secret is None:
            sent.append(_Sent(item, None, UNSIGNABLE, at))
        elif endpoint_id in unreachable:
            sent.append(_Sent(item, None, unreachable[endpoint_id], at))
        else:
            answer = _send_one(item, target.url, target.secret, send)
            if answer.offline:
                unreachable[endpoint_id] = answer.error or "unreachable"
            sent.append(_Sent(item, answer, answer.error or "", at))
    return sent


def _send_one(item: store.Item, url: str, secret: str, send: Send) -> Answer:
    data = body(item.payload)
    msg = message_id(item.key)
    try:
        return send(url, data, headers(secret, msg_id=msg, timestamp=int(time.time()), body=data))
    except Exception as exc:  # a sender bug must not lose the claim: retry it later
        return Answer(None, f"sending failed unexpectedly ({type(exc).__name__})")


def _settle(
    vault: Vault,
    sent: list[_Sent],
    left: Iterable[store.Item],
    report: WebhookRun,
    moment: datetime,
    backoff: Backoff,
    rng: random.Random,
    lease: timedelta,
) -> int:
    """Database worker: log each attempt, finish or push back each item; what waits."""
    with vault.transaction() as tx:
        for done in sent:
            item, answer = done.item, done.answer
            if answer is not None:
                hooks.log_attempt(
                    tx.conn,
                    endpoint_id=str(item.payload["endpoint"]),
                    outbox_key=item.key,
                    event_type=str(item.payload["type"]),
                    message_id=message_id(item.key),
                    attempted_at=done.attempted_at,
                    status=answer.status,
                    error=answer.error,
                    ms=answer.ms,
                )
            if answer is not None and answer.delivered:
                report.delivered += store.finish(tx.conn, item.id, now=iso(moment))
            elif done.error == REMOVED:
                report.dropped += store.finish(tx.conn, item.id, now=iso(moment), error=REMOVED)
            else:
                after = None if answer is None else answer.retry_after
                delay = backoff.delay(item.attempts + 1, rng, retry_after=after)
                when = iso(moment + timedelta(seconds=delay))
                report.retried += store.retry_at(tx.conn, item.id, when=when, error=done.error)
        for item in left:  # claimed but never sent (cancelled): due again at once
            store.release(tx.conn, item, lease_until=iso(moment + lease))
    return waiting(vault)
