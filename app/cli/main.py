"""Running a subcommand: secrets from stdin or a prompt, plain errors, exit codes.

Errors go to stderr as one or two sentences (a traceback only with
--debug); results go to stdout. Exit codes: 0 ok, 1 error, 2 usage or path,
3 authentication, 4 damaged or too new, 5 busy, 6 storage, 7 broken chain,
8 and 9 `screen`'s hit and unscreened (`screen_exit`), 70 unexpected.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, TextIO

from app import settings as settings_file
from app.book import tables
from app.book.export import export
from app.book.importer import default_mapping, run_import
from app.book.mapping import MappingError
from app.book.mapping import load as load_mapping
from app.book.models import ValidationError
from app.book.service import CustomerBook
from app.cases.model import PdfWriter
from app.cli import screen_exit
from app.dashboards.export import PngWriter
from app.screening import endpoints, explorer_data
from app.screening.cache import Lookup
from app.screening.explorer_view import summary_line
from app.screening.outbox import EXPLORER, pending
from app.screening.risk import RiskResult
from app.screening.sanctions import PROVIDER as SANCTIONS
from app.screening.sanctions import SanctionsImportError, import_sanctions
from app.screening.sanctions.answers import list_refs, listed_under
from app.screening.secrets import delete_key, set_key
from app.screening.service import (
    Screening,
    all_targets,
    customer_targets,
    explorers_for,
    parse_target,
)
from app.session import VaultSession
from app.webhooks.delivery import deliver_due
from app.webhooks.delivery import retry_now as webhooks_retry_now
from vault import backup as backups
from vault import keyops, verify
from vault.connection import Connection
from vault.errors import (
    CorruptVaultError,
    NoUnlockMethodError,
    VaultError,
    WrongPassphraseError,
)
from vault.header import read_header
from vault.keys import Keychain
from vault.screening import sanctions as sanctions_lists
from vault.screening.outbox import Item
from vault.unlock import MIN_PASSPHRASE, Credentials

UNEXPECTED = 70


class Secrets:
    """Passphrases and keys from stdin (one per line) or, on a terminal, a prompt."""

    def __init__(self, stdin: TextIO, *, from_stdin: bool) -> None:
        self._stdin = stdin
        self.from_stdin = from_stdin

    def line(self, what: str) -> str:
        text = self._stdin.readline()
        if not text:
            raise VaultError(f"Expected the {what} on standard input, but it ended.")
        return text.rstrip("\r\n")

    def ask(self, prompt: str) -> str | None:
        """Prompt on the terminal; None when there is no terminal to ask on."""
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            return None
        return getpass.getpass(prompt)

    def new_passphrase(self, *, line_name: str = "new passphrase") -> str:
        if self.from_stdin:
            return self.line(line_name)
        first = self.ask(f"New passphrase (at least {MIN_PASSPHRASE} characters): ")
        if first is None:
            raise VaultError(
                "No terminal to ask for a passphrase on. Pass --passphrase-stdin and give "
                "it on standard input."
            )
        if self.ask("Repeat it: ") != first:
            raise WrongPassphraseError("The two passphrases differ; nothing was changed.")
        return first


def _credentials(args: argparse.Namespace, secrets: Secrets) -> Credentials:
    use_keychain = not getattr(args, "no_keychain", False)
    if getattr(args, "recovery_key_stdin", False):
        return Credentials(recovery_key=secrets.line("recovery key"), use_keychain=False)
    if getattr(args, "passphrase_stdin", False):
        return Credentials(passphrase=secrets.line("passphrase"), use_keychain=use_keychain)
    return Credentials(use_keychain=use_keychain)


def _open(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> VaultSession:
    """Unlock: keychain, else passphrase from stdin, else a prompt on the terminal."""
    session = VaultSession(args.vault, keychain=keychain)
    credentials = _credentials(args, secrets)
    try:
        info = session.unlock(credentials)
    except NoUnlockMethodError as exc:
        typed = secrets.ask(f"Passphrase for {session.path}: ")
        if typed is None:
            raise VaultError(
                f"{exc.message} (No terminal: pass --passphrase-stdin.)", path=exc.path
            ) from None
        info = session.unlock(Credentials(passphrase=typed, use_keychain=False))
    if info.keychain_note and credentials.use_keychain:
        print(f"Note: {info.keychain_note}", file=sys.stderr)
    refusal = session.vault.write_refusal
    if refusal is not None:
        # Reads go on (a rescue export, an audit on read-only media); writes are refused.
        kind = "Warning" if isinstance(refusal, CorruptVaultError) else "Note"
        print(f"{kind}: {refusal.message}", file=sys.stderr)
    return session


def cmd_init(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    session = VaultSession(args.vault, keychain=keychain)
    passphrase = secrets.new_passphrase(line_name="passphrase")
    created = session.create(passphrase=passphrase, use_keychain=not args.no_keychain)
    try:
        print(f"Created the vault {session.path}.")
        if created.keychain_stored:
            print("Its key is in the OS keychain: this account unlocks it without a prompt.")
        else:
            print(f"{created.vault.unlock.keychain_note}")
        print()
        print("Recovery key (shown once; print it or write it down and keep it offline):")
        print(f"    {created.recovery_key}")
    finally:
        session.lock(reason="command finished")
    return 0


def cmd_verify(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    credentials = _credentials(args, secrets)
    try:
        report = verify.verify_vault(
            args.vault, credentials, keychain=keychain, signatures=_approval_signatures
        )
    except NoUnlockMethodError:
        typed = secrets.ask(f"Passphrase for {args.vault}: ")
        if typed is None:
            raise
        report = verify.verify_vault(
            args.vault,
            Credentials(passphrase=typed, use_keychain=False),
            keychain=keychain,
            signatures=_approval_signatures,
        )
    if report.ok:
        print(report.summary())
        return 0
    print(report.summary(), file=sys.stderr)
    return 4 if report.page_errors else 7


def _approval_signatures(conn: Connection) -> tuple[int, list[str]]:
    from app.approvals.service import signature_problems  # eth-account loads only here

    return signature_problems(conn)


def cmd_backup(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    session = _open(args, secrets, keychain)
    try:
        info = session.backup(args.to)
    finally:
        session.lock(reason="command finished")
    print(f"Wrote the backup {info.path} ({info.size} bytes, schema {info.schema}).")
    return 0


def cmd_restore(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    credentials = _credentials(args, secrets)
    if credentials.passphrase is None and credentials.recovery_key is None:
        typed = None if keychain.status().usable else secrets.ask("Backup passphrase: ")
        if typed is not None:
            credentials = Credentials(passphrase=typed, use_keychain=False)
    aside = backups.restore(
        args.source, args.vault, credentials, replace=args.replace, keychain=keychain
    )
    print(f"Restored {args.source} to {args.vault}; it verified before it was put in place.")
    if aside is not None:
        print(f"The vault that was there is kept in {aside}.")
    return 0


def cmd_passwd(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    args.no_keychain = True  # changing the passphrase needs the current one, not the keychain
    session = VaultSession(args.vault, keychain=keychain)
    credentials = _credentials(args, secrets)
    if credentials.passphrase is None and credentials.recovery_key is None:
        typed = secrets.ask("Current passphrase: ")
        if typed is None:
            raise VaultError("Pass --passphrase-stdin (current on line 1, new on line 2).")
        credentials = Credentials(passphrase=typed, use_keychain=False)
    session.unlock(credentials)
    try:
        new = secrets.new_passphrase()
        keyops.change_passphrase(session.vault, new_passphrase=new)
    finally:
        session.lock(reason="command finished")
    print(f"Changed the passphrase of {session.path}. The old one no longer opens it.")
    return 0


def cmd_rekey(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    if args.passphrase_stdin:
        passphrase = secrets.line("passphrase")
    else:
        typed = secrets.ask("Passphrase (needed to re-wrap the new key): ")
        if typed is None:
            raise VaultError("Pass --passphrase-stdin: re-keying needs the passphrase.")
        passphrase = typed
    session = VaultSession(args.vault, keychain=keychain)
    session.unlock(Credentials(passphrase=passphrase, use_keychain=not args.no_keychain))
    try:
        session.rekey(passphrase=passphrase)
    finally:
        session.lock(reason="command finished")
    print(
        f"Re-keyed {session.path}: every page is now under a new key. "
        "The passphrase and recovery key are unchanged."
    )
    return 0


def cmd_keychain(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    status = keychain.status()
    if args.action == "status":
        session = VaultSession(args.vault, keychain=keychain)
        header = read_header(session.paths.header)
        held = status.usable and keychain.get(header.vault_id) is not None
        print(json.dumps({"keychain": status.describe(), "entry": held}))
        return 0
    if not status.usable:
        raise VaultError(f"{status.describe()}; there is nothing to restore the entry into.")
    args.no_keychain = True
    session = _open(args, secrets, keychain)
    try:
        session.restore_keychain()
    finally:
        session.lock(reason="command finished")
    print(f"The OS keychain holds the key of {session.path} again.")
    return 0


def cmd_import(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    path = Path(args.file)
    try:
        mapping = (
            load_mapping(Path(args.mapping), kind=args.kind)
            if args.mapping
            else default_mapping(args.kind)
        )
        if args.encoding:
            mapping = replace(mapping, encoding=args.encoding)
        # Read the header before unlocking: a file that cannot be read fails fast.
        mapping.resolve(
            tables.read(path, encoding=mapping.encoding, delimiter=mapping.delimiter).headers
        )
    except (tables.TableError, MappingError) as exc:
        print(f"strongroom import: {exc}", file=sys.stderr)
        return 2
    session = _open(args, secrets, keychain)
    try:
        book = CustomerBook(session.vault)
        rejects_to = Path(args.rejects) if args.rejects else None
        report = run_import(book, path, mapping, rejects_to=rejects_to)
    except (tables.TableError, MappingError) as exc:
        print(f"strongroom import: {exc}", file=sys.stderr)
        return 2
    finally:
        session.lock(reason="command finished")
    for reject in report.rejects[:20]:
        print(f"line {reject.line}: {reject.reason}", file=sys.stderr)
    if report.rejected > 20:
        print(f"... and {report.rejected - 20:,} more rejected rows", file=sys.stderr)
    print(json.dumps(report.counts()))
    return 0


def cmd_export(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    session = _open(args, secrets, keychain)
    try:
        result = export(
            session.vault, args.kind, Path(args.to), reason=args.reason, text_filter=args.filter
        )
    except ValidationError as exc:
        raise VaultError(exc.reason) from None
    finally:
        session.lock(reason="command finished")
    print(json.dumps({"file": str(result.path), "rows": result.rows}))
    return 0


def cmd_screen(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    """One JSON line per address, as each answer arrives: from the cache within its time
    to live, from the provider, or "queued" (with the last known answer) when the
    provider cannot be reached or --offline was given. The exit code follows
    --fail-on (`screen_exit`); with the offline list and no list imported, nothing is
    screened and the message says how to import one."""
    session = _open(args, secrets, keychain)
    screening = Screening(session.vault)
    try:
        vault = session.vault
        if args.provider == SANCTIONS and not sanctions_lists.lists(vault.conn):
            print(f"strongroom screen: {screen_exit.NO_LIST}", file=sys.stderr)
            return screen_exit.UNSCREENED
        try:
            if args.customer:
                targets = customer_targets(vault, args.customer)
            elif args.address:
                targets = [parse_target(text) for text in args.address]
            else:
                targets = list(all_targets(vault))
            found = screening.lookup(
                targets,
                provider=args.provider,
                offline=args.offline,
                refresh=args.refresh,
                on_result=lambda lookup: print(json.dumps(lookup_line(lookup)), flush=True),
            )
        except ValidationError as exc:
            raise VaultError(f"{exc.field}: {exc.reason}") from None
        report = screening.last_report
        if report is not None and report.queued:
            print(
                f"{report.queued} look-up(s) wait in the outbox ({screening.waiting()} in all); "
                "they run with 'strongroom outbox run' once the provider is reachable.",
                file=sys.stderr,
            )
    finally:
        screening.forget()
        session.lock(reason="command finished")
    return screen_exit.exit_code(found, args.fail_on)


def lookup_line(lookup: Lookup) -> dict[str, object]:
    """A look-up as printed by `screen`: the normalised model, its status ("queued"
    when it waits in the outbox), where the answer came from and how old it is."""
    if lookup.result is None:
        line: dict[str, object] = {
            "chain": lookup.chain,
            "address": lookup.address,
            "provider": lookup.provider,
            "level": "unknown",
            "score": None,
            "sanctioned": False,
            "categories": [],
            "fetched_at": None,
        }
    else:
        line = screen_line(lookup.result)
    line["status"] = lookup.status
    line["origin"] = str(lookup.origin)
    age = lookup.age_seconds()
    line["age_seconds"] = None if age is None else max(0, round(age))
    if lookup.note:
        line["queued_because"] = lookup.note
    return line


def screen_line(result: RiskResult) -> dict[str, object]:
    line: dict[str, object] = {
        "chain": result.chain,
        "address": result.address,
        "provider": result.provider,
        "level": str(result.level),
        "score": result.score,
        "sanctioned": result.sanctioned,
        "categories": list(result.categories),
        "fetched_at": result.fetched_at.isoformat(),
        "status": str(result.status),
    }
    if result.sanctioned_party:
        line["sanctioned_party"] = result.sanctioned_party
    if result.source:
        line["source"] = result.source
    if result.list_date:
        line["list_date"] = result.list_date.isoformat()
    if result.error:
        line["error"] = result.error
    # The offline list's answers name the files they rest on: name, SHA-256, date.
    if refs := list_refs(result):
        line["lists"] = refs
    if assets := listed_under(result):
        line["listed_under"] = assets
    return line


def cmd_explorer(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    """One JSON line per address: its explorer's answer, stored, or "queued" with the
    last stored summary when the explorer cannot be reached (or --offline)."""
    urls = _explorer_urls(args.explorer_url)
    session = _open(args, secrets, keychain)
    vault = session.vault
    explorers = None
    queued = 0
    try:
        try:
            if args.customer:
                targets = customer_targets(vault, args.customer)
            else:
                targets = [parse_target(text) for text in args.address]
        except ValidationError as exc:
            raise VaultError(f"{exc.field}: {exc.reason}") from None
        if not args.offline:
            explorers = explorers_for(vault, endpoints.explorer_settings(urls))
        for target in targets:
            chain, address = target.chain, target.address
            error: str | None = "offline: asked with --offline"
            if explorers is None:
                explorer_data.queue_refresh(vault, chain, address)
                status = "queued"
            else:
                done = explorer_data.refresh_explorer(vault, explorers, chain, address)
                status, error = explorer_data.status_of(done), done.error
            queued += status == "queued"
            stored = explorer_data.summaries(vault.conn, chain, address)
            line = summary_line(
                chain, address, stored[0] if stored else None, status=status, error=error
            )
            print(json.dumps(line), flush=True)
        if queued:
            print(
                f"{queued} refresh(es) wait in the outbox; they run with "
                "'strongroom outbox run' once the explorer is reachable.",
                file=sys.stderr,
            )
    finally:
        if explorers is not None:
            explorers.close()
        session.lock(reason="command finished")
    return 0


def _explorer_urls(given: list[str]) -> dict[str, str]:
    """The explorer base URLs of the saved settings, with CHAIN=URL options over them."""
    urls = dict(settings_file.load().explorer_urls)
    for text in given:
        chain, sep, url = text.partition("=")
        try:
            if not sep or not chain.strip():
                raise ValidationError("explorer-url", f"'{text[:80]}' is not CHAIN=URL")
            urls[chain.strip().lower()] = endpoints.check_url(url)
        except ValidationError as exc:
            raise VaultError(f"--{exc.field}: {exc.reason}") from None
    return urls


def cmd_sanctions(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    counts: dict[str, Any]
    session = _open(args, secrets, keychain)
    try:
        try:
            counts = import_sanctions(
                session.vault,
                Path(args.file),
                args.asset,
                list_date=args.date,
                allow_older=args.allow_older,
                aliases=args.aliases,
            )
        except (SanctionsImportError, OSError) as exc:
            print(f"strongroom sanctions: {exc}", file=sys.stderr)
            return 2
        if "parties" in counts:  # a list with names: the book is screened against it
            from app.names.service import screen_book_after_import

            counts = {**counts, "names": screen_book_after_import(session.vault)}
    finally:
        session.lock(reason="command finished")
    print(json.dumps(counts))
    return 0


def cmd_outbox(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    """`run`: run what is due (prints the counts as JSON); `status`: what waits."""
    session = _open(args, secrets, keychain)
    screening = Screening(session.vault)
    explorers = None
    try:
        if args.action == "status":
            items = pending(session.vault.conn, limit=args.limit)
            print(json.dumps({"waiting": screening.waiting()}))
            for item in items:
                print(json.dumps(outbox_line(item)))
            return 0
        if args.force:
            screening.retry_now()
            webhooks_retry_now(session.vault)
        if pending(session.vault.conn, kind=EXPLORER, limit=1):
            explorers = explorers_for(
                session.vault, endpoints.explorer_settings(_explorer_urls([]))
            )
        report = screening.run_outbox(limit=args.limit, explorers=explorers)
        delivered = deliver_due(session.vault, limit=args.limit)
        print(json.dumps({**asdict(report), "webhooks": asdict(delivered)}))
    finally:
        if explorers is not None:
            explorers.close()
        screening.forget()
        session.lock(reason="command finished")
    return 0


def outbox_line(item: Item) -> dict[str, object]:
    return {
        "kind": item.kind,
        **item.payload,
        "attempts": item.attempts,
        "next_attempt_at": item.next_attempt_at,
        "last_error": item.last_error,
    }


def cmd_keys(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    """Store or forget a provider's API key; the key is read from stdin (after the
    passphrase line with --passphrase-stdin), or asked for on a terminal."""
    session = _open(args, secrets, keychain)
    try:
        try:
            if args.action == "set":
                key = _read_key(secrets, f"API key for {args.provider}")
                secret = _read_key(secrets, "API secret") if args.with_secret else None
                where = set_key(session.vault, args.provider, key, secret)
                place = "the OS keychain" if where == "keychain" else "the vault (no OS keychain)"
                print(f"Stored the API key for {args.provider} in {place}.")
            elif delete_key(session.vault, args.provider):
                print(f"Removed the API key for {args.provider}.")
            else:
                print(f"There was no API key for {args.provider}.")
        except ValidationError as exc:
            raise VaultError(f"{exc.field}: {exc.reason}") from None
    finally:
        session.lock(reason="command finished")
    return 0


def cmd_approvals(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    from app.cli import approvals  # eth-account loads only for this command

    return _in_session(args, secrets, keychain, approvals.run)


def cmd_demo(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    from app.cli.dashboard import create_demo

    passphrase = secrets.line("passphrase") if args.passphrase_stdin else None
    return create_demo(args, passphrase, keychain)


def _dashboard_command(png: PngWriter | None) -> Command:
    def cmd_dashboard(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
        from app.cli.dashboard import export_dashboard

        if png is None:
            raise VaultError("Charts cannot be drawn here: run it as 'strongroom dashboard'.")
        session = _open(args, secrets, keychain)
        try:
            return export_dashboard(args, session, png)
        finally:
            session.lock(reason="command finished")

    return cmd_dashboard


def _cases_command(pdf: PdfWriter | None) -> Command:
    def cmd_cases(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
        from app.cli import cases

        if pdf is None:
            raise VaultError("Reports cannot be drawn here: run it as 'strongroom cases'.")
        return _in_session(args, secrets, keychain, lambda a, s: cases.run(a, s, pdf))

    return cmd_cases


def _in_session(
    args: argparse.Namespace,
    secrets: Secrets,
    keychain: Keychain,
    run_it: Callable[[argparse.Namespace, VaultSession], int],
) -> int:
    """Unlock, run a command's module, lock whatever happens."""
    session = _open(args, secrets, keychain)
    try:
        return run_it(args, session)
    finally:
        session.lock(reason="command finished")


def cmd_prices(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    from app.cli import prices

    return _in_session(args, secrets, keychain, prices.run)


def cmd_names(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    from app.cli import names  # the name index's libraries load only for this command

    return _in_session(args, secrets, keychain, names.run)


def cmd_documents(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    from app.cli import documents

    return _in_session(args, secrets, keychain, documents.run)


def cmd_webhooks(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    from app.cli import webhooks

    return _in_session(args, secrets, keychain, webhooks.run)


def cmd_alerts(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    from app.cli import alerts

    return _in_session(args, secrets, keychain, alerts.run)


def cmd_reviews(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    from app.cli import reviews

    return _in_session(args, secrets, keychain, reviews.run)


def cmd_sync(args: argparse.Namespace, secrets: Secrets, keychain: Keychain) -> int:
    """`desk ...` and `sync ...` (boto3 and the sync formats load only here)."""
    from app.cli import sync

    session = _open(args, secrets, keychain)
    try:
        run_it = sync.run_desk if args.command == "desk" else sync.run_sync
        return run_it(args, session)
    finally:
        session.lock(reason="command finished")


def _read_key(secrets: Secrets, what: str) -> str:
    typed = secrets.ask(f"{what}: ")
    return typed if typed is not None else secrets.line(what)


Command = Callable[[argparse.Namespace, Secrets, Keychain], int]
COMMANDS: dict[str, Command] = {
    "init": cmd_init,
    "verify": cmd_verify,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "passwd": cmd_passwd,
    "rekey": cmd_rekey,
    "keychain": cmd_keychain,
    "import": cmd_import,
    "export": cmd_export,
    "screen": cmd_screen,
    "explorer": cmd_explorer,
    "sanctions": cmd_sanctions,
    "outbox": cmd_outbox,
    "keys": cmd_keys,
    "approvals": cmd_approvals,
    "demo": cmd_demo,
    "prices": cmd_prices,
    "names": cmd_names,
    "documents": cmd_documents,
    "webhooks": cmd_webhooks,
    "alerts": cmd_alerts,
    "reviews": cmd_reviews,
    "desk": cmd_sync,
    "sync": cmd_sync,
}


def run(
    args: argparse.Namespace,
    *,
    keychain: Keychain | None = None,
    png: PngWriter | None = None,
    pdf: PdfWriter | None = None,
) -> int:
    """Run a subcommand; `png` draws a chart (main.py hands in the Qt one for
    `dashboard`: app/ draws nothing itself)."""
    if args.command == "dashboard":
        command = _dashboard_command(png)
    elif args.command == "cases":
        command = _cases_command(pdf)
    else:
        command = COMMANDS[args.command]
    secrets = Secrets(
        sys.stdin,
        from_stdin=bool(
            getattr(args, "passphrase_stdin", False) or getattr(args, "recovery_key_stdin", False)
        ),
    )
    try:
        return command(args, secrets, keychain or Keychain())
    except VaultError as exc:
        print(f"strongroom {args.command}: {exc.message}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"strongroom {args.command}: interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:
        print(
            f"strongroom {args.command}: unexpected error ({type(exc).__name__}). "
            "Run again with --debug to see the details.",
            file=sys.stderr,
        )
        if args.debug:
            traceback.print_exc()
        return UNEXPECTED
