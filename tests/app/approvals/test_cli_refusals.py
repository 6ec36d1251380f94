"""`approvals decide` refusals say what to do next (issue 10): real processes, real vaults."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.approvals.conftest import ETH2
from tests.app.approvals.test_cli import desk, run
from tests.app.test_cli import PW, strongroom

__all__ = ["desk"]  # the fixture, used below


def test_a_fresh_vault_says_how_to_get_a_deciding_role_and_a_second_member(
    tmp_path: Path,
) -> None:
    path = tmp_path / "fresh.vault"
    made = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert made.returncode == 0
    people = tmp_path / "c.csv"
    people.write_text("external_id,name\nC-1,Acme Ltd\n")
    assert run(path, "import", "customers", str(people))[0] == 0
    code, out, err = run(path, "approvals", "request", "onboarding", "--customer", "C-1")
    assert code == 0, err
    request_id = json.loads(out[-1])["id"]
    code, out, err = run(path, "approvals", "members", "list")
    me = json.loads(out[-1])["name"]

    code, out, err = run(path, "approvals", "decide", request_id, "approve", "--reason", "ok")
    assert code == 1
    assert f"refused: {me} holds no role that decides this" in err
    grant = f"strongroom approvals members grant {me} --role officer --vault {path}"
    assert grant in err
    assert "strongroom approvals members add NAME --role officer" in err
    assert "invite" in err and "sync" in err

    # Following the advice: the role counts, and four eyes still wants a second member.
    code, _, err = run(path, "approvals", "members", "grant", me, "--role", "officer")
    assert code == 0, err
    code, out, err = run(path, "approvals", "decide", request_id, "approve", "--reason", "ok")
    assert code == 1 and "four eyes" in err
    assert "strongroom approvals members add NAME --role officer" in err


def test_approving_a_blocked_request_is_refused_saying_why(desk: Path) -> None:
    code, out, err = run(
        desk,
        "approvals",
        "request",
        "whitelist",
        "--customer",
        "C-1",
        "--address",
        f"ethereum:{ETH2}",
    )
    assert code == 0, err
    made = json.loads(out[-1])
    assert made["status"] == "blocked"
    code, out, err = run(
        desk, "approvals", "decide", made["id"], "approve", "--reason", "ok", "--as", "alice"
    )
    assert code == 1
    assert json.loads(out[-1])["ok"] is False
    assert "a sanctions list names the address" in err
    assert f"strongroom approvals decide {made['id']} reject" in err
    code, out, err = run(
        desk, "approvals", "decide", made["id"], "reject", "--reason", "listed", "--as", "alice"
    )
    assert code == 0 and json.loads(out[-1])["status"] == "rejected"
