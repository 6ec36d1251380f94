"""The arguments of `strongroom webhooks ...` (apart from the command, so that building
the parser imports nothing heavy)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

#: the same as app.webhooks.events.EVENT_TYPES (kept here so --help loads nothing)
EVENTS = ("approvals.finalized", "alert.raised", "screening.hit", "customer.risk_changed")


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """The `webhooks` command; `common(p)` adds the vault, unlock and --debug options."""
    p = sub.add_parser(
        "webhooks",
        help="endpoints that receive signed events (Standard Webhooks); deliveries go out "
        "with 'strongroom outbox run'",
    )
    acts = p.add_subparsers(dest="webhooks_command", metavar="ACTION", required=True)
    q = acts.add_parser(
        "add",
        help='a new endpoint; prints {"id": ..., "secret": "whsec_..."}: the secret is '
        "shown this once",
    )
    q.add_argument("url", metavar="URL", help="http:// or https:// URL that receives the POSTs")
    q.add_argument(
        "--event",
        dest="events",
        action="append",
        required=True,
        choices=EVENTS,
        metavar="EVENT",
        help=f"an event to send (repeatable): {', '.join(EVENTS)}",
    )
    common(q)
    q = acts.add_parser("list", help="one JSON object per endpoint (the URL without password)")
    common(q)
    q = acts.add_parser("remove", help="remove an endpoint and forget its secret")
    q.add_argument("id", metavar="ID")
    common(q)
    q = acts.add_parser(
        "test", help="send a webhook.test event to the endpoint now; prints the attempt"
    )
    q.add_argument("id", metavar="ID")
    common(q)
    q = acts.add_parser("log", help="the delivery log, newest first: one JSON per attempt")
    q.add_argument("id", metavar="ID", nargs="?", help="only this endpoint's")
    q.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    common(q)
