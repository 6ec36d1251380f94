"""Wallet addresses: validation and the canonical stored form, per chain.

Pure domain code (no Qt, SQL or HTTP); safe to call from any thread.

    normalize("ethereum", "0x5aaeb6...")  -> "0x5aAeb6..."  (EIP-55)
    normalize("bitcoin", "BC1Q...")       -> "bc1q..."
    normalize("tron", "41a614...")        -> "TR7NH..."

Every rejection is an `AddressError` (a ValueError) whose `.reason` says
what is wrong in words for the user; an address valid for another family
says so ("this is a Tron address, not an EVM address").

Policy, per family (details in each module):
- EVM: whitespace stripped; `0x` or `0X`; all-lower/all-upper digits accepted
  as "no checksum given"; mixed case must be the EIP-55 checksum; stored
  checksummed with `0x`. No bare 40-hex form.
- Bitcoin: mainnet only through `normalize`; `normalize_bitcoin(...,
  network=Network.TESTNET)` (testnet3/4, signet) or `REGTEST` to allow
  others. Base58 stored as given, Bech32/Bech32m lower-cased.
- Tron: Base58 `T...`, or hex `41` + 40 digits stored as the Base58 form.
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
