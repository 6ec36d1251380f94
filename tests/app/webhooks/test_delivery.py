"""Webhooks end to end: a real vault, events queued by its triggers and by `enqueue`,
delivered to a local HTTP server and verified with the `standardwebhooks` library."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Request, Response

from app.book.models import CustomerDraft
from app.book.service import CustomerBook
from app.screening.risk import Level, RiskResult
from app.webhooks import endpoints
from app.webhooks.delivery import deliver_due
from app.webhooks.events import ALERT_RAISED, EVENT_TYPES, enqueue
from app.webhooks.signing import headers, new_secret
from vault import webhooks as hooks
from vault.screening import screenings
from vault.store import Vault
from vault.unlock import Created
from vault.webhooks import REMOVED

ADDRESS = "0x52908400098527886e0f7030069857d2e4169ee7"


@pytest.fixture
def vault(created: Created) -> Vault:
    return created.vault


class Receiver:
    """What the server got: each request's body and headers, verified."""

    def __init__(self, secret: str, *, fail_first: int = 0) -> None:
        self.webhook = Webhook(secret)
        self.fail_first = fail_first
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.answered: list[int] = []

    def __call__(self, request: Request) -> Response:
        self.got.append((dict(request.headers), request.get_data()))
        status = 503 if len(self.got) <= self.fail_first else 204
        self.answered.append(status)
        return Response("", status=status)

    def delivered_ids(self) -> list[str]:
        return [i for i, status in zip(self.ids(), self.answered, strict=True) if status == 204]

    def verified(self) -> list[dict[str, object]]:
        return [self.webhook.verify(body, h) for h, body in self.got]

    def ids(self) -> list[str]:
        return [h["Webhook-Id"] for h, _ in self.got]


def _hit(vault: Vault, address: str = ADDRESS, level: Level = Level.SEVERE) -> None:
    result = RiskResult(
        chain="ethereum", address=address, provider="ofac-sdn", level=level, score=100,
        fetched_at=datetime.now(UTC), sanctioned=True, source="OFAC SDN",
    )  # fmt: skip
    with vault.transaction() as tx:
        screenings.record(tx.conn, result.to_record())


def _customer(vault: Vault, rating: str | None = None) -> int:
    """Alice, added or (the same external id) updated through the book, as the app does."""
    draft = CustomerDraft(
        "Alice Example", external_id="C-1", emails=("alice@example.com",), risk_rating=rating
    )
    with vault.transaction() as tx:
        customer_id, _ = CustomerBook(vault).save_customer(tx, draft)
    return customer_id


def test_a_signature_verifies_with_the_standard_webhooks_library() -> None:
    secret = new_secret()
    body = b'{"type":"alert.raised","data":{"alert":1}}'
    now = int(datetime.now(UTC).timestamp())
    signed = headers(secret, msg_id="msg_1", timestamp=now, body=body)
    assert Webhook(secret).verify(body, signed) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"1}", b"2}"), signed)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, signed)


def test_every_event_type_reaches_the_endpoint_signed_and_without_personal_data(
    vault: Vault, httpserver: HTTPServer
) -> None:
    _customer(vault)
    _hit(vault, "0x" + "1" * 40)  # before the endpoint existed: not sent
    added = endpoints.add(vault, httpserver.url_for("/hooks"), EVENT_TYPES)
    assert added.secret.startswith("whsec_") and "whsec_" not in repr(added)
    receiver = Receiver(added.secret)
    httpserver.expect_request("/hooks", method="POST").respond_with_handler(receiver)
    _hit(vault)
    _hit(vault)  # the same hit again: the same event, sent once
    _customer(vault, "high")
    with vault.transaction() as tx:
        for _ in range(2):  # queued twice under one key: sent once
            enqueue(tx.conn, event_type=ALERT_RAISED, key="7",
                    data={"alert": 7, "rule": "inflow_drop", "severity": "high"},
                    now=datetime.now(UTC))  # fmt: skip
    report = deliver_due(vault)
    assert (report.delivered, report.retried, report.waiting) == (3, 0, 0)
    messages = receiver.verified()
    by_type = {m["type"]: m["data"] for m in messages}
    assert set(by_type) == {"screening.hit", "customer.risk_changed", "alert.raised"}
    hit = by_type["screening.hit"]
    assert isinstance(hit, dict) and hit["address"] == ADDRESS and hit["sanctioned"] is True
    risk = by_type["customer.risk_changed"]
    assert isinstance(risk, dict) and (risk["old"], risk["new"]) == (None, "high")
    bodies = b" ".join(body for _, body in receiver.got)
    assert b"Alice" not in bodies and b"alice@" not in bodies and b"C-1" not in bodies
    assert len(set(receiver.ids())) == 3
    log = hooks.attempts(vault.conn, endpoint_id=added.id)
    assert [(a.status, a.error) for a in log] == [(204, None)] * 3
    assert deliver_due(vault).delivered == 0  # nothing twice


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_down_then_up_delivers_each_event_once(vault: Vault) -> None:
    port = _free_port()
    url = f"http://hook-user:hunter2-pw@127.0.0.1:{port}/in"
    added = endpoints.add(vault, url, ["alert.raised", "screening.hit"])
    start = datetime.now(UTC)
    with vault.transaction() as tx:
        for n in range(5):
            enqueue(tx.conn, event_type=ALERT_RAISED, key=str(n), data={"alert": n}, now=start)
    _hit(vault)
    moment = start
    for _ in range(3):  # down: every run fails, nothing is lost, backoff grows
        report = deliver_due(vault, now=moment)
        assert report.delivered == 0 and report.waiting == 6
        moment += timedelta(hours=2)
    log = hooks.attempts(vault.conn, endpoint_id=added.id, limit=100)
    # one real try per run: the rest of the endpoint's items wait once its host is down
    assert len(log) == 3 and all(a.status is None for a in log)
    assert all(a.error == f"could not connect to 127.0.0.1:{port}" for a in log)
    shown = json.dumps([e.url for e in endpoints.listed(vault)])
    assert "hunter2" not in shown and "hook-user" not in shown and "***@127.0.0.1" in shown
    server = HTTPServer(host="127.0.0.1", port=port)
    server.start()
    try:
        receiver = Receiver(added.secret, fail_first=2)  # up, but busy at first
        server.expect_request("/in", method="POST").respond_with_handler(receiver)
        for _ in range(4):
            moment += timedelta(hours=2)
            deliver_due(vault, now=moment)
        assert all(d.done_at is not None for d in hooks.deliveries(vault.conn))
    finally:
        server.clear()
        server.stop()
    delivered = receiver.delivered_ids()
    assert len(delivered) == 6 and len(set(delivered)) == 6  # each event once
    assert receiver.answered.count(503) == 2
    assert set(receiver.ids()) == set(delivered)  # the busy answers were retried, same id
    assert all(h.get("Authorization", "").startswith("Basic ") for h, _ in receiver.got)
    types = sorted(str(m["type"]) for m in receiver.verified())
    assert types.count("screening.hit") >= 1 and len(types) == 8
    assert hooks.attempts(vault.conn, limit=1)[0].error is None
    errors = json.dumps([a.error for a in hooks.attempts(vault.conn, limit=100)])
    assert "hunter2" not in errors and "hook-user" not in errors


def test_removing_an_endpoint_drops_what_waits_and_forgets_the_secret(vault: Vault) -> None:
    added = endpoints.add(vault, f"http://127.0.0.1:{_free_port()}/x", ["screening.hit"])
    _hit(vault)
    assert endpoints.secret_of(vault, added.id) == added.secret
    assert endpoints.remove(vault, added.id)
    assert endpoints.secret_of(vault, added.id) is None
    assert endpoints.listed(vault) == []
    report = deliver_due(vault)
    assert (report.delivered, report.waiting) == (0, 0)
    assert [d.last_error for d in hooks.deliveries(vault.conn)] == [REMOVED]
    assert not endpoints.remove(vault, added.id)


def test_the_secret_is_never_stored_in_clear(vault: Vault) -> None:
    added = endpoints.add(vault, "https://hooks.example/in", ["alert.raised"])
    raw = added.secret.encode()
    for (table,) in vault.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in vault.conn.execute(f"SELECT * FROM {table}"):  # nosec B608
            assert not any(raw in (v if isinstance(v, bytes) else str(v).encode()) for v in row), (
                table
            )
    assert endpoints.secret_of(vault, added.id) == added.secret
