"""A disposition of a name hit, signed like an approval decision: EIP-712 typed data
over the hit's content, the verdict, the reason and the time, with the officer's
secp256k1 key (eth-account), so anyone can check offline who decided what."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.typed_message import TypedMessage

DISPOSITION = TypedMessage(
    domain="Strongroom Name Screening",
    primary="NameDisposition",
    fields=(
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
    ),
)
DOMAIN = DISPOSITION.domain
FIELDS = DISPOSITION.fields
TYPES = DISPOSITION.types


def typed_data(message: Mapping[str, str]) -> dict[str, Any]:
    return DISPOSITION.typed_data(message)


def digest(message: Mapping[str, str]) -> bytes:
    return DISPOSITION.digest(message)


def sign(private_key: bytes, message: Mapping[str, str]) -> tuple[bytes, bytes]:
    """(typed-data digest, signature r || s || v)."""
    return DISPOSITION.sign(private_key, message)


def check(message: Mapping[str, str], signature: bytes, signer: str) -> bool:
    return DISPOSITION.check(message, signature, signer)
