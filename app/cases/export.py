"""A case as a report for the financial intelligence unit: one JSON file with
everything the case gathers (resolved: the hits with why they matched, the
screening answers, the flows, the documents' details, the notes, the closing
request and its signed decisions, the customer's reviews), the same as a PDF,
and a copy of each linked document.

Runs on the database worker. The PDF is drawn by the `PdfWriter` the front end
hands in (Qt draws it; app/ draws nothing). Every file is written atomically, and
the export is audited as a read of personal data.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.approvals.times import iso
from app.book import documents
from app.cases.model import CaseError, PdfWriter
from app.cases.service import Cases
from app.reviews.service import Reviews
from vault.approvals import store
from vault.atomic import write_atomic
from vault.cases import rows
from vault.screening import name_hits


def report(cases: Cases, key: str) -> dict[str, Any]:
    """Everything the case holds, as plain values."""
    view = cases.case(key)
    row = rows.case(cases.vault.conn, view.id)
    assert row is not None  # read just above
    conn = cases.vault.conn
    items: list[dict[str, Any]] = []
    for item in view.detail:
        entry: dict[str, Any] = {
            "kind": item.kind,
            "ref": item.ref,
            "added_by": item.added_by,
            "added_at": item.added_at,
        }
        if item.kind == "note":
            entry["text"] = item.text
        elif item.kind == "name_hit":
            hit = name_hits.hit(conn, int(item.ref))
            if hit is not None:
                entry["hit"] = {
                    "name": hit.name,
                    "listed_name": hit.listed_name,
                    "source": hit.source,
                    "entry": hit.entry_id,
                    "program": hit.program,
                    "score": hit.score,
                    "why": hit.why,
                    "status": hit.status,
                    "reason": hit.reason,
                    "decided_at": hit.decided_at,
                    "signer": hit.signer,
                }
        elif item.kind in ("address_hit", "flow"):
            chain, _, address = item.ref.partition(":")
            if item.kind == "address_hit":
                entry["screenings"] = rows.screenings_of(conn, chain, address)
            else:
                entry["flows"] = rows.flows_of(conn, chain, address)
        elif item.kind == "document":
            found = next(
                (
                    d
                    for d in documents.documents_of(conn, cases.book.keys, row.customer_id)
                    if d.id == item.ref
                ),
                None,
            )
            if found is not None:
                entry["document"] = found.as_dict()
        items.append(entry)
    closing: dict[str, Any] | None = None
    if view.close_request:
        members = {m.address: m.name for m in store.members(conn)}
        closing = {
            "request": view.close_request,
            "status": view.close_status,
            "disposition": view.disposition,
            "reason": view.disposition_reason,
            "decisions": [
                {
                    "member": members.get(d.signer, ""),
                    "signer": d.signer,
                    "verdict": d.verdict,
                    "reason": d.reason,
                    "at": d.created_at,
                    "signature": "0x" + d.signature.hex(),
                }
                for d in store.decisions_of(conn, view.close_request)
            ],
        }
    reviews = [
        {
            "id": r.uid,
            "reviewed_at": r.reviewed_at,
            "outcome": r.outcome,
            "answers": {a[0]: a[2] for a in r.answers},
            "signer": r.signer,
        }
        for r in Reviews(cases.vault).history(row.customer_id)
    ]
    return {
        "case": view.as_dict(),
        "customer": rows.customer_record(conn, row.customer_id),
        "items": items,
        "closing": closing,
        "reviews": reviews,
        "exported_at": iso(cases.clock()),
    }


def export_case(cases: Cases, key: str, folder: Path, pdf: PdfWriter) -> dict[str, Any]:
    """Write case-N.json, case-N.pdf and documents/ into `folder` (made if missing);
    returns what was written. Refuses to overwrite an earlier export's files."""
    data = report(cases, key)
    number = data["case"]["number"]
    json_path = folder / f"case-{number}.json"
    pdf_path = folder / f"case-{number}.pdf"
    for path in (json_path, pdf_path):
        if path.exists():
            raise CaseError(f"{path} exists already; choose another folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CaseError(f"The folder {folder} cannot be made: {exc.strerror}.") from None
    copies: list[str] = []
    for item in data["items"]:
        if item["kind"] == "document" and "document" in item:
            doc = item["document"]
            target = folder / "documents" / f"{doc['id']}{documents.EXTENSIONS[doc['media_type']]}"
            target.parent.mkdir(exist_ok=True)
            documents.write_copy(
                cases.book, documents.find(cases.book, doc["id"]), target, replace=True
            )
            item["file"] = str(target.relative_to(folder))
            copies.append(item["file"])
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    write_atomic(json_path, text.encode("utf-8"))
    temporary = pdf_path.with_name(f".{pdf_path.name}.part")
    try:
        pdf(html_of(data), temporary)
        os.replace(temporary, pdf_path)
    finally:
        temporary.unlink(missing_ok=True)
    cases.vault.audit(
        "case.exported",
        {
            "customer": data["customer"].get("uid"),
            "case": data["case"]["id"],
            "documents": len(copies),
        },
    )
    return {
        "case": data["case"]["id"],
        "json": str(json_path),
        "pdf": str(pdf_path),
        "documents": copies,
    }


def _cell(value: object) -> str:
    if isinstance(value, dict | list):
        return html.escape(json.dumps(value, ensure_ascii=False, default=str))
    return html.escape("" if value is None else str(value))


def _table(rows_: list[Mapping[str, Any]]) -> str:
    if not rows_:
        return "<p><i>none</i></p>"
    heads = list(rows_[0])
    head = "".join(f"<th>{_cell(h)}</th>" for h in heads)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(r.get(h))}</td>" for h in heads) + "</tr>" for r in rows_
    )
    return f"<table border='1' cellspacing='0' cellpadding='3'><tr>{head}</tr>{body}</table>"


def _fields(values: Mapping[str, Any]) -> str:
    return _table([{"field": k, "value": v} for k, v in values.items()])


def html_of(data: Mapping[str, Any]) -> str:
    """The report as simple HTML (what the PDF shows): every value escaped."""
    case = data["case"]
    parts = [
        f"<h1>Case {_cell(case['number'])}: {_cell(case['title'])}</h1>",
        f"<p>As of {_cell(data['exported_at'])}. Case id {_cell(case['id'])}.</p>",
        "<h2>Case</h2>",
        _fields(case),
        "<h2>Customer</h2>",
        _fields(data["customer"]),
        "<h2>What the case gathers</h2>",
    ]
    for n, item in enumerate(data["items"], start=1):
        # a note's ref is only its id: the heading names what a person recognises
        named = "" if item["kind"] == "note" else f": {_cell(item['ref'])}"
        parts.append(f"<h3>{n}. {_cell(item['kind'].replace('_', ' '))}{named}</h3>")
        parts.append(f"<p>Added by {_cell(item['added_by'])} on {_cell(item['added_at'])}.</p>")
        if "text" in item:
            parts.append(f"<p>{_cell(item['text'])}</p>")
        for key in ("hit", "document"):
            if key in item:
                parts.append(_fields(item[key]))
        for key in ("screenings", "flows"):
            if key in item:
                parts.append(_table(item[key]))
    parts.append("<h2>Closing</h2>")
    closing = data["closing"]
    if closing is None:
        parts.append("<p><i>not asked to close</i></p>")
    else:
        parts.append(_fields({k: v for k, v in closing.items() if k != "decisions"}))
        parts.append(_table(closing["decisions"]))
    parts.append("<h2>Reviews of the customer</h2>")
    parts.append(_table(data["reviews"]))
    return "<html><body style='font-size: 9pt'>" + "".join(parts) + "</body></html>"
