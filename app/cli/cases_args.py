"""The arguments of `strongroom cases ...` (apart from the command, so that building
the parser imports nothing heavy)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cases.model import DISPOSITIONS, ITEM_KINDS, REF_HELP, STATUSES
from app.cli.reviews_args import acting_as_option


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """The `cases` command; `common(p)` adds the vault, unlock and --debug options."""
    p = sub.add_parser("cases", help="cases: what a suspicion is about, closed by four eyes")
    acts = p.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    q = acts.add_parser("open", help='open a case about a customer; prints it ({"id": ...})')
    q.add_argument("--customer", required=True, metavar="EXTERNAL_ID", help="the customer")
    q.add_argument("--title", required=True, metavar="TEXT", help="what is suspected")
    q.add_argument("--owner", metavar="NAME", help="who works on it (default: you)")
    acting_as_option(q)
    common(q)
    q = acts.add_parser("list", help="the cases, one JSON object per line, newest change first")
    q.add_argument("--status", choices=STATUSES, action="append", help="only these (repeat)")
    common(q)
    q = acts.add_parser("show", help="one case with what it gathers, as one JSON object")
    q.add_argument("id", metavar="ID", help="the case's id or number")
    common(q)
    q = acts.add_parser("add", help="link something to a case, or add a note")
    q.add_argument("id", metavar="ID", help="the case's id or number")
    q.add_argument("kind", choices=ITEM_KINDS, metavar="KIND", help=", ".join(ITEM_KINDS))
    q.add_argument("ref", metavar="REF", help="; ".join(f"{k}: {v}" for k, v in REF_HELP.items()))
    acting_as_option(q)
    common(q)
    q = acts.add_parser("escalate", help="mark an open case escalated")
    q.add_argument("id", metavar="ID")
    acting_as_option(q)
    common(q)
    q = acts.add_parser(
        "close",
        help="ask to close a case with a disposition: a 'case_close' approval request that "
        "a second officer approves (strongroom approvals decide)",
    )
    q.add_argument("id", metavar="ID")
    q.add_argument("--disposition", required=True, choices=DISPOSITIONS)
    q.add_argument("--reason", required=True, metavar="TEXT", help="why it can close")
    acting_as_option(q)
    common(q)
    q = acts.add_parser(
        "export", help="write case-N.json, case-N.pdf and the linked documents into DIR"
    )
    q.add_argument("id", metavar="ID")
    q.add_argument("--to", required=True, metavar="DIR", help="the folder (made if missing)")
    common(q)
