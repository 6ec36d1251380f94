"""A flat EIP-712 message of text fields, signed with a member's secp256k1 key
(eth-account): what name dispositions and reviews sign, so anyone can check offline,
with any EIP-712 tool, who decided what."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak

from app.approvals.signing import verifies


class TypedMessage:
    """One kind of message: its domain name, type name and fields (all text, in order)."""

    def __init__(self, *, domain: str, primary: str, fields: tuple[str, ...]) -> None:
        self.domain: dict[str, Any] = {"name": domain, "version": "1"}
        self.primary = primary
        self.fields = fields
        self.types: dict[str, list[dict[str, str]]] = {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
            ],
            primary: [{"name": f, "type": "string"} for f in fields],
        }

    def typed_data(self, message: Mapping[str, str]) -> dict[str, Any]:
        """The full EIP-712 document, as any EIP-712 tool takes it."""
        return {
            "domain": dict(self.domain),
            "types": {k: [dict(f) for f in v] for k, v in self.types.items()},
            "primaryType": self.primary,
            "message": {f: str(message[f]) for f in self.fields},
        }

    def digest(self, message: Mapping[str, str]) -> bytes:
        signable = encode_typed_data(full_message=self.typed_data(message))
        return bytes(keccak(b"\x19" + signable.version + signable.header + signable.body))

    def sign(self, private_key: bytes, message: Mapping[str, str]) -> tuple[bytes, bytes]:
        """(typed-data digest, signature r || s || v)."""
        signed = Account.sign_typed_data(private_key, full_message=self.typed_data(message))
        return self.digest(message), bytes(signed.signature)

    def check(self, message: Mapping[str, str], signature: bytes, signer: str) -> bool:
        return verifies(self.digest(message), signature, signer)
