"""`strongroom desk ...` and `strongroom sync ...` as a script runs them: real processes,
each vault with its own HOME and no keychain, a folder target and a bundle file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from app.cli.parser import build_parser
from app.sync.desk import enter_desk
from app.sync.keys import DeskKey
from tests.app.test_cli import PW, strongroom
from vault.keys import Keychain
from vault.sync import desk as desk_rows
from vault.unlock import Credentials, open_vault


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    vault = str(home / "desk.vault")
    return strongroom(
        *args, "--vault", vault, "--passphrase-stdin", stdin=PW + "\n", env={"HOME": str(home)}
    )


def _last(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _join_by_hand(home: Path, *, like: Path, keychain: Keychain) -> None:
    """`desk join` is not built yet: hand b the desk of a the way the join will."""
    creds = Credentials(passphrase=PW, use_keychain=False)
    source = open_vault(like / "desk.vault", creds, keychain=keychain)
    try:
        row = desk_rows.desk(source.conn)
        assert row is not None
        keys = [DeskKey(k) for k in desk_rows.keys(source.conn).values()]
        target, endpoint = desk_rows.targets(source.conn)[0]
    finally:
        source.close()
    joining = open_vault(home / "desk.vault", creds, keychain=keychain)
    try:
        enter_desk(
            joining, desk=row.desk, name=row.name, keys=keys, target=target, endpoint=endpoint
        )
    finally:
        joining.close()


def test_two_vaults_sync_from_the_command_line(tmp_path: Path, no_keychain: Keychain) -> None:
    a, b, target = tmp_path / "a", tmp_path / "b", tmp_path / "target"
    for folder in (a, b, target):
        folder.mkdir()
    for home in (a, b):
        assert _run(home, "init").returncode == 0
    made = _last(_run(a, "desk", "create", "--target", f"folder:{target}", "--name", "OTC"))
    assert made["name"] == "OTC" and made["targets"] == [f"folder:{target}"]
    assert made["announced"] == [f"folder:{target}"]
    assert (target / str(made["desk"]) / "devices" / str(made["device"]) / "device.ann").is_file()
    # A change that syncs: a customer book import on a.
    book = tmp_path / "customers.csv"
    book.write_text("external_id,name\nC-1,Alice Ltd\nC-2,Bob GmbH\n", encoding="utf-8")
    assert _run(a, "import", "customers", str(book)).returncode == 0
    bundle = tmp_path / "a.bundle"
    exported = _last(_run(a, "sync", "export", "--to", str(bundle)))
    assert exported["pushed"] == 1
    first = _last(_run(a, "sync", "run"))
    assert first["pushed"] == 1 and first["pulled"] == 0

    # b takes a's segment from the bundle first, then finds nothing new on the target.
    _join_by_hand(b, like=a, keychain=no_keychain)
    imported = _last(_run(b, "sync", "import", str(bundle)))
    assert imported["pulled"] == 1 and imported["applied"] > 0 and imported["quarantined"] == 0
    assert imported["state"] == first["state"]
    pulled = _last(_run(b, "sync", "run"))
    assert (pulled["pushed"], pulled["pulled"], pulled["applied"]) == (0, 0, 0)
    status = _last(_run(b, "sync", "status"))
    assert set(status) >= {"state", "last_sync", "unshared", "quarantined", "targets"}
    assert status["state"] == first["state"] and status["quarantined"] == []
    assert status["last_sync"] is not None and status["unshared"] == 0
    assert status["awaiting_projection"] == 0  # every received event is projected
    listed = _run(b, "desk", "devices")
    lines = [json.loads(x) for x in listed.stdout.splitlines() if x.strip()]
    assert sorted(d["this_device"] for d in lines) == [False, True]

    again = _last(_run(a, "sync", "run"))
    assert (again["pushed"], again["pulled"], again["quarantined"]) == (0, 0, 0)
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
