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

from app.book import tables, validate
from app.book.mapping import FIELDS, Mapping
from app.book.models import AddressDraft, ValidationError
from app.book.service import CustomerBook
from vault.book import addresses, customers
from vault.store import Transaction

BATCH = 10_000
Progress = Callable[[str, int, int], None]
RowWriter = Callable[[CustomerBook, Transaction, dict[str, str], "ImportReport"], None]


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
    row_of = _customer_row if mapping.kind == "customers" else _address_row(book)
    batch: list[tuple[int, list[str]]] = []
    done = 0

    def flush() -> None:
        nonlocal done
        with book.vault.transaction() as tx, tx.buffered_events():
            first_new = addresses.next_row(tx.conn)
            for line, cells in batch:
                try:
                    row_of(book, tx, _fields(cells, columns), report)
                except ValidationError as exc:
                    report.rejected += 1
                    report.rejects.append(Reject(line, f"{exc.field}: {exc.reason}", cells))
            if mapping.kind == "addresses":
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
    draft = validate.customer(fields)
    _, outcome = book.save_customer(tx, draft)
    if outcome.added:
        report.added += 1
    elif outcome.changed:
        report.changed += 1
    else:
        report.unchanged += 1


def _address_row(book: CustomerBook) -> RowWriter:
    cache: dict[str, tuple[int, str]] = {}

    def row(_: CustomerBook, tx: Transaction, fields: dict[str, str], report: ImportReport) -> None:
        external = fields.get("customer_external_id", "").strip()
        if not external:
            raise ValidationError("customer_external_id", "is empty")
        found = cache.get(external)
        if found is None:
            customer_id = customers.by_external_id(tx.conn, external)
            if customer_id is None:
                raise ValidationError(
                    "customer_external_id", f"no customer with external id '{external[:40]}'"
                )
            uid = str(
                tx.execute("SELECT uid FROM customers WHERE id = ?", (customer_id,)).fetchone()[0]
            )
            found = cache[external] = (customer_id, uid)
        chain = fields.get("chain", "").strip()
        if not chain:
            raise ValidationError("chain", "is empty")
        draft = AddressDraft(
            chain=chain,
            address=fields.get("address", ""),
            label=fields.get("label"),
            evidence=fields.get("evidence"),
        )
        outcome, _row = book.link_address(tx, found[0], draft, uid=found[1])
        if outcome.added:
            report.added += 1
        elif outcome.changed:
            report.changed += 1
        else:
            report.unchanged += 1

    return row


def default_mapping(kind: str) -> Mapping:
    if kind not in FIELDS:
        raise ValueError(f"unknown import kind {kind!r}")
    return Mapping(kind=kind)
