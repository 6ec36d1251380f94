"""The offline sanctions list: import the OFAC file into the vault, screen addresses.

The default screening provider: it needs no API key and no network, only a
list the user imported (`strongroom sanctions import FILE`). Until one is
imported, screening says so (status not_configured) rather than "clean".

Asset -> chain mapping (the OFAC asset codes, as the list names them):

- XBT -> bitcoin (mainnet; bech32 stored lower-case, Base58 as given).
- ETH, ETC, ARB, BSC, and USDT/USDC in `0x` form -> the EVM family, stored
  once (EIP-55 for display, lower-case hex as the key): the same key controls
  the address on every EVM chain, so an address listed under any of them is a
  hit on ethereum, arbitrum, optimism, base, polygon and bsc alike. Any other
  asset whose address is a valid `0x` EVM address is treated the same way.
- TRX, and USDT/USDC in `T...` form -> tron (Base58).
- USDT/USDC in any other form -> bitcoin (Omni-layer USDT holders; the list
  has seven).
- Everything else (XMR, LTC, ZEC, DASH, BCH, BSV, BTG, XRP, XVG, ...) is kept
  with its asset as given and matched as raw text; so is an address that is
  not valid for its chain (counted as "invalid" on import).

A raw entry matched from a chain it does not belong to (a BCH or BSV legacy
address screened on bitcoin, where the same string is the same key) is a
"high" result, not "sanctioned": the party is listed, but not for this chain.

Imports run on the database worker. Screening reads an immutable in-memory
snapshot (`SanctionsSnapshot`), so it can run on any thread.
"""

from __future__ import annotations

from app.screening.sanctions.importer import import_sanctions, remove_list
from app.screening.sanctions.mapping import (
    FAMILIES,
    PROVIDER,
    SanctionsImportError,
    asset_family,
    classify,
    lookup_key,
)
from app.screening.sanctions.snapshot import (
    Listing,
    Match,
    OfflineSanctions,
    SanctionsSnapshot,
    screen_offline,
)

__all__ = [
    "FAMILIES",
    "PROVIDER",
    "Listing",
    "Match",
    "OfflineSanctions",
    "SanctionsImportError",
    "SanctionsSnapshot",
    "asset_family",
    "classify",
    "import_sanctions",
    "lookup_key",
    "remove_list",
    "screen_offline",
]
