"""Screening against the imported lists: an immutable in-memory snapshot, any thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.addresses import AddressError, normalize
from app.screening.risk import RiskResult, Status, failed
from app.screening.sanctions import answers
from app.screening.sanctions.importer import import_sanctions
from app.screening.sanctions.mapping import (
    _CHAIN_TARGETS,
    _VALIDATOR_CHAIN,
    FAMILIES,
    PROVIDER,
    _target,
    asset_family,
    covers,
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

    @classmethod
    def load(cls, conn: Connection) -> SanctionsSnapshot:
        return cls(store.lists(conn), store.all_entries(conn))

    @classmethod
    def for_address(cls, conn: Connection, chain: str, address: str) -> SanctionsSnapshot:
        """Only the entries that could match this address: one indexed query, no full load."""
        text = address.strip()
        entries = store.find(conn, "raw", (text, text.lower()))
        if _target(chain, text) is not None:
            for family in FAMILIES:  # an asset code also matches its entries elsewhere
                entries += store.find(conn, family, (lookup_key(family, text),))
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
        if raw is not None:
            if family == "raw":
                return Match(raw, exact=asset in raw.assets)
            exact = any(asset_family(a, raw.address) == family for a in raw.assets)
            return Match(raw, exact=exact)
        if asset is None:
            return None
        # Screened by asset code: the list files a string under an asset and the
        # importer put it on the chain it is valid on (BCH legacy -> bitcoin).
        for other in FAMILIES:
            found = self._keys[other].get(lookup_key(other, text)) if other != family else None
            if found is not None:
                return Match(found, exact=asset in found.assets)
        return None

    def covering(self, family: str, asset: str | None) -> list[dict[str, Any]]:
        """The imported lists that answer for a chain family (and asset code)."""
        return [i for s, i in self.lists.items() if covers(s, family, asset)]

    def hits(self, pairs: Iterable[tuple[str, str]]) -> list[RiskResult]:
        """The results of the (chain, address) pairs that are on a list, misses left out:
        re-checking a whole book against a new list without a result per clean address."""
        found = []
        for chain, address in pairs:
            target = _CHAIN_TARGETS.get(chain) or _target(chain, address)
            match = None if target is None else self._match(*target, address.strip())
            if match is not None and target is not None:
                found.append(self._hit(chain, match, target[0]))
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
            return self._hit(chain, match, target[0])
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
        checked = self.covering(*target)
        if not checked:
            imported = list(self.lists.values())
            return answers.not_covered(
                chain, shown, family=target[0], asset=target[1], imported=imported
            )
        return answers.clean(chain, shown, checked)

    def _hit(self, chain: str, match: Match, family: str) -> RiskResult:
        listing = match.listing
        return answers.hit(
            chain,
            address=listing.address,
            assets=listing.assets,
            parties=listing.parties,
            infos=[self.lists[s] for s in listing.sources],
            exact=match.exact,
            family=family,
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
