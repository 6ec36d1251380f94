"""approvals.finalized reaches a webhook endpoint once a request is decided for good:
real signed decisions on a real vault, a local HTTP server, the standardwebhooks library."""

from __future__ import annotations

from decimal import Decimal

from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook
from werkzeug import Request, Response

from app.approvals.service import ApprovalService
from app.webhooks import endpoints
from app.webhooks.delivery import deliver_due
from tests.app.approvals.conftest import ETH
from vault.store import Vault


def test_a_finalized_withdrawal_is_delivered_once(
    desk: ApprovalService, vault: Vault, httpserver: HTTPServer
) -> None:
    added = endpoints.add(vault, httpserver.url_for("/hooks"), ["approvals.finalized"])
    got: list[object] = []

    def receive(request: Request) -> Response:
        got.append(Webhook(added.secret).verify(request.get_data(), dict(request.headers)))
        return Response("", status=200)

    httpserver.expect_request("/hooks", method="POST").respond_with_handler(receive)
    row = desk.request_withdrawal("C-1", "usdt", Decimal("20000"), "ethereum", ETH.lower())
    ApprovalService(vault, acting_as="alice").decide(row.id, "approve", "KYC ok")
    assert deliver_due(vault).delivered == 0  # pending: nothing final yet
    ApprovalService(vault, acting_as="bob").decide(row.id, "approve", "fine")
    assert deliver_due(vault).delivered == 1
    desk.recompute_all()  # statuses written again: still the one event
    assert deliver_due(vault).delivered == 0
    [message] = got
    assert isinstance(message, dict) and message["type"] == "approvals.finalized"
    data = message["data"]
    assert data["request"] == row.id and data["status"] == "approved"
    assert data["kind"] == "withdrawal" and data["amount"] == "20000" and data["asset"] == "USDT"
    assert "Acme" not in str(message)  # ids and facts: no customer name
