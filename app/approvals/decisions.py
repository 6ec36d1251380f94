"""Deciding: approve, reject or comment on requests, each decision signed with the
acting member's key (EIP-712 Decision) and recorded by `record.decision`, the same
function a decision from another device goes through."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import cast

from app.approvals import record, signing
from app.approvals.desk import Actor, Desk
from app.approvals.model import (
    FINAL,
    MAX_REASON,
    ApprovalError,
    DecideOutcome,
    Refusal,
    Status,
    Verdict,
)
from app.approvals.policy import Policy
from app.approvals.queue_read import why_blocked
from app.approvals.refresh import refresh_requests, take_in_screenings
from app.approvals.revalue import revalue_open, signed_valuation
from app.approvals.times import Progress, iso
from vault.approvals.store import DecisionRow
from vault.events import canonical_payload, time_ordered_id
from vault.store import Transaction

_BATCH = 200


def decide_many(
    desk: Desk,
    ids: Sequence[str],
    verdict: Verdict,
    reason: str,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[DecideOutcome]:
    """Sign and store one decision per id, a batch per transaction. A refusal
    (four eyes, no role, already final, an approval of a blocked request) is an
    outcome with ok=False, never an exception; cancelling keeps the batches
    already written."""
    if verdict not in ("approve", "reject", "comment"):
        raise ApprovalError(f"'{verdict}' is not approve, reject or comment")
    text = reason.strip()
    if not text:
        raise ApprovalError("a decision needs a reason")
    if len(text) > MAX_REASON:
        raise ApprovalError(f"a reason is at most {MAX_REASON} characters")
    actor = desk.actor()
    roles = desk.roles().get(actor.member.address, frozenset())
    policy = desk.policy()
    outcomes: list[DecideOutcome] = []
    total = len(ids)
    for start in range(0, total, _BATCH):
        if cancelled is not None and cancelled():
            break
        chunk = list(dict.fromkeys(ids[start : start + _BATCH]))
        with desk.vault.transaction() as tx:
            # Decide on the newest screenings: one made since the queue was last
            # refreshed may block what its cached status still shows as open.
            take_in_screenings(desk, tx)
            done: list[str] = []
            for request_id in chunk:
                outcome = _decide_one(
                    desk,
                    tx,
                    actor=actor,
                    roles=roles,
                    policy=policy,
                    request_id=request_id,
                    verdict=verdict,
                    reason=text,
                )
                if outcome is None:
                    done.append(request_id)
                else:
                    outcomes.append(outcome)
            statuses = refresh_requests(desk, tx, done)
        for request_id in done:
            outcomes.append(
                DecideOutcome(request_id, True, f"{verdict} signed", statuses[request_id])
            )
        if progress is not None:
            progress(min(start + _BATCH, total), total)
    return outcomes


def _decide_one(
    desk: Desk,
    tx: Transaction,
    *,
    actor: Actor,
    roles: frozenset[str],
    policy: Policy,
    request_id: str,
    verdict: Verdict,
    reason: str,
) -> DecideOutcome | None:
    """Store a signed decision and return None, or the refusal."""
    row = tx.execute(
        "SELECT r.kind, r.status, r.content, m.address, c.uid FROM approval_requests r "
        "JOIN approval_members m ON m.id = r.created_by "
        "JOIN customers c ON c.id = r.customer_id WHERE r.id = ?",
        (request_id,),
    ).fetchone()
    if row is None:
        return DecideOutcome(request_id, False, "no such request", "pending", "missing")
    kind, status, content_text, creator, customer_uid = row
    status = cast(Status, status)
    if verdict != "comment":
        refused = _refusal(
            desk,
            tx,
            actor=actor,
            allowed=bool(roles & policy.kinds[kind].decide),
            deciders=policy.kinds[kind].decide,
            request_id=request_id,
            verdict=verdict,
            status=status,
            creator=creator,
        )
        if refused is not None:
            return DecideOutcome(request_id, False, refused[1], status, refused[0])
    now = desk.clock()
    # Valued again first, so the decision signs the price the status then counts with.
    revalue_open(tx.conn, policy.valuation, now, ids=[request_id])
    decision = sign(
        actor,
        request_id=request_id,
        content=json.loads(content_text),
        valuation=signed_valuation(tx.conn, policy.valuation, request_id),
        verdict=verdict,
        reason=reason,
        decided_at=iso(now),
    )
    record.decision(tx, decision, customer_uid=str(customer_uid), signer=actor.member)
    return None


def _refusal(
    desk: Desk,
    tx: Transaction,
    *,
    actor: Actor,
    allowed: bool,
    deciders: frozenset[str],
    request_id: str,
    verdict: Verdict,
    status: Status,
    creator: str,
) -> tuple[Refusal, str] | None:
    """Why this member may not approve or reject this request now, or None."""
    if status in FINAL:
        return "final", f"already {status}"
    if not allowed:
        names = ", ".join(sorted(deciders))
        return "no_role", f"{actor.member.name} holds no role that decides this ({names})"
    if verdict == "approve" and creator == actor.member.address:
        return "four_eyes", "four eyes: whoever made the request cannot approve it"
    if verdict == "approve" and status == "blocked":
        # A block is a block: approvals never lift it, so none is recorded.
        why = why_blocked(desk, request_id)
        return "blocked", f"{why}; a blocked request can only be rejected"
    earlier = tx.execute(
        "SELECT 1 FROM approval_decisions WHERE request_id = ? AND signer = ? "
        "AND verdict != 'comment' AND verified = 1",
        (request_id, actor.member.address),
    ).fetchone()
    if earlier is not None:
        return "decided", f"{actor.member.name} has already decided this request"
    return None


def sign(
    actor: Actor,
    *,
    request_id: str,
    content: dict[str, str],
    valuation: Mapping[str, str],
    verdict: Verdict,
    reason: str,
    decided_at: str,
) -> DecisionRow:
    """The decision signed with the actor's key, over the request's full content and
    the valuation the tiers count (typed data version 2)."""
    message = signing.decision_message(content, verdict, reason, decided_at, valuation)
    signature = signing.sign(actor.key, "Decision", message)
    digest = signing.decision_digest(content, verdict, reason, decided_at, valuation)
    return DecisionRow(
        id=time_ordered_id(),
        request_id=request_id,
        signer=actor.member.address,
        verdict=verdict,
        reason=reason,
        created_at=decided_at,
        typed_hash=digest,
        signature=signature,
        verified=signing.verifies(digest, signature, actor.member.address),
        local_only=True,
        valuation=canonical_payload(message["valuation"]).decode(),
    )
