"""`strongroom names screen|dispose|hits`: name screening from a script. One JSON
object per line; the last line of `screen` is its summary; errors go to stderr."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.approvals.model import ApprovalError
from app.names.index import NameMatch
from app.names.service import NameScreening, NameScreeningError
from app.session import VaultSession
from vault.book import customers
from vault.screening.name_hits import HitRow


def run(args: argparse.Namespace, session: VaultSession) -> int:
    service = NameScreening(session.vault, acting_as=getattr(args, "acting_as", None))
    try:
        if args.names_command == "screen":
            return _screen(args, session, service)
        if args.names_command == "dispose":
            _emit(hit_line(service.dispose(args.hit, args.verdict, args.reason)))
            return 0
        for hit in service.hits(open_only=args.open):
            _emit(hit_line(hit))
        return 0
    except (NameScreeningError, ApprovalError) as exc:
        print(f"strongroom names: {exc}", file=sys.stderr)
        return 2
    finally:
        service.forget()


def _screen(args: argparse.Namespace, session: VaultSession, service: NameScreening) -> int:
    if args.name is not None:
        matches = service.check(args.name, args.kind, birth_date=args.dob, country=args.country)
        for match in matches:
            _emit(match_line(args.name, match))
        _emit({"screened": 1, "names": 1, "hits": len(matches)})
        return 1 if matches and args.fail_on_hit else 0
    customer_id = None
    if args.customer is not None:
        customer_id = customers.by_external_id(session.vault.conn, args.customer)
        if customer_id is None:
            raise NameScreeningError(f"There is no customer with the external id {args.customer}.")
    report = service.screen(customer_id)
    for hit in report.hits:
        _emit(hit_line(hit))
    _emit(report.summary())
    return 1 if report.hits and args.fail_on_hit else 0


def hit_line(hit: HitRow) -> dict[str, Any]:
    return {
        "id": hit.id,
        "customer": hit.external_id or hit.customer_uid,
        "name": hit.name,
        "listed_name": hit.listed_name,
        "entry": hit.entry_id,
        "program": hit.program,
        "score": hit.score,
        "why": hit.why,
        "status": hit.status,
        **({"reason": hit.reason, "decided_at": hit.decided_at} if hit.reason else {}),
    }


def match_line(name: str, match: NameMatch) -> dict[str, Any]:
    return {
        "id": None,
        "customer": None,
        "name": name,
        "listed_name": match.listed.text,
        "entry": match.party.entry_id,
        "program": match.program,
        "score": match.score,
        "why": match.why(),
    }


def _emit(value: dict[str, Any]) -> None:
    print(json.dumps(value, ensure_ascii=False))
