"""Importing customers and addresses from CSV/XLSX.

Every row is validated; valid rows are committed in batches (one
transaction each, so a cancel or crash keeps only whole batches of whole,
valid rows); every rejected row is kept with its line number and reason.
Re-importing the same file changes nothing: customers are matched by
external id (or an identical record) and addresses by customer and chain.
Runs on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.addresses import AddressError, normalize
from app.book import tables, validate
from app.book.mapping import FIELDS, Mapping
from app.book.models import AddressDraft, Outcome, ValidationError
from app.book.service import CustomerBook
from vault.book import addresses
from vault.store import Transaction

BATCH = 10_000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Reject:
    line: int
    reason: str
    cells: list[str]


@dataclass
class ImportReport:
    kind: str
    added: int = 0
    unchanged: int = 0
    changed: int = 0
    rejected: int = 0
    conflicts: int = 0
    rejects: list[Reject] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "rejected": self.rejected,
            "conflicts": self.conflicts,
        }

    def save_rejects(self, path: Path) -> None:
        """The rejected rows as they were, plus line and reason: fix and re-import."""
        tables.write(
            path,
            ["line", "reason", *self.headers],
            [[r.line, r.reason, *r.cells] for r in self.rejects],
        )


def _fields(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    return {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}


def run_import(
    book: CustomerBook,
    path: Path,
    mapping: Mapping,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Import `path` into the book; raises TableError/MappingError only for the file itself."""
    table = tables.read(path, encoding=mapping.encoding, delimiter=mapping.delimiter)
    columns = mapping.resolve(table.headers)
    report = ImportReport(kind=mapping.kind, headers=table.headers)
    batch: list[tuple[int, list[str]]] = []
    done = 0

    links = _AddressLinks() if mapping.kind == "addresses" else None

    def reject(line: int, cells: list[str], exc: ValidationError) -> None:
        report.rejected += 1
        report.rejects.append(Reject(line, f"{exc.field}: {exc.reason}", cells))

    def flush() -> None:
        nonlocal done
        with book.vault.transaction() as tx, tx.buffered_events():
            if links is None:
                for line, cells in batch:
                    try:
                        _customer_row(book, tx, _fields(cells, columns), report)
                    except ValidationError as exc:
                        reject(line, cells, exc)
            else:
                first_new = addresses.next_row(tx.conn)
                ready = []
                for line, cells in batch:
                    try:
                        ready.append(links.prepare(tx, _fields(cells, columns)))
                    except ValidationError as exc:
                        reject(line, cells, exc)
                for outcome in book.link_addresses(tx, ready):
                    _count(report, outcome)
                report.conflicts += len(book.flag_conflicts(tx, since_row=first_new))
        done += len(batch)
        batch.clear()
        if progress is not None:
            progress("rows", done, max(done, table.estimated_rows))

    for line, cells in table.rows:
        batch.append((line, cells))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    book.vault.audit(
        "import.finished", {"kind": mapping.kind, "file": path.name, **report.counts()}
    )
    return report


def _customer_row(
    book: CustomerBook, tx: Transaction, fields: dict[str, str], report: ImportReport
) -> None:
    _, outcome = book.save_customer(tx, validate.customer(fields))
    _count(report, outcome)


def _count(report: ImportReport, outcome: Outcome) -> None:
    if outcome.added:
        report.added += 1
    elif outcome.changed:
        report.changed += 1
    else:
        report.unchanged += 1


class _AddressLinks:
    """Checks each address row and finds its customer; the batch is then linked at once."""

    def __init__(self) -> None:
        self._customers: dict[str, tuple[int, str]] = {}

    def prepare(self, tx: Transaction, fields: dict[str, str]) -> tuple[int, str, AddressDraft]:
        external = fields.get("customer_external_id", "").strip()
        if not external:
            raise ValidationError("customer_external_id", "is empty")
        chain = fields.get("chain", "").strip().lower()
        if not chain:
            raise ValidationError("chain", "is empty")
        try:
            address = normalize(chain, fields.get("address", ""))
        except AddressError as exc:
            raise ValidationError("address", exc.reason) from None
        found = self._customers.get(external)
        if found is None:
            row = tx.execute(
                "SELECT id, uid FROM customers WHERE external_id = ?", (external,)
            ).fetchone()
            if row is None:
                raise ValidationError(
                    "customer_external_id", f"no customer with external id '{external[:40]}'"
                )
            found = self._customers[external] = (int(row[0]), str(row[1]))
        draft = AddressDraft(chain, address, fields.get("label"), fields.get("evidence"))
        return found[0], found[1], draft


def default_mapping(kind: str) -> Mapping:
    if kind not in FIELDS:
        raise ValueError(f"unknown import kind {kind!r}")
    return Mapping(kind=kind)
