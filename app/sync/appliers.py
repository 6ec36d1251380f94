"""The hook where received events become rows: one applier per event type.

Sync takes another device's events into this vault's event log (with their
receipts) first; replaying them into the tables they change (customers,
addresses, screenings, approvals, ...) is a *projection*, run by the applier
registered for the event's type. Appliers run in merge order (lamport,
device, seq), inside the caller's transaction, and mark each event applied.

`app.sync.project.default_appliers()` registers one for every type the app
writes; a received event of a type without one waits, counted by `sync
status` as `awaiting_projection`, until a build that knows it replays the
backlog (`apply_waiting`), so nothing received before is lost. After a
replay, `finish` runs once (the approval statuses the replay touched).

Some events change no table anywhere: they record what someone did on their
own device (unlocking, locking, verifying, backups, key changes, exports, entering a desk).
They travel only inside the chain they belong to (an event's hash covers the
one before it, so the chain cannot be shipped with holes), never make a push
on their own, need no projection, and stay out of the `state` digest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.sync.projection import Projection
from vault.events import Event
from vault.store import Transaction, Vault
from vault.sync import event_rows

#: every event type with this prefix changes no table (unlocks, backups, re-keys, ...)
AUDIT_PREFIX = "vault."
#: nor do these
AUDIT_ONLY = frozenset(
    {
        "screening.api_key_set",
        "screening.api_key_deleted",
        "export.created",
        "subject.exported",
        "approvals.exported",
        "desk.entered",
        "desk.invited",
        "document.viewed",
        "document.copied",
        "webhooks.endpoint_added",  # endpoints are this device's own settings
        "webhooks.endpoint_removed",
        "case.exported",
    }
)

Applier = Callable[[Projection, Event], None]
Finish = Callable[[Projection], None]


def audit_only(type_: str) -> bool:
    """True for an event that records an action on its device and changes no table."""
    return type_.startswith(AUDIT_PREFIX) or type_ in AUDIT_ONLY


class Appliers:
    """The registry of projections, by event type."""

    def __init__(
        self, appliers: Mapping[str, Applier] | None = None, *, finish: Finish | None = None
    ) -> None:
        self._appliers: dict[str, Applier] = dict(appliers or {})
        self._finish = finish

    def register(self, type_: str, applier: Applier) -> None:
        if audit_only(type_):
            raise ValueError(f"{type_} events change no table; they need no applier")
        self._appliers[type_] = applier

    def has(self, type_: str) -> bool:
        return type_ in self._appliers

    def projection(self, type_: str) -> str:
        """What a received event of `type_` waits for: 'none' or 'waiting'."""
        return "none" if audit_only(type_) else "waiting"

    def apply_waiting(
        self,
        vault: Vault,
        tx: Transaction,
        *,
        carried: Mapping[tuple[str, str], tuple[int, bytes]] | None = None,
        documents: Mapping[str, tuple[str, tuple[bytes, ...]]] | None = None,
    ) -> int:
        """Replay every waiting event whose type has an applier, in merge order, inside
        the caller's transaction `tx` of `vault`; returns how many were applied.
        `carried`: the customer keys the segment just taken carried (kept already);
        `documents`: the documents it carried (`app.sync.documents`)."""
        if not self._appliers:
            return 0
        done: list[str] = []
        projection = Projection(vault, tx, dict(carried or {}), documents=dict(documents or {}))
        waiting = event_rows.waiting(tx.conn, sorted(self._appliers))
        if not waiting:
            return 0
        projection.prime()
        for event in waiting:
            self._appliers[event.type](projection, event)
            done.append(event.id)
        event_rows.set_applied(tx.conn, done)
        if done and self._finish is not None:
            self._finish(projection)
        return len(done)
