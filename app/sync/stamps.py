"""Who last set a value, read from the event log: the rule behind "last writer wins".

A value's stamp is the (lamport, device, seq) of the event that set it. Of the
events that set one field of one customer (`customer.created` sets them all,
`customer.updated` those in its "new"), the newest stamp wins, whichever order
they arrived in; a projection writes a received value only if its event is
that winner. Every customer event names the customer in `subject`, so this is a
read of one customer's events along the log's subject index.

A local `customer.updated` records in "base" the stamp of each value it
replaced: two changes of one field neither of which saw the other were made
"on two devices" at once (`concurrent`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from vault.connection import Connection
from vault.events import Event

#: merge order: (lamport, device, seq)
Stamp = tuple[int, str, int]
SETTERS = ("customer.created", "customer.updated")


class Setter(NamedTuple):
    stamp: Stamp
    event_id: str
    payload: Mapping[str, Any]

    def sets(self) -> Mapping[str, Any]:
        """The (sealed) values it set, by field."""
        found = self.payload.get("values", self.payload.get("new"))
        return found if isinstance(found, dict) else {}

    def base(self, name: str) -> Stamp | None:
        """The stamp of the value of `name` it replaced, when it says."""
        raw = (self.payload.get("base") or {}).get(name)
        return (int(raw[0]), str(raw[1]), int(raw[2])) if isinstance(raw, list) else None


def stamp(event: Event) -> Stamp:
    return (event.lamport, event.device, event.seq)


def setters(conn: Connection, uid: str, types: Iterable[str] = SETTERS) -> list[Setter]:
    """Every event about customer `uid` of `types`, in merge order."""
    wanted = tuple(types)
    marks = ",".join("?" * len(wanted))
    rows = conn.execute(
        # only ? placeholders are joined in
        "SELECT lamport, device, seq, id, payload FROM events WHERE subject = ? "  # nosec B608
        f"AND type IN ({marks})",
        (uid, *wanted),
    ).fetchall()
    found = [_setter(r) for r in rows]
    found.sort(key=lambda s: s.stamp)
    return found


def _setter(r: Sequence[Any]) -> Setter:
    """A setter from (lamport, device, seq, id, payload, ...)."""
    payload = json.loads(bytes(r[4]).decode())  # UTF-8: no encoding detection
    return Setter((int(r[0]), str(r[1]), int(r[2])), str(r[3]), payload)


def setters_of_updated(conn: Connection) -> dict[str, list[Setter]]:
    """`setters(uid)` of every customer a received `customer.updated` waiting for its
    projection is about, by uid, read in one pass."""
    rows = conn.execute(
        "SELECT lamport, device, seq, id, payload, subject FROM events "
        "WHERE type IN (?, ?) AND subject IN (SELECT e.subject FROM event_receipts r "
        "JOIN events e ON e.id = r.event_id WHERE r.projection = 'waiting' "
        "AND e.type = 'customer.updated')",
        SETTERS,
    )
    found: dict[str, list[Setter]] = {}
    for r in rows:
        found.setdefault(str(r[5]), []).append(_setter(r))
    for each in found.values():
        each.sort(key=lambda s: s.stamp)
    return found


def newest_by_field(conn: Connection, uid: str) -> dict[str, Stamp]:
    """For each field of customer `uid`, the stamp of the event that set its value."""
    newest: dict[str, Stamp] = {}
    for setter in setters(conn, uid):
        for name in setter.sets():
            newest[name] = setter.stamp
    return newest


def concurrent(one: Setter, other: Setter, name: str) -> bool:
    """Neither change of `name` saw the other: each replaced a value older than the other."""
    a, b = one.base(name), other.base(name)
    if a is None or b is None:
        return False
    return a < other.stamp and b < one.stamp
