"""The arguments of `strongroom names ...` (apart from the command, so that building
the parser imports nothing heavy)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import Any


def _country(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise argparse.ArgumentTypeError(f"'{text[:10]}' is not an ISO 3166 two-letter code")
    return code


def add_parser(
    sub: Any, common: Callable[[argparse.ArgumentParser], None], iso_date: Callable[[str], date]
) -> None:
    """The `names` command; `common(p)` adds the vault, unlock and --debug options."""
    p = sub.add_parser(
        "names", help="screen customers' names against the imported sanctions lists' parties"
    )
    acts = p.add_subparsers(dest="names_command", metavar="ACTION", required=True)
    q = acts.add_parser(
        "screen",
        help="one JSON object per hit (id, customer, name, listed_name, entry, program, "
        "score, why), then a summary",
    )
    which = q.add_mutually_exclusive_group(required=True)
    which.add_argument("--customer", metavar="EXTERNAL_ID", help="one customer of the book")
    which.add_argument("--all", action="store_true", help="every customer of the book")
    which.add_argument("--name", metavar="TEXT", help="a name, stored nowhere")
    q.add_argument(
        "--kind",
        choices=("individual", "entity"),
        help="with --name: an individual is compared with listed individuals only, an "
        "entity with entities, vessels and aircraft (default: every kind)",
    )
    q.add_argument("--dob", type=iso_date, metavar="YYYY-MM-DD", help="with --name: born on")
    q.add_argument(
        "--country", type=_country, metavar="CC", help="with --name: nationality (ISO code: IR)"
    )
    q.add_argument("--fail-on-hit", action="store_true", help="exit 1 when there is a hit")
    common(q)
    q = acts.add_parser(
        "dispose", help="decide a hit, signed with your key: true-match or false-positive"
    )
    q.add_argument("hit", metavar="HIT_ID", type=int)
    q.add_argument("verdict", choices=("true-match", "false-positive"))
    q.add_argument("--reason", required=True, metavar="TEXT", help="why (kept as evidence)")
    q.add_argument(
        "--as",
        dest="acting_as",
        metavar="MEMBER",
        help="act and sign as this member (whose key is kept in this vault)",
    )
    common(q)
    q = acts.add_parser("hits", help="the stored hits, one JSON object per line")
    q.add_argument("--open", action="store_true", help="only those not disposed of")
    common(q)
