"""The arguments of `strongroom documents ...` (apart from the command, so that building
the parser imports nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.book.models import DOCUMENT_TYPES


def add_parser(sub: Any, common: Callable[[Any], None], *, date_type: Callable[[str], Any]) -> None:
    """The `documents` command; `common(p)` adds the vault, unlock and --debug options."""
    p = sub.add_parser(
        "documents",
        help="KYC documents kept in the vault, sealed under their customer's key",
    )
    acts = p.add_subparsers(dest="documents_command", metavar="ACTION", required=True)
    q = acts.add_parser(
        "add",
        help='add a PDF, PNG or JPEG (at most 25 MB) to a customer; prints {"id": ...}',
    )
    q.add_argument("file", metavar="FILE", help="the scan or PDF")
    q.add_argument("--customer", required=True, metavar="EXTERNAL_ID", help="the customer")
    q.add_argument(
        "--type",
        required=True,
        choices=DOCUMENT_TYPES,
        metavar="TYPE",
        help=f"what the document is: {', '.join(DOCUMENT_TYPES)}",
    )
    q.add_argument("--issued", type=date_type, metavar="DATE", help="issue date (2024-09-27)")
    q.add_argument("--expires", type=date_type, metavar="DATE", help="expiry date (2034-09-26)")
    common(q)
    q = acts.add_parser(
        "list",
        help="a customer's documents, one JSON object per line, with expired and expiring "
        "(within 30 days) flags",
    )
    q.add_argument("--customer", required=True, metavar="EXTERNAL_ID", help="the customer")
    common(q)
    q = acts.add_parser(
        "get", help="save a copy of a document to a new file (audited); prints it as JSON"
    )
    q.add_argument("id", metavar="ID", help="the document's id, as add and list print it")
    q.add_argument("--to", required=True, metavar="FILE", help="the file to write (must not exist)")
    common(q)
