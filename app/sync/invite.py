"""Invitations: the file an admin hands a new member, opened with a one-time code.

An invitation carries all a joining device needs, so it needs nothing else:
the desk (id and name), every desk key so far, the target and its credentials,
the member's name and roles, who invited them and the admin's signed grant
(opaque here), when it expires (72 hours by default) and a single-use id.

The file is JSON:

    {"format": "strongroom-invitation", "v": 1, "id": ..., "expires_at": ...,
     "kdf": {"name": "argon2id", "salt": ..., "time_cost": 3, "memory_kib": 65536,
             "parallelism": 4},
     "nonce": ..., "sealed": ...}

`sealed` is the content, AES-256-GCM under a key derived from the code with
Argon2id (RFC 9106's second recommended setting: 3 passes, 64 MiB, 4 lanes,
a 16-byte random salt); everything else in the file is its associated data,
so changing the id, the expiry or the KDF settings makes the code fail.

The code is 10 random bytes (80 bits) with a 2-byte checksum, written as 20
letters and digits in groups of four (Crockford's alphabet, no I/L/O/U), so a
code read out over the phone can be typed back, and a typing mistake is
told apart from a wrong code. With Argon2id at 64 MiB per guess, 80 bits
cannot be searched even by someone holding the file.

The rules of `open_invitation`: a file that is not an invitation, a code with
a typing mistake, a code that does not open it (or a file changed on the way,
which looks the same), an expired invitation, and one already used are each
refused with a message that says what to do. KDF settings out of bounds are
refused before any work, so a crafted file cannot make a joining machine
spend minutes or gigabytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.sync.container import canonical
from app.sync.keys import DeskKey
from vault import bounded_json
from vault.crypto import (
    NONCE_BYTES,
    KdfBoundsError,
    KdfParams,
    bounded_kdf,
    derive_passphrase_key,
    format_checked,
    parse_checked,
)

FORMAT = "strongroom-invitation"
VERSION = 1
VALID_FOR = timedelta(hours=72)
CODE_BYTES = 10
SALT_BYTES = 16


class InvitationError(ValueError):
    """The invitation cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Invitation:
    id: str
    desk: str
    desk_name: str
    keys: tuple[DeskKey, ...]  # every desk key so far, the current one last
    target: str  # e.g. "webdav:https://desk@dav.example.org/strongroom/"
    member: str  # the new member's name
    roles: tuple[str, ...]
    expires_at: datetime
    invited_by: str  # the admin's signing address
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    grant: Mapping[str, Any] = field(default_factory=dict, repr=False)


def new_invitation(
    *,
    desk: str,
    desk_name: str,
    keys: tuple[DeskKey, ...],
    target: str,
    credentials: Mapping[str, str],
    member: str,
    roles: tuple[str, ...],
    invited_by: str,
    now: datetime,
    valid_for: timedelta = VALID_FOR,
    grant: Mapping[str, Any] | None = None,
) -> Invitation:
    if not keys:
        raise ValueError("an invitation carries at least the current desk key")
    return Invitation(
        id=secrets.token_hex(16),
        desk=desk,
        desk_name=desk_name,
        keys=keys,
        target=target,
        member=member,
        roles=roles,
        expires_at=now + valid_for,
        invited_by=invited_by,
        credentials=dict(credentials),
        grant=dict(grant or {}),
    )


def seal_invitation(invitation: Invitation, *, kdf: KdfParams | None = None) -> tuple[bytes, str]:
    """(the file's bytes, the one-time code to give the member separately)."""
    params = kdf or KdfParams()
    raw_code = secrets.token_bytes(CODE_BYTES)
    code = format_checked(raw_code)
    salt = secrets.token_bytes(SALT_BYTES)
    clear = {
        "format": FORMAT,
        "v": VERSION,
        "id": invitation.id,
        "expires_at": invitation.expires_at.isoformat(),
        "kdf": {
            "name": "argon2id",
            "salt": _b64(salt),
            "time_cost": params.time_cost,
            "memory_kib": params.memory_kib,
            "parallelism": params.parallelism,
        },
    }
    body = {
        "desk": invitation.desk,
        "desk_name": invitation.desk_name,
        "keys": [_b64(k.key) for k in invitation.keys],
        "target": invitation.target,
        "credentials": dict(invitation.credentials),
        "member": invitation.member,
        "roles": list(invitation.roles),
        "invited_by": invitation.invited_by,
        "grant": dict(invitation.grant),
    }
    nonce = secrets.token_bytes(NONCE_BYTES)
    key = _code_key(raw_code, salt, params)
    sealed = AESGCM(key).encrypt(nonce, canonical(body), canonical(clear))
    out = {**clear, "nonce": _b64(nonce), "sealed": _b64(sealed)}
    return json.dumps(out, indent=1).encode("utf-8"), code


def open_invitation(
    data: bytes, code: str, *, now: datetime, used: Collection[str] = ()
) -> Invitation:
    """The invitation, or InvitationError saying why it cannot be used.

    `used`: the ids of invitations this desk has seen used (single use)."""
    clear, nonce, sealed, params, salt = _read(data)
    raw_code = parse_checked(code, size=CODE_BYTES)
    if isinstance(raw_code, int):
        raise InvitationError(
            f"An invitation code has {raw_code} letters and digits in groups of four; "
            "check that none is missing or extra."
        )
    if raw_code is None:
        raise InvitationError(
            "The invitation code has a typing mistake (its checksum does not match); "
            "check it letter by letter with the admin."
        )
    expires_at = _when(clear["expires_at"])
    if now >= expires_at:
        raise InvitationError(
            f"This invitation expired on {expires_at:%Y-%m-%d %H:%M} UTC; "
            "ask an admin of the desk for a new one."
        )
    if clear["id"] in used:
        raise InvitationError(used_message())
    try:
        plain = AESGCM(_code_key(raw_code, salt, params)).decrypt(nonce, sealed, canonical(clear))
    except InvalidTag:
        raise InvitationError(
            "This code does not open the invitation. Check that it is the code given "
            "with this file; if it is, the file was changed on the way: ask for a new one."
        ) from None
    try:
        body = bounded_json.loads(plain)
        return Invitation(
            id=str(clear["id"]),
            desk=str(body["desk"]),
            desk_name=str(body["desk_name"]),
            keys=tuple(DeskKey(base64.b64decode(k, validate=True)) for k in body["keys"]),
            target=str(body["target"]),
            member=str(body["member"]),
            roles=tuple(str(r) for r in body["roles"]),
            expires_at=expires_at,
            invited_by=str(body["invited_by"]),
            credentials={str(k): str(v) for k, v in body["credentials"].items()},
            grant=dict(body["grant"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _not_an_invitation() from None


def used_message() -> str:
    return (
        "This invitation was used already, and each works once; "
        "ask an admin of the desk for a new one."
    )


def _read(data: bytes) -> tuple[dict[str, Any], bytes, bytes, KdfParams, bytes]:
    """The clear part, nonce, sealed content, KDF settings and salt of a file."""
    try:
        doc = bounded_json.loads(data)
        if doc.get("format") != FORMAT:
            raise _not_an_invitation()
        if not isinstance(doc.get("v"), int) or doc["v"] > VERSION:
            raise InvitationError(
                "This invitation was made by a newer Strongroom; update to open it."
            )
        kdf = doc["kdf"]
        if kdf.get("name") != "argon2id":
            raise _not_an_invitation()
        try:
            params = bounded_kdf(kdf)
        except KdfBoundsError:
            raise InvitationError(
                "This invitation asks for key-derivation settings out of bounds; "
                "it was not made by Strongroom or was changed: ask for a new one."
            ) from None
        salt = base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(doc["nonce"], validate=True)
        sealed = base64.b64decode(doc["sealed"], validate=True)
        clear = {k: doc[k] for k in ("format", "v", "id", "expires_at", "kdf")}
        _when(clear["expires_at"])
        if not isinstance(clear["id"], str) or len(nonce) != NONCE_BYTES or len(salt) < 8:
            raise _not_an_invitation()
    except InvitationError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        raise _not_an_invitation() from None
    return clear, nonce, sealed, params, salt


def _when(text: Any) -> datetime:
    when = datetime.fromisoformat(str(text))
    if when.tzinfo is None:
        raise ValueError("an invitation's expiry names its time zone")
    return when


def _code_key(raw_code: bytes, salt: bytes, params: KdfParams) -> bytes:
    # The code's bytes, in the canonical spelling, are the Argon2id secret.
    return derive_passphrase_key(raw_code.hex(), salt, params)


def _not_an_invitation() -> InvitationError:
    return InvitationError(
        "This file is not a Strongroom invitation, or it is damaged; "
        "ask the admin to send it again."
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
