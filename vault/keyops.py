"""Key changes on an open vault: new passphrase, new database key.

Both are audited. Re-keying rewrites every page under a new random key with
`PRAGMA rekey`, after an encrypted backup; a journal beside the database
lets the next unlock finish or roll back a re-key that was interrupted
(see `vault.rekey_recovery`).
"""

from __future__ import annotations

import contextlib
import secrets

from vault import crypto
from vault.atomic import fsync_dir, write_atomic
from vault.connection import DatabaseError, encrypted_copy, explain
from vault.errors import WrongPassphraseError
from vault.header import write_header
from vault.store import Vault
from vault.unlock import MIN_PASSPHRASE

PENDING_SUFFIX = "/rekey"


def check_passphrase(vault: Vault, passphrase: str) -> None:
    """Raise unless `passphrase` is the vault's current one (re-authentication)."""
    key = vault.header.unwrap_with_passphrase(passphrase, vault.paths.db)
    if not secrets.compare_digest(key, vault.key_bytes()):
        raise WrongPassphraseError(
            f"The passphrase does not open the vault {vault.paths.db}.", path=vault.paths.db
        )


def change_passphrase(
    vault: Vault, *, new_passphrase: str, kdf: crypto.KdfParams | None = None
) -> None:
    """Wrap the database key under `new_passphrase`; the old one stops working at once."""
    if len(new_passphrase) < MIN_PASSPHRASE:
        raise WrongPassphraseError(
            f"The new passphrase must have at least {MIN_PASSPHRASE} characters."
        )
    vault.require_writable()
    header = vault.header.with_passphrase(
        database_key=vault.key_bytes(),
        passphrase=new_passphrase,
        kdf=kdf or vault.header.passphrase.kdf,
    )
    write_header(vault.paths.header, header)
    vault.header = header
    vault.audit("vault.passphrase_changed", {})


def rekey(vault: Vault, *, passphrase: str) -> None:
    """Replace the database key. `passphrase` (the current one) re-wraps the new key.

    The recovery key stays valid: its slot is re-wrapped to its public half.
    """
    vault.require_writable()
    check_passphrase(vault, passphrase)
    paths = vault.paths
    old_key = vault.key_bytes()
    new_key = crypto.new_database_key()
    new_header = vault.header.rewrapped(new_key=new_key, passphrase=passphrase)
    conn = vault.conn
    vault.close_readers()
    in_keychain = vault.keychain.get(vault.vault_id) is not None
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        encrypted_copy(conn, old_key, paths.rekey_backup_db)
        fsync_dir(paths.db.parent)
        if in_keychain:
            vault.keychain.put(vault.vault_id + PENDING_SUFFIX, new_key)
        # From here on, an interrupted re-key is finished by the next unlock.
        write_atomic(paths.rekey_journal, new_header.to_bytes())
        conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except DatabaseError as exc:
        raise explain(exc, paths.db) from None
    write_header(paths.header, new_header)
    if in_keychain:
        vault.keychain.put(vault.vault_id, new_key)
    vault.replace_key(new_key, new_header)
    cleanup(vault)
    vault.audit("vault.rekeyed", {"keychain_updated": in_keychain})


def cleanup(vault: Vault) -> None:
    paths = vault.paths
    with contextlib.suppress(OSError):
        paths.rekey_journal.unlink()
    with contextlib.suppress(OSError):
        paths.rekey_backup_db.unlink()
    vault.keychain.delete(vault.vault_id + PENDING_SUFFIX)
