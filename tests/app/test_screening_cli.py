"""`strongroom screen --provider`, `outbox` and `keys` end to end: a real vault, the
real KYT client against a local server speaking the documented shape."""

from __future__ import annotations

import functools
import io
import json
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from app.cli.main import run
from app.cli.parser import build_parser
from app.screening import service
from app.screening.providers import make_provider
from tests.app.test_cli import PW, strongroom
from tests.app.test_screening_support import ADDRESS_PATH, SANCTIONED, evm, sanctions_handler
from vault.keys import Keychain

NAME = "chainalysis-sanctions"


@pytest.fixture
def made(tmp_path: Path) -> Path:
    path = tmp_path / "cli.vault"
    result = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert result.returncode == 0, result.stderr
    return path


def test_keys_and_offline_look_ups_from_a_script(made: Path) -> None:
    vault = str(made)
    stored = strongroom(
        "keys", "set", NAME, "--vault", vault, "--passphrase-stdin", stdin=f"{PW}\ntest-key\n"
    )
    assert stored.returncode == 0, stored.stderr
    assert "vault (no OS keychain)" in stored.stdout and "test-key" not in stored.stdout
    queued = strongroom(
        "screen", "--vault", vault, "--provider", NAME, "--offline",
        "--address", f"ethereum:{evm(1)}", "--address", f"ethereum:{evm(2)}",
        "--passphrase-stdin", stdin=PW + "\n",
    )  # fmt: skip
    assert queued.returncode == 0, queued.stderr
    lines = [json.loads(x) for x in queued.stdout.splitlines()]
    assert [(x["status"], x["origin"], x["level"], x["fetched_at"]) for x in lines] == [
        ("queued", "queued", "unknown", None)
    ] * 2
    assert "2 look-up(s) wait in the outbox" in queued.stderr
    status = strongroom("outbox", "status", "--vault", vault, "--passphrase-stdin", stdin=PW + "\n")
    assert status.returncode == 0, status.stderr
    head, *items = [json.loads(x) for x in status.stdout.splitlines()]
    assert head == {"waiting": 2}
    assert {(i["kind"], i["provider"], i["address"], i["attempts"]) for i in items} == {
        ("screening", NAME, evm(1), 0),
        ("screening", NAME, evm(2), 0),
    }
    unknown = strongroom(
        "screen", "--vault", vault, "--provider", "nosuch", "--address", f"ethereum:{evm(1)}",
        "--passphrase-stdin", stdin=PW + "\n",
    )  # fmt: skip
    # A usage error, refused before the vault is opened, with every provider there is.
    assert unknown.returncode == 2 and "'nosuch' is not a screening provider" in unknown.stderr
    assert "sanctions-list, chainalysis-sanctions" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    gone = strongroom(
        "keys", "delete", NAME, "--vault", vault, "--passphrase-stdin", stdin=PW + "\n"
    )
    assert gone.returncode == 0 and "Removed" in gone.stdout


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
         stdin: str = PW + "\n") -> tuple[int, list[dict[str, Any]], str]:  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = run(build_parser().parse_args(list(argv)), keychain=Keychain.disabled())
    out, err = capsys.readouterr()
    lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    return code, lines, err


def _point_providers_at(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    """The real KYT providers, with their base URL replaced (a test server): what a
    desk's proxy setting would do."""
    monkeypatch.setattr(
        service, "make_provider", functools.partial(make_provider, base_url=base_url)
    )


def test_screen_cache_offline_and_outbox_through_the_real_client(
    made: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault = str(made)
    unlock = ("--vault", vault, "--passphrase-stdin")
    httpserver.expect_request(ADDRESS_PATH).respond_with_handler(sanctions_handler)
    _point_providers_at(monkeypatch, httpserver.url_for("/").rstrip("/"))
    code, _, err = _cli(monkeypatch, capsys, "screen", "--provider", NAME, "--address",
                        f"ethereum:{evm(5)}", *unlock)  # fmt: skip
    assert code == 1 and f"strongroom keys set {NAME}" in err  # no key yet: says how
    code, _, _ = _cli(monkeypatch, capsys, "keys", "set", NAME, *unlock, stdin=f"{PW}\ntest-key\n")
    assert code == 0
    targets = ("--address", f"ethereum:{SANCTIONED}", "--address", f"ethereum:{evm(5)}")

    code, lines, err = _cli(monkeypatch, capsys, "screen", "--provider", NAME, *targets, *unlock)
    assert code == 0, err
    by_address = {x["address"].lower(): x for x in lines}
    hit, clean = by_address[SANCTIONED], by_address[evm(5)]
    assert (hit["status"], hit["origin"], hit["sanctioned"], hit["level"]) == (
        "ok", "provider", True, "severe"
    )  # fmt: skip
    assert (clean["status"], clean["level"], clean["score"]) == ("ok", "none", 0)
    assert len(httpserver.log) == 2

    # Within the TTL: from the cache, no request, with its age and source.
    code, lines, _ = _cli(monkeypatch, capsys, "screen", "--provider", NAME, *targets, *unlock)
    assert {x["origin"] for x in lines} == {"cache"} and len(httpserver.log) == 2
    assert all(x["age_seconds"] is not None and x["source"] for x in lines)

    # The provider becomes unreachable: --refresh queues, showing the last answer.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{probe.getsockname()[1]}"
    _point_providers_at(monkeypatch, refused)
    code, lines, err = _cli(
        monkeypatch, capsys, "screen", "--provider", NAME, "--refresh", *targets, *unlock
    )
    assert code == 0, err
    assert {x["status"] for x in lines} == {"queued"}
    shown = {x["address"].lower(): x for x in lines}[SANCTIONED]
    assert shown["sanctioned"] is True and shown["fetched_at"] == hit["fetched_at"]
    assert "could not be reached" in shown["queued_because"]
    assert "2 look-up(s) wait" in err

    # Back online: the outbox runs them once.
    _point_providers_at(monkeypatch, httpserver.url_for("/").rstrip("/"))
    code, lines, err = _cli(monkeypatch, capsys, "outbox", "run", *unlock)
    assert code == 0, err
    [report] = lines
    none = {"delivered": 0, "retried": 0, "dropped": 0, "waiting": 0}  # no webhooks here
    assert report == {"done": 0, "given_up": 0, "retried": 0, "waiting": 2, "webhooks": none}
    code, lines, err = _cli(monkeypatch, capsys, "outbox", "run", "--force", *unlock)
    assert lines == [{"done": 2, "given_up": 0, "retried": 0, "waiting": 0, "webhooks": none}], err
    assert len(httpserver.log) == 4
