"""SQL for the offline sanctions lists (tables of m0003). Plain values in and out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vault.connection import Connection


@dataclass(frozen=True, slots=True)
class Entry:
    """One distinct address of a list, with every party that lists it."""

    family: str
    key: str
    address: str
    assets: tuple[str, ...]
    valid: bool | None
    parties: tuple[tuple[str, str | None], ...]  # (entry id or '', name)


_LIST_COLUMNS = (
    "source",
    "label",
    "list_date",
    "date_from",  # 'file' (the XML's publication date), 'user' (stated on import), NULL
    "file_name",
    "sha256",
    "imported_at",
    "counts",
)


def list_info(conn: Connection, source: str) -> dict[str, Any] | None:
    row = conn.execute(
        # constant column names; values are ? params
        f"SELECT {', '.join(_LIST_COLUMNS)} FROM sanctions_lists WHERE source = ?",  # nosec B608
        (source,),
    ).fetchone()
    return None if row is None else _list_row(row)


def lists(conn: Connection) -> list[dict[str, Any]]:
    """Every imported list, newest publication first."""
    rows = conn.execute(
        # constant column names; values are ? params
        f"SELECT {', '.join(_LIST_COLUMNS)} FROM sanctions_lists "  # nosec B608
        "ORDER BY list_date DESC NULLS LAST, source"
    )
    return [_list_row(r) for r in rows]


def _list_row(row: tuple[Any, ...]) -> dict[str, Any]:
    info = dict(zip(_LIST_COLUMNS, row, strict=True))
    info["counts"] = json.loads(info["counts"])
    return info


def replace_list(conn: Connection, *, info: Mapping[str, Any], entries: Iterable[Entry]) -> int:
    """Drop the previous rows of `info["source"]` and write this list; returns the
    number of addresses written. Call inside the caller's transaction."""
    source = info["source"]
    remove_list(conn, source)
    conn.execute(
        # constant column names; values are ? params
        f"INSERT INTO sanctions_lists ({', '.join(_LIST_COLUMNS)}) "  # nosec B608
        f"VALUES ({', '.join('?' * len(_LIST_COLUMNS))})",
        tuple(json.dumps(info[c]) if c == "counts" else info[c] for c in _LIST_COLUMNS),
    )
    # Ids are assigned here so that parties can be written with executemany too.
    next_id = int(
        conn.execute("SELECT coalesce(max(id), 0) + 1 FROM sanctions_addresses").fetchone()[0]
    )
    address_rows: list[tuple[Any, ...]] = []
    party_rows: list[tuple[Any, ...]] = []
    for offset, entry in enumerate(entries):
        row_id = next_id + offset
        valid = None if entry.valid is None else int(entry.valid)
        assets = json.dumps(list(entry.assets))
        address_rows.append((row_id, source, entry.family, entry.key, entry.address, assets, valid))
        party_rows.extend((row_id, ref, name) for ref, name in entry.parties)
    conn.executemany(
        "INSERT INTO sanctions_addresses (id, source, family, key, address, assets, valid) "
        "VALUES (?,?,?,?,?,?,?)",
        address_rows,
    )
    conn.executemany(
        "INSERT INTO sanctions_parties (address_id, entry_id, name) VALUES (?,?,?)", party_rows
    )
    return len(address_rows)


def remove_list(conn: Connection, source: str) -> bool:
    """Delete a list and its addresses (the parties go by cascade)."""
    conn.execute(
        "DELETE FROM sanctions_parties WHERE address_id IN "
        "(SELECT id FROM sanctions_addresses WHERE source = ?)",
        (source,),
    )
    conn.execute("DELETE FROM sanctions_addresses WHERE source = ?", (source,))
    return conn.execute("DELETE FROM sanctions_lists WHERE source = ?", (source,)).rowcount == 1


_ENTRY_SELECT = (
    "SELECT a.id, a.source, a.family, a.key, a.address, a.assets, a.valid, p.entry_id, p.name "
    "FROM sanctions_addresses a LEFT JOIN sanctions_parties p ON p.address_id = a.id "
)

EntryRow = tuple[str, Entry]  # (source, entry)


def all_entries(conn: Connection) -> Iterator[EntryRow]:
    """Every address of every list, with its source (for the in-memory snapshot)."""
    yield from _group(conn.execute(_ENTRY_SELECT + "ORDER BY a.id"))


def find(conn: Connection, family: str, keys: Iterable[str]) -> list[EntryRow]:
    """The entries of `family` whose key is one of `keys` (indexed look-up)."""
    wanted = list(dict.fromkeys(keys))
    marks = ", ".join("?" * len(wanted))
    rows = conn.execute(
        _ENTRY_SELECT + f"WHERE a.family = ? AND a.key IN ({marks}) ORDER BY a.id",
        (family, *wanted),
    )
    return list(_group(rows))


def _group(rows: Iterable[tuple[Any, ...]]) -> Iterator[EntryRow]:
    current: int | None = None
    head: tuple[Any, ...] = ()
    parties: list[tuple[str, str | None]] = []
    for row in rows:
        if row[0] != current:
            if current is not None:
                yield _entry(head, parties)
            current, head, parties = row[0], row, []
        if row[7] is not None:
            parties.append((row[7], row[8]))
    if current is not None:
        yield _entry(head, parties)


def _entry(row: tuple[Any, ...], parties: list[tuple[str, str | None]]) -> EntryRow:
    _id, source, family, key, address, assets, valid = row[:7]
    entry = Entry(
        family=family,
        key=key,
        address=address,
        assets=tuple(json.loads(assets)),
        valid=None if valid is None else bool(valid),
        parties=tuple(parties),
    )
    return source, entry
