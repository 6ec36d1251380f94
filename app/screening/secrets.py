"""Provider API keys: in the OS keychain, or in the vault when there is none.

Never in a plain file, never in an event (events are synced), never in a log
or a repr. A key goes to the keychain (`vault.keys.Keychain.put_secret`, under
the vault's id) when one takes it; otherwise into the vault's `api_keys` table
(m0004), sealed with AES-256-GCM under a random key of its own so that no row
shows it in clear and nothing that copies rows out can leak it. Reading tries
the keychain first, then the vault. Setting or removing a key is an audit
event that names the provider and where the key went, not the key.

Calls may block on the OS keychain: database worker, never the GUI thread.
"""

from __future__ import annotations

import re
import secrets as random_bytes
from dataclasses import dataclass
from typing import Literal

from app.book.models import ValidationError
from app.screening.outbox import release_provider
from app.screening.risk import utc_now
from vault import crypto
from vault.connection import Connection
from vault.store import Vault

Where = Literal["keychain", "vault"]
_FIELDS = ("key", "secret")
_NAME = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,63}")
_MAX = 4096


@dataclass(frozen=True)
class ApiKey:
    """A provider's credentials; `secret` for providers that sign requests (Elliptic)."""

    key: str
    secret: str | None = None
    where: Where = "keychain"

    def __repr__(self) -> str:  # keep keys out of tracebacks and logs
        return f"ApiKey(key=***, secret={'***' if self.secret else None}, where={self.where!r})"

    __str__ = __repr__


def set_key(vault: Vault, provider: str, key: str, secret: str | None = None) -> Where:
    """Store a provider's key (and secret); returns where it went. Look-ups that
    waited for a working key become due at once."""
    name = _check_name(provider)
    values = {"key": _check_value(key, "key"), "secret": None}
    if secret is not None:
        values["secret"] = _check_value(secret, "secret")
    chain = vault.keychain
    in_keychain = all(
        chain.put_secret(vault.vault_id, _entry(name, f), v) for f, v in values.items() if v
    )
    if in_keychain and values["secret"] is None:
        chain.delete_secret(vault.vault_id, _entry(name, "secret"))
    where: Where = "keychain" if in_keychain else "vault"
    with vault.transaction() as tx:
        # One place only: a stale copy elsewhere would shadow or outlive the new key.
        tx.execute("DELETE FROM api_keys WHERE provider = ?", (name,))
        if not in_keychain:
            for f in _FIELDS:
                chain.delete_secret(vault.vault_id, _entry(name, f))
            for f, v in values.items():
                if v:
                    _put_sealed(tx.conn, name, f, v)
        release_provider(tx.conn, name, now=utc_now())
        tx.event(
            "screening.api_key_set",
            {"provider": name, "stored": where, "with_secret": values["secret"] is not None},
        )
    return where


def get_key(vault: Vault, provider: str) -> ApiKey | None:
    """The provider's key: the keychain's if it holds one, else the vault's, else None."""
    name = _check_name(provider)
    key = vault.keychain.get_secret(vault.vault_id, _entry(name, "key"))
    if key:
        secret = vault.keychain.get_secret(vault.vault_id, _entry(name, "secret"))
        return ApiKey(key, secret or None, "keychain")
    stored = _sealed_values(vault.conn, name)
    if "key" not in stored:
        return None
    return ApiKey(stored["key"], stored.get("secret"), "vault")


def delete_key(vault: Vault, provider: str) -> bool:
    """Forget a provider's key everywhere; True if there was one."""
    name = _check_name(provider)
    had = get_key(vault, name) is not None
    for f in _FIELDS:
        vault.keychain.delete_secret(vault.vault_id, _entry(name, f))
    with vault.transaction() as tx:
        tx.execute("DELETE FROM api_keys WHERE provider = ?", (name,))
        if had:
            tx.event("screening.api_key_deleted", {"provider": name})
    return had


def _entry(provider: str, field: str) -> str:
    return f"api/{provider}/{field}"


def _check_name(provider: str) -> str:
    name = provider.strip().lower()
    if not _NAME.fullmatch(name):
        raise ValidationError(
            "provider", f"'{provider[:40]}' is not a provider name (letters, digits, - _ . :)"
        )
    return name


def _check_value(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError(what, f"the API {what} is empty")
    if len(text) > _MAX or any(c in text for c in "\r\n\0"):
        raise ValidationError(what, f"the API {what} must be one line of at most {_MAX} characters")
    return text


# --- the vault fallback (m0004 api_keys), database worker ----------------------


def _seal_key(conn: Connection, *, create: bool) -> bytes | None:
    row = conn.execute("SELECT key FROM api_key_seal WHERE id = 1").fetchone()
    if row is not None:
        return bytes(row[0])
    if not create:
        return None
    key = random_bytes.token_bytes(crypto.KEY_BYTES)
    conn.execute("INSERT INTO api_key_seal (id, key) VALUES (1, ?)", (key,))
    return key


def _aad(provider: str, field: str) -> bytes:
    return f"strongroom api key|{provider}|{field}".encode()


def _put_sealed(conn: Connection, provider: str, field: str, value: str) -> None:
    key = _seal_key(conn, create=True)
    assert key is not None
    nonce, sealed = crypto.seal(key, value.encode(), _aad(provider, field))
    conn.execute(
        "INSERT OR REPLACE INTO api_keys (provider, field, nonce, sealed, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (provider, field, nonce, sealed, utc_now().isoformat()),
    )


def _sealed_values(conn: Connection, provider: str) -> dict[str, str]:
    key = _seal_key(conn, create=False)
    if key is None:
        return {}
    found: dict[str, str] = {}
    rows = conn.execute(
        "SELECT field, nonce, sealed FROM api_keys WHERE provider = ?", (provider,)
    ).fetchall()
    for field, nonce, sealed in rows:
        try:
            found[field] = crypto.open_sealed(
                key, bytes(nonce), bytes(sealed), _aad(provider, field)
            ).decode()
        except crypto.UnwrapError:
            continue  # a row that does not open is no key: the provider asks for it again
    return found
