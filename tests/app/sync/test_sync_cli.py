"""`strongroom desk ...` and `strongroom sync ...` as a script runs them: real processes,
each vault with its own HOME and no keychain, a folder target and a bundle file."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli.parser import build_parser
from tests.app.test_cli import PW, strongroom


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    vault = str(home / "desk.vault")
    return strongroom(
        *args, "--vault", vault, "--passphrase-stdin", stdin=PW + "\n", env={"HOME": str(home)}
    )


def _last(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _join(home: Path, *, admin: Path, name: str = "Bea") -> dict[str, object]:
    """`desk invite` on `admin`'s vault, `desk join` with its code on `home`'s."""
    file = home.parent / f"{home.name}.invite"
    made = _last(_run(admin, "desk", "invite", name, "--role", "officer", "--to", str(file)))
    return _last(_run(home, "desk", "join", str(file), "--code", str(made["code"])))


def test_two_vaults_sync_from_the_command_line(tmp_path: Path) -> None:
    a, b, target = tmp_path / "a", tmp_path / "b", tmp_path / "target"
    for folder in (a, b, target):
        folder.mkdir()
    for home in (a, b):
        assert _run(home, "init").returncode == 0
    made = _last(_run(a, "desk", "create", "--target", f"folder:{target}", "--name", "OTC"))
    assert made["name"] == "OTC" and made["targets"] == [f"folder:{target}"]
    assert made["announced"] == [f"folder:{target}"]
    assert (target / str(made["desk"]) / "devices" / str(made["device"]) / "device.ann").is_file()
    # b joins by invitation (its own member and grants are events of its own).
    joined = _join(b, admin=a)
    assert joined["desk"] == made["desk"] and joined["member"] == "Bea"
    # A change that syncs: a customer book import on a.
    book = tmp_path / "customers.csv"
    book.write_text("external_id,name\nC-1,Alice Ltd\nC-2,Bob GmbH\n", encoding="utf-8")
    assert _run(a, "import", "customers", str(book)).returncode == 0
    bundle = tmp_path / "a.bundle"
    exported = _last(_run(a, "sync", "export", "--to", str(bundle)))
    assert exported["pushed"] == 1
    first = _last(_run(a, "sync", "run"))
    assert first["pushed"] == 1 and first["pulled"] == 0

    # b takes a's segment from the bundle first, then finds nothing new of a's on the
    # target and puts its own there.
    imported = _last(_run(b, "sync", "import", str(bundle)))
    assert imported["pulled"] == 1 and imported["applied"] > 0 and imported["quarantined"] == 0
    pulled = _last(_run(b, "sync", "run"))
    assert (pulled["pushed"], pulled["pulled"], pulled["applied"]) == (1, 0, 0)
    again = _last(_run(a, "sync", "run"))
    assert (again["pushed"], again["pulled"], again["quarantined"]) == (0, 1, 0)
    status = _last(_run(b, "sync", "status"))
    assert set(status) >= {"state", "last_sync", "unshared", "quarantined", "targets"}
    assert status["state"] == again["state"] and status["quarantined"] == []
    assert status["last_sync"] is not None and status["unshared"] == 0
    assert status["awaiting_projection"] == 0  # every received event is projected
    listed = _run(b, "desk", "devices")
    lines = [json.loads(x) for x in listed.stdout.splitlines() if x.strip()]
    assert sorted(d["this_device"] for d in lines) == [False, True]
    settled = _last(_run(a, "sync", "run"))
    assert (settled["pushed"], settled["pulled"], settled["quarantined"]) == (0, 0, 0)
    verified = _run(b, "verify")
    assert verified.returncode == 0, verified.stderr


def test_sync_without_a_desk_and_an_unreachable_target_say_what_to_do(tmp_path: Path) -> None:
    assert _run(tmp_path, "init").returncode == 0
    lonely = _run(tmp_path, "sync", "run")
    assert lonely.returncode == 1 and "desk create" in lonely.stderr
    created = _run(tmp_path, "desk", "create", "--target", "webdav:http://desk@127.0.0.1:9/dav/")
    assert _last(created)["announced"] == []
    assert "waits for the next 'sync run'" in created.stderr
    offline = _run(tmp_path, "sync", "run")
    assert offline.returncode == 1
    assert "could not be reached" in offline.stderr and "Traceback" not in offline.stderr
    assert json.loads(offline.stdout.splitlines()[-1])["pushed"] == 0
    refused = _run(tmp_path, "desk", "create", "--target", "ftp://x")
    assert refused.returncode == 1 and "folder:DIR" in refused.stderr


def test_desk_and_sync_take_their_arguments_and_never_a_password() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["desk", "create", "--vault", "v", "--target", "s3:b/p", "--endpoint", "http://m"]
    )
    assert (args.command, args.desk_command, args.endpoint, args.name) == (
        "desk",
        "create",
        "http://m",
        "Desk",
    )
    for argv in (["sync", "run"], ["sync", "status"], ["sync", "import", "F"]):
        assert parser.parse_args([*argv, "--vault", "v"]).sync_command == argv[1]
    assert parser.parse_args(["sync", "export", "--to", "F", "--vault", "v"]).to == "F"
    for option in ("--password", "--secret"):
        with pytest.raises(SystemExit):
            parser.parse_args(["sync", "run", "--vault", "v", option, "x"])


def test_invite_join_decide_and_remove_from_the_command_line(tmp_path: Path) -> None:
    a, b, c, target = (tmp_path / n for n in ("a", "b", "c", "target"))
    for folder in (a, b, c, target):
        folder.mkdir()
    for home in (a, b, c):
        assert _run(home, "init").returncode == 0
    _last(_run(a, "desk", "create", "--target", f"folder:{target}"))
    file = tmp_path / "bea.invite"
    made = _last(_run(a, "desk", "invite", "Bea", "--role", "officer", "--to", str(file)))
    assert set(made) == {"invite", "code", "expires_at"} and made["invite"] == str(file)
    left = datetime.fromisoformat(str(made["expires_at"])) - datetime.now(UTC)
    assert timedelta(hours=71) < left <= timedelta(hours=72)
    code = str(made["code"])
    assert code not in file.read_text()

    wrong = _run(b, "desk", "join", str(file), "--code", "0000-0000-0000-0000-0000")
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "typing mistake" in wrong.stderr or "does not open" in wrong.stderr
    joined = _last(_run(b, "desk", "join", str(file), "--code", code))
    assert set(joined) >= {"desk", "member", "device"} and joined["member"] == "Bea"
    reused = _run(c, "desk", "join", str(file), "--code", code)
    assert reused.returncode == 1 and "used already" in reused.stderr
    not_admin = _run(b, "desk", "invite", "Cid", "--role", "officer", "--to", str(tmp_path / "x"))
    assert not_admin.returncode == 1 and "not an admin" in not_admin.stderr

    # b acts as Bea by default: her request, her signed rejection (an officer's act).
    book = tmp_path / "customers.csv"
    book.write_text("external_id,name\nC-9,Zeta Ltd\n", encoding="utf-8")
    assert _run(b, "import", "customers", str(book)).returncode == 0
    request = _last(_run(b, "approvals", "request", "onboarding", "--customer", "C-9"))
    decided = _run(b, "approvals", "decide", str(request["id"]), "reject", "--reason", "no KYC")
    assert decided.returncode == 0, decided.stderr
    _last(_run(b, "sync", "run"))
    _last(_run(a, "sync", "run"))
    members = [
        json.loads(x) for x in _run(a, "approvals", "members", "list").stdout.splitlines() if x
    ]
    assert {m["name"]: m["roles"] for m in members}["Bea"] == ["officer"]
    devices = [json.loads(x) for x in _run(a, "desk", "devices").stdout.splitlines() if x]
    assert {d["member"]: d["trust"] for d in devices}["Bea"] == "granted"

    removed = _last(_run(a, "desk", "remove", "Bea"))
    assert removed["removed"] == [joined["device"]] and removed["member"] == "Bea"
    refused = _run(b, "desk", "remove", "Bea")
    assert refused.returncode == 1 and "admin" in refused.stderr
    assert _run(a, "import", "customers", str(book)).returncode == 0  # written after
    _last(_run(a, "sync", "run"))
    after = _last(_run(b, "sync", "run"))
    assert after["quarantined"] >= 1  # a's new segment: a desk key b never received
    # B has taken its own removal (Bea's roles are revoked there too), so what it
    # writes now is a plain book change.
    refused_request = _run(b, "approvals", "request", "onboarding", "--customer", "C-9")
    assert refused_request.returncode == 1 and "may not request" in refused_request.stderr
    later = tmp_path / "later.csv"
    later.write_text("external_id,name\nC-10,Eta Ltd\n", encoding="utf-8")
    assert _run(b, "import", "customers", str(later)).returncode == 0
    _last(_run(b, "sync", "run"))
    late = _last(_run(a, "sync", "run"))
    assert late["quarantined"] == 1
    status = _last(_run(a, "sync", "status"))
    assert [q["reason"] for q in status["quarantined"]] == ["removed_device"]  # type: ignore[union-attr]
    assert _run(a, "verify").returncode == 0
