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
- An address not valid on its asset's chain, or of an asset we do not validate,
  goes to the first chain family it is valid on, still listed under its asset:
  the real XBT list holds a Tron address, the BCH and BSV lists legacy addresses
  that are Bitcoin addresses of the same key. Screened on that chain it is a
  sanctions hit (severe), the evidence noting the asset it was filed under.
- Everything else (XMR, LTC, ZEC, DASH, XRP, XVG, ..., and an address valid on
  no chain we know, counted as "invalid" on import) is kept with its asset as
  given and matched as raw text. The same text screened for an asset whose
  addresses we cannot check is a "high" result, not "sanctioned".

A list answers only for what it covers (`mapping.covers`): the SDN XML for
everything, a plain list for its asset and the chain family it is native to.
Screening a chain no imported list covers answers status not_covered (level
unknown), never "none". Every answer names the lists it rests on (label, file,
SHA-256, date and where the date came from) in `source`, `list_date` and its
evidence (`answers.list_refs`). A plain list has no date of its own: the user
states it on import.

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
