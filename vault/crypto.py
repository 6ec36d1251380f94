"""Key wrapping: the database key under a passphrase and under a recovery key.

The database key (32 random bytes) is wrapped with AES-256-GCM twice:

* under a key derived with Argon2id from the passphrase;
* to an X25519 public key whose private half is derived from the printable
  recovery key. Wrapping needs only the public half, so re-keying the
  database can re-wrap the new key for the recovery slot without asking for
  the recovery key, and the user's printed recovery key stays valid.

Nothing here touches the disk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
RECOVERY_SEED_BYTES = 20
RECOVERY_CHECK_BYTES = 2
# Crockford's alphabet: no I, L, O, U, so a printed key cannot be misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RFC4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_CROCKFORD = str.maketrans(_RFC4648, _ALPHABET)
_FROM_CROCKFORD = str.maketrans(_ALPHABET, _RFC4648)
_READ_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


class UnwrapError(Exception):
    """The wrapping key was wrong or the wrapped blob was altered."""


class RecoveryKeyFormatError(ValueError):
    """The text is not a well-formed recovery key (typo, missing group)."""


class KdfBoundsError(ValueError):
    """A file asks for Argon2id costs no Strongroom writes (minutes of work, gigabytes)."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The defaults are RFC 9106's second recommended option."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4


#: What a file (a vault header, a backup, an invitation) may ask of Argon2id: enough
#: for any sane setting, never minutes of work or gigabytes. These costs are read
#: before any MAC can be checked, so they are bounded before use.
KDF_BOUNDS = {"time_cost": (1, 16), "memory_kib": (8, 1024 * 1024), "parallelism": (1, 16)}


def bounded_kdf(values: Mapping[str, Any]) -> KdfParams:
    """The KDF costs named in `values`, each checked against `KDF_BOUNDS`.

    KeyError if one is missing; KdfBoundsError if one is not an integer in bounds."""
    checked: dict[str, int] = {}
    for name, (low, high) in KDF_BOUNDS.items():
        value = values[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise KdfBoundsError(f"{name} is out of bounds")
        checked[name] = value
    # Argon2 itself refuses less than 8 KiB of memory per lane.
    if checked["memory_kib"] < 8 * checked["parallelism"]:
        raise KdfBoundsError("memory_kib is too small for its parallelism")
    return KdfParams(**checked)


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def derive_passphrase_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return bytes(
        hash_secret_raw(
            secret=passphrase.encode("utf-8"),
            salt=salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )
    )


def seal(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM; returns (nonce, ciphertext with tag)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise UnwrapError from None


def hkdf(secret: bytes, *, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(secret)


# --- recovery key -----------------------------------------------------------


def new_recovery_seed() -> bytes:
    return secrets.token_bytes(RECOVERY_SEED_BYTES)


def format_checked(raw: bytes) -> str:
    """Printable form of `raw` with a checksum: Crockford base32 in groups of four."""
    check = hashlib.sha256(raw).digest()[:RECOVERY_CHECK_BYTES]
    text = base64.b32encode(raw + check).decode("ascii").rstrip("=").translate(_TO_CROCKFORD)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_checked(text: str, *, size: int) -> bytes | int | None:
    """The `size` bytes a typed `format_checked` text stands for; tolerant of case,
    spaces, dashes and look-alike letters. Otherwise the number of letters and
    digits it should have (some missing or extra), or None (a typing mistake)."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_READ_ALIASES)
    expected = len(format_checked(bytes(size)).replace("-", ""))
    if len(cleaned) != expected or any(ch not in _ALPHABET for ch in cleaned):
        return expected
    padded = cleaned.translate(_FROM_CROCKFORD)
    padded += "=" * (-len(padded) % 8)
    raw = base64.b32decode(padded)
    body, check = raw[:size], raw[size:]
    if not hmac.compare_digest(hashlib.sha256(body).digest()[:RECOVERY_CHECK_BYTES], check):
        return None
    return body


def format_recovery_key(seed: bytes) -> str:
    """Printable form: 36 characters in groups of four, with a checksum."""
    return format_checked(seed)


def parse_recovery_key(text: str) -> bytes:
    """The seed from a typed recovery key; tolerant of case, spaces and dashes."""
    seed = parse_checked(text, size=RECOVERY_SEED_BYTES)
    if isinstance(seed, int):
        raise RecoveryKeyFormatError(
            f"A recovery key has {seed} letters and digits in groups of four; "
            "check that none is missing."
        )
    if seed is None:
        raise RecoveryKeyFormatError(
            "That recovery key contains a typing mistake (its checksum does not match)."
        )
    return seed


def recovery_private_key(seed: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(hkdf(seed, info=b"strongroom recovery x25519"))


def recovery_public_bytes(seed: bytes) -> bytes:
    return recovery_private_key(seed).public_key().public_bytes_raw()


_RECOVERY_WRAP = b"strongroom recovery wrap"


def wrap_to_public(
    public: bytes, plaintext: bytes, aad: bytes, *, info: bytes = _RECOVERY_WRAP
) -> dict[str, bytes]:
    """ECIES: an ephemeral X25519 exchange, HKDF, then AES-256-GCM.

    `info` keeps each use apart (the recovery slot, a desk key sent to a device)."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    epk = ephemeral.public_key().public_bytes_raw()
    kek = hkdf(shared, info=info, salt=epk + public)
    nonce, ciphertext = seal(kek, plaintext, aad)
    return {"epk": epk, "nonce": nonce, "ct": ciphertext}


def unwrap_with_private(
    private: X25519PrivateKey,
    *,
    epk: bytes,
    nonce: bytes,
    ciphertext: bytes,
    aad: bytes,
    info: bytes = _RECOVERY_WRAP,
) -> bytes:
    """Opens what `wrap_to_public` sealed to `private`'s public half; UnwrapError if not."""
    public = private.public_key().public_bytes_raw()
    shared = private.exchange(X25519PublicKey.from_public_bytes(epk))
    kek = hkdf(shared, info=info, salt=epk + public)
    return open_sealed(kek, nonce, ciphertext, aad)


def unwrap_with_seed(
    seed: bytes, *, epk: bytes, nonce: bytes, ciphertext: bytes, aad: bytes
) -> bytes:
    return unwrap_with_private(
        recovery_private_key(seed), epk=epk, nonce=nonce, ciphertext=ciphertext, aad=aad
    )


def header_mac(database_key: bytes, body: bytes) -> bytes:
    """Binds the header to the database key, so an edited header is detected."""
    return hmac.new(hkdf(database_key, info=b"strongroom header mac"), body, "sha256").digest()
