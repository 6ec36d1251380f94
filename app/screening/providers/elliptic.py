"""Elliptic wallet analyses as RiskResults.

`risk_score` is "a float on a 0–10 scale; `null` means no risk rule was
triggered" (elliptic.md, "Wallet analysis response"). It is scaled to 0–100,
rounded *up* so that any positive Elliptic score is at least "low", and the
level follows risk.py's bands:

| `risk_score`   | score           | level  |
|----------------|-----------------|--------|
| null or 0      | 0               | none   |
| (0, 2.4]       | 1–24            | low    |
| (2.4, 4.9]     | 25–49           | medium |
| (4.9, 7.4]     | 50–74           | high   |
| (7.4, 10]      | 75–100          | severe |
| screened address itself sanctioned | 100 | severe, sanctioned |

e.g. the docs' example 9.038007 -> 91, severe. A `0` (rules triggered, score
0) stays none, with the rules' categories listed.

Sanctioned only where Elliptic says the screened address itself is: a
`matched_elements[].contributions[]` entry with `is_screened_address: true`
and `risk_triggers.is_sanctioned: true`. Sanctioned counterparties some hops
away are exposure. `asset_tier: "sanctions"` (only sanctions exposure was
assessed) is named in the source, so a "none" there is read for what it is.

Categories: the wallet's own `cluster_entities` and every matched rule
category. Exposures: `contributions.source` and `.destination` (all
exposure, risky or not), by the primary entity's category; direct is
`counterparty_*`, indirect `indirect_*`; percentages become shares (0–1).
"""

from __future__ import annotations

import math
from decimal import Decimal

from app.addresses import CHAINS
from app.screening.providers.base import ProviderInfo, Verdict, categories, exposures
from app.screening.risk import Level, level_for_score
from integrations.kyt.elliptic import SUBJECTS, Contribution, Entity, WalletAnalysis
from integrations.kyt.elliptic.client import CONFIG

INFO = ProviderInfo(
    name="elliptic",
    label="Elliptic",
    needs_key=True,
    needs_secret=True,
    rate_per_second=CONFIG.rate_per_second,
    rate_source="elliptic.md, Rate limits: global ceiling 500 requests per minute "
    "(synchronous screening 15/s is looser)",
    ttl_seconds=24 * 3600,
    ttl_reason="each synchronous screening is a paid, recorded analysis; exposure moves "
    "slowly, so once a day per address matches a desk's daily review",
    chains=tuple(c for c in CHAINS if c in SUBJECTS),
)


def judge_wallet(answer: WalletAnalysis) -> Verdict:
    parties = [
        c.entity or "the screened address"
        for e in answer.evaluations
        for m in e.matched
        for c in m.contributions
        if c.is_screened_address and c.is_sanctioned
    ]
    found = categories(
        [
            *(e.category for e in answer.cluster_entities),
            *(m.category for e in answer.evaluations for m in e.matched),
        ]
    )
    direct = exposures(
        (_category(c), c.counterparty_usd, _share(c.counterparty_percentage))
        for c in answer.contributions
    )
    indirect = exposures(
        (_category(c), c.indirect_usd, _share(c.indirect_percentage)) for c in answer.contributions
    )
    source = "Elliptic (sanctions tier)" if answer.asset_tier == "sanctions" else None
    if parties:
        return Verdict(
            Level.SEVERE,
            100,
            sanctioned=True,
            categories=found,
            direct=direct,
            indirect=indirect,
            sanctioned_party="; ".join(dict.fromkeys(parties)),
            source=source,
        )
    score = 0 if answer.risk_score is None else min(100, math.ceil(answer.risk_score * 10))
    return Verdict(
        level_for_score(score),
        score,
        categories=found,
        direct=direct,
        indirect=indirect,
        source=source,
    )


def _category(contribution: Contribution) -> str | None:
    primary: list[Entity] = [e for e in contribution.entities if e.is_primary]
    for entity in [*primary, *contribution.entities]:
        if entity.category:
            return entity.category
    return None


def _share(percentage: Decimal | None) -> Decimal | None:
    return None if percentage is None else percentage / 100
