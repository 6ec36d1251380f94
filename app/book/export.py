"""Exporting lists of customers or addresses, with a reason, audited.

Cells a spreadsheet would run as formulas are neutralised (`tables.neutralise`).
Runs on the database worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.book import tables
from app.book.models import ValidationError
from vault.book import queries
from vault.store import Vault

CUSTOMER_COLUMNS = [
    "external_id",
    "name",
    "legal_name",
    "kind",
    "country",
    "email",
    "phone",
    "tags",
    "owner",
    "kyc_status",
    "risk_rating",
]
ADDRESS_COLUMNS = ["customer_external_id", "customer_name", "chain", "address", "label"]


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
        rows = queries.customers_for_export(vault.conn, text_filter=text_filter)
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
