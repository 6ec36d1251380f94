"""OFAC's legacy CSV files: `sdn.csv` (one row per party) and `alt.csv` (aliases).

`sdn.csv` has no header; columns: entity number, name, type (`individual`,
`vessel`, `aircraft`, or `-0-` for an entity), programs (joined by `] [`),
title, call sign, vessel type, tonnage, gross tonnage, vessel flag, vessel
owner, remarks. `-0-` means empty. The remarks are items separated by `; `:
`a.k.a. '…'`, `DOB …`, `nationality …`, `Digital Currency Address - XBT …`.
`alt.csv`: entity number, alias number, type (`aka`, `fka`, `nka`), name,
remarks. Parsers only: nothing is validated or normalised here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from integrations.sanctions.records import ListedAddress, SanctionsFormatError

SDN_COLUMNS = 12
ALT_COLUMNS = 5
KINDS = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft", "": "entity"}
# The first row of sdn.csv: an entity number, then a quoted name.
SDN_HEAD = re.compile(rb'^\s*\d+,"[^"]*",(?:"[^"]*"|-0-\s*),')

_ALIAS = re.compile(r"^(?:alt\.\s+)?([afn])\.k\.a\.\s+'(.+)'$", re.S)
_DOB = re.compile(r"^(?:alt\.\s+)?DOB\s+(.+)$")
_NATIONALITY = re.compile(r"^(?:alt\.\s+)?(?:nationality|citizen)\s+(.+)$")
_ADDRESS = re.compile(r"^(?:alt\.\s+)?Digital Currency Address - ([A-Za-z0-9]+)\s+(\S+)$")
_QUALITY = {"a": "aka", "f": "fka", "n": "nka"}


@dataclass(frozen=True, slots=True)
class ListedParty:
    """One party of the SDN list as the file gives it."""

    entry_id: str
    kind: str  # individual, entity, vessel or aircraft
    name: str
    programs: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()  # (aka/fka/nka, name)
    birth_dates: tuple[str, ...] = ()  # as written: "25 Mar 1977", "1962", "circa 1958"
    nationalities: tuple[str, ...] = ()  # country names as written
    addresses: tuple[tuple[str, str], ...] = ()  # (asset, address)
    remarks: str = ""


@dataclass
class _Remarks:
    aliases: list[tuple[str, str]] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    addresses: list[tuple[str, str]] = field(default_factory=list)


def _empty(text: str) -> str:
    value = text.strip()
    return "" if value == "-0-" else value


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # OFAC's legacy files have also been published in Windows-1252.
        return data.decode("cp1252", errors="replace")


def is_sdn_csv(head: bytes) -> bool:
    """Whether the first bytes of a file look like OFAC's sdn.csv."""
    return bool(SDN_HEAD.match(head.removeprefix(b"\xef\xbb\xbf")))


def _items(remarks: str) -> Iterator[str]:
    # The remarks end with a full stop that belongs to none of the items.
    for item in remarks.strip().removesuffix(".").split("; "):
        yield item.strip()


def parse_remarks(remarks: str) -> _Remarks:
    found = _Remarks()
    for item in _items(remarks):
        if m := _ALIAS.match(item):
            found.aliases.append((_QUALITY[m.group(1)], m.group(2).strip()))
        elif m := _DOB.match(item):
            found.birth_dates.append(m.group(1).strip())
        elif m := _NATIONALITY.match(item):
            found.nationalities.append(m.group(1).strip())
        elif m := _ADDRESS.match(item):
            found.addresses.append((m.group(1).upper(), m.group(2)))
    return found


def iter_sdn_csv(path: Path) -> Iterator[ListedParty]:
    """The parties of an sdn.csv file; SanctionsFormatError names the first bad row."""
    reader = csv.reader(io.StringIO(_read_text(path)))
    for number, row in enumerate(reader, start=1):
        if len(row) <= 1 and not "".join(row).strip("\x1a \t"):
            continue  # blank lines and the old DOS end-of-file mark
        if len(row) != SDN_COLUMNS or not row[0].strip().isdigit():
            raise SanctionsFormatError(
                f"row {number} is not an SDN row (entity number, name, type, programs, ... "
                f"{SDN_COLUMNS} columns); is this OFAC's sdn.csv?"
            )
        kind = KINDS.get(_empty(row[2]).lower())
        if kind is None:
            raise SanctionsFormatError(f"row {number} has an unknown type {row[2][:20]!r}")
        remarks = _empty(row[11])
        found = parse_remarks(remarks)
        programs = tuple(p.strip(" []") for p in _empty(row[3]).split("] [") if p.strip(" []"))
        yield ListedParty(
            entry_id=row[0].strip(),
            kind=kind,
            name=_empty(row[1]),
            programs=programs,
            aliases=tuple(found.aliases),
            birth_dates=tuple(found.birth_dates),
            nationalities=tuple(found.nationalities),
            addresses=tuple(found.addresses),
            remarks=remarks,
        )


def iter_alt_csv(path: Path) -> Iterator[tuple[str, str, str]]:
    """(entity number, aka/fka/nka, name) for each row of an alt.csv file."""
    reader = csv.reader(io.StringIO(_read_text(path)))
    for number, row in enumerate(reader, start=1):
        if len(row) <= 1 and not "".join(row).strip("\x1a \t"):
            continue
        if len(row) != ALT_COLUMNS or not row[0].strip().isdigit():
            raise SanctionsFormatError(
                f"row {number} is not an alias row (entity number, alias number, type, "
                f"name, remarks: {ALT_COLUMNS} columns); is this OFAC's alt.csv?"
            )
        name = _empty(row[3])
        if name:
            yield row[0].strip(), _empty(row[2]).lower() or "aka", name


def addresses_of(parties: list[ListedParty]) -> Iterator[ListedAddress]:
    """The digital-currency addresses in the parties' remarks, for the address list."""
    for party in parties:
        for asset, address in party.addresses:
            yield ListedAddress(asset, address, party.name, party.entry_id)
