"""Plain sanctions lists: one address per line, the asset given by the caller.

Lines are stripped; blank lines and lines starting with `#` are skipped, and
anything after the first whitespace or `#` on a line is a comment. This is
the form of the per-asset files extracted from the SDN list (for example
`sanctioned_addresses_ETH.txt`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from integrations.sanctions.records import ListedAddress, SanctionsFormatError, asset_code

_NAMED = re.compile(r"sanctioned_addresses_([A-Za-z0-9]{2,12})\.(?:txt|csv|lst)$", re.IGNORECASE)


def iter_plain_lines(
    lines: Iterable[str], asset: str, *, list_date: date | None = None
) -> Iterator[ListedAddress]:
    """Each address of `lines`, in order (duplicates included), listed under `asset`."""
    code = asset_code(asset)
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        yield ListedAddress(asset=code, address=text.split()[0], list_date=list_date)


def iter_plain_list(
    path: Path, asset: str, *, list_date: date | None = None
) -> Iterator[ListedAddress]:
    """Each address of the file at `path` (UTF-8, a BOM allowed), read line by line."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            yield from iter_plain_lines(handle, asset, list_date=list_date)
    except UnicodeDecodeError as exc:
        raise SanctionsFormatError(
            f"not a UTF-8 text list of addresses ({exc.reason} at byte {exc.start})"
        ) from None


def asset_from_name(path: Path) -> str | None:
    """The asset a file's name announces (`sanctioned_addresses_XBT.txt` -> "XBT"), if any."""
    found = _NAMED.search(path.name)
    return found.group(1).upper() if found else None
