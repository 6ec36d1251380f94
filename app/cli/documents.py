"""`strongroom documents add|list|get`: a customer's KYC documents from a script.

Each prints JSON objects, one per line (`add` and `get` one, `list` one per
document); errors go to stderr as a sentence. Exit codes: 1 a refused file or
value, 2 a file that cannot be read or a target that exists.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.book import documents
from app.book.models import ValidationError
from app.book.service import CustomerBook
from app.session import VaultSession
from vault.book import customers


def run(args: argparse.Namespace, session: VaultSession) -> int:
    book = CustomerBook(session.vault)
    try:
        if args.documents_command == "add":
            customer_id = _customer(book, args.customer)
            draft = documents.DocumentDraft(
                customer_id=customer_id,
                path=Path(args.file),
                type=args.type,
                issued_on=args.issued,
                expires_on=args.expires,
            )
            info = documents.add_document(book, draft)
            _emit(
                {"id": info.id, "type": info.type, "media_type": info.media_type, "size": info.size}
            )
        elif args.documents_command == "list":
            customer_id = _customer(book, args.customer)
            for info in documents.documents_of(book.vault.conn, book.keys, customer_id):
                _emit(info.as_dict())
        else:
            target = Path(args.to)
            info = documents.save_copy(book, args.id, target)
            _emit(
                {
                    "id": info.id,
                    "file": str(target),
                    "size": info.size,
                    "media_type": info.media_type,
                }
            )
    except documents.FileProblem as exc:
        print(f"strongroom documents: {exc.reason}.", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"strongroom documents: {exc.field}: {exc.reason}.", file=sys.stderr)
        return 1
    finally:
        book.forget()
    return 0


def _customer(book: CustomerBook, external_id: str) -> int:
    found = customers.by_external_id(book.vault.conn, external_id.strip())
    if found is None:
        raise ValidationError(
            "customer", f"no customer with external id '{external_id[:40]}' (or it was erased)"
        )
    return found


def _emit(obj: dict[str, object]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)
