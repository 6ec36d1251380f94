"""`strongroom cases open|list|show|add|escalate|close|export`: cases from a script.
One JSON object per line; errors go to stderr as a sentence (exit 1)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cases.export import export_case
from app.cases.model import CaseError, PdfWriter
from app.cases.service import Cases
from app.session import VaultSession


def run(args: argparse.Namespace, session: VaultSession, pdf: PdfWriter) -> int:
    service = Cases(session.vault, acting_as=getattr(args, "acting_as", None))
    try:
        command = args.cases_command
        if command == "open":
            _emit(service.open_case(args.customer, args.title, owner=args.owner).as_dict())
        elif command == "list":
            for view in service.cases(statuses=args.status or ()):
                _emit(view.as_dict())
        elif command == "show":
            view = service.case(args.id)
            _emit({**view.as_dict(), "detail": [vars(i) for i in view.detail]})
        elif command == "add":
            _emit(vars(service.add(args.id, args.kind, args.ref)))
        elif command == "escalate":
            _emit(service.escalate(args.id).as_dict())
        elif command == "close":
            request = service.request_close(args.id, args.disposition, args.reason)
            _emit({"case": args.id, "request": request.id, "status": request.status})
        else:
            _emit(export_case(service, args.id, Path(args.to), pdf))
        return 0
    except CaseError as exc:
        print(f"strongroom cases: {exc}", file=sys.stderr)
        return 1
    finally:
        service.forget()


def _emit(value: dict[str, object]) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str), flush=True)
