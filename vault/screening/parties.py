"""SQL for the parties of a sanctions list (tables of m0011). Plain values in and out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from vault.connection import Connection


@dataclass(frozen=True, slots=True)
class PartyRow:
    source: str
    entry_id: str
    kind: str
    name: str
    aliases: tuple[tuple[str, str], ...]
    programs: tuple[str, ...]
    birth_dates: tuple[str, ...]
    nationalities: tuple[str, ...]
    digest: str


_COLUMNS = (
    "source",
    "entry_id",
    "kind",
    "name",
    "aliases",
    "programs",
    "birth_dates",
    "nationalities",
    "digest",
)
_JSON = frozenset({"aliases", "programs", "birth_dates", "nationalities"})


def replace_parties(
    conn: Connection, source: str, rows: Iterable[PartyRow], files: dict[str, tuple[str, str]]
) -> int:
    """Write a list's parties and its other files ({role: (file name, sha256)}) after
    dropping the previous ones; call inside the caller's transaction, after the
    `sanctions_lists` row is written. Returns the number of parties."""
    remove_parties(conn, source)
    values = [
        tuple(json.dumps(getattr(r, c)) if c in _JSON else getattr(r, c) for c in _COLUMNS)
        for r in rows
    ]
    conn.executemany(
        # constant column names; values are ? params
        f"INSERT INTO sanctions_entries ({', '.join(_COLUMNS)}) "  # nosec B608
        f"VALUES ({', '.join('?' * len(_COLUMNS))})",
        values,
    )
    conn.executemany(
        "INSERT INTO sanctions_list_files (source, role, file_name, sha256) VALUES (?,?,?,?)",
        [(source, role, name, digest) for role, (name, digest) in files.items()],
    )
    return len(values)


def remove_parties(conn: Connection, source: str) -> None:
    conn.execute("DELETE FROM sanctions_entries WHERE source = ?", (source,))
    conn.execute("DELETE FROM sanctions_list_files WHERE source = ?", (source,))


def all_parties(conn: Connection) -> Iterator[PartyRow]:
    """Every party of every list (for the in-memory name index)."""
    rows = conn.execute(
        # constant column names; values are ? params
        f"SELECT {', '.join(_COLUMNS)} FROM sanctions_entries "  # nosec B608
        "ORDER BY source, entry_id"
    )
    for row in rows:
        values = dict(zip(_COLUMNS, row, strict=True))
        for c in _JSON:
            values[c] = tuple(tuple(v) if isinstance(v, list) else v for v in json.loads(values[c]))
        yield PartyRow(**values)


def list_files(conn: Connection, source: str) -> dict[str, tuple[str, str]]:
    rows = conn.execute(
        "SELECT role, file_name, sha256 FROM sanctions_list_files WHERE source = ?", (source,)
    )
    return {role: (name, digest) for role, name, digest in rows}


def state(conn: Connection) -> tuple[int, str]:
    """What the index was built from: (parties, the lists' files and import times), to
    tell a stale one."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM sanctions_entries), "
        "(SELECT coalesce(group_concat(source || ':' || sha256 || ':' || imported_at, ' '), '') "
        "   FROM (SELECT source, sha256, imported_at FROM sanctions_lists ORDER BY source))"
    ).fetchone()
    return int(row[0]), str(row[1])
