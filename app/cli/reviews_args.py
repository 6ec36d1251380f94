"""The arguments of `strongroom reviews ...` (apart from the command, so that building
the parser imports nothing heavy)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

ANSWERS = ("yes", "no", "n/a")


def _answer(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    value = value.strip().lower()
    if not sep or not key.strip() or value not in ANSWERS:
        raise argparse.ArgumentTypeError(
            f"'{text[:40]}' is not QUESTION=ANSWER with an answer yes, no or n/a (identity=yes)"
        )
    return key.strip(), value


def _days(text: str) -> int:
    if not text.strip().isdigit() or int(text) > 3660:
        raise argparse.ArgumentTypeError(f"'{text[:10]}' is not a number of days (0 to 3660)")
    return int(text)


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """The `reviews` command; `common(p)` adds the vault, unlock and --debug options."""
    p = sub.add_parser("reviews", help="periodic reviews of customers: who is due, and why")
    acts = p.add_subparsers(dest="reviews_command", metavar="ACTION", required=True)
    q = acts.add_parser(
        "due",
        help="one JSON object per customer due (customer, name, risk_rating, due_on, overdue, "
        "last_review, reasons), earliest first",
    )
    q.add_argument(
        "--within",
        type=_days,
        default=0,
        metavar="DAYS",
        help="also those due within DAYS from today (default 0: due or overdue now)",
    )
    common(q)
    q = acts.add_parser(
        "record", help="record a review signed with your key; it restarts the customer's clock"
    )
    q.add_argument("--customer", required=True, metavar="EXTERNAL_ID", help="the customer")
    q.add_argument("--outcome", required=True, metavar="TEXT", help="what the review concluded")
    q.add_argument(
        "--answer",
        type=_answer,
        action="append",
        default=[],
        metavar="QUESTION=ANSWER",
        help="a checklist answer (yes, no or n/a), e.g. identity=yes; repeat for each question "
        "(`reviews policy show` lists them); a question left out is kept as unanswered",
    )
    acting_as_option(q)
    common(q)
    q = acts.add_parser("policy", help="the review policy (YAML): how often, and the checklist")
    pacts = q.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    r = pacts.add_parser("show", help="print the policy in force")
    common(r)
    r = pacts.add_parser("set", help="set a new version from a YAML file (admins)")
    r.add_argument("file", metavar="FILE")
    acting_as_option(r)
    common(r)


def acting_as_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as",
        dest="acting_as",
        metavar="MEMBER",
        help="act and sign as this member (whose key is kept in this vault)",
    )
