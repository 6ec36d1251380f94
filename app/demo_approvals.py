"""The demo vault's approval desk: demo members and requests in every status.

So the Approvals section shows real work on first open: the vault's own member
(admin and officer), two demo officers and a demo desk head, and a few dozen
requests signed by them over the last days, valued in USD from a demo price table
(one asset's price is stale, so its request takes the top tier): some waiting for
the user, some approved by two members, a rejected one, ones blocked by a (demo) sanctions hit
or a severe score, expired ones, one whose screening went stale. Every request
and decision is made and signed through `ApprovalService`, with a clock set back
in time, so the signatures verify like any others. Runs on the database worker.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.approvals.model import QueueFilter, Verdict
from app.approvals.service import ApprovalService
from app.demo_prices import STALE_ASSET, fill_demo_prices
from app.screening.risk import Level, RiskResult, score_for_level
from app.screening.sanctions.mapping import PROVIDER as SANCTIONS_LIST
from vault.screening import screenings
from vault.store import Vault

OFFICERS = ("Demo Officer Mira", "Demo Officer Jun")
DESK_HEAD = "Demo Desk Head Rosa"
_KYT = "chainalysis"  # the demo's KYT answers are labelled as demo data in their source
_EVM = ("ethereum", "arbitrum", "optimism", "base", "polygon", "bsc")


@dataclass
class _Clock:
    """One clock for every demo member's service, set before each step."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at


@dataclass(frozen=True)
class _Target:
    external_id: str
    chain: str
    address: str


def fill_demo_approvals(vault: Vault, rng: random.Random) -> int:
    """Demo members and requests; returns how many requests were made."""
    now = datetime.now(UTC)
    fill_demo_prices(vault, rng, now)  # first: requests are valued as they are made
    clock = _Clock(now)
    me = ApprovalService(vault, clock=clock)
    own = me.me()  # the vault's own member: the root admin, and the default policy
    me.grant_role(own.name, "officer")
    for name in OFFICERS:
        me.add_member(name, ["officer"])
    me.add_member(DESK_HEAD, ["desk_head", "officer"])
    mira, jun = (ApprovalService(vault, acting_as=n, clock=clock) for n in OFFICERS)
    rosa = ApprovalService(vault, acting_as=DESK_HEAD, clock=clock)
    targets = _targets(vault, rng)
    if not targets:
        return 0

    def at(hours_ago: float) -> None:
        clock.at = now - timedelta(hours=hours_ago)

    def screen(target: _Target, level: str, *, hours_ago: float, sanctioned: bool = False) -> None:
        _screen(vault, target, level, now - timedelta(hours=hours_ago), sanctioned=sanctioned)

    def withdrawal(by: ApprovalService, target: _Target, amount: float, asset: str = "USDT") -> str:
        row = by.request_withdrawal(
            target.external_id, asset, Decimal(str(amount)), target.chain, target.address
        )
        return row.id

    def whitelist(by: ApprovalService, target: _Target, limit: int | None) -> str:
        value = None if limit is None else Decimal(limit)
        return by.request_whitelist(target.external_id, target.chain, target.address, value).id

    def decide(who: ApprovalService, request_id: str, verdict: Verdict, reason: str) -> None:
        outcome = who.decide(request_id, verdict, reason)
        if not outcome.ok:  # the demo is wrong, not the user: say which step
            raise RuntimeError(f"demo decision refused: {outcome.message}")

    pick = itertools.cycle(targets)  # a small demo reuses its addresses
    # Waiting for the user: small and mid-size withdrawals and whitelists by the demo
    # officers, a few already approved by one of them.
    for n in range(10):
        target = next(pick)
        at(rng.uniform(1, 60))
        screen(target, rng.choice(("none", "none", "low", "medium")), hours_ago=rng.uniform(0.2, 3))
        maker = (mira, jun, rosa)[n % 3]
        if n % 2:
            amount = rng.choice((2_500, 7_800, 45_000, 120_000, 180_000))
            request_id = withdrawal(maker, target, amount, rng.choice(("USDT", "USDC")))
            if amount >= 10_000 and n % 4 == 1:
                other = jun if maker is mira else mira
                at(rng.uniform(0.1, 1))
                decide(other, request_id, "approve", "Destination is the customer's own wallet")
        else:
            whitelist(maker, target, rng.choice((None, 10_000, 50_000, 250_000)))
    for n in range(4):
        at(rng.uniform(2, 100))
        (mira if n % 2 else jun).request_onboarding(next(pick).external_id)
    # Valued from the price table: 2.5 BTC is about 150,000 USD (two officers), 40 ETH
    # about 120,000 USD; the SOL price is days old, so that one takes the top tier.
    priced = (("BTC", "2.5", mira), ("ETH", "40", jun), (STALE_ASSET, "300", rosa))
    for asset, quantity, maker in priced:
        target = next(pick)
        screen(target, "none", hours_ago=rng.uniform(0.2, 3))
        at(rng.uniform(0.5, 8))
        withdrawal(maker, target, float(quantity), asset)
    # High risk: needs a desk head besides the officers.
    target = next(pick)
    screen(target, "high", hours_ago=1)
    at(5)
    request_id = withdrawal(mira, target, 32_000)
    at(2)
    decide(jun, request_id, "approve", "Exposure is an exchange hot wallet; documented")
    target = next(pick)
    screen(target, "high", hours_ago=2)
    at(6)
    mira.request_risk_override(
        target.external_id,
        target.chain,
        target.address,
        "Gambling exposure is indirect (2%); the customer's payroll wallet",
    )
    # Approved by two members (and one by a single officer under 10,000).
    for n in range(7):
        target = next(pick)
        screen(target, "none", hours_ago=rng.uniform(0.2, 3))
        at(rng.uniform(20, 120))
        maker = rosa if n % 2 else me
        request_id = withdrawal(maker, target, rng.choice((15_000, 60_000, 95_000, 210_000)))
        at(rng.uniform(2, 18))
        decide(mira, request_id, "approve", "Checked against the trade confirmation")
        decide(jun, request_id, "approve", "Four eyes: confirmed")
    for _ in range(3):
        target = next(pick)
        screen(target, "low", hours_ago=rng.uniform(0.2, 3))
        at(rng.uniform(20, 90))
        request_id = whitelist(jun, target, 5_000)
        at(rng.uniform(1, 18))
        decide(mira, request_id, "approve", "Customer's own wallet, signed message on file")
    # Rejected.
    for reason in ("Destination does not match the customer's declared wallet", "Duplicate"):
        target = next(pick)
        screen(target, "medium", hours_ago=1.5)
        at(rng.uniform(20, 70))
        request_id = withdrawal(jun, target, rng.choice((4_000, 26_000)))
        at(rng.uniform(1, 10))
        decide(mira, request_id, "reject", reason)
    # Blocked by the risk gate: a (demo) sanctions hit and a severe score.
    target = next(pick)
    screen(target, "severe", hours_ago=0.5, sanctioned=True)
    at(3)
    whitelist(mira, target, None)
    target = next(pick)
    screen(target, "severe", hours_ago=1)
    at(4)
    withdrawal(jun, target, 8_000)
    # Expired: made nine days ago and never decided.
    for _ in range(3):
        target = next(pick)
        screen(target, "none", hours_ago=9 * 24 + 2)
        at(9 * 24 + rng.uniform(0, 12))
        whitelist(rosa, target, rng.choice((None, 20_000)))
    # The screening went stale (older than the policy's 24 hours): refresh first.
    target = next(pick)
    screen(target, "none", hours_ago=30)
    at(29)
    withdrawal(mira, target, 3_000)
    clock.at = now
    me.refresh()
    made = me.count(QueueFilter())
    for service in (me, mira, jun, rosa):
        service.forget()  # the signing keys leave memory with them
    return made


def _targets(vault: Vault, rng: random.Random) -> list[_Target]:
    """Demo customers' own addresses on EVM chains, one per customer, shuffled."""
    marks = ", ".join("?" for _ in _EVM)
    rows = vault.conn.execute(
        # only ? placeholders are joined in
        "SELECT c.external_id, a.chain, a.address FROM addresses a JOIN customers c "  # nosec B608
        f"ON c.id = a.customer_id WHERE a.chain IN ({marks}) AND c.external_id LIKE 'DEMO-0%' "
        "GROUP BY c.id ORDER BY c.id LIMIT 200",
        _EVM,
    ).fetchall()
    targets = [_Target(str(e), str(ch), str(a)) for e, ch, a in rows]
    rng.shuffle(targets)
    return targets


def _screen(
    vault: Vault, target: _Target, level: str, fetched: datetime, *, sanctioned: bool
) -> None:
    """A stored screening, as a provider's answer is kept, labelled as demo data."""
    if sanctioned:
        result = RiskResult(
            chain=target.chain,
            address=target.address,
            provider=SANCTIONS_LIST,
            level=Level.SEVERE,
            score=100,
            fetched_at=fetched,
            sanctioned=True,
            source="Sanctions list (demo data)",
            sanctioned_party="Demo Sanctioned Party",
        )
    else:
        result = RiskResult(
            chain=target.chain,
            address=target.address,
            provider=_KYT,
            level=Level(level),
            score=score_for_level(Level(level)),
            fetched_at=fetched,
            categories=("gambling",) if level in ("high", "severe") else (),
            source="Chainalysis KYT (demo data)",
        )
    with vault.transaction() as tx:
        screenings.record(tx.conn, result.to_record())
        tx.event(
            "screening.run",
            {"provider": result.provider, "addresses": 1, "demo": True},
        )
