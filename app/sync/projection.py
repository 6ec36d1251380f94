"""What an applier works with while it replays received events: the vault, the open
transaction, and what the replay touched (for the steps that run once after it).

Runs on the database worker, inside the pull's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.sync.stamps import Setter, setters, setters_of_updated
from vault.connection import Connection
from vault.events import Event
from vault.pii import ERASED, PREFIX
from vault.store import Transaction, Vault
from vault.sync import customer_keys, event_rows


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
    #: customers whose search rows are written once, after the replay (not once per
    #: event); True for one the replay made, which has no rows yet
    reindex: dict[int, bool] = field(default_factory=dict)
    _ids: dict[str, tuple[int, bool] | None] = field(default_factory=dict)
    _setters: dict[str, list[Setter]] | None = None
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

    def prime(self) -> None:
        """Look up at once the customers the waiting events are about (one query, not
        one per event)."""
        subjects, held = event_rows.waiting_customers(self.conn)
        self._ids.update(dict.fromkeys(subjects))
        self._ids.update(held)

    def index_later(self, customer_id: int, *, new: bool = False) -> None:
        self.reindex[customer_id] = self.reindex.get(customer_id, False) or new

    def setters(self, uid: str) -> list[Setter]:
        """`stamps.setters(uid)`, read for every customer a waiting update is about at
        the first call: the events are all in the log before the replay starts."""
        if self._setters is None:
            self._setters = setters_of_updated(self.conn)
        found = self._setters.get(uid)
        return setters(self.conn, uid) if found is None else found

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
