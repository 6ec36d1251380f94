"""Test helpers: raw access to a vault's database, byte snapshots, damage."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from vault import connection
from vault.connection import Connection
from vault.header import read_header
from vault.paths import VaultPaths


def raw_key(path: Path, passphrase: str = PASSPHRASE) -> bytes:
    paths = VaultPaths.of(path)
    return read_header(paths.header).unwrap_with_passphrase(passphrase, paths.db)


def raw_connection(path: Path, passphrase: str = PASSPHRASE) -> Connection:
    """A writable connection that bypasses the vault: how an attacker with the key edits rows."""
    return connection.connect(path, raw_key(path, passphrase))


def snapshot(path: Path) -> dict[str, bytes]:
    """Bytes of the database and its header (and WAL if present)."""
    paths = VaultPaths.of(path)
    return {p.name: p.read_bytes() for p in (paths.db, paths.header, paths.wal) if p.exists()}


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def mount(args: list[str]) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a test file system here: {result.stderr.strip()}")


def make_read_only(folder: Path) -> None:
    """A real read-only folder: permission bits, or for root (who ignores them) a
    read-only bind mount."""
    if os.geteuid() == 0:
        mount(["--bind", str(folder), str(folder)])
        mount(["-o", "remount,ro,bind", str(folder)])
    else:
        folder.chmod(0o555)


def undo_read_only(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        folder.chmod(0o755)


def make_file_read_only(path: Path) -> None:
    """A read-only file in a writable folder: 0444, or for root the immutable attribute."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip("root ignores permission bits and chattr +i does not work here")
    else:
        path.chmod(0o444)


def undo_file_read_only(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    else:
        path.chmod(0o600)


def fill_disk(filler: Path) -> None:
    """Write `filler` until its file system is full (ENOSPC)."""
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
