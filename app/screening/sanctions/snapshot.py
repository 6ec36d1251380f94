"""Screening against the imported lists: an immutable in-memory snapshot, any thread."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.addresses import AddressError, normalize
from app.screening.risk import Level, RiskResult, Status, failed, utc_now
from app.screening.sanctions.importer import import_sanctions
from app.screening.sanctions.mapping import (
    _CHAIN_TARGETS,
    _VALIDATOR_CHAIN,
    FAMILIES,
    PROVIDER,
    _target,
    asset_family,
    lookup_key,
)
from vault.connection import Connection
from vault.screening import sanctions as store
from vault.screening.sanctions import Entry
from vault.store import Vault


@dataclass(frozen=True, slots=True)
class Listing:
    """One listed address, merged over every imported list that names it."""

    family: str
    address: str
    assets: tuple[str, ...]
    parties: tuple[tuple[str, str | None], ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    listing: Listing
    exact: bool  # listed for the screened chain (else: the same text under another asset)


class SanctionsSnapshot:
    """Every imported list in memory, for instant look-ups; immutable, so any thread."""

    def __init__(self, lists: Iterable[dict[str, Any]], entries: Iterable[tuple[str, Entry]]):
        self.lists = {info["source"]: info for info in lists}
        self._keys: dict[str, dict[str, Listing]] = {family: {} for family in FAMILIES}
        self._raw: dict[str, Listing] = {}
        for source, entry in entries:
            table = self._raw if entry.family == "raw" else self._keys[entry.family]
            table[entry.key] = _merge(table.get(entry.key), source, entry)
        self.label = ", ".join(dict.fromkeys(i["label"] for i in self.lists.values()))
        dates = [i["list_date"] for i in self.lists.values() if i["list_date"]]
        self.newest = date.fromisoformat(max(dates)) if dates else None

    @classmethod
    def load(cls, conn: Connection) -> SanctionsSnapshot:
        return cls(store.lists(conn), store.all_entries(conn))

    @classmethod
    def for_address(cls, conn: Connection, chain: str, address: str) -> SanctionsSnapshot:
        """Only the entries that could match this address: one indexed query, no full load."""
        text = address.strip()
        target = _target(chain, text)
        entries = store.find(conn, "raw", (text, text.lower()))
        if target is not None and target[0] != "raw":
            entries += store.find(conn, target[0], (lookup_key(target[0], text),))
        return cls(store.lists(conn), entries)

    def __len__(self) -> int:
        return len(self._raw) + sum(len(t) for t in self._keys.values())

    def lookup(self, chain: str, address: str) -> Match | None:
        """The listing this address matches on this chain, if any (no validation)."""
        target = _CHAIN_TARGETS.get(chain) or _target(chain, address)
        return None if target is None else self._match(*target, address.strip())

    def _match(self, family: str, asset: str | None, text: str) -> Match | None:
        if family != "raw":
            found = self._keys[family].get(lookup_key(family, text))
            if found is not None:
                return Match(found, exact=True)
        raw = self._raw.get(text) or self._raw.get(text.lower())
        if raw is None:
            return None
        if family == "raw":
            return Match(raw, exact=asset in raw.assets)
        return Match(raw, exact=any(asset_family(a, raw.address) == family for a in raw.assets))

    def hits(self, pairs: Iterable[tuple[str, str]]) -> list[RiskResult]:
        """The results of the (chain, address) pairs that are on a list, misses left out:
        re-checking a whole book against a new list without a result per clean address."""
        found = []
        for chain, address in pairs:
            match = self.lookup(chain, address)
            if match is not None:
                found.append(self._hit(chain, match))
        return found

    def screen(self, chain: str, address: str, *, validate: bool = True) -> RiskResult:
        """The list's answer for one address. `validate=False` skips the address check
        on a miss, for addresses already normalised (the book's); a hit never needs it."""
        target = _CHAIN_TARGETS.get(chain) or _target(chain, address)
        if target is None:
            return failed(
                chain=chain,
                address=address,
                provider=PROVIDER,
                status=Status.UNSUPPORTED,
                error=f"the sanctions list knows no chain or asset called {chain!r}",
            )
        if not self.lists:
            return failed(
                chain=chain,
                address=address,
                provider=PROVIDER,
                status=Status.NOT_CONFIGURED,
                error="no sanctions list has been imported yet: import the OFAC SDN file "
                "(strongroom sanctions import SDN_ADVANCED.XML)",
            )
        shown = address.strip()
        match = self._match(*target, shown)
        if match is not None:
            return self._hit(chain, match)
        if validate and target[0] != "raw":
            try:
                shown = normalize(_VALIDATOR_CHAIN[target[0]], shown)
            except AddressError as exc:
                return failed(
                    chain=chain,
                    address=shown,
                    provider=PROVIDER,
                    status=Status.INVALID_ADDRESS,
                    error=exc.reason,
                )
        return RiskResult(
            chain=chain,
            address=shown,
            provider=PROVIDER,
            level=Level.NONE,
            score=0,
            fetched_at=utc_now(),
            source=self.label,
            list_date=self.newest,
        )

    def _hit(self, chain: str, match: Match) -> RiskResult:
        listing = match.listing
        infos = [self.lists[s] for s in listing.sources]
        dates = [i["list_date"] for i in infos if i["list_date"]]
        names = [name for _ref, name in listing.parties if name]
        evidence = {
            "match": "listed" if match.exact else "listed under another asset",
            "address": listing.address,
            "assets": list(listing.assets),
            "parties": [{"entry_id": ref, "name": name} for ref, name in listing.parties],
            "lists": [
                {k: i[k] for k in ("source", "list_date", "file_name", "sha256")} for i in infos
            ],
        }
        return RiskResult(
            chain=chain,
            address=listing.address,
            provider=PROVIDER,
            level=Level.SEVERE if match.exact else Level.HIGH,
            score=100 if match.exact else 70,
            fetched_at=utc_now(),
            sanctioned=match.exact,
            categories=("sanctions",) if match.exact else ("sanctions_other_asset",),
            source=", ".join(dict.fromkeys(i["label"] for i in infos)),
            sanctioned_party="; ".join(dict.fromkeys(names)) or None,
            list_date=date.fromisoformat(max(dates)) if dates else None,
            raw=json.dumps(evidence, sort_keys=True).encode(),
        )


def _merge(old: Listing | None, source: str, entry: Entry) -> Listing:
    if old is None:
        return Listing(entry.family, entry.address, entry.assets, entry.parties, (source,))
    return Listing(
        old.family,
        old.address,
        tuple(dict.fromkeys(old.assets + entry.assets)),
        tuple(dict.fromkeys(old.parties + entry.parties)),
        tuple(dict.fromkeys((*old.sources, source))),
    )


class OfflineSanctions:
    """The offline sanctions provider of one open vault: a snapshot loaded once per
    unlock, reloaded after an import. Call `forget()` when the vault locks.

    Loading, refreshing and importing use the vault's connection: call them on the
    database worker. The snapshot they return can then screen on any thread.
    """

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._snapshot: SanctionsSnapshot | None = None
        self._fingerprint: list[tuple[Any, ...]] = []

    def _current(self) -> list[tuple[Any, ...]]:
        return [(i["source"], i["sha256"], i["imported_at"]) for i in store.lists(self.vault.conn)]

    def snapshot(self) -> SanctionsSnapshot:
        if self._snapshot is None:
            self._fingerprint = self._current()
            self._snapshot = SanctionsSnapshot.load(self.vault.conn)
        return self._snapshot

    def refresh(self) -> SanctionsSnapshot:
        """Reload if a list was imported or removed since (by another caller): one small query."""
        if self._snapshot is not None and self._current() != self._fingerprint:
            self._snapshot = None
        return self.snapshot()

    def import_file(
        self,
        path: str | Path,
        asset: str | None = None,
        *,
        list_date: date | None = None,
        allow_older: bool = False,
    ) -> dict[str, int]:
        """`import_sanctions`, then the next look-up sees the new list."""
        counts = import_sanctions(
            self.vault, path, asset, list_date=list_date, allow_older=allow_older
        )
        self._snapshot = None
        return counts

    def screen(self, chain: str, address: str, *, validate: bool = True) -> RiskResult:
        return self.snapshot().screen(chain, address, validate=validate)

    def screen_many(
        self, pairs: Iterable[tuple[str, str]], *, validate: bool = True
    ) -> list[RiskResult]:
        snap = self.refresh()
        return [snap.screen(chain, address, validate=validate) for chain, address in pairs]

    def hits(self, pairs: Iterable[tuple[str, str]]) -> list[RiskResult]:
        return self.refresh().hits(pairs)

    def forget(self) -> None:
        self._snapshot = None
        self._fingerprint = []


def screen_offline(
    source: OfflineSanctions | SanctionsSnapshot | Vault | Connection, chain: str, address: str
) -> RiskResult:
    """Screen one address against the imported lists, with no network.

    Given the provider or a snapshot, the look-up is in memory; given a vault or
    a connection, it is one indexed query (no snapshot is kept), on the thread
    that owns that connection.
    """
    if isinstance(source, OfflineSanctions | SanctionsSnapshot):
        return source.screen(chain, address)
    conn = source.conn if isinstance(source, Vault) else source
    return SanctionsSnapshot.for_address(conn, chain, address).screen(chain, address)
