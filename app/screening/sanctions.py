"""The offline sanctions list: import the OFAC file into the vault, screen addresses.

The default screening provider: it needs no API key and no network, only a
list the user imported (`strongroom sanctions import FILE`). Until one is
imported, screening says so (status not_configured) rather than "clean".

Asset -> chain mapping (the OFAC asset codes, as the list names them):

- XBT -> bitcoin (mainnet; bech32 stored lower-case, Base58 as given).
- ETH, ETC, ARB, BSC, and USDT/USDC in `0x` form -> the EVM family, stored
  once (EIP-55 for display, lower-case hex as the key): the same key controls
  the address on every EVM chain, so an address listed under any of them is a
  hit on ethereum, arbitrum, optimism, base, polygon and bsc alike. Any other
  asset whose address is a valid `0x` EVM address is treated the same way.
- TRX, and USDT/USDC in `T...` form -> tron (Base58).
- USDT/USDC in any other form -> bitcoin (Omni-layer USDT holders; the list
  has seven).
- Everything else (XMR, LTC, ZEC, DASH, BCH, BSV, BTG, XRP, XVG, ...) is kept
  with its asset as given and matched as raw text; so is an address that is
  not valid for its chain (counted as "invalid" on import).

A raw entry matched from a chain it does not belong to (a BCH or BSV legacy
address screened on bitcoin, where the same string is the same key) is a
"high" result, not "sanctioned": the party is listed, but not for this chain.

Imports run on the database worker. Screening reads an immutable in-memory
snapshot (`SanctionsSnapshot`), so it can run on any thread.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.addresses import CHAINS, AddressError, chain_info, normalize
from app.screening.risk import Level, RiskResult, Status, failed, utc_now
from integrations.sanctions import (
    ListedAddress,
    SanctionsFormatError,
    asset_code,
    asset_from_name,
    iter_list,
    sha256_of,
    sniff,
)
from vault.connection import Connection
from vault.screening import sanctions as store
from vault.screening.sanctions import Entry
from vault.store import Vault

PROVIDER = "sanctions-list"
XML_SOURCE, XML_LABEL = "ofac-sdn", "OFAC SDN"
PLAIN_LABEL = "OFAC SDN (plain list)"  # the file name is in each hit's evidence
FAMILIES = ("evm", "bitcoin", "tron")
_EVM_ASSETS = frozenset({"ETH", "ETC", "ARB", "BSC"})
_TOKENS = frozenset({"USDT", "USDC"})  # EVM, Tron or Omni holders: the address form tells
_VALIDATOR_CHAIN = {"evm": "ethereum", "bitcoin": "bitcoin", "tron": "tron"}
# Chain names and tickers outside the address registry, to the list's asset codes.
_ASSET_NAMES = {
    "btc": "XBT",
    "solana": "SOL",
    "litecoin": "LTC",
    "monero": "XMR",
    "zcash": "ZEC",
    "dash": "DASH",
    "bitcoin-cash": "BCH",
    "bitcoin-sv": "BSV",
    "bitcoin-gold": "BTG",
    "ethereum-classic": "ETC",
    "ripple": "XRP",
    "verge": "XVG",
}


# Asset codes a caller may screen by (OFAC's are 3 or 4 letters: XBT, USDT, DASH...).
_SCREENED_ASSET = re.compile(r"[A-Z0-9]{2,6}")


class SanctionsImportError(ValueError):
    """An import that was refused; nothing was changed. The message says what to do."""


# --- asset -> chain ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Classified:
    family: str  # evm, bitcoin, tron or raw
    key: str
    address: str
    valid: bool | None  # None: no validator for this asset


def asset_family(asset: str, address: str) -> str | None:
    """The chain family an asset's address belongs to, or None (matched as raw text)."""
    if asset == "XBT":
        return "bitcoin"
    if asset == "TRX":
        return "tron"
    if asset in _TOKENS:
        if address[:2] in ("0x", "0X"):
            return "evm"
        # Tron holders start with T; the others are Omni-layer holders on Bitcoin.
        return "tron" if address[:1] == "T" else "bitcoin"
    if asset in _EVM_ASSETS:
        return "evm"
    return None


def classify(asset: str, address: str) -> Classified:
    """Where a listed address goes: its family, look-up key and display form."""
    text = address.strip()
    family = asset_family(asset, text)
    if family is None:
        try:
            checksummed = normalize("ethereum", text) if len(text) == 42 else None
        except AddressError:
            checksummed = None
        if checksummed is None:
            return Classified("raw", text, text, None)
        family = "evm"
    try:
        canonical = normalize(_VALIDATOR_CHAIN[family], text)
    except AddressError:
        return Classified("raw", text, text, False)
    return Classified(family, lookup_key(family, canonical), canonical, True)


def lookup_key(family: str, address: str) -> str:
    """The key a look-up compares; cheap, because it runs for every screened address."""
    if family == "evm":
        return address.lower()
    if family == "bitcoin":
        low = address.lower()
        return low if low.startswith("bc1") else address
    if family == "tron" and address[:1] != "T":
        try:  # the hex form (41...) is stored as Base58
            return normalize("tron", address)
        except AddressError:
            return address
    return address


def _target(chain: str, address: str) -> tuple[str, str | None] | None:
    """(family, asset) to screen for a chain name or an asset code; None if unknown.

    Registry chains ("ethereum", ...) give their family; an asset code or name
    ("LTC", "litecoin", "USDT") gives the family its address form belongs to,
    or raw matching for assets we do not validate.
    """
    name = chain.strip().lower()
    if name in _CHAIN_TARGETS:
        return _CHAIN_TARGETS[name]
    code = _ASSET_NAMES.get(name, name.upper())
    if not _SCREENED_ASSET.fullmatch(code):
        return None
    return (asset_family(code, address.strip()) or "raw", code)


_CHAIN_TARGETS: dict[str, tuple[str, str | None]] = {
    name: (chain_info(name).family.name, None) for name in CHAINS
}


# --- import --------------------------------------------------------------------


@dataclass
class _Draft:
    address: str
    valid: bool | None
    assets: dict[str, None] = field(default_factory=dict)  # ordered set
    parties: dict[str, str | None] = field(default_factory=dict)


@dataclass
class _Collected:
    drafts: dict[tuple[str, str], _Draft] = field(default_factory=dict)
    listed: Counter[str] = field(default_factory=Counter)  # records per asset
    list_date: date | None = None

    def add(self, record: ListedAddress) -> None:
        found = classify(record.asset, record.address)
        draft = self.drafts.get((found.family, found.key))
        if draft is None:
            draft = self.drafts[found.family, found.key] = _Draft(found.address, found.valid)
        draft.assets[record.asset] = None
        if record.entry_id or record.party:
            draft.parties[record.entry_id or ""] = record.party
        self.listed[record.asset] += 1
        self.list_date = record.list_date or self.list_date

    def entries(self) -> Iterator[Entry]:
        for (family, key), d in self.drafts.items():
            yield Entry(family, key, d.address, tuple(d.assets), d.valid, tuple(d.parties.items()))

    def counts(self) -> dict[str, int]:
        """Distinct addresses per family (evm, bitcoin, tron), per asset for the raw
        ones, "invalid" for those not valid for their chain, and "total"."""
        counts: Counter[str] = Counter()
        for (family, _key), draft in self.drafts.items():
            if family != "raw":
                counts[family] += 1
            elif draft.valid is False:
                counts["invalid"] += 1
            else:
                counts.update(list(draft.assets))
        counts["invalid"] += 0  # always reported, zero included
        counts["total"] = len(self.drafts)
        return dict(sorted(counts.items()))


def import_sanctions(
    vault: Vault,
    path: str | Path,
    asset: str | None = None,
    *,
    list_date: date | None = None,
    allow_older: bool = False,
) -> dict[str, int]:
    """Import a sanctions list file into the vault; returns the counts per chain/asset.

    The SDN advanced XML (plain or zipped) names each address's asset and its
    publication date; a plain list (one address per line) needs `asset`, or a
    file name like `sanctioned_addresses_ETH.txt`, and may be dated with
    `list_date`. The file replaces the previous import of the same source
    (`ofac-sdn`, or `ofac-plain-<ASSET>`) in one transaction, with one
    `sanctions.imported` event. An empty list, or a publication older than the
    one in the vault (unless `allow_older`), is refused and changes nothing.
    Runs on the database worker; parsing happens before the transaction starts.
    """
    path = Path(path)
    try:
        kind = sniff(path)
        if kind == "plain":
            asset = asset or asset_from_name(path)
            code = asset_code(asset) if asset else None
            source, label = f"ofac-plain-{code}", PLAIN_LABEL
        else:
            code, source, label = asset, XML_SOURCE, XML_LABEL
        collected = _Collected()
        for record in iter_list(path, asset=code, list_date=list_date):
            collected.add(record)
        digest = sha256_of(path)
    except OSError as exc:
        raise SanctionsImportError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except SanctionsFormatError as exc:
        raise SanctionsImportError(f"{path.name}: {exc}") from None
    if not collected.drafts:
        raise SanctionsImportError(
            f"No digital-currency addresses found in {path.name}: is it the SDN advanced "
            "XML or a list of addresses? The lists in the vault were left as they were."
        )
    counts = collected.counts()
    published = None if collected.list_date is None else collected.list_date.isoformat()
    info = {
        "source": source,
        "label": label,
        "list_date": published,
        "file_name": path.name,
        "sha256": digest,
        "imported_at": utc_now().isoformat(timespec="seconds"),
        "counts": counts,
    }
    with vault.transaction() as tx:
        previous = store.list_info(tx.conn, source)
        _refuse_older(previous, published, allow_older=allow_older)
        store.replace_list(tx.conn, info=info, entries=collected.entries())
        replaced = None
        if previous is not None:
            replaced = {k: previous[k] for k in ("list_date", "sha256", "imported_at")}
        tx.event(
            "sanctions.imported",
            {**info, "listed": dict(sorted(collected.listed.items())), "replaced": replaced},
        )
    return counts


def _refuse_older(
    previous: dict[str, Any] | None, published: str | None, *, allow_older: bool
) -> None:
    if previous is None or allow_older or not published or not previous["list_date"]:
        return
    if published < previous["list_date"]:
        raise SanctionsImportError(
            f"This list was published on {published}, before the one in the vault "
            f"({previous['list_date']}); importing it would drop newer designations. "
            "Nothing was changed (import it with --allow-older if that is what you want)."
        )


def remove_list(vault: Vault, source: str) -> bool:
    """Remove an imported list (a stale plain list, say), with an event."""
    with vault.transaction() as tx:
        removed = store.remove_list(tx.conn, source)
        if removed:
            tx.event("sanctions.removed", {"source": source})
    return removed


# --- screening -----------------------------------------------------------------


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
