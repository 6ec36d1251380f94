"""Data-subject access: everything held about one customer, as JSON and as readable text."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from app.book.documents import EXTENSIONS, DocumentInfo, documents_of, write_copy
from app.book.models import ValidationError
from app.book.reads import CustomerDetail, HistoryRow, customer_detail, customer_history
from app.book.service import CustomerBook
from vault.atomic import write_atomic
from vault.book import documents as rows


def export_subject(
    book: CustomerBook, customer_id: int, folder: Path, *, reason: str
) -> list[Path]:
    """Write `<uid>.json` (machine-readable) and `<uid>.txt` (for a person) into `folder`,
    and a copy of each of the customer's documents (`<uid>-document-<n>.<ext>`)."""
    if not reason.strip():
        raise ValidationError("reason", "a data-subject export needs a reason (audited)")
    detail = customer_detail(book.vault.conn, customer_id)
    if detail is None:
        raise ValidationError("customer", "no such customer")
    history = customer_history(book.vault.conn, book.keys, customer_id, limit=1_000_000)
    record = dataclasses.asdict(detail)
    base = folder / f"customer-{detail.uid}"
    stored = rows.of_customer(book.vault.conn, customer_id)
    infos = documents_of(book.vault.conn, book.keys, customer_id)
    copies = [
        folder / f"{base.name}-document-{n}{EXTENSIONS[row.media_type]}"
        for n, row in enumerate(stored, start=1)
    ]
    doc = {
        "format": "strongroom-subject-export",
        "version": 1,
        "customer": record,
        "history": [dataclasses.asdict(h) for h in history],
        "documents": [
            {**info.as_dict(), "copy": path.name} for info, path in zip(infos, copies, strict=True)
        ],
    }
    json_path, text_path = base.with_suffix(".json"), base.with_suffix(".txt")
    for path in (json_path, text_path, *copies):
        if path.exists():
            raise ValidationError("file", f"{path} already exists")
    for row, path in zip(stored, copies, strict=True):
        write_copy(book, row, path)
    write_atomic(json_path, json.dumps(doc, indent=2, ensure_ascii=False, default=str).encode())
    write_atomic(text_path, _readable(detail, history, infos).encode("utf-8"))
    book.vault.audit(
        "subject.exported",
        {
            "customer": detail.uid,
            "reason": reason.strip(),
            "files": [json_path.name, text_path.name, *(p.name for p in copies)],
        },
    )
    return [json_path, text_path, *copies]


def _readable(
    detail: CustomerDetail, history: list[HistoryRow], documents: list[DocumentInfo]
) -> str:
    d = dataclasses.asdict(detail)
    lines = [f"Everything held about {d['display_name']}", "=" * 60, ""]
    for key in (
        "legal_name",
        "kind",
        "country",
        "external_id",
        "owner",
        "kyc_status",
        "kyc_expires_at",
        "risk_rating",
        "risk_reason",
        "created_at",
        "updated_at",
    ):
        lines.append(
            f"{key.replace('_', ' ').capitalize():<18} {d[key] if d[key] is not None else '-'}"
        )
    for label, key in (("Emails", "emails"), ("Phones", "phones"), ("Tags", "tags")):
        lines.append(f"{label:<18} {', '.join(d[key]) or '-'}")
    lines += ["", "Wallet addresses", "-" * 60]
    lines += [f"{a['chain']:<10} {a['address']}  {a['label'] or ''}" for a in d["addresses"]] or [
        "-"
    ]
    lines += ["", "Notes", "-" * 60]
    lines += [f"{n['at']}  {n['kind']}: {n['body']}" for n in d["notes"]] or ["-"]
    lines += ["", "Tasks", "-" * 60]
    lines += [f"{t['title']} (due {t['due_at'] or '-'})" for t in d["tasks"]] or ["-"]
    lines += ["", "Custom fields", "-" * 60]
    lines += [f"{c['label']:<24} {c['value'] or '-'}" for c in d["custom"]] or ["-"]
    lines += ["", "Documents (a copy of each is beside this file)", "-" * 60]
    lines += [
        f"{doc.type:<26} {doc.file_name}  issued {doc.issued_on or '-'}  "
        f"expires {doc.expires_on or '-'}"
        for doc in documents
    ] or ["-"]
    lines += ["", "History (newest first)", "-" * 60]
    for h in history:
        row = dataclasses.asdict(h)
        lines.append(f"{row['at']}  {h.who}  {row['type']}")
        lines.append(f"    {json.dumps(row['details'], ensure_ascii=False, default=str)}")
    return "\n".join(lines) + "\n"
