"""Signed decisions and role grants: EIP-712 typed data, secp256k1 keys.

A decision signs the request's full content (every field, as text) with the
verdict, the reason and the time, so a changed amount or address no longer
verifies. Any EIP-712 tool can check one from `typed_data()` alone. Signing goes
through eth-account; verifying hashes the typed data here (the same bytes
eth-account's `encode_typed_data` produces, which the tests check) and recovers
the signer with coincurve, the fast secp256k1 backend: tens of thousands of
signatures a second instead of hundreds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import coincurve
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address

DOMAIN: dict[str, Any] = {"name": "Strongroom Approvals", "version": "1"}

#: the request's signed content, in this order; every value is text ("" when absent)
REQUEST_FIELDS = (
    "id",
    "kind",
    "customer",
    "asset",
    "amount",
    "chain",
    "address",
    "limit",
    "justification",
    "createdAt",
    "createdBy",
)
DECISION_FIELDS = ("request", "verdict", "reason", "decidedAt")
GRANT_FIELDS = ("member", "name", "role", "grantedAt")
REVOKE_FIELDS = ("member", "name", "role", "revokedAt")

TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"}],
    "Request": [{"name": f, "type": "string"} for f in REQUEST_FIELDS],
    "Decision": [
        {"name": "request", "type": "Request"},
        {"name": "verdict", "type": "string"},
        {"name": "reason", "type": "string"},
        {"name": "decidedAt", "type": "string"},
    ],
    "RoleGrant": [
        {"name": "member", "type": "address"},
        {"name": "name", "type": "string"},
        {"name": "role", "type": "string"},
        {"name": "grantedAt", "type": "string"},
    ],
    "RoleRevoke": [
        {"name": "member", "type": "address"},
        {"name": "name", "type": "string"},
        {"name": "role", "type": "string"},
        {"name": "revokedAt", "type": "string"},
    ],
}

_REQUEST_TYPE = "Request(" + ",".join(f"string {f}" for f in REQUEST_FIELDS) + ")"
_DECISION_TYPEHASH = keccak(
    b"Decision(Request request,string verdict,string reason,string decidedAt)"
    + _REQUEST_TYPE.encode()
)
_REQUEST_TYPEHASH = keccak(_REQUEST_TYPE.encode())
_GRANT_TYPEHASH = keccak(b"RoleGrant(address member,string name,string role,string grantedAt)")
_REVOKE_TYPEHASH = keccak(b"RoleRevoke(address member,string name,string role,string revokedAt)")
_DOMAIN_SEPARATOR = keccak(
    keccak(b"EIP712Domain(string name,string version)")
    + keccak(DOMAIN["name"].encode())
    + keccak(DOMAIN["version"].encode())
)
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class SignatureError(ValueError):
    """A signature that cannot be parsed (wrong length, bad recovery id)."""


def decision_message(
    content: Mapping[str, str], verdict: str, reason: str, decided_at: str
) -> dict[str, Any]:
    return {
        "request": {f: str(content.get(f, "")) for f in REQUEST_FIELDS},
        "verdict": verdict,
        "reason": reason,
        "decidedAt": decided_at,
    }


def grant_message(member: str, name: str, role: str, granted_at: str) -> dict[str, Any]:
    values = (to_checksum_address(member), name, role, granted_at)
    return dict(zip(GRANT_FIELDS, values, strict=True))


def revoke_message(member: str, name: str, role: str, revoked_at: str) -> dict[str, Any]:
    """A role taken back (EIP-712 RoleRevoke), signed by an admin like a grant."""
    values = (to_checksum_address(member), name, role, revoked_at)
    return dict(zip(REVOKE_FIELDS, values, strict=True))


def typed_data(primary_type: str, message: Mapping[str, Any]) -> dict[str, Any]:
    """The full EIP-712 document (what eth_signTypedData_v4 and eth-account take)."""
    wanted = ["EIP712Domain", primary_type] + (["Request"] if primary_type == "Decision" else [])
    return {
        "domain": dict(DOMAIN),
        "types": {name: [dict(f) for f in TYPES[name]] for name in wanted},
        "primaryType": primary_type,
        "message": dict(message),
    }


def _s(text: str) -> bytes:
    return keccak(text.encode("utf-8"))


def decision_digest(
    content: Mapping[str, str], verdict: str, reason: str, decided_at: str
) -> bytes:
    """The EIP-712 digest of a decision, hashed here for speed (equal to eth-account's)."""
    get = content.get
    request_hash = keccak(_REQUEST_TYPEHASH + b"".join(_s(str(get(f, ""))) for f in REQUEST_FIELDS))
    struct = keccak(_DECISION_TYPEHASH + request_hash + _s(verdict) + _s(reason) + _s(decided_at))
    return keccak(b"\x19\x01" + _DOMAIN_SEPARATOR + struct)


def grant_digest(member: str, name: str, role: str, granted_at: str) -> bytes:
    return _role_digest(_GRANT_TYPEHASH, member, name, role, granted_at)


def revoke_digest(member: str, name: str, role: str, revoked_at: str) -> bytes:
    return _role_digest(_REVOKE_TYPEHASH, member, name, role, revoked_at)


def _role_digest(typehash: bytes, member: str, name: str, role: str, at: str) -> bytes:
    addr = bytes.fromhex(member.removeprefix("0x")).rjust(32, b"\0")
    struct = keccak(typehash + addr + _s(name) + _s(role) + _s(at))
    return keccak(b"\x19\x01" + _DOMAIN_SEPARATOR + struct)


def new_private_key() -> bytes:
    return bytes(Account.create().key)


def address_of(private_key: bytes) -> str:
    return str(Account.from_key(private_key).address)


def sign(private_key: bytes, primary_type: str, message: Mapping[str, Any]) -> bytes:
    """Sign typed data with eth-account; returns r || s || v (65 bytes, v 27/28)."""
    signed = Account.sign_typed_data(private_key, full_message=typed_data(primary_type, message))
    return bytes(signed.signature)


def recover(digest: bytes, signature: bytes) -> str:
    """The checksummed address that signed `digest`; SignatureError if it cannot be read."""
    if len(signature) != 65:
        raise SignatureError("a signature is 65 bytes")
    v = signature[64]
    recid = v - 27 if v >= 27 else v
    s = int.from_bytes(signature[32:64], "big")
    if recid not in (0, 1) or not 0 < s <= _SECP256K1_N // 2:
        raise SignatureError("not a canonical secp256k1 signature")
    try:
        key = coincurve.PublicKey.from_signature_and_message(
            signature[:64] + bytes([recid]), digest, hasher=None
        )
    except (ValueError, TypeError):
        raise SignatureError("the signature does not recover a key") from None
    raw = keccak(key.format(compressed=False)[1:])[-20:]
    return to_checksum_address(raw)


def verifies(digest: bytes, signature: bytes, signer: str) -> bool:
    try:
        return recover(digest, signature) == to_checksum_address(signer)
    except SignatureError:
        return False


def eth_account_digest(primary_type: str, message: Mapping[str, Any]) -> bytes:
    """eth-account's own digest of the typed data (slow; for checks and tests)."""
    signable = encode_typed_data(full_message=typed_data(primary_type, message))
    return keccak(b"\x19" + signable.version + signable.header + signable.body)
