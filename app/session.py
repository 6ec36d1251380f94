"""The vault a user works in: create, unlock, lock, and the key and backup use cases.

Every method touches the disk and some take seconds (Argon2id, verify,
backup): call them on the database worker (`TaskRunner.run_db`), never on
the GUI thread. The CLI calls the same methods directly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.authorship import Members
from app.bus import EventBus
from vault import backup as backups
from vault import events, keyops, verify
from vault.connection import Connection
from vault.errors import VaultError
from vault.events import Event
from vault.keys import Keychain, KeychainStatus
from vault.paths import VaultPaths
from vault.store import UnlockInfo, UnlockMethod, Vault
from vault.unlock import Created, Credentials, create_vault, open_vault, restore_keychain_entry
from vault.verify import VerifyReport


class LockedError(VaultError):
    exit_code = 3


@dataclass(frozen=True)
class AuditRow:
    seq: int
    device: str
    created_at: str
    #: the OS user who recorded the event on `device`
    author: str
    type: str
    details: str
    #: the desk member who made (for a signed fact: whose key signed) an approvals
    #: fact; "" for other events
    member: str = ""

    @property
    def who(self) -> str:
        """Whom the log names: the member for an approvals fact, else the OS user."""
        return self.member or self.author


def _payload(event: Event) -> Any:
    try:
        return event.payload_json()
    except ValueError:
        return None


def _details(event: Event) -> str:
    try:
        payload = event.payload_json()
    except ValueError:
        return "(unreadable payload)"
    if not isinstance(payload, dict) or not payload:
        return ""
    return ", ".join(f"{k}: {_brief(v)}" for k, v in sorted(payload.items()))


def _brief(value: object) -> object:
    # A batch event (an import) holds thousands of rows: the audit line counts them;
    # the customer's History tab shows that customer's rows.
    if isinstance(value, list) and len(value) > _LISTED:
        return f"{len(value)} rows"
    return value


_LISTED = 10


class VaultSession:
    """One vault file and, while unlocked, its open `Vault`."""

    def __init__(
        self,
        path: str | Path,
        *,
        keychain: Keychain | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.paths = VaultPaths.of(path)
        self.keychain = keychain or Keychain()
        self.bus = bus or EventBus()
        self._vault: Vault | None = None
        self._reader: Connection | None = None
        # Guards the reader, which the read worker uses while the db worker may lock.
        self._read_guard = threading.Lock()

    # --- state -------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.paths.db

    def exists(self) -> bool:
        return self.paths.db.exists()

    @property
    def is_unlocked(self) -> bool:
        return self._vault is not None and self._vault.is_open

    @property
    def vault(self) -> Vault:
        if self._vault is None or not self._vault.is_open:
            raise LockedError(f"The vault {self.paths.db} is locked.", path=self.paths.db)
        return self._vault

    def keychain_status(self) -> KeychainStatus:
        return self.keychain.status()

    # --- opening and closing ---------------------------------------------------

    def create(self, *, passphrase: str, use_keychain: bool = True) -> Created:
        created = create_vault(
            self.paths.db, passphrase=passphrase, use_keychain=use_keychain, keychain=self.keychain
        )
        self._vault = created.vault
        self.bus.publish("vault.unlocked", method=created.vault.unlock.method.value)
        return created

    def unlock(self, credentials: Credentials) -> UnlockInfo:
        if self.is_unlocked:
            return self.vault.unlock
        self._vault = open_vault(self.paths.db, credentials, keychain=self.keychain)
        self.bus.publish("vault.unlocked", method=self._vault.unlock.method.value)
        return self._vault.unlock

    def lock(self, *, reason: str = "user") -> None:
        """Close every connection and forget the key. Safe to call when locked."""
        with self._read_guard:
            reader, self._reader = self._reader, None
            if reader is not None:
                reader.close()
        vault, self._vault = self._vault, None
        if vault is not None:
            vault.close()
            self.bus.publish("vault.locked", reason=reason)

    # --- key management ----------------------------------------------------

    def change_passphrase(self, *, current: str, new: str) -> None:
        keyops.check_passphrase(self.vault, current)
        keyops.change_passphrase(self.vault, new_passphrase=new)

    def reset_passphrase(self, *, new: str) -> None:
        """Set a new passphrase without the old one: only after unlocking with the
        recovery key (the way back for someone who forgot the passphrase)."""
        if self.vault.unlock.method is not UnlockMethod.RECOVERY_KEY:
            raise LockedError(
                "Setting a passphrase without the current one needs an unlock with the "
                "recovery key.",
                path=self.paths.db,
            )
        keyops.change_passphrase(self.vault, new_passphrase=new)

    def forget_keychain(self) -> None:
        """Remove this vault's key from the OS keychain (the passphrase still opens it)."""
        self.keychain.delete(self.vault.vault_id)
        self.vault.audit("vault.keychain_removed", {})

    def rekey(self, *, passphrase: str) -> None:
        with self._read_guard:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        keyops.rekey(self.vault, passphrase=passphrase)

    def restore_keychain(self) -> bool:
        return restore_keychain_entry(self.vault)

    def backup(self, to: str | Path) -> backups.BackupInfo:
        return backups.backup(self.vault, to)

    # --- reading -----------------------------------------------------------

    def _read(self) -> Connection:
        if self._reader is None:
            self._reader = self.vault.reader()
        return self._reader

    def verify(self, progress: verify.Progress | None = None) -> verify.VerifyReport:
        """Check pages and chain on a read connection, then log a passing run."""
        vault = self.vault
        report = verify.check(
            vault.read_connection,
            self.paths.db,
            progress=progress,
        )
        if report.ok:
            report = self._check_signatures(report)
        if report.ok and report.chain is not None:
            self.vault.audit("vault.verified", {"events": report.chain.events_checked})
        return report

    def _check_signatures(self, report: VerifyReport) -> VerifyReport:
        """Every approval decision and role grant signature, as `strongroom verify` does."""
        from app.approvals.service import signature_problems  # eth-account: only when asked

        with self._read_guard:
            checked, problems = signature_problems(self._read())
        return replace(report, signatures_checked=checked, signature_errors=problems)

    def audit_count(self) -> int:
        with self._read_guard:
            return events.count(self._read())

    def audit_page(self, *, offset: int, limit: int) -> list[AuditRow]:
        """Newest first. Reads a snapshot through the read connection."""
        with self._read_guard:
            conn = self._read()
            page = events.page(conn, offset=offset, limit=limit)
            members = Members(conn)
            return [
                AuditRow(
                    e.seq,
                    e.device,
                    e.created_at,
                    e.author,
                    e.type,
                    _details(e),
                    members.of(e.type, _payload(e)),
                )
                for e in page
            ]
