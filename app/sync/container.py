"""The one file format every sync file uses: a header in clear, a sealed body, a signature.

    MAGIC (8 bytes: "SRSYNC", NUL, format 1)
    u32 big-endian length | header: canonical JSON, which the target can read
    u32 big-endian length | body: AES-256-GCM under the desk key, header as associated data
    signature (64 bytes): the writing device's Ed25519 signature over all of the above

The header holds only what a reader needs before opening the body (desk,
device, number, key id, nonce) and nothing personal. Lengths are explicit, so
a file cut short, or with bytes added, is told apart from a forged one. A
file's digest (SHA-256 over all its bytes) is what the next file of the same
device names as its predecessor.

`unpack` checks the shape only; signature, desk and key checks belong to the
callers (`segments`, `announce`), which know which device should have signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import struct
from collections.abc import Mapping
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.sync.keys import SIGNATURE_BYTES, DeskKey, DeviceKeys
from vault import bounded_json
from vault.crypto import NONCE_BYTES

MAGIC = b"SRSYNC\x00\x01"
FORMAT = 1
MAX_HEADER = 4096
#: no sync file is larger: a bigger one is refused before it is read into memory
MAX_FILE = 256 * 1024 * 1024
_LEN = struct.Struct(">I")
#: the smallest possible file: magic, two lengths, a GCM tag, a signature
MIN_FILE = len(MAGIC) + 2 * _LEN.size + 16 + SIGNATURE_BYTES
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Unpacked(NamedTuple):
    header: dict[str, Any]
    header_bytes: bytes
    body: bytes  # still sealed
    signed: bytes  # everything the signature covers
    signature: bytes


class Broken(NamedTuple):
    """Why a file is not even a well-formed sync file."""

    truncated: bool  # cut short (as opposed to malformed)
    detail: str


def canonical(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack(header: Mapping[str, Any], body: Any, *, key: DeskKey, device: DeviceKeys) -> bytes:
    """A sealed, signed file; `header` gains the format, the key id and a fresh nonce."""
    # A fresh random 96-bit nonce per file: with one key shared by every device,
    # counters could collide; 2**32 files per key keeps the collision risk negligible.
    nonce = secrets.token_bytes(NONCE_BYTES)
    header_bytes = canonical({**header, "v": FORMAT, "key": key.key_id, "nonce": _b64(nonce)})
    if len(header_bytes) > MAX_HEADER:
        raise ValueError("a sync file's header is at most 4 KiB")
    sealed = AESGCM(key.key).encrypt(nonce, canonical(body), MAGIC + header_bytes)
    signed = b"".join(
        (MAGIC, _LEN.pack(len(header_bytes)), header_bytes, _LEN.pack(len(sealed)), sealed)
    )
    return signed + device.sign(signed)


def unpack(data: bytes) -> Unpacked | Broken:
    if len(data) > MAX_FILE:
        return Broken(False, f"larger than {MAX_FILE // (1024 * 1024)} MiB")
    if not data.startswith(MAGIC[: len(data)]) or len(data) < len(MAGIC):
        if MAGIC.startswith(data):
            return Broken(True, "cut short before its first bytes")
        return Broken(False, "not a Strongroom sync file")
    at = len(MAGIC)
    header_len = _read_len(data, at)
    if header_len is None:
        return Broken(True, "cut short in its header")
    if header_len > MAX_HEADER:
        return Broken(False, "its header is too long")
    at += _LEN.size
    header_bytes = data[at : at + header_len]
    at += header_len
    body_len = _read_len(data, at)
    if len(header_bytes) < header_len or body_len is None:
        return Broken(True, "cut short in its header")
    at += _LEN.size
    end = at + body_len
    if len(data) < end + SIGNATURE_BYTES:
        return Broken(True, f"cut short: {len(data)} of {end + SIGNATURE_BYTES} bytes")
    if len(data) > end + SIGNATURE_BYTES:
        return Broken(False, "has bytes after its signature")
    try:
        header = bounded_json.loads(header_bytes)
    except ValueError:
        return Broken(False, "its header is not readable")
    if not isinstance(header, dict):
        return Broken(False, "its header is not readable")
    return Unpacked(header, header_bytes, data[at:end], data[:end], data[end:])


def open_body(unpacked: Unpacked, key: DeskKey) -> Any:
    """The body, decrypted and parsed; ValueError if the key does not open it."""
    try:
        nonce = base64.b64decode(str(unpacked.header.get("nonce", "")), validate=True)
        plain = AESGCM(key.key).decrypt(nonce, unpacked.body, MAGIC + unpacked.header_bytes)
        return bounded_json.loads(plain)
    except (InvalidTag, binascii.Error, ValueError):
        raise ValueError("the desk key does not open it") from None


def field(header: Mapping[str, Any], name: str, kind: type) -> Any:
    """`header[name]` when it has the type `kind`, else None (bools are not ints)."""
    value = header.get(name)
    if isinstance(value, bool) and kind is not bool:
        return None
    return value if isinstance(value, kind) else None


def _read_len(data: bytes, at: int) -> int | None:
    if len(data) < at + _LEN.size:
        return None
    return int(_LEN.unpack_from(data, at)[0])


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
