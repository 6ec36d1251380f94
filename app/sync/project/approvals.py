"""Projections of the approvals events: members, grants, revocations, the policy,
requests and decisions; then the statuses recomputed from the merged facts.

The rules (DESIGN.md, "Approvals" and "Sync"):

- Decisions, grants and revocations are signed facts: a union, never a
  conflict. A decision goes through `app.approvals.record.decision`, the piece
  a decision made here uses; its signature is checked by the status pass, so
  a forged one is stored and never counts.
- A member whose key is on another device is stored without a key. A second
  device's self-made root is not this desk's root here (it could otherwise
  vouch for anyone); it stays a plain member.
- A grant or revocation of the same member and role keeps the newest (by its
  signed time); the policy in force is the one of the newest `policy_set` in
  merge order.
- Statuses are never taken from another device: once the events are in,
  every request they touch is judged again by the policy (`finish`).
"""

from __future__ import annotations

from typing import Any

from app.approvals import record
from app.approvals.desk import Desk
from app.approvals.refresh import refresh_all, refresh_received
from app.approvals.screenings import risk_of
from app.sync.projection import Projection
from app.sync.stamps import stamp
from vault.approvals import store
from vault.approvals.store import DecisionRow, MemberRow
from vault.events import Event, canonical_payload


def _body(event: Event) -> dict[str, Any]:
    found = event.payload_json()
    return found if isinstance(found, dict) else {}


def _member_by_address(p: Projection, address: Any) -> MemberRow | None:
    row = p.conn.execute(
        "SELECT id, name, address, is_root, key_sealed IS NOT NULL FROM approval_members "
        "WHERE address = ?",
        (address,),
    ).fetchone()
    return None if row is None else MemberRow(row[0], row[1], row[2], bool(row[3]), bool(row[4]))


def member_added(p: Projection, event: Event) -> None:
    body = _body(event)
    member_id, name, address = body["member"], str(body["name"]), body["address"]
    held = p.conn.execute(
        "SELECT 1 FROM approval_members WHERE id = ? OR address = ?", (member_id, address)
    ).fetchone()
    if held is not None:
        return
    is_root = bool(body.get("root")) and store.root(p.conn) is None
    taken = p.conn.execute(
        "SELECT 1 FROM approval_members WHERE name = ? COLLATE NOCASE", (name,)
    ).fetchone()
    if taken is not None:  # names are unique here; another device chose the same one
        name = f"{name} ({address[2:8]})"
    store.insert_known_member(
        p.conn,
        member_id=member_id,
        name=name,
        address=address,
        is_root=is_root,
        now=event.created_at,
    )
    p.trust_changed = True


def role_granted(p: Projection, event: Event) -> None:
    _role_fact(p, _body(event), table="approval_grants", verb="granted", write=store.insert_grant)


def role_revoked(p: Projection, event: Event) -> None:
    body = _body(event)
    _role_fact(p, body, table="approval_revocations", verb="revoked", write=store.insert_revocation)


def _role_fact(p: Projection, body: dict[str, Any], *, table: str, verb: str, write: Any) -> None:
    """A signed grant or revocation (`verb`: its `<verb>_at` and `<verb>_by` fields)."""
    at = body[f"{verb}_at"]
    if _newer_held(p, table, f"{verb}_at", body, at):
        return
    write(
        p.conn,
        member_id=body["member"],
        role=body["role"],
        signature=_hex(body["signature"]),
        **{f"{verb}_at": at, f"{verb}_by": body[f"{verb}_by"]},
    )
    p.trust_changed = True


def _newer_held(p: Projection, table: str, column: str, body: dict[str, Any], at: str) -> bool:
    """A fact of the same member and role at least as new is held already."""
    row = p.conn.execute(
        # table/column names are constants
        f"SELECT {column} FROM {table} WHERE member_id = ? AND role = ?",  # nosec B608
        (body["member"], body["role"]),
    ).fetchone()
    return row is not None and str(row[0]) >= at


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def policy_set(p: Projection, event: Event) -> None:
    body = _body(event)
    newest = p.conn.execute(
        "SELECT lamport, device, seq FROM events WHERE type = 'approvals.policy_set' "
        "ORDER BY lamport DESC, device DESC, seq DESC LIMIT 1"
    ).fetchone()
    if newest is not None and tuple(newest) != stamp(event):
        return  # a newer policy is in force already
    by = body.get("by") or {}
    store.insert_policy(
        p.conn,
        text=body["text"],
        sha256=body["sha256"],
        set_by=str(by.get("member", "")),
        now=event.created_at,
    )
    p.trust_changed = True


def requested(p: Projection, event: Event) -> None:
    body = _body(event)
    request_id = body["request"]
    if p.conn.execute("SELECT 1 FROM approval_requests WHERE id = ?", (request_id,)).fetchone():
        return
    customer_id = p.customer_id(body["customer"])
    content = body["content"]
    maker = _member_by_address(p, content.get("createdBy"))
    if customer_id is None or maker is None:
        return
    figure = content.get("amount") or content.get("limit") or None
    chain, address = content.get("chain") or None, content.get("address") or None
    risk = _risk(p, chain, address)
    valuation = body.get("valuation") or {}
    store.insert_request(
        p.conn,
        {
            "id": request_id,
            "kind": content["kind"],
            "customer_id": customer_id,
            "content": canonical_payload(content).decode(),
            "amount": None if figure is None else float(figure),
            "amount_exact": figure,
            "asset": content.get("asset") or None,
            "chain": chain,
            "address": address,
            "created_at": content["createdAt"],
            "created_by": maker.id,
            "risk_level": risk[0],
            "sanctioned": int(risk[1]),
            "risk_fetched_at": risk[2],
            **{c: valuation.get(c) for c in store.VALUATION_COLUMNS},
        },
    )
    p.requests.add(request_id)


def _risk(p: Projection, chain: str | None, address: str | None) -> tuple[Any, bool, Any]:
    return risk_of(p.conn, chain, address) if chain and address else (None, False, None)


def decided(p: Projection, event: Event) -> None:
    body = _body(event)
    if p.conn.execute(
        "SELECT 1 FROM approval_decisions WHERE id = ?", (body["decision"],)
    ).fetchone():
        return
    signer = _member_by_address(p, body["signer"])
    request = p.conn.execute(
        "SELECT 1 FROM approval_requests WHERE id = ?", (body["request"],)
    ).fetchone()
    if signer is None or request is None:
        return
    valuation = body.get("valuation")
    row = DecisionRow(
        id=body["decision"],
        request_id=body["request"],
        signer=body["signer"],
        verdict=body["verdict"],
        reason=body["reason"],
        created_at=body["decided_at"],
        typed_hash=_hex(body["typed_hash"]),
        signature=_hex(body["signature"]),
        verified=None,  # checked by the status pass, as every stored decision is
        local_only=False,
        valuation=None if valuation is None else canonical_payload(valuation).decode(),
    )
    record.decision(p.tx, row, customer_uid=body["customer"], signer=signer, received=True)
    p.requests.add(row.request_id)


def finalized(p: Projection, event: Event) -> None:
    """Nothing to write: each device judges its requests itself (`finish`)."""


def finish(p: Projection) -> None:
    """Judge again what the replay touched: everything after a trust or policy change."""
    if not (p.trust_changed or p.requests):
        return
    desk = Desk(p.vault)
    if p.trust_changed:
        refresh_all(desk, p.tx)
    else:
        refresh_received(desk, p.tx, sorted(p.requests))


APPLIERS = {
    "approvals.member_added": member_added,
    "approvals.role_granted": role_granted,
    "approvals.role_revoked": role_revoked,
    "approvals.policy_set": policy_set,
    "approvals.requested": requested,
    "approvals.decided": decided,
    "approvals.finalized": finalized,
}
