"""`strongroom approvals ...`: requests, decisions, members and policy from a script.

Results go to stdout as JSON (one object per line for lists; the last line of a
request is its `id` and `status`); refusals and errors go to stderr. Runs on an
unlocked session opened by app.cli.main.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app import bounded_yaml
from app.approvals.model import ApprovalError, QueueFilter, QueueRow
from app.approvals.policy import MAX_TEXT, PolicyError
from app.approvals.service import ApprovalService
from app.cli.approvals_advice import advice
from app.cli.words import any_of
from app.session import VaultSession


def run(args: argparse.Namespace, session: VaultSession) -> int:
    service = ApprovalService(session.vault, acting_as=args.acting_as)
    try:
        if args.acting_as is not None:
            service.me()  # an unknown member is an error even for a read
        return _dispatch(args, service)
    except ApprovalError as exc:
        print(f"strongroom approvals: {exc.message}", file=sys.stderr)
        return 1
    except PolicyError as exc:
        where = getattr(args, "file", None) or "policy"
        print(
            f"strongroom approvals: {where}:{exc.line}:{exc.column}: {exc.message}", file=sys.stderr
        )
        return 2
    finally:
        service.forget()


def _dispatch(args: argparse.Namespace, service: ApprovalService) -> int:
    command = args.approvals_command
    if command == "request":
        row = _request(args, service)
        _emit({"id": row.id, "status": row.status, "needed": row.needed, "summary": row.summary})
        return 0
    if command == "list":
        service.refresh()
        flt = QueueFilter(
            kinds=any_of(args.kind),  # parsed by app.cli.words: stored values
            statuses=any_of(args.status),
            customer=args.customer,
        )
        offset = 0
        while rows := service.page(flt, "created_at", True, offset, 1000):
            for row in rows:
                _emit(plain(row))
            offset += len(rows)
        return 0
    if command == "show":
        service.refresh()
        detail = service.detail(args.id)
        _emit(
            {
                **plain(detail.row),
                "fields": dict(detail.fields),
                "reasons": list(detail.reasons),
                "decisions": [plain(d) for d in detail.decisions],
            }
        )
        return 0
    if command == "decide":
        outcome = service.decide(args.id, args.verdict, args.reason)
        _emit(
            {
                "id": outcome.request_id,
                "ok": outcome.ok,
                "status": outcome.status,
                "message": outcome.message,
            }
        )
        if not outcome.ok:
            print(f"strongroom approvals: refused: {outcome.message}", file=sys.stderr)
            for line in advice(outcome, service, args.vault):
                print(line, file=sys.stderr)
            return 1
        return 0
    if command == "export":
        service.export(args.id, Path(args.to))
        _emit({"file": str(args.to), "id": args.id})
        return 0
    if command == "members":
        return _members(args, service)
    if command == "policy":
        if args.policy_command == "show":
            sys.stdout.write(service.policy_text())
            return 0
        try:
            text = bounded_yaml.read_file(Path(args.file), limit=MAX_TEXT)
        except OSError as exc:
            print(
                f"strongroom approvals: cannot read {args.file} ({exc.strerror}).", file=sys.stderr
            )
            return 2
        except bounded_yaml.YamlInputError as exc:
            raise PolicyError(exc.line, exc.column, exc.problem) from None
        service.set_policy(text)
        _emit({"policy": "set", "file": args.file})
        return 0
    report = service.verify_all()
    for problem in report.problems:
        print(problem, file=sys.stderr)
    _emit({"checked": report.checked, "verified": report.verified, "invalid": report.invalid})
    return 0 if report.ok else 7


def _request(args: argparse.Namespace, service: ApprovalService) -> QueueRow:
    if args.kind == "whitelist":
        chain, address = _target(args.address)
        limit = None if args.limit is None else _decimal(args.limit, "--limit")
        return service.request_whitelist(args.customer, chain, address, limit)
    if args.kind == "withdrawal":
        chain, address = _target(args.to)
        amount = _decimal(args.amount, "--amount")
        return service.request_withdrawal(args.customer, args.asset, amount, chain, address)
    if args.kind == "onboarding":
        return service.request_onboarding(args.customer)
    chain, address = _target(args.address)
    return service.request_risk_override(args.customer, chain, address, args.justification)


def _members(args: argparse.Namespace, service: ApprovalService) -> int:
    if args.members_command == "list":
        for member in service.members():
            _emit(plain(member))
        return 0
    if args.members_command == "add":
        _emit(plain(service.add_member(args.name, args.role)))
        return 0
    if args.members_command == "revoke":
        service.revoke_role(args.name, args.role)
        _emit({"member": args.name, "revoked": args.role})
        return 0
    service.grant_role(args.name, args.role)
    _emit({"member": args.name, "granted": args.role})
    return 0


def _target(text: str) -> tuple[str, str]:
    chain, sep, address = text.strip().partition(":")
    if not sep or not chain or not address:
        raise ApprovalError(f"'{text[:60]}' is not CHAIN:ADDRESS")
    return chain, address


def _decimal(text: str, what: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise ApprovalError(f"{what}: '{text[:30]}' is not a number") from None


def _emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def plain(value: Any) -> dict[str, Any]:
    """A result dataclass (QueueRow, DecisionView, Member) as JSON-ready values."""
    return {k: _plain_value(v) for k, v in asdict(value).items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    return value
