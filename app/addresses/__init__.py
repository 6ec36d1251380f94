"""Wallet addresses: validation and the canonical stored form, per chain.

Pure domain code (no Qt, SQL or HTTP); safe to call from any thread.

    normalize("ethereum", "0x5aaeb6...")  -> "0x5aAeb6..."  (EIP-55)
    normalize("bitcoin", "BC1Q...")       -> "bc1q..."
    normalize("tron", "41a614...")        -> "TR7NH..."

Every rejection is an `AddressError` (a ValueError) whose `.reason` says
what is wrong in words for the user.
"""

from __future__ import annotations

from app.addresses.bitcoin import Network, normalize_bitcoin
from app.addresses.chains import CHAINS, Chain, chain_info, explorer_url, is_evm, normalize
from app.addresses.errors import AddressError

__all__ = [
    "CHAINS",
    "AddressError",
    "Chain",
    "Network",
    "chain_info",
    "explorer_url",
    "is_evm",
    "normalize",
    "normalize_bitcoin",
]
