"""Making requests: a whitelist entry, a withdrawal, onboarding, a risk override.

The request's content (every field, as text) is what its decisions sign.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from app.addresses import AddressError, normalize
from app.approvals import record, valuing
from app.approvals.desk import Desk
from app.approvals.model import MAX_REASON, ApprovalError, QueueRow, RequestKind
from app.approvals.queue_read import row_of
from app.approvals.refresh import refresh_requests
from app.approvals.revalue import value_new
from app.approvals.screenings import risk_of
from app.approvals.times import iso
from app.prices.quotes import PriceError, symbol
from vault.approvals import store
from vault.events import canonical_payload, time_ordered_id


def whitelist(
    desk: Desk, customer_external_id: str, chain: str, address: str, limit: Decimal | None
) -> QueueRow:
    chain, address = _target(chain, address)
    return _request(
        desk,
        "whitelist",
        customer_external_id,
        chain=chain,
        address=address,
        limit=None if limit is None else _positive(limit, "limit"),
    )


def withdrawal(
    desk: Desk,
    customer_external_id: str,
    asset: str,
    amount: Decimal,
    chain: str,
    address: str,
) -> QueueRow:
    chain, address = _target(chain, address)
    try:
        code = symbol(asset)
    except PriceError as exc:
        raise ApprovalError(exc.message) from None
    return _request(
        desk,
        "withdrawal",
        customer_external_id,
        chain=chain,
        address=address,
        asset=code,
        amount=_positive(amount, "amount"),
    )


def onboarding(desk: Desk, customer_external_id: str) -> QueueRow:
    return _request(desk, "onboarding", customer_external_id)


def risk_override(
    desk: Desk, customer_external_id: str, chain: str, address: str, justification: str
) -> QueueRow:
    chain, address = _target(chain, address)
    text = justification.strip()
    if not text:
        raise ApprovalError("a risk override needs a justification")
    return _request(
        desk,
        "risk_override",
        customer_external_id,
        chain=chain,
        address=address,
        justification=text[:MAX_REASON],
    )


def case_close(desk: Desk, customer_external_id: str, justification: str) -> QueueRow:
    """Closing a case (app.cases): the justification names the case and its disposition."""
    return _request(desk, "case_close", customer_external_id, justification=justification)


def _request(
    desk: Desk,
    kind: RequestKind,
    external_id: str,
    *,
    chain: str | None = None,
    address: str | None = None,
    asset: str | None = None,
    amount: Decimal | None = None,
    limit: Decimal | None = None,
    justification: str = "",
) -> QueueRow:
    actor = desk.actor()
    rules = desk.policy().kinds[kind]
    mine = desk.roles().get(actor.member.address, frozenset())
    if not mine & rules.request:
        allowed = ", ".join(sorted(rules.request))
        raise ApprovalError(
            f"{actor.member.name} may not request a {kind.replace('_', ' ')} "
            f"(needs one of: {allowed})"
        )
    customer = desk.conn.execute(
        "SELECT id, uid FROM customers WHERE external_id = ? AND erased_at IS NULL "
        "AND merged_into IS NULL",
        (external_id,),
    ).fetchone()
    if customer is None:
        raise ApprovalError(f"no customer with external id '{external_id[:40]}'")
    now = iso(desk.clock())
    request_id = time_ordered_id()
    figure = amount if amount is not None else limit
    content = {
        "id": request_id,
        "kind": kind,
        "customer": external_id,
        "asset": asset or "",
        "amount": "" if amount is None else _format_amount(amount),
        "chain": chain or "",
        "address": address or "",
        "limit": "" if limit is None else _format_amount(limit),
        "justification": justification,
        "createdAt": now,
        "createdBy": actor.member.address,
    }
    risk = risk_of(desk.conn, chain, address) if chain and address else (None, False, None)
    valued = value_new(
        desk.conn,
        desk.policy().valuation,
        kind=kind,
        asset=asset,
        figure=figure,
        now=desk.clock(),
    )
    with desk.vault.transaction() as tx:
        record.request(
            tx,
            {
                "id": request_id,
                "kind": kind,
                "customer_id": int(customer[0]),
                "content": canonical_payload(content).decode(),
                "amount": None if figure is None else float(figure),
                "amount_exact": None if figure is None else _format_amount(figure),
                "asset": asset,
                "chain": chain,
                "address": address,
                "created_at": now,
                "created_by": actor.member.id,
                "risk_level": risk[0],
                "sanctioned": int(risk[1]),
                "risk_fetched_at": risk[2],
                **dict(zip(store.VALUATION_COLUMNS, valuing.columns(valued), strict=True)),
            },
            customer_uid=str(customer[1]),
            content=content,
            requested_by=actor.member,
        )
        refresh_requests(desk, tx, [request_id])
    return row_of(desk, request_id)


def _format_amount(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _target(chain: str, address: str) -> tuple[str, str]:
    name = chain.strip().lower()
    try:
        return name, normalize(name, address.strip())
    except AddressError as exc:
        raise ApprovalError(f"{name}:{address.strip()[:60]}: {exc.reason}") from None


def _positive(value: Decimal, what: str) -> Decimal:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ApprovalError(f"the {what} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise ApprovalError(f"the {what} must be above 0")
    if number > Decimal("1e30"):
        raise ApprovalError(f"the {what} is too large")
    return number
