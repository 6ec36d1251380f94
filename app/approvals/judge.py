"""The status of one request from what the vault holds: its facts, its decisions
(with their cached signature checks), the trust and the policy, through the pure
`status.evaluate`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from app.approvals.desk import Desk
from app.approvals.status import DecisionFacts, RequestFacts, StatusResult, evaluate
from app.approvals.times import when
from app.approvals.valuing import stored_tier_facts
from vault.approvals import store
from vault.approvals.store import DecisionRow


def request_facts(desk: Desk, request_id: str, content: Mapping[str, str]) -> RequestFacts:
    row = desk.conn.execute(
        # constant column names; values are ? params
        "SELECT kind, amount_exact, created_at, chain, risk_level, sanctioned, "  # nosec B608
        f"risk_fetched_at, customer_id, address, asset, {', '.join(store.VALUATION_COLUMNS)} "
        "FROM approval_requests WHERE id = ?",
        (request_id,),
    ).fetchone()
    value, unpriced = stored_tier_facts(
        kind=row[0],
        asset=row[9],
        figure=None if row[1] is None else Decimal(row[1]),
        row=row[10:16],
        rules=desk.policy().valuation,
    )
    return RequestFacts(
        kind=row[0],
        amount=value,
        created_at=when(row[2]),
        created_by=content.get("createdBy", ""),
        has_address=row[3] is not None,
        risk_level=row[4],
        sanctioned=bool(row[5]),
        risk_fetched_at=None if row[6] is None else when(row[6]),
        target=None if row[3] is None else (int(row[7]), row[3], row[8]),
        unpriced=unpriced,
    )


def judge(
    desk: Desk, request_id: str, content: Mapping[str, str], decisions: Sequence[DecisionRow]
) -> StatusResult:
    """The request's status now; a decision counts with the roles its signer held
    when it was signed."""
    held = desk.trust().held
    facts = [
        DecisionFacts(
            d.id,
            d.signer,
            d.verdict,
            when(d.created_at),
            bool(d.verified),
            held(d.signer, when(d.created_at)),
        )
        for d in decisions
    ]
    request = request_facts(desk, request_id, content)
    overrides = store.approved_overrides(desk.conn, request.target) if request.target else {}
    return evaluate(request, desk.policy(), facts, desk.clock(), overrides)
