"""What the list parsers yield: one listed address, as the list gives it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Asset codes as OFAC writes them after "Digital Currency Address - " (XBT, ETH, USDT...).
_ASSET = re.compile(r"[A-Z0-9]{2,12}")


class SanctionsFormatError(ValueError):
    """A file that is not a sanctions list we can read; the message says what is wrong
    and leaves naming the file to the caller (which prefixes its name once)."""


@dataclass(frozen=True, slots=True)
class ListedAddress:
    """One digital-currency address of one sanctioned party, untouched by validation.

    `asset` is the code the list names (XBT, ETH, USDT, TRX, ...); `party` the
    party's primary name and `entry_id` its SDN reference (`DistinctParty/@FixedRef`)
    when the list gives them; `list_date` the publication date from the file header.
    """

    asset: str
    address: str
    party: str | None = None
    entry_id: str | None = None
    list_date: date | None = None


def asset_code(text: str) -> str:
    """The asset code in its list form (upper case); SanctionsFormatError if it is not one."""
    code = text.strip().upper()
    if not _ASSET.fullmatch(code):
        raise SanctionsFormatError(
            f"{text!r} is not an asset code such as XBT, ETH, USDT or TRX "
            "(2 to 12 letters or digits)"
        )
    return code
