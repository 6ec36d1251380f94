"""Arguments of `strongroom demo create` and `strongroom dashboard export`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Adder = Callable[[argparse.ArgumentParser], None]


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    vault_arg: Adder,
    unlock_args: Adder,
    common: Adder,
) -> None:
    p = sub.add_parser(
        "demo",
        help="make a demo vault (synthetic customers, screenings, approvals and flows) "
        "without a window; prints its counts as JSON last",
    )
    p.add_argument("action", choices=("create",))
    vault_arg(p)
    p.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the passphrase from the first line of standard input "
        "(default: the demo passphrase, printed in the JSON)",
    )
    p.add_argument(
        "--no-keychain", action="store_true", help="do not store the key in the OS keychain"
    )
    common(p)

    p = sub.add_parser(
        "dashboard",
        help="export the dashboard charts: one PNG and one CSV per chart; prints "
        '{"charts": [...], "dir": DIR} last',
    )
    p.add_argument("action", choices=("export",))
    p.add_argument("--to", dest="to", required=True, metavar="DIR", help="the folder to write to")
    p.add_argument("--from", dest="first", metavar="DATE", help="first day (default: 90 days ago)")
    p.add_argument("--until", dest="last", metavar="DATE", help="last day (default: today, UTC)")
    vault_arg(p)
    unlock_args(p)
    common(p)
