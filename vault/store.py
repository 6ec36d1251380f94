"""An open vault: the writing connection, its event log, and locking.

`Vault` objects come from `vault.unlock.open_vault` or `vault.create.create_vault`.
A vault is used from one thread at a time (the app's database worker); read
connections for views can be opened on other threads with `reader()`.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vault import connection, page_check, pending_audit
from vault.connection import Connection, DatabaseError
from vault.errors import StorageError, VaultError
from vault.events import Event, EventLog
from vault.header import Header
from vault.keys import Keychain
from vault.paths import VaultPaths
from vault.process_lock import ProcessLock


class UnlockMethod(enum.Enum):
    KEYCHAIN = "keychain"
    PASSPHRASE = "passphrase"  # noqa: S105 - a method name, not a secret
    RECOVERY_KEY = "recovery key"
    NEW = "new vault"


@dataclass(frozen=True)
class UnlockInfo:
    """How the vault was opened, and anything the user should be told about it."""

    method: UnlockMethod
    keychain_note: str | None = None


class Transaction:
    """One write transaction: SQL plus the events that describe it."""

    def __init__(
        self, conn: Connection, log: EventLog, on_rollback: list[Callable[[], None]]
    ) -> None:
        self.conn = conn
        self._log = log
        self._on_rollback = on_rollback
        self._savepoints = 0

    @contextlib.contextmanager
    def buffered_events(self) -> Iterator[None]:
        """Write this block's events in one go at its end (bulk imports): the block must
        not read the events table. Rolled back with the transaction as usual."""
        self._log.start_buffer()
        yield
        self._log.write_buffer()

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that can fail alone (one imported row, say)."""
        self._log.write_buffer()
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            self._log.forget_cache()
            for hook in self._on_rollback:
                hook()
            raise
        self.conn.execute(f"RELEASE {name}")

    def execute(self, sql: str, params: tuple[Any, ...] | Mapping[str, Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def event(
        self, type_: str, payload: Mapping[str, Any], *, about: Collection[int] = ()
    ) -> Event:
        """`about`: the customer ids of a batch event that concerns many (EventLog.append)."""
        return self._log.append(type_, payload, about=about)

    def events(self, type_: str, payloads: list[Mapping[str, Any]]) -> None:
        """Many events of one type, in order (bulk imports)."""
        self._log.extend(type_, payloads)


class Vault:
    """An unlocked vault. Closing it (lock) drops the key and every connection."""

    def __init__(
        self,
        *,
        paths: VaultPaths,
        header: Header,
        key: bytes,
        conn: Connection,
        process_lock: ProcessLock,
        device: str,
        author: str,
        unlock: UnlockInfo,
        keychain: Keychain,
        write_refusal: VaultError | None = None,
        immutable: bool = False,
    ) -> None:
        """`write_refusal`: the vault is open read-only (read-only location, full disk,
        damage found) and every write raises this; reads are audited late
        (`vault.pending_audit`). `immutable`: its connections create no sidecar file."""
        self.paths = paths
        self.header = header
        self._key = bytearray(key)
        self._conn: Connection | None = conn
        self._lock = process_lock
        self.device = device
        self.unlock = unlock
        self.keychain = keychain
        self.log = EventLog(conn, device=device, author=author)
        self._readers: list[Connection] = []
        self._on_rollback: list[Callable[[], None]] = []
        self.write_refusal = write_refusal
        self._immutable = immutable
        self._author = author

    def on_rollback(self, hook: Callable[[], None]) -> None:
        """Call `hook` whenever a transaction or savepoint rolls back (to drop caches)."""
        self._on_rollback.append(hook)

    # --- state -------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def read_only(self) -> bool:
        return self.write_refusal is not None

    def require_writable(self) -> None:
        """Raise why this vault cannot be written, before any write is tried."""
        if self.write_refusal is not None:
            refusal = self.write_refusal
            raise type(refusal)(refusal.message, path=refusal.path)

    @property
    def vault_id(self) -> str:
        return self.header.vault_id

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise VaultError(f"The vault {self.paths.db} is locked. Unlock it first.")
        return self._conn

    def key_bytes(self) -> bytes:
        """The raw database key, for the few operations that need it (re-key, backup)."""
        if self._conn is None:
            raise VaultError(f"The vault {self.paths.db} is locked. Unlock it first.")
        return bytes(self._key)

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # --- writing -----------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """`BEGIN IMMEDIATE` ... `COMMIT`; any exception rolls the whole change back."""
        conn = self.conn
        self.require_writable()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except DatabaseError as exc:
            raise connection.explain(exc, self.paths.db) from None
        try:
            yield Transaction(conn, self.log, self._on_rollback)
            self.log.flush()
            conn.execute("COMMIT")
        except BaseException as exc:
            self.log.forget_cache()
            for hook in self._on_rollback:
                hook()
            if conn.in_transaction:
                with contextlib.suppress(DatabaseError):
                    conn.execute("ROLLBACK")
            if isinstance(exc, DatabaseError):
                raise connection.explain(exc, self.paths.db) from None
            raise

    def audit(self, type_: str, payload: Mapping[str, Any] | None = None) -> Event | None:
        """Record something that changes no table (unlock, backup, ...) as its own event.

        A read must not need a write: when the vault cannot be written (read-only,
        full disk, damaged), the event goes to the side journal and is logged by the
        next unlock that can write; None then."""
        if self.write_refusal is None:
            try:
                with self.transaction() as tx:
                    return tx.event(type_, payload or {})
            except StorageError:
                pass
        pending_audit.record(
            self.paths,
            vault_id=self.vault_id,
            key=self.key_bytes(),
            type_=type_,
            payload=payload or {},
            author=self._author,
        )
        return None

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    # --- reading -----------------------------------------------------------

    def reader(self) -> Connection:
        """A read-only connection for a view, usable on another thread than the writer."""
        reader = self.read_connection()
        self._readers.append(reader)
        return reader

    def read_connection(self) -> Connection:
        """A read-only connection the caller closes (verify's checks); on a vault open
        read-only where it lies it creates no sidecar file."""
        return connection.connect(
            self.paths.db, self.key_bytes(), readonly=True, immutable=self._immutable
        )

    def close_readers(self) -> None:
        for reader in self._readers:
            with contextlib.suppress(DatabaseError):
                reader.close()
        self._readers.clear()

    def replace_key(self, key: bytes, header: Header) -> None:
        """After a re-key: the connection already uses `key`; remember it and its header."""
        for i in range(len(self._key)):
            self._key[i] = 0
        self._key = bytearray(key)
        self.header = header

    # --- locking -----------------------------------------------------------

    def close(self, *, audit: bool = True) -> None:
        """Lock: record it, close every connection, forget the key, free the file."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if audit:
                with contextlib.suppress(VaultError, DatabaseError):
                    self._conn = conn
                    self.audit("vault.locked", {})
                    self._conn = None
            self.close_readers()
            if self.write_refusal is None:
                with contextlib.suppress(DatabaseError):
                    # Fold the WAL back so the closed vault is one file plus its header.
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    # Every page written since the check at unlock is ours.
                    page_check.remember(self.paths, vault_id=self.vault_id, key=bytes(self._key))
            conn.close()
        finally:
            self._conn = None
            for i in range(len(self._key)):
                self._key[i] = 0
            self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
