from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.book.service import CustomerBook
from tests.conftest import PASSPHRASE
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault


@pytest.fixture
def vault(tmp_path: Path, no_keychain: Keychain) -> Iterator[Vault]:
    made = create_vault(tmp_path / "book.vault", passphrase=PASSPHRASE, keychain=no_keychain)
    yield made.vault
    made.vault.close()


@pytest.fixture
def book(vault: Vault) -> CustomerBook:
    return CustomerBook(vault)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
