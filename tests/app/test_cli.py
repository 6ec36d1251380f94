"""`strongroom` subcommands, run as a user's script would: real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app.test_screening_sanctions import OFAC as SHARED_OFAC
from tests.vault.helpers import flip_byte, snapshot

ROOT = Path(__file__).resolve().parents[2]
PW = "a long enough passphrase"


def strongroom(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    # No keychain unless a test hands one in: DBUS unset makes keyring fall back to fail.
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **(env or {})},
        cwd=ROOT,
        check=False,
    )


def assert_plain_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, result.stderr
    return result.stderr


@pytest.fixture
def made(tmp_path: Path) -> Path:
    path = tmp_path / "cli.vault"
    result = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert result.returncode == 0, result.stderr
    assert "Recovery key" in result.stdout
    return path


def _recovery_key(init_stdout: str) -> str:
    lines = init_stdout.splitlines()
    return lines[lines.index(next(x for x in lines if x.startswith("Recovery key"))) + 1].strip()


def test_every_subcommand_has_help() -> None:
    for command in ("init", "verify", "backup", "restore", "passwd", "rekey", "keychain"):
        result = strongroom(command, "--help")
        assert result.returncode == 0
        assert "--vault" in result.stdout


def test_init_prints_recovery_key_once_and_refuses_existing(tmp_path: Path) -> None:
    path = tmp_path / "v.vault"
    first = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert first.returncode == 0
    key = _recovery_key(first.stdout)
    assert len(key.replace("-", "")) == 36
    before = snapshot(path)
    again = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    err = assert_plain_error(again, 2)
    assert "already exists" in err
    assert snapshot(path) == before


def test_verify_ok_wrong_passphrase_and_no_way_to_unlock(made: Path) -> None:
    ok = strongroom("verify", "--vault", str(made), "--passphrase-stdin", stdin=PW + "\n")
    assert ok.returncode == 0 and "verified" in ok.stdout
    before = snapshot(made)
    wrong = strongroom("verify", "--vault", str(made), "--passphrase-stdin", stdin="nope\n")
    assert "does not open" in assert_plain_error(wrong, 3)
    nothing = strongroom("verify", "--vault", str(made))
    assert "passphrase" in assert_plain_error(nothing, 3)
    assert snapshot(made) == before


def test_verify_names_damage(made: Path) -> None:
    flip_byte(made, 2 * 4096 + 64)
    before = snapshot(made)
    result = strongroom("verify", "--vault", str(made), "--passphrase-stdin", stdin=PW + "\n")
    err = assert_plain_error(result, 4)
    assert "page 3" in err and str(made) in err
    assert snapshot(made) == before


def test_missing_vault_and_missing_header(tmp_path: Path, made: Path) -> None:
    nowhere = strongroom(
        "verify", "--vault", str(tmp_path / "none.vault"), "--passphrase-stdin", stdin=PW + "\n"
    )
    assert "strongroom init" in assert_plain_error(nowhere, 2)
    Path(f"{made}.header").unlink()
    result = strongroom("verify", "--vault", str(made), "--passphrase-stdin", stdin=PW + "\n")
    assert ".header" in assert_plain_error(result, 2)


def test_backup_restore_passwd_rekey_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "v.vault"
    init = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    recovery = _recovery_key(init.stdout)
    backup_file = tmp_path / "v.backup"
    result = strongroom(
        "backup",
        "--vault",
        str(path),
        "--to",
        str(backup_file),
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert backup_file.exists()
    new_pw = "the second passphrase"
    result = strongroom(
        "passwd", "--vault", str(path), "--passphrase-stdin", stdin=f"{PW}\n{new_pw}\n"
    )
    assert result.returncode == 0, result.stderr
    old = strongroom("verify", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert_plain_error(old, 3)
    result = strongroom("rekey", "--vault", str(path), "--passphrase-stdin", stdin=new_pw + "\n")
    assert result.returncode == 0, result.stderr
    result = strongroom(
        "verify", "--vault", str(path), "--recovery-key-stdin", stdin=recovery + "\n"
    )
    assert result.returncode == 0, result.stderr
    restored = tmp_path / "r.vault"
    result = strongroom(
        "restore",
        "--from",
        str(backup_file),
        "--vault",
        str(restored),
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert result.returncode == 0, result.stderr
    over = strongroom(
        "restore",
        "--from",
        str(backup_file),
        "--vault",
        str(path),
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert "--replace" in assert_plain_error(over, 2)


def test_second_process_is_refused(made: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys; from keyring.backends import fail; from vault.keys import Keychain;"
                "from vault.unlock import Credentials, open_vault;"
                f"v = open_vault({str(made)!r}, Credentials(passphrase={PW!r}),"
                " keychain=Keychain(fail.Keyring()));"
                "print('open', flush=True); sys.stdin.readline(); v.close()"
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == "open"
    try:
        result = strongroom("verify", "--vault", str(made), "--passphrase-stdin", stdin=PW + "\n")
        err = assert_plain_error(result, 5)
        assert f"process {holder.pid}" in err
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


def test_keychain_through_the_cli(tmp_path: Path, secret_service_env: dict[str, str]) -> None:
    path = tmp_path / "k.vault"
    init = strongroom(
        "init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n", env=secret_service_env
    )
    assert init.returncode == 0, init.stderr
    assert "OS keychain" in init.stdout
    # No passphrase at all: the keychain unlocks it.
    result = strongroom("verify", "--vault", str(path), env=secret_service_env)
    assert result.returncode == 0, result.stderr
    status = strongroom("keychain", "status", "--vault", str(path), env=secret_service_env)
    assert json.loads(status.stdout)["entry"] is True
    # --no-keychain forces the passphrase path.
    result = strongroom("verify", "--vault", str(path), "--no-keychain", env=secret_service_env)
    assert_plain_error(result, 3)


def test_import_and_export_from_the_command_line(made: Path, tmp_path: Path) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text(
        "External_ID;Name;Country;Email\nC1;Jane Doe;DE;jane@example.com\nC2;;DE;\n",
        encoding="utf-8-sig",
    )
    result = strongroom(
        "import",
        "customers",
        str(customers),
        "--vault",
        str(made),
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts == {"added": 1, "unchanged": 0, "changed": 0, "rejected": 1, "conflicts": 0}
    assert "line 3: name: is empty" in result.stderr
    addresses = tmp_path / "a.csv"
    addresses.write_text(
        "customer_external_id,chain,address,label\n"
        "C1,ethereum,0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed,=cmd\n"
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text("kind: addresses\ncolumns:\n  label: label\n")
    result = strongroom(
        "import",
        "addresses",
        str(addresses),
        "--vault",
        str(made),
        "--mapping",
        str(mapping),
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert json.loads(result.stdout.strip().splitlines()[-1])["added"] == 1
    out = tmp_path / "out.csv"
    result = strongroom(
        "export",
        "addresses",
        "--to",
        str(out),
        "--reason",
        "auditor asked",
        "--vault",
        str(made),
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" in out.read_text(encoding="utf-8-sig")
    assert "'=cmd" in out.read_text(encoding="utf-8-sig")
    missing = strongroom(
        "import",
        "customers",
        str(tmp_path / "none.csv"),
        "--vault",
        str(made),
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    no_reason = strongroom(
        "export",
        "customers",
        "--to",
        str(tmp_path / "x.csv"),
        "--reason",
        " ",
        "--vault",
        str(made),
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert no_reason.returncode != 0 and "reason" in no_reason.stderr


OFAC = SHARED_OFAC / "sanctioned_addresses_ETH.txt"


@pytest.mark.skipif(not OFAC.exists(), reason="needs ../shared/data/ofac")
def test_sanctions_import_and_offline_screen(made: Path, tmp_path: Path) -> None:
    result = strongroom(
        "sanctions",
        "import",
        str(OFAC),
        "--vault",
        str(made),
        "--date",
        "2024-09-27",
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["evm"] > 100
    listed = OFAC.read_text().split()[0]
    result = strongroom(
        "screen",
        "--vault",
        str(made),
        "--address",
        f"bsc:{listed.lower()}",
        "--address",
        "ethereum:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "--offline",
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [(x["level"], x["sanctioned"], x["score"]) for x in lines] == [
        ("severe", True, 100),
        ("none", False, 0),
    ]
    assert {"chain", "address", "provider", "categories", "fetched_at", "status"} <= set(lines[0])
    bad = strongroom(
        "screen",
        "--vault",
        str(made),
        "--address",
        "ethereum:0x12",
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert "40" in assert_plain_error(bad, 1)
    missing = strongroom(
        "sanctions",
        "import",
        str(tmp_path / "none.txt"),
        "--vault",
        str(made),
        "--asset",
        "ETH",
        "--passphrase-stdin",
        stdin=PW + "\n",
    )
    assert missing.returncode == 2
