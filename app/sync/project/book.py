"""Projections of the customer book's events: customers, contacts, tags, addresses,
conflicts, notes, tasks, custom fields and values, merges, erasures.

The rules (DESIGN.md, "Sync"):

- Customers are known everywhere by uid; rows made here from another device's
  event carry that event's time, never the time they arrived.
- A field takes the value of the newest event that set it, in merge order
  (`stamps`), whatever order events arrive in; a change that loses is kept in
  the history, and one made while another device changed the same field
  (neither saw the other) marks the customer "changed on two devices"
  (`customer_changes`).
- Erasure is a tombstone: once a customer is erased, nothing received about
  it writes a personal value again, and every key that opens its values goes.
  What the tombstone keeps (kind, country, KYC status, risk rating, wallet
  addresses without labels) still follows later events, so a change that
  crossed the erasure lands alike on every device.
- Conflicts (two customers holding one address) follow from the addresses:
  each device finds them itself; a resolution names the address and the two
  customers, so it closes the same conflict on every device.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, NamedTuple

from app.book.models import PERSONAL_FIELDS
from app.sync.projection import Opener, Projection
from app.sync.stamps import Setter, concurrent, setters, stamp
from vault.book import addresses, customers
from vault.events import Event
from vault.pii import ERASED
from vault.sync import customer_keys

_LISTS = frozenset({"emails", "phones", "tags"})


def _body(event: Event) -> dict[str, Any]:
    found = event.payload_json()
    return found if isinstance(found, dict) else {}


def _live(p: Projection, uid: Any) -> int | None:
    """The customer's id here, if it exists and is not erased."""
    if not isinstance(uid, str):
        return None
    found = p.customer(uid)
    return None if found is None or found[1] else found[0]


def _held(p: Projection, uid: Any) -> tuple[str, int, bool] | None:
    """(uid, id here, erased) of a customer this vault holds, erased or not."""
    found = p.customer(uid) if isinstance(uid, str) else None
    return None if found is None else (uid, *found)


class _About(NamedTuple):
    """An event's body and the customer (its "customer") it is about, as held here."""

    body: dict[str, Any]
    uid: str
    customer_id: int
    erased: bool


def _about(p: Projection, event: Event, *, erased_too: bool = False) -> _About | None:
    """The event's body and its customer when this vault holds it; None when it holds
    none, or (unless `erased_too`) the customer is erased: nothing is written then."""
    body = _body(event)
    found = _held(p, body.get("customer"))
    if found is None or (found[2] and not erased_too):
        return None
    return _About(body, *found)


def _values(p: Projection, event: Event, uid: str, sealed: dict[str, Any]) -> dict[str, Any]:
    opener = p.opener(event, uid)
    values: dict[str, Any] = {}
    for name, value in sealed.items():
        clear = opener.open(value) if name in PERSONAL_FIELDS else value
        if name in _LISTS:
            if isinstance(clear, str):
                clear = [] if clear == ERASED else clear.split("\x1f")
            clear = list(clear or [])
        values[name] = clear
    return values


def customer_created(p: Projection, event: Event) -> None:
    body = _body(event)
    uid = body.get("customer")
    if not isinstance(uid, str) or p.customer_id(uid) is not None:
        return
    values = _values(p, event, uid, dict(body.get("values") or {}))
    for name in ("legal_name", "display_name"):
        if not values.get(name):
            values[name] = ERASED
    customer_id, _ = customers.insert(p.conn, values, now=event.created_at, uid=uid)
    p.known(uid, customer_id)
    p.index_later(customer_id, new=True)


def customer_updated(p: Projection, event: Event) -> None:
    about = _about(p, event, erased_too=True)
    if about is None:
        return
    _, uid, customer_id, erased = about
    mine = stamp(event)
    history = p.setters(uid)
    me = next(s for s in history if s.event_id == event.id)
    new = me.sets()
    if erased:
        # The tombstone keeps these, so a change made before the erasure was seen
        # counts on every device alike, whichever arrived first; the rest is gone.
        new = {k: v for k, v in new.items() if k in customers.KEPT_ON_ERASURE}
    winning: dict[str, Any] = {}
    for name in new:
        others = [s for s in history if s.event_id != event.id and name in s.sets()]
        if not others or max(s.stamp for s in others) < mine:
            winning[name] = new[name]
        for other in others:
            if not erased and concurrent(me, other, name):
                _two_devices(p, customer_id, name, me, other)
    if winning:
        values = _values(p, event, uid, winning)
        customers.update(p.conn, customer_id, values, now=event.created_at)
        if not erased:
            p.index_later(customer_id)


def _two_devices(p: Projection, customer_id: int, name: str, one: Setter, other: Setter) -> None:
    winner, loser = (one, other) if one.stamp > other.stamp else (other, one)
    p.conn.execute(
        "INSERT OR IGNORE INTO customer_changes (customer_id, field, winner, loser) "
        "VALUES (?, ?, ?, ?)",
        (customer_id, name, winner.event_id, loser.event_id),
    )


def customer_erased(p: Projection, event: Event) -> None:
    about = _about(p, event)
    if about is None:
        return
    _, uid, customer_id, _ = about
    customers.erase(p.conn, customer_id, placeholder=ERASED, now=event.created_at)
    p.conn.execute("DELETE FROM customer_keys WHERE customer_id = ?", (customer_id,))
    p.conn.execute("DELETE FROM customer_changes WHERE customer_id = ?", (customer_id,))
    customer_keys.forget_customer(p.conn, uid)
    p.forget_keys(uid)
    p.known(uid, customer_id, erased=True)


def customer_merged(p: Projection, event: Event) -> None:
    body = _body(event)
    keep, other = _live(p, body.get("customer")), _live(p, body.get("merged"))
    if keep is None or other is None or keep == other:
        return
    merged = p.conn.execute("SELECT merged_into FROM customers WHERE id = ?", (other,)).fetchone()
    if merged[0] is not None:
        return
    customers.fold(p.conn, keep=keep, other=other, now=event.created_at)
    p.reindex.pop(keep, None)  # `fold` wrote its rows, the ones it had so far included
    _find_conflicts(p, event, addresses.shared_by(p.conn, keep))


def _find_conflicts(p: Projection, event: Event, pairs: list[tuple[str, str, int, int]]) -> None:
    for chain, address, first, second in pairs:
        addresses.record_conflict(
            p.conn, chain=chain, address=address, first=first, second=second, now=event.created_at
        )


def finish(p: Projection) -> None:
    """The search rows of the customers the replay changed, and conflicts among the
    addresses it added, each written once."""
    for customer_id in customers.indexable(p.conn, sorted(p.reindex)):
        customers.reindex(p.conn, customer_id, new=p.reindex[customer_id])
    if p.first_address is None:
        return
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for chain, address, first, second in addresses.shared_since(p.conn, p.first_address):
        addresses.record_conflict(
            p.conn, chain=chain, address=address, first=first, second=second, now=now
        )


def address_added(p: Projection, event: Event) -> None:
    about = _about(p, event, erased_too=True)
    if about is None:
        return
    body, uid, customer_id, erased = about
    # An erased customer keeps its addresses (AML record-keeping), without labels.
    opener = Opener(None) if erased else p.opener(event, uid)
    row_id = addresses.insert(
        p.conn,
        customer_id=customer_id,
        chain=str(body["chain"]),
        address=str(body["address"]),
        label=_clear(opener.open(body.get("label"))),
        evidence=_clear(opener.open(body.get("evidence"))),
        now=event.created_at,
    )
    if row_id is not None:
        p.added_address(row_id)
    elif not erased:
        _relabel(p, event, uid, customer_id, body)


def address_updated(p: Projection, event: Event) -> None:
    about = _about(p, event)
    if about is not None:
        _relabel(p, event, about.uid, about.customer_id, about.body)


def _relabel(p: Projection, event: Event, uid: str, customer_id: int, body: dict[str, Any]) -> None:
    """The newest label and evidence of one link win, in merge order."""
    chain, address = body.get("chain"), body.get("address")
    newest = [
        s
        for s in setters(p.conn, uid, ("address.added", "address.updated"))
        if (s.payload.get("chain"), s.payload.get("address")) == (chain, address)
    ]
    if not newest or newest[-1].event_id != event.id:
        return
    sealed = body.get("new", body)
    opener = p.opener(event, uid)
    row = p.conn.execute(
        "SELECT id FROM addresses WHERE customer_id = ? AND chain = ? AND address = ?",
        (customer_id, chain, address),
    ).fetchone()
    if row is not None:
        addresses.update_label(
            p.conn,
            int(row[0]),
            label=_clear(opener.open(sealed.get("label"))),
            evidence=_clear(opener.open(sealed.get("evidence"))),
        )


def _clear(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != ERASED else None


def addresses_imported(p: Projection, event: Event) -> None:
    body = _body(event)
    columns = list(body.get("columns") or [])
    at = {name: columns.index(name) for name in ("customer", "chain", "address", "label")}
    at["evidence"] = columns.index("evidence")
    rows: list[tuple[int, str, str, str | None, str | None]] = []
    openers: dict[str, Any] = {}
    for raw in body.get("rows") or []:
        uid = raw[at["customer"]]
        found = _held(p, uid)
        if found is None:
            continue
        uid, customer_id, erased = found
        if uid not in openers:  # an erased customer's addresses stay, without labels
            openers[uid] = Opener(None) if erased else p.opener(event, uid)
        opener = openers[uid]
        rows.append(
            (
                customer_id,
                str(raw[at["chain"]]),
                str(raw[at["address"]]),
                _clear(opener.open(raw[at["label"]])),
                _clear(opener.open(raw[at["evidence"]])),
            )
        )
    p.added_address(addresses.next_row(p.conn))
    addresses.insert_new(p.conn, rows, now=event.created_at)
    # The customer histories find a received batch event as they find their own.
    rowid = p.conn.execute("SELECT rowid_ FROM events WHERE id = ?", (event.id,)).fetchone()[0]
    p.conn.executemany(
        "INSERT OR IGNORE INTO event_customers (customer_id, event) VALUES (?, ?)",
        [(c, rowid) for c in sorted({r[0] for r in rows})],
    )


def conflict_detected(p: Projection, event: Event) -> None:
    body = _body(event)
    ids = [_live(p, uid) for uid in body.get("customers") or []]
    if len(ids) == 2 and None not in ids:
        first, second = (int(i) for i in ids if i is not None)
        addresses.record_conflict(
            p.conn,
            chain=str(body["chain"]),
            address=str(body["address"]),
            first=first,
            second=second,
            now=event.created_at,
        )


def conflict_resolved(p: Projection, event: Event) -> None:
    body = _body(event)
    ids = sorted(p.customer_id(uid) or 0 for uid in body.get("customers") or [])
    if len(ids) != 2 or 0 in ids:
        return  # an older event without what it is about: only its device knows it
    p.conn.execute(
        "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE resolved_at IS NULL "
        "AND chain = ? AND address = ? AND customer_a = ? AND customer_b = ?",
        (event.created_at, body.get("resolution"), body["chain"], body["address"], *ids),
    )


def note_added(p: Projection, event: Event) -> None:
    about = _about(p, event)
    if about is None:
        return
    body, uid, customer_id, _ = about
    text = _clear(p.opener(event, uid).open(body.get("body")))
    if text is None:
        return
    cur = p.conn.execute(
        "INSERT INTO notes (customer_id, kind, body, at, author) VALUES (?, ?, ?, ?, ?)",
        (customer_id, body.get("kind") or "note", text, event.created_at, event.author),
    )
    _remember(p, "note", event, body.get("note"), int(cur.lastrowid or 0))
    p.index_later(customer_id)


def task_added(p: Projection, event: Event) -> None:
    about = _about(p, event)
    if about is None:
        return
    body, uid, customer_id, _ = about
    title = _clear(p.opener(event, uid).open(body.get("body"))) or ERASED
    cur = p.conn.execute(
        "INSERT INTO tasks (customer_id, title, due_at, remind_at, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (customer_id, title, body.get("due_at"), body.get("remind_at"), event.created_at),
    )
    _remember(p, "task", event, body.get("task"), int(cur.lastrowid or 0))


def task_done(p: Projection, event: Event) -> None:
    body = _body(event)
    origin = body.get("origin")
    device, number = (origin[0], origin[1]) if isinstance(origin, list) else (event.device, None)
    number = body.get("task") if number is None else number
    local = local_id(p, "task", device=str(device), origin=number)
    if local is not None:
        p.conn.execute(
            "UPDATE tasks SET done_at = ? WHERE id = ? AND done_at IS NULL",
            (event.created_at, local),
        )


def _remember(p: Projection, kind: str, event: Event, origin: Any, local: int) -> None:
    if type(origin) is int:
        p.conn.execute(
            "INSERT OR IGNORE INTO sync_ids (kind, log_device, origin, local) VALUES (?, ?, ?, ?)",
            (kind, event.device, origin, local),
        )


def local_id(p: Projection, kind: str, *, device: str, origin: Any) -> int | None:
    """This vault's row for another device's (or its own) numbered row."""
    if type(origin) is not int:
        return None
    if device == p.vault.device:
        return origin
    row = p.conn.execute(
        "SELECT local FROM sync_ids WHERE kind = ? AND log_device = ? AND origin = ?",
        (kind, device, origin),
    ).fetchone()
    return None if row is None else int(row[0])


def custom_field_defined(p: Projection, event: Event) -> None:
    body = _body(event)
    choices = list(body.get("choices") or [])
    newest = p.conn.execute(
        "SELECT lamport, device, seq FROM events WHERE type = 'custom_field.defined' "
        "AND json_extract(CAST(payload AS TEXT), '$.name') = ? ORDER BY lamport DESC, "
        "device DESC, seq DESC LIMIT 1",
        (body.get("name"),),
    ).fetchone()
    if newest is not None and tuple(newest) != stamp(event):
        return
    p.conn.execute(
        "INSERT INTO custom_fields (name, label, type, choices, position) VALUES "
        "(?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM custom_fields)) "
        "ON CONFLICT (name) DO UPDATE SET label = excluded.label, choices = excluded.choices",
        (body["name"], body["label"], body["type"], json.dumps(choices) if choices else None),
    )


def custom_value_set(p: Projection, event: Event) -> None:
    about = _about(p, event)
    if about is None:
        return
    body, uid, customer_id, _ = about
    name = body.get("field")
    same = [
        s for s in setters(p.conn, uid, ("custom_value.set",)) if s.payload.get("field") == name
    ]
    if not same or same[-1].event_id != event.id:
        return
    field = p.conn.execute("SELECT id FROM custom_fields WHERE name = ?", (name,)).fetchone()
    if field is None:
        return
    value = _clear(p.opener(event, uid).open((body.get("new") or {}).get("body")))
    if value is None:
        p.conn.execute(
            "DELETE FROM custom_values WHERE customer_id = ? AND field_id = ?",
            (customer_id, int(field[0])),
        )
    else:
        p.conn.execute(
            "INSERT INTO custom_values (customer_id, field_id, value) VALUES (?, ?, ?) "
            "ON CONFLICT (customer_id, field_id) DO UPDATE SET value = excluded.value",
            (customer_id, int(field[0]), value),
        )
    p.index_later(customer_id)


def import_finished(p: Projection, event: Event) -> None:
    """Nothing to write: an import's summary; its rows came in their own events."""


APPLIERS = {
    "import.finished": import_finished,
    "customer.created": customer_created,
    "customer.updated": customer_updated,
    "customer.erased": customer_erased,
    "customer.merged": customer_merged,
    "address.added": address_added,
    "address.updated": address_updated,
    "addresses.imported": addresses_imported,
    "conflict.detected": conflict_detected,
    "conflict.resolved": conflict_resolved,
    "note.added": note_added,
    "task.added": task_added,
    "task.done": task_done,
    "custom_field.defined": custom_field_defined,
    "custom_value.set": custom_value_set,
}
