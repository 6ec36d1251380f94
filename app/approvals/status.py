"""A request's status: a pure function of the request, the policy and its decisions.

Nothing here reads the vault or the clock: `now` is an argument, decisions come
with their signature check already done (`valid`) and their signer's roles. The
decisions are put in one canonical order (time, then id) first, so the same set
in any order gives the same answer, and evaluating twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from app.approvals.model import Status
from app.approvals.policy import Policy


@dataclass(frozen=True)
class RequestFacts:
    kind: str
    amount: Decimal | None  # withdrawal amount or whitelist limit; None: no amount
    created_at: datetime
    created_by: str  # the requester's signing address
    has_address: bool  # the request names an address, so risk gates apply
    risk_level: str | None = None  # the worst newest answer; None: never screened
    sanctioned: bool = False
    risk_fetched_at: datetime | None = None  # the newest answer's time


@dataclass(frozen=True)
class DecisionFacts:
    id: str
    signer: str
    verdict: str  # approve, reject, comment
    created_at: datetime
    valid: bool  # the signature verifies over the request's current content
    roles: frozenset[str] = frozenset()  # the signer's roles (valid grants only)


@dataclass(frozen=True)
class StatusResult:
    status: Status
    reasons: tuple[str, ...]
    counted: frozenset[str]  # ids of the decisions that count
    ignored: Mapping[str, str] = field(default_factory=dict)  # id -> why it does not count
    approvals: int = 0
    needed: str = ""  # what is still missing, for people


def evaluate(
    request: RequestFacts,
    policy: Policy,
    decisions: Iterable[DecisionFacts],
    now: datetime,
) -> StatusResult:
    rules = policy.kinds[request.kind]
    expires_at = request.created_at + timedelta(days=policy.expiry_days)
    ordered = sorted(decisions, key=lambda d: (d.created_at, d.id))
    ignored: dict[str, str] = {}
    counted: list[DecisionFacts] = []
    seen: set[str] = set()
    deciders = ", ".join(sorted(rules.decide))
    for d in ordered:
        if not d.valid:
            ignored[d.id] = "the signature does not verify over this request's content"
        elif d.verdict == "comment":
            continue
        elif not d.roles & rules.decide:
            ignored[d.id] = f"the signer holds no role that decides this kind ({deciders})"
        elif d.verdict == "approve" and d.signer == request.created_by:
            ignored[d.id] = "four eyes: whoever made the request cannot approve it"
        elif d.created_at > expires_at:
            ignored[d.id] = "decided after the request expired"
        elif d.signer in seen:
            ignored[d.id] = "duplicate: this member's first decision counts"
        else:
            seen.add(d.signer)
            counted.append(d)
    ids = frozenset(d.id for d in counted)
    approvers = [d for d in counted if d.verdict == "approve"]
    rejects = [d for d in counted if d.verdict == "reject"]

    def result(status: Status, *reasons: str, needed: str = "") -> StatusResult:
        return StatusResult(status, reasons, ids, ignored, len(approvers), needed)

    if len(rejects) >= rules.reject:
        return result("rejected", f"rejected by {len(rejects)} of {rules.reject} needed")
    level = request.risk_level
    if request.has_address and (request.sanctioned or (level in policy.risk.blocked)):
        why = "a sanctions list names the address" if request.sanctioned else f"risk {level}"
        return result("blocked", f"blocked by the risk gate: {why}")
    need = dict(rules.tier_for(request.amount).need)
    if request.has_address and level is not None:
        for role, n in policy.risk.escalate.get(level, {}).items():
            need[role] = max(need.get(role, 0), n)
    approved_at = _quorum_time(need, approvers)
    max_age = timedelta(hours=policy.risk.max_age_hours)
    if approved_at is not None:
        stale = _stale(request, policy, approved_at, max_age)
        if stale is None:
            return result("approved", f"approved by {len(approvers)}: {_describe(need)}")
        return result("needs_refresh", stale, needed="a fresh screening")
    missing = _describe(_missing(need, approvers), more=bool(approvers))
    if now > expires_at:
        return result("expired", f"expired {expires_at.isoformat(timespec='minutes')}")
    stale = _stale(request, policy, now, max_age)
    if stale is not None:
        return result("needs_refresh", stale, f"still needed: {missing}", needed=missing)
    return result("pending", f"still needed: {missing}", needed=missing)


def _stale(request: RequestFacts, policy: Policy, at: datetime, max_age: timedelta) -> str | None:
    """Why the screening does not do at `at`, or None when it does."""
    if not request.has_address:
        return None
    if request.risk_fetched_at is None:
        if policy.risk.unscreened_needs_refresh:
            return "the address was never screened: screen it first"
        return None
    if at - request.risk_fetched_at > max_age:
        hours = policy.risk.max_age_hours
        return f"the newest screening is older than {hours:g} hours: refresh it first"
    return None


def _slots(need: Mapping[str, int]) -> list[str]:
    return [role for role in sorted(need) for _ in range(need[role])]


def _match(slots: Sequence[str], people: Sequence[frozenset[str]]) -> list[int | None]:
    """Maximum matching of distinct people to role slots (augmenting paths): a
    desk head who is also an officer fills whichever slot leaves the most filled."""
    owner: list[int | None] = [None] * len(slots)

    def place(person: int, visited: set[int]) -> bool:
        for s, role in enumerate(slots):
            if role in people[person] and s not in visited:
                visited.add(s)
                current = owner[s]
                if current is None or place(current, visited):
                    owner[s] = person
                    return True
        return False

    for person in range(len(people)):
        place(person, set())
    return owner


def _quorum_time(need: Mapping[str, int], approvers: Sequence[DecisionFacts]) -> datetime | None:
    """When the quorum was first complete (approvers come in time order), or None."""
    slots = _slots(need)
    roles = [d.roles for d in approvers]
    for n in range(len(slots), len(approvers) + 1):
        if None not in _match(slots, roles[:n]):
            return approvers[n - 1].created_at
    return None


def _missing(need: Mapping[str, int], approvers: Sequence[DecisionFacts]) -> dict[str, int]:
    slots = _slots(need)
    owner = _match(slots, [d.roles for d in approvers])
    missing: dict[str, int] = {}
    for role, who in zip(slots, owner, strict=True):
        if who is None:
            missing[role] = missing.get(role, 0) + 1
    return missing


def _describe(need: Mapping[str, int], *, more: bool = False) -> str:
    word = "more " if more else ""
    return " + ".join(f"{n} {word}{role.replace('_', ' ')}" for role, n in sorted(need.items()))
