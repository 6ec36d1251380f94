"""Reading the queue: counts and pages filtered and sorted in SQL, one request's
row, and its detail with every decision and why it counts or not."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

from app.approvals import valuing
from app.approvals.desk import Desk
from app.approvals.judge import judge
from app.approvals.model import (
    SORT_KEYS,
    ApprovalError,
    Blocked,
    DecisionView,
    QueueFilter,
    QueueRow,
    RequestDetail,
    RequestKind,
    Status,
    Verdict,
)
from app.approvals.policy import ValuationRules
from app.approvals.times import iso, when
from vault.approvals import queue, store


def _where(desk: Desk, flt: QueueFilter) -> tuple[str, list[Any]]:
    now = desk.clock()
    return queue.where(
        kinds=flt.kinds,
        statuses=flt.statuses,
        risk_levels=flt.risk_levels,
        customer=flt.customer,
        created_to=None
        if flt.min_age_days is None
        else iso(now - timedelta(days=flt.min_age_days)),
        created_from=None
        if flt.max_age_days is None
        else iso(now - timedelta(days=flt.max_age_days)),
    )


def count(desk: Desk, flt: QueueFilter) -> int:
    clause, params = _where(desk, flt)
    return queue.count(desk.conn, clause, params)


def page(
    desk: Desk, flt: QueueFilter, sort: str, descending: bool, offset: int, limit: int
) -> list[QueueRow]:
    """Filtered and sorted in SQL (sort keys: model.SORT_KEYS)."""
    if sort not in SORT_KEYS:
        raise ApprovalError(f"cannot sort by '{sort[:20]}'; keys: {', '.join(SORT_KEYS)}")
    clause, params = _where(desk, flt)
    rows = queue.page(
        desk.conn,
        clause,
        params,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=limit,
    )
    rules = desk.policy().valuation
    return [_queue_row(r, rules) for r in rows]


def row_of(desk: Desk, request_id: str) -> QueueRow:
    row = queue.row(desk.conn, request_id)
    if row is None:
        raise ApprovalError(f"no request with id '{request_id[:40]}'")
    return _queue_row(row, desk.policy().valuation)


def detail(desk: Desk, request_id: str) -> RequestDetail:
    row = row_of(desk, request_id)
    content = content_of(desk, request_id)
    decisions = store.decisions_of(desk.conn, request_id)
    result = judge(desk, request_id, content, decisions)
    names = {m.address: m.name for m in store.members(desk.conn)}
    views = tuple(
        DecisionView(
            id=d.id,
            member=names.get(d.signer, d.signer),
            signer=d.signer,
            verdict=cast(Verdict, d.verdict),
            reason=d.reason,
            created_at=when(d.created_at),
            verified=bool(d.verified),
            counted=d.id in result.counted,
            ignored_reason=result.ignored.get(d.id),
            local_only=d.local_only,
            valuation=None if d.valuation is None else json.loads(d.valuation),
        )
        for d in decisions
    )
    return RequestDetail(row, dict(content), views, result.reasons)


def why_blocked(desk: Desk, request_id: str) -> str:
    """Why the risk gate blocks a request, as its status says it ("blocked by the
    risk gate: a sanctions list names the address")."""
    content = content_of(desk, request_id)
    result = judge(desk, request_id, content, store.decisions_of(desk.conn, request_id))
    return next((r for r in result.reasons if r.startswith("blocked")), "blocked by the risk gate")


def blocked(desk: Desk, ids: Sequence[str], *, first: int = 3) -> Blocked:
    """Which of `ids` the risk gate blocks, with why for the `first` few."""
    found = [
        str(r[0])
        for r in desk.conn.execute(
            "SELECT id FROM approval_requests WHERE status = 'blocked' "
            "AND id IN (SELECT value FROM json_each(?)) ORDER BY created_at",
            (json.dumps(list(ids)),),
        )
    ]
    return Blocked(len(found), tuple((i, why_blocked(desk, i)) for i in found[:first]))


def blocked_matching(desk: Desk, flt: QueueFilter, *, first: int = 3) -> Blocked:
    """Which requests matching `flt` the risk gate blocks, with why for the first few."""
    if flt.statuses and "blocked" not in flt.statuses:
        return Blocked(0)
    only = replace(flt, statuses=frozenset({"blocked"}))
    rows = page(desk, only, "created_at", False, 0, first)
    return Blocked(count(desk, only), tuple((r.id, why_blocked(desk, r.id)) for r in rows))


def content_of(desk: Desk, request_id: str) -> dict[str, str]:
    """The request's content as its decisions sign it."""
    found = store.contents(desk.conn, [request_id])
    if request_id not in found:
        raise ApprovalError(f"no request with id '{request_id[:40]}'")
    return cast(dict[str, str], json.loads(found[request_id]))


def _grouped(value: Decimal) -> str:
    text = f"{value.normalize():,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _queue_row(r: Sequence[Any], rules: ValuationRules) -> QueueRow:
    kind = cast(RequestKind, r[1])
    amount = None if r[7] is None else Decimal(r[7])
    chain, address, asset = r[8], r[9], r[6]
    parts: list[str] = []
    if chain and address:
        short = address if len(address) <= 14 else f"{address[:6]}…{address[-4:]}"
        parts.append(f"{chain} {short}")
    if kind == "withdrawal" and amount is not None:
        parts.insert(0, f"{_grouped(amount)} {asset or ''}".strip())
    elif kind == "whitelist":
        limit = f"limit {_grouped(amount)} {rules.currency}" if amount is not None else ""
        parts.append(limit or "no limit")
    elif kind == "onboarding":
        parts.append("onboarding / KYC")
    elif kind == "risk_override":
        parts.append("accept the risk")
    elif kind == "case_close":
        parts.append("close a case")
    risk = "sanctioned" if r[17] else r[12]
    return QueueRow(
        id=r[0],
        kind=kind,
        status=cast(Status, r[2]),
        customer_id=int(r[3]),
        customer_external_id=r[4] or "",
        customer_name=r[5] or "",
        summary=" · ".join(parts),
        asset=asset,
        amount=amount,
        chain=chain,
        address=address,
        created_at=when(r[10]),
        created_by=r[11],
        risk_level=risk,
        risk_fetched_at=None if r[13] is None else when(r[13]),
        approvals=int(r[14]),
        needed=r[15],
        local_only=bool(r[16]),
        valuation=valuing.from_columns(
            kind=kind, asset=asset, figure=amount, row=r[18:24], rules=rules
        ),
    )
