"""A disposition of a name hit, signed like an approval decision: EIP-712 typed data
over the hit's content, the verdict, the reason and the time, with the officer's
secp256k1 key (eth-account), so anyone can check offline who decided what."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak

from app.approvals.signing import verifies

DOMAIN: dict[str, Any] = {"name": "Strongroom Name Screening", "version": "1"}
#: what a disposition signs, in this order; every value is text
FIELDS = (
    "hit",
    "customer",
    "source",
    "entry",
    "entryDigest",
    "nameDigest",
    "listedName",
    "score",
    "verdict",
    "reason",
    "decidedAt",
)
TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"}],
    "NameDisposition": [{"name": f, "type": "string"} for f in FIELDS],
}


def typed_data(message: Mapping[str, str]) -> dict[str, Any]:
    """The full EIP-712 document, as any EIP-712 tool takes it."""
    return {
        "domain": dict(DOMAIN),
        "types": {k: [dict(f) for f in v] for k, v in TYPES.items()},
        "primaryType": "NameDisposition",
        "message": {f: str(message[f]) for f in FIELDS},
    }


def digest(message: Mapping[str, str]) -> bytes:
    signable = encode_typed_data(full_message=typed_data(message))
    return bytes(keccak(b"\x19" + signable.version + signable.header + signable.body))


def sign(private_key: bytes, message: Mapping[str, str]) -> tuple[bytes, bytes]:
    """(typed-data digest, signature r || s || v)."""
    signed = Account.sign_typed_data(private_key, full_message=typed_data(message))
    return digest(message), bytes(signed.signature)


def check(message: Mapping[str, str], signature: bytes, signer: str) -> bool:
    return verifies(digest(message), signature, signer)
