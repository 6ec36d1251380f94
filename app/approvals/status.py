"""A request's status: a pure function of the request, the policy and its decisions.

Nothing here reads the vault or the clock: `now` is an argument, decisions come
with their signature check already done (`valid`) and their signer's roles. The
decisions are put in one canonical order (time, then id) first, so the same set
in any order gives the same answer, and evaluating twice changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import NamedTuple

from app.approvals.model import Status
from app.approvals.policy import KindRules, Policy

#: (customer id, chain, address): what a risk override accepts, and for whom
Target = tuple[int, str, str]
#: the kinds whose risk escalation an approved risk override for their target lifts
OVERRIDABLE: frozenset[str] = frozenset({"whitelist", "withdrawal"})
_NO_OVERRIDES: Mapping[Target, str] = MappingProxyType({})


# Named tuples rather than dataclasses: a full refresh builds half a million of them.
class Unpriced(NamedTuple):
    """A request in an asset that no fresh price valued: its own amount, and why."""

    asset: str
    amount: Decimal  # in the asset's own units
    why: str  # for people: "the newest BTC price is 30 hours old (at most 24 hours)"


class RequestFacts(NamedTuple):
    kind: str
    #: the value in the policy's reference currency (a withdrawal's amount times its
    #: asset's price, a whitelist's limit); None: no amount, or no fresh price
    amount: Decimal | None
    created_at: datetime
    created_by: str  # the requester's signing address
    has_address: bool  # the request names an address, so risk gates apply
    risk_level: str | None = None  # the worst newest answer; None: never screened
    sanctioned: bool = False
    risk_fetched_at: datetime | None = None  # the newest answer's time
    target: Target | None = None  # (customer id, chain, address) when it names an address
    unpriced: Unpriced | None = None  # set when no fresh price valued the amount


class DecisionFacts(NamedTuple):
    id: str
    signer: str
    verdict: str  # approve, reject, comment
    created_at: datetime
    valid: bool  # the signature verifies over the request's current content
    roles: frozenset[str] = frozenset()  # the signer's roles (valid grants only)


class StatusResult(NamedTuple):
    status: Status
    reasons: tuple[str, ...]
    counted: frozenset[str]  # ids of the decisions that count
    ignored: Mapping[str, str]  # id -> why it does not count
    approvals: int
    needed: str  # what is still missing, for people


def evaluate(
    request: RequestFacts,
    policy: Policy,
    decisions: Iterable[DecisionFacts],
    now: datetime,
    overrides: Mapping[Target, str] = _NO_OVERRIDES,
) -> StatusResult:
    """`overrides`: the approved risk overrides, target -> the override request's id
    (one per target; the service picks the same one whatever the order)."""
    rules = policy.kinds[request.kind]
    expires_at = request.created_at + timedelta(days=policy.expiry_days)
    # Time order, ties broken by id, so any input order gives the same walk; the
    # same decision received twice is one (a set).
    ordered = sorted(decisions, key=_by_time)
    if len({d.id for d in ordered}) != len(ordered):
        ordered = sorted({d.id: d for d in sorted(ordered, key=_canonical)}.values(), key=_by_time)
    ignored: dict[str, str] = {}
    counted: list[DecisionFacts] = []
    approvers: list[DecisionFacts] = []
    rejects = 0
    seen: set[str] = set()
    decide = rules.decide
    creator = request.created_by
    for d in ordered:
        if not d.valid:
            ignored[d.id] = "the signature does not verify over this request's content"
        elif d.verdict == "comment":
            continue
        elif d.roles.isdisjoint(decide):
            deciders = ", ".join(sorted(decide))
            ignored[d.id] = f"the signer holds no role that decides this kind ({deciders})"
        elif d.verdict == "approve" and d.signer == creator:
            ignored[d.id] = "four eyes: whoever made the request cannot approve it"
        elif d.created_at > expires_at:
            ignored[d.id] = "decided after the request expired"
        elif d.signer in seen:
            ignored[d.id] = "duplicate: this member's first decision counts"
        else:
            seen.add(d.signer)
            counted.append(d)
            if d.verdict == "approve":
                approvers.append(d)
            else:
                rejects += 1
    ids = frozenset(d.id for d in counted)

    accepted = ""  # why the risk escalation does not apply
    priced_note = ""  # which tier no fresh price led to

    def result(status: Status, *reasons: str, needed: str = "") -> StatusResult:
        if priced_note:
            reasons = (*reasons, priced_note)
        if accepted:
            reasons = (*reasons, accepted)
        return StatusResult(status, reasons, ids, ignored, len(approvers), needed)

    if rejects >= rules.reject:
        return result("rejected", f"rejected by {rejects} of {rules.reject} needed")
    level = request.risk_level
    if request.has_address and (request.sanctioned or (level in policy.risk.blocked)):
        why = "a sanctions list names the address" if request.sanctioned else f"risk {level}"
        return result("blocked", f"blocked by the risk gate: {why}")
    need, priced_note = _tier_need(request, policy)
    extra = policy.risk.escalate.get(level) if request.has_address and level else None
    # Accepting the risk lifts only the escalation: never a block (above), never a
    # stale screening (below), and only for this customer and this address.
    override = (
        overrides.get(request.target)
        if extra and request.target is not None and request.kind in OVERRIDABLE
        else None
    )
    if override is not None:
        extra = None
        accepted = f"{level} risk accepted by risk override {short_id(override)}"
    if extra:
        need = dict(need)
        for role, n in extra.items():
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


def _tier_need(request: RequestFacts, policy: Policy) -> tuple[Mapping[str, int], str]:
    """The tier's quorum by value; with no fresh price the asset's own tiers in the
    policy (by its amount) or else the top tier, and a note saying so."""
    rules = policy.kinds[request.kind]
    missing = request.unpriced
    if missing is None:
        return rules.tier_for(request.amount).need, ""
    own = policy.valuation.unpriced.get(missing.asset)
    if own:
        need = KindRules.tier_in(own, missing.amount).need
        return need, f"no fresh price ({missing.why}): the policy's {missing.asset} tiers apply"
    return rules.tiers[-1].need, f"no fresh price ({missing.why}): the top tier applies"


def short_id(request_id: str) -> str:
    """The random tail of a time-ordered id: ids made the same minute share their head."""
    return request_id[-8:]


_by_time = attrgetter("created_at", "id")
_canonical = attrgetter("created_at", "id", "signer", "verdict", "valid")


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
    if len(need) == 1:  # one role: the n-th approver holding it completes it
        ((role, n),) = need.items()
        holders = [d for d in approvers if role in d.roles]
        return holders[n - 1].created_at if len(holders) >= n else None
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
    return _described(tuple(sorted(need.items())), more)


@functools.lru_cache(maxsize=256)
def _described(need: tuple[tuple[str, int], ...], more: bool) -> str:
    word = "more " if more else ""
    return " + ".join(f"{n} {word}{role.replace('_', ' ')}" for role, n in need)
