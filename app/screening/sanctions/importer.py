"""Importing an OFAC file (SDN advanced XML or plain list) into the vault."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.screening.risk import utc_now
from app.screening.sanctions import shared
from app.screening.sanctions.mapping import (
    CSV_LABEL,
    CSV_SOURCE,
    PLAIN_SOURCE,
    XML_LABEL,
    XML_SOURCE,
    SanctionsImportError,
    classify,
    plain_label,
)
from app.screening.sanctions.parties import Parties, read_parties
from integrations.sanctions import (
    ListedAddress,
    SanctionsFormatError,
    asset_code,
    asset_from_name,
    iter_list,
    sha256_of,
    sniff,
)
from vault.screening import sanctions as store
from vault.screening.sanctions import Entry
from vault.store import Vault


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
    shown_as: str | None = None,
    aliases: str | Path | None = None,
) -> dict[str, int]:
    """Import a sanctions list file into the vault; returns the counts per chain/asset.

    The SDN advanced XML (plain or zipped) names each address's asset and its
    publication date; a plain list (one address per line) needs `asset`, or a
    file name like `sanctioned_addresses_ETH.txt`, and `list_date`, the date the
    user states it was published: a plain list carries none, and its file's
    modification time says when it was copied, not what it holds. A `list_date`
    given for a dated XML must be that date. The list is named by its file
    (`shown_as` replaces the name: the demo's synthetic list must not pass for
    OFAC's); its file name, SHA-256 and date go with every answer from it. The
    file replaces the previous import of the same source (`ofac-sdn`, or
    `ofac-plain-<ASSET>`) in one transaction, with one `sanctions.imported`
    event. An empty or undated list, or a publication older than the one in the
    vault (unless `allow_older`), is refused and changes nothing.

    OFAC's legacy `sdn.csv` (detected; source `ofac-sdn-csv`) also brings the list's
    parties, for name screening, with OFAC's `alt.csv` of aliases when `aliases`
    names it; the addresses in its remarks go to the address list. It is undated,
    like a plain list. The counts then include "parties" and "aliases".
    Runs on the database worker; parsing happens before the transaction starts.
    """
    path = Path(path)
    parties: Parties | None = None
    try:
        kind = sniff(path)
        if aliases is not None and kind != "sdn-csv":
            raise SanctionsImportError(
                f"{path.name} is not OFAC's sdn.csv: an alias file (alt.csv) goes only "
                "with that. Nothing was changed."
            )
        if kind == "sdn-csv":
            if asset is not None:
                raise SanctionsImportError(
                    f"{path.name} is OFAC's sdn.csv, which names each address's asset: "
                    "leave out --asset (it is for plain lists). Nothing was changed."
                )
            code, source, label = asset, CSV_SOURCE, shown_as or CSV_LABEL
            parties = read_parties(path, None if aliases is None else Path(aliases))
        elif kind == "plain":
            asset = asset or asset_from_name(path)
            code = asset_code(asset) if asset else None
            source = f"{PLAIN_SOURCE}{code}"
            label = shown_as or plain_label(code or "", path.name)
        else:
            code, source, label = asset, XML_SOURCE, shown_as or XML_LABEL
        collected = _Collected()
        records = parties.addresses() if parties is not None else iter_list(path, asset=code)
        for record in records:
            collected.add(record)
        digest = sha256_of(path)
    except OSError as exc:
        raise SanctionsImportError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except SanctionsFormatError as exc:
        raise SanctionsImportError(f"{path.name}: {exc}") from None
    if parties is not None and not parties.rows:
        raise SanctionsImportError(
            f"No parties found in {path.name}. The lists in the vault were left as they were."
        )
    if not collected.drafts and parties is None:
        raise SanctionsImportError(
            f"No digital-currency addresses found in {path.name}: is it the SDN advanced "
            "XML or a list of addresses? The lists in the vault were left as they were."
        )
    dated, date_from = _list_date(path.name, collected.list_date, list_date)
    counts = collected.counts()
    if parties is not None:
        counts.update(parties.counts())
    published = dated.isoformat()
    info = {
        "source": source,
        "label": label,
        "list_date": published,
        "date_from": date_from,
        "file_name": path.name,
        "sha256": digest,
        "imported_at": utc_now().isoformat(timespec="seconds"),
        "counts": counts,
    }
    with vault.transaction() as tx:
        previous = store.list_info(tx.conn, source)
        _refuse_older(previous, published, allow_older=allow_older)
        store.replace_list(tx.conn, info=info, entries=collected.entries())
        if parties is not None:
            parties.write(tx.conn, source)
            info["files"] = parties.files_info()
        replaced = None
        if previous is not None:
            replaced = {k: previous[k] for k in ("list_date", "sha256", "imported_at")}
        tx.event(
            "sanctions.imported",
            {**info, "listed": dict(sorted(collected.listed.items())), "replaced": replaced},
        )
        shared.share(tx, source)
    return counts


def _list_date(name: str, in_file: date | None, stated: date | None) -> tuple[date, str]:
    """The list's publication date and where it comes from ('file' or 'user')."""
    if in_file is not None:
        if stated is not None and stated != in_file:
            raise SanctionsImportError(
                f"{name} says it was published on {in_file.isoformat()}, not on "
                f"{stated.isoformat()}: leave the date out (the file's own is used). "
                "Nothing was changed."
            )
        return in_file, "file"
    if stated is None:
        raise SanctionsImportError(
            f"{name} gives no publication date: state the date the list was published "
            "(--date YYYY-MM-DD, or the date in the import dialog), so that every answer "
            "from it shows which publication it rests on. The file's modification time "
            "is not that date. Nothing was changed."
        )
    return stated, "user"


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
