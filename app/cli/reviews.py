"""`strongroom reviews due|record|policy`: periodic reviews from a script. One JSON
object per line; errors go to stderr as a sentence (exit 1; 2 for a policy file
that cannot be read or used, with its line and column)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app import bounded_yaml
from app.approvals.model import ApprovalError
from app.reviews.policy import MAX_TEXT, ReviewPolicyError
from app.reviews.service import ReviewError, Reviews
from app.session import VaultSession


def run(args: argparse.Namespace, session: VaultSession) -> int:
    service = Reviews(session.vault, acting_as=getattr(args, "acting_as", None))
    try:
        if args.reviews_command == "due":
            today = service.today()
            for item in service.due(within_days=args.within):
                _emit(item.as_dict(today))
        elif args.reviews_command == "record":
            answers = dict(args.answer)
            _emit(service.record(args.customer, outcome=args.outcome, answers=answers).as_dict())
        elif args.policy_command == "show":
            sys.stdout.write(service.policy_text())
        else:
            return _set_policy(service, args.file)
        return 0
    except (ReviewError, ApprovalError) as exc:
        print(f"strongroom reviews: {exc}", file=sys.stderr)
        return 1
    except ReviewPolicyError as exc:
        where = getattr(args, "file", None) or "policy"
        problem = f"{where}:{exc.line}:{exc.column}: {exc.problem}"
        print(f"strongroom reviews: {problem}", file=sys.stderr)
        return 2


def _set_policy(service: Reviews, file: str) -> int:
    try:
        text = bounded_yaml.read_file(Path(file), limit=MAX_TEXT)
    except OSError as exc:
        print(f"strongroom reviews: cannot read {file} ({exc.strerror}).", file=sys.stderr)
        return 2
    except bounded_yaml.YamlInputError as exc:
        raise ReviewPolicyError(exc.line, exc.column, exc.problem) from None
    version = service.set_policy(text)
    _emit({"policy": "set", "file": file, "version": version})
    return 0


def _emit(value: dict[str, object]) -> None:
    print(json.dumps(value, ensure_ascii=False), flush=True)
