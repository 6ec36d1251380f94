"""The command line on vaults that cannot be written, or must not be: read-only
folders and files, a full disk, damage, a truncated file.
Real processes, real files, real mounts (root) or permission bits (a user)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.app.test_cli import PW, assert_plain_error, strongroom
from tests.vault.helpers import (
    fill_disk,
    flip_byte,
    make_file_read_only,
    make_read_only,
    snapshot,
    undo_file_read_only,
    undo_read_only,
)
from vault.paths import VaultPaths


@pytest.fixture
def made(tmp_path: Path) -> Path:
    folder = tmp_path / "vaults"
    folder.mkdir()
    path = folder / "cli.vault"
    result = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert result.returncode == 0, result.stderr
    return path


def _reads_work(path: Path, out: Path) -> None:
    """verify, export and backup --to elsewhere: each exits 0."""
    verify = strongroom("verify", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert verify.returncode == 0, verify.stderr
    assert "verified" in verify.stdout
    export = strongroom(
        "export", "customers", "--vault", str(path), "--passphrase-stdin",
        "--to", str(out / "customers.csv"), "--reason", "audit copy", stdin=PW + "\n",
    )  # fmt: skip
    assert export.returncode == 0, export.stderr
    assert (out / "customers.csv").exists()
    made = strongroom(
        "backup", "--vault", str(path), "--passphrase-stdin", "--to", str(out / "b.zip"),
        stdin=PW + "\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (out / "b.zip").exists()


@pytest.mark.parametrize("lock_file", [True, False])
def test_reads_work_in_read_only_folder(made: Path, tmp_path: Path, lock_file: bool) -> None:
    if not lock_file:
        VaultPaths.of(made).lock.unlink(missing_ok=True)
    before = snapshot(made)
    names = sorted(p.name for p in made.parent.iterdir())
    make_read_only(made.parent)
    try:
        _reads_work(made, tmp_path)
        note = strongroom(
            "approvals", "list", "--vault", str(made), "--passphrase-stdin", stdin=PW + "\n"
        )
        assert note.returncode == 0, note.stderr
        assert "read-only" in note.stderr and "backup" not in note.stderr.replace("backed", "")
        assert snapshot(made) == before
        assert sorted(p.name for p in made.parent.iterdir()) == names
    finally:
        undo_read_only(made.parent)


def test_reads_work_on_read_only_file(made: Path, tmp_path: Path) -> None:
    before = snapshot(made)
    make_file_read_only(made)
    try:
        _reads_work(made, tmp_path)
        assert snapshot(made) == before
    finally:
        undo_file_read_only(made)
    # Writable again: the stale state of the read-only runs blocks nothing.
    again = strongroom("verify", "--vault", str(made), "--passphrase-stdin", stdin=PW + "\n")
    assert again.returncode == 0, again.stderr


def test_reads_work_on_full_disk(small_disk: Path, tmp_path: Path) -> None:
    path = small_disk / "cli.vault"
    result = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert result.returncode == 0, result.stderr
    fill_disk(small_disk / "filler")
    before = snapshot(path)
    _reads_work(path, tmp_path)
    assert snapshot(path) == before


def test_truncated_vault_says_truncated(made: Path) -> None:
    data = made.read_bytes()
    made.write_bytes(data[: len(data) // 2 + 100])
    for command in ("verify", "export"):
        args = ["--to", "x.csv", "--reason", "r"] if command == "export" else []
        sub = ["customers"] if command == "export" else []
        result = strongroom(
            command, *sub, "--vault", str(made), "--passphrase-stdin", *args, stdin=PW + "\n"
        )
        err = assert_plain_error(result, 4)
        assert "truncated" in err and "page 1" not in err


def test_damaged_vault_is_read_but_never_written(made: Path, tmp_path: Path) -> None:
    flip_byte(made, 49 * 4096 + 64)  # page 50: neither list nor export reads it
    before = snapshot(made)
    listed = strongroom(
        "approvals", "list", "--vault", str(made), "--passphrase-stdin", stdin=PW + "\n"
    )
    assert listed.returncode == 0, listed.stderr
    assert "damaged" in listed.stderr
    export = strongroom(
        "export", "customers", "--vault", str(made), "--passphrase-stdin",
        "--to", str(tmp_path / "rescue.csv"), "--reason", "rescue", stdin=PW + "\n",
    )  # fmt: skip
    assert export.returncode == 0, export.stderr
    assert "damaged" in export.stderr
    customers = tmp_path / "c.csv"
    customers.write_text("External_ID;Name;Country\nC1;Jane Doe;DE\n", encoding="utf-8")
    imported = strongroom(
        "import", "customers", str(customers), "--vault", str(made), "--passphrase-stdin",
        stdin=PW + "\n",
    )  # fmt: skip
    assert imported.returncode == 4, imported.stderr
    assert "damaged" in imported.stderr and "Traceback" not in imported.stderr
    assert snapshot(made) == before


def test_an_old_schema_vault_on_read_only_media_is_refused_clearly(tmp_path: Path) -> None:
    """Upgrading needs a write: a command that needs the current schema says so (its
    version, what to do) and leaves every file as it was."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    folder = tmp_path / "archive"
    folder.mkdir()
    for suffix in ("", ".header"):
        shutil.copy(fixtures / f"schema1.vault{suffix}", folder / f"old.vault{suffix}")
    path = folder / "old.vault"
    before = snapshot(path)
    names = sorted(p.name for p in folder.iterdir())
    make_read_only(folder)
    try:
        # verify reads the pages and the chain as they are: no upgrade needed
        checked = strongroom(
            "verify", "--vault", str(path), "--passphrase-stdin", stdin="fixture passphrase\n"
        )
        result = strongroom(
            "export", "customers", "--vault", str(path), "--passphrase-stdin",
            "--to", str(tmp_path / "customers.csv"), "--reason", "audit copy",
            stdin="fixture passphrase\n",
        )  # fmt: skip
    finally:
        undo_read_only(folder)
    assert checked.returncode == 0 and "verified" in checked.stdout, checked.stderr
    said = assert_plain_error(result, 6)
    assert "schema version 1 and must be upgraded to" in said
    assert f"its folder {folder} cannot be written to" in said
    assert "old.vault and old.vault.header" in said and "open the copy" in said
    assert "exported" not in said  # the read-only advice does not hold here
    assert snapshot(path) == before
    assert sorted(p.name for p in folder.iterdir()) == names
