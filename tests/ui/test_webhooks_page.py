"""Settings › Webhooks from the GUI: add an endpoint (secret shown once), send a test to
a local server that verifies it with the standardwebhooks library, see the log, remove.
A real vault and window; screenshots at 1280x800 and 1000x640."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot
from standardwebhooks.webhooks import Webhook
from werkzeug import Request, Response

from app.session import VaultSession
from tests.ui.book_helpers import read
from tests.ui.conftest import WindowFactory
from ui.services import Services
from ui.settings_dialog import SettingsDialog
from ui.webhooks_page import WebhooksPage


def test_add_test_see_the_log_and_remove(
    qtbot: QtBot,
    make_window: WindowFactory,
    session: VaultSession,
    services: Services,
    httpserver: HTTPServer,
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10_000)
    window.vault_actions.ask_settings()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    page = dialog.findChild(WebhooksPage)
    assert page is not None
    qtbot.waitUntil(lambda: page.waiting_label.text() != "")
    assert page.table.rowCount() == 0 and not page.test_button.isEnabled()

    page.url.setText(httpserver.url_for("/hooks"))
    page.event_boxes["customer.risk_changed"].setChecked(False)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not page.secret.isHidden() and page.table.rowCount() == 1, timeout=10_000
    )
    secret = page.secret.text()
    assert secret.startswith("whsec_") and page.secret.isReadOnly()
    assert "customer.risk_changed" not in page.table.item(0, 2).text()

    got: list[object] = []

    def receive(request: Request) -> Response:
        got.append(Webhook(secret).verify(request.get_data(), dict(request.headers)))
        return Response("", status=200)

    httpserver.expect_request("/hooks", method="POST").respond_with_handler(receive)
    page.table.selectRow(0)
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.text() == "The test was delivered.", timeout=20_000)
    qtbot.waitUntil(lambda: page.log.rowCount() == 1, timeout=10_000)
    assert page.log.item(0, 3).text() == "delivered (HTTP 200)"
    assert len(got) == 1 and got[0]["type"] == "webhook.test"  # type: ignore[index]

    dialog.tabs.setCurrentWidget(page)
    for size in ((1280, 800), (1000, 640)):
        dialog.resize(*size)
        dialog.grab().save(f"/tmp/webhooks-{size[0]}.png")

    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=10_000)
    live = read(
        session,
        services,
        lambda conn: conn.execute(
            "SELECT count(*) FROM webhook_endpoints WHERE removed_at IS NULL"
        ).fetchone()[0],
    )
    assert live == 0
    dialog.reject()
