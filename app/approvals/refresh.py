"""Keeping the cached statuses (`approval_requests.status`) true.

A status is recomputed by the pure `status.evaluate` when decisions are added,
the policy or roles change, or `refresh()` finds new screenings or a passing
expiry. A request that becomes approved or rejected gets an `approvals.finalized`
event; an approved (or no longer approved) risk override moves the requests whose
risk it accepts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.approvals.checks import decision_ok
from app.approvals.desk import Desk
from app.approvals.judge import judge
from app.approvals.model import QueueFilter, Status
from app.approvals.queue_read import content_of, count
from app.approvals.revalue import revalue_open
from app.approvals.screenings import take_screenings
from app.approvals.status import DecisionFacts, RequestFacts, StatusResult, evaluate
from app.approvals.valuing import stored_tier_facts
from vault.approvals import store
from vault.store import Transaction


def refresh(desk: Desk) -> int:
    """Take in new screenings, new prices and the passing of time. Recomputes the
    requests whose status can change without a decision: the open ones (expiry, a
    screening or a price going stale, a new price) and those whose address was
    screened since. Returns how many changed."""
    if not count(desk, QueueFilter()):
        return 0
    with desk.vault.transaction() as tx:
        touched = take_screenings(tx)
        touched += revalue_open(tx.conn, desk.policy().valuation, desk.clock())
        return _refresh_pass_count(
            desk,
            tx,
            "WHERE r.status IN ('pending', 'needs_refresh') "
            "OR r.id IN (SELECT value FROM json_each(?))",
            (json.dumps(touched),),
        )


def take_in_screenings(desk: Desk, tx: Transaction) -> int:
    """Only the requests whose address was screened since last time (cheap when
    none was); returns how many changed status."""
    touched = take_screenings(tx)
    if not touched:
        return 0
    return _refresh_pass_count(
        desk, tx, "WHERE r.id IN (SELECT value FROM json_each(?))", (json.dumps(touched),)
    )


def refresh_received(desk: Desk, tx: Transaction, request_ids: Sequence[str]) -> int:
    """Recompute the named requests after decisions came from another device: their
    signatures are checked here first, over the request as stored here. Returns how
    many changed."""
    return _refresh_pass_count(
        desk, tx, "WHERE r.id IN (SELECT value FROM json_each(?))", (json.dumps(list(request_ids)),)
    )


def recompute_all(desk: Desk) -> int:
    """Every request's status from the cached signature checks (what a policy or
    role change does); returns how many changed."""
    with desk.vault.transaction() as tx:
        return refresh_all(desk, tx)


def refresh_requests(desk: Desk, tx: Transaction, request_ids: Sequence[str]) -> dict[str, Status]:
    """Recompute the named requests (after a decision or a new request)."""
    statuses: dict[str, Status] = {}
    changes: list[tuple[str, int, str, str]] = []
    finals: list[Mapping[str, Any]] = []
    accepted: set[tuple[str, str]] = set()
    for request_id in request_ids:
        content = content_of(desk, request_id)
        decisions = store.decisions_of(tx.conn, request_id)
        result = judge(desk, request_id, content, decisions)
        old = tx.execute(
            "SELECT status, approvals, needed, kind, address, chain FROM approval_requests "
            "WHERE id = ?",
            (request_id,),
        ).fetchone()
        statuses[request_id] = result.status
        if old[3] == "risk_override" and (old[0] == "approved") != (result.status == "approved"):
            accepted.add((old[5], old[4]))
        if tuple(old[:3]) != (result.status, result.approvals, result.needed):
            changes.append((result.status, result.approvals, result.needed, request_id))
            if result.status in ("approved", "rejected") and old[0] != result.status:
                finals.append(_final_payload(tx, request_id, result))
    store.set_statuses(tx.conn, changes)
    if finals:
        tx.events("approvals.finalized", finals)
    if accepted:
        _follow_overrides(desk, tx, accepted)
        statuses.update(
            tx.execute(
                "SELECT id, status FROM approval_requests "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(request_ids)),),
            ).fetchall()
        )
    return statuses


def refresh_all(desk: Desk, tx: Transaction) -> int:
    """Every request's status, the open ones valued again first (what a policy, role
    or signature change does); returns how many changed."""
    revalue_open(tx.conn, desk.policy().valuation, desk.clock())
    return _refresh_pass_count(desk, tx, "", ())


def _refresh_pass_count(desk: Desk, tx: Transaction, where: str, params: tuple[Any, ...]) -> int:
    return len(_refresh_pass(desk, tx, where, params))


def _follow_overrides(desk: Desk, tx: Transaction, targets: set[tuple[str, str]]) -> set[str]:
    """A risk override became approved or stopped being so: the requests whose
    risk it accepts (or no longer accepts) follow. `evaluate` picks the customer.
    Returns the ids that changed."""
    return _refresh_pass(
        desk,
        tx,
        "WHERE r.kind != 'risk_override' AND (r.chain, r.address) IN (SELECT "
        "json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
        (json.dumps(sorted(targets)),),
    )


def _final_payload(tx: Transaction, request_id: str, result: StatusResult) -> Mapping[str, Any]:
    """What a webhook (sync issue) needs: the request, its final status, who counted."""
    uid = tx.execute(
        "SELECT c.uid FROM approval_requests r JOIN customers c ON c.id = r.customer_id "
        "WHERE r.id = ?",
        (request_id,),
    ).fetchone()[0]
    return {
        "request": request_id,
        "customer": str(uid),
        "status": result.status,
        "decisions": sorted(result.counted),
    }


def _refresh_pass(desk: Desk, tx: Transaction, where: str, params: tuple[Any, ...]) -> set[str]:
    """One pass over the requests `where` picks, their decisions' facts (cached
    signature checks included) and the pure `evaluate`; the ids that changed."""
    _verify_unchecked(tx)
    policy = desk.policy()
    valuation = policy.valuation
    trusted = desk.trust()
    roles = trusted.roles
    # A revoked role still counts for decisions signed before it was revoked.
    held = trusted.held if trusted.revoked else None
    now = desk.clock()
    empty: frozenset[str] = frozenset()
    when = datetime.fromisoformat
    loads = json.loads
    changes: list[tuple[str, int, str, str]] = []
    finals: list[Mapping[str, Any]] = []
    overrides = store.approved_overrides(tx.conn)
    accepted: set[tuple[str, str]] = set()
    cursor = tx.execute(
        # clauses are fixed SQL from code; values are ? params
        "SELECT r.id, r.kind, r.amount_exact, r.created_at, m.address, r.chain IS NOT NULL, "
        "r.risk_level, r.sanctioned, r.risk_fetched_at, r.status, r.approvals, r.needed, "
        "r.facts, r.customer_id, r.chain, r.address, r.asset, "  # nosec B608
        f"{', '.join('r.' + c for c in store.VALUATION_COLUMNS)} FROM approval_requests r "
        f"JOIN approval_members m ON m.id = r.created_by {where}",
        params,
    )
    while batch := cursor.fetchmany(5000):
        for row in batch:
            rid = row[0]
            value, unpriced = stored_tier_facts(
                kind=row[1],
                asset=row[16],
                figure=None if row[2] is None else Decimal(row[2]),
                row=row[17:23],
                rules=valuation,
            )
            facts = RequestFacts(
                row[1],
                value,
                when(row[3]),
                row[4],
                bool(row[5]),
                row[6],
                bool(row[7]),
                None if row[8] is None else when(row[8]),
                None if row[14] is None else (row[13], row[14], row[15]),
                unpriced,
            )
            if held is None:
                decisions = [
                    DecisionFacts(did, signer, verdict, when(at), ok == 1, roles.get(signer, empty))
                    for did, signer, verdict, at, ok in loads(row[12])
                ]
            else:
                decisions = [
                    DecisionFacts(did, signer, verdict, when(at), ok == 1, held(signer, when(at)))
                    for did, signer, verdict, at, ok in loads(row[12])
                ]
            result = evaluate(facts, policy, decisions, now, overrides)
            if row[1] == "risk_override" and (row[9] == "approved") != (
                result.status == "approved"
            ):
                accepted.add((row[14], row[15]))
            if (row[9], row[10], row[11]) != (result.status, result.approvals, result.needed):
                changes.append((result.status, result.approvals, result.needed, rid))
                if result.status in ("approved", "rejected") and row[9] != result.status:
                    finals.append(
                        {
                            "request": rid,
                            "customer_id": row[13],
                            "status": result.status,
                            "decisions": sorted(result.counted),
                        }
                    )
    store.set_statuses(tx.conn, changes)
    if finals:
        _finalized(tx, finals)
    changed = {c[3] for c in changes}
    if accepted:
        # The overrides above were read before this pass changed some of them.
        changed |= _follow_overrides(desk, tx, accepted)
    return changed


def _finalized(tx: Transaction, finals: list[Mapping[str, Any]]) -> None:
    """One event per request that became approved or rejected: what a webhook
    (the sync issue) needs. Customers by uid, as every event names them."""
    wanted = sorted({int(f["customer_id"]) for f in finals})
    uids: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        uids.update(
            tx.execute(
                # only ? placeholders are joined in
                f"SELECT id, uid FROM customers WHERE id IN ({marks})",  # nosec B608
                tuple(chunk),
            ).fetchall()
        )
    tx.events(
        "approvals.finalized",
        [
            {
                "request": f["request"],
                "customer": str(uids.get(f["customer_id"], "")),
                "status": f["status"],
                "decisions": f["decisions"],
            }
            for f in finals
        ],
    )


def _verify_unchecked(tx: Transaction) -> None:
    """Check the signatures of decisions stored since the last pass (cached in the rows)."""
    rows = tx.execute(
        "SELECT d.id, d.signer, d.verdict, d.reason, d.created_at, d.signature, r.content, "
        "d.valuation "
        "FROM approval_decisions d JOIN approval_requests r ON r.id = d.request_id "
        "WHERE d.verified IS NULL"
    ).fetchall()
    changes = [
        (decision_ok(json.loads(content), verdict, reason, at, bytes(sig), signer, val), did)
        for did, signer, verdict, reason, at, sig, content, val in rows
    ]
    store.set_verified(tx.conn, changes)
