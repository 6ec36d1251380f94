"""Exporting lists of customers or addresses, with a reason, audited.

Cells a spreadsheet would run as formulas are neutralised (`tables.neutralise`).
Runs on the database worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.book import tables
from app.book.mapping import FIELDS
from app.book.models import ValidationError
from vault.book import customers, queries
from vault.connection import Connection
from vault.store import Vault

# The import's own field names, so an exported file imports back unchanged.
CUSTOMER_COLUMNS = list(FIELDS["customers"])
ADDRESS_COLUMNS = ["customer_external_id", "customer_name", "chain", "address", "label"]
_JOINED = {"email": "emails", "phone": "phones", "tags": "tags"}


def _customer_row(conn: Connection, customer_id: int) -> list[object]:
    values = customers.record(conn, customer_id) or {}
    row: list[object] = []
    for name in CUSTOMER_COLUMNS:
        if name in _JOINED:
            row.append("; ".join(values.get(_JOINED[name]) or []))
        else:
            row.append(values.get("display_name" if name == "name" else name))
    return row


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def export(
    vault: Vault, kind: str, to: Path, *, reason: str, text_filter: str = ""
) -> ExportResult:
    """Write the (filtered) list to `to` (.csv or .xlsx) and audit who exported what, why."""
    if not reason.strip():
        raise ValidationError("reason", "every export needs a reason for the audit trail")
    if to.exists():
        raise ValidationError("file", f"{to} already exists; choose a new name")
    if kind == "customers":
        headers = CUSTOMER_COLUMNS
        ids = queries.customer_ids(vault.conn, text_filter=text_filter)
        rows = [_customer_row(vault.conn, cid) for cid in ids]
    elif kind == "addresses":
        headers = ADDRESS_COLUMNS
        rows = queries.addresses_for_export(vault.conn, text_filter=text_filter)
    else:
        raise ValidationError("kind", f"cannot export {kind!r}")
    tables.write(to, headers, rows)
    vault.audit(
        "export.created",
        {
            "kind": kind,
            "rows": len(rows),
            "file": to.name,
            "reason": reason.strip(),
            "filter": text_filter,
        },
    )
    return ExportResult(to, len(rows))
