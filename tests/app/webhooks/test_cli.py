"""`strongroom webhooks ...` and `outbox run` end to end: a real vault, a subprocess,
a local HTTP server; deliveries verified with the standardwebhooks library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook
from werkzeug import Request, Response

from tests.app.test_cli import PW, strongroom
from tests.app.webhooks.test_delivery import _free_port


@pytest.fixture
def made(tmp_path: Path) -> str:
    path = tmp_path / "cli.vault"
    result = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert result.returncode == 0, result.stderr
    return str(path)


def _run(*args: str, vault: str) -> tuple[int, list[dict[str, object]], str]:
    done = strongroom(*args, "--vault", vault, "--passphrase-stdin", stdin=PW + "\n")
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    return done.returncode, lines, done.stderr


def test_add_list_test_offline_then_outbox_run_and_remove(made: str) -> None:
    port = _free_port()
    url = f"http://desk:s3cret-pw@127.0.0.1:{port}/in"
    code, [added], err = _run(
        "webhooks", "add", url, "--event", "alert.raised", "--event", "screening.hit", vault=made
    )
    assert code == 0, err
    assert set(added) == {"id", "secret"} and str(added["secret"]).startswith("whsec_")
    code, listed, _ = _run("webhooks", "list", vault=made)
    assert code == 0 and [e["id"] for e in listed] == [added["id"]]
    assert listed[0]["events"] == ["alert.raised", "screening.hit"]
    assert "s3cret-pw" not in json.dumps(listed)
    code, [tried], err = _run("webhooks", "test", str(added["id"]), vault=made)
    assert code == 1 and tried["delivered"] is False  # nobody listens yet: it waits
    assert tried["error"] == f"could not connect to 127.0.0.1:{port}"
    assert "s3cret-pw" not in err
    server = HTTPServer(host="127.0.0.1", port=port)
    server.start()
    got: list[object] = []

    def receive(request: Request) -> Response:
        got.append(Webhook(str(added["secret"])).verify(request.get_data(), dict(request.headers)))
        return Response("", status=204)

    try:
        server.expect_request("/in", method="POST").respond_with_handler(receive)
        code, lines, err = _run("outbox", "run", "--force", vault=made)
        assert code == 0, err
        assert lines[-1]["webhooks"] == {"delivered": 1, "retried": 0, "dropped": 0, "waiting": 0}
        code, [again], _ = _run("webhooks", "test", str(added["id"]), vault=made)
        assert code == 0 and again["delivered"] is True and again["status"] == 204
    finally:
        server.clear()
        server.stop()
    assert [m["type"] for m in got] == ["webhook.test", "webhook.test"]  # type: ignore[index]
    code, log, _ = _run("webhooks", "log", str(added["id"]), vault=made)
    assert [a["status"] for a in log] == [204, 204, None]
    code, [removed], _ = _run("webhooks", "remove", str(added["id"]), vault=made)
    assert removed == {"removed": added["id"]}
    assert _run("webhooks", "list", vault=made)[1] == []
    code, _, err = _run("webhooks", "remove", str(added["id"]), vault=made)
    assert code == 1 and "no endpoint" in err


def test_a_bad_url_or_event_is_refused_plainly(made: str) -> None:
    code, _, err = _run("webhooks", "add", "ftp://x", "--event", "alert.raised", vault=made)
    assert code != 0 and "http:// or https://" in err and "Traceback" not in err
