"""The arguments of `strongroom alerts ...` (apart from the command, so that building
the parser imports nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: the statuses `alerts list --status` takes (vault.alerts.store.STATUSES)
LIST_STATUSES = ("open", "snoozed", "acknowledged", "cleared")


def add_parser(sub: Any, common: Callable[[Any], None]) -> None:
    """The `alerts` command; `common(p)` adds the vault, unlock and --debug options."""
    p = sub.add_parser(
        "alerts",
        help="alert rules over the book: run them, list, acknowledge, snooze, see or set them",
    )
    acts = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    q = acts.add_parser(
        "run",
        help="run every rule now; one JSON object per alert raised (id, rule, severity, "
        'subject, why, values), then {"raised": ..., "cleared": ..., "live": ...}',
    )
    common(q)
    q = acts.add_parser("list", help="alerts, newest first, one JSON object per line")
    q.add_argument(
        "--status",
        choices=LIST_STATUSES,
        metavar="STATUS",
        help=f"only these: {', '.join(LIST_STATUSES)} (default: every alert not cleared)",
    )
    q.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    common(q)
    q = acts.add_parser("ack", help="acknowledge an alert with a reason (audited)")
    q.add_argument("id", metavar="ID", help="the alert's id, as run and list print it")
    q.add_argument("--reason", required=True, help="why it needs no more action (audited)")
    common(q)
    q = acts.add_parser("snooze", help="hide an alert from the open ones for a while")
    q.add_argument("id", metavar="ID", help="the alert's id")
    q.add_argument("--days", type=float, default=1.0, help="for this many days (default 1)")
    common(q)
    q = acts.add_parser("task", help="turn an alert into a task on its customer")
    q.add_argument("id", metavar="ID", help="the alert's id")
    common(q)
    q = acts.add_parser("rules", help="the rules in force: show them as YAML, or set a file")
    q.add_argument("rules_action", choices=("show", "set"), metavar="show|set")
    q.add_argument("file", nargs="?", metavar="FILE", help="set: the YAML file of rules")
    common(q)
