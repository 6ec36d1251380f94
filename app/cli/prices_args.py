"""The arguments of `strongroom prices ...` (apart from the command, so that building
the parser imports nothing heavy)."""

from __future__ import annotations

from typing import Any


def add_parser(sub: Any, common: Any) -> None:
    """The `prices` command; `common(p)` adds the vault, unlock and --debug options."""
    p = sub.add_parser("prices", help="the price table that values requests for the approval tiers")
    acts = p.add_subparsers(dest="prices_command", metavar="ACTION", required=True)
    q = acts.add_parser(
        "import",
        help="import prices from CSV (header asset,price,currency,as_of; ISO dates); "
        "all or nothing; prints the counts as JSON",
    )
    q.add_argument("file", metavar="FILE", help="the CSV file")
    common(q)
    q = acts.add_parser(
        "list", help="the price in force per asset and currency, one JSON object per line"
    )
    q.add_argument("--all", action="store_true", help="every stored price, older ones too")
    common(q)
