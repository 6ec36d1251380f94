"""The header file beside the database: the wrapped copies of the database key.

It is JSON, so a person can see what it holds (salts, nonces, ciphertexts,
Argon2id costs, a vault id), and it never holds anything secret in clear.
A MAC under a key derived from the database key detects any edit once the
key is known; the wrap's associated data binds each slot to the vault id.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vault import crypto
from vault.atomic import write_atomic
from vault.errors import (
    CorruptVaultError,
    VaultNotFoundError,
    WrongPassphraseError,
    WrongRecoveryKeyError,
)

FORMAT = "strongroom-vault-header"
VERSION = 1


# The sizes each field may have: a header is read before its MAC can be checked.
_SALT_SIZES = range(16, 65)
_NONCE = range(crypto.NONCE_BYTES, crypto.NONCE_BYTES + 1)
_WRAPPED = range(crypto.KEY_BYTES + 16, crypto.KEY_BYTES + 17)  # the key and GCM's tag
_X25519 = range(32, 33)
_MAC = range(32, 33)
#: a header is about 700 bytes; anything far larger is not one
MAX_HEADER_BYTES = 64 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, sizes: range) -> bytes:
    if not isinstance(text, str) or len(text) > 4 * sizes.stop:
        raise ValueError("not base64 text of the right size")
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if len(data) not in sizes:
        raise ValueError("a field of the wrong size")
    return data


@dataclass(frozen=True)
class PassphraseSlot:
    kdf: crypto.KdfParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class RecoverySlot:
    public: bytes
    epk: bytes
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class Header:
    vault_id: str
    created_at: str
    passphrase: PassphraseSlot
    recovery: RecoverySlot
    mac: bytes = b""

    # --- building --------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        database_key: bytes,
        passphrase: str,
        recovery_seed: bytes,
        kdf: crypto.KdfParams,
    ) -> Header:
        vault_id = str(uuid.uuid4())
        created = datetime.now(UTC).isoformat(timespec="seconds")
        draft = cls(
            vault_id=vault_id,
            created_at=created,
            passphrase=_passphrase_slot(vault_id, database_key, passphrase, kdf),
            recovery=_recovery_slot(
                vault_id, database_key, crypto.recovery_public_bytes(recovery_seed)
            ),
        )
        return draft.sealed(database_key)

    def with_passphrase(
        self, *, database_key: bytes, passphrase: str, kdf: crypto.KdfParams
    ) -> Header:
        slot = _passphrase_slot(self.vault_id, database_key, passphrase, kdf)
        return replace(self, passphrase=slot).sealed(database_key)

    def rewrapped(self, *, new_key: bytes, passphrase: str) -> Header:
        """The header for a re-keyed database: both slots wrap `new_key`."""
        return replace(
            self,
            passphrase=_passphrase_slot(self.vault_id, new_key, passphrase, self.passphrase.kdf),
            recovery=_recovery_slot(self.vault_id, new_key, self.recovery.public),
        ).sealed(new_key)

    def sealed(self, database_key: bytes) -> Header:
        return replace(self, mac=crypto.header_mac(database_key, self._body_bytes()))

    # --- unwrapping --------------------------------------------------------

    def unwrap_with_passphrase(self, passphrase: str, path: Path) -> bytes:
        slot = self.passphrase
        kek = crypto.derive_passphrase_key(passphrase, slot.salt, slot.kdf)
        try:
            return crypto.open_sealed(kek, slot.nonce, slot.ciphertext, self._aad("passphrase"))
        except crypto.UnwrapError:
            raise WrongPassphraseError(
                f"The passphrase does not open the vault {path}. Check it and try again, "
                "or use the recovery key.",
                path=path,
            ) from None

    def unwrap_with_recovery_key(self, recovery_key: str, path: Path) -> bytes:
        try:
            seed = crypto.parse_recovery_key(recovery_key)
        except crypto.RecoveryKeyFormatError as exc:
            raise WrongRecoveryKeyError(f"{exc} (vault {path})", path=path) from None
        slot = self.recovery
        try:
            return crypto.unwrap_with_seed(
                seed,
                epk=slot.epk,
                nonce=slot.nonce,
                ciphertext=slot.ciphertext,
                aad=self._aad("recovery"),
            )
        except crypto.UnwrapError:
            raise WrongRecoveryKeyError(
                f"That recovery key belongs to another vault, not {path}.", path=path
            ) from None

    def check_mac(self, database_key: bytes, path: Path) -> None:
        expected = crypto.header_mac(database_key, self._body_bytes())
        if not secrets.compare_digest(expected, self.mac):
            raise CorruptVaultError(
                f"The header file {path} was edited or belongs to another copy of the vault. "
                "Restore it from a backup; the database was not touched.",
                path=path,
            )

    # --- serialising -------------------------------------------------------

    def _aad(self, slot: str) -> bytes:
        return f"{FORMAT}/{VERSION}/{self.vault_id}/{slot}".encode()

    def _body(self) -> dict[str, Any]:
        p, r = self.passphrase, self.recovery
        return {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "passphrase": {
                "kdf": "argon2id",
                "time_cost": p.kdf.time_cost,
                "memory_kib": p.kdf.memory_kib,
                "parallelism": p.kdf.parallelism,
                "salt": _b64(p.salt),
                "nonce": _b64(p.nonce),
                "ct": _b64(p.ciphertext),
            },
            "recovery": {
                "scheme": "x25519-hkdf-aes256gcm",
                "public": _b64(r.public),
                "epk": _b64(r.epk),
                "nonce": _b64(r.nonce),
                "ct": _b64(r.ciphertext),
            },
        }

    def _body_bytes(self) -> bytes:
        return json.dumps(self._body(), sort_keys=True, separators=(",", ":")).encode()

    def to_bytes(self) -> bytes:
        return (json.dumps({**self._body(), "mac": _b64(self.mac)}, indent=2) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes, path: Path) -> Header:
        try:
            doc = json.loads(data.decode("utf-8"))
            if doc.get("format") != FORMAT:
                raise ValueError("not a Strongroom header")
            if doc.get("version") != VERSION:
                raise _TooNew(doc.get("version"))
            p, r = doc["passphrase"], doc["recovery"]
            if p["kdf"] != "argon2id":
                raise ValueError("unknown kdf")
            return cls(
                vault_id=str(uuid.UUID(doc["vault_id"])),
                created_at=str(doc["created_at"])[:64],
                passphrase=PassphraseSlot(
                    kdf=crypto.bounded_kdf(p),
                    salt=_unb64(p["salt"], _SALT_SIZES),
                    nonce=_unb64(p["nonce"], _NONCE),
                    ciphertext=_unb64(p["ct"], _WRAPPED),
                ),
                recovery=RecoverySlot(
                    public=_unb64(r["public"], _X25519),
                    epk=_unb64(r["epk"], _X25519),
                    nonce=_unb64(r["nonce"], _NONCE),
                    ciphertext=_unb64(r["ct"], _WRAPPED),
                ),
                mac=_unb64(doc["mac"], _MAC),
            )
        except crypto.KdfBoundsError:
            raise CorruptVaultError(
                f"The header file {path} asks for key-derivation costs that Strongroom never "
                "writes (it was edited or is not a Strongroom header), so it was not used. "
                "Restore it from a backup; the database was not touched.",
                path=path,
            ) from None
        except _TooNew as exc:
            raise CorruptVaultError(
                f"The header file {path} has format version {exc.args[0]}, which this "
                "Strongroom does not know. Update Strongroom to open it.",
                path=path,
            ) from None
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
            raise CorruptVaultError(
                f"The header file {path} is damaged or is not a Strongroom header. "
                "Restore it from a backup; the database was not touched.",
                path=path,
            ) from None


class _TooNew(Exception):
    pass


def _passphrase_slot(
    vault_id: str, database_key: bytes, passphrase: str, kdf: crypto.KdfParams
) -> PassphraseSlot:
    salt = secrets.token_bytes(16)
    kek = crypto.derive_passphrase_key(passphrase, salt, kdf)
    aad = f"{FORMAT}/{VERSION}/{vault_id}/passphrase".encode()
    nonce, ciphertext = crypto.seal(kek, database_key, aad)
    return PassphraseSlot(kdf=kdf, salt=salt, nonce=nonce, ciphertext=ciphertext)


def _recovery_slot(vault_id: str, database_key: bytes, public: bytes) -> RecoverySlot:
    aad = f"{FORMAT}/{VERSION}/{vault_id}/recovery".encode()
    wrapped = crypto.wrap_to_public(public, database_key, aad)
    return RecoverySlot(
        public=public, epk=wrapped["epk"], nonce=wrapped["nonce"], ciphertext=wrapped["ct"]
    )


def read_header(path: Path) -> Header:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_HEADER_BYTES + 1)
    except FileNotFoundError:
        raise VaultNotFoundError(
            f"The header file {path} is missing. It holds the wrapped keys; restore it "
            "from a backup (the database alone cannot be opened without it).",
            path=path,
        ) from None
    except OSError as exc:
        raise CorruptVaultError(f"The header file {path} cannot be read: {exc.strerror}.") from None
    if len(data) > MAX_HEADER_BYTES:
        raise CorruptVaultError(
            f"The header file {path} is far larger than a Strongroom header; it was not read. "
            "Restore it from a backup; the database was not touched.",
            path=path,
        )
    return Header.from_bytes(data, path)


def write_header(path: Path, header: Header) -> None:
    write_atomic(path, header.to_bytes())
