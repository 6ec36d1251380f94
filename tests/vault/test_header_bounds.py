"""A crafted header (beside a vault or inside a backup) cannot hang or crash opening.

The header's Argon2 costs and field sizes are read before its MAC can be checked
(the MAC needs the key the costs derive), so each is bounded before use.
"""

from __future__ import annotations

import base64
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE
from tests.vault.helpers import snapshot
from vault import backup
from vault.errors import CorruptVaultError
from vault.keys import Keychain
from vault.paths import VaultPaths
from vault.unlock import Credentials, open_vault
from vault.verify import verify_vault

CRAFTED: list[tuple[str, str, Any]] = [
    ("passphrase", "time_cost", 100_000_000),
    ("passphrase", "memory_kib", 2**40),
    ("passphrase", "memory_kib", 4),
    ("passphrase", "parallelism", 2**24),
    ("passphrase", "time_cost", 0),
    ("passphrase", "time_cost", True),
    ("passphrase", "salt", base64.b64encode(b"\0" * 4096).decode()),
    ("passphrase", "nonce", base64.b64encode(b"\0" * 5).decode()),
    ("recovery", "epk", base64.b64encode(b"\0" * 31).decode()),
]


def _edit(header: Path, slot: str, name: str, value: Any) -> None:
    doc = json.loads(header.read_text())
    doc[slot][name] = value
    header.write_text(json.dumps(doc))


@pytest.mark.parametrize(("slot", "name", "value"), CRAFTED)
def test_crafted_header_is_refused_at_once(
    closed_vault: tuple[Path, str], no_keychain: Keychain, slot: str, name: str, value: Any
) -> None:
    path, _ = closed_vault
    _edit(VaultPaths.of(path).header, slot, name, value)
    before = snapshot(path)
    for attempt in (
        lambda: open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain),
        lambda: verify_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain),
    ):
        started = time.perf_counter()
        with pytest.raises(CorruptVaultError) as err:
            attempt()
        assert time.perf_counter() - started < 1.0
        assert str(VaultPaths.of(path).header) in err.value.message
        assert "backup" in err.value.message
        assert err.value.exit_code == 4
    assert snapshot(path) == before


def test_huge_header_file_is_not_read_whole(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    header = VaultPaths.of(path).header
    doc = json.loads(header.read_text())
    doc["padding"] = "x" * 5_000_000
    header.write_text(json.dumps(doc))
    with pytest.raises(CorruptVaultError) as err:
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert "larger than a Strongroom header" in err.value.message


def test_backup_with_crafted_header_is_refused_before_any_work(
    closed_vault: tuple[Path, str], no_keychain: Keychain, tmp_path: Path
) -> None:
    path, _ = closed_vault
    vault = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    try:
        made = backup.backup(vault, tmp_path / "good.zip").path
    finally:
        vault.close()
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(crafted, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "vault.header":
                doc = json.loads(data)
                doc["passphrase"]["time_cost"] = 100_000_000
                data = json.dumps(doc).encode()
            dst.writestr(item, data)
    started = time.perf_counter()
    with pytest.raises(CorruptVaultError):
        backup.restore(
            crafted,
            tmp_path / "restored.vault",
            Credentials(passphrase=PASSPHRASE),
            keychain=no_keychain,
        )
    assert time.perf_counter() - started < 1.0
    assert not (tmp_path / "restored.vault").exists()
