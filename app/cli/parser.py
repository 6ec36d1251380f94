"""Argument parsing for `strongroom` (GUI options and every subcommand)."""

from __future__ import annotations

import argparse
from datetime import date

from app.cli import (
    alerts_args,
    approvals_args,
    cases_args,
    dashboard_args,
    documents_args,
    names_args,
    prices_args,
    reviews_args,
    sync_args,
    webhooks_args,
)
from app.cli.words import CHAIN_ADDRESS, CHAIN_URL, SCREEN_PROVIDER

COMMANDS = (
    "init",
    "verify",
    "backup",
    "restore",
    "passwd",
    "rekey",
    "keychain",
    "import",
    "export",
    "explorer",
    "outbox",
    "keys",
    "approvals",
    "demo",
    "dashboard",
    "prices",
    "names",
    "documents",
    "webhooks",
    "alerts",
    "reviews",
    "cases",
)


#: `screen --fail-on`: the levels a script may stop at (none would stop on everything)
FAIL_LEVELS = ("low", "medium", "high", "severe")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:20]}' is not a date like 2024-09-27") from None


def _vault_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--vault", required=True, metavar="PATH", help="the vault file")


def _unlock_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the passphrase from the first line of standard input",
    )
    p.add_argument(
        "--recovery-key-stdin",
        action="store_true",
        help="read the recovery key (instead of a passphrase) from the first line of stdin",
    )
    p.add_argument(
        "--no-keychain",
        action="store_true",
        help="do not use the OS keychain; unlock with the passphrase or recovery key only",
    )


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--debug", action="store_true", help="show a traceback on errors")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strongroom",
        description="Strongroom: an encrypted, offline-first CRM for crypto OTC and "
        "compliance desks. Without a subcommand it starts the desktop app.",
    )
    parser.add_argument("--vault", dest="gui_vault", metavar="PATH", help="open this vault")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a throwaway demo vault in its own temporary folder",
    )
    _common(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a new vault and print its recovery key once")
    _vault_arg(p)
    p.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the new passphrase from the first line of standard input",
    )
    p.add_argument(
        "--no-keychain", action="store_true", help="do not store the key in the OS keychain"
    )
    _common(p)

    p = sub.add_parser("verify", help="check every page and the event chain")
    _vault_arg(p)
    _unlock_args(p)
    _common(p)

    p = sub.add_parser("backup", help="write an encrypted backup that opens with the same keys")
    _vault_arg(p)
    p.add_argument("--to", required=True, metavar="FILE", help="the backup file to create")
    _unlock_args(p)
    _common(p)

    p = sub.add_parser("restore", help="restore a backup (verified before it is put in place)")
    p.add_argument("--from", dest="source", required=True, metavar="FILE", help="backup file")
    _vault_arg(p)
    p.add_argument(
        "--replace",
        action="store_true",
        help="if a vault exists there, move it aside and put the backup in its place",
    )
    _unlock_args(p)
    _common(p)

    p = sub.add_parser(
        "passwd",
        help="change the passphrase (with --passphrase-stdin: current on line 1, new on line 2)",
    )
    _vault_arg(p)
    _unlock_args(p)
    _common(p)

    p = sub.add_parser(
        "rekey",
        help="replace the database key; the passphrase and recovery key stay the same",
    )
    _vault_arg(p)
    p.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the passphrase from the first line of standard input",
    )
    p.add_argument("--no-keychain", action="store_true", help="do not use the OS keychain")
    _common(p)

    p = sub.add_parser(
        "import",
        help="import customers or addresses from CSV/XLSX; prints the counts as JSON last",
    )
    p.add_argument("kind", choices=("customers", "addresses"))
    p.add_argument("file", metavar="FILE", help="a .csv (any delimiter/encoding) or .xlsx file")
    _vault_arg(p)
    p.add_argument("--mapping", metavar="YAML", help="a column mapping profile")
    p.add_argument("--rejects", metavar="FILE", help="write the rejected rows here to fix them")
    p.add_argument(
        "--encoding",
        metavar="NAME",
        help="the CSV's encoding (e.g. cp1252, gb18030) when it is not UTF-8; "
        "overrides the mapping's",
    )
    _unlock_args(p)
    _common(p)

    p = sub.add_parser("export", help="export customers or addresses to CSV/XLSX (audited)")
    p.add_argument("kind", choices=("customers", "addresses"))
    _vault_arg(p)
    p.add_argument("--to", required=True, metavar="FILE", help="a new .csv or .xlsx file")
    p.add_argument("--reason", required=True, help="why the data leaves the vault (audited)")
    p.add_argument("--filter", default="", help="only what matches this search text")
    _unlock_args(p)
    _common(p)

    p = sub.add_parser(
        "screen", help="screen addresses; prints one JSON object per address per line"
    )
    _vault_arg(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--customer", metavar="EXTERNAL_ID", help="every address of a customer")
    which.add_argument(
        "--address",
        action="append",
        type=CHAIN_ADDRESS,
        metavar="CHAIN:ADDR",
        help=f"an address (repeatable); CHAIN is one of: {CHAIN_ADDRESS.listed()}",
    )
    which.add_argument("--all", action="store_true", help="every address in the book")
    p.add_argument(
        "--provider",
        default="sanctions-list",
        type=SCREEN_PROVIDER,
        metavar="NAME",
        help=f"one of: {SCREEN_PROVIDER.listed()}. Default: sanctions-list (no key, "
        "no network); a KYT provider needs 'strongroom keys set NAME' first",
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="use only the cache and the offline list; other look-ups wait in the outbox",
    )
    p.add_argument(
        "--refresh", action="store_true", help="ask the provider even if a fresh answer is cached"
    )
    p.add_argument(
        "--fail-on",
        choices=FAIL_LEVELS,
        metavar="LEVEL",
        help="exit 1 when an answer is at LEVEL or worse (a sanctioned address is severe), "
        "else 3 when an address could not be screened (not covered, error, queued); "
        f"LEVEL is one of {', '.join(FAIL_LEVELS)}",
    )
    _unlock_args(p)
    _common(p)

    p = sub.add_parser(
        "explorer",
        help="fetch balances and activity from the block explorers; one JSON object per address",
    )
    _vault_arg(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--customer", metavar="EXTERNAL_ID", help="every address of a customer")
    which.add_argument(
        "--address",
        action="append",
        type=CHAIN_ADDRESS,
        metavar="CHAIN:ADDR",
        help=f"an address (repeatable); CHAIN is one of: {CHAIN_ADDRESS.listed()}",
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="print what is stored and queue a refresh in the outbox; no network",
    )
    p.add_argument(
        "--explorer-url",
        action="append",
        default=[],
        type=CHAIN_URL,
        metavar="CHAIN=URL",
        help="use this explorer or node for a chain (repeatable; default: Settings, "
        f"else the documented one); CHAIN is one of: {CHAIN_URL.listed()}",
    )
    _unlock_args(p)
    _common(p)

    p = sub.add_parser(
        "outbox",
        help="work waiting for the network (look-ups, webhook deliveries): run what is due, "
        "or list it",
    )
    p.add_argument("action", choices=("run", "status"))
    _vault_arg(p)
    p.add_argument("--limit", type=int, default=1000, help="run at most this many (default 1000)")
    p.add_argument(
        "--force", action="store_true", help="run: also what is still backing off after a failure"
    )
    _unlock_args(p)
    _common(p)

    p = sub.add_parser(
        "keys",
        help="provider API keys (OS keychain, else the vault): the key is read from stdin",
    )
    p.add_argument("action", choices=("set", "delete"))
    p.add_argument("provider", metavar="PROVIDER", help="e.g. chainalysis-sanctions, etherscan")
    _vault_arg(p)
    p.add_argument(
        "--with-secret",
        action="store_true",
        help="also read the provider's API secret, on the line after the key (Elliptic)",
    )
    _unlock_args(p)
    _common(p)

    sanctions = sub.add_parser("sanctions", help="the offline sanctions list")
    actions = sanctions.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser(
        "import",
        help="import the OFAC SDN advanced XML (or .zip), OFAC's sdn.csv (its parties too, "
        "for name screening), or a plain list of addresses",
    )
    p.add_argument("file", metavar="FILE", help="OFAC SDN advanced XML, sdn.csv, or a plain list")
    p.add_argument(
        "--aliases", metavar="ALT_CSV", help="with sdn.csv: OFAC's alt.csv, the parties' aliases"
    )
    _vault_arg(p)
    p.add_argument("--asset", help="the asset of a plain list (ETH, XBT, TRX, USDT, ...)")
    p.add_argument(
        "--date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="the date a plain list or sdn.csv was published (required for them: they carry "
        "none); the SDN XML gives its own",
    )
    p.add_argument(
        "--allow-older",
        action="store_true",
        help="replace the list in the vault with an older publication of it",
    )
    _unlock_args(p)
    _common(p)

    def approvals_common(p: argparse.ArgumentParser) -> None:
        _vault_arg(p)
        p.add_argument(
            "--as",
            dest="acting_as",
            metavar="MEMBER",
            help="act and sign as this member (whose key is kept in this vault)",
        )
        _unlock_args(p)
        _common(p)

    approvals_args.add_parser(sub, approvals_common)
    dashboard_args.add_parsers(sub, vault_arg=_vault_arg, unlock_args=_unlock_args, common=_common)

    def prices_common(p: argparse.ArgumentParser) -> None:
        _vault_arg(p)
        _unlock_args(p)
        _common(p)

    prices_args.add_parser(sub, prices_common)
    names_args.add_parser(sub, prices_common, _iso_date)
    documents_args.add_parser(sub, prices_common, date_type=_iso_date)
    webhooks_args.add_parser(sub, prices_common)
    alerts_args.add_parser(sub, prices_common)
    reviews_args.add_parser(sub, prices_common)
    cases_args.add_parser(sub, prices_common)

    sync_args.add_parsers(sub, prices_common)  # the same vault, unlock and --debug options

    p = sub.add_parser("keychain", help="see or restore the vault's OS keychain entry")
    p.add_argument("action", choices=("status", "restore"))
    _vault_arg(p)
    _unlock_args(p)
    _common(p)
    return parser
