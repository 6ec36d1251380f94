"""`strongroom alerts run|list|ack|snooze|task|rules show|set`: the alert rules from a
script.

`run` prints one JSON object per alert raised and a summary last; `list` one per
alert; `ack`, `snooze`, `task` and `rules set` one object; `rules show` the YAML in
force. Errors go to stderr as a sentence: exit 1 for a refused value or rules file
(with its line and column), 2 for a file that cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import bounded_yaml
from app.alerts import actions
from app.alerts.engine import subject_of
from app.alerts.rules import RulesError
from app.alerts.rules_store import current_text, set_rules
from app.alerts.service import AlertService
from app.book.models import ValidationError
from app.book.service import CustomerBook
from app.session import VaultSession
from vault.alerts import store
from vault.alerts.store import AlertRow


def run(args: argparse.Namespace, session: VaultSession) -> int:
    vault = session.vault
    try:
        action = args.alerts_command
        if action == "run":
            report = AlertService(vault, session.bus).run()
            for raised in report.raised:
                _emit(raised.as_dict())
            _emit({"raised": len(report.raised), "cleared": report.cleared, "live": report.live})
        elif action == "list":
            now = datetime.now(UTC).isoformat(timespec="seconds")
            for row in store.listed(vault.conn, status=args.status, now=now, limit=args.limit):
                _emit(alert_line(row, now))
        elif action == "ack":
            row = actions.acknowledge(vault, args.id, reason=args.reason)
            _emit(alert_line(row, datetime.now(UTC).isoformat(timespec="seconds")))
        elif action == "snooze":
            _emit(
                {
                    "id": args.id.strip(),
                    "snoozed_until": actions.snooze(vault, args.id, days=args.days),
                }
            )
        elif action == "task":
            book = CustomerBook(vault)
            try:
                _emit({"id": args.id.strip(), "task": actions.to_task(book, args.id)})
            finally:
                book.forget()
        else:
            return _rules(args, session)
    except ValidationError as exc:
        print(f"strongroom alerts: {exc.field}: {exc.reason}.", file=sys.stderr)
        return 1
    return 0


def _rules(args: argparse.Namespace, session: VaultSession) -> int:
    if args.rules_action == "show":
        sys.stdout.write(current_text(session.vault.conn))
        return 0
    if not args.file:
        print("strongroom alerts: rules set needs the YAML file to set.", file=sys.stderr)
        return 2
    path = Path(args.file)
    try:
        text = bounded_yaml.read_file(path)
    except OSError as exc:
        print(f"strongroom alerts: cannot read {path}: {exc.strerror}.", file=sys.stderr)
        return 2
    except bounded_yaml.YamlInputError as exc:
        print(f"strongroom alerts: {path} {exc}.", file=sys.stderr)
        return 1
    try:
        rules = set_rules(session.vault, text)
    except RulesError as exc:
        print(f"strongroom alerts: {path} {exc}.", file=sys.stderr)
        return 1
    _emit({"rules": "set", "enabled": sorted(r.name for r in rules.enabled())})
    return 0


def alert_line(row: AlertRow, now: str) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": row.uid,
        "rule": row.rule,
        "severity": row.severity,
        "subject": subject_of(
            external_id=row.external_id,
            uid=row.customer_uid,
            chain=row.chain,
            address=row.address,
            request_id=row.request_id,
            facts_=row.facts,
        ),
        "why": row.why,
        "values": row.facts,
        "status": row.status(now),
        "raised_at": row.raised_at,
    }
    if row.acknowledged_at:
        line["acknowledged"] = {
            "at": row.acknowledged_at,
            "by": row.acknowledged_by,
            "reason": row.ack_reason,
        }
    if row.snoozed_until:
        line["snoozed_until"] = row.snoozed_until
    if row.task_id is not None:
        line["task"] = row.task_id
    return line


def _emit(value: dict[str, Any]) -> None:
    print(json.dumps(value), flush=True)
