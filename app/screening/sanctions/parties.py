"""The parties of OFAC's sdn.csv (and alt.csv's aliases), ready to be stored."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from integrations.sanctions import ListedAddress, sha256_of
from integrations.sanctions.sdn_csv import ListedParty, addresses_of, iter_alt_csv, iter_sdn_csv
from vault.connection import Connection
from vault.screening import parties as store
from vault.screening.parties import PartyRow


def entry_digest(
    kind: str,
    name: str,
    aliases: tuple[tuple[str, str], ...],
    birth_dates: tuple[str, ...],
    nationalities: tuple[str, ...],
) -> str:
    """What name screening compares of an entry: a change re-raises a hit an officer
    dismissed as a false positive."""
    content = [
        kind,
        name,
        sorted(a[1] for a in aliases),
        sorted(birth_dates),
        sorted(nationalities),
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:32]


@dataclass
class Parties:
    listed: list[ListedParty]
    rows: list[PartyRow]
    files: dict[str, tuple[str, str]]  # role -> (file name, sha256)

    def addresses(self) -> Iterator[ListedAddress]:
        return addresses_of(self.listed)

    def counts(self) -> dict[str, int]:
        return {"parties": len(self.rows), "aliases": sum(len(r.aliases) for r in self.rows)}

    def files_info(self) -> dict[str, dict[str, str]]:
        return {role: {"file_name": n, "sha256": d} for role, (n, d) in self.files.items()}

    def write(self, conn: Connection, source: str) -> None:
        rows = [replace(r, source=source) for r in self.rows]
        store.replace_parties(conn, source, rows, self.files)


def read_parties(path: Path, aliases: Path | None) -> Parties:
    """Parse sdn.csv (and alt.csv): OSError and SanctionsFormatError go to the caller."""
    listed = list(iter_sdn_csv(path))
    extra: dict[str, list[tuple[str, str]]] = {}
    files: dict[str, tuple[str, str]] = {}
    if aliases is not None:
        for entry_id, quality, name in iter_alt_csv(aliases):
            extra.setdefault(entry_id, []).append((quality, name))
        files["aliases"] = (aliases.name, sha256_of(aliases))
    rows = []
    for p in listed:
        names = tuple(dict.fromkeys([*p.aliases, *extra.get(p.entry_id, ())]))
        rows.append(
            PartyRow(
                source="",
                entry_id=p.entry_id,
                kind=p.kind,
                name=p.name,
                aliases=names,
                programs=p.programs,
                birth_dates=p.birth_dates,
                nationalities=p.nationalities,
                digest=entry_digest(p.kind, p.name, names, p.birth_dates, p.nationalities),
            )
        )
    return Parties(listed, rows, files)
