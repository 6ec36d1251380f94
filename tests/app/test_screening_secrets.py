"""Provider API keys: the OS keychain first (a real Secret Service), the vault when
there is none; never in clear in a row, an event, a repr or a file beside the vault."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.book.models import ValidationError
from app.screening.secrets import delete_key, get_key, set_key
from tests.conftest import PASSPHRASE
from vault.keys import SERVICE, Keychain
from vault.unlock import Credentials, create_vault, open_vault

KEY = "sk-live-0123456789abcdef"
SECRET = "elliptic-secret-base64=="


def _everything_on_disk(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())


def test_without_a_keychain_the_key_is_sealed_in_the_vault(
    tmp_path: Path, no_keychain: Keychain
) -> None:
    path = tmp_path / "desk.vault"
    vault = create_vault(path, passphrase=PASSPHRASE, keychain=no_keychain).vault
    try:
        assert set_key(vault, "Elliptic", KEY, SECRET) == "vault"
        found = get_key(vault, "elliptic")
        assert found is not None and (found.key, found.secret, found.where) == (
            KEY,
            SECRET,
            "vault",
        )
        assert KEY not in repr(found) and SECRET not in str(found)
        # Sealed inside the encrypted database: no column holds it in clear.
        rows = vault.conn.execute("SELECT provider, field, nonce, sealed FROM api_keys").fetchall()
        assert {(p, f) for p, f, _, _ in rows} == {("elliptic", "key"), ("elliptic", "secret")}
        assert not any(KEY.encode() in bytes(s) or SECRET.encode() in bytes(s) for *_, s in rows)
        events = vault.conn.execute("SELECT type, payload FROM events").fetchall()
        assert "screening.api_key_set" in {t for t, _ in events}
        assert not any(KEY.encode() in bytes(p) or SECRET.encode() in bytes(p) for _, p in events)
    finally:
        vault.close()
    assert KEY.encode() not in _everything_on_disk(tmp_path)  # no plain file anywhere
    again = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    try:
        found = get_key(again, "elliptic")
        assert found is not None and found.key == KEY
        assert set_key(again, "elliptic", "rotated") == "vault"
        rotated = get_key(again, "elliptic")
        assert rotated is not None and (rotated.key, rotated.secret) == ("rotated", None)
        assert delete_key(again, "elliptic") and get_key(again, "elliptic") is None
        assert not delete_key(again, "elliptic")
        assert again.conn.execute("SELECT count(*) FROM api_keys").fetchone()[0] == 0
    finally:
        again.close()


def test_with_a_keychain_the_key_lives_there_and_not_in_the_vault(
    tmp_path: Path, no_keychain: Keychain, secret_service: Keychain
) -> None:
    vault = create_vault(tmp_path / "k.vault", passphrase=PASSPHRASE, keychain=no_keychain).vault
    try:
        set_key(vault, "trm", "old-vault-copy")  # stored while no keychain answered
        vault.keychain = secret_service  # the same vault on a machine with a keychain
        assert set_key(vault, "trm", KEY) == "keychain"
        found = get_key(vault, "trm")
        assert found is not None and (found.key, found.where) == (KEY, "keychain")
        assert vault.conn.execute("SELECT count(*) FROM api_keys").fetchone()[0] == 0
        # A real Secret Service item, read without Strongroom.
        from keyring.backends import SecretService

        ring = SecretService.Keyring()  # type: ignore[no-untyped-call]
        entry = f"{vault.vault_id}/api/trm/key"
        assert ring.get_password(SERVICE, entry) == KEY  # type: ignore[no-untyped-call]
        assert delete_key(vault, "trm") and get_key(vault, "trm") is None
        assert ring.get_password(SERVICE, entry) is None  # type: ignore[no-untyped-call]
    finally:
        vault.close()


def test_names_and_values_are_checked(tmp_path: Path, no_keychain: Keychain) -> None:
    vault = create_vault(tmp_path / "c.vault", passphrase=PASSPHRASE, keychain=no_keychain).vault
    try:
        for name, key in (("", KEY), ("../etc", KEY), ("trm", "  "), ("trm", "two\nlines")):
            with pytest.raises(ValidationError) as err:
                set_key(vault, name, key)
            assert KEY not in str(err.value)
        assert get_key(vault, "trm") is None
    finally:
        vault.close()
