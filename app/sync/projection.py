"""What an applier works with while it replays received events: the vault, the open
transaction, and what the replay touched (for the steps that run once after it).

Runs on the database worker, inside the pull's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vault.connection import Connection
from vault.events import Event
from vault.pii import ERASED, PREFIX
from vault.store import Transaction, Vault
from vault.sync import customer_keys


@dataclass
class Projection:
    vault: Vault
    tx: Transaction
    #: approval requests whose status must be recomputed once the replay is done
    requests: set[str] = field(default_factory=set)
    #: a grant, revocation, member or policy arrived: every status is recomputed
    trust_changed: bool = False
    _ids: dict[str, int | None] = field(default_factory=dict)

    @property
    def conn(self) -> Connection:
        return self.tx.conn

    def customer_id(self, uid: str) -> int | None:
        """This vault's id of the customer `uid`, or None when it holds none."""
        if uid not in self._ids:
            row = self.conn.execute("SELECT id FROM customers WHERE uid = ?", (uid,)).fetchone()
            self._ids[uid] = None if row is None else int(row[0])
        return self._ids[uid]

    def known(self, uid: str, customer_id: int) -> None:
        self._ids[uid] = customer_id

    def opener(self, event: Event, uid: str) -> Opener:
        return Opener(customer_keys.cipher(self.conn, log_device=event.device, uid=uid))


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
