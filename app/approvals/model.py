"""The approval domain as plain values: what the service returns to the GUI and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, get_args

from app.prices.valuation import Valuation

RequestKind = Literal["whitelist", "withdrawal", "onboarding", "risk_override", "case_close"]
Status = Literal["pending", "approved", "rejected", "blocked", "expired", "needs_refresh"]
Verdict = Literal["approve", "reject", "comment"]
Role = Literal["officer", "desk_head", "admin", "analyst"]

KINDS: tuple[RequestKind, ...] = get_args(RequestKind)
STATUSES: tuple[Status, ...] = get_args(Status)
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
ROLES: tuple[Role, ...] = get_args(Role)
#: statuses no decision changes any more
FINAL: frozenset[str] = frozenset({"approved", "rejected", "expired"})
#: statuses a decision can still change: the queue's "Open" (the work to do)
OPEN_STATUSES: frozenset[str] = frozenset({"pending", "needs_refresh", "blocked"})
#: the sort keys `ApprovalService.page` understands
SORT_KEYS: tuple[str, ...] = ("created_at", "kind", "status", "customer", "amount", "risk")
#: the longest reason or justification kept, in characters
MAX_REASON = 2000


class ApprovalError(ValueError):
    """A request or decision that cannot be made: `message` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; empty sets and "" mean any."""

    kinds: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    customer: str = ""  # external id or name text
    min_age_days: int | None = None
    max_age_days: int | None = None
    #: screening levels (none, low, medium, high, severe, unknown), plus "sanctioned"
    #: (a sanctions hit) and "unscreened" (an address never screened)
    risk_levels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class QueueRow:
    id: str
    kind: RequestKind
    status: Status
    customer_id: int
    customer_external_id: str
    customer_name: str
    summary: str  # one line, e.g. "ethereum 0xAbC…12 · limit 10,000"
    asset: str | None
    amount: Decimal | None
    chain: str | None
    address: str | None
    created_at: datetime  # UTC
    created_by: str  # member display name
    risk_level: str | None
    risk_fetched_at: datetime | None
    approvals: int  # approvals that count
    needed: str  # what is still missing, e.g. "1 more officer"; "" when nothing
    local_only: bool  # has decisions not yet shared via sync
    #: what the tiers count: the value in the reference currency and the price behind
    #: it (or that no fresh price was found); None: the request carries no amount
    valuation: Valuation | None = None


@dataclass(frozen=True)
class DecisionView:
    id: str
    member: str
    signer: str  # 0x address
    verdict: Verdict
    reason: str
    created_at: datetime
    verified: bool
    counted: bool
    ignored_reason: str | None
    local_only: bool
    #: the valuation it signed (VALUATION_FIELDS); None: signed before (version 1)
    valuation: Mapping[str, str] | None = None


@dataclass(frozen=True)
class RequestDetail:
    row: QueueRow
    fields: Mapping[str, str]  # the full signed content
    decisions: tuple[DecisionView, ...]
    reasons: tuple[str, ...]  # why this status / what is needed


#: why a decision was refused, for a front end to add what to do
Refusal = Literal["", "missing", "final", "no_role", "four_eyes", "blocked", "decided"]


@dataclass(frozen=True)
class DecideOutcome:
    request_id: str
    ok: bool
    message: str
    status: Status
    refusal: Refusal = ""


@dataclass(frozen=True)
class Blocked:
    """The requests of a selection that the risk gate blocks: how many, and for the
    first few (request id, why), e.g. "blocked by the risk gate: risk severe"."""

    count: int
    reasons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    address: str  # 0x signing address
    roles: tuple[str, ...]
    is_me: bool = False


@dataclass(frozen=True)
class GrantView:
    """One signed role grant, as the Members view shows it."""

    role: str
    granted_at: datetime
    granted_by: str  # the granter's 0x signing address
    granted_by_name: str  # the granter's name; "" when not a member known here
    verified: bool  # the signature verifies
    counts: bool  # verified, and the granter is the root or an admin so granted
    why_not: str  # why it does not count; "" when it does


@dataclass(frozen=True)
class MemberDetail:
    """A desk member with every grant they hold (`ApprovalService.roster`)."""

    member: Member
    is_root: bool
    key_here: bool  # the private key is kept in this vault (it can sign here)
    grants: tuple[GrantView, ...]


@dataclass(frozen=True)
class VerifyReport:
    """`verify_all`: every decision signature checked again from its stored content."""

    checked: int = 0
    verified: int = 0
    invalid: int = 0
    problems: tuple[str, ...] = field(default_factory=tuple)  # one line per invalid one

    @property
    def ok(self) -> bool:
        return self.invalid == 0
