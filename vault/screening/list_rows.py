"""One sanctions list's rows (tables of m0003 and m0011) as one value, and back: what
another device of the desk needs to hold the same list (`app.screening.sanctions.shared`).

Row ids stay local: an address's parties travel inside it. Plain values in and out;
inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from vault.connection import Connection
from vault.screening import parties, sanctions

_ENTRY = "entry_id, kind, name, aliases, programs, birth_dates, nationalities, digest"


def dump(conn: Connection, source: str) -> dict[str, Any] | None:
    """Everything stored of list `source`, or None when it is not here."""
    info = sanctions.list_info(conn, source)
    if info is None:
        return None
    addresses: dict[int, list[Any]] = {}
    for row in conn.execute(
        "SELECT id, family, key, address, assets, valid FROM sanctions_addresses "
        "WHERE source = ? ORDER BY id",
        (source,),
    ):
        addresses[int(row[0])] = [*row[1:], []]
    for address_id, entry_id, name in conn.execute(
        "SELECT p.address_id, p.entry_id, p.name FROM sanctions_parties p "
        "JOIN sanctions_addresses a ON a.id = p.address_id WHERE a.source = ? "
        "ORDER BY p.address_id, p.entry_id",
        (source,),
    ):
        addresses[int(address_id)][-1].append([entry_id, name])
    entries = conn.execute(
        # constant column names; values are ? params
        f"SELECT {_ENTRY} FROM sanctions_entries WHERE source = ? ORDER BY entry_id",  # nosec B608
        (source,),
    ).fetchall()
    files = conn.execute(
        "SELECT role, file_name, sha256 FROM sanctions_list_files WHERE source = ? ORDER BY role",
        (source,),
    ).fetchall()
    return {
        "list": info,
        "addresses": list(addresses.values()),
        "entries": [list(e) for e in entries],
        "files": [list(f) for f in files],
    }


def load(conn: Connection, rows: Mapping[str, Any]) -> None:
    """Replace the list `rows` holds (as `dump` gave them) with them."""
    info = dict(rows["list"])
    source = str(info["source"])
    parties.remove_parties(conn, source)
    sanctions.replace_list(conn, info=info, entries=[_entry(a) for a in rows["addresses"]])
    files = {str(role): (str(name), str(sha256)) for role, name, sha256 in rows["files"]}
    parties.replace_parties(conn, source, [_party(source, e) for e in rows["entries"]], files)


def _entry(raw: Sequence[Any]) -> sanctions.Entry:
    family, key, address, assets, valid, listed = raw
    return sanctions.Entry(
        family,
        key,
        address,
        tuple(json.loads(assets)),
        None if valid is None else bool(valid),
        tuple((str(entry_id), name) for entry_id, name in listed),
    )


def _party(source: str, raw: Sequence[Any]) -> parties.PartyRow:
    entry_id, kind, name, aliases, programs, births, nationalities, digest = raw
    return parties.PartyRow(
        source,
        entry_id,
        kind,
        name,
        tuple(tuple(a) for a in json.loads(aliases)),
        tuple(json.loads(programs)),
        tuple(json.loads(births)),
        tuple(json.loads(nationalities)),
        digest,
    )
