"""What an applier works with while it replays received events: the vault, the open
transaction, and what the replay touched (for the steps that run once after it).

Runs on the database worker, inside the pull's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.connection import Connection
from vault.events import Event
from vault.pii import ERASED, PREFIX
from vault.store import Transaction, Vault
from vault.sync import customer_keys


@dataclass
class Projection:
    vault: Vault
    tx: Transaction
    #: the customer keys the segment being applied carried, by (log device, uid)
    carried: Mapping[tuple[str, str], tuple[int, bytes]] = field(default_factory=dict)
    #: the documents the segment being applied carried: {uid: (digest, sealed chunks)}
    documents: Mapping[str, tuple[str, tuple[bytes, ...]]] = field(default_factory=dict)
    #: approval requests whose status must be recomputed once the replay is done
    requests: set[str] = field(default_factory=set)
    #: a grant, revocation, member or policy arrived: every status is recomputed
    trust_changed: bool = False
    #: the first address row the replay added (conflicts are looked for once, after it)
    first_address: int | None = None
    _ids: dict[str, tuple[int, bool] | None] = field(default_factory=dict)
    _openers: dict[tuple[str, str], Opener] = field(default_factory=dict)

    @property
    def conn(self) -> Connection:
        return self.tx.conn

    def customer(self, uid: str) -> tuple[int, bool] | None:
        """This vault's (id, erased) of the customer `uid`, or None when it holds none."""
        if uid not in self._ids:
            row = self.conn.execute(
                "SELECT id, erased_at IS NOT NULL FROM customers WHERE uid = ?", (uid,)
            ).fetchone()
            self._ids[uid] = None if row is None else (int(row[0]), bool(row[1]))
        return self._ids[uid]

    def customer_id(self, uid: str) -> int | None:
        found = self.customer(uid)
        return None if found is None else found[0]

    def known(self, uid: str, customer_id: int, *, erased: bool = False) -> None:
        self._ids[uid] = (customer_id, erased)

    def opener(self, event: Event, uid: str) -> Opener:
        at = (event.device, uid)
        found = self._openers.get(at)
        if found is None:
            raw = self.carried.get(at)
            key = (
                (raw[0], AESGCM(raw[1]))
                if raw is not None
                else customer_keys.cipher(self.conn, log_device=event.device, uid=uid)
            )
            found = self._openers[at] = Opener(key)
        return found

    def forget_keys(self, uid: str) -> None:
        """An erasure: no value of the customer is opened any more."""
        self.carried = {k: v for k, v in self.carried.items() if k[1] != uid}
        self._openers = {k: v for k, v in self._openers.items() if k[1] != uid}

    def added_address(self, row_id: int) -> None:
        if self.first_address is None or row_id < self.first_address:
            self.first_address = row_id


class Opener:
    """Opens the values one device sealed for one customer (ERASED without its key)."""

    def __init__(self, found: Any) -> None:
        self._found = found

    def open(self, token: Any) -> Any:
        if not isinstance(token, str) or not token.startswith(PREFIX):
            return token
        if self._found is None:
            return ERASED
        return customer_keys.open_value(self._found, token) or ERASED
