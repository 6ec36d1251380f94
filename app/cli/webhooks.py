"""`strongroom webhooks add|list|remove|test|log` (the last line printed is one JSON object)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from app.book.models import ValidationError
from app.session import VaultSession
from app.webhooks import endpoints
from app.webhooks.delivery import deliver_due
from app.webhooks.signing import message_id
from vault import webhooks as hooks
from vault.errors import VaultError


def run(args: argparse.Namespace, session: VaultSession) -> int:
    vault = session.vault
    command = args.webhooks_command
    try:
        if command == "add":
            added = endpoints.add(vault, args.url, args.events)
            print(json.dumps({"id": added.id, "secret": added.secret}))
        elif command == "list":
            for endpoint in endpoints.listed(vault):
                print(json.dumps({**asdict(endpoint), "events": list(endpoint.events)}))
        elif command == "remove":
            if not endpoints.remove(vault, args.id):
                print(f"strongroom webhooks: there is no endpoint {args.id}.", file=sys.stderr)
                return 1
            print(json.dumps({"removed": args.id}))
        elif command == "test":
            return _test(args, session)
        else:
            for row in hooks.attempts(vault.conn, endpoint_id=args.id, limit=args.limit):
                print(json.dumps(asdict(row)))
    except ValidationError as exc:
        raise VaultError(f"{exc.field}: {exc.reason}") from None
    return 0


def _test(args: argparse.Namespace, session: VaultSession) -> int:
    """Queue a test event for the endpoint and run the webhook deliveries now."""
    vault = session.vault
    key = endpoints.queue_test(vault, args.id)
    deliver_due(vault)
    sent = message_id(key)
    tried = hooks.attempts(vault.conn, endpoint_id=args.id, limit=20)
    mine = next((a for a in tried if a.message_id == sent), None)
    line: dict[str, object] = {"id": args.id, "key": key, "delivered": False}
    if mine is not None:
        line.update(delivered=mine.error is None, status=mine.status, error=mine.error)
    print(json.dumps(line))
    return 0 if line["delivered"] else 1
