"""Test helpers: raw access to a vault's database, byte snapshots, damage."""

from __future__ import annotations

from pathlib import Path

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
