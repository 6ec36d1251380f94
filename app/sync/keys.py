"""Desk keys and device keys: plain values and pure functions (no vault, no disk).

The rules:

- A desk has an id (16 random bytes, base32) and a desk key (32 random bytes,
  AES-256-GCM) that seals everything it puts on a target. A key is named by
  its `key_id`, a digest of the key, so every file says which key sealed it:
  after a rotation a reader picks the right one, and a file sealed with a key
  it does not hold yet waits instead of failing.
- A device has two key pairs: Ed25519 to sign every file it writes, X25519 to
  receive a new desk key. Its id is a digest of its Ed25519 public key, so no
  file can claim a device id without holding that device's key.
- A new desk key (after a device or member is removed) reaches each remaining
  device sealed to that device's X25519 key (`vault.crypto.wrap_to_public`,
  ECIES), bound to the desk, the device and the key id as associated data; the
  removed device cannot open it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from vault.crypto import KEY_BYTES, UnwrapError, hkdf, unwrap_with_private, wrap_to_public

SIGNATURE_BYTES = 64
_WRAP_INFO = b"strongroom desk key wrap"


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def new_desk_id() -> str:
    return _b32(secrets.token_bytes(16))


@dataclass(frozen=True)
class DeskKey:
    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise ValueError("a desk key is 32 bytes")

    @property
    def key_id(self) -> str:
        return key_id_of(self.key)

    def __repr__(self) -> str:  # never print the key itself
        return f"DeskKey({self.key_id})"


def new_desk_key() -> DeskKey:
    return DeskKey(secrets.token_bytes(KEY_BYTES))


def key_id_of(key: bytes) -> str:
    """16 hex digits naming a desk key, from which the key cannot be learnt."""
    return hkdf(key, info=b"strongroom desk key id")[:8].hex()


def device_id_of(signing_public: bytes) -> str:
    """A device's id: 16 base32 letters and digits from its Ed25519 public key."""
    return _b32(hashlib.sha256(b"strongroom device\x00" + signing_public).digest()[:10])


@dataclass(frozen=True)
class DevicePublic:
    """What other devices know of a device."""

    device: str
    signing: bytes  # Ed25519 public key, 32 bytes
    agreement: bytes  # X25519 public key, 32 bytes


@dataclass(frozen=True, repr=False)
class DeviceKeys:
    """A device's private keys; kept in the vault, never on a target."""

    signing: Ed25519PrivateKey
    agreement: X25519PrivateKey

    @property
    def public(self) -> DevicePublic:
        signing = self.signing.public_key().public_bytes_raw()
        return DevicePublic(
            device=device_id_of(signing),
            signing=signing,
            agreement=self.agreement.public_key().public_bytes_raw(),
        )

    @property
    def device(self) -> str:
        return self.public.device

    def secret_bytes(self) -> bytes:
        """64 bytes to keep sealed in the vault: the two private keys."""
        return self.signing.private_bytes_raw() + self.agreement.private_bytes_raw()

    @classmethod
    def from_secret_bytes(cls, raw: bytes) -> DeviceKeys:
        if len(raw) != 2 * KEY_BYTES:
            raise ValueError("device keys are 64 bytes")
        return cls(
            Ed25519PrivateKey.from_private_bytes(raw[:KEY_BYTES]),
            X25519PrivateKey.from_private_bytes(raw[KEY_BYTES:]),
        )

    def sign(self, data: bytes) -> bytes:
        return self.signing.sign(data)

    def __repr__(self) -> str:
        return f"DeviceKeys({self.device})"


def new_device_keys() -> DeviceKeys:
    return DeviceKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


def signature_valid(signing_public: bytes, data: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(signing_public).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def _wrap_aad(desk: str, device: str, key_id: str) -> bytes:
    return f"strongroom desk key\x00{desk}\x00{device}\x00{key_id}".encode()


def wrap_desk_key(key: DeskKey, *, desk: str, to: DevicePublic) -> dict[str, str]:
    """`key` sealed to one device, as JSON-ready text (for a signed rotation event)."""
    sealed = wrap_to_public(
        to.agreement, key.key, _wrap_aad(desk, to.device, key.key_id), info=_WRAP_INFO
    )
    out = {name: base64.b64encode(value).decode("ascii") for name, value in sealed.items()}
    return {**out, "device": to.device, "key": key.key_id}


def unwrap_desk_key(wrapped: dict[str, str], *, desk: str, keys: DeviceKeys) -> DeskKey:
    """The desk key sealed to this device; ValueError when it is not for this
    device or desk, was altered, or is not the key its id names."""
    try:
        raw = unwrap_with_private(
            keys.agreement,
            epk=base64.b64decode(wrapped["epk"], validate=True),
            nonce=base64.b64decode(wrapped["nonce"], validate=True),
            ciphertext=base64.b64decode(wrapped["ct"], validate=True),
            aad=_wrap_aad(desk, keys.device, wrapped["key"]),
            info=_WRAP_INFO,
        )
    except (KeyError, ValueError, UnwrapError):
        raise ValueError("this desk key was not sealed to this device, or was altered") from None
    key = DeskKey(raw)
    if key.key_id != wrapped["key"]:
        raise ValueError("this desk key is not the key it claims to be")
    return key
