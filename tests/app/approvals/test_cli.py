"""`strongroom approvals ...` as a script runs it: real processes against a real vault."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.app.approvals.conftest import ETH, ETH2
from tests.app.test_cli import PW, assert_plain_error, strongroom


def run(vault: Path, *args: str) -> tuple[int, list[str], str]:
    result = strongroom(*args, "--vault", str(vault), "--passphrase-stdin", stdin=PW + "\n")
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout.splitlines(), result.stderr


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    path = tmp_path / "desk.vault"
    assert (
        strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n").returncode
        == 0
    )
    people = tmp_path / "c.csv"
    people.write_text("external_id,name\nC-1,Acme Ltd\n")
    listed = tmp_path / "eth.txt"
    listed.write_text(ETH2 + "\n")
    assert run(path, "import", "customers", str(people))[0] == 0
    dated = ("--asset", "ETH", "--date", "2024-09-27")
    assert run(path, "sanctions", "import", str(listed), *dated)[0] == 0
    prices = tmp_path / "prices.csv"
    as_of = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    prices.write_text(f"asset,price,currency,as_of\nUSDT,1,USD,{as_of}\n")
    assert run(path, "prices", "import", str(prices))[0] == 0
    code, out, err = run(
        path, "screen", "--address", f"ethereum:{ETH}", "--address", f"ethereum:{ETH2}"
    )
    assert code == 0, err
    for name in ("alice", "bob"):
        code, out, err = run(path, "approvals", "members", "add", name, "--role", "officer")
        assert code == 0, err
        assert json.loads(out[-1])["roles"] == ["officer"]
    return path


def test_request_decide_list_export_verify(desk: Path, tmp_path: Path) -> None:
    code, out, err = run(
        desk,
        "approvals",
        "request",
        "withdrawal",
        "--customer",
        "C-1",
        "--asset",
        "USDT",
        "--amount",
        "20000",
        "--to",
        f"ethereum:{ETH.lower()}",
    )
    assert code == 0, err
    made = json.loads(out[-1])
    assert made["status"] == "pending" and set(made) >= {"id", "status"}
    request_id = made["id"]

    code, out, err = run(desk, "approvals", "decide", request_id, "approve", "--reason", "mine")
    assert code == 1 and "no role" in err  # the root admin is no officer
    code, out, _ = run(
        desk, "approvals", "decide", request_id, "approve", "--reason", "ok", "--as", "alice"
    )
    assert code == 0 and json.loads(out[-1])["status"] == "pending"
    code, out, _ = run(
        desk, "approvals", "decide", request_id, "approve", "--reason", "ok", "--as", "bob"
    )
    assert code == 0 and json.loads(out[-1])["status"] == "approved"

    code, out, _ = run(
        desk,
        "approvals",
        "request",
        "whitelist",
        "--customer",
        "C-1",
        "--address",
        f"ethereum:{ETH2}",
    )
    assert json.loads(out[-1])["status"] == "blocked"

    code, out, _ = run(desk, "approvals", "list")
    rows = [json.loads(line) for line in out]
    assert code == 0 and [r["status"] for r in rows] == ["blocked", "approved"]
    assert rows[1]["local_only"] is True and rows[1]["approvals"] == 2
    code, out, _ = run(desk, "approvals", "list", "--status", "approved")
    assert [json.loads(line)["id"] for line in out] == [request_id]
    # The window's own words: "Open" is pending, needs refresh or blocked.
    code, out, _ = run(desk, "approvals", "list", "--status", "open", "--kind", "Whitelist")
    assert code == 0 and [json.loads(line)["status"] for line in out] == ["blocked"]

    target = tmp_path / "evidence.json"
    code, out, err = run(desk, "approvals", "export", request_id, "--to", str(target))
    assert code == 0, err
    document = json.loads(target.read_text())
    assert [d["signer"] for d in document["decisions"]] != []
    for decision in document["decisions"]:
        typed = decision["typed_data"]
        assert set(typed) == {"domain", "types", "primaryType", "message"}
        signable = encode_typed_data(full_message=typed)
        assert (
            Account.recover_message(signable, signature=decision["signature"]) == decision["signer"]
        )
        assert typed["message"]["request"]["amount"] == "20000"

    code, out, err = run(desk, "verify")
    assert code == 0 and "approval signatures" in out[-1], err


def refused(vault: Path, *args: str) -> str:
    result = strongroom(*args, "--vault", str(vault), "--passphrase-stdin", stdin=PW + "\n")
    return assert_plain_error(result, 1)


def test_refusals_and_bad_input_are_plain_errors(desk: Path) -> None:
    whitelist = ("approvals", "request", "whitelist", "--address", f"ethereum:{ETH}")
    assert "no customer" in refused(desk, *whitelist, "--customer", "NOPE")
    assert "not CHAIN:ADDRESS" in refused(
        desk, "approvals", "request", "whitelist", "--customer", "C-1", "--address", ETH
    )
    withdrawal = ("approvals", "request", "withdrawal", "--customer", "C-1", "--asset", "ETH")
    assert "not a number" in refused(
        desk, *withdrawal, "--amount", "lots", "--to", f"ethereum:{ETH}"
    )
    assert "no desk member" in refused(desk, "approvals", "list", "--as", "mallory")


def test_members_grant_and_revoke(desk: Path) -> None:
    code, out, err = run(desk, "approvals", "members", "revoke", "bob", "--role", "officer")
    assert code == 0, err
    assert json.loads(out[-1]) == {"member": "bob", "revoked": "officer"}
    code, out, _ = run(desk, "approvals", "members", "list")
    roles = {m["name"]: m["roles"] for m in map(json.loads, out)}
    assert roles["bob"] == [] and roles["alice"] == ["officer"]
    assert "not an admin" in refused(
        desk, "approvals", "members", "revoke", "alice", "--role", "officer", "--as", "bob"
    )
    assert "does not hold" in refused(
        desk, "approvals", "members", "revoke", "bob", "--role", "officer"
    )
    code, _, err = run(desk, "approvals", "members", "grant", "bob", "--role", "officer")
    assert code == 0, err
    code, out, _ = run(desk, "verify")
    assert code == 0


def test_policy_show_and_set_with_line_numbers(desk: Path, tmp_path: Path) -> None:
    code, out, _ = run(desk, "approvals", "policy", "show")
    text = "\n".join(out) + "\n"
    assert code == 0 and "desk_head" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("expiry_days: 7", "expiry_days: never"))
    code, _, err = run(desk, "approvals", "policy", "set", str(bad))
    line = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith("expiry_days"))
    assert code == 2 and f"bad.yaml:{line}:" in err and "not a number" in err
    good = tmp_path / "good.yaml"
    good.write_text(text.replace("expiry_days: 7", "expiry_days: 3"))
    assert run(desk, "approvals", "policy", "set", str(good))[0] == 0
    assert "expiry_days: 3" in "\n".join(run(desk, "approvals", "policy", "show")[1])


def test_tampered_request_fails_verify(desk: Path) -> None:
    _, out, _ = run(
        desk,
        "approvals",
        "request",
        "withdrawal",
        "--customer",
        "C-1",
        "--asset",
        "ETH",
        "--amount",
        "5",
        "--to",
        f"ethereum:{ETH}",
    )
    request_id = json.loads(out[-1])["id"]
    assert (
        run(desk, "approvals", "decide", request_id, "approve", "--reason", "ok", "--as", "alice")[
            0
        ]
        == 0
    )
    from keyring.backends import fail

    from app.session import VaultSession
    from vault.keys import Keychain
    from vault.unlock import Credentials

    session = VaultSession(desk, keychain=Keychain(fail.Keyring()))
    session.unlock(Credentials(passphrase=PW, use_keychain=False))
    with session.vault.transaction() as tx:
        tx.execute(
            "UPDATE approval_requests SET content = "
            "replace(content, '\"5\"', '\"5000\"') WHERE id = ?",
            (request_id,),
        )
        tx.event("test.tamper", {})
    session.lock()
    result = strongroom("verify", "--vault", str(desk), "--passphrase-stdin", stdin=PW + "\n")
    assert result.returncode == 7 and "do not verify" in result.stderr


def test_a_price_import_moves_open_requests_between_tiers(desk: Path, tmp_path: Path) -> None:
    code, out, err = run(
        desk,
        *("approvals", "request", "withdrawal", "--customer", "C-1", "--asset", "BTC"),
        *("--amount", "2.5", "--to", f"ethereum:{ETH}"),
    )
    assert code == 0, err
    made = json.loads(out[-1])
    assert made["needed"] == "1 desk head + 2 officer"  # no BTC price: the top tier
    prices = tmp_path / "btc.csv"
    as_of = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    prices.write_text(f"asset,price,currency,as_of\nBTC,2000,USD,{as_of}\n")
    code, out, err = run(desk, "prices", "import", str(prices))
    assert code == 0, err
    assert json.loads(out[-1])["requests_changed"] == 1
    code, out, _ = run(desk, "approvals", "show", made["id"])
    shown = json.loads(out[-1])
    assert shown["needed"] == "1 officer"  # 5,000 USD
    assert shown["valuation"]["value"] == "5000.0"  # 2.5 x 2000, exact
    assert shown["valuation"]["quote"]["price"] == "2000"
