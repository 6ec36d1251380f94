"""Property tests of the pure status function (issue 5)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.approvals import signing
from app.approvals.policy import default_policy, default_text, parse
from app.approvals.status import DecisionFacts, RequestFacts, evaluate
from tests.app.approvals.conftest import SIGNED_CONTENT

POLICY = default_policy()
T0 = datetime(2026, 1, 1, tzinfo=UTC)
CREATOR = "0xC0"
MEMBERS = {
    "0xA1": frozenset({"officer"}),
    "0xA2": frozenset({"officer"}),
    "0xA3": frozenset({"officer"}),
    "0xD1": frozenset({"desk_head"}),
    "0xD2": frozenset({"desk_head", "officer"}),
    "0xE1": frozenset({"analyst"}),
    CREATOR: frozenset({"officer"}),
}

amounts = st.one_of(
    st.none(), st.decimals(min_value=1, max_value=1_000_000, places=2, allow_nan=False)
)
requests = st.builds(
    RequestFacts,
    kind=st.sampled_from(["whitelist", "withdrawal", "onboarding", "risk_override"]),
    amount=amounts,
    created_at=st.just(T0),
    created_by=st.just(CREATOR),
    has_address=st.booleans(),
    risk_level=st.sampled_from([None, "none", "low", "medium", "high", "severe"]),
    sanctioned=st.booleans(),
    risk_fetched_at=st.sampled_from([None, T0, T0 - timedelta(hours=30)]),
)


@st.composite
def decision_sets(draw: st.DrawFn) -> list[DecisionFacts]:
    n = draw(st.integers(0, 8))
    out = []
    for i in range(n):
        signer = draw(st.sampled_from(sorted(MEMBERS)))
        out.append(
            DecisionFacts(
                id=f"d{i:02d}",
                signer=signer,
                verdict=draw(st.sampled_from(["approve", "approve", "reject", "comment"])),
                created_at=T0 + timedelta(hours=draw(st.integers(0, 24 * 9))),
                valid=draw(st.booleans()) or draw(st.booleans()),
                roles=MEMBERS[signer],
            )
        )
    return out


nows = st.integers(0, 24 * 10).map(lambda h: T0 + timedelta(hours=h))


@given(requests, decision_sets(), nows, st.randoms())
def test_order_independent(
    req: RequestFacts, ds: list[DecisionFacts], now: datetime, rnd: random.Random
) -> None:
    shuffled = list(ds)
    rnd.shuffle(shuffled)
    assert evaluate(req, POLICY, ds, now) == evaluate(req, POLICY, shuffled, now)


@given(requests, decision_sets(), nows)
def test_idempotent_and_duplicates_change_nothing(
    req: RequestFacts, ds: list[DecisionFacts], now: datetime
) -> None:
    once = evaluate(req, POLICY, ds, now)
    assert evaluate(req, POLICY, ds, now) == once
    assert evaluate(req, POLICY, ds + ds, now) == once


@given(requests, decision_sets(), decision_sets(), nows)
def test_invalid_or_roleless_decisions_change_nothing(
    req: RequestFacts, ds: list[DecisionFacts], extra: list[DecisionFacts], now: datetime
) -> None:
    base = evaluate(req, POLICY, ds, now)
    noise = [
        DecisionFacts(f"x{d.id}", d.signer, d.verdict, d.created_at, False, d.roles) for d in extra
    ] + [
        DecisionFacts(f"y{d.id}", "0xE1", d.verdict, d.created_at, True, MEMBERS["0xE1"])
        for d in extra
    ]
    after = evaluate(req, POLICY, ds + noise, now)
    assert (after.status, after.counted, after.approvals) == (
        base.status,
        base.counted,
        base.approvals,
    )
    for d in noise:
        if d.id.startswith("x"):
            assert "signature" in after.ignored[d.id]
        elif d.verdict != "comment":
            assert "no role" in after.ignored[d.id]


@given(requests, decision_sets(), nows)
def test_four_eyes_and_one_person_counts_once(
    req: RequestFacts, ds: list[DecisionFacts], now: datetime
) -> None:
    result = evaluate(req, POLICY, ds, now)
    counted = [d for d in ds if d.id in result.counted]
    assert not any(d.signer == CREATOR and d.verdict == "approve" for d in counted)
    signers = [d.signer for d in counted]
    assert len(signers) == len(set(signers))
    assert all(d.valid and d.verdict != "comment" for d in counted)


def officers(n: int, *, at: datetime = T0) -> list[DecisionFacts]:
    signers = ["0xA1", "0xA2", "0xA3"][:n]
    return [
        DecisionFacts(f"o{i}", s, "approve", at + timedelta(minutes=i), True, MEMBERS[s])
        for i, s in enumerate(signers)
    ]


def withdrawal(amount: str, **kw: object) -> RequestFacts:
    base = {
        "kind": "withdrawal",
        "amount": Decimal(amount),
        "created_at": T0,
        "created_by": CREATOR,
        "has_address": True,
        "risk_level": "low",
        "sanctioned": False,
        "risk_fetched_at": T0,
    }
    base.update(kw)
    return RequestFacts(**base)  # type: ignore[arg-type]


@given(st.decimals(min_value=1, max_value=2_000_000, places=2), st.integers(0, 3), st.booleans())
@settings(max_examples=200)
def test_amount_tiers(amount: Decimal, n: int, head: bool) -> None:
    ds = officers(n)
    if head:
        ds.append(
            DecisionFacts("h", "0xD1", "approve", T0 + timedelta(minutes=9), True, MEMBERS["0xD1"])
        )
    status = evaluate(withdrawal(str(amount)), POLICY, ds, T0 + timedelta(hours=1)).status
    if amount < 10_000:
        expected = n >= 1
    elif amount < 250_000:
        expected = n >= 2
    else:
        expected = n >= 2 and head
    assert (status == "approved") == expected


def test_tier_needs_say_what_is_missing() -> None:
    result = evaluate(withdrawal("300000"), POLICY, officers(1), T0)
    assert result.status == "pending"
    assert result.needed == "1 more desk head + 1 more officer"


@given(
    st.sampled_from(["none", "low", "medium", "high", "severe"]), st.booleans(), st.integers(0, 3)
)
def test_risk_gates(level: str, sanctioned: bool, n: int) -> None:
    ds = officers(n)
    req = withdrawal("100", risk_level=level, sanctioned=sanctioned)
    status = evaluate(req, POLICY, ds, T0 + timedelta(hours=1)).status
    if sanctioned or level == "severe":
        assert status == "blocked"
    elif level == "high":
        assert status == "pending"  # a desk head is needed on top
        more = [*ds, DecisionFacts("h", "0xD1", "approve", T0, True, MEMBERS["0xD1"])]
        assert evaluate(req, POLICY, more, T0).status == ("approved" if n >= 1 else "pending")
    else:
        assert status == ("approved" if n >= 1 else "pending")


TARGET = (7, "ethereum", "0xAB")
OVERRIDE = "0190a1b2-0000-7000-8000-00000000c0de"


@given(
    st.sampled_from(["none", "low", "medium", "high", "severe"]),
    st.booleans(),
    st.integers(0, 3),
    st.sampled_from(["withdrawal", "whitelist"]),
    st.sampled_from(["20000", "100"]),
)
def test_a_risk_override_lifts_only_the_escalation(
    level: str, sanctioned: bool, n: int, kind: str, amount: str
) -> None:
    req = withdrawal(amount, kind=kind, risk_level=level, sanctioned=sanctioned, target=TARGET)
    now = T0 + timedelta(hours=1)
    ds = officers(n)
    without = evaluate(req, POLICY, ds, now)
    accepted = evaluate(req, POLICY, ds, now, {TARGET: OVERRIDE})
    quorum = n >= (2 if amount == "20000" else 1)
    if sanctioned or level == "severe":  # an override never lifts a block
        assert without.status == accepted.status == "blocked"
        assert not any("override" in r for r in accepted.reasons)
    elif level == "high":
        assert without.status == "pending" and "desk head" in without.needed
        assert accepted.status == ("approved" if quorum else "pending")
        assert "desk head" not in accepted.needed
        assert accepted.reasons[-1] == "high risk accepted by risk override 0000c0de"
    else:  # nothing to accept: the same answer
        assert accepted == without
    # Another customer's override, or one for another address, changes nothing.
    others = {(8, "ethereum", "0xAB"): OVERRIDE, (7, "ethereum", "0xCD"): OVERRIDE}
    assert evaluate(req, POLICY, ds, now, others) == without


def test_a_risk_override_keeps_stale_screenings_and_its_own_kind() -> None:
    overrides = {TARGET: OVERRIDE}
    stale = withdrawal("100", risk_level="high", risk_fetched_at=T0 - timedelta(hours=25))
    result = evaluate(stale._replace(target=TARGET), POLICY, officers(1), T0, overrides)
    assert result.status == "needs_refresh"
    # Only whitelists and withdrawals: a second risk override for the same address
    # still needs the escalation's desk head, even where its tier would not.
    text = default_text().replace("- {need: {officer: 1, desk_head: 1}}", "- {need: {officer: 1}}")
    policy = parse(text)
    own = withdrawal("100", risk_level="high", target=TARGET)._replace(
        kind="risk_override", amount=None
    )
    assert evaluate(own, policy, officers(1), T0).status == "pending"
    assert evaluate(own, policy, officers(1), T0, overrides).status == "pending"
    assert evaluate(own._replace(risk_level="medium"), policy, officers(1), T0).status == (
        "approved"
    )


@given(requests, decision_sets(), nows, st.randoms())
def test_overrides_keep_order_independence(
    req: RequestFacts, ds: list[DecisionFacts], now: datetime, rnd: random.Random
) -> None:
    req = req._replace(target=TARGET if req.has_address else None)
    shuffled = list(ds)
    rnd.shuffle(shuffled)
    overrides = {TARGET: OVERRIDE}
    first = evaluate(req, POLICY, ds, now, overrides)
    assert first == evaluate(req, POLICY, shuffled, now, overrides)
    assert first == evaluate(req, POLICY, ds, now, dict(overrides))


def test_stale_or_missing_screening_needs_refresh() -> None:
    old = withdrawal("100", risk_fetched_at=T0 - timedelta(hours=25))
    assert evaluate(old, POLICY, officers(1), T0).status == "needs_refresh"
    never = withdrawal("100", risk_level=None, risk_fetched_at=None)
    assert evaluate(never, POLICY, [], T0).status == "needs_refresh"
    # approved while the screening was fresh: time passing does not undo it
    fresh = withdrawal("100", risk_fetched_at=T0)
    assert evaluate(fresh, POLICY, officers(1), T0 + timedelta(days=3)).status == "approved"


@given(st.integers(0, 3), st.integers(0, 30))
def test_expiry(n: int, days: int) -> None:
    req = withdrawal("20000")
    now = T0 + timedelta(days=days, hours=1)
    late = [
        DecisionFacts(f"l{i}", s, "approve", now, True, MEMBERS[s])
        for i, s in enumerate(["0xA1", "0xA2"][:n])
    ]
    result = evaluate(withdrawal("20000", risk_fetched_at=now), POLICY, late, now)
    if days >= 7:
        assert result.status == "expired"
        assert all("expired" in result.ignored[d.id] for d in late)
    else:
        assert result.status == ("approved" if n >= 2 else "pending")
    assert req.kind == "withdrawal"


def test_reject_wins_and_creator_may_not_approve() -> None:
    own = DecisionFacts("c", CREATOR, "approve", T0, True, MEMBERS[CREATOR])
    result = evaluate(withdrawal("100"), POLICY, [own], T0)
    assert result.status == "pending" and "four eyes" in result.ignored["c"]
    no = DecisionFacts("r", "0xA2", "reject", T0, True, MEMBERS["0xA2"])
    assert evaluate(withdrawal("100"), POLICY, [*officers(1), no], T0).status == "rejected"


# --- tampering: validity comes from real signatures over the request's content ---

KEYS = [bytes([n]) * 32 for n in range(1, 4)]
CONTENT = {**SIGNED_CONTENT, "id": "r1", "createdAt": T0.isoformat(), "createdBy": CREATOR}
SIGNED = [
    (
        signing.address_of(key),
        signing.sign(key, "Decision", signing.decision_message(CONTENT, "approve", "ok", f"t{n}")),
    )
    for n, key in enumerate(KEYS)
]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(signing.REQUEST_FIELDS), st.text(min_size=1, max_size=20))
def test_tampered_content_invalidates_every_approval(field: str, value: str) -> None:
    def facts(content: dict[str, str]) -> list[DecisionFacts]:
        return [
            DecisionFacts(
                f"d{n}",
                signer,
                "approve",
                T0 + timedelta(minutes=n),
                signing.verifies(
                    signing.decision_digest(content, "approve", "ok", f"t{n}"), sig, signer
                ),
                frozenset({"officer"}),
            )
            for n, (signer, sig) in enumerate(SIGNED)
        ]

    request = withdrawal("20000")
    assert evaluate(request, POLICY, facts(CONTENT), T0).status == "approved"
    tampered = {**CONTENT, field: value}
    result = evaluate(request, POLICY, facts(tampered), T0)
    if value == CONTENT[field]:
        assert result.status == "approved"
    else:
        assert result.status == "pending" and not result.counted
        assert all("signature" in why for why in result.ignored.values())
