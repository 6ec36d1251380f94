"""What the evidence pane shows about one request, read in one go on the database worker.

The request with its decisions and status reasons (from the approval
service), the newest screening of its address by each provider, the
explorer summaries stored for it, and the customer's KYC standing.
Database worker only; no widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.approvals.model import RequestDetail
from app.approvals.service import ApprovalService
from app.book.reads import CustomerDetail, customer_detail
from app.screening import explorer_data
from app.screening.risk import RiskResult
from vault.screening import screenings

#: how many stored answers to look through for each provider's newest
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class Evidence:
    detail: RequestDetail
    #: the newest answer of each provider, newest first
    screenings: tuple[RiskResult, ...]
    #: each explorer source's newest summary (balances, tx count, first/last seen)
    explorer: tuple[dict[str, Any], ...]
    customer: CustomerDetail | None


def gather(service: ApprovalService, request_id: str) -> Evidence:
    detail = service.detail(request_id)
    conn = service.vault.conn
    row = detail.row
    found: tuple[RiskResult, ...] = ()
    explorer: tuple[dict[str, Any], ...] = ()
    if row.chain and row.address:
        newest: dict[str, RiskResult] = {}
        for record in screenings.history(conn, row.chain, row.address, limit=HISTORY_LIMIT):
            result = RiskResult.from_record(record)
            newest.setdefault(result.provider, result)
        found = tuple(newest.values())
        explorer = tuple(explorer_data.summaries(conn, row.chain, row.address))
    return Evidence(detail, found, explorer, customer_detail(conn, row.customer_id))
