"""The arguments of `strongroom approvals ...` (kept apart from the command so that
building the parser imports nothing heavy)."""

from __future__ import annotations

from typing import Any

from app.cli.words import CHAIN_ADDRESS, KIND, ROLE, STATUS

_ADDRESS = f"CHAIN is one of: {CHAIN_ADDRESS.listed()}"


def add_parser(sub: Any, common: Any) -> None:
    """The `approvals` command and its subcommands; `common(p)` adds the vault,
    unlock and --debug options every subcommand takes."""
    top = sub.add_parser("approvals", help="approval requests, signed decisions, members, policy")
    cmds = top.add_subparsers(dest="approvals_command", metavar="ACTION", required=True)

    req = cmds.add_parser("request", help="make a request; the last line is JSON with id, status")
    kinds = req.add_subparsers(dest="kind", metavar="KIND", required=True)
    p = kinds.add_parser("whitelist", help="whitelist a customer's address")
    p.add_argument("--customer", required=True, metavar="EXTERNAL_ID")
    p.add_argument(
        "--address", required=True, type=CHAIN_ADDRESS, metavar="CHAIN:ADDR", help=_ADDRESS
    )
    p.add_argument("--limit", metavar="AMOUNT", help="the most that may go to it (default: none)")
    common(p)
    p = kinds.add_parser("withdrawal", help="pay an amount out to an address")
    p.add_argument("--customer", required=True, metavar="EXTERNAL_ID")
    p.add_argument("--asset", required=True, metavar="SYMBOL")
    p.add_argument("--amount", required=True, metavar="N")
    p.add_argument("--to", required=True, type=CHAIN_ADDRESS, metavar="CHAIN:ADDR", help=_ADDRESS)
    common(p)
    p = kinds.add_parser("onboarding", help="approve a customer's onboarding / KYC")
    p.add_argument("--customer", required=True, metavar="EXTERNAL_ID")
    common(p)
    p = kinds.add_parser("risk-override", help="accept a high-risk address, with a justification")
    p.add_argument("--customer", required=True, metavar="EXTERNAL_ID")
    p.add_argument(
        "--address", required=True, type=CHAIN_ADDRESS, metavar="CHAIN:ADDR", help=_ADDRESS
    )
    p.add_argument("--justification", required=True)
    common(p)

    p = cmds.add_parser("list", help="the queue, one JSON object per line (newest first)")
    p.add_argument(
        "--status",
        action="append",
        type=STATUS,
        metavar="STATUS",
        help=f"only this status (repeatable; default any), as the window's filter: "
        f"{STATUS.listed()} (open: pending, needs refresh or blocked)",
    )
    p.add_argument(
        "--kind",
        action="append",
        type=KIND,
        metavar="KIND",
        help=f"only this kind (repeatable; default all): {KIND.listed()}",
    )
    p.add_argument("--customer", default="", help="external id or name text")
    common(p)

    p = cmds.add_parser("show", help="one request with its decisions and why it has its status")
    p.add_argument("id", metavar="ID")
    common(p)

    p = cmds.add_parser("decide", help="sign a decision on a request")
    p.add_argument("id", metavar="ID")
    p.add_argument("verdict", choices=("approve", "reject", "comment"))
    p.add_argument("--reason", required=True, help="why (signed with the decision)")
    common(p)

    p = cmds.add_parser("export", help="the request and its signed decisions as EIP-712 JSON")
    p.add_argument("id", metavar="ID")
    p.add_argument("--to", required=True, metavar="FILE", help="a new .json file")
    common(p)

    members = cmds.add_parser("members", help="desk members and their signed roles")
    macts = members.add_subparsers(dest="members_command", metavar="ACTION", required=True)
    p = macts.add_parser("list", help="one JSON object per member")
    common(p)
    p = macts.add_parser("add", help="a new member with a signing key kept in this vault")
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--role",
        action="append",
        required=True,
        type=ROLE,
        metavar="ROLE",
        help=f"a role (repeatable): {ROLE.listed()}",
    )
    common(p)
    p = macts.add_parser("grant", help="grant a role, signed by the acting admin's key")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", required=True, type=ROLE, metavar="ROLE", help=ROLE.listed())
    common(p)
    p = macts.add_parser(
        "revoke", help="take a role back, signed by the acting admin's key (admin: by the root)"
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", required=True, type=ROLE, metavar="ROLE", help=ROLE.listed())
    common(p)

    policy = cmds.add_parser("policy", help="the approval policy (YAML)")
    pacts = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    p = pacts.add_parser("show", help="print the policy in force")
    common(p)
    p = pacts.add_parser("set", help="check a YAML file and put it in force")
    p.add_argument("file", metavar="FILE")
    common(p)

    p = cmds.add_parser("verify", help="check every decision signature again")
    common(p)
