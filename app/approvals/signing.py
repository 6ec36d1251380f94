"""Signed decisions and role grants: EIP-712 typed data, secp256k1 keys.

A decision signs the request's full content (every field, as text) with the
verdict, the reason and the time, so a changed amount or address no longer
verifies. Since version 2 of the typed data (domain version "2") it also signs the
valuation the tiers used: the value in the reference currency and the price, its
time and source (`VALUATION_FIELDS`). Version 1 decisions (no valuation) keep
verifying under version 1; a decision is one or the other, never both, and the
domain version is inside the signed digest, so a version 2 signature cannot be
passed off as version 1 by dropping its valuation. Any EIP-712 tool can check one
from `typed_data()` alone. Signing goes through eth-account; verifying hashes the
typed data here (the same bytes eth-account's `encode_typed_data` produces, which
the tests check) and recovers the signer with coincurve, the fast secp256k1
backend: tens of thousands of signatures a second instead of hundreds.
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
#: the domain of decisions that sign a valuation (typed data version 2)
DOMAIN_V2: dict[str, Any] = {"name": "Strongroom Approvals", "version": "2"}

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
#: the valuation a version 2 decision signs (app.prices.valuation.Valuation.signed_fields);
#: every value is text, "" when absent (no amount, or no fresh price)
VALUATION_FIELDS = ("currency", "value", "asset", "price", "priceAsOf", "priceSource", "valuedAt")
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
    "Valuation": [{"name": f, "type": "string"} for f in VALUATION_FIELDS],
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
_VALUATION_TYPE = "Valuation(" + ",".join(f"string {f}" for f in VALUATION_FIELDS) + ")"
_VALUATION_TYPEHASH = keccak(_VALUATION_TYPE.encode())
# EIP-712 encodeType: the primary type, then the types it uses sorted by name.
_DECISION_V2_TYPEHASH = keccak(
    b"Decision(Request request,Valuation valuation,string verdict,string reason,"
    b"string decidedAt)" + _REQUEST_TYPE.encode() + _VALUATION_TYPE.encode()
)
#: the Decision type of version 2 (version 1's is TYPES["Decision"])
DECISION_V2: list[dict[str, str]] = [
    {"name": "request", "type": "Request"},
    {"name": "valuation", "type": "Valuation"},
    {"name": "verdict", "type": "string"},
    {"name": "reason", "type": "string"},
    {"name": "decidedAt", "type": "string"},
]
_GRANT_TYPEHASH = keccak(b"RoleGrant(address member,string name,string role,string grantedAt)")
_REVOKE_TYPEHASH = keccak(b"RoleRevoke(address member,string name,string role,string revokedAt)")
_DOMAIN_SEPARATOR = keccak(
    keccak(b"EIP712Domain(string name,string version)")
    + keccak(DOMAIN["name"].encode())
    + keccak(DOMAIN["version"].encode())
)
_DOMAIN_V2_SEPARATOR = keccak(
    keccak(b"EIP712Domain(string name,string version)")
    + keccak(DOMAIN_V2["name"].encode())
    + keccak(DOMAIN_V2["version"].encode())
)
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class SignatureError(ValueError):
    """A signature that cannot be parsed (wrong length, bad recovery id)."""


def decision_message(
    content: Mapping[str, str],
    verdict: str,
    reason: str,
    decided_at: str,
    valuation: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The Decision message: version 2 (with `valuation`) or version 1 (without)."""
    message: dict[str, Any] = {"request": {f: str(content.get(f, "")) for f in REQUEST_FIELDS}}
    if valuation is not None:
        message["valuation"] = {f: str(valuation.get(f, "")) for f in VALUATION_FIELDS}
    message.update({"verdict": verdict, "reason": reason, "decidedAt": decided_at})
    return message


def grant_message(member: str, name: str, role: str, granted_at: str) -> dict[str, Any]:
    values = (to_checksum_address(member), name, role, granted_at)
    return dict(zip(GRANT_FIELDS, values, strict=True))


def revoke_message(member: str, name: str, role: str, revoked_at: str) -> dict[str, Any]:
    """A role taken back (EIP-712 RoleRevoke), signed by an admin like a grant."""
    values = (to_checksum_address(member), name, role, revoked_at)
    return dict(zip(REVOKE_FIELDS, values, strict=True))


def typed_data(primary_type: str, message: Mapping[str, Any]) -> dict[str, Any]:
    """The full EIP-712 document (what eth_signTypedData_v4 and eth-account take); a
    Decision message with a valuation is version 2."""
    wanted = ["EIP712Domain", primary_type] + (["Request"] if primary_type == "Decision" else [])
    v2 = primary_type == "Decision" and "valuation" in message
    types = {name: [dict(f) for f in TYPES[name]] for name in wanted}
    if v2:
        types["Decision"] = [dict(f) for f in DECISION_V2]
        types["Valuation"] = [dict(f) for f in TYPES["Valuation"]]
    return {
        "domain": dict(DOMAIN_V2 if v2 else DOMAIN),
        "types": types,
        "primaryType": primary_type,
        "message": dict(message),
    }


def _s(text: str) -> bytes:
    return keccak(text.encode("utf-8"))


def decision_digest(
    content: Mapping[str, str],
    verdict: str,
    reason: str,
    decided_at: str,
    valuation: Mapping[str, str] | None = None,
) -> bytes:
    """The EIP-712 digest of a decision, hashed here for speed (equal to eth-account's):
    version 2 with `valuation`, version 1 without."""
    get = content.get
    request_hash = keccak(_REQUEST_TYPEHASH + b"".join(_s(str(get(f, ""))) for f in REQUEST_FIELDS))
    tail = _s(verdict) + _s(reason) + _s(decided_at)
    if valuation is None:
        struct = keccak(_DECISION_TYPEHASH + request_hash + tail)
        return keccak(b"\x19\x01" + _DOMAIN_SEPARATOR + struct)
    value = valuation.get
    valuation_hash = keccak(
        _VALUATION_TYPEHASH + b"".join(_s(str(value(f, ""))) for f in VALUATION_FIELDS)
    )
    struct = keccak(_DECISION_V2_TYPEHASH + request_hash + valuation_hash + tail)
    return keccak(b"\x19\x01" + _DOMAIN_V2_SEPARATOR + struct)


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
