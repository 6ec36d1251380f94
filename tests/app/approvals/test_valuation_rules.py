"""The pieces of value tiers: the policy's `valuation`, the tier the status function
picks without a fresh price, and decisions that sign the valuation (typed data v2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given
from hypothesis import strategies as st

from app.approvals import signing, valuing
from app.approvals.policy import PolicyError, as_dict, default_policy, default_text, parse
from app.approvals.status import RequestFacts, Unpriced, evaluate
from app.prices.quotes import Quote
from tests.app.approvals.conftest import SIGNED_CONTENT

KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
VALUATION = {
    "currency": "USD",
    "value": "250000.0",
    "asset": "BTC",
    "price": "100000",
    "priceAsOf": "2026-12-07T14:00:00+00:00",
    "priceSource": "csv:prices.csv",
    "valuedAt": "2026-12-07T15:00:00+00:00",
}
WITH_USDT_TIERS = default_text().replace(
    "unpriced: {}",
    "unpriced:\n    usdt:\n      - {below: 5000, need: {officer: 1}}\n      - {need: {officer: 2}}",
)


def test_the_default_policy_counts_in_usd_for_24_hours() -> None:
    rules = default_policy().valuation
    assert (rules.currency, rules.max_price_age, dict(rules.unpriced)) == (
        "USD",
        timedelta(hours=24),
        {},
    )


def test_a_policy_without_a_valuation_section_still_parses() -> None:
    text = default_text()
    old = text[: text.index("# How amounts become values")]
    assert parse(old).valuation == default_policy().valuation


def test_per_asset_tiers_and_their_errors() -> None:
    policy = parse(WITH_USDT_TIERS.replace("currency: USD", "currency: eur"))
    assert policy.valuation.currency == "EUR"
    assert as_dict(policy)["valuation"]["unpriced"] == {
        "USDT": [
            {"below": "5000", "need": {"officer": 1}},
            {"below": None, "need": {"officer": 2}},
        ]
    }
    for bad, message in [
        (WITH_USDT_TIERS.replace("usdt:", "b@d:"), "'b@d' is not an asset symbol"),
        (WITH_USDT_TIERS.replace("{officer: 1}}", "{analyst: 1}}"), "may not decide here"),
        (WITH_USDT_TIERS.replace("hours: 24", "hours: 0"), "must be a number above 0"),
        (default_text().replace("unpriced: {}", "unpriced: [1]"), "expected a mapping"),
    ]:
        with pytest.raises(PolicyError, match=message):
            parse(bad)


def _facts(amount: Decimal | None, unpriced: Unpriced | None = None) -> RequestFacts:
    return RequestFacts("withdrawal", amount, NOW, "0xReq", has_address=False, unpriced=unpriced)


def test_no_fresh_price_takes_the_top_tier_or_the_assets_own() -> None:
    policy = default_policy()
    priced = evaluate(_facts(Decimal("150000")), policy, [], NOW)
    assert priced.needed == "2 officer"
    assert not any("price" in r for r in priced.reasons)
    stale = Unpriced("USDT", Decimal("4000"), "the newest USDT price is 30 hours old")
    top = evaluate(_facts(None, stale), policy, [], NOW)
    assert top.needed == "1 desk head + 2 officer"
    assert top.reasons[-1] == (
        "no fresh price (the newest USDT price is 30 hours old): the top tier applies"
    )
    own = evaluate(_facts(None, stale), parse(WITH_USDT_TIERS), [], NOW)
    assert own.needed == "1 officer"
    assert "the policy's USDT tiers apply" in own.reasons[-1]
    big = evaluate(
        _facts(None, stale._replace(amount=Decimal(6000))), parse(WITH_USDT_TIERS), [], NOW
    )
    assert big.needed == "2 officer"


def test_a_valuation_survives_its_columns() -> None:
    rules = default_policy().valuation
    quote = Quote("BTC", "USD", Decimal("60000"), NOW - timedelta(hours=2), "csv:p.csv")
    made = valuing.value_request(
        kind="withdrawal",
        asset="BTC",
        figure=Decimal("2.5"),
        rules=rules,
        quotes={"BTC": quote},
        now=NOW,
    )
    assert made is not None and made.value == Decimal("150000.0")
    row = valuing.columns(made)
    back = valuing.from_columns(
        kind="withdrawal", asset="BTC", figure=Decimal("2.5"), row=row, rules=rules
    )
    assert back == made
    # A shorter price age in the policy reads the same columns as no fresh price.
    strict = parse(default_text().replace("max_price_age_hours: 24", "max_price_age_hours: 1"))
    amount, unpriced = valuing.stored_tier_facts(
        kind="withdrawal", asset="BTC", figure=Decimal("2.5"), row=row, rules=strict.valuation
    )
    assert amount is None and unpriced is not None
    assert unpriced.why == (
        "the newest BTC price is from 2026-12-07 13:00 UTC, older than 60 minutes"
    )
    # A whitelist limit is in the reference currency: its own value, no price needed.
    limit = valuing.value_request(
        kind="whitelist", asset=None, figure=Decimal(9000), rules=rules, quotes={}, now=NOW
    )
    assert limit is not None and limit.value == Decimal(9000)
    # Requests made before prices keep counting their amount as they were decided.
    assert valuing.stored_tier_facts(
        kind="withdrawal", asset="BTC", figure=Decimal("2.5"), row=valuing.NO_VALUATION, rules=rules
    ) == (Decimal("2.5"), None)


def test_a_version_2_decision_signs_the_valuation_and_verifies_with_eth_account() -> None:
    at = "2026-12-07T15:01:00.000+00:00"
    message = signing.decision_message(SIGNED_CONTENT, "approve", "ok", at, VALUATION)
    document = signing.typed_data("Decision", message)
    assert document["domain"]["version"] == "2"
    assert [f["name"] for f in document["types"]["Decision"]][:2] == ["request", "valuation"]
    signature = signing.sign(KEY, "Decision", message)
    signer = Account.recover_message(encode_typed_data(full_message=document), signature=signature)
    assert signer == Account.from_key(KEY).address
    digest = signing.decision_digest(SIGNED_CONTENT, "approve", "ok", at, VALUATION)
    assert digest == signing.eth_account_digest("Decision", message)
    assert signing.verifies(digest, signature, signer)
    # Another price, or the valuation dropped (read as version 1), no longer verifies.
    other = {**VALUATION, "price": "60000"}
    assert not signing.verifies(
        signing.decision_digest(SIGNED_CONTENT, "approve", "ok", at, other), signature, signer
    )
    assert not signing.verifies(
        signing.decision_digest(SIGNED_CONTENT, "approve", "ok", at), signature, signer
    )


def test_version_1_decisions_keep_verifying() -> None:
    at = "2026-12-04T02:00:00.000+00:00"
    message = signing.decision_message(SIGNED_CONTENT, "approve", "KYC fine", at)
    assert signing.typed_data("Decision", message)["domain"]["version"] == "1"
    signature = signing.sign(KEY, "Decision", message)
    digest = signing.decision_digest(SIGNED_CONTENT, "approve", "KYC fine", at)
    assert signing.verifies(digest, signature, Account.from_key(KEY).address)


@given(st.dictionaries(st.sampled_from(signing.VALUATION_FIELDS), st.text(max_size=30)))
def test_the_fast_v2_digest_equals_eth_accounts(valuation: dict[str, str]) -> None:
    message = signing.decision_message(SIGNED_CONTENT, "comment", "r", "t", valuation)
    assert signing.decision_digest(
        SIGNED_CONTENT, "comment", "r", "t", valuation
    ) == signing.eth_account_digest("Decision", message)
