"""`verify`: every page's HMAC, SQLite's structure, then the event chain.

The checks run on a read-only connection, so a damaged vault is never
written to; only a vault that passes gets a `vault.verified` event. On a
vault that cannot be written (read-only location, full disk) it goes to the
side journal (`vault.pending_audit`), and an interrupted re-key is finished
first, as any unlock does.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from vault import connection, location, page_check, pending_audit
from vault.connection import Connection, DatabaseError
from vault.errors import StorageError
from vault.events import ChainReport, EventLog, verify_chain
from vault.header import Header
from vault.keys import Keychain
from vault.paths import VaultPaths
from vault.process_lock import ProcessLock
from vault.unlock import (
    Credentials,
    check_files,
    connect_checked,
    current_author,
    read_only_mode,
    unlock_keys,
    untouched_on_failure,
)

Progress = Callable[[str, int, int], None]
SignatureCheck = Callable[[Connection], tuple[int, list[str]]]


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    page_errors: list[str] = field(default_factory=list)
    chain: ChainReport | None = None
    #: decision signatures (approvals): how many were checked, and the bad ones
    signatures_checked: int = 0
    signature_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.page_errors
            and self.chain is not None
            and self.chain.ok
            and not self.signature_errors
        )

    def summary(self) -> str:
        if self.page_errors:
            first = self.page_errors[0]
            more = f" ({len(self.page_errors) - 1} more)" if len(self.page_errors) > 1 else ""
            return (
                f"The database {self.path} is damaged: {first}{more}. "
                "Restore it from a backup; the file was not changed."
            )
        if self.chain is None:
            return f"The event log of {self.path} was not checked."
        if self.chain.first_break is not None:
            return (
                f"The event log of {self.path} is broken at "
                f"{self.chain.first_break.describe()}. Events before it verified "
                f"({self.chain.events_checked}); restore from a backup to recover the rest."
            )
        if self.signature_errors:
            return (
                f"{len(self.signature_errors)} approval signature(s) in {self.path} do not "
                f"verify: {self.signature_errors[0]}"
            )
        signed = (
            f" and {self.signatures_checked} approval signatures" if self.signatures_checked else ""
        )
        return (
            f"{self.path}: every page and all {self.chain.events_checked} events{signed} verified."
        )


def _page_errors(conn: Connection) -> list[str]:
    errors = connection.page_errors(conn)
    if errors:
        return errors
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    except DatabaseError as exc:
        return [f"structure check failed ({exc})"]
    return [] if rows == ["ok"] else rows


def check(
    open_reader: Callable[[], Connection], path: Path, *, progress: Progress | None = None
) -> VerifyReport:
    """Run every check, each on its own read-only connection from `open_reader`.

    The page and structure checks run in SQLite's C code on a second thread
    while this one walks the chain, so a large vault takes the longer of
    the two, not their sum. Takes seconds on big vaults: call it on a
    worker thread, never the GUI thread.
    """
    pages: list[str] = []
    page_conn = open_reader()

    def page_job() -> None:
        pages.extend(_page_errors(page_conn))

    worker = threading.Thread(target=page_job, name="strongroom-verify-pages", daemon=True)
    worker.start()

    def chain_progress(done: int, total: int) -> None:
        if progress is not None:
            progress("events", done, total)

    chain: ChainReport | None = None
    failure: str | None = None
    try:
        if progress is not None:
            progress("events", 0, 0)
        conn = open_reader()
        try:
            chain = verify_chain(conn, progress=chain_progress)
        finally:
            conn.close()
    except DatabaseError as exc:
        failure = f"reading the event log failed ({exc})"
    except BaseException:
        page_conn.interrupt()  # cancelled: stop the page check too
        raise
    finally:
        worker.join()
        page_conn.close()
    if pages:
        return VerifyReport(path, page_errors=pages)
    if failure is not None:
        return VerifyReport(path, page_errors=[failure])
    return VerifyReport(path, chain=chain)


class _Damaged(Exception):
    """Leaves the read-only check early, so the vault's sidecar files are cleaned up."""


def verify_vault(
    path: str | Path,
    credentials: Credentials,
    *,
    keychain: Keychain | None = None,
    progress: Progress | None = None,
    signatures: SignatureCheck | None = None,
) -> VerifyReport:
    """Verify a closed vault by path (the CLI's `verify`). Records a passing run.

    `signatures(conn)` checks the approval signatures (app.approvals, which this
    layer may not import) on a read-only connection: (checked, problems)."""
    paths = VaultPaths.of(path)
    keychain = keychain or Keychain()
    check_files(paths)
    can_write = location.writable(paths)
    lock = ProcessLock(paths.lock, paths.db, shared=not can_write)
    try:
        # An interrupted re-key is finished here, as any unlock does.
        header, key, info = unlock_keys(paths, credentials, keychain, can_write=can_write)
        refusal, immutable = read_only_mode(paths, can_write=can_write)

        def reader() -> Connection:
            return connection.connect(paths.db, key, readonly=True, immutable=immutable)

        # Check the pages before reading any table: damage anywhere is then named
        # by page, rather than by whichever query first stumbles on it.
        with contextlib.suppress(_Damaged), untouched_on_failure(paths):
            try:
                reader().close()
            except DatabaseError as exc:
                raise location.open_failure(exc, paths) from None
            report = check(reader, paths.db, progress=progress)
            if report.page_errors:
                page_check.forget(paths, header.vault_id)
            if not report.ok:
                raise _Damaged
        if not report.ok:
            return report
        conn = connect_checked(paths, header, key, readonly=True, immutable=immutable)
        try:
            device = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
            if signatures is not None:
                checked, problems = signatures(conn)
                report = replace(report, signatures_checked=checked, signature_errors=problems)
        finally:
            conn.close()
        if report.ok and report.chain is not None and device is not None:
            payload = {"events": report.chain.events_checked, "method": info.method.value}
            try:
                if refusal is not None:
                    raise refusal
                _record_verified(paths, header, key, device=str(device[0]), payload=payload)
            except StorageError:
                # A read needs no write: the next unlock that can write logs it.
                pending_audit.record(
                    paths,
                    vault_id=header.vault_id,
                    key=key,
                    type_="vault.verified",
                    payload=payload,
                    author=current_author(),
                )
        return report
    finally:
        lock.release()


def _record_verified(
    paths: VaultPaths, header: Header, key: bytes, *, device: str, payload: Mapping[str, object]
) -> None:
    writer = connect_checked(paths, header, key, readonly=False)
    log = EventLog(writer, device=device, author=current_author())
    try:
        try:
            writer.execute("BEGIN IMMEDIATE")
            log.append("vault.verified", payload)
            log.flush()
            writer.execute("COMMIT")
            writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            # Every page was just checked, and the only write since is ours.
            page_check.remember(paths, vault_id=header.vault_id, key=key)
        except DatabaseError as exc:
            if writer.in_transaction:
                with contextlib.suppress(DatabaseError):
                    writer.execute("ROLLBACK")
            raise connection.explain(exc, paths.db) from None
    finally:
        writer.close()
