"""Chainalysis answers as RiskResults.

Sanctions API (chainalysis.md §1) — a list check, nothing more:

| answer                          | level  | score | sanctioned |
|---------------------------------|--------|-------|------------|
| `identifications` not empty     | severe | 100   | yes        |
| `identifications: []`          | none   | 0     | no         |

Address Screening (chainalysis.md §2) gives a level only, `risk`; the score
is risk.py's representative score of that level:

| `risk`  | level  | score |
|---------|--------|-------|
| Low     | low    | 20    |
| Medium  | medium | 40    |
| High    | high   | 70    |
| Severe  | severe | 90    |

It has no "none": Chainalysis calls even a plain exchange user Low. Sanctioned
(severe, 100) only where Chainalysis designates the address itself: an
`addressIdentifications[]` or the address's own `cluster` in category
`sanctions` or `sanctioned entity` (the docs' severe example:
"riskReason": "Identified as Sanctioned Entity", cluster category "sanctioned
entity"). Exposure to a sanctioned entity is an exposure, not a designation.
Categories: the identifications', the cluster's and the triggered rules'.
Exposures: `exposures[]`, direct or indirect by `exposureType`, USD values
added up per category (directions are not kept apart by the risk model).
"""

from __future__ import annotations

from app.addresses import CHAINS
from app.screening.providers.base import ProviderInfo, Verdict, categories, exposures
from app.screening.risk import Level, score_for_level
from integrations.kyt.chainalysis import EntityRisk, Risk, SanctionsAnswer
from integrations.kyt.chainalysis import sanctions as sanctions_api
from integrations.kyt.chainalysis import screening as screening_api

SANCTIONS = ProviderInfo(
    name="chainalysis-sanctions",
    label="Chainalysis Sanctions API",
    needs_key=True,
    needs_secret=False,
    rate_per_second=sanctions_api.CONFIG.rate_per_second,
    rate_source="chainalysis.md §1: 5,000 requests per 5 minutes per key (unconfirmed)",
    ttl_seconds=12 * 3600,
    ttl_reason="free and fast, and a new designation matters most: re-asked twice a day, "
    "so one published in the morning is seen the same day",
    chains=CHAINS,
)

SCREENING = ProviderInfo(
    name="chainalysis",
    label="Chainalysis Address Screening",
    needs_key=True,
    needs_secret=False,
    rate_per_second=screening_api.CONFIG.rate_per_second,
    rate_source="chainalysis.md §2: 40 requests/second; excess gets HTTP 429",
    ttl_seconds=24 * 3600,
    ttl_reason="exposure scores move as funds move, but slowly; a day matches a desk's "
    "daily review and keeps a paid look-up to one per address per day",
    chains=CHAINS,
)

_LEVELS = {
    Risk.LOW: Level.LOW,
    Risk.MEDIUM: Level.MEDIUM,
    Risk.HIGH: Level.HIGH,
    Risk.SEVERE: Level.SEVERE,
}
#: categories that designate the address itself (lower case)
SANCTION_CATEGORIES = frozenset({"sanctions", "sanctioned entity"})


def judge_sanctions(answer: SanctionsAnswer) -> Verdict:
    if not answer.listed:
        return Verdict(Level.NONE, 0)
    found = answer.identifications
    return Verdict(
        Level.SEVERE,
        100,
        sanctioned=True,
        categories=categories(i.category for i in found) or ("sanctions",),
        sanctioned_party="; ".join(dict.fromkeys(i.name for i in found)),
    )


def judge_entity(answer: EntityRisk) -> Verdict:
    cluster = answer.cluster
    designations = [
        i.name for i in answer.identifications if i.category.lower() in SANCTION_CATEGORIES
    ]
    if cluster and (cluster.category or "").lower() in SANCTION_CATEGORIES:
        designations.append(cluster.name or cluster.category or "")
    found = categories(
        [
            *(i.category for i in answer.identifications),
            cluster.category if cluster else None,
            *(t.category for t in answer.triggers),
        ]
    )
    direct = exposures(
        (e.category, e.value, None) for e in answer.exposures if e.exposure_type == "direct"
    )
    indirect = exposures(
        (e.category, e.value, None) for e in answer.exposures if e.exposure_type == "indirect"
    )
    if designations:
        return Verdict(
            Level.SEVERE,
            100,
            sanctioned=True,
            categories=found,
            direct=direct,
            indirect=indirect,
            sanctioned_party="; ".join(dict.fromkeys(d for d in designations if d)) or None,
        )
    level = _LEVELS[answer.risk]
    return Verdict(
        level,
        score_for_level(level),
        categories=found,
        direct=direct,
        indirect=indirect,
    )
