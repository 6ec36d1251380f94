"""One sanctions list's rows (tables of m0003 and m0011) as one value, and back: what
another device of the desk needs to hold the same list (`app.screening.sanctions.shared`).

Row ids stay local: an address's parties travel inside it. Plain values in and out;
inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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
    sanctions.remove_list(conn, source)
    columns = ("source", "label", "list_date", "date_from", "file_name", "sha256",
               "imported_at", "counts")  # fmt: skip
    conn.execute(
        "INSERT INTO sanctions_lists (source, label, list_date, date_from, file_name, sha256, "
        "imported_at, counts) VALUES (?,?,?,?,?,?,?,?)",
        tuple(json.dumps(info[c]) if c == "counts" else info.get(c) for c in columns),
    )
    next_id = int(
        conn.execute("SELECT coalesce(max(id), 0) + 1 FROM sanctions_addresses").fetchone()[0]
    )
    address_rows: list[tuple[Any, ...]] = []
    party_rows: list[tuple[Any, ...]] = []
    for offset, (family, key, address, assets, valid, listed) in enumerate(rows["addresses"]):
        address_rows.append((next_id + offset, source, family, key, address, assets, valid))
        party_rows.extend((next_id + offset, entry_id, name) for entry_id, name in listed)
    conn.executemany(
        "INSERT INTO sanctions_addresses (id, source, family, key, address, assets, valid) "
        "VALUES (?,?,?,?,?,?,?)",
        address_rows,
    )
    conn.executemany(
        "INSERT INTO sanctions_parties (address_id, entry_id, name) VALUES (?,?,?)", party_rows
    )
    conn.executemany(
        # constant column names; values are ? params
        f"INSERT INTO sanctions_entries (source, {_ENTRY}) VALUES (?,?,?,?,?,?,?,?,?)",  # nosec B608
        [(source, *e) for e in rows["entries"]],
    )
    conn.executemany(
        "INSERT INTO sanctions_list_files (source, role, file_name, sha256) VALUES (?,?,?,?)",
        [(source, *f) for f in rows["files"]],
    )
