"""`strongroom explorer` end to end in a subprocess: a real vault, the real Esplora
client against a local server answering with the documented bodies; unreachable
or --offline, the refresh waits in the outbox and `outbox run` does it later."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from tests.app.test_cli import PW, strongroom
from tests.app.test_screening_explorer_data import SPENDER, serve


def _explorer(vault: Path, env: dict[str, str], *extra: str) -> tuple[list[dict[str, Any]], str]:
    done = strongroom(
        "explorer", "--vault", str(vault), "--address", f"bitcoin:{SPENDER}", *extra,
        "--passphrase-stdin", stdin=PW + "\n", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [json.loads(x) for x in done.stdout.splitlines()], done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_explorer_fetches_queues_offline_and_the_outbox_runs_it(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    vault = tmp_path / "cli.vault"
    made = strongroom("init", "--vault", str(vault), "--passphrase-stdin", stdin=PW + "\n", env=env)
    assert made.returncode == 0, made.stderr

    down = f"bitcoin=http://127.0.0.1:{_free_port()}/api"
    [line], err = _explorer(vault, env, "--explorer-url", down)
    assert (line["status"], line["source"], line["native_balance"]) == ("queued", None, None)
    assert "could not be reached" in line["error"] and "wait in the outbox" in err
    [line], _err = _explorer(vault, env, "--offline")
    assert line["status"] == "queued" and "offline" in line["error"]

    serve(httpserver, funded=150_000_000 + 51_000)
    url = httpserver.url_for("/api")
    [line], err = _explorer(vault, env, "--explorer-url", f"bitcoin={url}")
    assert line["status"] == "stored" and "outbox" not in err
    assert line["source"] == f"Esplora at {httpserver.host}"
    assert line["native_balance"] == {
        "symbol": "BTC", "contract": None, "amount": "1.5", "raw": "150000000", "decimals": 8
    }  # fmt: skip
    assert (line["tx_count"], line["first_seen"][:10], line["last_seen"][:10]) == (
        3, "2014-10-18", "2014-10-20"
    )  # fmt: skip
    assert line["fetched_at"] and 0 <= line["age_seconds"] < 120

    # The desk's setting points the outbox at the server; the queued refresh runs once.
    settings = tmp_path / "config" / "Strongroom" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"explorer_urls": {"bitcoin": url}}))
    before = len(httpserver.log)
    ran = strongroom(
        "outbox", "run", "--force", "--vault", str(vault), "--passphrase-stdin",
        stdin=PW + "\n", env=env,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert (report["done"], report["waiting"]) == (1, 0)
    assert len(httpserver.log) > before
    # With no --explorer-url the saved setting is used by `explorer` too.
    [line], _err = _explorer(vault, env)
    assert line["status"] == "stored"


def test_explorer_says_plainly_what_is_wrong(tmp_path: Path) -> None:
    vault = tmp_path / "cli.vault"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert (
        strongroom(
            "init", "--vault", str(vault), "--passphrase-stdin", stdin=PW + "\n", env=env
        ).returncode
        == 0
    )
    bad = strongroom(
        "explorer", "--vault", str(vault), "--address", f"bitcoin:{SPENDER}",
        "--explorer-url", "bitcoin=ftp://x", "--passphrase-stdin", stdin=PW + "\n", env=env,
    )  # fmt: skip
    assert bad.returncode == 1 and "not an http(s) address" in bad.stderr
    assert "Traceback" not in bad.stderr
    nochain = strongroom(
        "explorer", "--vault", str(vault), "--address", f"litecoin:{SPENDER}",
        "--passphrase-stdin", stdin=PW + "\n", env=env,
    )  # fmt: skip
    assert nochain.returncode == 2 and "Traceback" not in nochain.stderr
    assert "'litecoin' is not a chain; use one of: ethereum" in nochain.stderr  # no guess
