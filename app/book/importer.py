"""Importing customers and addresses from CSV/XLSX.

Every row is validated; valid rows are committed in batches (one
transaction each, so a cancel or crash keeps only whole batches of whole,
valid rows); every rejected row is counted and streamed, with its line number
and reason, to the rejects file if one is given; the report keeps only the
first `KEPT_REJECTS`, so memory stays flat whatever the file holds.
Re-importing the same file changes nothing: customers are matched by
external id (or an identical record) and addresses by customer and chain.
A customers import remembers which external ids it rejected (vault.book.rejected),
so an address import names the line and field that kept its customer out rather
than saying only that there is no such customer.
Runs on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.book import tables
from app.book.import_rows import BATCH, Batch, Reject, open_rows
from app.book.mapping import FIELDS, Mapping
from app.book.models import CustomerDraft, Outcome
from app.book.rejects_file import RejectsFile
from app.book.service import CustomerBook
from vault.book import addresses, rejected
from vault.store import Transaction

__all__ = ["BATCH", "ImportReport", "Reject", "default_mapping", "run_import"]

Progress = Callable[[str, int, int], None]
#: rejected rows a report holds (shown in the window, printed by the CLI); the rest
#: are only counted, and streamed to the rejects file when there is one
KEPT_REJECTS = 1000
#: and at most this many characters of their cells (a row may hold 4 MiB)
KEPT_CHARS = 16 * 1024 * 1024


@dataclass
class ImportReport:
    kind: str
    added: int = 0
    unchanged: int = 0
    changed: int = 0
    rejected: int = 0
    conflicts: int = 0
    #: the first KEPT_REJECTS rejected rows, in file order within each batch
    rejects: list[Reject] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    sink: RejectsFile | None = field(default=None, repr=False, compare=False)
    kept_chars: int = field(default=0, repr=False, compare=False)
    #: a customers import's rejected external ids (newest `rejected.LIMIT` only)
    rejected_ids: dict[str, tuple[int, str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def all_rejects_kept(self) -> bool:
        return len(self.rejects) == self.rejected

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "rejected": self.rejected,
            "conflicts": self.conflicts,
        }

    def save_rejects(self, path: Path) -> None:
        """The kept rejected rows as they were, plus line and reason: fix and re-import.
        (All of them only if `all_rejects_kept`; run_import's `rejects_to` streams all.)"""
        tables.write(
            path,
            ["line", "reason", *self.headers],
            [[r.line, r.reason, *r.cells] for r in self.rejects],
        )

    def _reject(self, found: list[Reject]) -> None:
        self.rejected += len(found)
        ordered = sorted(found, key=lambda r: r.line)
        for r in ordered:
            if len(self.rejects) >= KEPT_REJECTS or self.kept_chars >= KEPT_CHARS:
                break
            self.rejects.append(r)
            self.kept_chars += sum(map(len, r.cells))
        if self.sink is not None:
            self.sink.add(ordered)
        if self.kind == "customers":
            ids = self.rejected_ids
            for r in ordered:
                if r.external_id:
                    ids.pop(r.external_id, None)  # re-inserted last: the newest are kept
                    ids[r.external_id] = (r.line, r.reason_without_values)
            while len(ids) > rejected.LIMIT:
                del ids[next(iter(ids))]

    def _count_all(self, outcomes: list[Outcome]) -> None:
        added = sum(1 for o in outcomes if o.added)
        changed = sum(1 for o in outcomes if o.changed and not o.added)
        self.added += added
        self.changed += changed
        self.unchanged += len(outcomes) - added - changed

    def _count(self, outcome: Outcome) -> None:
        if outcome.added:
            self.added += 1
        elif outcome.changed:
            self.changed += 1
        else:
            self.unchanged += 1


def run_import(
    book: CustomerBook,
    path: Path,
    mapping: Mapping,
    *,
    progress: Progress | None = None,
    parallel: bool | None = None,
    rejects_to: Path | None = None,
) -> ImportReport:
    """Import `path` into the book; raises TableError/MappingError only for the file itself.

    `parallel`: read and check rows in a second process (None: for big files).
    `rejects_to`: a .csv or .xlsx file that receives every rejected row, written as
    they are found and put in place when the import finishes (none if none)."""
    owners = _Owners()
    imported: set[str] = set()
    with open_rows(path, mapping, parallel=parallel) as source:
        report = ImportReport(kind=mapping.kind, headers=source.headers)
        if rejects_to is not None:
            report.sink = RejectsFile(rejects_to, source.headers)
        try:
            for batch in source.batches:
                with book.vault.transaction() as tx, tx.buffered_events():
                    if mapping.kind == "addresses":
                        _write_addresses(book, tx, batch, owners, report)
                    else:
                        _write_customers(book, tx, batch, report, imported)
                if progress is not None:
                    progress("rows", batch.read, max(batch.read, source.estimated_rows))
        except BaseException:
            if report.sink is not None:
                report.sink.discard()
            raise
    if report.sink is not None:
        if report.rejected:
            report.sink.finish()
        else:
            report.sink.discard()
        report.sink = None
    if mapping.kind == "customers":
        with book.vault.transaction() as tx:
            rejected.remember(
                tx.conn, file=path.name, rejected=report.rejected_ids, imported=imported
            )
    book.vault.audit(
        "import.finished", {"kind": mapping.kind, "file": path.name, **report.counts()}
    )
    return report


def _write_customers(
    book: CustomerBook, tx: Transaction, batch: Batch, report: ImportReport, imported: set[str]
) -> None:
    for _, _, draft in batch.rows():
        assert isinstance(draft, CustomerDraft)
        report._count(book.save_customer(tx, draft)[1])
        if draft.external_id:
            imported.add(draft.external_id)
    report._reject(batch.rejects)


def _write_addresses(
    book: CustomerBook, tx: Transaction, batch: Batch, owners: _Owners, report: ImportReport
) -> None:
    first_new = addresses.next_row(tx.conn)
    # The packed tuples (customer external id, chain, address, label, evidence), not
    # batch.rows(): 100k AddressRow objects would be built only to be taken apart.
    externals = {fields[0] for fields in batch.fields}
    owners.load(tx, externals)
    ready: list[tuple[int, str, str, str, str | None, str | None]]
    rejects = list(batch.rejects)
    known = owners.known
    order: list[int] | None
    if externals.issubset(known.keys()):  # every customer found: the usual batch
        ready = [(*known[fields[0]], *fields[1:]) for fields in batch.fields]
        order = batch.order
    else:
        ready = []
        #: each checked row's place in `ready` (-1: rejected here)
        place = [-1] * len(batch.fields)
        for n, (external, chain, address, label, evidence) in enumerate(batch.fields):
            found = known.get(external)
            if found is None:
                why = owners.why_missing(tx, external)
                rejects.append(Reject(batch.lines[n], why, batch.cells[n]))
            else:
                place[n] = len(ready)
                ready.append((found[0], found[1], chain, address, label, evidence))
        order = None if batch.order is None else [place[n] for n in batch.order if place[n] >= 0]
    report._count_all(book.link_addresses(tx, ready, order=order))
    report.conflicts += len(book.flag_conflicts(tx, since_row=first_new))
    report._reject(rejects)


class _Owners:
    """Customers by external id, looked up once per import and a chunk at a time."""

    CHUNK = 500

    def __init__(self) -> None:
        #: external id -> (customer id, uid)
        self.known: dict[str, tuple[int, str]] = {}
        self._missing: set[str] = set()
        self._rejected: rejected.Rejected | None = None

    def load(self, tx: Transaction, externals: set[str]) -> None:
        wanted = [e for e in externals if e not in self.known and e not in self._missing]
        for start in range(0, len(wanted), self.CHUNK):
            part = wanted[start : start + self.CHUNK]
            marks = ", ".join("?" * len(part))
            for cid, uid, external in tx.execute(
                # only ? placeholders are joined in
                "SELECT id, uid, external_id FROM customers "  # nosec B608
                f"WHERE external_id IN ({marks})",
                tuple(part),
            ):
                self.known[str(external)] = (int(cid), str(uid))
            self._missing.update(e for e in part if e not in self.known)

    def why_missing(self, tx: Transaction, external: str) -> str:
        """The reason an address row of a missing customer is rejected. Names only what
        this file gave (the id) and, from the customers file, the line and field."""
        if self._rejected is None:
            self._rejected = rejected.load(tx.conn)  # once per import, on the first miss
        shown = external[:40]
        found = self._rejected.get(external)
        if found is None:
            return f"customer_external_id: no customer with external id '{shown}'"
        line, file, reason = found
        return (
            f"customer_external_id: customer {shown} was rejected on line {line} "
            f"of {file} ({reason}); fix that row and import the customers again"
        )


def default_mapping(kind: str) -> Mapping:
    if kind not in FIELDS:
        raise ValueError(f"unknown import kind {kind!r}")
    return Mapping(kind=kind)
